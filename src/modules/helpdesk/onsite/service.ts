// On-site visits: the desk plans them (technician of the desk, a slot of one day in Rome time, the ente's
// tickets it covers), reschedules or cancels them (kept in the visit's history), the technician records the
// report, and the ente's representative confirms or disputes it. Every write is audited in its transaction.
import type { Kysely } from 'kysely';
import { recordAudit, recordAuditEvent, type Actor } from '../../../platform/audit/index.js';
import { loadStaff, staffOfModule } from '../../../platform/auth/access.js';
import { withCrossEnteRead, withEnte, type DB, type Trx } from '../../../platform/db/index.js';
import { conflict, notFound, unprocessable } from '../../../platform/http/problem.js';
import { getCstEnte } from '../../../platform/tenancy/index.js';
import { isDesk } from '../access.js';
import { ticketLabel } from '../service.js';
import type { TicketState } from '../store.js';
import { availableForPlanning, balanceIn, type HoursBalance } from './hours.js';
import * as store from './store.js';
import type { ReportStatus, VisitState } from './store.js';
import { hoursText, minutesBetween, romeDay, romeParts, slotOf, type Slot } from './time.js';

export interface ReportView {
  year: number;
  actualStart: Date | null;
  actualEnd: Date | null;
  minutes: number;
  activities: string;
  status: ReportStatus;
  recordedBy: string;
  recordedAt: Date;
  decidedBy: string | null;
  decidedAt: Date | null;
  disputeReason: string | null;
}

export interface VisitTicket {
  id: string;
  label: string;
  subject: string;
  state: TicketState;
  outcome: string | null;
}

export interface VisitChange {
  kind: 'reschedule' | 'cancel';
  from: Slot;
  to: Slot | null;
  reason: string | null;
  by: string;
  at: Date;
}

export interface VisitView {
  id: string;
  ente: { id: string; slug: string; name: string };
  technician: { id: string; name: string; email: string };
  startsAt: Date;
  endsAt: Date;
  /** Rome wall clock: 'YYYY-MM-DD', 'HH:MM', 'HH:MM'. */
  date: string;
  start: string;
  end: string;
  plannedMinutes: number;
  state: VisitState;
  notes: string | null;
  overContract: boolean;
  cancelReason: string | null;
  plannedBy: string;
  plannedAt: Date;
  tickets: VisitTicket[];
  report: ReportView | null;
  history: VisitChange[];
}

export interface PlanInput {
  technicianId: string;
  date: string;
  start: string;
  end: string;
  ticketIds?: string[] | undefined;
  notes?: string | null | undefined;
}

export interface ReportInput {
  start?: string | undefined;
  end?: string | undefined;
  minutes?: number | undefined;
  activities: string;
  /** Outcome per covered ticket id (optional). */
  outcomes?: Record<string, string> | undefined;
}

const reportView = (r: store.ReportRow): ReportView => ({
  year: r.year,
  actualStart: r.actual_start,
  actualEnd: r.actual_end,
  minutes: r.minutes,
  activities: r.activities,
  status: r.status,
  recordedBy: r.recorded_by,
  recordedAt: r.recorded_at,
  decidedBy: r.decided_by,
  decidedAt: r.decided_at,
  disputeReason: r.dispute_reason,
});

/** Visits with their tickets, reports and (for one visit) history; works in an ente or a cross-ente read. */
async function load(trx: Trx, filter: store.VisitFilter, withHistory = false): Promise<VisitView[]> {
  const rows = await store.visits(trx, filter);
  const ids = rows.map((r) => r.id);
  const [tickets, reports] = await Promise.all([store.ticketsOfVisits(trx, ids), store.reportsOf(trx, ids)]);
  const out: VisitView[] = [];
  for (const v of rows) {
    const start = romeParts(v.starts_at);
    const report = reports.find((r) => r.visit_id === v.id && r.ente_id === v.ente_id);
    const history = withHistory ? await store.changesOf(trx, v.id) : [];
    out.push({
      id: v.id,
      ente: { id: v.ente_id, slug: v.ente_slug, name: v.ente_name },
      technician: { id: v.technician_id, name: v.technician_name, email: v.technician_email },
      startsAt: v.starts_at,
      endsAt: v.ends_at,
      date: start.date,
      start: start.time,
      end: romeParts(v.ends_at).time,
      plannedMinutes: minutesBetween(v.starts_at, v.ends_at),
      state: v.state,
      notes: v.notes,
      overContract: v.over_contract,
      cancelReason: v.cancel_reason,
      plannedBy: v.planned_by,
      plannedAt: v.planned_at,
      tickets: tickets
        .filter((t) => t.visit_id === v.id)
        .map((t) => ({ id: t.ticket_id, label: ticketLabel(t), subject: t.subject, state: t.state, outcome: t.outcome })),
      report: report ? reportView(report) : null,
      history: history.map((h) => ({
        kind: h.kind,
        from: { startsAt: h.from_starts_at, endsAt: h.from_ends_at },
        to: h.to_starts_at && h.to_ends_at ? { startsAt: h.to_starts_at, endsAt: h.to_ends_at } : null,
        reason: h.reason,
        by: h.changed_by,
        at: h.changed_at,
      })),
    });
  }
  return out;
}

