// The help desk's tickets: opening (with priority from the urgency × impact matrix and the SLA targets of
// the category copied on the ticket), public replies and internal notes, the state machine, assignment, and
// where each ticket stands against its SLA on the CST's working calendar. Every write is audited in its
// transaction.
import type { Kysely } from 'kysely';
import { recordAudit, recordAuditEvent, type Actor } from '../../platform/audit/index.js';
import { loadStaff } from '../../platform/auth/access.js';
import { isDesk } from './access.js';
import { withCrossEnteRead, withEnte, type DB, type Trx } from '../../platform/db/index.js';
import { conflict, forbidden, notFound, unprocessable } from '../../platform/http/problem.js';
import { getCstEnte } from '../../platform/tenancy/index.js';
import { yearInRome } from '../../platform/calendar/index.js';
import { dueFields, refreshDue, sla, type TicketSla } from './due.js';
import * as store from './store.js';
import type { Channel, EventRow, Priority, TicketRow, TicketState } from './store.js';

export type { Channel, Priority, TicketState } from './store.js';
export { cstCalendar, type TicketSla } from './due.js';

/**
 * Priority from urgency and impact (1 = alta, 3 = bassa):
 *              impatto 1  impatto 2  impatto 3
 *   urgenza 1     P1         P2         P3
 *   urgenza 2     P2         P3         P4
 *   urgenza 3     P3         P4         P4
 */
export function priorityOf(urgency: number, impact: number): Priority {
  if (![1, 2, 3].includes(urgency)) throw unprocessable("L'urgenza deve essere 1 (alta), 2 (media) o 3 (bassa)");
  if (![1, 2, 3].includes(impact)) throw unprocessable("L'impatto deve essere 1 (alto), 2 (medio) o 3 (basso)");
  return (['P1', 'P2', 'P3', 'P4', 'P4'] as const)[urgency + impact - 2]!;
}

/** Allowed state changes; anything else is a conflict with the ticket's current state. */
export const transitions: Readonly<Record<TicketState, readonly TicketState[]>> = {
  new: ['assigned', 'in_progress', 'waiting_ente', 'solved'],
  assigned: ['in_progress', 'waiting_ente', 'solved'],
  in_progress: ['assigned', 'waiting_ente', 'solved'],
  waiting_ente: ['assigned', 'in_progress', 'solved'],
  solved: ['closed', 'reopened'],
  closed: ['reopened'],
  reopened: ['assigned', 'in_progress', 'waiting_ente', 'solved'],
};

const STATE_NAMES: Record<TicketState, string> = {
  new: 'nuovo',
  assigned: 'assegnato',
  in_progress: 'in lavorazione',
  waiting_ente: "in attesa dell'ente",
  solved: 'risolto',
  closed: 'chiuso',
  reopened: 'riaperto',
};

export interface OpenTicketInput {
  channel: Channel;
  callerName: string;
  callerPhone?: string | null | undefined;
  callerEmail?: string | null | undefined;
  category: string;
  urgency: number;
  impact: number;
  subject: string;
  description: string;
}

export interface TicketEventView {
  id: number;
  kind: EventRow['kind'];
  body: string | null;
  fromState: TicketState | null;
  toState: TicketState | null;
  assigneeId: string | null;
  author: string;
  at: Date;
}

