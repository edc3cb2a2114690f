// SQL of the help desk's inbound mail (rules in intake.ts): the inbound_mail rows of the CST ente, always in
// a transaction bound to the CST (withEnte).
import type { Generated, Selectable } from 'kysely';
import type { DB, Trx } from '../../../platform/db/index.js';

export type InboundState = 'received' | 'ticket_created' | 'reply_threaded' | 'quarantined' | 'discarded';

declare module '../../../platform/db/schema.js' {
  interface DB {
    inbound_mail: {
      ente_id: string;
      id: Generated<string>;
      message_id: string;
      sha256: string;
      size_bytes: number;
      envelope_from: string | null;
      envelope_to: string[];
      remote_address: string | null;
      from_address: string | null;
      from_name: string | null;
      subject: string | null;
      received_at: Date;
      state: Generated<InboundState>;
      reason: string | null;
      attempts: Generated<number>;
      last_attempt_at: Date | null;
      ticket_ente_id: string | null;
      ticket_id: string | null;
      ticket_label: string | null;
      handled_at: Date | null;
      handled_by: string | null;
    };
  }
}

export type InboundRow = Selectable<DB['inbound_mail']>;

/** Inserts the row unless a message with the same Message-ID is already there; returns the new row or undefined. */
export async function insertInbound(trx: Trx, row: Omit<InboundRow, 'id' | 'state' | 'reason' | 'attempts' | 'last_attempt_at' | 'ticket_ente_id' | 'ticket_id' | 'ticket_label' | 'handled_at' | 'handled_by'>) {
  return trx
    .insertInto('inbound_mail')
    .values(row)
    .onConflict((oc) => oc.columns(['ente_id', 'message_id']).doNothing())
    .returningAll()
    .executeTakeFirst();
}

export async function inboundById(trx: Trx, id: string, forUpdate = false): Promise<InboundRow | undefined> {
  let query = trx.selectFrom('inbound_mail').selectAll().where('id', '=', id);
  if (forUpdate) query = query.forUpdate();
  return query.executeTakeFirst();
}

/** Claims a 'received' row for one processing attempt; undefined when another process took it first. */
export async function claimInbound(trx: Trx, id: string, attempts: number, now: Date): Promise<InboundRow | undefined> {
  return trx
    .updateTable('inbound_mail')
    .set({ attempts: attempts + 1, last_attempt_at: now })
    .where('id', '=', id)
    .where('state', '=', 'received')
    .where('attempts', '=', attempts)
    .returningAll()
    .executeTakeFirst();
}

/** Rows still 'received' since before `before` (a stopped process, or a row never processed). */
export async function stalledInbound(trx: Trx, before: Date, limit: number): Promise<InboundRow[]> {
  return trx.selectFrom('inbound_mail').selectAll().where('state', '=', 'received').where('received_at', '<', before).orderBy('received_at').limit(limit).execute();
}

/** Tickets that earlier messages with these Message-IDs went to (a reply-all to the mail that opened a ticket). */
export async function ticketsOfMessages(trx: Trx, messageIds: string[]) {
  if (messageIds.length === 0) return [];
  return trx
    .selectFrom('inbound_mail')
    .select(['message_id', 'ticket_ente_id', 'ticket_id'])
    .where('message_id', 'in', messageIds)
    .where('ticket_id', 'is not', null)
    .execute();
}

export interface InboundListQuery {
  states?: InboundState[] | undefined;
  limit: number;
  offset: number;
}

export async function listInbound(trx: Trx, query: InboundListQuery): Promise<{ total: number; items: InboundRow[] }> {
  let base = trx.selectFrom('inbound_mail');
  if (query.states) base = base.where('state', 'in', query.states);
  const [count] = await base.select((eb) => eb.fn.countAll<number>().as('n')).execute();
  const items = await base.selectAll().orderBy('received_at', 'desc').orderBy('id').limit(query.limit).offset(query.offset).execute();
  return { total: Number(count?.n ?? 0), items };
}
