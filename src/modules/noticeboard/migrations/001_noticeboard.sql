-- noticeboard: the albo pretorio online (L. 69/2009 art. 32). Publication has legal effect: published acts are
-- immutable (enforced here by triggers, not only by the application), the register of each ente and year is
-- gapless, and the period is fixed by the act type's rule.

-- Catalogue of act types, each with its publication length and the legal source of that length.
create table notice_act_type (
  code text primary key check (code ~ '^[a-z_]+$'),
  name text not null,
  days int not null check (days between 1 and 366),
  legal_source text not null,
  sort_order int not null default 0
);

insert into notice_act_type (code, name, days, legal_source, sort_order) values
  ('deliberazione_giunta', 'Deliberazione di Giunta', 15, 'D.Lgs. 267/2000 (TUEL) art. 124 c. 1', 10),
  ('deliberazione_consiglio', 'Deliberazione di Consiglio', 15, 'D.Lgs. 267/2000 (TUEL) art. 124 c. 1', 20),
  ('determinazione', 'Determinazione', 15, 'D.Lgs. 267/2000 art. 124 c. 1 e regolamento dell''ente', 30),
  ('ordinanza', 'Ordinanza', 15, 'D.Lgs. 267/2000 artt. 50 e 54; L. 69/2009 art. 32', 40),
  ('decreto', 'Decreto', 15, 'L. 69/2009 art. 32', 50),
  ('avviso', 'Avviso', 15, 'L. 69/2009 art. 32', 60),
  ('bando_concorso', 'Bando di concorso', 30, 'D.P.R. 487/1994 art. 4 (pubblicazione per 30 giorni)', 70),
  ('bando_gara', 'Bando di gara', 15, 'D.Lgs. 36/2023 e L. 69/2009 art. 32', 80),
  ('pubblicazione_matrimonio', 'Pubblicazione di matrimonio', 8, 'D.P.R. 396/2000 art. 55 (almeno otto giorni)', 90),
  ('avviso_deposito', 'Avviso di deposito atti', 8, 'D.P.R. 600/1973 art. 60 c. 1 lett. e) (affissione per otto giorni)', 100),
  ('permesso_costruire', 'Permesso di costruire rilasciato', 15, 'D.P.R. 380/2001 art. 20 c. 6', 110),
  ('piano_urbanistico', 'Deposito di piano o variante urbanistica', 30, 'L.R. Piemonte 56/1977 art. 15 (30 giorni)', 120),
  ('atti_altri_enti', 'Atti di altri enti', 15, 'L. 69/2009 art. 32 (durata indicata dall''ente richiedente, almeno 15 giorni)', 130);

create table notice (
  ente_id uuid not null references ente (id),
  id uuid not null default gen_random_uuid(),
  status text not null default 'draft' check (status in ('draft', 'published')),
  act_type text not null references notice_act_type (code),
  subject text not null check (length(trim(subject)) between 3 and 4000),
  office text not null check (length(trim(office)) > 0),
  act_number text,
  act_date date,
  -- publishing on behalf of another body: an ente of the network, or an outside body by name
  requester_ente_id uuid references ente (id),
  requester_name text,
  request_id bigint,
  -- a correction (rettifica) is a new publication pointing at the original
  corrects_id uuid,
  days int not null check (days between 1 and 366),
  requested_start date,
  publish_from date,
  publish_to date,
  extension_days int not null default 0 check (extension_days >= 0),
  effective_to date generated always as (publish_to + extension_days) stored,
  register_year int,
  register_number int,
  privacy_findings jsonb not null default '[]',
  privacy_confirmed_by text,
  created_at timestamptz not null default now(),
  created_by uuid,
  published_at timestamptz,
  published_by uuid,
  annulled_on date,
  annulled_at timestamptz,
  annul_reason text,
  annulled_by uuid,
  search tsvector generated always as (
    to_tsvector('italian', coalesce(subject, '') || ' ' || coalesce(office, '') || ' ' || coalesce(act_number, ''))
  ) stored,
  primary key (ente_id, id),
  unique (ente_id, register_year, register_number),
  foreign key (ente_id, corrects_id) references notice (ente_id, id),
  check ((status = 'published') = (register_number is not null)),
  check (status = 'draft' or (publish_from is not null and publish_to >= publish_from and register_year is not null)),
  check (annulled_on is null or status = 'published'),
  check ((annulled_on is null) = (annul_reason is null))
);
create index notice_public on notice (ente_id, effective_to, publish_from) where status = 'published';
create index notice_register_order on notice (ente_id, register_year desc, register_number desc) where status = 'published';
create index notice_search on notice using gin (search);
create index notice_corrects on notice (ente_id, corrects_id) where corrects_id is not null;

-- Published acts are immutable: only the annulment (once) and the extension for service interruptions
-- (only upwards) may change. Drafts can be edited and deleted.
create function notice_guard() returns trigger language plpgsql as $$
declare
  mutable text[] := array['annulled_on', 'annulled_at', 'annul_reason', 'annulled_by', 'extension_days', 'effective_to', 'search'];
