// Escalation: a ticket whose running deadline enters its warning band (see slaStatus in sla/clock.ts) gets an
// internal 'escalation' event once per deadline, so the desk sees it flagged in the queue and the timeline.
// The stored warn_at/escalated_at columns (002_desk.sql) make the search one index scan; a new deadline
// (first response given, clock resumed) clears escalated_at, so the next deadline escalates again.
import type { Kysely } from 'kysely';
import { recordAudit, recordAuditEvent, systemActor } from '../../platform/audit/index.js';
import { staffOfModule } from '../../platform/auth/index.js';
import { withCrossEnteRead, withEnte, type DB } from '../../platform/db/index.js';
import type { JobDefinition } from '../../platform/jobs/index.js';
import type { Mailer } from '../../platform/mail/outbound.js';
import type { Platform } from '../../platform/platform.js';
import { getCstEnte } from '../../platform/tenancy/index.js';
import { formatDateTime } from '../../platform/views/i18n/index.js';
import { ticketLabel, writeEvent } from './service.js';
import * as store from './store.js';

const BATCH = 500;

export interface EscalationReport {
  escalated: { enteId: string; ticketId: string; label: string; breached: boolean }[];
}

/** Who hears of an escalation: the assigned technician, or the whole desk when nobody has the ticket yet. */
async function escalationRecipients(db: Kysely<DB>, assigneeId: string | null): Promise<string[]> {
  if (assigneeId) {
    const user = await db.selectFrom('staff_user').select('email').where('id', '=', assigneeId).where('disabled', '=', false).executeTakeFirst();
    if (user) return [user.email];
  }
  const cst = await getCstEnte(db);
  if (!cst) return [];
  const desk = await staffOfModule(db, cst.id, 'helpdesk');
  return [...new Set(desk.map((d) => d.email))];
}

/**
 * Escalates every ticket whose warning time has come and that was not escalated for its current deadline;
 * with `mail`, the technician (or the desk) gets a mail queued in the same transaction.
 */
export async function escalateDueTickets(db: Kysely<DB>, options: { now?: Date; mail?: Mailer } = {}): Promise<EscalationReport> {
  const now = options.now ?? new Date();
  const escalated: EscalationReport['escalated'] = [];
  for (;;) {
    const candidates = await withCrossEnteRead(db, (trx) =>
      trx
        .selectFrom('ticket')
        .select(['ente_id', 'id'])
        .where('warn_at', '<=', now)
        .where('escalated_at', 'is', null)
        .where('due_at', 'is not', null)
        .orderBy('warn_at')
        .limit(BATCH)
        .execute(),
    );
    if (candidates.length === 0) break;
    for (const c of candidates) {
      const done = await withEnte(db, c.ente_id, async (trx) => {
        const ticket = await store.ticketById(trx, c.id, true);
        // Re-checked under the row lock: a write since the scan may have moved or stopped the deadline.
        if (!ticket || ticket.escalated_at || !ticket.due_at || !ticket.warn_at || ticket.warn_at > now) return null;
        const breached = ticket.due_at <= now;
        const target = ticket.first_response_at ? 'risoluzione' : 'presa in carico';
        const body = breached
          ? `Scadenza superata: ${target} prevista entro ${formatDateTime(ticket.due_at)}`
          : `In scadenza: ${target} prevista entro ${formatDateTime(ticket.due_at)}`;
        await trx.updateTable('ticket').set({ escalated_at: now }).where('id', '=', ticket.id).execute();
        const eventId = await writeEvent(trx, ticket, systemActor, now, { kind: 'escalation', body });
        const to = options.mail ? await escalationRecipients(db, ticket.assignee_id) : [];
        if (options.mail && to.length > 0) {
          await options.mail.queue(trx, {
            enteId: ticket.ente_id,
            key: `ticket-escalation:${eventId}`,
            to,
            subject: `[CST #${ticketLabel(ticket)}] ${breached ? 'SCADUTO' : 'In scadenza'}: ${ticket.subject}`,
            text: `${body}.\n\nTicket ${ticketLabel(ticket)} (priorità ${ticket.priority}): ${ticket.subject}\n`,
          });
        }
        await recordAudit(trx, { enteId: ticket.ente_id, actor: systemActor, action: 'ticket.escalate', entity: 'ticket', entityId: ticket.id, after: { dueAt: ticket.due_at.toISOString(), breached } });
        return { enteId: ticket.ente_id, ticketId: ticket.id, label: ticketLabel(ticket), breached };
      });
      if (done) escalated.push(done);
    }
    if (candidates.length < BATCH) break;
  }
  if (escalated.length > 0) {
    const cst = await getCstEnte(db);
    if (cst) await recordAuditEvent(db, { enteId: cst.id, actor: systemActor, action: 'cross_ente.read', entity: 'ticket', after: { reason: 'escalation', tickets: escalated.length } });
  }
  return { escalated };
}

export function escalationJobs(platform: Platform): JobDefinition<any>[] {
  return [
    {
      queue: 'helpdesk.escalate',
      schedule: '* * * * *',
      handler: async () => {
        const report = await escalateDueTickets(platform.db.app, { mail: platform.mail });
        if (report.escalated.length > 0) platform.log.info({ tickets: report.escalated.length }, 'helpdesk: tickets escalated');
      },
    },
  ];
}
