// What the SMSC sends us (deliver_sm): delivery receipts for the parts we submitted, and SMS that citizens send
// to the two-way number (STOP).
//
// Receipts are applied in small batches (one cross-ente lookup of the SMSC message ids — system bookkeeping, the
// part rows say which ente holds them — then one transaction per ente) and only then acknowledged: the SMSC keeps
// a receipt until deliver_sm_resp says 0, so a crash before the commit loses nothing. A receipt for an id we do
// not know is matched to an uncertain delivery (recovery.ts) or, while one may still claim it, refused with
// ESME_RX_T_APPN so the SMSC offers it again later.
import { sql } from 'kysely';
import type { PDU } from 'smpp';
import { withCrossEnteRead, withEnte } from '../../../platform/db/index.js';
import type { Platform } from '../../../platform/platform.js';
import { markDelivered, markDeliveredMany } from '../engine.js';
import { stopPhoneEverywhere } from '../consent.js';
import { normalizePhone } from './phone.js';
import { dispatchPlan, matchPart, RECOVERING, SUBMITTING } from './recovery.js';

export const STATUS_OK = 0;
export const STATUS_RETRY_LATER = 0x64; // ESME_RX_T_APPN

export interface Receipt {
  id: string;
  /** DELIVRD, UNDELIV, REJECTD, EXPIRED, DELETED, ACCEPTD, UNKNOWN, ENROUTE */
  stat: string;
  err: string | null;
  /** The handset (the receipt's source_addr), E.164. */
  phone: string | null;
  /** The first characters of the part, as the SMSC quotes them. */
  text: string;
}

const MESSAGE_STATE: Record<number, string> = { 1: 'ENROUTE', 2: 'DELIVRD', 3: 'EXPIRED', 4: 'DELETED', 5: 'UNDELIV', 6: 'ACCEPTD', 7: 'UNKNOWN', 8: 'REJECTD' };

/** esm_class bits 2–5: 0001 = SMSC delivery receipt (0000: a normal short message). */
export const isReceipt = (pdu: PDU) => (Number(pdu.esm_class) & 0x3c) === 0x04;

function messageText(pdu: PDU): string {
  const sm = pdu.short_message as { message?: unknown } | Buffer | string | undefined;
  if (typeof sm === 'string') return sm;
  if (Buffer.isBuffer(sm)) return sm.toString('latin1');
  return typeof sm?.message === 'string' ? sm.message : Buffer.isBuffer(sm?.message) ? sm.message.toString('latin1') : '';
}

function e164(pdu: PDU): string | null {
  const addr = String(pdu.source_addr ?? '');
  try {
    return normalizePhone(Number(pdu.source_addr_ton) === 1 ? `+${addr}` : addr, { allowForeign: true }).e164;
  } catch {
    return null;
  }
}

/** SMPP 3.4 Appendix B text ("id:… sub:… dlvr:… submit date:… done date:… stat:… err:… text:…") and the TLVs. */
export function parseReceipt(pdu: PDU): Receipt | null {
  const text = messageText(pdu);
  const field = (name: string) => new RegExp(`(?:^|\\s)${name}:(\\S*)`, 'i').exec(text)?.[1] ?? null;
  const id = (typeof pdu.receipted_message_id === 'string' && pdu.receipted_message_id) || field('id');
  if (!id) return null;
  const stat = (field('stat') ?? MESSAGE_STATE[Number(pdu.message_state)] ?? 'UNKNOWN').toUpperCase();
  return { id, stat, err: field('err'), phone: e164(pdu), text: /text:(.*)$/is.exec(text)?.[1] ?? '' };
}

const PART_STATE: Record<string, 'delivered' | 'failed' | 'expired' | 'unknown' | undefined> = {
  DELIVRD: 'delivered', UNDELIV: 'failed', REJECTD: 'failed', DELETED: 'failed', EXPIRED: 'expired', UNKNOWN: 'unknown',
};

