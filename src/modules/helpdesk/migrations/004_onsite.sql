-- helpdesk/onsite: on-site interventions of the CST's technicians at the enti, against the hours each ente
-- contracted for the year. A visit is planned (technician, time slot, tickets it covers), then done (with a
-- report of the time actually spent) or cancelled. The ente's representative confirms or disputes the
-- report; only confirmed minutes consume the contracted hours of the year of the visit (Europe/Rome).

-- Contracted on-site minutes per ente and year (entered as hours by the desk). Changes are kept below.
create table onsite_contract (
  ente_id uuid not null references ente (id),
  year int not null check (year between 2000 and 2999),
  minutes int not null check (minutes between 0 and 600000),
  note text,
  updated_by text not null,
  updated_at timestamptz not null,
  primary key (ente_id, year)
);

create table onsite_contract_change (
  ente_id uuid not null references ente (id),
  id bigint generated always as identity,
  year int not null,
  before_minutes int,
  after_minutes int not null,
  note text,
  changed_by text not null,
  changed_at timestamptz not null,
  primary key (ente_id, id),
  foreign key (ente_id, year) references onsite_contract (ente_id, year)
);

create table onsite_visit (
  ente_id uuid not null references ente (id),
  id uuid not null default gen_random_uuid(),
  technician_id uuid not null references staff_user (id),
  starts_at timestamptz not null,
  ends_at timestamptz not null,
  state text not null default 'planned' check (state in ('planned', 'done', 'cancelled')),
  notes text,
  -- Set when planned beyond the hours left to the ente for the year: the visit is billed as extra.
  over_contract boolean not null default false,
  cancel_reason text,
  planned_by text not null,
  planned_at timestamptz not null,
  primary key (ente_id, id),
  check (ends_at > starts_at),
  check (ends_at - starts_at <= interval '24 hours'),
  check ((state = 'cancelled') = (cancel_reason is not null))
);
-- The technician's day (across enti, through the cross-ente read) and the ente's list.
create index onsite_visit_technician on onsite_visit (technician_id, starts_at) where state <> 'cancelled';
create index onsite_visit_ente on onsite_visit (ente_id, starts_at);

-- The tickets a visit covers (the ente's own: the foreign key carries ente_id), with the outcome on site.
create table onsite_visit_ticket (
  ente_id uuid not null,
  visit_id uuid not null,
  ticket_id uuid not null,
  outcome text,
  primary key (ente_id, visit_id, ticket_id),
  foreign key (ente_id, visit_id) references onsite_visit (ente_id, id),
  foreign key (ente_id, ticket_id) references ticket (ente_id, id)
);

-- Reschedules and cancellations: the visit's history, never edited.
create table onsite_visit_change (
  ente_id uuid not null,
  id bigint generated always as identity,
  visit_id uuid not null,
  kind text not null check (kind in ('reschedule', 'cancel')),
  from_starts_at timestamptz not null,
  from_ends_at timestamptz not null,
  to_starts_at timestamptz,
  to_ends_at timestamptz,
  reason text,
  changed_by text not null,
  changed_at timestamptz not null,
  primary key (ente_id, id),
  foreign key (ente_id, visit_id) references onsite_visit (ente_id, id),
  check ((kind = 'reschedule') = (to_starts_at is not null and to_ends_at is not null))
);

create table onsite_report (
  ente_id uuid not null,
  visit_id uuid not null,
  -- The year whose contracted hours the report consumes: the Rome calendar year of the visit's start.
  year int not null check (year between 2000 and 2999),
  actual_start timestamptz,
  actual_end timestamptz,
  minutes int not null check (minutes between 1 and 720),
  activities text not null check (length(trim(activities)) > 0),
  status text not null default 'awaiting' check (status in ('awaiting', 'confirmed', 'disputed')),
  recorded_by_id uuid,
  recorded_by text not null,
  recorded_at timestamptz not null,
  decided_by_id uuid,
  decided_by text,
  decided_at timestamptz,
  dispute_reason text,
  primary key (ente_id, visit_id),
  foreign key (ente_id, visit_id) references onsite_visit (ente_id, id),
  check ((actual_start is null) = (actual_end is null)),
  check (actual_end is null or actual_end > actual_start),
  check ((status = 'awaiting') = (decided_at is null)),
  check ((status = 'disputed') = (dispute_reason is not null))
);
create index onsite_report_year on onsite_report (ente_id, year, status);

-- A confirmed report is what the hours were billed on: it can no longer change.
create function onsite_report_guard() returns trigger language plpgsql as $$
begin
  if old.status = 'confirmed' then
    raise exception 'un rapporto d''intervento confermato non può essere modificato' using errcode = 'check_violation';
  end if;
  return case when tg_op = 'DELETE' then old else new end;
end $$;
create trigger onsite_report_guard before update or delete on onsite_report for each row execute function onsite_report_guard();

create function onsite_history_guard() returns trigger language plpgsql as $$
begin
  raise exception 'lo storico degli interventi non può essere modificato' using errcode = 'check_violation';
end $$;
create trigger onsite_visit_change_guard before update or delete on onsite_visit_change for each row execute function onsite_history_guard();
create trigger onsite_contract_change_guard before update or delete on onsite_contract_change for each row execute function onsite_history_guard();

do $$
declare
  t text;
begin
  foreach t in array array['onsite_contract', 'onsite_contract_change', 'onsite_visit', 'onsite_visit_ticket', 'onsite_visit_change', 'onsite_report'] loop
    execute format('alter table %I enable row level security', t);
    execute format('create policy %I on %I to cir_app using (ente_id = app_current_ente()) with check (ente_id = app_current_ente())', t || '_tenant', t);
    execute format('create policy %I on %I for select to cir_cross_reader using (true)', t || '_cross_read', t);
  end loop;
end $$;
