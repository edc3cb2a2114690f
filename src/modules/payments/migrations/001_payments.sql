-- payments: pagoPA for every member ente, the CST being the technological intermediary (broker).
-- Model (as pagoPA's GPD): a debt position (posizione debitoria) of a debtor has one or more payment options —
-- the single payment, or instalments — each with its own IUV / notice number, amount, due date and up to 5
-- transfers (how the amount is split among beneficiary enti and IBANs). Amounts are integer euro cents.

-- What the ente is, for pagoPA (one row per ente that collects through the platform).
create table payment_config (
  ente_id uuid not null references ente (id),
  fiscal_code text not null check (fiscal_code ~ '^[0-9]{11}$'),
  business_name text not null check (length(trim(business_name)) > 0),
  -- Aux digit 3: the notice number is 3 + segregation code (2 digits) + IUV base (13) + check digits (2).
  segregation_code text not null check (segregation_code ~ '^[0-9]{2}$'),
  bank_iban text check (bank_iban ~ '^IT[0-9]{2}[A-Z][0-9]{10}[0-9A-Z]{12}$'),
  postal_iban text check (postal_iban ~ '^IT[0-9]{2}[A-Z]07601[0-9]{5}[0-9A-Z]{12}$'),
  postal_account_holder text,
  postal_auth_code text,
  cbill_code text check (cbill_code ~ '^[A-Z0-9]{5}$'),
  broker_id text not null check (broker_id ~ '^[0-9]{11}$'),
  station_id text not null check (station_id ~ '^[0-9]{11}_[0-9]{2}$'),
  application_code text check (application_code ~ '^[0-9]{2}$'),
  help_text text,
  updated_at timestamptz not null default now(),
  primary key (ente_id),
  check (bank_iban is not null or postal_iban is not null),
  check (postal_iban is null or postal_account_holder is not null)
);

-- The catalogue of what the ente collects (TARI, IMU, mensa, canone unico, diritti di segreteria, sanzioni …).
create table payment_service (
  ente_id uuid not null references ente (id),
  code text not null check (code ~ '^[a-z0-9_]{2,40}$'),
  name text not null check (length(trim(name)) > 0),
  -- pagoPA taxonomy (dati specifici di riscossione): 9/<tipo ente 2><macro area 2><tipologia 3><motivo giuridico 2 letters>/, e.g. 9/0101108TS/
  taxonomy text not null check (taxonomy ~ '^9/[0-9]{7}[A-Z]{2}/$'),
  iban_kind text not null default 'bank' check (iban_kind in ('bank', 'postal')),
  -- A citizen may pay it spontaneously (without a notice sent by the ente), for this fixed amount or one typed.
  spontaneous boolean not null default false,
  fixed_amount_cents bigint check (fixed_amount_cents is null or fixed_amount_cents > 0),
  active boolean not null default true,
  primary key (ente_id, code)
);

-- One counter per ente and segregation code: the IUV base, incremented in the transaction that creates the
-- option; a rolled back creation rolls its number back too (no number is ever given twice).
create table payment_iuv_counter (
  ente_id uuid not null references ente (id),
  segregation_code text not null,
  last_base bigint not null check (last_base between 1 and 9999999999999),
  primary key (ente_id, segregation_code)
);

create table payment_position (
  ente_id uuid not null references ente (id),
  id uuid not null default gen_random_uuid(),
  -- The ente's own reference (e.g. TARI-2026-000123), unique per ente when given: the CSV upload is idempotent on it.
  external_ref text,
  service_code text not null,
  debtor_type text not null check (debtor_type in ('F', 'G')),
  debtor_fiscal_code text not null check (debtor_fiscal_code ~ '^([A-Z0-9]{16}|[0-9]{11})$'),
  debtor_name text not null check (length(trim(debtor_name)) > 0),
  debtor_email text,
  debtor_address text,
  reason text not null check (length(trim(reason)) between 1 and 140),
  amount_cents bigint not null check (amount_cents > 0),
  status text not null default 'draft' check (status in ('draft', 'valid', 'paid', 'partially_paid', 'expired', 'cancelled')),
  created_at timestamptz not null,
  published_at timestamptz,
  cancelled_at timestamptz,
  cancel_reason text,
  paid_at timestamptz,
  created_by text not null,
  -- Which module made it (payments, building, library …) and its reference there.
  origin_module text not null default 'payments',
  origin_ref text,
  primary key (ente_id, id),
  foreign key (ente_id, service_code) references payment_service (ente_id, code),
  unique (ente_id, external_ref),
  check ((status = 'cancelled') = (cancelled_at is not null))
);
create index payment_position_debtor on payment_position (debtor_fiscal_code);
create index payment_position_list on payment_position (ente_id, created_at desc);

-- A way to pay the position: the whole amount (instalment null) or one instalment (1, 2, 3 …).
create table payment_option (
  ente_id uuid not null,
  id uuid not null default gen_random_uuid(),
  position_id uuid not null,
  instalment int check (instalment is null or instalment between 1 and 99),
  iuv text not null check (iuv ~ '^[0-9]{17}$'),
  notice_number text not null check (notice_number ~ '^3[0-9]{17}$'),
  amount_cents bigint not null check (amount_cents > 0),
  due_date date not null,
  -- Past the due date the option can still be paid until this date (null: not after the due date).
  retention_date date,
  status text not null default 'unpaid' check (status in ('unpaid', 'paid')),
  paid_at timestamptz,
  primary key (ente_id, id),
  foreign key (ente_id, position_id) references payment_position (ente_id, id),
  unique (ente_id, iuv),
  unique (ente_id, notice_number),
  unique (ente_id, position_id, instalment),
  check ((status = 'paid') = (paid_at is not null))
);
create index payment_option_position on payment_option (ente_id, position_id);

create table payment_transfer (
  ente_id uuid not null,
  option_id uuid not null,
  idx int not null check (idx between 1 and 5),
  -- The beneficiary (e.g. the Provincia for TEFA), with its own fiscal code and IBAN.
  beneficiary_fiscal_code text not null check (beneficiary_fiscal_code ~ '^[0-9]{11}$'),
  iban text not null check (iban ~ '^IT[0-9]{2}[A-Z][0-9]{10}[0-9A-Z]{12}$'),
  amount_cents bigint not null check (amount_cents > 0),
  taxonomy text not null check (taxonomy ~ '^9/[0-9]{7}[A-Z]{2}/$'),
  remittance text not null check (length(remittance) between 1 and 140),
  primary key (ente_id, option_id, idx),
  foreign key (ente_id, option_id) references payment_option (ente_id, id)
);

-- The receipts (RT) the pagoPA node sends (paSendRT / paSendRTV2): one row per receipt id, so the same receipt
-- sent twice is recorded once. A second receipt with another id for an option already paid is kept too
-- (double payment: reconciliation lists it), flagged duplicate_of.
create table payment_receipt (
  ente_id uuid not null references ente (id),
  id uuid not null default gen_random_uuid(),
  receipt_id text not null check (length(receipt_id) between 1 and 35),
  option_id uuid not null,
  notice_number text not null,
  iuv text not null,
  outcome text not null check (outcome in ('OK', 'KO')),
  amount_cents bigint not null check (amount_cents > 0),
  fee_cents bigint check (fee_cents is null or fee_cents >= 0),
  psp_id text not null,
  psp_name text,
  psp_fiscal_code text,
  channel_id text,
  payment_method text,
  payer_fiscal_code text,
  payer_name text,
  payment_date_time timestamptz,
  application_date date,
  transfer_date date,
  -- [{ idx, amountCents, fiscalCode, iban, remittance, taxonomy }] as received.
  transfers jsonb not null,
  raw_sha256 text not null,
  duplicate_of uuid,
  received_at timestamptz not null,
  primary key (ente_id, id),
  unique (ente_id, receipt_id),
  foreign key (ente_id, option_id) references payment_option (ente_id, id),
  foreign key (ente_id, raw_sha256) references stored_file (ente_id, sha256),
  foreign key (ente_id, duplicate_of) references payment_receipt (ente_id, id)
);
create index payment_receipt_iuv on payment_receipt (ente_id, iuv);
create index payment_receipt_day on payment_receipt (ente_id, application_date);

do $$
declare
  t text;
begin
  foreach t in array array['payment_config', 'payment_service', 'payment_iuv_counter', 'payment_position', 'payment_option', 'payment_transfer', 'payment_receipt'] loop
    execute format('alter table %I enable row level security', t);
    execute format('create policy %I on %I to cir_app using (ente_id = app_current_ente()) with check (ente_id = app_current_ente())', t || '_tenant', t);
    execute format('create policy %I on %I for select to cir_cross_reader using (true)', t || '_cross_read', t);
  end loop;
end $$;