begin
  if tg_op = 'DELETE' then
    if old.status = 'published' then
      raise exception 'un atto pubblicato non può essere eliminato' using errcode = 'check_violation';
    end if;
    return old;
  end if;
  if old.status = 'published' then
    if (to_jsonb(new) - mutable) is distinct from (to_jsonb(old) - mutable) then
      raise exception 'un atto pubblicato non può essere modificato' using errcode = 'check_violation';
    end if;
    if old.annulled_on is not null and (new.annulled_on, new.annul_reason) is distinct from (old.annulled_on, old.annul_reason) then
      raise exception 'l''annullamento di un atto non può essere modificato' using errcode = 'check_violation';
    end if;
    if new.extension_days < old.extension_days then
      raise exception 'la proroga di un atto non può essere ridotta' using errcode = 'check_violation';
    end if;
  end if;
  return new;
end $$;
create trigger notice_guard before update or delete on notice for each row execute function notice_guard();

create table notice_document (
  ente_id uuid not null,
  notice_id uuid not null,
  position int not null check (position >= 0),
  role text not null check (role in ('main', 'attachment')),
  title text not null,
  sha256 text not null,
  original_name text not null,
  media_type text not null,
  size_bytes bigint not null,
  primary key (ente_id, notice_id, position),
  foreign key (ente_id, notice_id) references notice (ente_id, id) on delete cascade,
  foreign key (ente_id, sha256) references stored_file (ente_id, sha256)
);
create unique index notice_document_one_main on notice_document (ente_id, notice_id) where role = 'main';

-- Documents of a published act are as immutable as the act.
create function notice_document_guard() returns trigger language plpgsql as $$
declare
  parent_status text;
begin
  select status into parent_status from notice
   where ente_id = coalesce(new.ente_id, old.ente_id) and id = coalesce(new.notice_id, old.notice_id);
  if parent_status = 'published' then
    raise exception 'i documenti di un atto pubblicato non possono essere modificati' using errcode = 'check_violation';
  end if;
  return coalesce(new, old);
end $$;
create trigger notice_document_guard before insert or update or delete on notice_document
  for each row execute function notice_document_guard();

-- Gapless register: one counter per ente and year, incremented in the publishing transaction (a failed
-- publication rolls its number back with it).
create table notice_register (
  ente_id uuid not null references ente (id),
  year int not null check (year between 2000 and 2999),
  last_number int not null check (last_number > 0),
  primary key (ente_id, year)
);

-- The counter only moves forward by one: a number is never reused or skipped.
create function notice_register_guard() returns trigger language plpgsql as $$
begin
  if tg_op = 'DELETE' or new.last_number <> old.last_number + 1 or new.year <> old.year or new.ente_id <> old.ente_id then
    raise exception 'il registro delle pubblicazioni avanza solo di un numero alla volta' using errcode = 'check_violation';
  end if;
  return new;
end $$;
create trigger notice_register_guard before update or delete on notice_register for each row execute function notice_register_guard();

-- Periods when the albo was unreachable; active publications are extended by the days lost.
create table notice_interruption (
  ente_id uuid not null references ente (id),
  id bigint generated always as identity,
  starts_at timestamptz not null,
  ends_at timestamptz not null,
  reason text not null check (length(trim(reason)) >= 3),
  declared_at timestamptz not null default now(),
  declared_by uuid,
  primary key (ente_id, id),
  check (ends_at > starts_at)
);

create table notice_extension (
  ente_id uuid not null,
  notice_id uuid not null,
  interruption_id bigint not null,
  days int not null check (days > 0),
  primary key (ente_id, notice_id, interruption_id),
  foreign key (ente_id, notice_id) references notice (ente_id, id),
  foreign key (ente_id, interruption_id) references notice_interruption (ente_id, id)
);

-- A request from another body (a union, a comunità montana, another comune) to publish on this ente's albo.
-- Owned by the ente whose albo it targets; the requester reaches it through the service's explicit path.
create table notice_request (
  ente_id uuid not null references ente (id),
  id bigint generated always as identity,
  requester_ente_id uuid not null references ente (id),
  status text not null default 'pending' check (status in ('pending', 'published', 'rejected')),
  act_type text not null references notice_act_type (code),
  subject text not null,
  office text not null,
  act_number text,
  act_date date,
  days int not null check (days between 1 and 366),
  requested_start date,
  documents jsonb not null,
  notice_id uuid,
  rejection_reason text,
  created_at timestamptz not null default now(),
  created_by uuid,
  decided_at timestamptz,
  primary key (ente_id, id),
  check (requester_ente_id <> ente_id)
);
create index notice_request_requester on notice_request (requester_ente_id, created_at desc);

alter table notice add foreign key (ente_id, request_id) references notice_request (ente_id, id);

do $$
declare
  t text;
begin
  foreach t in array array['notice', 'notice_document', 'notice_register', 'notice_interruption', 'notice_extension', 'notice_request'] loop
    execute format('alter table %I enable row level security', t);
    execute format('create policy %I on %I to cir_app using (ente_id = app_current_ente()) with check (ente_id = app_current_ente())', t || '_tenant', t);
    execute format('create policy %I on %I for select to cir_cross_reader using (true)', t || '_cross_read', t);
  end loop;
end $$;
