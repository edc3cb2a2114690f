// Working together on tickets: observers (people kept informed of public changes besides the caller) and
// merges (a duplicate ticket is closed into the one that carries on, keeping its history and its people).
import type { Kysely } from 'kysely';
import { recordAudit, type Actor } from '../../platform/audit/index.js';
import { withEnte, type DB } from '../../platform/db/index.js';
import { conflict, notFound, unprocessable } from '../../platform/http/problem.js';
import { refreshDue } from './due.js';
import { lockedTicket, ticketLabel, writeEvent } from './service.js';
import * as store from './store.js';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** The id of the ente's ticket labelled "n/yyyy" (as read on the phone or in a mail subject), if any. */
export async function ticketIdByLabel(db: Kysely<DB>, enteId: string, label: string): Promise<string | undefined> {
  const match = /^\s*(\d{1,9})\s*\/\s*(\d{4})\s*$/.exec(label ?? '');
  if (!match) return undefined;
  return withEnte(db, enteId, async (trx) => (await store.ticketByNumber(trx, Number(match[2]), Number(match[1])))?.id);
}

export interface ObserverView {
  email: string;
  name: string | null;
  addedAt: Date;
}

/** Adds an observer (idempotent: adding the same address twice keeps one). */
export async function addObserver(db: Kysely<DB>, actor: Actor, enteId: string, ticketId: string, who: { email: string; name?: string | null }, options: { now?: Date } = {}): Promise<void> {
  const email = who.email?.trim().toLowerCase() ?? '';
  if (!EMAIL.test(email) || email.length > 200) throw unprocessable('Indirizzo e-mail non valido');
  const now = options.now ?? new Date();
  await withEnte(db, enteId, async (trx) => {
    const ticket = await lockedTicket(trx, ticketId);
    if (ticket.state === 'closed') throw conflict('Il ticket è chiuso');
    const added = await trx
      .insertInto('ticket_observer')
      .values({ ente_id: enteId, ticket_id: ticket.id, email, name: who.name?.trim() || null, added_at: now })
      .onConflict((oc) => oc.columns(['ente_id', 'ticket_id', 'email']).doNothing())
      .returning('email')
      .executeTakeFirst();
    if (!added) return;
    await writeEvent(trx, ticket, actor, now, { kind: 'observer', body: `+ ${email}` });
    await recordAudit(trx, { enteId, actor, action: 'ticket.observer.add', entity: 'ticket', entityId: ticket.id, after: { email } });
  });
}

export async function removeObserver(db: Kysely<DB>, actor: Actor, enteId: string, ticketId: string, email: string, options: { now?: Date } = {}): Promise<void> {
  const now = options.now ?? new Date();
  await withEnte(db, enteId, async (trx) => {
    const ticket = await lockedTicket(trx, ticketId);
    const removed = await trx
      .deleteFrom('ticket_observer')
      .where('ticket_id', '=', ticket.id)
      .where('email', '=', email.trim().toLowerCase())
      .returning('email')
      .executeTakeFirst();
    if (!removed) throw notFound('Osservatore non presente sul ticket');
    await writeEvent(trx, ticket, actor, now, { kind: 'observer', body: `- ${removed.email}` });
    await recordAudit(trx, { enteId, actor, action: 'ticket.observer.remove', entity: 'ticket', entityId: ticket.id, before: { email: removed.email } });
  });
}

export async function observersOf(db: Kysely<DB>, enteId: string, ticketId: string): Promise<ObserverView[]> {
  return withEnte(db, enteId, async (trx) => {
    const rows = await trx.selectFrom('ticket_observer').selectAll().where('ticket_id', '=', ticketId).orderBy('added_at').execute();
    return rows.map((r) => ({ email: r.email, name: r.name, addedAt: r.added_at }));
  });
}

/**
 * Merges `sourceId` into `targetId` (same ente): the source is closed with a pointer to the target, and its
 * caller and observers become observers of the target, so nobody stops hearing about the problem.
 */
export async function mergeTickets(db: Kysely<DB>, actor: Actor, enteId: string, sourceId: string, targetId: string, options: { now?: Date } = {}): Promise<void> {
  if (sourceId === targetId) throw unprocessable('Un ticket non può essere unito a sé stesso');
  const now = options.now ?? new Date();
  await withEnte(db, enteId, async (trx) => {
    // Lock in a fixed order so that two opposite merges cannot deadlock.
    const [first, second] = [sourceId, targetId].sort();
    const locked = new Map([[first!, await lockedTicket(trx, first!)], [second!, await lockedTicket(trx, second!)]]);
    const source = locked.get(sourceId)!;
    const target = locked.get(targetId)!;
    for (const t of [source, target]) {
      if (t.merged_into) throw conflict(`Il ticket ${ticketLabel(t)} è già stato unito a un altro`);
      if (t.state === 'closed') throw conflict(`Il ticket ${ticketLabel(t)} è chiuso`);
    }
    await trx
      .updateTable('ticket')
      .set({ state: 'closed', merged_into: target.id, solved_at: source.solved_at ?? now, closed_at: now })
      .where('id', '=', source.id)
      .execute();
    await writeEvent(trx, source, actor, now, { kind: 'state_change', from_state: source.state, to_state: 'closed', body: `Unito al ticket ${ticketLabel(target)}` });
    await writeEvent(trx, source, actor, now, { kind: 'merge', body: `Unito al ticket ${ticketLabel(target)}` });
    await writeEvent(trx, target, actor, now, { kind: 'merge', body: `Assorbito il ticket ${ticketLabel(source)}: ${source.subject}` });
    const people = await trx.selectFrom('ticket_observer').select(['email', 'name']).where('ticket_id', '=', source.id).execute();
    if (source.caller_email) people.push({ email: source.caller_email, name: source.caller_name });
    for (const p of people) {
      if (p.email === target.caller_email) continue;
      await trx
        .insertInto('ticket_observer')
        .values({ ente_id: enteId, ticket_id: target.id, email: p.email, name: p.name, added_at: now })
        .onConflict((oc) => oc.columns(['ente_id', 'ticket_id', 'email']).doNothing())
        .execute();
    }
    await refreshDue(trx, source.id, now);
    await recordAudit(trx, { enteId, actor, action: 'ticket.merge', entity: 'ticket', entityId: source.id, after: { into: target.id } });
  });
}
