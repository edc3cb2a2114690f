// SQL of the on-site interventions (rules in service.ts and hours.ts). Every function takes a transaction:
// an ente-bound one (withEnte) or a cross-ente read (withCrossEnteRead) — the same reads serve both.
import type { Generated, Selectable } from 'kysely';
import { sql, type Trx } from '../../../platform/db/index.js';
import type { TicketState } from '../store.js';

export type VisitState = 'planned' | 'done' | 'cancelled';
export type ReportStatus = 'awaiting' | 'confirmed' | 'disputed';

declare module '../../../platform/db/schema.js' {
  interface DB {
    onsite_contract: { ente_id: string; year: number; minutes: number; note: string | null; updated_by: string; updated_at: Date };
    onsite_contract_change: {
      ente_id: string;
      id: Generated<number>;
      year: number;
      before_minutes: number | null;
      after_minutes: number;
      note: string | null;
      changed_by: string;
      changed_at: Date;
    };
    onsite_visit: {
      ente_id: string;
      id: Generated<string>;
      technician_id: string;
      starts_at: Date;
      ends_at: Date;
      state: Generated<VisitState>;
      notes: string | null;
      over_contract: Generated<boolean>;
      cancel_reason: string | null;
      planned_by: string;
      planned_at: Date;
    };
    onsite_visit_ticket: { ente_id: string; visit_id: string; ticket_id: string; outcome: string | null };
    onsite_visit_change: {
      ente_id: string;
      id: Generated<number>;
      visit_id: string;
      kind: 'reschedule' | 'cancel';
      from_starts_at: Date;
      from_ends_at: Date;
      to_starts_at: Date | null;
      to_ends_at: Date | null;
      reason: string | null;
      changed_by: string;
      changed_at: Date;
    };
    onsite_report: {
      ente_id: string;
      visit_id: string;
      year: number;
      actual_start: Date | null;
      actual_end: Date | null;
      minutes: number;
      activities: string;
      status: Generated<ReportStatus>;
      recorded_by_id: string | null;
      recorded_by: string;
      recorded_at: Date;
      decided_by_id: string | null;
      decided_by: string | null;
      decided_at: Date | null;
      dispute_reason: string | null;
    };
  }
}

export type VisitRow = Selectable<import('../../../platform/db/schema.js').DB['onsite_visit']>;
export type ReportRow = Selectable<import('../../../platform/db/schema.js').DB['onsite_report']>;
export type ChangeRow = Selectable<import('../../../platform/db/schema.js').DB['onsite_visit_change']>;

export interface VisitFilter {
  id?: string;
  ids?: string[];
  from?: Date;
  to?: Date;
  technicianId?: string;
  includeCancelled?: boolean;
  limit?: number;
}

/** Visits (with ente and technician names) in start order; `from`/`to` bound the start. */
export function visits(trx: Trx, filter: VisitFilter) {
  let q = trx
    .selectFrom('onsite_visit as v')
    .innerJoin('ente as e', 'e.id', 'v.ente_id')
    .innerJoin('staff_user as s', 's.id', 'v.technician_id')
    .selectAll('v')
    .select(['e.slug as ente_slug', 'e.name as ente_name', 's.display_name as technician_name', 's.email as technician_email'])
    .orderBy('v.starts_at')
    .orderBy('e.name');
  if (filter.id) q = q.where('v.id', '=', filter.id);
  if (filter.ids) q = q.where('v.id', 'in', filter.ids);
  if (filter.from) q = q.where('v.starts_at', '>=', filter.from);
  if (filter.to) q = q.where('v.starts_at', '<', filter.to);
  if (filter.technicianId) q = q.where('v.technician_id', '=', filter.technicianId);
  if (!filter.includeCancelled) q = q.where('v.state', '<>', 'cancelled');
  if (filter.limit) q = q.limit(filter.limit);
  return q.execute();
}

export type VisitWithNames = Awaited<ReturnType<typeof visits>>[number];

