-- helpdesk: stored SLA due times (the queue and the escalation job read them through an index instead of
-- recomputing every open ticket), requester, observers, attachments and merges.

alter table ticket
  add column requester_id uuid references staff_user (id),
  -- The deadline that runs now (first response until there is one, then resolution). Null while the clock is
  -- paused (waiting for the ente) and once solved; recomputed by every write of the ticket.
  add column due_at timestamptz,
  -- When the running deadline enters its warning band (escalation).
  add column warn_at timestamptz,
  -- Set when the escalation of the current deadline was raised; cleared when the deadline changes.
  add column escalated_at timestamptz,
  -- Outcome of each target, set when it is met (true: in time, false: late).
  add column first_response_met boolean,
  add column resolution_met boolean,
  add column merged_into uuid,
  add foreign key (ente_id, merged_into) references ticket (ente_id, id),
  add check (merged_into is null or merged_into <> id),
  add check (due_at is null or warn_at is not null);

create index ticket_queue on ticket (due_at, opened_at) where state not in ('solved', 'closed');
create index ticket_to_escalate on ticket (warn_at) where escalated_at is null and warn_at is not null;
create index ticket_month on ticket (ente_id, opened_at);

alter table ticket_event drop constraint ticket_event_kind_check;
alter table ticket_event add constraint ticket_event_kind_check
  check (kind in ('public_reply', 'internal_note', 'state_change', 'assignment', 'merge', 'escalation', 'observer', 'attachment'));

-- People kept informed of public changes besides the caller (colleagues at the ente, the mayor's office …).
create table ticket_observer (
  ente_id uuid not null,
  ticket_id uuid not null,
  email text not null check (email = lower(email) and email ~ '^[^\s@]+@[^\s@]+\.[^\s@]+$'),
  name text,
  added_at timestamptz not null,
  primary key (ente_id, ticket_id, email),
  foreign key (ente_id, ticket_id) references ticket (ente_id, id)
);

-- Files attached to a ticket (from the web or from an e-mail); the bytes are in the ente's file store.
-- Internal attachments (public = false) are shown to the desk only, like internal notes.
create table ticket_attachment (
  ente_id uuid not null,
  id uuid not null default gen_random_uuid(),
  ticket_id uuid not null,
  event_id bigint,
  sha256 text not null,
  file_name text not null check (length(file_name) between 1 and 255),
  media_type text not null,
  size_bytes bigint not null check (size_bytes >= 0),
  public boolean not null default true,
  added_by text not null,
  added_at timestamptz not null,
  primary key (ente_id, id),
  foreign key (ente_id, ticket_id) references ticket (ente_id, id),
  foreign key (ente_id, event_id) references ticket_event (ente_id, id),
  foreign key (ente_id, sha256) references stored_file (ente_id, sha256)
);
create index ticket_attachment_ticket on ticket_attachment (ente_id, ticket_id, added_at);

do $$
declare
  t text;
begin
  foreach t in array array['ticket_observer', 'ticket_attachment'] loop
    execute format('alter table %I enable row level security', t);
    execute format('create policy %I on %I to cir_app using (ente_id = app_current_ente()) with check (ente_id = app_current_ente())', t || '_tenant', t);
    execute format('create policy %I on %I for select to cir_cross_reader using (true)', t || '_cross_read', t);
  end loop;
end $$;