/** Applies receipts; returns the deliver_sm_resp status for each, in order. */
export async function applyReceipts(platform: Platform, receipts: Receipt[]): Promise<number[]> {
  const status = receipts.map(() => STATUS_OK);
  const final = receipts.map((r) => PART_STATE[r.stat]);
  const ids = receipts.filter((_, i) => final[i]).map((r) => r.id);
  if (ids.length === 0) return status; // ENROUTE/ACCEPTD: intermediate, nothing to record
  const known = await withCrossEnteRead(platform.db.app, (trx) => trx.selectFrom('msg_sms_part').select(['ente_id', 'delivery_id', 'smsc_message_id']).where('smsc_message_id', 'in', ids).execute());
  const byId = new Map(known.map((k) => [k.smsc_message_id, k]));
  const perEnte = new Map<string, number[]>();
  const orphans: number[] = [];
  receipts.forEach((r, i) => {
    if (!final[i]) return;
    const part = byId.get(r.id);
    if (!part) return void orphans.push(i);
    perEnte.set(part.ente_id, [...(perEnte.get(part.ente_id) ?? []), i]);
  });
  for (const [enteId, indexes] of perEnte) {
    await withEnte(platform.db.app, enteId, async (trx) => {
      // One statement for the batch: on a busy database the round trips, not the rows, are the cost.
      const values = indexes.map((i) => {
        const r = receipts[i]!;
        return sql`(${r.id}, ${final[i]!}, ${r.err ? `${r.stat} err:${r.err}` : r.stat})`;
      });
      const touched = await sql<{ delivery_id: string }>`
        update msg_sms_part p set state = v.state, receipt_status = v.status, receipt_at = now()
        from (values ${sql.join(values)}) as v (id, state, status)
        where p.smsc_message_id = v.id
        returning p.delivery_id`.execute(trx);
      await settleFromParts(trx, [...new Set(touched.rows.map((r) => r.delivery_id))]);
    });
  }
  for (const i of orphans) status[i] = await matchOrphan(platform, receipts[i]!, final[i]!);
  return status;
}

/** Deliveries already sent: delivered when every part is, failed as soon as one part failed or expired. */
async function settleFromParts(trx: Parameters<typeof markDelivered>[0], deliveryIds: string[]): Promise<void> {
  if (deliveryIds.length === 0) return;
  const rows = await trx
    .selectFrom('msg_delivery as d')
    .innerJoin('msg_sms_part as p', (j) => j.onRef('p.ente_id', '=', 'd.ente_id').onRef('p.delivery_id', '=', 'd.id'))
    .select(['d.id', 'd.sms_parts', 'p.state', 'p.receipt_status'])
    .where('d.id', 'in', deliveryIds)
    .where('d.state', '=', 'sent')
    .execute();
  const delivered: string[] = [];
  for (const id of new Set(rows.map((r) => r.id))) {
    const parts = rows.filter((r) => r.id === id);
    const failed = parts.find((p) => p.state === 'failed' || p.state === 'expired');
    if (failed) await markDelivered(trx, id, false, `mancata consegna: ${failed.receipt_status ?? failed.state}`);
    else if (parts.length === (parts[0]!.sms_parts ?? 1) && parts.every((p) => p.state === 'delivered')) delivered.push(id);
  }
  await markDeliveredMany(trx, delivered);
}

