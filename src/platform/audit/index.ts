// Audit log: one row per write (and per crossing of tenant boundaries), inside the transaction of the write,
// so a write without its audit row cannot commit.
import type { Kysely } from 'kysely';
import { withEnte, type DB, type Trx } from '../db/index.js';

export interface Actor {
  /** Staff user id, or null for the system (seed, jobs) and citizens. */
  id: string | null;
  /** Human-readable who: an e-mail, 'system', 'cittadino:<fiscal code>'. */
  label: string;
  ip?: string | undefined;
}

export const systemActor: Actor = { id: null, label: 'system' };

export interface AuditEntry {
  enteId: string;
  actor: Actor;
  action: string;
  entity: string;
  entityId?: string | number | null;
  before?: unknown;
  after?: unknown;
}

/** Records an entry; `trx` must be the ente-bound transaction of the write (withEnte). */
export async function recordAudit(trx: Trx, entry: AuditEntry): Promise<void> {
  await trx
    .insertInto('audit_log')
    .values({
      ente_id: entry.enteId,
      actor_id: entry.actor.id,
      actor_label: entry.actor.label,
      action: entry.action,
      entity: entry.entity,
      entity_id: entry.entityId === undefined || entry.entityId === null ? null : String(entry.entityId),
      before: entry.before === undefined ? null : JSON.stringify(entry.before),
      after: entry.after === undefined ? null : JSON.stringify(entry.after),
      ip: entry.actor.ip ?? null,
    })
    .execute();
}

/** Records an entry in its own ente-bound transaction (for events that are not a write: denials, cross reads). */
export async function recordAuditEvent(db: Kysely<DB>, entry: AuditEntry): Promise<void> {
  await withEnte(db, entry.enteId, (trx) => recordAudit(trx, entry));
}
