// The public notification service: another module (help desk, payments, albo, messaging's own one-time codes)
// notifies one citizen or staff member through the same channels and consent rules as the broadcasts.
//
// A notification is a msg_message of kind 'notification' keyed by (origin_module, origin_key): the same key
// again is the same notification and sends nothing new. It has one dispatch in the same ente, created straight
// in state 'sending' (nothing to plan), with at most one delivery per channel group — mobile (App IO when the
// person's fiscal code is known and the ente has an IO service, else SMS) and e-mail — sent by the channel
// senders of the broadcasts. Everything commits in one transaction: the caller's own when it passes one, so the
// notification exists exactly when the caller's change does. The e-mail is queued in the kernel outbox right
// there (queueing mail is itself transactional, so there is nothing to gain from a send job); the mobile
// channels talk to outside peers and go through their send jobs, enqueued in the same transaction.
import { sql } from 'kysely';
import { recordAudit, type Actor } from '../../platform/audit/index.js';
import { withEnte, type Trx } from '../../platform/db/index.js';
import { isMailAddress, type MailHeaders } from '../../platform/mail/outbox.js';
import type { Platform } from '../../platform/platform.js';
import { queueDeliveryMail } from './email/channel.js';
import { enqueueSend } from './engine.js';
import { getSettings, hasAppIoService, MessagingError, mobileChannel } from './service.js';
import { normalizePhone, PhoneNumberError } from './sms/phone.js';
import type { Channel } from './store.js';
import './email/store.js';

const ALL_CHANNELS: readonly Channel[] = ['appio', 'sms', 'email'];

export interface NotifyInput {
  /** The ente in whose name it goes (and whose tenant holds it). */
  enteId: string;
  /** 'helpdesk' | 'payments' | 'messaging' (one-time codes) … */
  module: string;
  /** Idempotency key, unique per ente + module: the same key is the same notification, nothing is sent again. */
  key: string;
  to: { fiscalCode?: string | null | undefined; phone?: string | null | undefined; email?: string | null | undefined };
  /** E-mail subject, App IO subject. */
  title: string;
  /** Plain text: the e-mail's text part, App IO markdown. */
  body: string;
  /** SMS text (default: the title). */
  smsText?: string | null | undefined;
  /** Channels allowed (default all): a one-time code by SMS is ['sms'], by e-mail ['email']. */
  channels?: readonly Channel[] | undefined;
  /** The person asked for it just now (one-time code): their opt-outs do not block it. */
  requested?: boolean | undefined;
  /** E-mail extras, e.g. the help desk's threading headers. */
  email?:
    | {
        headers?: MailHeaders | undefined;
        html?: string | null | undefined;
        from?: string | null | undefined;
        /** The outbox key of the mail (default `msg-delivery:<delivery id>`): a module that queued its mails in the
         * outbox before keeps its keys, so a mail queued before the switch is not sent again after it. */
        outboxKey?: string | undefined;
      }
    | undefined;
  /** Enqueue inside the caller's transaction; it must be bound to `enteId` (withEnte). */
  trx?: Trx | undefined;
  /** Who causes it, for the audit log (default: the module). */
  actor?: Actor | undefined;
}

export interface NotifyDelivery {
  channel: Channel;
  address: string;
}

