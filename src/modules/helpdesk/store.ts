// SQL of the help desk (no rules here: see service.ts). Tenant functions take an ente-bound transaction
// (withEnte); the queue takes a cross-ente read transaction (withCrossEnteRead).
import type { Generated, Kysely, Selectable } from 'kysely';
import { sql } from 'kysely';
import type { DB, Trx } from '../../platform/db/index.js';

export type Priority = 'P1' | 'P2' | 'P3' | 'P4';
export type Channel = 'phone' | 'web' | 'email';
export type TicketState = 'new' | 'assigned' | 'in_progress' | 'waiting_ente' | 'solved' | 'closed' | 'reopened';
export type EventKind = 'public_reply' | 'internal_note' | 'state_change' | 'assignment' | 'merge' | 'escalation' | 'observer' | 'attachment';

declare module '../../platform/db/schema.js' {
  interface DB {
    ticket_category: { code: string; name: string; parent_code: string | null; sort_order: Generated<number> };
    ticket_sla_target: { category_code: string; priority: Priority; first_response_minutes: number; resolution_minutes: number };
    ticket_counter: { ente_id: string; year: number; last_number: number };
    ticket: {
      ente_id: string;
      id: Generated<string>;
      year: number;
      number: number;
      channel: Channel;
      caller_name: string;
      caller_phone: string | null;
      caller_email: string | null;
      category_code: string;
      urgency: number;
      impact: number;
      priority: Priority;
      subject: string;
      description: string;
      state: Generated<TicketState>;
      assignee_id: string | null;
      first_response_minutes: number;
      resolution_minutes: number;
      opened_at: Date;
      first_response_at: Date | null;
      solved_at: Date | null;
      closed_at: Date | null;
      created_by: string | null;
      requester_id: Generated<string | null>;
      due_at: Generated<Date | null>;
      warn_at: Generated<Date | null>;
      escalated_at: Generated<Date | null>;
      first_response_met: Generated<boolean | null>;
      resolution_met: Generated<boolean | null>;
      merged_into: Generated<string | null>;
    };
    ticket_observer: { ente_id: string; ticket_id: string; email: string; name: string | null; added_at: Date };
    ticket_attachment: {
      ente_id: string;
      id: Generated<string>;
      ticket_id: string;
      event_id: number | null;
      sha256: string;
      file_name: string;
      media_type: string;
      size_bytes: number;
      public: Generated<boolean>;
      added_by: string;
      added_at: Date;
    };
    ticket_event: {
      ente_id: string;
      ticket_id: string;
      id: Generated<number>;
      kind: EventKind;
      body: string | null;
      from_state: TicketState | null;
      to_state: TicketState | null;
      assignee_id: string | null;
      author_id: string | null;
      author_label: string;
      at: Date;
    };
  }
}

// Row shapes as selected, derived from the table declarations above (one source of truth).
export type TicketRow = Selectable<DB['ticket']>;
export type EventRow = Selectable<DB['ticket_event']>;

export const categories = (db: Kysely<DB> | Trx) =>
  db.selectFrom('ticket_category').select(['code', 'name', 'parent_code as parentCode']).orderBy('sort_order').execute();

export async function slaTarget(db: Kysely<DB> | Trx, categoryCode: string, priority: Priority) {
  return db
    .selectFrom('ticket_sla_target')
    .select(['first_response_minutes', 'resolution_minutes'])
    .where('category_code', '=', categoryCode)
    .where('priority', '=', priority)
    .executeTakeFirst();
}

export async function categoryExists(db: Kysely<DB> | Trx, code: string): Promise<boolean> {
  return (await db.selectFrom('ticket_category').select('code').where('code', '=', code).executeTakeFirst()) !== undefined;
}

/** The next ticket number of the ente for `year`: row-locked increment, rolled back with a failed opening. */
export async function nextTicketNumber(trx: Trx, enteId: string, year: number): Promise<number> {
  const row = await trx
    .insertInto('ticket_counter')
    .values({ ente_id: enteId, year, last_number: 1 })
    .onConflict((oc) => oc.columns(['ente_id', 'year']).doUpdateSet({ last_number: sql`ticket_counter.last_number + 1` }))
    .returning('last_number')
    .executeTakeFirstOrThrow();
  return row.last_number;
}

export async function ticketById(trx: Trx, id: string, forUpdate = false): Promise<TicketRow | undefined> {
  let query = trx.selectFrom('ticket').selectAll().where('id', '=', id);
  if (forUpdate) query = query.forUpdate();
  return (await query.executeTakeFirst()) as TicketRow | undefined;
}

/** The ente's ticket numbered `number`/`year` (the label staff read on the phone). */
export async function ticketByNumber(trx: Trx, year: number, number: number): Promise<TicketRow | undefined> {
  return (await trx.selectFrom('ticket').selectAll().where('year', '=', year).where('number', '=', number).executeTakeFirst()) as TicketRow | undefined;
}

export async function eventsOf(trx: Trx, ticketIds: string[], kinds?: EventKind[]): Promise<EventRow[]> {
  if (ticketIds.length === 0) return [];
  let query = trx.selectFrom('ticket_event').selectAll().where('ticket_id', 'in', ticketIds);
  if (kinds) query = query.where('kind', 'in', kinds);
  return (await query.orderBy('at').orderBy('id').execute()) as EventRow[];
}

export async function insertEvent(trx: Trx, event: Omit<EventRow, 'id'>): Promise<number> {
  const row = await trx.insertInto('ticket_event').values(event).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

export interface ListQuery {
  state?: TicketState | undefined;
  limit: number;
  offset: number;
}

/** The ente's tickets, newest first. */
export async function listTickets(trx: Trx, query: ListQuery): Promise<{ total: number; items: TicketRow[] }> {
  let base = trx.selectFrom('ticket');
  if (query.state) base = base.where('state', '=', query.state);
  const [count] = await base.select((eb) => eb.fn.countAll<number>().as('n')).execute();
  const items = await base.selectAll().orderBy('opened_at', 'desc').orderBy('number', 'desc').limit(query.limit).offset(query.offset).execute();
  return { total: Number(count?.n ?? 0), items: items as TicketRow[] };
}

export interface QueueQuery {
  limit: number;
  offset: number;
  enteId?: string | undefined;
  assigneeId?: string | undefined;
  priority?: Priority | undefined;
}

/**
 * Open tickets of every ente visible in `trx` (a cross-ente read), with their ente: the nearest stored due
 * time first, paused tickets last (index ticket_queue), and how many match.
 */
export async function openTicketsAcrossEnti(trx: Trx, query: QueueQuery) {
  let base = trx.selectFrom('ticket as t').where('t.state', 'not in', ['solved', 'closed']);
  if (query.enteId) base = base.where('t.ente_id', '=', query.enteId);
  if (query.assigneeId) base = base.where('t.assignee_id', '=', query.assigneeId);
  if (query.priority) base = base.where('t.priority', '=', query.priority);
  const [count] = await base.select((eb) => eb.fn.countAll<number>().as('n')).execute();
  const items = (await base
    .innerJoin('ente as e', 'e.id', 't.ente_id')
    .selectAll('t')
    .select(['e.slug as ente_slug', 'e.name as ente_name'])
    .orderBy('t.due_at', (ob) => ob.asc().nullsLast())
    .orderBy('t.opened_at')
    .limit(query.limit)
    .offset(query.offset)
    .execute()) as (TicketRow & { ente_slug: string; ente_name: string })[];
  return { total: Number(count?.n ?? 0), items };
}
