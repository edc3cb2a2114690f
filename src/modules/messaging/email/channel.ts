// The e-mail channel: each claimed delivery becomes one mail in the kernel outbox (which speaks SMTP, retries
// and keeps mail queued while SMTP_URL is unset). The outbox key `msg-delivery:<delivery id>` makes a delivery
// claimed again after a crash the same mail, so the channel is idempotent: queueing the mail and marking the
// delivery sent commit together.
//
// Every mail to a subscriber carries the ente's unsubscribe link as List-Unsubscribe, with
// List-Unsubscribe-Post for one-click unsubscription (RFC 8058), and the same link in the footer. A module's
// notification (no subscriber) carries it only when the address belongs to a subscriber of that ente. The
// sender shown is the ente that wrote the message, on the platform's address (MAIL_FROM).
import { withEnte, type Trx } from '../../../platform/db/index.js';
import { isMailAddress, type MailHeaders } from '../../../platform/mail/outbox.js';
import type { Platform } from '../../../platform/platform.js';
import { getEnteById } from '../../../platform/tenancy/index.js';
import { t } from '../../../platform/views/i18n/index.js';
import { markFailed, markSent, markSkipped, type ChannelSender } from '../engine.js';
import { unsubscribeUrl } from '../subscriptions/index.js';
import type { DeliveryRow, DispatchRow } from '../store.js';
import './messages.js';
import './store.js';

/** "Comune di Asti <noreply@…>": the ente's name on the platform's sending address. */
export function enteSender(platformFrom: string, enteName: string): string {
  const address = /<([^<>]+)>\s*$/.exec(platformFrom)?.[1] ?? platformFrom.trim();
  const name = enteName.replace(/["\\\r\n]/g, '').trim();
  return name ? `"${name}" <${address}>` : address;
}

interface Batch {
  enteSlug: string;
  enteName: string;
  from: string;
  headers: MailHeaders;
  html: string | null;
  /** By subscriber id (broadcasts) and by address (notifications). */
  subscribers: Map<string, { token: string; optedOut: boolean }>;
}

async function loadBatch(platform: Platform, trx: Trx, dispatch: DispatchRow, deliveries: DeliveryRow[]): Promise<Batch> {
  const target = await getEnteById(trx, dispatch.ente_id);
  const sender = dispatch.message_ente_id === dispatch.ente_id ? target : await getEnteById(trx, dispatch.message_ente_id);
  const extras = await trx.selectFrom('msg_dispatch_email').selectAll().where('dispatch_id', '=', dispatch.id).executeTakeFirst();
  const ids = deliveries.flatMap((d) => (d.subscriber_id ? [d.subscriber_id] : []));
  const addresses = deliveries.flatMap((d) => (d.subscriber_id ? [] : [d.address]));
  const subscribers = new Map<string, { token: string; optedOut: boolean }>();
  if (ids.length + addresses.length > 0) {
    const rows = await trx
      .selectFrom('msg_subscriber')
      .select(['id', 'email', 'unsubscribe_token', 'email_opted_out_at'])
      .where((eb) => eb.or([...(ids.length ? [eb('id', 'in', ids)] : []), ...(addresses.length ? [eb('email', 'in', addresses)] : [])]))
      .execute();
    for (const row of rows) {
      const entry = { token: row.unsubscribe_token, optedOut: row.email_opted_out_at !== null };
      subscribers.set(row.id, entry);
      if (row.email) subscribers.set(row.email, entry);
    }
  }
  return {
    enteSlug: target?.slug ?? '',
    enteName: target?.name ?? '',
    from: extras?.from_address ?? enteSender(platform.mail.from, sender?.name ?? ''),
    headers: (extras?.headers ?? {}) as MailHeaders,
    html: extras?.html ?? null,
    subscribers,
  };
}

/**
 * Queues the mail of one e-mail delivery claimed in `trx` and marks it sent there (notify.ts: at once, in the
 * notification's transaction). `outboxKey` replaces the default key for a module that had its own before.
 */
export async function queueDeliveryMail(platform: Platform, trx: Trx, dispatch: DispatchRow, delivery: DeliveryRow, outboxKey?: string): Promise<void> {
  await queueOne(platform, trx, dispatch, await loadBatch(platform, trx, dispatch, [delivery]), delivery, outboxKey);
}

/** Queues one delivery's mail and marks it sent, in `trx`. */
async function queueOne(platform: Platform, trx: Trx, dispatch: DispatchRow, batch: Batch, delivery: DeliveryRow, outboxKey = `msg-delivery:${delivery.id}`): Promise<void> {
  const subscriber = batch.subscribers.get(delivery.subscriber_id ?? delivery.address);
  // A broadcast goes only to who still wants it; a notification's opt-outs were weighed when it was made.
  if (delivery.subscriber_id && (!subscriber || subscriber.optedOut)) {
    await markSkipped(trx, delivery.id, 'disiscritto dalle e-mail');
    return;
  }
  const headers: MailHeaders = { ...batch.headers };
  let text = dispatch.body.trimEnd();
  if (subscriber) {
    const link = unsubscribeUrl(platform, batch.enteSlug, subscriber.token);
    headers['List-Unsubscribe'] = `<${link}>`;
    headers['List-Unsubscribe-Post'] = 'List-Unsubscribe=One-Click';
    if (delivery.subscriber_id) text += `\n\n-- \n${t('messaging.email.footer', { ente: batch.enteName })}\n${t('messaging.email.unsubscribe', { url: link })}`;
  }
  const mail = await platform.mail.queue(trx, {
    enteId: delivery.ente_id,
    key: outboxKey,
    to: delivery.address,
    subject: dispatch.title.replace(/\s+/g, ' ').trim(),
    text: `${text}\n`,
    html: batch.html,
    from: batch.from,
    headers,
  });
  await markSent(trx, delivery.id, { providerRef: mail.id });
}

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err)).slice(0, 500);

export const emailSender: ChannelSender = {
  channel: 'email',
  batchSize: 200,
  leaseSeconds: 30,
  idempotent: true,
  // The outbox keeps mail queued without SMTP_URL and sends it once configured: nothing to wait for here.
  ready: () => true,
  async send(platform, dispatch, deliveries) {
    const enteId = dispatch.ente_id;
    const invalid = deliveries.filter((d) => !isMailAddress(d.address));
    if (invalid.length > 0) {
      await withEnte(platform.db.app, enteId, async (trx) => {
        for (const d of invalid) await markFailed(trx, d.id, `indirizzo e-mail non valido: ${d.address}`);
      });
    }
    const valid = deliveries.filter((d) => isMailAddress(d.address));
    if (valid.length === 0) return;
    try {
      // The whole batch in one commit …
      await withEnte(platform.db.app, enteId, async (trx) => {
        const batch = await loadBatch(platform, trx, dispatch, valid);
        for (const delivery of valid) await queueOne(platform, trx, dispatch, batch, delivery);
      });
    } catch (batchError) {
      // … or, when one mail is refused, each on its own so the refusal fails that delivery only.
      platform.log.warn({ err: batchError, dispatch: dispatch.id }, 'e-mail batch refused: queueing one by one');
      for (const delivery of valid) {
        try {
          await withEnte(platform.db.app, enteId, (trx) => queueDeliveryMail(platform, trx, dispatch, delivery));
        } catch (err) {
          await withEnte(platform.db.app, enteId, (trx) => markFailed(trx, delivery.id, errorText(err)));
        }
      }
    }
  },
};
