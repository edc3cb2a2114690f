// Whom a message is from and what it is about: the enti its sender is known for, the ente its recipient names
// (assistenza+{slug}@…), and the ticket it replies to (our notification's references, an earlier message of
// the same thread, or the [CST #n/yyyy] tag of the subject). Reading tickets across enti is audited on the CST.
import { recordAuditEvent } from '../../../platform/audit/index.js';
import { withCrossEnteRead, withEnte } from '../../../platform/db/index.js';
import type { Platform } from '../../../platform/platform.js';
import { getEnteBySlug, type Ente } from '../../../platform/tenancy/index.js';
import type { TicketRow } from '../store.js';
import { subjectTag, ticketIdsIn } from './parse.js';
import { ticketsOfMessages } from './store.js';

/**
 * The help desk's mailbox: {box}@… (the ente from the sender) or {box}+{slug}@… (the ente named). The box is the
 * local part of HELPDESK_ADDRESS (the Reply-To of the notifications), 'assistenza' by default.
 */
export const mailboxOf = (platform: Pick<Platform, 'config'>) => platform.config.helpdeskAddress?.split('@')[0] || 'assistenza';

/** 'assistenza+asti@cst.example' → 'asti'; 'assistenza@…' → null; undefined when not the help desk's address. */
export function slugOfRecipient(address: string, mailbox = 'assistenza'): string | null | undefined {
  const match = /^([^@+]+)(?:\+([a-z0-9-]{1,100}))?@[^@\s]+$/.exec(address.trim().toLowerCase());
  if (!match || match[1] !== mailbox) return undefined;
  return match[2] ?? null;
}

export interface Sender {
  email: string;
  /** Staff user of that address, if any. */
  staffId: string | null;
  /** Enti where a staff user of that address may open tickets (its ente_admin, or a help desk operator). */
  staffEnti: Set<string>;
  /** Enti with an earlier ticket from that address. */
  callerEnti: Set<string>;
}

export const senderEnti = (s: Sender) => new Set([...s.staffEnti, ...s.callerEnti]);

/** What the platform knows about an address. A CST-wide admin is not "known for" every ente: only its grants count. */
export async function identifySender(platform: Platform, email: string, cstId: string): Promise<Sender> {
  const { db } = platform;
  const staff = await db.app.selectFrom('staff_user').select(['id']).where('email', '=', email).where('disabled', '=', false).executeTakeFirst();
  const staffEnti = new Set<string>();
  if (staff) {
    const grants = await db.app.selectFrom('role_grant').select(['ente_id', 'role', 'module']).where('user_id', '=', staff.id).execute();
    for (const g of grants) if (g.role === 'ente_admin' || (g.role === 'operator' && g.module === 'helpdesk')) staffEnti.add(g.ente_id);
  }
  await recordAuditEvent(db.app, { enteId: cstId, actor: { id: null, label: 'posta in arrivo' }, action: 'cross_ente.read', entity: 'ticket', after: { reason: "posta in arrivo: enti del mittente", email } });
  const rows = await withCrossEnteRead(db.app, (trx) => trx.selectFrom('ticket').select('ente_id').distinct().where('caller_email', '=', email).execute());
  return { email, staffId: staff?.id ?? null, staffEnti, callerEnti: new Set(rows.map((r) => r.ente_id)) };
}

export type RecipientEnte = { kind: 'none' } | { kind: 'one'; ente: Ente } | { kind: 'several'; slugs: string[] };

/** The ente the recipients name (assistenza+{slug}@…). Unknown slugs were refused at RCPT time. */
export async function enteOfRecipients(platform: Platform, rcptTo: string[]): Promise<RecipientEnte> {
  const slugs = [...new Set(rcptTo.map((r) => slugOfRecipient(r, mailboxOf(platform))).filter((s): s is string => typeof s === 'string'))];
  if (slugs.length === 0) return { kind: 'none' };
  if (slugs.length > 1) return { kind: 'several', slugs };
  const ente = await getEnteBySlug(platform.db.app, slugs[0]!);
  return ente ? { kind: 'one', ente } : { kind: 'none' };
}

