-- Where a service has public pages on each ente's portal (e.g. /{slug}/albo), the portal links to them.
alter table cst_service add column public_path text check (public_path ~ '^[a-z0-9-]+$');
update cst_service set public_path = 'albo' where code = 'noticeboard';
