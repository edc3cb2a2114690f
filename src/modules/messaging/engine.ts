// The fan-out engine. A dispatch (one message × one targeted ente) is planned into deliveries — one per
// recipient × channel group — in batches whose cursor commits with them, then each channel's send job claims
// batches of deliveries and hands them to that channel's sender.
//
// Exactly once, through crashes (kill -9 included):
// - planning: the unique (dispatch, recipient_key) makes a batch planned twice add nothing; the cursor commits
//   with the batch, so a restart continues where the last commit left off.
// - sending: a worker claims deliveries (queued → sending, with a lease) and commits that before talking to
//   the peer; each result commits as soon as it is known. A delivery still 'sending' after its lease ran out
//   belongs to a worker that died: for an idempotent channel (e-mail: the outbox key) it is simply claimed
//   again; for the others the channel's `recover` decides (SMS: wait for the SMSC's receipt, see sms/).
// - resuming: a job every minute and one at start re-enqueue the send jobs of unfinished dispatches; claims
//   use SKIP LOCKED, so extra or overlapping jobs never share a delivery.
import { sql, type Kysely } from 'kysely';
import { recordAudit, type Actor } from '../../platform/audit/index.js';
import { withCrossEnteRead, withEnte, type DB, type Trx } from '../../platform/db/index.js';
import type { JobDefinition } from '../../platform/jobs/index.js';
import type { Platform } from '../../platform/platform.js';
import { hasAppIoService, mobileChannel, PLAN_QUEUE, RECIPIENT_RULES, type PlanJobData } from './service.js';
import type { Channel, DeliveryRow, DeliveryState, DispatchRow } from './store.js';

/** One send queue per channel, so a long SMS run never holds back e-mail. */
export const sendQueue = (channel: Channel) => `messaging.send.${channel}`;
export const RESUME_QUEUE = 'messaging.resume';
export interface SendJobData {
  enteId: string;
  dispatchId: string;
  channel: Channel;
}

export const PLAN_BATCH = 2000;
const SEND_JOB_BUDGET_MS = 60_000;

/** What a channel (sms/, email/, appio/) gives the engine. */
export interface ChannelSender {
  channel: Channel;
  /** Deliveries claimed at a time. */
  batchSize: number;
  /** How long a claim lasts; a worker alive renews nothing, so it must settle its batch well within this. */
  leaseSeconds: number;
  /** Claiming again a delivery whose worker died cannot send it twice (e-mail: idempotent outbox key). */
  idempotent: boolean;
  /** Whether the channel can send now (e.g. SMPP configured); when not, deliveries stay queued. */
  ready(platform: Platform): boolean;
  /** Sends a claimed batch and settles every delivery with the functions below (each in its own commit). */
  send(platform: Platform, dispatch: DispatchRow, deliveries: DeliveryRow[]): Promise<void>;
  /** Non-idempotent channels: decide about deliveries left 'sending' by a dead worker (default: mark 'uncertain'). */
  recover?(platform: Platform, enteId: string, deliveries: DeliveryRow[]): Promise<void>;
}

// ---- planning ------------------------------------------------------------------------------------------------