const hm = (d: Date) => romeParts(d).time;
const it = (date: string) => `${date.slice(8, 10)}/${date.slice(5, 7)}/${date.slice(0, 4)}`;

/** The desk's staff who can be sent on site (the CST's desk), by name. */
export async function technicians(db: Kysely<DB>): Promise<{ id: string; name: string; email: string }[]> {
  const cst = await getCstEnte(db);
  if (!cst) return [];
  return staffOfModule(db, cst.id, 'helpdesk');
}

async function assertTechnician(db: Kysely<DB>, technicianId: string): Promise<void> {
  const [staff, cst] = await Promise.all([loadStaff(db, technicianId).catch(() => null), getCstEnte(db)]);
  if (!staff || !isDesk(staff, cst?.id)) throw unprocessable("Il tecnico indicato non fa parte del help desk del CST");
}

/**
 * 409 when the technician already has a visit overlapping `slot` (at any ente). The caller holds the
 * technician's lock, so a concurrent plan waits and then sees this one. Reads across enti: audited.
 */
async function assertFree(db: Kysely<DB>, actor: Actor, technicianId: string, slot: Slot, exceptId: string | null): Promise<void> {
  const cst = await getCstEnte(db);
  if (cst) await recordAuditEvent(db, { enteId: cst.id, actor, action: 'cross_ente.read', entity: 'onsite_visit', after: { reason: 'controllo sovrapposizioni del tecnico', technicianId } });
  const clashes = await withCrossEnteRead(db, (trx) => store.overlapping(trx, technicianId, slot.startsAt, slot.endsAt, exceptId));
  const first = clashes[0];
  if (first) {
    throw conflict(`Il tecnico ha già un intervento il ${it(romeParts(first.starts_at).date)} dalle ${hm(first.starts_at)} alle ${hm(first.ends_at)} presso ${first.ente_name}: scegli un altro orario`);
  }
}

const cleanNotes = (notes: string | null | undefined) => {
  const text = notes?.trim() || null;
  if (text && text.length > 4000) throw unprocessable('Le note sono troppo lunghe (al massimo 4.000 caratteri)');
  return text;
};

/** Whether `minutes` more would exceed what the ente has left for the year of `startsAt`. */
async function exceedsContract(trx: Trx, enteId: string, startsAt: Date, minutes: number): Promise<{ over: boolean; balance: HoursBalance }> {
  const balance = await balanceIn(trx, enteId, romeParts(startsAt).year);
  return { over: minutes > availableForPlanning(balance), balance };
}

export interface PlanOutcome {
  visit: VisitView;
  /** Italian warnings for the desk (over the contract, near the limit). */
  warnings: string[];
}

function warningsFor(over: boolean, balance: HoursBalance, minutes: number): string[] {
  const out: string[] = [];
  if (balance.contractedMinutes === null) out.push(`L'ente non ha ore a contratto per il ${balance.year}: l'intervento sarà fuori contratto`);
  else if (over) out.push(`L'intervento (${hoursText(minutes)}) supera le ore residue dell'ente per il ${balance.year}: sarà conteggiato come fuori contratto`);
  else if (balance.usedShare !== null && balance.usedShare >= 0.8) out.push(`L'ente ha già usato l'${Math.floor(balance.usedShare * 100)}% delle ore a contratto del ${balance.year}`);
  return out;
}

