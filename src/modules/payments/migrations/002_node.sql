-- payments / node: lookups of the SOAP interface the pagoPA node calls.
-- The node names the ente only by its fiscal code (idPA): one index lookup per request, across enti.
create index payment_config_fiscal_code on payment_config (fiscal_code);
-- Receipts of one option (the first one paid it; later ones with another receipt id are double payments).
create index payment_receipt_option on payment_receipt (ente_id, option_id);
