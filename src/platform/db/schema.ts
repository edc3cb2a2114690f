// Row types of the kernel tables, for Kysely. Modules add their own tables to `DB` by declaration merging
// in their store.ts (`declare module '../../platform/db/schema.js' { interface DB { … } }`).
import type { ColumnType, Generated } from 'kysely';

/** Timestamps: read as Date; optional on insert (database defaults); writable as Date or ISO string. */
export type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
/** A calendar date as 'YYYY-MM-DD' (never a JS Date: legal dates must not shift with time zones). */
export type DateString = string;
export type Json = ColumnType<unknown, string | undefined | null, string | null>;

export type EnteKind = 'provincia' | 'comune' | 'unione' | 'comunita_montana';
export type Role = 'cst_admin' | 'ente_admin' | 'operator' | 'reader';

export interface EnteTable {
  id: Generated<string>;
  kind: EnteKind;
  name: string;
  slug: string;
  istat_code: string | null;
  fiscal_code: string | null;
  ipa_code: string | null;
  is_cst: Generated<boolean>;
  seat_ente_id: string | null;
  valid_from: DateString | null;
  valid_to: DateString | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface EnteMembershipTable {
  ente_id: string;
  id: Generated<number>;
  parent_id: string;
  valid_from: DateString;
  valid_to: DateString | null;
  source: string | null;
  created_at: Timestamp;
}

export interface StaffUserTable {
  id: Generated<string>;
  email: string;
  display_name: string;
  password_hash: string;
  disabled: Generated<boolean>;
  created_at: Timestamp;
}

export interface RoleGrantTable {
  ente_id: string;
  user_id: string;
  role: Role;
  module: Generated<string>;
  granted_at: Timestamp;
}

export interface SessionTable {
  token_hash: string;
  kind: 'staff' | 'citizen';
  user_id: string | null;
  citizen: Json;
  csrf_token: string;
  created_at: Timestamp;
  last_seen_at: Timestamp;
  expires_at: Timestamp;
}

export interface LoginFailureTable {
  id: Generated<number>;
  email: string;
  ip: string;
  at: Timestamp;
}

export interface AuditLogTable {
  ente_id: string;
  id: Generated<number>;
  at: Timestamp;
  actor_id: string | null;
  actor_label: string;
  action: string;
  entity: string;
  entity_id: string | null;
  before: Json;
  after: Json;
  ip: string | null;
}

export interface StoredFileTable {
  ente_id: string;
  sha256: string;
  size_bytes: number;
  media_type: string;
  original_name: string;
  created_at: Timestamp;
  created_by: string | null;
}

export interface DB {
  ente: EnteTable;
  ente_membership: EnteMembershipTable;
  staff_user: StaffUserTable;
  role_grant: RoleGrantTable;
  session: SessionTable;
  login_failure: LoginFailureTable;
  audit_log: AuditLogTable;
  stored_file: StoredFileTable;
}
