// The SMS channel: SMS over SMPP 3.4 to the CST's aggregator (SMPP_URL), one transceiver session per process.
//
// A claimed batch goes out in groups: the group is marked SUBMITTING (one commit, see recovery.ts), each part of
// each delivery is submitted at the contracted rate (SMPP_RATE, token bucket) with at most SMPP_WINDOW awaiting
// their response, and when the group's responses are in, one commit records every part's SMSC message_id
// (msg_sms_part) and settles each delivery: sent, failed (a permanent SMSC error), or uncertain (a response lost
// with the connection) → RECOVERING. ESME_RTHROTTLED / ESME_RMSGQFUL pause the whole session with a growing
// back-off and the part is submitted again; nothing is dropped. Invalid numbers never reach the SMSC.
import { sql } from 'kysely';
import type { JobDefinition } from '../../../platform/jobs/index.js';
import type { Platform } from '../../../platform/platform.js';
import { withEnte } from '../../../platform/db/index.js';
import { markFailed, markSentMany, markSkipped, type ChannelSender } from '../engine.js';
import type { DeliveryRow, DispatchRow } from '../store.js';
import { normalizePhone, PhoneNumberError } from './phone.js';
import { TokenBucket, ThrottleBackoff } from './rate.js';
import { handleIncoming, isReceipt, parseReceipt, ReceiptBatcher, STATUS_OK } from './receipts.js';
import { dispatchPlan, markRecovering, recoverDeliveries, SUBMITTING } from './recovery.js';
import { planSms, shortMessage, SmsPlanError, udh, type SmsPlan } from './segments.js';
import { SessionStoppedError, SmppSession, statusName, SubmitError, SubmitUncertainError } from './smpp-session.js';

/** SMSC statuses that mean "not now": wait and submit the same part again. */
const TRANSIENT = new Set([0x58 /* ESME_RTHROTTLED */, 0x14 /* ESME_RMSGQFUL */, 0x08 /* ESME_RSYSERR */, 0x64 /* ESME_RX_T_APPN */]);
const LEASE_SECONDS = 15;

interface SmsRuntime {
  session: SmppSession;
  bucket: TokenBucket;
  backoff: ThrottleBackoff;
}
const runtimes = new WeakMap<Platform, SmsRuntime>();

/** The runtime of a started platform (tests look at its session). */
export const smsRuntime = (platform: Platform) => runtimes.get(platform);

export async function startSms(platform: Platform): Promise<void> {
  const { smppUrl, smppRatePerSecond, smppWindow } = platform.config;
  if (!smppUrl || runtimes.has(platform)) return;
  const receipts = new ReceiptBatcher(platform);
  const session = new SmppSession({
    url: smppUrl,
    window: smppWindow,
    log: platform.log.child({ channel: 'sms' }),
    onDeliver: async (pdu) => {
      if (!isReceipt(pdu)) return handleIncoming(platform, pdu);
      const receipt = parseReceipt(pdu);
      return receipt ? receipts.add(receipt) : STATUS_OK;
    },
  });
  const bucket = new TokenBucket(smppRatePerSecond);
  runtimes.set(platform, { session, bucket, backoff: new ThrottleBackoff(bucket) });
  session.start();
  platform.onStop(async () => {
    runtimes.delete(platform);
    await session.stop();
  });
}

export function smsJobs(_platform: Platform): JobDefinition<any>[] {
  return []; // sending runs in the engine's send queue; receipts and STOP arrive on the session
}

export const smsSender: ChannelSender = {
  channel: 'sms',
  batchSize: 1000,
  leaseSeconds: LEASE_SECONDS,
  idempotent: false,
  ready: (platform) => runtimes.has(platform),
  send: async (platform, dispatch, deliveries) => {
    const runtime = runtimes.get(platform);
    if (!runtime) throw new Error('SMS channel not started');
    await sendBatch(platform, runtime, dispatch, deliveries);
  },
  recover: recoverDeliveries,
};

/** SMPP address of the sender: alphanumeric (TON 5) or a number (TON 1). */
function sourceAddress(senderName: string): { source_addr: string; source_addr_ton: number; source_addr_npi: number } {
  const digits = senderName.replace(/^\+/, '');
  return /^\d{3,15}$/.test(digits) ? { source_addr: digits, source_addr_ton: 1, source_addr_npi: 1 } : { source_addr: senderName.slice(0, 11), source_addr_ton: 5, source_addr_npi: 0 };
}

/** Concatenation reference of a delivery: fixed by its id, so parts sent again after a recovery join the same message. */
const referenceOf = (deliveryId: string) => parseInt(deliveryId.replace(/-/g, '').slice(-2), 16);

