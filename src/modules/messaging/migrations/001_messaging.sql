-- messaging: one service for every member ente to reach its population — subscriptions with consent per topic,
-- broadcasts over SMS (SMPP), e-mail and App IO, and single notifications for the other modules.
--
-- Tenancy: a subscriber belongs to the ente (comune) they subscribed to; a citizen who follows three comuni is
-- three subscribers. A message belongs to the ente that writes it (a comune, a union, the CST); it reaches each
-- targeted ente through a dispatch that lives in that ente, with the deliveries to that ente's subscribers. So no
-- personal data of a comune's subscribers ever sits in the union's or the CST's rows: they see counts, read
-- through the audited cross-ente read.

-- What the ente sends as, and what it pays.
create table msg_settings (
  ente_id uuid not null references ente (id),
  -- Alphanumeric sender shown on the phone (GSM: at most 11 characters, letters/digits/space).
  sms_sender text not null check (sms_sender ~ '^[A-Za-z0-9 .-]{1,11}$'),
  sms_cents_per_part integer not null default 5 check (sms_cents_per_part >= 0),
  -- Quiet hours (Europe/Rome wall clock): non-urgent messages wait until quiet_end.
  quiet_start time not null default '21:00',
  quiet_end time not null default '08:00',
  -- Replace characters outside GSM-7 (à → a') instead of switching the whole SMS to UCS-2 (70 chars per part).
  sms_transliterate boolean not null default false,
  updated_at timestamptz not null default now(),
  primary key (ente_id)
);

-- App IO: the ente's services on IO, each with its own API key (Ocp-Apim-Subscription-Key).
create table msg_appio_service (
  ente_id uuid not null references ente (id),
  -- Topic the service sends for; '*' = the ente's default service.
  topic_code text not null,
  service_id text not null check (length(service_id) between 1 and 64),
  api_key text not null check (length(api_key) between 1 and 200),
  primary key (ente_id, topic_code)
);

create table msg_topic (
  ente_id uuid not null references ente (id),
  code text not null check (code ~ '^[a-z0-9_-]{2,40}$'),
  label text not null check (length(trim(label)) between 1 and 80),
  description text,
  -- Protezione civile: messages on it are urgent and ignore quiet hours.
  urgent boolean not null default false,
  position integer not null default 0,
  active boolean not null default true,
  primary key (ente_id, code)
);

create table msg_subscriber (
  ente_id uuid not null references ente (id),
  id uuid not null default gen_random_uuid(),
  -- E.164 (+393331234567); verified by a one-time code, or by the consent basis of an import.
  phone text check (phone ~ '^\+[1-9][0-9]{6,14}$'),
  phone_verified_at timestamptz,
  -- STOP by SMS, or unsubscribed the number: nothing more goes to it.
  phone_opted_out_at timestamptz,
  email text check (email = lower(email) and email ~ '^[^\s@]+@[^\s@]+$'),
  email_verified_at timestamptz,
  email_opted_out_at timestamptz,
  -- Known when the citizen subscribed with SPID/CIE: App IO is tried first for them.
  fiscal_code text check (fiscal_code ~ '^[A-Z0-9]{16}$'),
  source text not null check (source in ('web', 'import', 'operator')),
  -- For imports: the legal basis the operator declared (e.g. "modulo cartaceo firmato, protocollo 123/2024").
  consent_basis text,
  -- Secret of the unsubscribe links (e-mail List-Unsubscribe, page).
  unsubscribe_token text not null default replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''),
  created_at timestamptz not null default now(),
  primary key (ente_id, id),
  unique (ente_id, unsubscribe_token),
  check (phone is not null or email is not null),
  check (source <> 'import' or length(trim(consent_basis)) > 0)
);
create unique index msg_subscriber_phone on msg_subscriber (ente_id, phone) where phone is not null;
create unique index msg_subscriber_email on msg_subscriber (ente_id, email) where email is not null;
create index msg_subscriber_fiscal_code on msg_subscriber (ente_id, fiscal_code) where fiscal_code is not null;

