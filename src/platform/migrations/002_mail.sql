-- Kernel mail: the outbox every outgoing mail goes through, and the cursors of the modules that turn their
-- event streams into mail (the help desk's ticket history, later pagoPA receipts and messaging).

-- One row per mail, written in the transaction of the change that causes it (with the job that sends it), so a
-- rolled-back change sends nothing and a committed one cannot lose its mail. The idempotency key makes queueing
-- the same mail twice one mail. The Message-ID is fixed here: a retry after an unknown outcome (connection lost
-- after the data was sent) carries the same Message-ID, so the receiving side can recognise the duplicate.
create table mail_outbox (
  ente_id uuid not null references ente (id),
  id uuid not null default gen_random_uuid(),
  idempotency_key text not null check (length(idempotency_key) between 1 and 500),
  message_id text not null check (message_id ~ '^<[^<>\s]+@[^<>\s]+>$'),
  -- Null: the platform's sender (MAIL_FROM) at the time of sending.
  from_address text,
  recipients text[] not null check (cardinality(recipients) between 1 and 100),
  subject text not null check (length(subject) <= 998),
  text_body text not null,
  html_body text,
  -- Extra header fields by name (In-Reply-To, References, Reply-To, List-Unsubscribe, Auto-Submitted …).
  headers jsonb not null default '{}' check (jsonb_typeof(headers) = 'object'),
  state text not null default 'queued' check (state in ('queued', 'sent', 'failed')),
  attempts int not null default 0 check (attempts >= 0),
  -- A queued mail is sent at or after this time (back-off after a temporary failure).
  next_attempt_at timestamptz not null default now(),
  -- Lease of the worker sending it now; a lease that runs out (worker died mid-send) lets the sweep retry.
  claimed_until timestamptz,
  last_attempt_at timestamptz,
  last_error text,
  -- The server's answer to the accepted message (its queue id), for tracing with the mail server's logs.
  smtp_response text,
  created_at timestamptz not null default now(),
  sent_at timestamptz,
  primary key (ente_id, id),
  unique (ente_id, idempotency_key),
  check ((state = 'sent') = (sent_at is not null)),
  check (state <> 'failed' or last_error is not null)
);
-- The sweep looks for queued mails whose turn has passed.
create index mail_outbox_queued on mail_outbox (next_attempt_at) where state = 'queued';
create index mail_outbox_created on mail_outbox (ente_id, created_at desc);

-- Where a module's mail derived from its event stream has got to, per ente. The position's shape belongs to
-- the stream (e.g. the last event id, the last ticket number of a year).
create table mail_cursor (
  ente_id uuid not null references ente (id),
  stream text not null check (stream ~ '^[a-z0-9_.-]+$'),
  position jsonb not null,
  updated_at timestamptz not null default now(),
  primary key (ente_id, stream)
);

-- When each stream started to be turned into mail (not tenant data). Its first run sets every ente's cursor at
-- the end of the history, so what happened before (the demo seed, tickets from before an upgrade) is not mailed.
create table mail_stream (
  stream text primary key check (stream ~ '^[a-z0-9_.-]+$'),
  started_at timestamptz not null default now()
);

do $$
declare
  t text;
begin
  foreach t in array array['mail_outbox', 'mail_cursor'] loop
    execute format('alter table %I enable row level security', t);
    execute format('create policy %I on %I to cir_app using (ente_id = app_current_ente()) with check (ente_id = app_current_ente())', t || '_tenant', t);
    execute format('create policy %I on %I for select to cir_cross_reader using (true)', t || '_cross_read', t);
  end loop;
end $$;
