// The help desk's inbound mail (assistenza@… by default, see mailboxOf). Every message is first kept raw (.eml in the CST's file store) with an
// inbound_mail row — only then is the sender told it was accepted — and then processed into one clear outcome:
// a new ticket, a public reply threaded into its ticket, quarantine for the desk to sort out by hand (unknown
// sender, an ente the sender is not known for, a reply from someone not entitled to the ticket, unreadable
// MIME), or discarded (auto-replies and bounces: no mail loops). The same Message-ID delivered twice is one row.
import { recordAudit, type Actor } from '../../../platform/audit/index.js';
import { withEnte } from '../../../platform/db/index.js';
import { HttpProblem } from '../../../platform/http/problem.js';
import type { InboundMailHandler, InboundMessage } from '../../../platform/mail/inbound.js';
import type { Platform } from '../../../platform/platform.js';
import { getCstEnte, getEnteById, getEnteBySlug, type Ente } from '../../../platform/tenancy/index.js';
import { parseMail, syntheticMessageId, type ParsedMail } from './parse.js';
import { entitledTo, enteOfRecipients, findThread, identifySender, mailboxOf, senderEnti, slugOfRecipient } from './resolve.js';
import { openFromMail, threadInto, type Outcome } from './tickets.js';
import { claimInbound, insertInbound, stalledInbound, type InboundRow, type InboundState } from './store.js';

/** The handler the kernel's SMTP listener (and the MTA pipe) delivers to: assistenza@… and assistenza+{slug}@…. */
export function helpdeskInboundMail(platform: Platform): InboundMailHandler {
  return {
    async accepts(address) {
      const slug = slugOfRecipient(address, mailboxOf(platform));
      if (slug === undefined || !(await getCstEnte(platform.db.app))) return false;
      return slug === null || (await getEnteBySlug(platform.db.app, slug)) !== undefined;
    },
    deliver: async (message) => {
      await receiveMail(platform, message);
    },
  };
}

const errorText = (err: unknown) => (err instanceof HttpProblem ? (err.detail ?? err.title) : err instanceof Error ? err.message : String(err)).slice(0, 500);

/** Stores the message (resolves once it is durable), then processes it; a duplicate Message-ID is stored once. */
export async function receiveMail(platform: Platform, message: InboundMessage): Promise<InboundRow | undefined> {
  const { db, files } = platform;
  const cst = await getCstEnte(db.app);
  if (!cst) throw new Error('no CST ente: the help desk mailbox has no owner');
  let parsed: ParsedMail | undefined;
  let parseError: string | undefined;
  try {
    parsed = await parseMail(message.raw, message.mailFrom);
  } catch (err) {
    parseError = errorText(err);
  }
  const row = await withEnte(db.app, cst.id, async (trx) => {
    const stored = await files.put(trx, cst.id, { bytes: message.raw, mediaType: 'message/rfc822', originalName: 'messaggio.eml' });
    const inserted = await insertInbound(trx, {
      ente_id: cst.id,
      message_id: parsed?.messageId ?? syntheticMessageId(message.raw),
      sha256: stored.sha256,
      size_bytes: stored.sizeBytes,
      envelope_from: message.mailFrom,
      envelope_to: message.rcptTo,
      remote_address: message.remoteAddress,
      from_address: parsed?.from?.address ?? null,
      from_name: parsed?.from?.name || null,
      subject: parsed?.subject.slice(0, 998) || null,
      received_at: message.receivedAt,
    });
    if (inserted) {
      await recordAudit(trx, {
        enteId: cst.id,
        actor: { id: null, label: 'posta in arrivo', ip: message.remoteAddress ?? undefined },
        action: 'inbound_mail.receive',
        entity: 'inbound_mail',
        entityId: inserted.id,
        after: { messageId: inserted.message_id, from: inserted.from_address, subject: inserted.subject, size: inserted.size_bytes },
      });
    }
    return inserted;
  });
  if (!row) {
    platform.log.info({ messageId: parsed?.messageId }, 'inbound mail: duplicate delivery ignored');
    return undefined;
  }
  // Stored: the sender gets 250 whatever happens next (the recovery job picks up a row left half way).
  await processInbound(platform, cst, row, parsed ? { parsed } : { parseError: parseError ?? 'errore sconosciuto' }).catch((err: unknown) =>
    platform.log.error({ err, inboundMail: row.id }, 'inbound mail: stored but not processed'),
  );
  return row;
}

/**
 * One processing attempt of a 'received' row (claimed, so two processes never both work it); without `input`
 * the raw message is read again. Whatever goes wrong while deciding ends in quarantine with the reason.
 */
export async function processInbound(platform: Platform, cst: Ente, row: InboundRow, input?: { parsed: ParsedMail } | { parseError: string }): Promise<void> {
  const { db } = platform;
  const claimed = await withEnte(db.app, cst.id, (trx) => claimInbound(trx, row.id, row.attempts, new Date()));
  if (!claimed) return;
  let outcome: Outcome;
  try {
    let parsed: ParsedMail;
    if (input && 'parseError' in input) throw new MimeError(input.parseError);
    if (input) parsed = input.parsed;
    else {
      const raw = await rawOf(platform, cst, row);
      parsed = await parseMail(raw, row.envelope_from).catch((err: unknown) => {
        throw new MimeError(errorText(err));
      });
    }
    outcome = await decide(platform, cst, row, parsed);
  } catch (err) {
    if (!(err instanceof MimeError)) platform.log.warn({ err, inboundMail: row.id }, 'inbound mail: processing failed, quarantined');
    outcome = { state: 'quarantined', reason: err instanceof MimeError ? `Formato del messaggio non leggibile: ${err.message}` : `Errore durante l'elaborazione: ${errorText(err)}` };
  }
  await finishInbound(platform, cst, row.id, ['received'], outcome, { id: null, label: 'posta in arrivo' });
}

