// The App IO channel: for each claimed delivery (a subscriber with a fiscal code, in an ente with an IO
// service) check the citizen's IO profile, then submit the message; no profile, or the citizen disabled the
// service → the same recipient goes by SMS (fallBackToSms; the delivery's address is the phone).
//
// Failures:
// - 429: the request was not processed. The delivery, the rest of the batch and the dispatch's other queued
//   IO deliveries wait for Retry-After; the attempt is not counted (throttling is not the recipient's fault).
// - 5xx, connection refused, profile-check timeouts: retried with exponential back-off, failed after
//   APPIO_MAX_ATTEMPTS attempts.
// - 400/401/403 or content that cannot fit the spec: failed at once with the reason (retrying cannot help).
//
// Exactly once: IO's submitMessage has no idempotency key and no way to look a message up without the id IO
// returned, so the channel is not idempotent. To keep the unknowable part as small as possible, the start of
// the submit is committed (appio_submit_at) before the request leaves. A delivery found 'sending' after its
// worker died (recover) or whose submit got no answer (timeout, connection cut) is then:
// - not yet submitting → sent again: nothing reached IO.
// - submitting → the request may or may not have created a message. For an urgent dispatch (protezione civile)
//   it is sent again: a duplicate alert in the citizen's IO inbox is harmless, a missed one is not. Otherwise it
//   is marked 'uncertain' (not sent again, visible in the statistics): for ordinary notices a duplicate is the
//   error the platform promises not to make, and the window (one HTTP round trip) is tiny.
import { sql } from 'kysely';
import { withEnte, type Trx } from '../../../platform/db/index.js';
import type { Platform } from '../../../platform/platform.js';
import { fallBackToSms, markFailed, markSent, markSkipped, type ChannelSender } from '../engine.js';
import type { DeliveryRow, DispatchRow } from '../store.js';
import { AppIoClient, AppIoError, FISCAL_CODE_PATTERN } from './client.js';
import { AppIoContentError, buildContent, type AppIoContent } from './content.js';

export const APPIO_MAX_ATTEMPTS = 6;
const BACKOFF_BASE_MS = 15_000;
const BACKOFF_MAX_MS = 15 * 60_000;
const LEASE_SECONDS = 300;
/** A batch stops taking new deliveries after this, so everything it claimed settles well within the lease. */
const BATCH_BUDGET_MS = (LEASE_SECONDS * 1000) / 2;

/** Back-off after the n-th failed attempt: 15 s, 30 s, 1 min, … up to 15 min. */
export function backoffMs(attempts: number): number {
  return Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempts - 1));
}

type Delivery = Pick<DeliveryRow, 'id' | 'ente_id' | 'dispatch_id' | 'channel' | 'attempts' | 'fiscal_code' | 'address'>;
type Dispatch = Pick<DispatchRow, 'ente_id' | 'id' | 'title' | 'body' | 'sender_name' | 'topics' | 'channels' | 'urgent'>;

/** The ente's IO service for a dispatch: the first of its topics that has one, else the default ('*'). */
export function pickService<S extends { topic_code: string }>(services: S[], topics: string[]): S | undefined {
  for (const topic of topics) {
    const own = services.find((s) => s.topic_code === topic);
    if (own) return own;
  }
  return services.find((s) => s.topic_code === '*');
}

const settle = <T>(platform: Platform, enteId: string, work: (trx: Trx) => Promise<T>) => withEnte(platform.db.app, enteId, work);

/** No IO for this recipient: SMS when the dispatch may use SMS, otherwise nothing to send. */
async function noIo(platform: Platform, dispatch: Dispatch, delivery: Delivery, reason: string): Promise<void> {
  await settle(platform, delivery.ente_id, async (trx) => {
    // The address is the phone when the citizen gave one (a notification may know only the fiscal code).
    const hasPhone = delivery.address.startsWith('+');
    if (dispatch.channels.includes('sms') && hasPhone) await fallBackToSms(platform, trx, delivery, reason);
    else await markSkipped(trx, delivery.id, `${reason}; ${hasPhone ? 'l’SMS non è tra i canali scelti' : 'nessun numero di cellulare per l’SMS'}`);
  });
}

