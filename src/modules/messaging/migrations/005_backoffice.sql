-- messaging back office: the message templates of each ente (allerta meteo, chiusura strada …). Placeholders
-- such as {{via}} are filled by the operator when composing (see backoffice/templates.ts).
create table msg_template (
  ente_id uuid not null references ente (id),
  id uuid not null default gen_random_uuid(),
  name text not null check (length(trim(name)) between 1 and 80),
  title text not null check (length(trim(title)) between 1 and 120),
  body text not null check (length(trim(body)) between 1 and 10000),
  sms_text text check (sms_text is null or length(sms_text) <= 2000),
  topics text[] not null default '{}',
  urgent boolean not null default false,
  -- CAP defaults for civil-protection templates (category, event, urgency, severity, certainty).
  cap jsonb,
  created_by text not null,
  created_at timestamptz not null default now(),
  primary key (ente_id, id),
  unique (ente_id, name)
);

alter table msg_template enable row level security;
create policy msg_template_tenant on msg_template to cir_app using (ente_id = app_current_ente()) with check (ente_id = app_current_ente());
create policy msg_template_cross_read on msg_template for select to cir_cross_reader using (true);