-- Consent per topic: current state. Its history is msg_consent_event.
create table msg_subscription (
  ente_id uuid not null references ente (id),
  subscriber_id uuid not null,
  topic_code text not null,
  consented_at timestamptz not null,
  revoked_at timestamptz,
  primary key (ente_id, subscriber_id, topic_code),
  foreign key (ente_id, subscriber_id) references msg_subscriber (ente_id, id),
  foreign key (ente_id, topic_code) references msg_topic (ente_id, code)
);
create index msg_subscription_topic on msg_subscription (ente_id, topic_code, subscriber_id) where revoked_at is null;

-- Every grant and revocation, with the exact text the citizen was shown and how it happened. Never updated.
create table msg_consent_event (
  ente_id uuid not null references ente (id),
  id bigint generated always as identity,
  subscriber_id uuid not null,
  -- null: the whole channel (e.g. STOP by SMS, the e-mail unsubscribe link).
  topic_code text,
  action text not null check (action in ('grant', 'revoke')),
  channel text check (channel in ('sms', 'email', 'appio')),
  via text not null check (via in ('page', 'email_link', 'sms_stop', 'import', 'operator', 'api')),
  consent_text text,
  ip text,
  at timestamptz not null default now(),
  primary key (ente_id, id),
  foreign key (ente_id, subscriber_id) references msg_subscriber (ente_id, id)
);
create index msg_consent_event_subscriber on msg_consent_event (ente_id, subscriber_id, at);

-- One-time codes that confirm a phone number or an e-mail address (hash only; a few tries; short life).
create table msg_otp (
  ente_id uuid not null references ente (id),
  id uuid not null default gen_random_uuid(),
  channel text not null check (channel in ('sms', 'email')),
  address text not null,
  code_hash text not null,
  -- What the citizen asked for (enti, topics, consent text), applied when the code is confirmed.
  request jsonb not null,
  attempts integer not null default 0,
  expires_at timestamptz not null,
  confirmed_at timestamptz,
  created_at timestamptz not null default now(),
  primary key (ente_id, id)
);
create index msg_otp_address on msg_otp (ente_id, channel, address, created_at);

-- A message written by an ente's operator (or by the platform for a module's notification).
create table msg_message (
  ente_id uuid not null references ente (id),
  id uuid not null default gen_random_uuid(),
  kind text not null default 'broadcast' check (kind in ('broadcast', 'notification')),
  title text not null check (length(trim(title)) between 1 and 120),
  body text not null check (length(trim(body)) between 1 and 10000),
  -- The SMS text when it differs from the body (SMS are short); null: the body.
  sms_text text,
  topics text[] not null default '{}',
  -- Enti whose subscribers it reaches (the ente itself, or a union's / the CST's chosen members).
  target_ente_ids uuid[] not null,
  channels text[] not null default '{sms,email,appio}' check (channels <@ array['sms', 'email', 'appio']::text[] and cardinality(channels) > 0),
  urgent boolean not null default false,
  -- CAP 1.2 fields for civil-protection alerts (export), null for others.
  cap jsonb,
  state text not null default 'draft' check (state in ('draft', 'queued', 'sending', 'sent', 'cancelled')),
  -- Not sent before (quiet hours, or scheduled by the operator).
  send_after timestamptz,
  created_by text not null,
  created_at timestamptz not null default now(),
  queued_at timestamptz,
  -- Module notifications: who asked (helpdesk, payments …) and their idempotency key.
  origin_module text,
  origin_key text,
  primary key (ente_id, id),
  unique (ente_id, origin_module, origin_key)
);
create index msg_message_created on msg_message (ente_id, created_at desc);

