-- members: the CST protocol and who adheres to it, the catalogue of the CST's services and which ente
-- has activated which, with history (periods are closed, never deleted).

create table cst_service (
  code text primary key check (code ~ '^[a-z_]+$'),
  name text not null,
  description text not null,
  sort_order int not null default 0
);

create table protocol (
  id uuid primary key default gen_random_uuid(),
  title text not null,
  signed_on date not null,
  -- enti invited but not signing on the day may still adhere within this many days (inclusive)
  late_adhesion_days int not null default 15 check (late_adhesion_days >= 0),
  created_at timestamptz not null default now()
);

-- Adhesion events of one ente; its status is the latest decisive event (see adhesion.ts). This is the CST's
-- public register of the network (like ente_membership), written only by the CST, so it has no tenant policy:
-- an ente's status depends on its union's events.
create table adhesion_event (
  ente_id uuid not null references ente (id),
  id bigint generated always as identity,
  protocol_id uuid not null references protocol (id),
  event text not null check (event in ('signed', 'late_adhesion', 'subsequent_adhesion', 'withdrawal', 'exclusion', 'invited')),
  effective_on date not null,
  -- the union/comunità montana through which the event happened (an exclusion from its union's signature)
  via_ente_id uuid references ente (id),
  -- the act that grounds the event (e.g. 'Delibera C.C. n. 12 del 03/03/2011')
  basis text,
  note text,
  recorded_at timestamptz not null default now(),
  recorded_by text not null,
  primary key (ente_id, id)
);
create index adhesion_event_protocol on adhesion_event (protocol_id, ente_id);

create table ente_service (
  ente_id uuid not null references ente (id),
  id bigint generated always as identity,
  service_code text not null references cst_service (code),
  active_from date not null,
  active_to date,
  primary key (ente_id, id),
  check (active_to is null or active_to > active_from),
  exclude using gist (ente_id with =, service_code with =, daterange(active_from, active_to) with &&)
);

alter table ente_service enable row level security;
create policy ente_service_tenant on ente_service to cir_app
  using (ente_id = app_current_ente()) with check (ente_id = app_current_ente());
create policy ente_service_cross_read on ente_service for select to cir_cross_reader using (true);

insert into cst_service (code, name, description, sort_order) values
  ('helpdesk', 'Assistenza e tecnico on-site', 'Help desk telefonico e interventi del tecnico presso l''ente', 10),
  ('training', 'Formazione ed e-learning', 'Corsi in aula e a distanza per il personale', 20),
  ('procurement', 'Consulenza e acquisti ICT', 'Consulenza e acquisti congiunti di beni e servizi ICT', 30),
  ('messaging', 'Messaggi alla popolazione', 'SMS, e-mail e App IO ai cittadini iscritti', 40),
  ('tourism', 'Banca dati turistica', 'Banca dati unificata delle strutture e degli eventi, pubblicata sui siti dei comuni', 50),
  ('library', 'Biblioteche', 'Gestione del catalogo, dei prestiti e delle prenotazioni', 60),
  ('noticeboard', 'Albo pretorio online', 'Pubblicazione degli atti con valore legale', 70),
  ('payments', 'Pagamenti pagoPA', 'Un solo sistema di pagamento per tributi, tasse e canoni', 80),
  ('building', 'Modulistica edilizia unificata', 'Pratiche edilizie con i moduli unificati nazionali', 90),
  ('committee', 'Comitato tecnico', 'Comitato Tecnico di Attuazione, un rappresentante per ente', 100),
  ('spending', 'Analisi dei costi ICT', 'Analisi della spesa ICT e dei risparmi che finanziano il centro', 110);