export async function lockVisit(trx: Trx, id: string): Promise<VisitRow | undefined> {
  return trx.selectFrom('onsite_visit').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

export function ticketsOfVisits(trx: Trx, visitIds: string[]) {
  if (visitIds.length === 0) return Promise.resolve([]);
  return trx
    .selectFrom('onsite_visit_ticket as vt')
    .innerJoin('ticket as t', (j) => j.onRef('t.ente_id', '=', 'vt.ente_id').onRef('t.id', '=', 'vt.ticket_id'))
    .select(['vt.visit_id', 'vt.ticket_id', 'vt.outcome', 't.number', 't.year', 't.subject', 't.state'])
    .where('vt.visit_id', 'in', visitIds)
    .orderBy('t.year')
    .orderBy('t.number')
    .execute() as Promise<{ visit_id: string; ticket_id: string; outcome: string | null; number: number; year: number; subject: string; state: TicketState }[]>;
}

export function reportsOf(trx: Trx, visitIds: string[]): Promise<ReportRow[]> {
  if (visitIds.length === 0) return Promise.resolve([]);
  return trx.selectFrom('onsite_report').selectAll().where('visit_id', 'in', visitIds).execute();
}

export function changesOf(trx: Trx, visitId: string): Promise<ChangeRow[]> {
  return trx.selectFrom('onsite_visit_change').selectAll().where('visit_id', '=', visitId).orderBy('id').execute();
}

/** The visits of one technician that overlap [from, to), not cancelled, other than `exceptId`. */
export function overlapping(trx: Trx, technicianId: string, from: Date, to: Date, exceptId: string | null) {
  let q = trx
    .selectFrom('onsite_visit as v')
    .innerJoin('ente as e', 'e.id', 'v.ente_id')
    .select(['v.id', 'v.starts_at', 'v.ends_at', 'e.name as ente_name'])
    .where('v.technician_id', '=', technicianId)
    .where('v.state', '<>', 'cancelled')
    .where('v.starts_at', '<', to)
    .where('v.ends_at', '>', from);
  if (exceptId) q = q.where('v.id', '<>', exceptId);
  return q.orderBy('v.starts_at').execute();
}

/** The ente's tickets among `ids` (row-level security hides every other ente's). */
export function ticketsAmong(trx: Trx, ids: string[]) {
  if (ids.length === 0) return Promise.resolve([]);
  return trx.selectFrom('ticket').select(['id', 'number', 'year', 'subject', 'state']).where('id', 'in', ids).execute();
}

/** Serialises the plans of one technician across enti until the transaction ends. */
export async function lockTechnician(trx: Trx, technicianId: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtextextended(${`onsite-technician:${technicianId}`}, 0))`.execute(trx);
}

// ---------------------------------------------------------------------------------------------- hours

export interface MinutesByEnte {
  ente_id: string;
  minutes: number;
}

export function contracts(trx: Trx, year: number, enteId?: string) {
  let q = trx.selectFrom('onsite_contract').selectAll().where('year', '=', year);
  if (enteId) q = q.where('ente_id', '=', enteId);
  return q.execute();
}

/** Report minutes of `year` per ente and status. */
export function reportMinutesByStatus(trx: Trx, year: number, enteId?: string) {
  let q = trx
    .selectFrom('onsite_report')
    .select(['ente_id', 'status'])
    .select((eb) => eb.fn.sum<number>('minutes').as('minutes'))
    .where('year', '=', year)
    .groupBy(['ente_id', 'status']);
  if (enteId) q = q.where('ente_id', '=', enteId);
  return q.execute();
}

/** Planned (not yet reported) minutes of visits starting within [from, to), per ente; `exceptId` left out. */
export function plannedMinutes(trx: Trx, from: Date, to: Date, options: { enteId?: string; exceptId?: string } = {}) {
  let q = trx
    .selectFrom('onsite_visit')
    .select('ente_id')
    .select(sql<number>`coalesce(sum(extract(epoch from ends_at - starts_at) / 60), 0)::int`.as('minutes'))
    .where('state', '=', 'planned')
    .where('starts_at', '>=', from)
    .where('starts_at', '<', to)
    .groupBy('ente_id');
  if (options.enteId) q = q.where('ente_id', '=', options.enteId);
  if (options.exceptId) q = q.where('id', '<>', options.exceptId);
  return q.execute();
}

export function contractChanges(trx: Trx, limit = 50) {
  return trx.selectFrom('onsite_contract_change').selectAll().orderBy('id', 'desc').limit(limit).execute();
}
