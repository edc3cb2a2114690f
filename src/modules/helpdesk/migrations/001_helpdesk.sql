-- helpdesk: the tickets of the CST help desk. Categories and their SLA targets are a global catalogue; each
-- ticket copies the targets of its category and priority when it is opened (a later change of the catalogue
-- does not move the due times of tickets already open). Pauses of the SLA clock are derived from the
-- state_change events (the periods spent in waiting_ente).

create table ticket_category (
  code text primary key check (code ~ '^[a-z_]+$'),
  name text not null check (length(trim(name)) > 0),
  parent_code text references ticket_category (code),
  sort_order int not null default 0,
  check (parent_code is null or parent_code <> code)
);

create table ticket_sla_target (
  category_code text not null references ticket_category (code),
  priority text not null check (priority in ('P1', 'P2', 'P3', 'P4')),
  first_response_minutes int not null check (first_response_minutes > 0),
  resolution_minutes int not null check (resolution_minutes >= first_response_minutes),
  primary key (category_code, priority)
);

insert into ticket_category (code, name, parent_code, sort_order) values
  ('hardware', 'Hardware', null, 10),
  ('hardware_postazioni', 'Postazioni di lavoro', 'hardware', 11),
  ('hardware_stampanti', 'Stampanti e scanner', 'hardware', 12),
  ('software', 'Software gestionali', null, 20),
  ('software_demografici', 'Servizi demografici (anagrafe, stato civile, elettorale)', 'software', 21),
  ('software_contabilita', 'Contabilità e bilancio', 'software', 22),
  ('software_protocollo', 'Protocollo informatico e atti', 'software', 23),
  ('software_tributi', 'Tributi', 'software', 24),
  ('rete', 'Rete e connettività', null, 30),
  ('rete_internet', 'Accesso a internet', 'rete', 31),
  ('rete_wifi', 'Wi-Fi', 'rete', 32),
  ('posta', 'Posta e PEC', null, 40),
  ('posta_pec', 'Posta elettronica certificata', 'posta', 41),
  ('albo', 'Albo pretorio', null, 50),
  ('pagopa', 'pagoPA', null, 60),
  ('account', 'Account e accessi', null, 70),
  ('altro', 'Altro', null, 90);

-- Defaults (working minutes on the CST calendar: a working day is 8 hours = 480 minutes).
insert into ticket_sla_target (category_code, priority, first_response_minutes, resolution_minutes)
select c.code, t.priority, t.first_response, t.resolution
  from ticket_category c
 cross join (values ('P1', 30, 240), ('P2', 60, 480), ('P3', 240, 1440), ('P4', 480, 2400)) as t (priority, first_response, resolution);

-- Services with legal deadlines or payments behind them are answered faster.
update ticket_sla_target set first_response_minutes = 15, resolution_minutes = 120
 where category_code in ('albo', 'pagopa', 'posta_pec') and priority = 'P1';
update ticket_sla_target set first_response_minutes = 30, resolution_minutes = 240
 where category_code in ('albo', 'pagopa', 'posta_pec') and priority = 'P2';

-- One gapless counter per ente and year, incremented in the transaction that opens the ticket.
create table ticket_counter (
  ente_id uuid not null references ente (id),
  year int not null check (year between 2000 and 2999),
  last_number int not null check (last_number > 0),
  primary key (ente_id, year)
);

create table ticket (
  ente_id uuid not null references ente (id),
  id uuid not null default gen_random_uuid(),
  year int not null,
  number int not null check (number > 0),
  channel text not null check (channel in ('phone', 'web', 'email')),
  caller_name text not null check (length(trim(caller_name)) > 0),
  caller_phone text,
  caller_email text,
  category_code text not null references ticket_category (code),
  urgency int not null check (urgency between 1 and 3),
  impact int not null check (impact between 1 and 3),
  priority text not null check (priority in ('P1', 'P2', 'P3', 'P4')),
  subject text not null check (length(trim(subject)) between 3 and 300),
  description text not null,
  state text not null default 'new' check (state in ('new', 'assigned', 'in_progress', 'waiting_ente', 'solved', 'closed', 'reopened')),
  assignee_id uuid references staff_user (id),
  first_response_minutes int not null check (first_response_minutes > 0),
  resolution_minutes int not null check (resolution_minutes > 0),
  opened_at timestamptz not null,
  first_response_at timestamptz,
  solved_at timestamptz,
  closed_at timestamptz,
  created_by uuid,
  primary key (ente_id, id),
  unique (ente_id, year, number),
  check (caller_phone is not null or caller_email is not null or channel = 'web'),
  check ((state in ('solved', 'closed')) = (solved_at is not null)),
  check ((state = 'closed') = (closed_at is not null))
);
create index ticket_state on ticket (ente_id, state, opened_at desc);
create index ticket_open on ticket (state) where state not in ('solved', 'closed');

create table ticket_event (
  ente_id uuid not null,
  ticket_id uuid not null,
  id bigint generated always as identity,
  kind text not null check (kind in ('public_reply', 'internal_note', 'state_change', 'assignment')),
  body text,
  from_state text,
  to_state text,
  assignee_id uuid references staff_user (id),
  author_id uuid,
  author_label text not null,
  at timestamptz not null,
  primary key (ente_id, id),
  foreign key (ente_id, ticket_id) references ticket (ente_id, id),
  check (kind not in ('public_reply', 'internal_note') or length(trim(body)) > 0),
  check ((kind = 'state_change') = (to_state is not null))
);
create index ticket_event_ticket on ticket_event (ente_id, ticket_id, at, id);

-- Events are the history of the ticket: never edited nor deleted.
create function ticket_event_guard() returns trigger language plpgsql as $$
begin
  raise exception 'la cronologia di un ticket non può essere modificata' using errcode = 'check_violation';
end $$;
create trigger ticket_event_guard before update or delete on ticket_event for each row execute function ticket_event_guard();

do $$
declare
  t text;
begin
  foreach t in array array['ticket_counter', 'ticket', 'ticket_event'] loop
    execute format('alter table %I enable row level security', t);
    execute format('create policy %I on %I to cir_app using (ente_id = app_current_ente()) with check (ente_id = app_current_ente())', t || '_tenant', t);
    execute format('create policy %I on %I for select to cir_cross_reader using (true)', t || '_cross_read', t);
  end loop;
end $$;