/** Plans a visit; refuses an overlap of the technician (409) and any ticket that is not the ente's (422). */
export async function planVisit(db: Kysely<DB>, actor: Actor, enteId: string, input: PlanInput, options: { now?: Date } = {}): Promise<PlanOutcome> {
  const slot = slotOf(input.date, input.start, input.end);
  const notes = cleanNotes(input.notes);
  const ticketIds = [...new Set(input.ticketIds ?? [])];
  if (ticketIds.length > 50) throw unprocessable('Un intervento può coprire al massimo 50 ticket');
  await assertTechnician(db, input.technicianId);
  const now = options.now ?? new Date();
  const { id, over, balance } = await withEnte(db, enteId, async (trx) => {
    await store.lockTechnician(trx, input.technicianId);
    const found = await store.ticketsAmong(trx, ticketIds);
    // Another ente's ticket is invisible here: refused like a ticket that does not exist.
    if (found.length !== ticketIds.length) throw unprocessable("Uno o più ticket indicati non esistono tra i ticket dell'ente");
    await assertFree(db, actor, input.technicianId, slot, null);
    const { over, balance } = await exceedsContract(trx, enteId, slot.startsAt, minutesBetween(slot.startsAt, slot.endsAt));
    const row = await trx
      .insertInto('onsite_visit')
      .values({ ente_id: enteId, technician_id: input.technicianId, starts_at: slot.startsAt, ends_at: slot.endsAt, notes, over_contract: over, planned_by: actor.label, planned_at: now })
      .returning('id')
      .executeTakeFirstOrThrow();
    if (ticketIds.length > 0) await trx.insertInto('onsite_visit_ticket').values(ticketIds.map((ticket_id) => ({ ente_id: enteId, visit_id: row.id, ticket_id, outcome: null }))).execute();
    await recordAudit(trx, {
      enteId,
      actor,
      action: 'onsite.visit.plan',
      entity: 'onsite_visit',
      entityId: row.id,
      after: { technicianId: input.technicianId, startsAt: slot.startsAt.toISOString(), endsAt: slot.endsAt.toISOString(), tickets: ticketIds, overContract: over },
    });
    return { id: row.id, over, balance };
  });
  const visit = (await visitDetail(db, enteId, id))!;
  return { visit, warnings: warningsFor(over, balance, visit.plannedMinutes) };
}

export async function lockedVisit(trx: Trx, id: string) {
  const visit = await store.lockVisit(trx, id);
  if (!visit) throw notFound('Intervento inesistente');
  return visit;
}

/** Moves a planned visit to another slot (history kept); the same overlap rule as planning. */
export async function rescheduleVisit(db: Kysely<DB>, actor: Actor, enteId: string, visitId: string, input: { date: string; start: string; end: string; reason?: string | null | undefined }, options: { now?: Date } = {}): Promise<PlanOutcome> {
  const slot = slotOf(input.date, input.start, input.end);
  const reason = cleanNotes(input.reason);
  const now = options.now ?? new Date();
  const { over, balance } = await withEnte(db, enteId, async (trx) => {
    const current = await lockedVisit(trx, visitId);
    if (current.state !== 'planned') throw conflict(current.state === 'done' ? "L'intervento è già stato svolto: non può essere riprogrammato" : "L'intervento è annullato: pianificane uno nuovo");
    await store.lockTechnician(trx, current.technician_id);
    await assertFree(db, actor, current.technician_id, slot, current.id);
    const minutes = minutesBetween(slot.startsAt, slot.endsAt);
    const balance = await balanceIn(trx, enteId, romeParts(slot.startsAt).year);
    // The visit itself is still counted among the planned minutes of its (old) year: give them back.
    const ownMinutes = romeParts(current.starts_at).year === balance.year ? minutesBetween(current.starts_at, current.ends_at) : 0;
    const overNow = minutes > availableForPlanning(balance) + ownMinutes;
    await trx.updateTable('onsite_visit').set({ starts_at: slot.startsAt, ends_at: slot.endsAt, over_contract: overNow }).where('id', '=', current.id).execute();
    await trx
      .insertInto('onsite_visit_change')
      .values({ ente_id: enteId, visit_id: current.id, kind: 'reschedule', from_starts_at: current.starts_at, from_ends_at: current.ends_at, to_starts_at: slot.startsAt, to_ends_at: slot.endsAt, reason, changed_by: actor.label, changed_at: now })
      .execute();
    await recordAudit(trx, {
      enteId,
      actor,
      action: 'onsite.visit.reschedule',
      entity: 'onsite_visit',
      entityId: current.id,
      before: { startsAt: current.starts_at.toISOString(), endsAt: current.ends_at.toISOString() },
      after: { startsAt: slot.startsAt.toISOString(), endsAt: slot.endsAt.toISOString(), reason },
    });
    return { over: overNow, balance };
  });
  const visit = (await visitDetail(db, enteId, visitId))!;
  return { visit, warnings: warningsFor(over, balance, visit.plannedMinutes) };
}

