-- helpdesk/mail: every message received at the help desk's address, kept raw (.eml in the CST's file store)
-- before the sender is told it was accepted, with what became of it. The rows belong to the CST ente (the desk
-- owns the mailbox); the ticket a message led to may be of any ente, so it is referenced by value (ente, id,
-- label) rather than by a foreign key across tenants.

create table inbound_mail (
  ente_id uuid not null references ente (id),
  id uuid not null default gen_random_uuid(),
  -- The Message-ID header (or one derived from the bytes when missing): the same message delivered twice is one row.
  message_id text not null check (length(message_id) between 1 and 998),
  sha256 text not null,
  size_bytes bigint not null check (size_bytes >= 0),
  envelope_from text,
  envelope_to text[] not null,
  remote_address text,
  from_address text,
  from_name text,
  subject text,
  received_at timestamptz not null,
  state text not null default 'received'
    check (state in ('received', 'ticket_created', 'reply_threaded', 'quarantined', 'discarded')),
  -- Why it ended in that state, in words the desk reads (quarantine and discard reasons, closed-ticket follow-ups).
  reason text,
  -- Processing attempts: a row still 'received' after an attempt means the process stopped half way.
  attempts int not null default 0,
  last_attempt_at timestamptz,
  ticket_ente_id uuid references ente (id),
  ticket_id uuid,
  ticket_label text,
  handled_at timestamptz,
  handled_by text,
  primary key (ente_id, id),
  unique (ente_id, message_id),
  foreign key (ente_id, sha256) references stored_file (ente_id, sha256),
  check ((state in ('ticket_created', 'reply_threaded')) = (ticket_id is not null and ticket_ente_id is not null)),
  check (state = 'received' or handled_at is not null),
  check (state not in ('quarantined', 'discarded') or length(trim(reason)) > 0)
);
create index inbound_mail_state on inbound_mail (ente_id, state, received_at desc);
create index inbound_mail_pending on inbound_mail (received_at) where state = 'received';

alter table inbound_mail enable row level security;
create policy inbound_mail_tenant on inbound_mail to cir_app
  using (ente_id = app_current_ente()) with check (ente_id = app_current_ente());
create policy inbound_mail_cross_read on inbound_mail for select to cir_cross_reader using (true);
