-- payments/notices: bulk generation of pagoPA notices for a whole roll (e.g. every TARI position of a year).
-- A run snapshots the positions it covers as numbered items (seq 1..total) when it starts; a background job
-- works through them in chunks, and each chunk commits its PDFs (file store rows), its items and the run's
-- cursor in one transaction. A crash rolls back only the chunk in progress, so the run resumes at the cursor
-- and no position ever gets two notices in a run (item primary key + unique position per run).

create table payment_notice_run (
  ente_id uuid not null references ente (id),
  id uuid not null default gen_random_uuid(),
  -- Which positions: a service of the catalogue, optionally only those created in one year (Rome time).
  service_code text not null,
  year int check (year is null or year between 2000 and 2999),
  state text not null default 'queued' check (state in ('queued', 'running', 'completed', 'failed')),
  total int not null check (total >= 0),
  -- Items with seq <= cursor are done: their notice is stored, or they were skipped (paid or cancelled since).
  cursor int not null default 0,
  generated int not null default 0,
  skipped int not null default 0,
  error text,
  requested_by text not null,
  created_at timestamptz not null,
  started_at timestamptz,
  finished_at timestamptz,
  -- Last committed chunk: shows a run whose worker died (no progress for a long time).
  heartbeat_at timestamptz,
  primary key (ente_id, id),
  foreign key (ente_id, service_code) references payment_service (ente_id, code),
  check (cursor between 0 and total),
  check (generated + skipped = cursor),
  check (state <> 'completed' or (cursor = total and finished_at is not null))
);
create index payment_notice_run_list on payment_notice_run (ente_id, created_at desc);

create table payment_notice_item (
  ente_id uuid not null,
  run_id uuid not null,
  seq int not null check (seq >= 1),
  position_id uuid not null,
  -- Null until the item's chunk commits; 'skipped' when the position had nothing left to pay by then.
  outcome text check (outcome in ('generated', 'skipped')),
  -- The notice PDF in the file store and its name in the bundle.
  sha256 text,
  file_name text,
  generated_at timestamptz,
  primary key (ente_id, run_id, seq),
  unique (ente_id, run_id, position_id),
  foreign key (ente_id, run_id) references payment_notice_run (ente_id, id),
  foreign key (ente_id, position_id) references payment_position (ente_id, id),
  foreign key (ente_id, sha256) references stored_file (ente_id, sha256),
  check ((outcome = 'generated') = (sha256 is not null and file_name is not null)),
  check ((outcome is null) = (generated_at is null))
);

do $$
declare
  t text;
begin
  foreach t in array array['payment_notice_run', 'payment_notice_item'] loop
    execute format('alter table %I enable row level security', t);
    execute format('create policy %I on %I to cir_app using (ente_id = app_current_ente()) with check (ente_id = app_current_ente())', t || '_tenant', t);
    execute format('create policy %I on %I for select to cir_cross_reader using (true)', t || '_cross_read', t);
  end loop;
end $$;