/** Plans the next batch of a dispatch; returns how many subscribers it looked at (0: planning is over). */
export async function planBatch(platform: Platform, enteId: string, dispatchId: string, batch = PLAN_BATCH): Promise<{ looked: number; inserted: number; done: boolean }> {
  return withEnte(platform.db.app, enteId, async (trx) => {
    const dispatch = await trx.selectFrom('msg_dispatch').selectAll().where('id', '=', dispatchId).forUpdate().executeTakeFirst();
    if (!dispatch || dispatch.state !== 'planning') return { looked: 0, inserted: 0, done: true };
    const hasIo = dispatch.channels.includes('appio') && (await hasAppIoService(trx, enteId));
    const wantSms = dispatch.channels.includes('sms');
    const wantEmail = dispatch.channels.includes('email');
    const page = await trx
      .selectFrom('msg_subscriber')
      .select(['id', 'phone', 'email', 'fiscal_code', sql<boolean>`${RECIPIENT_RULES.phoneUsable}`.as('phone_ok'), sql<boolean>`${RECIPIENT_RULES.emailUsable}`.as('email_ok')])
      .where(RECIPIENT_RULES.subscribed(dispatch.topics))
      .$if(dispatch.plan_cursor !== null, (q) => q.where('id', '>', dispatch.plan_cursor!))
      .orderBy('id')
      .limit(batch)
      .execute();
    if (page.length === 0) {
      await trx.updateTable('msg_dispatch').set({ state: 'sending' }).where('id', '=', dispatchId).execute();
      for (const channel of dispatch.channels) await enqueueSend(platform, trx, { enteId, dispatchId, channel });
      return { looked: 0, inserted: 0, done: true };
    }
    const rows: { ente_id: string; dispatch_id: string; recipient_key: string; subscriber_id: string; channel: Channel; address: string; fiscal_code: string | null }[] = [];
    for (const s of page) {
      const mobile = s.phone_ok && s.phone ? mobileChannel({ appIo: hasIo, fiscalCode: s.fiscal_code, sms: wantSms }) : null;
      if (mobile) rows.push({ ente_id: enteId, dispatch_id: dispatchId, recipient_key: `${s.id}:mobile`, subscriber_id: s.id, channel: mobile, address: s.phone!, fiscal_code: s.fiscal_code });
      if (wantEmail && s.email_ok && s.email) rows.push({ ente_id: enteId, dispatch_id: dispatchId, recipient_key: `${s.id}:email`, subscriber_id: s.id, channel: 'email', address: s.email, fiscal_code: s.fiscal_code });
    }
    let inserted = 0;
    for (let i = 0; i < rows.length; i += 1000) {
      const result = await trx.insertInto('msg_delivery').values(rows.slice(i, i + 1000)).onConflict((oc) => oc.columns(['ente_id', 'dispatch_id', 'recipient_key']).doNothing()).executeTakeFirst();
      inserted += Number(result.numInsertedOrUpdatedRows ?? 0);
    }
    await trx
      .updateTable('msg_dispatch')
      .set({ plan_cursor: page[page.length - 1]!.id, planned: sql`planned + ${inserted}` })
      .where('id', '=', dispatchId)
      .execute();
    // Sending starts with the first batch; later batches find the send jobs already running.
    if (dispatch.plan_cursor === null) for (const channel of dispatch.channels) await enqueueSend(platform, trx, { enteId, dispatchId, channel });
    return { looked: page.length, inserted, done: false };
  });
}

/** Enqueues a channel's send job for a dispatch (at most one waiting per dispatch and channel: queue policy 'short'). */
export async function enqueueSend(platform: Platform, trx: Trx | undefined, data: SendJobData, startAfter?: number): Promise<void> {
  await platform.jobs.send(sendQueue(data.channel), data, { ...(trx ? { trx } : {}), ...(startAfter ? { startAfter } : {}), singletonKey: `send:${data.dispatchId}:${data.channel}` });
}

/** Plans a whole dispatch (the plan job: each batch its own transaction). */
export async function planDispatch(platform: Platform, enteId: string, dispatchId: string): Promise<number> {
  let total = 0;
  for (;;) {
    const step = await planBatch(platform, enteId, dispatchId);
    total += step.inserted;
    if (step.done) return total;
  }
}

// ---- claiming and settling ------------------------------------------------------------------------------------

/** Claims up to `limit` due deliveries of a dispatch on a channel (queued, or abandoned by a dead worker when idempotent). */
export async function claimDeliveries(trx: Trx, dispatchId: string, channel: Channel, limit: number, leaseSeconds: number, reclaimAbandoned: boolean): Promise<DeliveryRow[]> {
  const result = await sql<DeliveryRow>`
    update msg_delivery d set state = 'sending', attempts = d.attempts + 1, lease_until = now() + make_interval(secs => ${leaseSeconds})
    where d.ente_id = app_current_ente() and d.id in (
      select id from msg_delivery
      where dispatch_id = ${dispatchId} and channel = ${channel}
        and ((state = 'queued' and next_attempt_at <= now()) ${reclaimAbandoned ? sql`or (state = 'sending' and lease_until < now())` : sql``})
      order by created_at, id
      limit ${limit}
      for update skip locked)
    returning d.*`.execute(trx);
  return result.rows;
}