export interface TicketView {
  id: string;
  enteId: string;
  number: number;
  year: number;
  label: string;
  channel: Channel;
  caller: { name: string; phone: string | null; email: string | null };
  category: string;
  urgency: number;
  impact: number;
  priority: Priority;
  subject: string;
  description: string;
  state: TicketState;
  assigneeId: string | null;
  openedAt: Date;
  firstResponseAt: Date | null;
  solvedAt: Date | null;
  closedAt: Date | null;
  requesterId: string | null;
  mergedInto: string | null;
  sla: TicketSla;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const PHONE = /^\+?[0-9 ./-]{6,20}$/;

function validateOpen(input: OpenTicketInput): void {
  if (!['phone', 'web', 'email'].includes(input.channel)) throw unprocessable('Canale non valido: telefono, web o e-mail');
  if (!input.callerName?.trim()) throw unprocessable('Il nome di chi segnala è obbligatorio');
  const phone = input.callerPhone?.trim();
  const email = input.callerEmail?.trim();
  if (phone && !PHONE.test(phone)) throw unprocessable('Numero di telefono non valido');
  if (email && !EMAIL.test(email)) throw unprocessable('Indirizzo e-mail non valido');
  if (input.channel === 'phone' && !phone) throw unprocessable('Per una chiamata il numero di telefono è obbligatorio');
  if (input.channel === 'email' && !email) throw unprocessable("Per una segnalazione via e-mail l'indirizzo è obbligatorio");
  const subject = input.subject?.trim() ?? '';
  if (subject.length < 3) throw unprocessable("L'oggetto della segnalazione è obbligatorio (almeno 3 caratteri)");
  if (subject.length > 300) throw unprocessable("L'oggetto della segnalazione è troppo lungo (al massimo 300 caratteri)");
  if (!input.description?.trim()) throw unprocessable('La descrizione del problema è obbligatoria');
}

export const ticketLabel = (t: { number: number; year: number }) => `${t.number}/${t.year}`;

function eventView(e: EventRow): TicketEventView {
  return { id: e.id, kind: e.kind, body: e.body, fromState: e.from_state, toState: e.to_state, assigneeId: e.assignee_id, author: e.author_label, at: e.at };
}

function view(t: TicketRow, events: readonly EventRow[], now: Date): TicketView {
  return {
    id: t.id,
    enteId: t.ente_id,
    number: t.number,
    year: t.year,
    label: ticketLabel(t),
    channel: t.channel,
    caller: { name: t.caller_name, phone: t.caller_phone, email: t.caller_email },
    category: t.category_code,
    urgency: t.urgency,
    impact: t.impact,
    priority: t.priority,
    subject: t.subject,
    description: t.description,
    state: t.state,
    assigneeId: t.assignee_id,
    openedAt: t.opened_at,
    firstResponseAt: t.first_response_at,
    solvedAt: t.solved_at,
    closedAt: t.closed_at,
    requesterId: t.requester_id,
    mergedInto: t.merged_into,
    sla: sla(t, events, now),
  };
}

/** Opens a ticket with the next number of the ente's year and the SLA targets of its category and priority. */
export async function openTicket(
  db: Kysely<DB>,
  actor: Actor,
  enteId: string,
  input: OpenTicketInput,
  options: { now?: Date; requesterId?: string | null } = {},
): Promise<TicketView> {
  validateOpen(input);
  const priority = priorityOf(input.urgency, input.impact);
  const target = await store.slaTarget(db, input.category, priority);
  if (!target) {
    if (!(await store.categoryExists(db, input.category))) throw unprocessable(`Categoria sconosciuta: ${input.category}`);
    throw unprocessable(`Nessun obiettivo di servizio per la categoria ${input.category} e la priorità ${priority}`);
  }
  const now = options.now ?? new Date();
  const values = {
    ente_id: enteId,
    channel: input.channel,
    caller_name: input.callerName.trim(),
    caller_phone: input.callerPhone?.trim() || null,
    caller_email: input.callerEmail?.trim().toLowerCase() || null,
    category_code: input.category,
    urgency: input.urgency,
    impact: input.impact,
    priority,
    subject: input.subject.trim(),
    description: input.description.trim(),
    first_response_minutes: target.first_response_minutes,
    resolution_minutes: target.resolution_minutes,
    opened_at: now,
    created_by: actor.id,
    requester_id: options.requesterId ?? null,
  };
  // A new ticket has no events yet: its due times are known before the transaction, which then holds the
  // ente's counter row only for the insert.
  const due = dueFields({ ...values, id: '', year: 0, number: 0, state: 'new', assignee_id: null, first_response_at: null, solved_at: null, closed_at: null, due_at: null, warn_at: null, escalated_at: null, first_response_met: null, resolution_met: null, merged_into: null }, [], now);
  return withEnte(db, enteId, async (trx) => {
    const year = yearInRome(now);
    const number = await store.nextTicketNumber(trx, enteId, year);
    const row = (await trx
      .insertInto('ticket')
      .values({
        ...values,
        ...due,
        year,
        number,
      })
      .returningAll()
      .executeTakeFirstOrThrow()) as TicketRow;
    await recordAudit(trx, {
      enteId,
      actor,
      action: 'ticket.open',
      entity: 'ticket',
      entityId: row.id,
      after: { number: ticketLabel(row), channel: row.channel, category: row.category_code, priority, subject: row.subject },
    });
    return view(row, [], now);
  });
}

export async function lockedTicket(trx: Trx, id: string): Promise<TicketRow> {
  const ticket = await store.ticketById(trx, id, true);
  if (!ticket) throw notFound('Ticket inesistente');
  return ticket;
}

export async function writeEvent(
  trx: Trx,
  ticket: Pick<TicketRow, 'ente_id' | 'id'>,
  actor: Actor,
  at: Date,
  event: Partial<Pick<EventRow, 'body' | 'from_state' | 'to_state' | 'assignee_id'>> & { kind: EventRow['kind'] },
): Promise<number> {
  return store.insertEvent(trx, {
    ente_id: ticket.ente_id,
    ticket_id: ticket.id,
    kind: event.kind,
    body: event.body ?? null,
    from_state: event.from_state ?? null,
    to_state: event.to_state ?? null,
    assignee_id: event.assignee_id ?? null,
    author_id: actor.id,
    author_label: actor.label,
    at,
  });
}

/** Who writes: the desk (CST staff) or a requester of the ente; decides what a write may do. */
export type Side = 'desk' | 'requester';

async function addMessage(
  db: Kysely<DB>,
  actor: Actor,
  enteId: string,
  ticketId: string,
  body: string,
  kind: 'public_reply' | 'internal_note',
  side: Side,
  now: Date,
): Promise<number> {
  const text = body?.trim() ?? '';
  if (!text) throw unprocessable(kind === 'public_reply' ? 'Il testo della risposta è obbligatorio' : 'Il testo della nota è obbligatorio');
  if (text.length > 20_000) throw unprocessable('Il testo è troppo lungo (al massimo 20.000 caratteri)');
  if (kind === 'internal_note' && side !== 'desk') throw forbidden('Le note interne sono riservate al help desk del CST');
  return withEnte(db, enteId, async (trx) => {
    const ticket = await lockedTicket(trx, ticketId);
    if (ticket.state === 'closed') throw conflict('Il ticket è chiuso: riaprilo per scrivere');
    if (ticket.merged_into) throw conflict('Il ticket è stato unito a un altro: scrivi su quello');
    const eventId = await writeEvent(trx, ticket, actor, now, { kind, body: text });
    // The first public reply of the desk is the first response of the SLA.
    if (kind === 'public_reply' && side === 'desk' && ticket.first_response_at === null) {
      await trx.updateTable('ticket').set({ first_response_at: now }).where('id', '=', ticket.id).execute();
    }
    // The ente answered what the desk was waiting for: the clock runs again.
    if (kind === 'public_reply' && side === 'requester' && ticket.state === 'waiting_ente') {
      await trx.updateTable('ticket').set({ state: 'in_progress' }).where('id', '=', ticket.id).execute();
      await writeEvent(trx, ticket, actor, now, { kind: 'state_change', from_state: 'waiting_ente', to_state: 'in_progress' });
    }
    await refreshDue(trx, ticket.id, now);
    await recordAudit(trx, { enteId, actor, action: kind === 'public_reply' ? 'ticket.reply' : 'ticket.note', entity: 'ticket', entityId: ticket.id, after: { length: text.length } });
    return eventId;
  });
}

/** A reply the ente sees; the desk's first one stops the first-response clock, the ente's resumes a paused one. Returns the event id. */
export function addReply(db: Kysely<DB>, actor: Actor, enteId: string, ticketId: string, body: string, options: { now?: Date; side?: Side } = {}) {
  return addMessage(db, actor, enteId, ticketId, body, 'public_reply', options.side ?? 'desk', options.now ?? new Date());
}

/** A note only the desk's staff see. Returns the event id. */
export function addNote(db: Kysely<DB>, actor: Actor, enteId: string, ticketId: string, body: string, options: { now?: Date } = {}) {
  return addMessage(db, actor, enteId, ticketId, body, 'internal_note', 'desk', options.now ?? new Date());
}

/** What a requester may do with the state: confirm a solution (close) or say it is not solved (reopen). */
const requesterTransitions: readonly TicketState[] = ['closed', 'reopened'];

/** Moves the ticket to `to` if the state machine allows it (409 otherwise), with an optional comment. */
export async function changeState(
  db: Kysely<DB>,
  actor: Actor,
  enteId: string,
  ticketId: string,
  to: TicketState,
  options: { now?: Date; comment?: string | undefined; side?: Side } = {},
): Promise<void> {
  if (!(to in transitions)) throw unprocessable(`Stato sconosciuto: ${to}`);
  if ((options.side ?? 'desk') === 'requester' && !requesterTransitions.includes(to)) {
    throw forbidden("L'ente può solo confermare la soluzione (chiudere) o riaprire il ticket");
  }
  const now = options.now ?? new Date();
  await withEnte(db, enteId, async (trx) => {
    const ticket = await lockedTicket(trx, ticketId);
    if (!transitions[ticket.state].includes(to)) {
      throw conflict(`Un ticket ${STATE_NAMES[ticket.state]} non può passare a ${STATE_NAMES[to]}`);
    }
    if (to === 'assigned' && !ticket.assignee_id) throw unprocessable('Per assegnare il ticket indica un operatore');
    if (ticket.merged_into) throw conflict('Il ticket è stato unito a un altro');
    const set: Partial<Pick<TicketRow, 'state' | 'solved_at' | 'closed_at'>> = { state: to };
    if (to === 'solved') set.solved_at = now;
    if (to === 'closed') set.closed_at = now;
    if (to === 'reopened') {
      set.solved_at = null;
      set.closed_at = null;
    }
    await trx.updateTable('ticket').set(set).where('id', '=', ticket.id).execute();
    await writeEvent(trx, ticket, actor, now, { kind: 'state_change', from_state: ticket.state, to_state: to, body: options.comment?.trim() || null });
    await refreshDue(trx, ticket.id, now);
    await recordAudit(trx, { enteId, actor, action: 'ticket.state', entity: 'ticket', entityId: ticket.id, before: { state: ticket.state }, after: { state: to } });
  });
}

/** Assigns the ticket to a staff member who may operate the help desk on the ente; a new ticket becomes assigned. */
export async function assign(db: Kysely<DB>, actor: Actor, enteId: string, ticketId: string, assigneeId: string, options: { now?: Date } = {}): Promise<void> {
  const assignee = await loadStaff(db, assigneeId).catch(() => null);
  const cst = await getCstEnte(db);
  if (!assignee || !isDesk(assignee, cst?.id)) throw unprocessable("L'operatore indicato non fa parte del help desk del CST");
  const now = options.now ?? new Date();
  await withEnte(db, enteId, async (trx) => {
    const ticket = await lockedTicket(trx, ticketId);
    if (ticket.state === 'solved' || ticket.state === 'closed') throw conflict('Un ticket risolto o chiuso non può essere assegnato');
    await trx.updateTable('ticket').set({ assignee_id: assigneeId }).where('id', '=', ticket.id).execute();
    await writeEvent(trx, ticket, actor, now, { kind: 'assignment', assignee_id: assigneeId, body: assignee.displayName });
    if (ticket.state === 'new' || ticket.state === 'reopened') {
      await trx.updateTable('ticket').set({ state: 'assigned' }).where('id', '=', ticket.id).execute();
      await writeEvent(trx, ticket, actor, now, { kind: 'state_change', from_state: ticket.state, to_state: 'assigned' });
    }
    await refreshDue(trx, ticket.id, now);
    await recordAudit(trx, { enteId, actor, action: 'ticket.assign', entity: 'ticket', entityId: ticket.id, before: { assignee: ticket.assignee_id }, after: { assignee: assigneeId } });
  });
}

/** Events only the desk sees: its internal notes and the escalations of its own deadlines. */
const DESK_ONLY_EVENTS: readonly EventRow['kind'][] = ['internal_note', 'escalation'];

/** One ticket with its history; internal notes and escalations only when `withInternalNotes` (the desk). */
export async function ticketDetail(
  db: Kysely<DB>,
  enteId: string,
  ticketId: string,
  options: { withInternalNotes: boolean; now?: Date },
): Promise<(TicketView & { events: TicketEventView[] }) | undefined> {
  const now = options.now ?? new Date();
  return withEnte(db, enteId, async (trx) => {
    const ticket = await store.ticketById(trx, ticketId);
    if (!ticket) return undefined;
    const events = await store.eventsOf(trx, [ticket.id]);
    const shown = options.withInternalNotes ? events : events.filter((e) => !DESK_ONLY_EVENTS.includes(e.kind));
    return { ...view(ticket, events, now), events: shown.map(eventView) };
  });
}

/** The ente's tickets, newest first, each with its SLA. */
export async function listTickets(db: Kysely<DB>, enteId: string, query: store.ListQuery, options: { now?: Date } = {}) {
  const now = options.now ?? new Date();
  return withEnte(db, enteId, async (trx) => {
    const page = await store.listTickets(trx, query);
    const events = await store.eventsOf(trx, page.items.map((t) => t.id), ['state_change']);
    return { total: page.total, items: page.items.map((t) => view(t, events.filter((e) => e.ticket_id === t.id), now)) };
  });
}

export interface QueueItem extends TicketView {
  ente: { id: string; slug: string; name: string };
  /** The running deadline; null while paused (waiting for the ente). */
  dueAt: Date | null;
  paused: boolean;
}

/**
 * The CST's queue: the open tickets of every ente, the nearest due time first (stored, indexed), paused
 * tickets last. Crosses tenants, so it is audited on the CST's log.
 */
export async function cstQueue(
  db: Kysely<DB>,
  actor: Actor,
  options: { now?: Date; limit?: number; offset?: number; enteId?: string; assigneeId?: string; priority?: Priority } = {},
): Promise<{ total: number; items: QueueItem[] }> {
  const now = options.now ?? new Date();
  const cst = await getCstEnte(db);
  if (cst) await recordAuditEvent(db, { enteId: cst.id, actor, action: 'cross_ente.read', entity: 'ticket', after: { reason: 'coda del help desk' } });
  const { page, events } = await withCrossEnteRead(db, async (trx) => {
    const page = await store.openTicketsAcrossEnti(trx, {
      limit: options.limit ?? 100,
      offset: options.offset ?? 0,
      enteId: options.enteId,
      assigneeId: options.assigneeId,
      priority: options.priority,
    });
    const events = await store.eventsOf(trx, page.items.map((t) => t.id), ['state_change']);
    return { page, events };
  });
  const byTicket = new Map<string, EventRow[]>();
  for (const e of events) byTicket.set(e.ticket_id, [...(byTicket.get(e.ticket_id) ?? []), e]);
  const items = page.items.map((t) => {
    const v = view(t, byTicket.get(t.id) ?? [], now);
    return { ...v, ente: { id: t.ente_id, slug: t.ente_slug, name: t.ente_name }, dueAt: t.due_at, paused: t.state === 'waiting_ente' };
  });
  return { total: page.total, items };
}
