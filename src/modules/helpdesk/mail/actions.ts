// What the desk does with a message the intake could not place ("Posta da smistare"): open a ticket from it
// in the ente the desk chooses, add it as the requester's reply to a ticket, or discard it with a reason. The
// same ticket rules as the automatic intake (tickets.ts); each action closes the row once, audited.
import type { Actor } from '../../../platform/audit/index.js';
import { withEnte } from '../../../platform/db/index.js';
import { conflict, notFound, unprocessable } from '../../../platform/http/problem.js';
import type { Platform } from '../../../platform/platform.js';
import type { Ente } from '../../../platform/tenancy/index.js';
import { finishInbound, rawOf } from './intake.js';
import { parseMail, type ParsedMail } from './parse.js';
import { inboundById, listInbound, type InboundRow, type InboundState } from './store.js';
import { openFromMail, threadInto, type Outcome } from './tickets.js';

/** States the desk may still act on: quarantined, and discarded (an auto-reply that was a person after all). */
const ACTIONABLE: InboundState[] = ['quarantined', 'discarded'];

export async function inboundMessage(platform: Platform, cst: Ente, id: string): Promise<InboundRow | undefined> {
  return withEnte(platform.db.app, cst.id, (trx) => inboundById(trx, id));
}

export function inboundList(platform: Platform, cst: Ente, query: { states?: InboundState[]; limit: number; offset: number }) {
  return withEnte(platform.db.app, cst.id, (trx) => listInbound(trx, query));
}

/** The message read again from its raw bytes (for the desk's preview and actions); undefined when unreadable. */
export async function readInbound(platform: Platform, cst: Ente, row: InboundRow): Promise<ParsedMail | undefined> {
  const raw = await rawOf(platform, cst, row);
  return parseMail(raw).catch(() => undefined);
}

async function actionable(platform: Platform, cst: Ente, id: string): Promise<{ row: InboundRow; mail: ParsedMail }> {
  const row = await inboundMessage(platform, cst, id);
  if (!row) throw notFound('Messaggio inesistente');
  if (!ACTIONABLE.includes(row.state)) throw conflict('Il messaggio è già stato smistato');
  const mail = await readInbound(platform, cst, row);
  if (!mail) throw unprocessable('Il messaggio non è leggibile: scarica il file .eml e apri il ticket a mano');
  if (!mail.from) throw unprocessable('Il messaggio non ha un mittente valido: scarica il file .eml e apri il ticket a mano');
  return { row, mail };
}

async function close(platform: Platform, cst: Ente, row: InboundRow, outcome: Outcome, actor: Actor): Promise<Outcome> {
  if (!(await finishInbound(platform, cst, row.id, ACTIONABLE, outcome, actor))) throw conflict('Il messaggio è stato smistato nel frattempo da un altro operatore');
  return outcome;
}

const byDesk = (actor: Actor, what: string) => `${what} da ${actor.label}`;

/** Opens a ticket in `ente` from the message (channel e-mail, the sender as caller). */
export async function createTicketFromInbound(platform: Platform, actor: Actor, cst: Ente, id: string, ente: Ente): Promise<Outcome> {
  const { row, mail } = await actionable(platform, cst, id);
  const outcome = await openFromMail(platform, actor, ente.id, mail);
  return close(platform, cst, row, { ...outcome, reason: [byDesk(actor, `Smistato a ${ente.name}`), outcome.reason].filter(Boolean).join('. ') }, actor);
}

/** Adds the message as the requester's public reply to ticket `label` ('12/2026') of `ente`. */
export async function replyFromInbound(platform: Platform, actor: Actor, cst: Ente, id: string, ente: Ente, label: string): Promise<Outcome> {
  const match = /^\s*(\d{1,9})\s*\/\s*(\d{4})\s*$/.exec(label);
  if (!match) throw unprocessable('Indica il numero del ticket nella forma numero/anno, es. 12/2026');
  const { row, mail } = await actionable(platform, cst, id);
  const ticket = await withEnte(platform.db.app, ente.id, (trx) =>
    trx
      .selectFrom('ticket')
      .select(['ente_id', 'id', 'number', 'year', 'state', 'caller_email', 'merged_into', 'subject'])
      .where('number', '=', Number(match[1]))
      .where('year', '=', Number(match[2]))
      .executeTakeFirst(),
  );
  if (!ticket) throw unprocessable(`Il ticket ${match[1]}/${match[2]} non esiste per ${ente.name}`);
  const outcome = await threadInto(platform, actor, ticket, mail);
  return close(platform, cst, row, { ...outcome, reason: [byDesk(actor, 'Collegato al ticket'), outcome.reason].filter(Boolean).join('. ') }, actor);
}

/** Discards a quarantined message, keeping it (and its raw bytes) with the reason. */
export async function discardInbound(platform: Platform, actor: Actor, cst: Ente, id: string, reason: string): Promise<void> {
  const text = reason.trim();
  if (text.length < 3) throw unprocessable('Indica il motivo per cui il messaggio viene scartato');
  if (text.length > 1000) throw unprocessable('Il motivo è troppo lungo (al massimo 1.000 caratteri)');
  const row = await inboundMessage(platform, cst, id);
  if (!row) throw notFound('Messaggio inesistente');
  if (row.state !== 'quarantined') throw conflict('Si possono scartare solo i messaggi da smistare');
  if (!(await finishInbound(platform, cst, row.id, ['quarantined'], { state: 'discarded', reason: `Scartato da ${actor.label}: ${text}` }, actor))) {
    throw conflict('Il messaggio è stato smistato nel frattempo da un altro operatore');
  }
}