/** A receipt for an SMSC id we never recorded: a part of an uncertain delivery (see recovery.ts)? */
async function matchOrphan(platform: Platform, receipt: Receipt, state: 'delivered' | 'failed' | 'expired' | 'unknown'): Promise<number> {
  if (!receipt.phone) return STATUS_OK;
  const candidates = await withCrossEnteRead(platform.db.app, (trx) =>
    trx
      .selectFrom('msg_delivery')
      .select(['ente_id', 'id', 'dispatch_id', 'provider_ref'])
      .where('channel', '=', 'sms')
      .where('state', '=', 'sending')
      .where('address', '=', receipt.phone!)
      .where('provider_ref', 'in', [SUBMITTING, RECOVERING])
      .execute(),
  );
  for (const c of candidates.filter((c) => c.provider_ref === RECOVERING)) {
    const recorded = await withEnte(platform.db.app, c.ente_id, async (trx) => {
      const dispatch = await trx.selectFrom('msg_dispatch').select(['ente_id', 'sms_text']).where('id', '=', c.dispatch_id).executeTakeFirstOrThrow();
      const parts = await trx.selectFrom('msg_sms_part').select('seq').where('delivery_id', '=', c.id).execute();
      const seq = matchPart(await dispatchPlan(trx, dispatch), receipt.text, new Set(parts.map((p) => p.seq)));
      if (seq === null) return false;
      await trx
        .insertInto('msg_sms_part')
        .values({ ente_id: c.ente_id, delivery_id: c.id, seq, smsc_message_id: receipt.id, state, receipt_status: receipt.stat, receipt_at: new Date() })
        .onConflict((oc) => oc.doNothing())
        .execute();
      return true;
    });
    if (recorded) {
      platform.log.info({ delivery: c.id, smscId: receipt.id }, 'SMS recovery: a receipt confirmed a part whose response was lost');
      return STATUS_OK;
    }
  }
  // A delivery still being submitted (or whose worker died moments ago) may own it: ask the SMSC to retry.
  if (candidates.some((c) => c.provider_ref === SUBMITTING)) return STATUS_RETRY_LATER;
  // Its sender committed the part between our two looks: apply it on the SMSC's next offer.
  const now = await withCrossEnteRead(platform.db.app, (trx) => trx.selectFrom('msg_sms_part').select('delivery_id').where('smsc_message_id', '=', receipt.id).executeTakeFirst());
  if (now) return STATUS_RETRY_LATER;
  platform.log.info({ smscId: receipt.id, stat: receipt.stat }, 'SMS receipt for an unknown message: ignored');
  return STATUS_OK;
}

const STOP_WORDS = new Set(['STOP', 'STOP ALL', 'STOPALL', 'CANCELLA']);

/** An SMS from a citizen: STOP (STOP ALL, CANCELLA; any case and spacing) turns SMS off in every ente. */
export async function handleIncoming(platform: Platform, pdu: PDU): Promise<number> {
  const text = messageText(pdu).normalize('NFKC').replace(/[\s.!]+/g, ' ').trim().toUpperCase();
  const phone = e164(pdu);
  if (!phone || !STOP_WORDS.has(text)) {
    platform.log.info({ from: phone ?? pdu.source_addr, text: text.slice(0, 40) }, 'incoming SMS ignored (not STOP)');
    return STATUS_OK;
  }
  const enti = await stopPhoneEverywhere(platform.db.app, phone);
  platform.log.info({ phone, enti: enti.length }, 'SMS STOP: phone opted out in every ente');
  return STATUS_OK;
}

/** Collects receipts for a few milliseconds and applies them together; each caller gets its own status. */
export class ReceiptBatcher {
  private queue: { receipt: Receipt; resolve: (status: number) => void; reject: (err: unknown) => void }[] = [];
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> = Promise.resolve();

  constructor(
    private readonly platform: Platform,
    private readonly maxDelayMs = 25,
    private readonly maxBatch = 500,
  ) {}

  add(receipt: Receipt): Promise<number> {
    return new Promise((resolve, reject) => {
      this.queue.push({ receipt, resolve, reject });
      if (this.queue.length >= this.maxBatch) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.maxDelayMs);
    });
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.queue.splice(0);
    if (batch.length === 0) return;
    this.running = this.running.then(async () => {
      try {
        const status = await applyReceipts(this.platform, batch.map((b) => b.receipt));
        batch.forEach((b, i) => b.resolve(status[i]!));
      } catch (err) {
        for (const b of batch) b.reject(err);
      }
    });
  }
}
