-- payments reconciliation: the reporting flows (flussi di rendicontazione, FdR) pagoPA sends for each ente, the
-- treasury lines (the bank's credits, "giornale di cassa") that carry their money, and the match of every flow
-- line to a receipt (payment_receipt) and of every flow to its treasury credit.

-- One reporting flow as received (FlussoRiversamento 1_0_4 / 1_0_5). The same flow id with the same date/time is
-- the same flow (imported once); pagoPA sends a corrected flow with the same id and a new date/time.
create table payment_fdr (
  ente_id uuid not null references ente (id),
  id uuid not null default gen_random_uuid(),
  flow_id text not null check (flow_id ~ '^[a-zA-Z0-9_-]{1,35}$'),
  flow_date_time timestamptz not null,
  -- The schema versions the document validates against: '1_0_4', '1_0_5' or both.
  schema_versions text[] not null check (cardinality(schema_versions) between 1 and 2),
  settlement_id text not null,
  settlement_date date not null,
  sender_type text not null,
  sender_code text not null,
  sender_name text,
  bic text,
  receiver_code text not null,
  receiver_name text,
  declared_count int not null check (declared_count >= 1),
  declared_total_cents bigint not null check (declared_total_cents >= 0),
  lines_count int not null,
  lines_total_cents bigint not null,
  status text not null default 'imported' check (status in ('imported', 'matched', 'anomalies')),
  anomalies int not null default 0 check (anomalies >= 0),
  raw_sha256 text not null,
  imported_at timestamptz not null,
  imported_by text not null,
  matched_at timestamptz,
  primary key (ente_id, id),
  unique (ente_id, flow_id, flow_date_time),
  foreign key (ente_id, raw_sha256) references stored_file (ente_id, sha256)
);
create index payment_fdr_list on payment_fdr (ente_id, settlement_date desc, flow_date_time desc);
create index payment_fdr_flow_upper on payment_fdr (ente_id, upper(flow_id));

-- One line of a flow: a payment (IUV + IUR, and the transfer index when the option had several transfers) with
-- the amount credited to the ente and its outcome code (0 paid, 3 revoked, 4 paid in stand-in, 8 stand-in
-- without RPT, 9 paid without RPT); match_status is the result of the last match against the receipts.
create table payment_fdr_line (
  ente_id uuid not null,
  fdr_id uuid not null,
  idx int not null check (idx >= 1),
  iuv text not null,
  iur text not null,
  transfer_index int check (transfer_index between 1 and 5),
  amount_cents bigint not null check (amount_cents > 0),
  outcome_code text not null check (outcome_code in ('0', '3', '4', '8', '9')),
  outcome_date date not null,
  match_status text not null default 'pending'
    check (match_status in ('pending', 'matched', 'unknown_iuv', 'amount_mismatch', 'missing_receipt', 'revoked')),
  option_id uuid,
  receipt_id uuid,
  service_code text,
  expected_cents bigint,
  primary key (ente_id, fdr_id, idx),
  foreign key (ente_id, fdr_id) references payment_fdr (ente_id, id),
  foreign key (ente_id, option_id) references payment_option (ente_id, id),
  foreign key (ente_id, receipt_id) references payment_receipt (ente_id, id)
);
create index payment_fdr_line_iuv on payment_fdr_line (ente_id, iuv);
create index payment_fdr_line_receipt on payment_fdr_line (ente_id, receipt_id);

-- A credit on the ente's treasury account that carries a flow's money (remittance
-- /PUR/LGPE-RIVERSAMENTO/URI/<flow id>), from a bank statement (CSV) or typed by hand. line_key makes a
-- re-imported statement add nothing: the bank's reference, or a digest of date, amount and remittance.
create table payment_treasury_line (
  ente_id uuid not null references ente (id),
  id uuid not null default gen_random_uuid(),
  line_key text not null,
  value_date date not null,
  amount_cents bigint not null check (amount_cents > 0),
  remittance text not null check (length(remittance) between 1 and 500),
  reference text check (reference is null or length(reference) between 1 and 100),
  -- What follows /PUR/LGPE-RIVERSAMENTO/URI/ in the remittance (spaces removed, upper case), null when absent.
  flow_ref text,
  fdr_id uuid,
  match_status text not null default 'no_flow' check (match_status in ('no_flow', 'matched', 'amount_mismatch')),
  source text not null check (source in ('csv', 'manual', 'api')),
  imported_at timestamptz not null,
  imported_by text not null,
  primary key (ente_id, id),
  unique (ente_id, line_key),
  foreign key (ente_id, fdr_id) references payment_fdr (ente_id, id)
);
create index payment_treasury_line_fdr on payment_treasury_line (ente_id, fdr_id);
create index payment_treasury_line_date on payment_treasury_line (ente_id, value_date desc);

do $$
declare
  t text;
begin
  foreach t in array array['payment_fdr', 'payment_fdr_line', 'payment_treasury_line'] loop
    execute format('alter table %I enable row level security', t);
    execute format('create policy %I on %I to cir_app using (ente_id = app_current_ente()) with check (ente_id = app_current_ente())', t || '_tenant', t);
    execute format('create policy %I on %I for select to cir_cross_reader using (true)', t || '_cross_read', t);
  end loop;
end $$;
