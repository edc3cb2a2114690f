// SMS are not idempotent: SMPP 3.4 gives no way to ask the SMSC "did you accept this?" without the message_id
// that the lost submit_sm_resp would have carried. So the sender leaves a trail and the SMSC's own delivery
// receipts close the gap:
//
// 1. Before a group of deliveries is submitted, their provider_ref becomes SUBMITTING (one commit). A delivery
//    that a dead worker left without that mark never reached the SMSC: it is queued again at once.
// 2. A delivery left SUBMITTING (its worker died, or the connection was lost with parts awaiting a response)
//    becomes RECOVERING for a grace period (config SMPP_RECOVERY_GRACE_SECONDS, default 600). Every accepted part
//    carries registered_delivery 1, so the SMSC owes a receipt for it; SMSCs keep receipts for the system_id
//    until an ESME acknowledges them (delivered on the next bind after a crash). A receipt whose message_id we do
//    not know, from the delivery's number, is matched to the RECOVERING delivery by the text the receipt quotes
//    (receipts.ts) and recorded as that part — while a matching delivery is still SUBMITTING the receipt is
//    refused with ESME_RX_T_APPN so the SMSC offers it again later.
// 3. When the grace is over: all parts known → sent (and delivered/failed as the receipts say); otherwise the
//    delivery is queued again and only the missing parts are sent, with the same concatenation reference, so
//    the handset completes the message it may have started.
//
// Residual risk (documented, not hidden): a part the SMSC accepted but whose receipt does not arrive within the
// grace (handset off for longer, an SMSC that sends receipts only at the end of validity) is sent again; two
// RECOVERING deliveries with the same text to the same number at once may swap a part. Both need a crash or a
// lost connection first, and touch at most the deliveries that were in flight at that moment (one group).
import { sql } from 'kysely';
import { withEnte, type Trx } from '../../../platform/db/index.js';
import type { Platform } from '../../../platform/platform.js';
import { markDelivered, markFailed, markSent } from '../engine.js';
import type { DeliveryRow, DispatchRow } from '../store.js';
import { planSms, type SmsPlan } from './segments.js';

export const SUBMITTING = 'smpp:submitting';
export const RECOVERING = 'smpp:recovering';

/** The plan of a dispatch's text as its ente sends it (the same options the sender uses). */
export async function dispatchPlan(trx: Trx, dispatch: Pick<DispatchRow, 'ente_id' | 'sms_text'>): Promise<SmsPlan> {
  const settings = await trx.selectFrom('msg_settings').select('sms_transliterate').where('ente_id', '=', dispatch.ente_id).executeTakeFirst();
  return planSms(dispatch.sms_text, { transliterate: settings?.sms_transliterate ?? false });
}

/** Letters and digits only: receipts quote the text through the SMSC's GSM default alphabet, lossy for UCS-2. */
const comparable = (s: string) => s.normalize('NFKD').replace(/[^A-Za-z0-9]/g, '');

/** Which part of `plan` a receipt's quoted text (first ~20 characters of a part) is, among those not yet known. */
export function matchPart(plan: SmsPlan, quoted: string, known: ReadonlySet<number>): number | null {
  const q = comparable(quoted);
  for (const segment of plan.segments) {
    if (known.has(segment.seq)) continue;
    const t = comparable(segment.text);
    if (q === '' ? t === '' : t.startsWith(q) || q.startsWith(t)) return segment.seq;
  }
  return null;
}

/** Marks deliveries whose outcome at the SMSC is unknown: they wait for receipts until the grace is over. */
export async function markRecovering(trx: Trx, deliveryIds: string[], graceSeconds: number): Promise<void> {
  if (deliveryIds.length === 0) return;
  await trx
    .updateTable('msg_delivery')
    .set({ provider_ref: RECOVERING, lease_until: sql`now() + make_interval(secs => ${graceSeconds})`, error: 'esito incerto (connessione interrotta): in attesa delle ricevute del centro SMS' })
    .where('id', 'in', deliveryIds)
    .where('state', '=', 'sending')
    .execute();
}

/** The engine's recover hook: deliveries left 'sending' whose lease is over (see the header). */
export async function recoverDeliveries(platform: Platform, enteId: string, deliveries: DeliveryRow[]): Promise<void> {
  await withEnte(platform.db.app, enteId, async (trx) => {
    // Locked again, and still abandoned: another worker may have handled them since they were listed.
    const rows = await trx
      .selectFrom('msg_delivery')
      .selectAll()
      .where('id', 'in', deliveries.map((d) => d.id))
      .where('state', '=', 'sending')
      .where('lease_until', '<', sql<Date>`now()`)
      .forUpdate()
      .skipLocked()
      .execute();
    const neverSubmitted = rows.filter((d) => d.provider_ref !== SUBMITTING && d.provider_ref !== RECOVERING);
    for (const d of neverSubmitted) await markFailed(trx, d.id, 'ripreso dopo l\'interruzione di un invio', new Date());
    await markRecovering(trx, rows.filter((d) => d.provider_ref === SUBMITTING).map((d) => d.id), platform.config.smppRecoveryGraceSeconds);
    const due = rows.filter((d) => d.provider_ref === RECOVERING);
    if (due.length === 0) return;
    const parts = await trx.selectFrom('msg_sms_part').selectAll().where('delivery_id', 'in', due.map((d) => d.id)).orderBy('seq').execute();
    const plans = new Map<string, number>();
    for (const d of due) {
      if (!plans.has(d.dispatch_id)) {
        const dispatch = await trx.selectFrom('msg_dispatch').select(['ente_id', 'sms_text']).where('id', '=', d.dispatch_id).executeTakeFirstOrThrow();
        plans.set(d.dispatch_id, (await dispatchPlan(trx, dispatch)).parts);
      }
      const total = plans.get(d.dispatch_id)!;
      const own = parts.filter((p) => p.delivery_id === d.id);
      if (own.length < total) {
        platform.log.info({ delivery: d.id, known: own.length, total }, 'SMS recovery: parts without receipt are sent again');
        await markFailed(trx, d.id, `${total - own.length} parti senza conferma: nuovo invio`, new Date());
        continue;
      }
      await markSent(trx, d.id, { providerRef: own.map((p) => p.smsc_message_id).join(','), smsParts: total });
      const failed = own.find((p) => p.state === 'failed' || p.state === 'expired');
      if (failed) await markDelivered(trx, d.id, false, failed.receipt_status ?? failed.state);
      else if (own.every((p) => p.state === 'delivered')) await markDelivered(trx, d.id, true, 'DELIVRD');
    }
  });
}