/** Deliveries of a non-idempotent channel whose worker died (lease over while 'sending'). */
export async function abandonedDeliveries(trx: Trx, dispatchId: string, channel: Channel, limit: number): Promise<DeliveryRow[]> {
  return trx
    .selectFrom('msg_delivery')
    .selectAll()
    .where('dispatch_id', '=', dispatchId)
    .where('channel', '=', channel)
    .where('state', '=', 'sending')
    .where('lease_until', '<', sql<Date>`now()`)
    .orderBy('id')
    .limit(limit)
    .forUpdate()
    .skipLocked()
    .execute();
}

export interface SentResult {
  providerRef?: string | null;
  smsParts?: number | null;
}

export async function markSent(trx: Trx, deliveryId: string, result: SentResult = {}): Promise<void> {
  await markSentMany(trx, [{ id: deliveryId, providerRef: result.providerRef ?? null, smsParts: result.smsParts ?? null }]);
}

/** markSent for a whole batch in one statement: on a busy database one round trip per delivery limits the rate. */
export async function markSentMany(trx: Trx, sent: readonly { id: string; providerRef: string | null; smsParts: number | null }[]): Promise<void> {
  if (sent.length === 0) return;
  await sql`
    update msg_delivery d set state = 'sent', sent_at = now(), lease_until = null, error = null, provider_ref = v.ref, sms_parts = v.parts
    from (values ${sql.join(sent.map((s) => sql`(${s.id}::uuid, ${s.providerRef}::text, ${s.smsParts}::int)`))}) as v (id, ref, parts)
    where d.id = v.id and d.state in ('sending', 'uncertain')`.execute(trx);
}

/** A failure: retried at `retryAt` (back to queued), or final when omitted. */
export async function markFailed(trx: Trx, deliveryId: string, error: string, retryAt?: Date): Promise<void> {
  await trx
    .updateTable('msg_delivery')
    .set(retryAt ? { state: 'queued', next_attempt_at: retryAt, lease_until: null, error } : { state: 'failed', lease_until: null, error })
    .where('id', '=', deliveryId)
    .where('state', 'in', ['sending', 'uncertain', 'queued'])
    .execute();
}

/** Nothing to send (e.g. opted out since planning): final, not a failure. */
export async function markSkipped(trx: Trx, deliveryId: string, reason: string): Promise<void> {
  await trx.updateTable('msg_delivery').set({ state: 'skipped', lease_until: null, error: reason }).where('id', '=', deliveryId).where('state', 'in', ['sending', 'queued', 'uncertain']).execute();
}

/** App IO found no profile (or the service is not allowed): the same recipient goes by SMS instead. */
export async function fallBackToSms(platform: Platform, trx: Trx, delivery: Pick<DeliveryRow, 'id' | 'ente_id' | 'dispatch_id' | 'channel'>, reason: string): Promise<void> {
  await trx
    .updateTable('msg_delivery')
    .set({ channel: 'sms', fallback_from: delivery.channel, state: 'queued', next_attempt_at: sql`now()`, lease_until: null, error: reason })
    .where('id', '=', delivery.id)
    .where('state', '=', 'sending')
    .execute();
  await enqueueSend(platform, trx, { enteId: delivery.ente_id, dispatchId: delivery.dispatch_id, channel: 'sms' });
}

/** Handset receipt (SMS delivery receipt, …). */
export async function markDelivered(trx: Trx, deliveryId: string, ok: boolean, status: string): Promise<void> {
  if (ok) await markDeliveredMany(trx, [deliveryId]);
  else await trx.updateTable('msg_delivery').set({ state: 'failed', error: status }).where('id', '=', deliveryId).where('state', 'in', ['sent', 'sending', 'uncertain']).execute();
}

/** Successful handset receipts for a batch of deliveries, in one statement. */
export async function markDeliveredMany(trx: Trx, deliveryIds: readonly string[]): Promise<void> {
  if (deliveryIds.length === 0) return;
  await trx.updateTable('msg_delivery').set({ state: 'delivered', delivered_at: sql`now()` }).where('id', 'in', [...deliveryIds]).where('state', 'in', ['sent', 'sending', 'uncertain']).execute();
}

// ---- the send loop -------------------------------------------------------------------------------------------------

