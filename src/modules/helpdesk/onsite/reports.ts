// The intervention report: the technician records the time actually spent and the activities (a disputed
// report is corrected the same way), and the ente's representative confirms or disputes it. Only confirmed
// minutes consume the contracted hours; a confirmed report no longer changes (also guarded in the database).
import type { Kysely } from 'kysely';
import { recordAudit, type Actor } from '../../../platform/audit/index.js';
import { withEnte, type DB } from '../../../platform/db/index.js';
import { conflict, notFound, unprocessable } from '../../../platform/http/problem.js';
import { lockedVisit, visitDetail, type ReportInput, type VisitView } from './service.js';
import type { ReportStatus } from './store.js';
import { reportMinutes, romeParts } from './time.js';

/**
 * Records (or, after a dispute, corrects) the report of a visit that has started: the time actually spent
 * and the activities; the visit becomes done and the report waits for the ente's confirmation.
 */
export async function recordReport(db: Kysely<DB>, actor: Actor, enteId: string, visitId: string, input: ReportInput, options: { now?: Date } = {}): Promise<VisitView> {
  const activities = input.activities?.trim() ?? '';
  if (!activities) throw unprocessable('Descrivi le attività svolte durante l’intervento');
  if (activities.length > 20_000) throw unprocessable('La descrizione delle attività è troppo lunga (al massimo 20.000 caratteri)');
  const now = options.now ?? new Date();
  await withEnte(db, enteId, async (trx) => {
    const visit = await lockedVisit(trx, visitId);
    if (visit.state === 'cancelled') throw conflict("L'intervento è annullato: non si può registrare un rapporto");
    if (visit.starts_at > now) throw conflict("L'intervento non è ancora iniziato: il rapporto si registra dopo la visita");
    const existing = await trx.selectFrom('onsite_report').selectAll().where('visit_id', '=', visit.id).forUpdate().executeTakeFirst();
    if (existing?.status === 'confirmed') throw conflict("Il rapporto è già stato confermato dall'ente e non può essere modificato");
    if (existing?.status === 'awaiting') throw conflict("Il rapporto è in attesa di conferma dell'ente: potrà essere corretto solo se l'ente lo contesta");
    const { minutes, actual } = reportMinutes({ date: romeParts(visit.starts_at).date, start: input.start, end: input.end, minutes: input.minutes });
    const covered = new Set((await trx.selectFrom('onsite_visit_ticket').select('ticket_id').where('visit_id', '=', visit.id).execute()).map((r) => r.ticket_id));
    for (const [ticketId, outcome] of Object.entries(input.outcomes ?? {})) {
      if (!covered.has(ticketId)) throw unprocessable("L'esito si può indicare solo per i ticket coperti dall'intervento");
      if (outcome.length > 2000) throw unprocessable("L'esito di un ticket è troppo lungo (al massimo 2.000 caratteri)");
      await trx.updateTable('onsite_visit_ticket').set({ outcome: outcome.trim() || null }).where('visit_id', '=', visit.id).where('ticket_id', '=', ticketId).execute();
    }
    const values = {
      year: romeParts(visit.starts_at).year,
      actual_start: actual?.startsAt ?? null,
      actual_end: actual?.endsAt ?? null,
      minutes,
      activities,
      status: 'awaiting' as const,
      recorded_by_id: actor.id,
      recorded_by: actor.label,
      recorded_at: now,
      decided_by_id: null,
      decided_by: null,
      decided_at: null,
      dispute_reason: null,
    };
    if (existing) await trx.updateTable('onsite_report').set(values).where('visit_id', '=', visit.id).execute();
    else await trx.insertInto('onsite_report').values({ ente_id: enteId, visit_id: visit.id, ...values }).execute();
    await trx.updateTable('onsite_visit').set({ state: 'done' }).where('id', '=', visit.id).execute();
    await recordAudit(trx, {
      enteId,
      actor,
      action: existing ? 'onsite.report.correct' : 'onsite.report.record',
      entity: 'onsite_report',
      entityId: visit.id,
      before: existing ? { minutes: existing.minutes, status: existing.status } : undefined,
      after: { minutes, year: values.year },
    });
  });
  return (await visitDetail(db, enteId, visitId))!;
}

/** The ente's representative confirms (the minutes then consume the contract) or disputes the report. */
export async function decideReport(
  db: Kysely<DB>,
  actor: Actor,
  enteId: string,
  visitId: string,
  decision: { confirm: true } | { confirm: false; reason: string },
  options: { now?: Date } = {},
): Promise<VisitView> {
  const reason = decision.confirm ? null : decision.reason?.trim() ?? '';
  if (reason !== null && !reason) throw unprocessable('Indica il motivo della contestazione');
  if (reason && reason.length > 4000) throw unprocessable('Il motivo è troppo lungo (al massimo 4.000 caratteri)');
  const now = options.now ?? new Date();
  await withEnte(db, enteId, async (trx) => {
    const report = await trx.selectFrom('onsite_report').selectAll().where('visit_id', '=', visitId).forUpdate().executeTakeFirst();
    if (!report) throw notFound("L'intervento non ha ancora un rapporto da confermare");
    if (report.status === 'confirmed') throw conflict('Il rapporto è già stato confermato');
    if (report.status === 'disputed') throw conflict('Il rapporto è stato contestato: attendi la correzione del tecnico');
    const status: ReportStatus = decision.confirm ? 'confirmed' : 'disputed';
    await trx
      .updateTable('onsite_report')
      .set({ status, decided_by_id: actor.id, decided_by: actor.label, decided_at: now, dispute_reason: reason })
      .where('visit_id', '=', visitId)
      .execute();
    await recordAudit(trx, {
      enteId,
      actor,
      action: decision.confirm ? 'onsite.report.confirm' : 'onsite.report.dispute',
      entity: 'onsite_report',
      entityId: visitId,
      before: { status: report.status },
      after: { status, minutes: report.minutes, year: report.year, reason },
    });
  });
  return (await visitDetail(db, enteId, visitId))!;
}

