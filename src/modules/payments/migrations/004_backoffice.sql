-- payments back office: CSV bulk uploads of debt positions. One row per uploaded file (the bytes are in the
-- file store), with its progress, so a large file is worked by a background job in batches and resumes after a
-- crash where it stopped; one row per rejected line with its reason, for the report and its CSV.
create table payment_upload (
  ente_id uuid not null references ente (id),
  id uuid not null default gen_random_uuid(),
  file_sha256 text not null,
  file_name text not null,
  status text not null default 'queued' check (status in ('queued', 'running', 'done', 'failed')),
  -- Data rows in the file (header excluded), counted when uploaded.
  total_rows int not null check (total_rows >= 0),
  -- Rows already worked (a resumed job skips them), and what came of them.
  processed_rows int not null default 0 check (processed_rows >= 0),
  created_count int not null default 0,
  existing_count int not null default 0,
  rejected_count int not null default 0,
  error text,
  created_by_id uuid,
  created_by text not null,
  created_at timestamptz not null default now(),
  finished_at timestamptz,
  primary key (ente_id, id),
  foreign key (ente_id, file_sha256) references stored_file (ente_id, sha256)
);
create index payment_upload_recent on payment_upload (ente_id, created_at desc);

create table payment_upload_rejection (
  ente_id uuid not null,
  upload_id uuid not null,
  -- Line of the file (the header is line 1).
  line int not null check (line > 1),
  external_ref text,
  reason text not null,
  -- The fields as read, to give them back in the CSV of rejected rows.
  fields jsonb not null,
  primary key (ente_id, upload_id, line),
  foreign key (ente_id, upload_id) references payment_upload (ente_id, id)
);

do $$
declare
  t text;
begin
  foreach t in array array['payment_upload', 'payment_upload_rejection'] loop
    execute format('alter table %I enable row level security', t);
    execute format('create policy %I on %I to cir_app using (ente_id = app_current_ente()) with check (ente_id = app_current_ente())', t || '_tenant', t);
    execute format('create policy %I on %I for select to cir_cross_reader using (true)', t || '_cross_read', t);
  end loop;
end $$;
