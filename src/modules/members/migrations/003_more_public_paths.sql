-- The portal of each ente links to the public pages of payments and messaging, as it does to the albo
-- (/{slug}/pagamenti, /{slug}/avvisi; the back-office link goes to /backoffice/enti/{slug}/<path>).
update cst_service set public_path = 'pagamenti' where code = 'payments';
update cst_service set public_path = 'avvisi' where code = 'messaging';