/** One run of a send job: claim and send batches for up to a minute, then hand over to a fresh job. */
export async function runSendJob(platform: Platform, senders: ReadonlyMap<Channel, ChannelSender>, data: SendJobData): Promise<void> {
  const sender = senders.get(data.channel);
  if (!sender) throw new Error(`no sender for channel ${data.channel}`);
  if (!sender.ready(platform)) return; // stays queued; the resume job looks again
  const started = Date.now();
  for (;;) {
    const dispatch = await withEnte(platform.db.app, data.enteId, (trx) => trx.selectFrom('msg_dispatch').selectAll().where('id', '=', data.dispatchId).executeTakeFirst());
    if (!dispatch || dispatch.state === 'cancelled' || dispatch.state === 'done') return;
    if (!sender.idempotent && sender.recover) {
      const abandoned = await withEnte(platform.db.app, data.enteId, (trx) => abandonedDeliveries(trx, data.dispatchId, data.channel, 500));
      if (abandoned.length > 0) await sender.recover(platform, data.enteId, abandoned);
    } else if (!sender.idempotent) {
      await withEnte(platform.db.app, data.enteId, async (trx) => {
        const abandoned = await abandonedDeliveries(trx, data.dispatchId, data.channel, 500);
        if (abandoned.length > 0) await trx.updateTable('msg_delivery').set({ state: 'uncertain', lease_until: null, error: 'invio interrotto: esito sconosciuto' }).where('id', 'in', abandoned.map((d) => d.id)).execute();
      });
    }
    const claimed = await withEnte(platform.db.app, data.enteId, (trx) => claimDeliveries(trx, data.dispatchId, data.channel, sender.batchSize, sender.leaseSeconds, sender.idempotent));
    if (claimed.length === 0) {
      const pending = await withEnte(platform.db.app, data.enteId, (trx) =>
        trx.selectFrom('msg_delivery').select((eb) => eb.fn.min('next_attempt_at').as('next')).where('dispatch_id', '=', data.dispatchId).where('channel', '=', data.channel).where('state', 'in', ['queued', 'sending']).executeTakeFirst(),
      );
      if (dispatch.state === 'planning' || pending?.next) {
        // More to come (planning goes on, retries due later, others' leases): look again shortly.
        const next = pending?.next ? Math.max(1, Math.ceil((new Date(pending.next).getTime() - Date.now()) / 1000)) : 1;
        await enqueueSend(platform, undefined, data, Math.min(next, 60));
        return;
      }
      await finishIfDone(platform, data.enteId, data.dispatchId);
      return;
    }
    await sender.send(platform, dispatch, claimed);
    if (Date.now() - started > SEND_JOB_BUDGET_MS) {
      await enqueueSend(platform, undefined, data);
      return;
    }
  }
}

/** A dispatch with nothing queued or in flight on any channel is done; a message whose dispatches are all done is sent. */
export async function finishIfDone(platform: Platform, enteId: string, dispatchId: string): Promise<boolean> {
  const finished = await withEnte(platform.db.app, enteId, async (trx) => {
    const open = await trx.selectFrom('msg_delivery').select('id').where('dispatch_id', '=', dispatchId).where('state', 'in', ['queued', 'sending']).limit(1).execute();
    if (open.length > 0) return null;
    const row = await trx
      .updateTable('msg_dispatch')
      .set({ state: 'done', finished_at: sql`now()` })
      .where('id', '=', dispatchId)
      .where('state', '=', 'sending')
      .returning(['message_ente_id', 'message_id'])
      .executeTakeFirst();
    return row ?? null;
  });
  if (!finished) return false;
  // System bookkeeping across enti: are the message's other dispatches done too?
  const notDone = await withCrossEnteRead(platform.db.app, (trx) =>
    trx.selectFrom('msg_dispatch').select('id').where('message_ente_id', '=', finished.message_ente_id).where('message_id', '=', finished.message_id).where('state', 'not in', ['done', 'cancelled']).limit(1).execute(),
  );
  if (notDone.length === 0) {
    await withEnte(platform.db.app, finished.message_ente_id, (trx) => trx.updateTable('msg_message').set({ state: 'sent' }).where('id', '=', finished.message_id).where('state', 'in', ['queued', 'sending']).execute());
  }
  return true;
}