class MimeError extends Error {}

export async function rawOf(platform: Platform, cst: Ente, row: InboundRow): Promise<Buffer> {
  const file = await withEnte(platform.db.app, cst.id, (trx) => platform.files.get(trx, row.sha256));
  if (!file) throw new Error(`raw message ${row.sha256} missing from the file store`);
  return file.bytes;
}

const quarantine = (reason: string): Outcome => ({ state: 'quarantined', reason });

/** What a parsed message becomes. Never a ticket in an ente its sender is not known for. */
async function decide(platform: Platform, cst: Ente, row: InboundRow, parsed: ParsedMail): Promise<Outcome> {
  if (parsed.automatic) return { state: 'discarded', reason: `Non elaborato: ${parsed.automatic}` };
  if (!parsed.from) return quarantine("Mittente mancante o non valido (intestazione From): impossibile stabilire l'ente");
  const email = parsed.from.address;
  // Our own address as sender: a notification of ours coming back (e.g. a ticket whose caller is the mailbox).
  if (slugOfRecipient(email, mailboxOf(platform)) !== undefined) return { state: 'discarded', reason: `Non elaborato: il mittente è la casella dell'assistenza (${email}), possibile ciclo di posta` };
  const sender = await identifySender(platform, email, cst.id);
  const known = senderEnti(sender);
  const named = await enteOfRecipients(platform, row.envelope_to);
  if (named.kind === 'several') return quarantine(`Il messaggio è indirizzato a più enti (${named.slugs.join(', ')}): smistarlo a mano`);
  const actor: Actor = { id: null, label: `e-mail ${email}` };
  const requesterOf = (enteId: string) => (sender.staffEnti.has(enteId) ? sender.staffId : null);

  const thread = await findThread(platform, cst.id, parsed, named.kind === 'one' ? [named.ente.id] : [...known]);
  if (thread.kind === 'missing') return quarantine(`Il messaggio si riferisce a un ticket inesistente o non individuabile (${thread.reference})`);
  if (thread.kind === 'found') {
    const ticket = thread.ticket;
    const label = `${ticket.number}/${ticket.year}`;
    if (named.kind === 'one' && named.ente.id !== ticket.ente_id) {
      return quarantine(`Il destinatario indica ${named.ente.name}, ma il ticket ${label} è di un altro ente: risposta non inserita`);
    }
    if (!(await entitledTo(platform, sender, ticket))) {
      return quarantine(`Il mittente ${email} non è tra i referenti dell'ente del ticket ${label}: risposta non inserita`);
    }
    return threadInto(platform, actor, ticket, parsed, { requesterId: requesterOf(ticket.ente_id) });
  }

  let ente: Ente | undefined;
  if (named.kind === 'one') {
    if (!known.has(named.ente.id)) {
      return quarantine(`Il mittente ${email} non risulta tra i referenti di ${named.ente.name}: ticket non aperto (ente indicato non verificato)`);
    }
    ente = named.ente;
  } else if (known.size === 0) {
    return quarantine(`Mittente sconosciuto: ${email} non è referente di alcun ente`);
  } else if (known.size > 1) {
    return quarantine(`Il mittente ${email} è referente di più enti: per aprire il ticket deve scrivere a assistenza+{ente}@…`);
  } else {
    ente = await getEnteById(platform.db.app, [...known][0]!);
  }
  if (!ente) return quarantine("Ente del mittente non trovato");
  return openFromMail(platform, actor, ente.id, parsed, { requesterId: requesterOf(ente.id) });
}

/** Records the outcome on the row if it is still in one of `from` states; false when someone else handled it first. */
export async function finishInbound(platform: Platform, cst: Ente, id: string, from: InboundState[], outcome: Outcome, actor: Actor): Promise<boolean> {
  return withEnte(platform.db.app, cst.id, async (trx) => {
    const ticket = 'ticket' in outcome ? outcome.ticket : null;
    const updated = await trx
      .updateTable('inbound_mail')
      .set({
        state: outcome.state,
        reason: outcome.reason,
        ticket_ente_id: ticket?.enteId ?? null,
        ticket_id: ticket?.id ?? null,
        ticket_label: ticket?.label ?? null,
        handled_at: new Date(),
        handled_by: actor.label,
      })
      .where('id', '=', id)
      .where('state', 'in', from)
      .returning('id')
      .executeTakeFirst();
    if (!updated) return false;
    await recordAudit(trx, { enteId: cst.id, actor, action: `inbound_mail.${outcome.state}`, entity: 'inbound_mail', entityId: id, after: { reason: outcome.reason, ticket } });
    return true;
  });
}

/**
 * Recovery (a job): rows never processed are processed now; rows whose processing began but never finished
 * (the process stopped half way) go to quarantine, because a ticket may already exist for them.
 */
export async function recoverStalled(platform: Platform, now = new Date()): Promise<number> {
  const cst = await getCstEnte(platform.db.app);
  if (!cst) return 0;
  const rows = await withEnte(platform.db.app, cst.id, (trx) => stalledInbound(trx, new Date(now.getTime() - 2 * 60_000), 50));
  for (const row of rows) {
    if (row.attempts === 0) await processInbound(platform, cst, row);
    else {
      const reason = "Elaborazione interrotta: verificare se il ticket o la risposta esistono già prima di smistarlo";
      await finishInbound(platform, cst, row.id, ['received'], { state: 'quarantined', reason }, { id: null, label: 'posta in arrivo' });
    }
  }
  return rows.length;
}