/** How a delivery ended in this run; `ids` holds every part the SMSC accepted (known before or now). */
type Outcome = { ids: Map<number, string> } & ({ kind: 'sent' } | { kind: 'failed'; reason: string } | { kind: 'uncertain' } | { kind: 'requeue' });

async function sendBatch(platform: Platform, runtime: SmsRuntime, dispatch: DispatchRow, deliveries: DeliveryRow[]): Promise<void> {
  const db = platform.db.app;
  // Reads and early settlements in one commit: the plan, numbers, opt-outs since planning, parts already known.
  const prepared = await withEnte(db, dispatch.ente_id, async (trx) => {
    let plan: SmsPlan;
    try {
      plan = await dispatchPlan(trx, dispatch);
    } catch (err) {
      if (!(err instanceof SmsPlanError)) throw err;
      for (const d of deliveries) await markFailed(trx, d.id, err.message);
      return null;
    }
    const subscriberIds = [...new Set(deliveries.map((d) => d.subscriber_id).filter((id): id is string => id !== null))];
    const optedOut = new Set(
      subscriberIds.length === 0 ? [] : (await trx.selectFrom('msg_subscriber').select('id').where('id', 'in', subscriberIds).where('phone_opted_out_at', 'is not', null).execute()).map((s) => s.id),
    );
    const resumed = deliveries.filter((d) => d.attempts > 1).map((d) => d.id);
    const known = resumed.length === 0 ? [] : await trx.selectFrom('msg_sms_part').select(['delivery_id', 'seq', 'smsc_message_id']).where('delivery_id', 'in', resumed).execute();
    const todo: { delivery: DeliveryRow; destination: string; known: Map<number, string> }[] = [];
    for (const d of deliveries) {
      if (d.subscriber_id && optedOut.has(d.subscriber_id)) {
        await markSkipped(trx, d.id, 'iscritto disattivato (STOP) dopo la pianificazione');
        continue;
      }
      try {
        const phone = normalizePhone(d.address, { allowForeign: true });
        if (!phone.smsCapable) throw new PhoneNumberError('unsupported_range', 'Il numero non può ricevere SMS (rete fissa).', d.address);
        todo.push({ delivery: d, destination: phone.e164.slice(1), known: new Map(known.filter((k) => k.delivery_id === d.id).map((k) => [k.seq, k.smsc_message_id])) });
      } catch (err) {
        if (!(err instanceof PhoneNumberError)) throw err;
        await markFailed(trx, d.id, `Numero non valido: ${err.message}`);
      }
    }
    return { plan, todo };
  });
  if (!prepared || prepared.todo.length === 0) return;
  const { plan, todo } = prepared;
  const source = sourceAddress(dispatch.sender_name);

  // The lease is short (a dead worker's deliveries are looked at soon); a live worker renews it while it works.
  const active = new Set(todo.map((t) => t.delivery.id));
  const renew = setInterval(() => {
    if (active.size === 0) return;
    void withEnte(db, dispatch.ente_id, (trx) =>
      trx.updateTable('msg_delivery').set({ lease_until: sql`now() + make_interval(secs => ${LEASE_SECONDS})` }).where('id', 'in', [...active]).where('state', '=', 'sending').execute(),
    ).catch((err) => platform.log.warn({ err }, 'SMS lease renewal failed'));
  }, (LEASE_SECONDS * 1000) / 3);
  try {
    const groupSize = Math.max(50, platform.config.smppWindow * 10);
    const groups: (typeof todo)[] = [];
    for (let g = 0; g < todo.length; g += groupSize) groups.push(todo.slice(g, g + groupSize));
    const markSubmitting = (group: typeof todo) =>
      withEnte(db, dispatch.ente_id, (trx) =>
        trx.updateTable('msg_delivery').set({ provider_ref: SUBMITTING, lease_until: sql`now() + make_interval(secs => ${LEASE_SECONDS})` }).where('id', 'in', group.map((t) => t.delivery.id)).where('state', '=', 'sending').execute(),
      );
    const settle = (group: typeof todo, outcomes: Outcome[]) =>
      withEnte(db, dispatch.ente_id, async (trx) => {
        const parts = group.flatMap((t, i) => [...outcomes[i]!.ids].filter(([seq]) => !t.known.has(seq)).map(([seq, id]) => ({ ente_id: dispatch.ente_id, delivery_id: t.delivery.id, seq, smsc_message_id: id })));
        if (parts.length > 0) await trx.insertInto('msg_sms_part').values(parts).onConflict((oc) => oc.doNothing()).execute();
        const uncertain: string[] = [];
        const sent: { id: string; providerRef: string; smsParts: number }[] = [];
        for (const [i, t] of group.entries()) {
          const o = outcomes[i]!;
          if (o.kind === 'uncertain') uncertain.push(t.delivery.id);
          else if (o.kind === 'failed') await markFailed(trx, t.delivery.id, o.reason);
          else if (o.kind === 'requeue') await markFailed(trx, t.delivery.id, 'invio interrotto (arresto): di nuovo in coda', new Date());
          else sent.push({ id: t.delivery.id, providerRef: [...o.ids.entries()].sort((a, b) => a[0] - b[0]).map(([, id]) => id).join(','), smsParts: plan.parts });
        }
        await markSentMany(trx, sent);
        await markRecovering(trx, uncertain, platform.config.smppRecoveryGraceSeconds);
        for (const t of group) active.delete(t.delivery.id);
      });
    // Pipelined: while a group is on the wire, the next group is marked and the previous one settles (each its
    // own commit, in order), so the database round trips do not stall the SMPP window.
    let failure: unknown = null;
    let settling: Promise<void> = Promise.resolve();
    let marking: Promise<unknown> = groups[0] ? markSubmitting(groups[0]) : Promise.resolve();
    for (const [k, group] of groups.entries()) {
      await marking;
      const submitting = Promise.all(group.map((t) => submitDelivery(platform, runtime, dispatch, plan, source, t)));
      const next = groups[k + 1];
      marking = next ? markSubmitting(next) : Promise.resolve();
      const outcomes = await submitting;
      settling = settling.then(() => settle(group, outcomes)).catch((err: unknown) => void (failure ??= err));
      if (failure) break;
      if (outcomes.some((o) => o.kind === 'requeue')) {
        // Shutting down: the rest of the batch goes back to the queue untouched.
        await Promise.all([settling, marking]);
        const rest = groups.slice(k + 1).flat().map((t) => t.delivery.id);
        if (rest.length > 0) await withEnte(db, dispatch.ente_id, async (trx) => { for (const id of rest) await markFailed(trx, id, 'invio interrotto (arresto): di nuovo in coda', new Date()); });
        return;
      }
    }
    await Promise.all([settling, marking]);
    if (failure) throw failure;
  } finally {
    clearInterval(renew);
  }
}