/** Re-enqueues the send jobs of every unfinished dispatch (after a restart, or a job lost with its process). */
export async function resumeDispatches(platform: Platform): Promise<number> {
  const open = await withCrossEnteRead(platform.db.app, (trx) =>
    trx.selectFrom('msg_dispatch').select(['ente_id', 'id', 'state', 'channels', 'send_after']).where('state', 'in', ['planning', 'sending']).where((eb) => eb.or([eb('send_after', 'is', null), eb('send_after', '<=', new Date())])).execute(),
  );
  for (const d of open) {
    if (d.state === 'planning') await platform.jobs.send(PLAN_QUEUE, { enteId: d.ente_id, dispatchId: d.id } satisfies PlanJobData, { singletonKey: `plan:${d.id}` });
    else for (const channel of [...d.channels, ...(d.channels.includes('appio') ? (['sms'] as const) : [])]) await enqueueSend(platform, undefined, { enteId: d.ente_id, dispatchId: d.id, channel });
  }
  return open.length;
}

// ---- statistics ------------------------------------------------------------------------------------------------------

export type ChannelCounts = Partial<Record<DeliveryState, number>>;
export interface DispatchStats {
  enteId: string;
  dispatchId: string;
  state: DispatchRow['state'];
  planned: number;
  perChannel: Partial<Record<Channel, ChannelCounts>>;
}

async function statsOf(trx: Trx, dispatches: { ente_id: string; id: string; state: DispatchRow['state']; planned: number }[]): Promise<DispatchStats[]> {
  if (dispatches.length === 0) return [];
  const counts = await trx
    .selectFrom('msg_delivery')
    .select(['ente_id', 'dispatch_id', 'channel', 'state', (eb) => eb.fn.countAll<number>().as('n')])
    .where('dispatch_id', 'in', dispatches.map((d) => d.id))
    .groupBy(['ente_id', 'dispatch_id', 'channel', 'state'])
    .execute();
  return dispatches.map((d) => {
    const perChannel: Partial<Record<Channel, ChannelCounts>> = {};
    for (const c of counts.filter((c) => c.dispatch_id === d.id && c.ente_id === d.ente_id)) (perChannel[c.channel] ??= {})[c.state] = Number(c.n);
    return { enteId: d.ente_id, dispatchId: d.id, state: d.state, planned: d.planned, perChannel };
  });
}

/**
 * Live progress of a message, per targeted ente and channel. Counts only; when the message reaches other enti
 * the read crosses enti and is audited.
 */
export async function messageStats(db: Kysely<DB>, actor: Actor, enteId: string, messageId: string): Promise<DispatchStats[]> {
  const message = await withEnte(db, enteId, (trx) => trx.selectFrom('msg_message').select(['id', 'target_ente_ids']).where('id', '=', messageId).executeTakeFirst());
  if (!message) return [];
  const own = message.target_ente_ids.every((id) => id === enteId);
  if (own) {
    return withEnte(db, enteId, async (trx) => {
      const dispatches = await trx.selectFrom('msg_dispatch').select(['ente_id', 'id', 'state', 'planned']).where('message_ente_id', '=', enteId).where('message_id', '=', messageId).execute();
      return statsOf(trx, dispatches);
    });
  }
  await withEnte(db, enteId, (trx) => recordAudit(trx, { enteId, actor, action: 'messaging.stats.cross_read', entity: 'msg_message', entityId: messageId }));
  return withCrossEnteRead(db, async (trx) => {
    const dispatches = await trx.selectFrom('msg_dispatch').select(['ente_id', 'id', 'state', 'planned']).where('message_ente_id', '=', enteId).where('message_id', '=', messageId).execute();
    return statsOf(trx, dispatches);
  });
}

// ---- jobs --------------------------------------------------------------------------------------------------------------

export function engineJobs(platform: Platform, senders: ReadonlyMap<Channel, ChannelSender>): JobDefinition<any>[] {
  return [
    {
      queue: PLAN_QUEUE,
      options: { policy: 'short' },
      handler: async (jobs) => {
        for (const job of jobs as { data: PlanJobData }[]) await planDispatch(platform, job.data.enteId, job.data.dispatchId);
      },
    },
    ...(['sms', 'email', 'appio'] as const).map((channel) => ({
      queue: sendQueue(channel),
      options: { batchSize: 1, pollingIntervalSeconds: 1, policy: 'short' as const },
      handler: async (jobs: { data: SendJobData }[]) => {
        for (const job of jobs) await runSendJob(platform, senders, job.data);
      },
    })),
    { queue: RESUME_QUEUE, schedule: '* * * * *', handler: async () => resumeDispatches(platform) },
  ];
}