/** Cancels a planned visit with a reason (kept in the history). */
export async function cancelVisit(db: Kysely<DB>, actor: Actor, enteId: string, visitId: string, reason: string, options: { now?: Date } = {}): Promise<void> {
  const text = reason?.trim() ?? '';
  if (!text) throw unprocessable("Il motivo dell'annullamento è obbligatorio");
  if (text.length > 1000) throw unprocessable('Il motivo è troppo lungo (al massimo 1.000 caratteri)');
  const now = options.now ?? new Date();
  await withEnte(db, enteId, async (trx) => {
    const current = await lockedVisit(trx, visitId);
    if (current.state === 'cancelled') throw conflict("L'intervento è già annullato");
    if (current.state === 'done') throw conflict("L'intervento è già stato svolto: non può essere annullato");
    await trx.updateTable('onsite_visit').set({ state: 'cancelled', cancel_reason: text }).where('id', '=', current.id).execute();
    await trx
      .insertInto('onsite_visit_change')
      .values({ ente_id: enteId, visit_id: current.id, kind: 'cancel', from_starts_at: current.starts_at, from_ends_at: current.ends_at, reason: text, changed_by: actor.label, changed_at: now })
      .execute();
    await recordAudit(trx, { enteId, actor, action: 'onsite.visit.cancel', entity: 'onsite_visit', entityId: current.id, before: { state: current.state }, after: { state: 'cancelled', reason: text } });
  });
}

export async function visitDetail(db: Kysely<DB>, enteId: string, visitId: string): Promise<VisitView | undefined> {
  return withEnte(db, enteId, async (trx) => (await load(trx, { id: visitId, includeCancelled: true }, true))[0]);
}

/** The ente's visits whose start falls in `year` (Rome), in time order, cancelled ones included. */
export async function visitsOfEnte(db: Kysely<DB>, enteId: string, span: Slot): Promise<VisitView[]> {
  return withEnte(db, enteId, (trx) => load(trx, { from: span.startsAt, to: span.endsAt, includeCancelled: true, limit: 2000 }));
}

export interface DayPlanGroup {
  ente: VisitView['ente'];
  visits: VisitView[];
}

/**
 * A technician's day (or the whole desk's when no technician): visits of `date` across enti, grouped by ente
 * in the order of the first visit. Crosses tenants: audited on the CST's log.
 */
export async function dayPlan(db: Kysely<DB>, actor: Actor, date: string, technicianId?: string): Promise<{ date: string; groups: DayPlanGroup[]; totalMinutes: number }> {
  const day = romeDay(date);
  const cst = await getCstEnte(db);
  if (cst) await recordAuditEvent(db, { enteId: cst.id, actor, action: 'cross_ente.read', entity: 'onsite_visit', after: { reason: 'piano di giornata', date, technicianId: technicianId ?? null } });
  const list = await withCrossEnteRead(db, (trx) => load(trx, { from: day.startsAt, to: day.endsAt, ...(technicianId ? { technicianId } : {}), limit: 500 }));
  const groups = new Map<string, DayPlanGroup>();
  for (const v of list) {
    const group = groups.get(v.ente.id) ?? { ente: v.ente, visits: [] };
    group.visits.push(v);
    groups.set(v.ente.id, group);
  }
  return { date, groups: [...groups.values()], totalMinutes: list.reduce((sum, v) => sum + v.plannedMinutes, 0) };
}

/** Reports the ente has still to confirm, oldest first. */
export async function awaitingConfirmation(db: Kysely<DB>, enteId: string): Promise<VisitView[]> {
  return withEnte(db, enteId, async (trx) => {
    const ids = (await trx.selectFrom('onsite_report').select('visit_id').where('status', '=', 'awaiting').orderBy('recorded_at').execute()).map((r) => r.visit_id);
    return ids.length === 0 ? [] : load(trx, { ids, includeCancelled: true });
  });
}
