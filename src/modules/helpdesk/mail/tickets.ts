// What a message does to the tickets, through the help desk's service (same rules, same audit as the web):
// open a new ticket from it (channel e-mail; the desk triages category, urgency and impact), or add it as the
// requester's public reply to its ticket (reopening a solved one; a closed one gets a new ticket that refers to
// it). Attachments, inline images included, go to the ticket's ente through attachFiles.
import type { Actor } from '../../../platform/audit/index.js';
import type { Platform } from '../../../platform/platform.js';
import { attachFiles, MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS_PER_CALL } from '../attachments.js';
import { addReply, changeState, openTicket, ticketLabel } from '../service.js';
import { replyText, type ParsedMail } from './parse.js';
import type { ThreadTicket } from './resolve.js';

export interface TicketRef {
  enteId: string;
  id: string;
  label: string;
}

export type Outcome =
  | { state: 'ticket_created' | 'reply_threaded'; reason: string | null; ticket: TicketRef }
  | { state: 'quarantined' | 'discarded'; reason: string };

const MAX_TEXT = 20_000;
const TRUNCATED = '\n\n[… testo troncato: il messaggio completo è conservato nella posta in arrivo del CST]';

const clip = (text: string) => (text.length <= MAX_TEXT ? text : text.slice(0, MAX_TEXT - TRUNCATED.length) + TRUNCATED);

/** The subject of a new ticket: without reply prefixes and our tag; a placeholder when too short. */
export function ticketSubject(subject: string): string {
  const bare = subject
    .replace(/\[CST #\d{1,9}\/\d{4}\]/gi, '')
    .replace(/^\s*((re|r|fwd|fw|i|rif)\s*:\s*)+/i, '')
    .replace(/\s+/g, ' ')
    .trim();
  if (bare.length < 3) return 'Segnalazione via e-mail senza oggetto';
  return bare.length > 300 ? `${bare.slice(0, 299)}…` : bare;
}

const joinReasons = (...parts: (string | null)[]) => parts.filter(Boolean).join('. ') || null;

/** Attaches the message's files in batches; returns a note on what could not be attached (the raw message keeps it). */
async function attachAll(platform: Platform, actor: Actor, ticket: TicketRef, attachments: ParsedMail['attachments'], eventId: number | null): Promise<string | null> {
  const tooLarge = attachments.filter((a) => a.bytes.length > MAX_ATTACHMENT_BYTES);
  const fit = attachments.filter((a) => a.bytes.length <= MAX_ATTACHMENT_BYTES);
  const notes: string[] = [];
  if (tooLarge.length > 0) notes.push(`Allegati oltre i 20 MB non copiati sul ticket (restano nel messaggio originale): ${tooLarge.map((a) => a.fileName).join(', ')}`);
  for (let i = 0; i < fit.length; i += MAX_ATTACHMENTS_PER_CALL) {
    const batch = fit.slice(i, i + MAX_ATTACHMENTS_PER_CALL);
    try {
      await attachFiles(platform.db.app, platform.files, actor, ticket.enteId, ticket.id, batch, { eventId });
    } catch (err) {
      platform.log.warn({ err, ticket: ticket.id }, 'inbound mail: attachments not saved');
      notes.push(`Allegati non salvati sul ticket (restano nel messaggio originale): ${batch.map((a) => a.fileName).join(', ')}`);
    }
  }
  return notes.length > 0 ? notes.join('. ') : null;
}

/** A new ticket from the message; `followUpOf` when it answers a closed ticket. */
export async function openFromMail(
  platform: Platform,
  actor: Actor,
  enteId: string,
  mail: ParsedMail,
  options: { requesterId?: string | null; followUpOf?: string } = {},
): Promise<Outcome> {
  const from = mail.from!;
  const text = mail.text || '(messaggio senza testo)';
  const description = clip(options.followUpOf ? `Seguito del ticket chiuso ${options.followUpOf}.\n\n${text}` : text);
  const ticket = await openTicket(
    platform.db.app,
    actor,
    enteId,
    {
      channel: 'email',
      callerName: (from.name || from.address.split('@')[0] || from.address).slice(0, 200),
      callerEmail: from.address,
      category: 'altro',
      urgency: 3,
      impact: 3,
      subject: ticketSubject(mail.subject),
      description,
    },
    { requesterId: options.requesterId ?? null },
  );
  const ref = { enteId, id: ticket.id, label: ticket.label };
  const attachmentNote = mail.attachments.length > 0 ? await attachAll(platform, actor, ref, mail.attachments, null) : null;
  const followUp = options.followUpOf ? `Risposta al ticket chiuso ${options.followUpOf}: aperto il nuovo ticket ${ticket.label}` : null;
  return { state: 'ticket_created', reason: joinReasons(followUp, attachmentNote), ticket: ref };
}

/**
 * The message as the requester's public reply on `ticket`: a solved ticket is reopened first; a closed one
 * cannot take replies, so a new ticket referring to it is opened instead.
 */
export async function threadInto(platform: Platform, actor: Actor, ticket: ThreadTicket, mail: ParsedMail, options: { requesterId?: string | null } = {}): Promise<Outcome> {
  const label = ticketLabel(ticket);
  if (ticket.state === 'closed') return openFromMail(platform, actor, ticket.ente_id, mail, { requesterId: options.requesterId ?? null, followUpOf: label });
  let reopened: string | null = null;
  if (ticket.state === 'solved') {
    await changeState(platform.db.app, actor, ticket.ente_id, ticket.id, 'reopened', { side: 'requester', comment: 'Riaperto da una risposta via e-mail' });
    reopened = `Il ticket ${label} era risolto: riaperto dalla risposta`;
  }
  const text = replyText(mail.text) || (mail.attachments.length > 0 ? '(risposta via e-mail: vedi allegati)' : '(risposta via e-mail senza testo)');
  const eventId = await addReply(platform.db.app, actor, ticket.ente_id, ticket.id, clip(text), { side: 'requester' });
  const ref = { enteId: ticket.ente_id, id: ticket.id, label };
  const attachmentNote = mail.attachments.length > 0 ? await attachAll(platform, actor, ref, mail.attachments, eventId) : null;
  return { state: 'reply_threaded', reason: joinReasons(reopened, attachmentNote), ticket: ref };
}