/** Submits the parts of one delivery not yet known; never throws. */
async function submitDelivery(
  platform: Platform,
  runtime: SmsRuntime,
  dispatch: DispatchRow,
  plan: SmsPlan,
  source: ReturnType<typeof sourceAddress>,
  t: { delivery: DeliveryRow; destination: string; known: Map<number, string> },
): Promise<Outcome> {
  const ids = new Map(t.known);
  const reference = referenceOf(t.delivery.id);
  for (const segment of plan.segments) {
    if (ids.has(segment.seq)) continue;
    const header = plan.parts > 1 ? udh(reference, plan.parts, segment.seq) : null;
    const params = {
      service_type: '',
      ...source,
      dest_addr_ton: 1,
      dest_addr_npi: 1,
      destination_addr: t.destination,
      esm_class: header ? 0x40 : 0x00,
      protocol_id: 0,
      priority_flag: dispatch.urgent ? 1 : 0,
      registered_delivery: 1,
      data_coding: plan.dataCoding,
      short_message: Buffer.from(shortMessage({ ...segment, udh: header })),
    };
    for (;;) {
      try {
        await runtime.bucket.take();
        ids.set(segment.seq, await runtime.session.submit(params));
        runtime.backoff.accepted();
        break;
      } catch (err) {
        if (err instanceof SubmitError && TRANSIENT.has(err.status)) {
          const pause = runtime.backoff.throttled();
          platform.log.warn({ status: statusName(err.status), pause }, 'SMSC busy: pausing and submitting again');
          continue;
        }
        if (err instanceof SubmitError) return { ids, kind: 'failed', reason: `Rifiutato dal centro SMS: ${err.message}` };
        if (err instanceof SubmitUncertainError) return { ids, kind: 'uncertain' };
        // Stopping: this part never left; the parts accepted so far are recorded and the rest is sent later.
        if (err instanceof SessionStoppedError) return { ids, kind: 'requeue' };
        platform.log.error({ err }, 'SMS submit failed unexpectedly');
        return { ids, kind: 'uncertain' };
      }
    }
  }
  return { ids, kind: 'sent' };
}

/** Re-exported for tests: the plan the sender uses for a text with an ente's settings. */
export { planSms };