export interface NotifyResult {
  messageId: string;
  /** False when the key was known: nothing new was written nor sent. */
  created: boolean;
  /** What goes out (for a known key: what went out for it). */
  deliveries: NotifyDelivery[];
  /** Addresses left out because the person opted out of that channel in this ente. */
  skipped: (NotifyDelivery & { reason: string })[];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MODULE = /^[a-z][a-z0-9_-]{0,39}$/;
const FISCAL_CODE = /^[A-Z0-9]{16}$/;
const HEADER_NAME = /^[A-Za-z0-9][A-Za-z0-9-]*$/;
const LINE_BREAK = /[\r\n]/;
/** What msg_message keeps (its checks); the dispatch keeps the full text that is sent. */
const MESSAGE_TITLE_MAX = 120;
const MESSAGE_BODY_MAX = 10_000;
const OPTED_OUT = 'disiscritto da questo canale';

interface Recipient {
  phone: string | null;
  smsCapable: boolean;
  email: string | null;
  fiscalCode: string | null;
}

/** Checks and normalises the input; Italian messages for the caller (422). */
function recipientOf(input: NotifyInput): Recipient {
  if (!UUID.test(input.enteId)) throw new MessagingError('Ente non valido');
  if (!MODULE.test(input.module)) throw new MessagingError('Modulo della notifica non valido');
  if (!input.key?.trim() || input.key.length > 500) throw new MessagingError('Chiave della notifica mancante o troppo lunga');
  if (!input.title.trim() || input.title.length > 998 || LINE_BREAK.test(input.title)) throw new MessagingError('Titolo della notifica mancante o non valido');
  if (!input.body.trim()) throw new MessagingError('Testo della notifica mancante');
  if (input.channels && (input.channels.length === 0 || input.channels.some((c) => !ALL_CHANNELS.includes(c)))) throw new MessagingError('Canali della notifica non validi');
  const headers = input.email?.headers ?? {};
  for (const [name, value] of Object.entries(headers)) {
    if (!HEADER_NAME.test(name) || typeof value !== 'string' || LINE_BREAK.test(value)) throw new MessagingError(`Intestazione della mail non valida: ${name}`);
  }
  if (input.email?.from && LINE_BREAK.test(input.email.from)) throw new MessagingError('Mittente della mail non valido');
  if (input.email?.outboxKey !== undefined && (!input.email.outboxKey.trim() || input.email.outboxKey.length > 500)) throw new MessagingError('Chiave della mail non valida');

  let phone: string | null = null;
  let smsCapable = false;
  if (input.to.phone?.trim()) {
    try {
      const parsed = normalizePhone(input.to.phone);
      phone = parsed.e164;
      smsCapable = parsed.smsCapable;
    } catch (err) {
      if (err instanceof PhoneNumberError) throw new MessagingError(err.message);
      throw err;
    }
  }
  const email = input.to.email?.trim().toLowerCase() || null;
  if (email !== null && !isMailAddress(email)) throw new MessagingError(`Indirizzo e-mail non valido: ${email}`);
  const fiscalCode = input.to.fiscalCode?.trim().toUpperCase() || null;
  if (fiscalCode !== null && !FISCAL_CODE.test(fiscalCode)) throw new MessagingError('Codice fiscale non valido');
  if (!phone && !email && !fiscalCode) throw new MessagingError('La notifica non ha destinatari: servono un cellulare, un indirizzo e-mail o un codice fiscale');
  return { phone, smsCapable, email, fiscalCode };
}

/** Notifies one person; see the header comment. Throws MessagingError (4xx, Italian) on bad input. */
export async function notify(platform: Platform, input: NotifyInput): Promise<NotifyResult> {
  const recipient = recipientOf(input);
  if (input.trx) {
    await assertBoundTo(input.trx, input.enteId);
    return notifyIn(platform, input.trx, input, recipient);
  }
  return withEnte(platform.db.app, input.enteId, (trx) => notifyIn(platform, trx, input, recipient));
}

/** The caller's transaction must be the ente's own: a notification never lands in another tenant. */
async function assertBoundTo(trx: Trx, enteId: string): Promise<void> {
  const { rows } = await sql<{ ente: string | null }>`select nullif(current_setting('app.ente', true), '') as ente`.execute(trx);
  if (rows[0]?.ente !== enteId) throw new MessagingError('La transazione non appartiene all’ente della notifica', 403);
}

async function notifyIn(platform: Platform, trx: Trx, input: NotifyInput, recipient: Recipient): Promise<NotifyResult> {
  const allowed = input.channels ?? ALL_CHANNELS;
  const inserted = await trx
    .insertInto('msg_message')
    .values({
      ente_id: input.enteId,
      kind: 'notification',
      title: clip(input.title.trim(), MESSAGE_TITLE_MAX),
      body: clip(input.body, MESSAGE_BODY_MAX),
      sms_text: input.smsText?.trim() || null,
      target_ente_ids: [input.enteId],
      channels: ALL_CHANNELS.filter((c) => allowed.includes(c)),
      state: 'sending',
      queued_at: sql<Date>`now()`,
      created_by: `modulo:${input.module}`,
      origin_module: input.module,
      origin_key: input.key,
    })
    .onConflict((oc) => oc.columns(['ente_id', 'origin_module', 'origin_key']).doNothing())
    .returning('id')
    .executeTakeFirst();
  if (!inserted) return existing(trx, input);

  const subscribers = await trx
    .selectFrom('msg_subscriber')
    .select(['phone', 'email', 'phone_opted_out_at', 'email_opted_out_at'])
    .where((eb) => eb.or([eb('phone', '=', recipient.phone ?? ''), eb('email', '=', recipient.email ?? '')]))
    .execute();
  const optedOut = (channel: 'phone' | 'email') =>
    !input.requested && subscribers.some((s) => (channel === 'phone' ? s.phone === recipient.phone && s.phone_opted_out_at : s.email === recipient.email && s.email_opted_out_at));

  const deliveries: (NotifyDelivery & { key: 'mobile' | 'email' })[] = [];
  const skipped: NotifyResult['skipped'] = [];
  const phone = recipient.phone && optedOut('phone') ? null : recipient.phone;
  if (recipient.phone && !phone) skipped.push({ channel: 'sms', address: recipient.phone, reason: OPTED_OUT });
  const appIo = allowed.includes('appio') && recipient.fiscalCode !== null && (await hasAppIoService(trx, input.enteId));
  const mobile = mobileChannel({ appIo, fiscalCode: recipient.fiscalCode, sms: allowed.includes('sms') && Boolean(phone) && recipient.smsCapable });
  // App IO is addressed by fiscal code; the phone (when usable) is where its SMS fallback goes.
  if (mobile === 'appio') deliveries.push({ key: 'mobile', channel: 'appio', address: phone && recipient.smsCapable ? phone : recipient.fiscalCode! });
  else if (mobile === 'sms') deliveries.push({ key: 'mobile', channel: 'sms', address: phone! });
  else if (allowed.includes('sms') && phone) skipped.push({ channel: 'sms', address: phone, reason: 'numero non abilitato agli SMS' });
  if (allowed.includes('email') && recipient.email) {
    if (optedOut('email')) skipped.push({ channel: 'email', address: recipient.email, reason: OPTED_OUT });
    else deliveries.push({ key: 'email', channel: 'email', address: recipient.email });
  }

  const settings = await getSettings(trx, input.enteId);
  const dispatch = await trx
    .insertInto('msg_dispatch')
    .values({
      ente_id: input.enteId,
      message_ente_id: input.enteId,
      message_id: inserted.id,
      title: input.title.trim(),
      body: input.body,
      sms_text: input.smsText?.trim() || input.title.trim(),
      topics: [],
      channels: [...new Set(deliveries.map((d) => d.channel))],
      urgent: false,
      sender_name: settings.sms_sender,
      state: 'sending',
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  const extras = input.email;
  if (extras && (extras.html || extras.from || Object.keys(extras.headers ?? {}).length > 0)) {
    await trx
      .insertInto('msg_dispatch_email')
      .values({ ente_id: input.enteId, dispatch_id: dispatch.id, headers: JSON.stringify(extras.headers ?? {}), html: extras.html ?? null, from_address: extras.from?.trim() || null })
      .execute();
  }
  for (const d of deliveries) {
    const now = d.channel === 'email';
    const row = await trx
      .insertInto('msg_delivery')
      // The e-mail is claimed at once (as a send job would) and settled just below.
      .values({ ente_id: input.enteId, dispatch_id: dispatch.id, recipient_key: d.key, subscriber_id: null, channel: d.channel, address: d.address, fiscal_code: recipient.fiscalCode, ...(now ? { state: 'sending' as const, attempts: 1 } : {}) })
      .returningAll()
      .executeTakeFirstOrThrow();
    if (now) await queueDeliveryMail(platform, trx, dispatch, row, extras?.outboxKey);
    else await enqueueSend(platform, trx, { enteId: input.enteId, dispatchId: dispatch.id, channel: d.channel });
  }
  if (deliveries.every((d) => d.channel === 'email')) {
    // Nothing left for a send job: finished now (a failed or skipped mail is recorded on its delivery).
    await trx.updateTable('msg_dispatch').set({ state: 'done', finished_at: sql<Date>`now()` }).where('id', '=', dispatch.id).execute();
    await trx.updateTable('msg_message').set({ state: 'sent' }).where('id', '=', inserted.id).execute();
  }
  await recordAudit(trx, {
    enteId: input.enteId,
    actor: input.actor ?? { id: null, label: `modulo:${input.module}` },
    action: 'messaging.notify',
    entity: 'msg_message',
    entityId: inserted.id,
    after: { module: input.module, key: input.key, channels: deliveries.map((d) => d.channel), skipped: skipped.map((s) => s.channel) },
  });
  return { messageId: inserted.id, created: true, deliveries: deliveries.map(({ channel, address }) => ({ channel, address })), skipped };
}

/** A key seen before: what it sent, nothing new. */
async function existing(trx: Trx, input: NotifyInput): Promise<NotifyResult> {
  const message = await trx.selectFrom('msg_message').select('id').where('origin_module', '=', input.module).where('origin_key', '=', input.key).executeTakeFirstOrThrow();
  const deliveries = await trx
    .selectFrom('msg_delivery')
    .innerJoin('msg_dispatch', (join) => join.onRef('msg_dispatch.ente_id', '=', 'msg_delivery.ente_id').onRef('msg_dispatch.id', '=', 'msg_delivery.dispatch_id'))
    .select(['msg_delivery.channel', 'msg_delivery.address'])
    .where('msg_dispatch.message_ente_id', '=', input.enteId)
    .where('msg_dispatch.message_id', '=', message.id)
    .orderBy('msg_delivery.recipient_key', 'desc')
    .execute();
  return { messageId: message.id, created: false, deliveries: deliveries.map((d) => ({ channel: d.channel, address: d.address })), skipped: [] };
}

const clip = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);
