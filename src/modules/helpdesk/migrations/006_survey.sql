-- helpdesk: the satisfaction survey of a solved ticket. One answer per ticket (the primary key): a second
-- submission, even a concurrent one, finds the row and records nothing.
create table ticket_survey (
  ente_id uuid not null,
  ticket_id uuid not null,
  rating int not null check (rating between 1 and 5),
  comment text check (comment is null or length(comment) between 1 and 2000),
  -- 'link': the public page reached from the e-mail (token); 'backoffice': a signed-in requester of the ente.
  via text not null check (via in ('link', 'backoffice')),
  answered_by uuid references staff_user (id),
  answered_at timestamptz not null,
  primary key (ente_id, ticket_id),
  foreign key (ente_id, ticket_id) references ticket (ente_id, id)
);
create index ticket_survey_answered on ticket_survey (ente_id, answered_at);

alter table ticket_survey enable row level security;
create policy ticket_survey_tenant on ticket_survey to cir_app using (ente_id = app_current_ente()) with check (ente_id = app_current_ente());
create policy ticket_survey_cross_read on ticket_survey for select to cir_cross_reader using (true);
