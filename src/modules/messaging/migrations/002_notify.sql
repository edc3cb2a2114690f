-- messaging: what an e-mail of a module's notification carries beyond the dispatch's title and body — the
-- caller's header fields (help desk threading: Message-ID, In-Reply-To, References, Reply-To …), an HTML part
-- and a sender. One row per dispatch that has them; broadcasts have none.
create table msg_dispatch_email (
  ente_id uuid not null references ente (id),
  dispatch_id uuid not null,
  headers jsonb not null default '{}',
  html text,
  from_address text,
  primary key (ente_id, dispatch_id),
  foreign key (ente_id, dispatch_id) references msg_dispatch (ente_id, id)
);

alter table msg_dispatch_email enable row level security;
create policy msg_dispatch_email_tenant on msg_dispatch_email to cir_app using (ente_id = app_current_ente()) with check (ente_id = app_current_ente());
create policy msg_dispatch_email_cross_read on msg_dispatch_email for select to cir_cross_reader using (true);