-- The part of a message that goes to one targeted ente's subscribers; lives in that ente.
create table msg_dispatch (
  ente_id uuid not null references ente (id),
  id uuid not null default gen_random_uuid(),
  message_ente_id uuid not null references ente (id),
  message_id uuid not null,
  -- A copy of what is sent, so the workers never read another ente's rows.
  title text not null,
  body text not null,
  sms_text text not null,
  topics text[] not null,
  channels text[] not null,
  urgent boolean not null,
  sender_name text not null,
  state text not null default 'planning' check (state in ('planning', 'sending', 'done', 'cancelled')),
  send_after timestamptz,
  -- Fan-out progress: subscribers are planned in id order; the cursor commits with each batch of deliveries.
  plan_cursor uuid,
  planned integer not null default 0,
  created_at timestamptz not null default now(),
  finished_at timestamptz,
  primary key (ente_id, id),
  unique (ente_id, message_ente_id, message_id)
);
create index msg_dispatch_message on msg_dispatch (message_ente_id, message_id);

-- One recipient × channel of a dispatch. The unique key is the idempotency of the whole fan-out: planning the
-- same batch again adds nothing, and a delivery moves through its states exactly once.
create table msg_delivery (
  ente_id uuid not null references ente (id),
  id uuid not null default gen_random_uuid(),
  dispatch_id uuid not null,
  -- Subscriber id + ':' + 'mobile' (SMS or App IO) or 'email'; for notifications, the address key.
  recipient_key text not null,
  subscriber_id uuid,
  -- Channel now in use: an App IO delivery that finds no IO profile falls back to 'sms'.
  channel text not null check (channel in ('sms', 'email', 'appio')),
  address text not null,
  fiscal_code text,
  state text not null default 'queued' check (state in ('queued', 'sending', 'sent', 'delivered', 'failed', 'skipped', 'uncertain')),
  attempts integer not null default 0,
  next_attempt_at timestamptz not null default now(),
  -- Claimed by a worker until then; a worker that died leaves it to expire.
  lease_until timestamptz,
  -- SMSC message id(s), IO message id, outbox mail id.
  provider_ref text,
  sms_parts integer,
  error text,
  fallback_from text,
  created_at timestamptz not null default now(),
  sent_at timestamptz,
  delivered_at timestamptz,
  primary key (ente_id, id),
  unique (ente_id, dispatch_id, recipient_key),
  foreign key (ente_id, dispatch_id) references msg_dispatch (ente_id, id),
  foreign key (ente_id, subscriber_id) references msg_subscriber (ente_id, id)
);
create index msg_delivery_todo on msg_delivery (channel, next_attempt_at) where state = 'queued';
create index msg_delivery_sending on msg_delivery (channel, lease_until) where state = 'sending';
create index msg_delivery_dispatch_state on msg_delivery (ente_id, dispatch_id, channel, state);

-- The parts of an SMS as the SMSC numbered them: delivery receipts (deliver_sm) are matched here.
create table msg_sms_part (
  ente_id uuid not null references ente (id),
  delivery_id uuid not null,
  seq integer not null check (seq >= 1),
  smsc_message_id text not null,
  state text not null default 'accepted' check (state in ('accepted', 'delivered', 'failed', 'expired', 'unknown')),
  receipt_status text,
  receipt_at timestamptz,
  primary key (ente_id, delivery_id, seq),
  foreign key (ente_id, delivery_id) references msg_delivery (ente_id, id)
);
create unique index msg_sms_part_smsc on msg_sms_part (smsc_message_id);

-- The consent history is append-only for the application.
revoke update, delete on msg_consent_event from cir_app;

do $$
declare
  t text;
begin
  foreach t in array array['msg_settings', 'msg_appio_service', 'msg_topic', 'msg_subscriber', 'msg_subscription', 'msg_consent_event', 'msg_otp', 'msg_message', 'msg_dispatch', 'msg_delivery', 'msg_sms_part'] loop
    execute format('alter table %I enable row level security', t);
    execute format('create policy %I on %I to cir_app using (ente_id = app_current_ente()) with check (ente_id = app_current_ente())', t || '_tenant', t);
    execute format('create policy %I on %I for select to cir_cross_reader using (true)', t || '_cross_read', t);
  end loop;
end $$;
