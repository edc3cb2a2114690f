// SQL of the members module (no business rules here: see service.ts).
import type { Kysely } from 'kysely';
import type { DB, Trx } from '../../platform/db/index.js';
import type { Generated } from 'kysely';

export type AdhesionEventKind = 'signed' | 'late_adhesion' | 'subsequent_adhesion' | 'withdrawal' | 'exclusion' | 'invited';

declare module '../../platform/db/schema.js' {
  interface DB {
    cst_service: { code: string; name: string; description: string; sort_order: Generated<number>; public_path: string | null };
    protocol: { id: Generated<string>; title: string; signed_on: DateString; late_adhesion_days: Generated<number>; created_at: Timestamp };
    adhesion_event: {
      ente_id: string;
      id: Generated<number>;
      protocol_id: string;
      event: AdhesionEventKind;
      effective_on: DateString;
      via_ente_id: string | null;
      basis: string | null;
      note: string | null;
      recorded_at: Timestamp;
      recorded_by: string;
    };
    ente_service: { ente_id: string; id: Generated<number>; service_code: string; active_from: DateString; active_to: DateString | null };
  }
}

export interface Protocol {
  id: string;
  title: string;
  signedOn: string;
  lateAdhesionDays: number;
}

export interface AdhesionEventRow {
  id: number;
  enteId: string;
  event: AdhesionEventKind;
  effectiveOn: string;
  viaEnteId: string | null;
  basis: string | null;
  note: string | null;
  recordedAt: Date;
  recordedBy: string;
}

export interface ServicePeriod {
  id: number;
  enteId: string;
  code: string;
  name: string;
  activeFrom: string;
  activeTo: string | null;
  /** Path of the service's public pages under the ente's portal ('albo'), if it has any. */
  publicPath: string | null;
}

type Db = Kysely<DB> | Trx;

export async function currentProtocol(db: Db): Promise<Protocol | undefined> {
  const row = await db.selectFrom('protocol').selectAll().orderBy('signed_on', 'desc').executeTakeFirst();
  return row ? { id: row.id, title: row.title, signedOn: row.signed_on, lateAdhesionDays: row.late_adhesion_days } : undefined;
}

export async function serviceCatalogue(db: Db) {
  return db.selectFrom('cst_service').selectAll().orderBy('sort_order').execute();
}

/** Adhesion events visible in `trx`: one ente's (withEnte) or all (withCrossEnteRead). */
export async function adhesionEvents(trx: Trx, protocolId: string): Promise<AdhesionEventRow[]> {
  const rows = await trx
    .selectFrom('adhesion_event')
    .selectAll()
    .where('protocol_id', '=', protocolId)
    .orderBy('effective_on')
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    enteId: r.ente_id,
    event: r.event,
    effectiveOn: r.effective_on,
    viaEnteId: r.via_ente_id,
    basis: r.basis,
    note: r.note,
    recordedAt: r.recorded_at,
    recordedBy: r.recorded_by,
  }));
}

export async function insertAdhesionEvent(
  trx: Trx,
  row: { enteId: string; protocolId: string; event: AdhesionEventKind; effectiveOn: string; viaEnteId?: string | null; basis?: string | null; note?: string | null; recordedBy: string },
): Promise<number> {
  const inserted = await trx
    .insertInto('adhesion_event')
    .values({
      ente_id: row.enteId,
      protocol_id: row.protocolId,
      event: row.event,
      effective_on: row.effectiveOn,
      via_ente_id: row.viaEnteId ?? null,
      basis: row.basis ?? null,
      note: row.note ?? null,
      recorded_by: row.recordedBy,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return inserted.id;
}

/** Service periods visible in `trx` (one ente, or all on the cross-ente path). */
export async function servicePeriods(trx: Trx): Promise<ServicePeriod[]> {
  const rows = await trx
    .selectFrom('ente_service as s')
    .innerJoin('cst_service as c', 'c.code', 's.service_code')
    .select(['s.id', 's.ente_id', 's.service_code', 'c.name', 's.active_from', 's.active_to', 'c.sort_order', 'c.public_path'])
    .orderBy('c.sort_order')
    .orderBy('s.active_from')
    .execute();
  return rows.map((r) => ({ id: r.id, enteId: r.ente_id, code: r.service_code, name: r.name, activeFrom: r.active_from, activeTo: r.active_to, publicPath: r.public_path }));
}

export async function insertServicePeriod(trx: Trx, enteId: string, code: string, activeFrom: string): Promise<number> {
  const row = await trx
    .insertInto('ente_service')
    .values({ ente_id: enteId, service_code: code, active_from: activeFrom })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function closeServicePeriod(trx: Trx, id: number, activeTo: string): Promise<void> {
  await trx.updateTable('ente_service').set({ active_to: activeTo }).where('id', '=', id).execute();
}