/** Back to the queue at `at` without counting an attempt (throttling): these were not processed by IO. */
async function defer(trx: Trx, ids: string[], at: Date, reason: string): Promise<void> {
  if (ids.length === 0) return;
  await sql`update msg_delivery set state = 'queued', next_attempt_at = ${at}, lease_until = null, appio_submit_at = null,
              attempts = greatest(attempts - 1, 0), error = ${reason}
            where id = any(${ids}::uuid[]) and state = 'sending'`.execute(trx);
}

async function markUncertain(trx: Trx, id: string, reason: string): Promise<void> {
  await sql`update msg_delivery set state = 'uncertain', lease_until = null, error = ${reason} where id = ${id} and state = 'sending'`.execute(trx);
}

/** A failure worth retrying: back-off, or final after the last attempt. */
async function retryOrFail(trx: Trx, delivery: Delivery, reason: string): Promise<void> {
  await sql`update msg_delivery set appio_submit_at = null where id = ${delivery.id}`.execute(trx);
  if (delivery.attempts >= APPIO_MAX_ATTEMPTS) await markFailed(trx, delivery.id, `${reason} (dopo ${delivery.attempts} tentativi)`);
  else await markFailed(trx, delivery.id, reason, new Date(Date.now() + backoffMs(delivery.attempts)));
}

/** The submit may or may not have created a message on IO (see the top of this file). */
async function ambiguous(trx: Trx, dispatch: Pick<Dispatch, 'urgent'>, delivery: Delivery, reason: string): Promise<void> {
  if (dispatch.urgent) await retryOrFail(trx, delivery, `${reason}; avviso urgente: nuovo invio`);
  else await markUncertain(trx, delivery.id, `${reason}; esito sconosciuto, non reinviato per non duplicarlo`);
}

type Outcome = { pauseUntil?: Date };

async function sendOne(platform: Platform, client: AppIoClient, dispatch: Dispatch, content: AppIoContent, delivery: Delivery): Promise<Outcome> {
  const fiscalCode = (delivery.fiscal_code ?? '').trim().toUpperCase();
  if (!FISCAL_CODE_PATTERN.test(fiscalCode)) {
    await noIo(platform, dispatch, delivery, 'codice fiscale non valido per App IO');
    return {};
  }
  let submitting = false;
  try {
    const profile = await client.getProfile(fiscalCode);
    if (!profile) {
      await noIo(platform, dispatch, delivery, 'il cittadino non ha un profilo App IO');
      return {};
    }
    if (!profile.senderAllowed) {
      await noIo(platform, dispatch, delivery, 'il cittadino ha disattivato su App IO i messaggi di questo servizio');
      return {};
    }
    // Committed before the request leaves: from here on a crash leaves an ambiguous delivery (see recover).
    const started = await settle(platform, delivery.ente_id, (trx) =>
      sql`update msg_delivery set appio_submit_at = now() where id = ${delivery.id} and state = 'sending' returning id`.execute(trx),
    );
    if (started.rows.length === 0) return {}; // no longer ours (cancelled, or the lease was taken over)
    submitting = true;
    const ioId = await client.submitMessage({ fiscalCode, subject: content.subject, markdown: content.markdown });
    await settle(platform, delivery.ente_id, (trx) => markSent(trx, delivery.id, { providerRef: ioId }));
    return {};
  } catch (err) {
    if (!(err instanceof AppIoError)) throw err;
    return settle(platform, delivery.ente_id, async (trx): Promise<Outcome> => {
      switch (err.kind) {
        case 'throttled': {
          const at = new Date(Date.now() + (err.retryAfterMs ?? 0));
          await defer(trx, [delivery.id], at, err.message);
          return { pauseUntil: at };
        }
        case 'timeout':
          if (submitting) await ambiguous(trx, dispatch, delivery, err.message);
          else await retryOrFail(trx, delivery, err.message);
          return {};
        case 'unavailable':
          await retryOrFail(trx, delivery, err.message);
          return {};
        default:
          await markFailed(trx, delivery.id, err.message);
          return {};
      }
    });
  }
}

