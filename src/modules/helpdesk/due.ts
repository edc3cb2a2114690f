// Where a ticket stands against its SLA, and the due times stored on the ticket so that the queue and the
// escalation job read an index instead of recomputing every open ticket. Pauses of the clock are derived
// from the state changes (the periods spent in waiting_ente).
import type { Trx } from '../../platform/db/index.js';
import type { WorkingCalendar } from './sla/calendar.js';
import { slaStatus, type Pause, type SlaStatus } from './sla/clock.js';
import * as store from './store.js';
import type { EventRow, TicketRow } from './store.js';

export interface TicketSla {
  firstResponse: SlaStatus;
  resolution: SlaStatus;
}

/** The CST of Asti: Mon–Fri 8:30–13:00 and 14:00–17:30, closed on national holidays and on San Secondo. */
export const cstCalendar: WorkingCalendar = {
  timeZone: 'Europe/Rome',
  week: {
    1: ['08:30-13:00', '14:00-17:30'],
    2: ['08:30-13:00', '14:00-17:30'],
    3: ['08:30-13:00', '14:00-17:30'],
    4: ['08:30-13:00', '14:00-17:30'],
    5: ['08:30-13:00', '14:00-17:30'],
  },
  closedDays: [{ month: 5, weekday: 2, nth: 1, name: 'San Secondo, patrono di Asti' }],
  nationalHolidays: true,
};

/** The periods spent in waiting_ente, from the state changes in order; one still open ends at `now`. */
export function pausesFrom(events: readonly EventRow[], now: Date): Pause[] {
  const pauses: Pause[] = [];
  let from: Date | null = null;
  for (const e of events) {
    if (e.kind !== 'state_change') continue;
    if (e.to_state === 'waiting_ente' && from === null) from = e.at;
    else if (e.to_state !== 'waiting_ente' && from !== null) {
      pauses.push({ from, to: e.at });
      from = null;
    }
  }
  if (from !== null && now > from) pauses.push({ from, to: now });
  return pauses;
}

/** Where the ticket stands at `now`; a target that was met is evaluated at the moment it was met. */
export function sla(ticket: TicketRow, events: readonly EventRow[], now: Date): TicketSla {
  const firstAt = ticket.first_response_at ?? now;
  const solvedAt = ticket.solved_at ?? now;
  const base = { openedAt: ticket.opened_at, calendar: cstCalendar };
  return {
    firstResponse: slaStatus({ ...base, dueMinutes: ticket.first_response_minutes, now: firstAt, pauses: pausesFrom(events, firstAt) }),
    resolution: slaStatus({ ...base, dueMinutes: ticket.resolution_minutes, now: solvedAt, pauses: pausesFrom(events, solvedAt) }),
  };
}

/** The due time that matters now: first response until there is one, then resolution. */
export function nextDue(ticket: TicketRow, status: TicketSla): Date {
  return ticket.first_response_at ? status.resolution.dueAt : status.firstResponse.dueAt;
}

/** The stored due fields of a ticket at `now` (see the columns in 002_desk.sql). */
export function dueFields(ticket: TicketRow, events: readonly EventRow[], now: Date) {
  const status = sla(ticket, events, now);
  const running = !['solved', 'closed', 'waiting_ente'].includes(ticket.state) && ticket.merged_into === null;
  const current = ticket.first_response_at ? status.resolution : status.firstResponse;
  return {
    due_at: running ? current.dueAt : null,
    warn_at: running ? current.warnAt : null,
    first_response_met: ticket.first_response_at ? status.firstResponse.state !== 'breached' : null,
    resolution_met: ticket.solved_at ? status.resolution.state !== 'breached' : null,
  };
}

/** Recomputes the stored due fields after a write; a new deadline clears the escalation of the old one. */
export async function refreshDue(trx: Trx, ticketId: string, now: Date): Promise<void> {
  const ticket = await store.ticketById(trx, ticketId);
  if (!ticket) return;
  const events = await store.eventsOf(trx, [ticket.id], ['state_change']);
  const fields = dueFields(ticket, events, now);
  const sameDue = (fields.due_at?.getTime() ?? null) === (ticket.due_at?.getTime() ?? null);
  await trx
    .updateTable('ticket')
    .set({ ...fields, escalated_at: sameDue ? ticket.escalated_at : null })
    .where('id', '=', ticket.id)
    .execute();
}
