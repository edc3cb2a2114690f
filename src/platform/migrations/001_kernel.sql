-- Kernel schema: enti and their dated network, staff identity, sessions, audit log, file store.
-- Tenant-owned tables lead their keys with ente_id (distribution key for Citus later) and carry RLS policies.

create extension if not exists btree_gist;
create extension if not exists unaccent;

-- Accent-insensitive search ('Aglie' finds 'Agliè'); immutable wrapper so it can be indexed.
create function unaccent_simple(text) returns text language sql immutable parallel safe strict as $$
  select public.unaccent('public.unaccent'::regdictionary, $1)
$$;

-- The ente of the current transaction, set by withEnte(); null when none is set.
create function app_current_ente() returns uuid language sql stable as $$
  select nullif(current_setting('app.ente', true), '')::uuid
$$;
-- Reads across enti (CST dashboards) run as the role cir_cross_reader (withCrossEnteRead: SET LOCAL ROLE in a
-- read-only transaction). Its policies are separate, per role: combining them with the tenant policy by OR
-- would stop the planner from using ente_id in indexes on every tenant query.

create table ente (
  id uuid primary key default gen_random_uuid(),
  kind text not null check (kind in ('provincia', 'comune', 'unione', 'comunita_montana')),
  name text not null check (length(trim(name)) > 0),
  slug text not null unique check (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
  istat_code text unique check (istat_code ~ '^[0-9]{3}([0-9]{3})?$'),
  fiscal_code text check (fiscal_code ~ '^[0-9]{11}$'),
  ipa_code text,
  is_cst boolean not null default false,
  seat_ente_id uuid references ente (id),
  valid_from date,
  valid_to date,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check (valid_to is null or valid_from is null or valid_to > valid_from)
);
create unique index ente_one_cst on ente (is_cst) where is_cst;
create index ente_kind_name on ente (kind, name);

-- Dated membership: a comune in a union or comunità montana, every ente in its provincia.
-- valid_to is exclusive; history is kept by closing a period, never by deleting it.
create table ente_membership (
  ente_id uuid not null references ente (id),
  id bigint generated always as identity,
  parent_id uuid not null references ente (id),
  valid_from date not null,
  valid_to date,
  source text,
  created_at timestamptz not null default now(),
  primary key (ente_id, id),
  check (ente_id <> parent_id),
  check (valid_to is null or valid_to > valid_from),
  exclude using gist (ente_id with =, parent_id with =, daterange(valid_from, valid_to) with &&)
);
create index ente_membership_parent on ente_membership (parent_id);

create table staff_user (
  id uuid primary key default gen_random_uuid(),
  email text not null unique check (email = lower(email) and email like '%@%'),
  display_name text not null,
  password_hash text not null,
  disabled boolean not null default false,
  created_at timestamptz not null default now()
);

-- Roles granted per ente. A cst_admin grant on the CST ente covers every ente.
create table role_grant (
  ente_id uuid not null references ente (id),
  user_id uuid not null references staff_user (id) on delete cascade,
  role text not null check (role in ('cst_admin', 'ente_admin', 'operator', 'reader')),
  module text not null default '',
  granted_at timestamptz not null default now(),
  primary key (ente_id, user_id, role, module),
  check ((role = 'operator') = (module <> ''))
);
create index role_grant_user on role_grant (user_id);

-- Server-side sessions; the cookie carries a random token, the table its SHA-256.
create table session (
  token_hash text primary key,
  kind text not null check (kind in ('staff', 'citizen')),
  user_id uuid references staff_user (id) on delete cascade,
  citizen jsonb,
  csrf_token text not null,
  created_at timestamptz not null default now(),
  last_seen_at timestamptz not null default now(),
  expires_at timestamptz not null,
  check ((kind = 'staff') = (user_id is not null))
);
create index session_expires on session (expires_at);

-- Failed logins, for lockout (per account) and throttling (per address).
create table login_failure (
  id bigint generated always as identity primary key,
  email text not null,
  ip text not null,
  at timestamptz not null default now()
);
create index login_failure_email on login_failure (email, at);
create index login_failure_ip on login_failure (ip, at);

-- Append-only audit log of every write. The app role may insert and read, never change.
create table audit_log (
  ente_id uuid not null references ente (id),
  id bigint generated always as identity,
  at timestamptz not null default clock_timestamp(),
  actor_id uuid,
  actor_label text not null,
  action text not null,
  entity text not null,
  entity_id text,
  before jsonb,
  after jsonb,
  ip text,
  primary key (ente_id, id)
);
create index audit_log_at on audit_log (ente_id, at desc);

-- Content-addressed files: bytes on disk under their SHA-256, one metadata row per ente that holds them.
create table stored_file (
  ente_id uuid not null references ente (id),
  sha256 text not null check (sha256 ~ '^[0-9a-f]{64}$'),
  size_bytes bigint not null check (size_bytes >= 0),
  media_type text not null,
  original_name text not null,
  created_at timestamptz not null default now(),
  created_by uuid,
  primary key (ente_id, sha256)
);

alter table audit_log enable row level security;
create policy audit_log_tenant on audit_log to cir_app
  using (ente_id = app_current_ente()) with check (ente_id = app_current_ente());
create policy audit_log_cross_read on audit_log for select to cir_cross_reader using (true);

alter table stored_file enable row level security;
create policy stored_file_tenant on stored_file to cir_app
  using (ente_id = app_current_ente()) with check (ente_id = app_current_ente());
create policy stored_file_cross_read on stored_file for select to cir_cross_reader using (true);

-- The audit log is append-only for the application.
revoke update, delete, truncate on audit_log from cir_app;

-- Platform-wide secrets (cookie signing) generated once, shared by every process.
create table platform_secret (
  name text primary key,
  value text not null,
  created_at timestamptz not null default now()
);
revoke all on platform_secret from cir_app;
