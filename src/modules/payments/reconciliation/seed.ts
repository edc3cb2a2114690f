// Demo reconciliation for Canelli: three payments with their receipts (recorded as the node's paSendRT would),
// the PSP's reporting flow for them — one line credited one euro less than the receipt, the demo's one anomaly —
// and the treasury credit of the flow, matched by its remittance.
import { systemActor } from '../../../platform/audit/index.js';
import { addDays, todayInRome } from '../../../platform/calendar/index.js';
import { withEnte, type Trx } from '../../../platform/db/index.js';
import type { Platform } from '../../../platform/platform.js';
import { getEnteBySlug } from '../../../platform/tenancy/index.js';
import { createPosition, markOptionPaid } from '../service.js';
import type { OptionRow } from '../store.js';
import { fdrXml, treasuryRemittance } from './fdr-xml.js';
import { addTreasuryLines, importFlow } from './service.js';

export const DEMO_PSP = { code: 'ABI03069', name: 'Intesa Sanpaolo S.p.A.' };

/** Records a receipt for an option as paSendRT does: the option paid, the raw receipt kept, one receipt row. */
export async function recordReceipt(
  platform: Platform,
  trx: Trx,
  enteId: string,
  option: OptionRow,
  receipt: { receiptId: string; amountCents?: number; applicationDate: string; paidAt: Date; payerName?: string; transfers?: { idx: number; amountCents: number; fiscalCode: string }[] },
): Promise<string> {
  await markOptionPaid(trx, option, receipt.paidAt);
  const raw = Buffer.from(`<receipt id="${receipt.receiptId}" iuv="${option.iuv}"/>`);
  const file = await platform.files.put(trx, enteId, { bytes: raw, mediaType: 'application/xml', originalName: `${receipt.receiptId}.xml` });
  const row = await trx
    .insertInto('payment_receipt')
    .values({
      ente_id: enteId,
      receipt_id: receipt.receiptId,
      option_id: option.id,
      notice_number: option.notice_number,
      iuv: option.iuv,
      outcome: 'OK',
      amount_cents: receipt.amountCents ?? Number(option.amount_cents),
      fee_cents: 100,
      psp_id: DEMO_PSP.code,
      psp_name: DEMO_PSP.name,
      payer_name: receipt.payerName ?? null,
      payment_date_time: receipt.paidAt,
      application_date: receipt.applicationDate,
      transfer_date: receipt.applicationDate,
      transfers: JSON.stringify(receipt.transfers ?? []),
      raw_sha256: file.sha256,
      received_at: receipt.paidAt,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function seedDemoReconciliationData(platform: Platform, now = new Date()): Promise<void> {
  const db = platform.db.app;
  const canelli = await getEnteBySlug(db, 'canelli');
  if (!canelli) return;
  const config = await withEnte(db, canelli.id, (trx) => trx.selectFrom('payment_config').selectAll().executeTakeFirst());
  if (!config) return;
  const today = todayInRome(now);
  const paidOn = addDays(today, -2);
  const created = new Date(now.getTime() - 5 * 86_400_000);
  const payments = [
    { service: 'mensa', reason: 'Mensa scolastica – ottobre', cents: 4_500, debtor: { fiscalCode: 'RSSMRA80A01A479L', name: 'Mario Rossi' }, credited: 4_500 },
    { service: 'diritti_segreteria', reason: 'Diritti di segreteria – certificato', cents: 1_600, debtor: { fiscalCode: 'BNCGLI85C55A479Q', name: 'Giulia Bianchi' }, credited: 1_600 },
    { service: 'canone_unico', reason: 'Canone unico – passo carraio 2026', cents: 12_000, debtor: { fiscalCode: 'RSSMRA80A01A479L', name: 'Mario Rossi' }, credited: 11_900 },
  ];
  const lines: { iuv: string; iur: string; amountCents: number; date: string }[] = [];
  for (const [n, p] of payments.entries()) {
    const { position } = await createPosition(
      db,
      systemActor,
      canelli.id,
      { serviceCode: p.service, reason: p.reason, amountCents: p.cents, debtor: p.debtor, dueDate: addDays(today, 30), externalRef: `DEMO-RICONCILIAZIONE-${n + 1}` },
      { now: created },
    );
    const option = position.options[0]!;
    if (option.status === 'paid') return; // seeded already
    const receiptId = `DEMO-RT-${option.iuv}`;
    await withEnte(db, canelli.id, async (trx) => {
      const row = await trx.selectFrom('payment_option').selectAll().where('id', '=', option.id).executeTakeFirstOrThrow();
      await recordReceipt(platform, trx, canelli.id, row, { receiptId, applicationDate: paidOn, paidAt: new Date(`${paidOn}T09:${10 + n}:00+01:00`), payerName: p.debtor.name });
    });
    lines.push({ iuv: option.iuv, iur: receiptId, amountCents: p.credited, date: paidOn });
  }
  const flowId = `${paidOn}${DEMO_PSP.code}-S000001`;
  const xml = fdrXml({
    flowId,
    flowDateTime: `${addDays(paidOn, 1)}T07:30:00`,
    settlementId: `SCT${paidOn.replace(/-/g, '')}0001`,
    settlementDate: addDays(paidOn, 1),
    psp: DEMO_PSP,
    bic: 'BCITITMM',
    receiver: { fiscalCode: config.fiscal_code, name: config.business_name },
    lines,
  });
  await importFlow(platform, systemActor, canelli.id, { bytes: Buffer.from(xml), name: `${flowId}.xml` }, now);
  const total = lines.reduce((s, l) => s + l.amountCents, 0);
  await addTreasuryLines(db, systemActor, canelli.id, [{ valueDate: addDays(paidOn, 1), amountCents: total, remittance: treasuryRemittance(flowId), reference: `DEMO-TES-${paidOn}` }], 'manual', now);
}