async function sendBatch(platform: Platform, dispatch: Dispatch, deliveries: Delivery[]): Promise<void> {
  const started = Date.now();
  const services = await settle(platform, dispatch.ente_id, (trx) => trx.selectFrom('msg_appio_service').select(['topic_code', 'service_id', 'api_key']).execute());
  const service = pickService(services, dispatch.topics);
  if (!service) {
    for (const d of deliveries) await noIo(platform, dispatch, d, 'l’ente non ha un servizio App IO per questo argomento');
    return;
  }
  let content: AppIoContent;
  try {
    content = buildContent(dispatch);
  } catch (err) {
    if (!(err instanceof AppIoContentError)) throw err;
    await settle(platform, dispatch.ente_id, async (trx) => {
      for (const d of deliveries) await markFailed(trx, d.id, err.message);
    });
    return;
  }
  const client = new AppIoClient({ baseUrl: platform.config.appIoUrl!, apiKey: service.api_key });
  for (let i = 0; i < deliveries.length; i++) {
    const rest = () => deliveries.slice(i + 1).map((d) => d.id);
    const outcome = await sendOne(platform, client, dispatch, content, deliveries[i]!);
    if (outcome.pauseUntil) {
      const at = outcome.pauseUntil;
      await settle(platform, dispatch.ente_id, async (trx) => {
        await defer(trx, rest(), at, 'in attesa: App IO ha chiesto di rallentare gli invii');
        // The dispatch's other queued IO deliveries wait too, rather than each meeting its own 429.
        await trx.updateTable('msg_delivery').set({ next_attempt_at: at }).where('dispatch_id', '=', dispatch.id).where('channel', '=', 'appio').where('state', '=', 'queued').where('next_attempt_at', '<', at).execute();
      });
      return;
    }
    if (Date.now() - started > BATCH_BUDGET_MS) {
      await settle(platform, dispatch.ente_id, (trx) => defer(trx, rest(), new Date(), 'ripreso nel lotto successivo'));
      return;
    }
  }
}

/** Deliveries left 'sending' by a worker that died (see the top of this file). */
async function recover(platform: Platform, enteId: string, deliveries: DeliveryRow[]): Promise<void> {
  if (deliveries.length === 0) return;
  await settle(platform, enteId, async (trx) => {
    const rows = await sql<Delivery & { appio_submit_at: Date | null; urgent: boolean }>`
      select d.id, d.ente_id, d.dispatch_id, d.channel, d.attempts, d.fiscal_code, d.address, d.appio_submit_at, m.urgent
      from msg_delivery d join msg_dispatch m on m.ente_id = d.ente_id and m.id = d.dispatch_id
      where d.id = any(${deliveries.map((d) => d.id)}::uuid[]) and d.state = 'sending' and d.lease_until < now()
      for update of d skip locked`.execute(trx);
    for (const row of rows.rows) {
      if (row.appio_submit_at === null) await markFailed(trx, row.id, 'invio interrotto prima di contattare App IO: ripreso', new Date());
      else await ambiguous(trx, row, row, 'invio a App IO interrotto durante la richiesta');
    }
  });
}

export const appioSender: ChannelSender = {
  channel: 'appio',
  batchSize: 25,
  leaseSeconds: LEASE_SECONDS,
  idempotent: false,
  // The key lives per ente (msg_appio_service); without a service the planner never picks App IO. Without
  // APPIO_URL (outside production) IO deliveries stay queued.
  ready: (platform) => platform.config.appIoUrl !== undefined,
  send: (platform, dispatch, deliveries) => sendBatch(platform, dispatch, deliveries),
  recover,
};