export type ThreadTicket = Pick<TicketRow, 'ente_id' | 'id' | 'number' | 'year' | 'state' | 'caller_email' | 'merged_into' | 'subject'>;

const threadColumns = ['ente_id', 'id', 'number', 'year', 'state', 'caller_email', 'merged_into', 'subject'] as const;

export type Thread = { kind: 'none' } | { kind: 'found'; ticket: ThreadTicket } | { kind: 'missing'; reference: string };

/** Follows merges (a duplicate closed into another ticket): the reply goes to the ticket that carries on. */
async function followMerges(platform: Platform, ticket: ThreadTicket): Promise<ThreadTicket> {
  let current = ticket;
  for (let hop = 0; hop < 5 && current.merged_into; hop++) {
    const next = await withEnte(platform.db.app, current.ente_id, (trx) => trx.selectFrom('ticket').select(threadColumns).where('id', '=', current.merged_into!).executeTakeFirst());
    if (!next) break;
    current = next;
  }
  return current;
}

/**
 * The ticket a message replies to: a ticket id in its references (our notifications), an earlier message of
 * the thread that opened or replied to a ticket, or the subject's tag in one of `tagEnti` (the ente the
 * message is for). 'missing' when it points at a ticket that does not exist there.
 */
export async function findThread(platform: Platform, cstId: string, mail: { references: string[]; subject: string }, tagEnti: string[]): Promise<Thread> {
  const { db } = platform;
  const ids = ticketIdsIn(mail.references);
  const earlier = await withEnte(db.app, cstId, (trx) => ticketsOfMessages(trx, mail.references));
  if (ids.length > 0 || earlier.length > 0) {
    await recordAuditEvent(db.app, { enteId: cstId, actor: { id: null, label: 'posta in arrivo' }, action: 'cross_ente.read', entity: 'ticket', after: { reason: 'posta in arrivo: ticket a cui risponde', ids } });
    const candidates = [...ids, ...earlier.map((e) => e.ticket_id!)];
    const found = await withCrossEnteRead(db.app, (trx) => trx.selectFrom('ticket').select(threadColumns).where('id', 'in', candidates).execute());
    const first = candidates.map((id) => found.find((t) => t.id === id)).find((t) => t !== undefined);
    if (first) return { kind: 'found', ticket: await followMerges(platform, first) };
    if (ids.length > 0) return { kind: 'missing', reference: `ticket.${ids[0]}` };
  }
  const tag = subjectTag(mail.subject);
  // Without an ente for the sender the tag cannot be looked up: the message is treated as new (and quarantined).
  if (!tag || tagEnti.length === 0) return { kind: 'none' };
  const matches: ThreadTicket[] = [];
  for (const enteId of tagEnti) {
    const ticket = await withEnte(db.app, enteId, (trx) => trx.selectFrom('ticket').select(threadColumns).where('number', '=', tag.number).where('year', '=', tag.year).executeTakeFirst());
    if (ticket) matches.push(ticket);
  }
  if (matches.length === 1) return { kind: 'found', ticket: await followMerges(platform, matches[0]!) };
  return { kind: 'missing', reference: `[CST #${tag.number}/${tag.year}]` };
}

/** Whether `sender` may write on `ticket`: known for its ente, its caller, or one of its observers. */
export async function entitledTo(platform: Platform, sender: Sender, ticket: ThreadTicket): Promise<boolean> {
  if (senderEnti(sender).has(ticket.ente_id) || ticket.caller_email === sender.email) return true;
  const observer = await withEnte(platform.db.app, ticket.ente_id, (trx) =>
    trx.selectFrom('ticket_observer').select('email').where('ticket_id', '=', ticket.id).where('email', '=', sender.email).executeTakeFirst(),
  );
  return observer !== undefined;
}
