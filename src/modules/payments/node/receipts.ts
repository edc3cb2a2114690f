// paSendRT / paSendRTV2: the node's receipt of a payment. In one transaction of the ente: the receipt row (its
// raw XML in the ente's file store), the option paid (markOptionPaid), the audit entry and the debtor's e-mail.
// The position row is locked first, so receipts for one position (the same one resent, two instalments, a
// double payment) are recorded one after the other. The same receiptId again changes nothing and answers OK;
// another receiptId for an option already paid is kept, flagged duplicate_of (a double payment to refund).
import { recordAudit } from '../../../platform/audit/index.js';
import { todayInRome } from '../../../platform/calendar/index.js';
import { withEnte, type Trx } from '../../../platform/db/index.js';
import type { Platform } from '../../../platform/platform.js';
import { isMailAddress } from '../../../platform/mail/outbox.js';
import { notify } from '../../messaging/index.js';
import { formatCents } from '../amounts.js';
import { groupedNoticeNumber } from '../iuv.js';
import { markOptionPaid } from '../service.js';
import { NodeFault } from './faults.js';
import { loadNotice, type StationContext } from './operations.js';
import { child, childText, childrenNamed, decimalToCents } from './schema.js';
import { el, type XmlElement, type XmlNode } from './xml.js';

const romeParts = new Intl.DateTimeFormat('en-US', { timeZone: 'Europe/Rome', hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });

/** Minutes Rome is ahead of UTC at instant `at`. */
function romeOffsetMinutes(at: Date): number {
  const p = Object.fromEntries(romeParts.formatToParts(at).map((x) => [x.type, x.value]));
  const wall = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second));
  return Math.round((wall - Math.floor(at.getTime() / 1000) * 1000) / 60_000);
}

/** An xsd:dateTime; without a zone it is Rome wall time (how the node writes paymentDateTime). */
export function romeDateTime(value: string): Date {
  const text = value.trim();
  if (/(Z|[+-][0-9]{2}:[0-9]{2})$/.test(text)) return new Date(text);
  const asUtc = new Date(`${text}Z`).getTime();
  const first = asUtc - romeOffsetMinutes(new Date(asUtc)) * 60_000;
  return new Date(asUtc - romeOffsetMinutes(new Date(first)) * 60_000);
}

interface Party {
  fiscalCode: string;
  name: string;
}

const partyOf = (subject: XmlElement | undefined): Party | null =>
  subject ? { fiscalCode: childText(child(subject, 'uniqueIdentifier'), 'entityUniqueIdentifierValue')!.trim().toUpperCase(), name: childText(subject, 'fullName')!.trim() } : null;

const optionalCents = (value: string | undefined) => (value === undefined ? null : decimalToCents(value));
const optionalText = (value: string | undefined) => value?.trim() || null;

export async function sendReceipt(platform: Platform, station: StationContext, receipt: XmlElement, raw: string, v2: boolean): Promise<XmlNode[]> {
  const receiptId = childText(receipt, 'receiptId')!.trim();
  if (receiptId.length < 1 || receiptId.length > 35) throw new NodeFault('PAA_SEMANTICA', 'receiptId deve avere da 1 a 35 caratteri');
  if (childText(receipt, 'fiscalCode')!.trim() !== station.config.fiscal_code) throw new NodeFault('PAA_SEMANTICA', 'Il codice fiscale della ricevuta non è quello dell’ente indicato in idPA');
  const noticeNumber = childText(receipt, 'noticeNumber')!.trim();
  const outcome = childText(receipt, 'outcome')!.trim() as 'OK' | 'KO';
  const amountCents = decimalToCents(childText(receipt, 'paymentAmount')!);
  const paymentDateTime = childText(receipt, 'paymentDateTime');
  const payer = partyOf(child(receipt, 'payer'));
  const transfers = childrenNamed(child(receipt, 'transferList'), 'transfer').map((t) => ({
    idx: Number(childText(t, 'idTransfer')),
    amountCents: decimalToCents(childText(t, 'transferAmount')!),
    fiscalCode: childText(t, 'fiscalCodePA')!.trim(),
    iban: optionalText(childText(t, 'IBAN')),
    remittance: childText(t, 'remittanceInformation')!,
    taxonomy: childText(t, 'transferCategory')!.trim(),
  }));
  const now = new Date();
  const paidAt = paymentDateTime ? romeDateTime(paymentDateTime) : now;
  const actor = { id: null, label: `nodo-pagopa:${childText(receipt, 'idPSP')!.trim()}` };

  await withEnte(platform.db.app, station.enteId, async (trx) => {
    const state = await loadNotice(trx, noticeNumber, true);
    if (!state) throw new NodeFault('PAA_PAGAMENTO_SCONOSCIUTO', 'Numero avviso sconosciuto');
    const { position, option } = state;
    if (childText(receipt, 'creditorReferenceId')!.trim() !== option.iuv) throw new NodeFault('PAA_SEMANTICA', 'creditorReferenceId non corrisponde allo IUV dell’avviso');
    if (outcome === 'OK' && amountCents !== Number(option.amount_cents)) throw new NodeFault('PAA_SEMANTICA', 'L’importo della ricevuta non corrisponde a quello dell’avviso');
    if (outcome === 'OK' && transfers.reduce((s, t) => s + t.amountCents, 0) !== amountCents) throw new NodeFault('PAA_SEMANTICA', 'La somma dei trasferimenti non corrisponde all’importo');
    const known = await trx.selectFrom('payment_receipt').select('id').where('receipt_id', '=', receiptId).executeTakeFirst();
    if (known) return; // the node sent it again: recorded already, answer OK again

    const first = await trx.selectFrom('payment_receipt').select('id').where('option_id', '=', option.id).where('outcome', '=', 'OK').where('duplicate_of', 'is', null).orderBy('received_at').executeTakeFirst();
    const duplicateOf = outcome === 'OK' && option.status === 'paid' ? (first?.id ?? null) : null;
    const stored = await platform.files.put(trx, station.enteId, { bytes: Buffer.from(raw, 'utf8'), mediaType: 'application/xml', originalName: `ricevuta-${receiptId}.xml`, createdBy: null });
    const row = await trx
      .insertInto('payment_receipt')
      .values({
        ente_id: station.enteId,
        receipt_id: receiptId,
        option_id: option.id,
        notice_number: noticeNumber,
        iuv: option.iuv,
        outcome,
        amount_cents: amountCents,
        fee_cents: optionalCents(childText(receipt, 'fee')),
        psp_id: childText(receipt, 'idPSP')!.trim(),
        psp_name: optionalText(childText(receipt, 'PSPCompanyName')),
        psp_fiscal_code: optionalText(childText(receipt, 'pspFiscalCode')),
        channel_id: optionalText(childText(receipt, 'idChannel')),
        payment_method: optionalText(childText(receipt, 'paymentMethod')),
        payer_fiscal_code: payer?.fiscalCode ?? null,
        payer_name: payer?.name ?? null,
        payment_date_time: paymentDateTime ? paidAt : null,
        application_date: optionalText(childText(receipt, 'applicationDate'))?.slice(0, 10) ?? null,
        transfer_date: optionalText(childText(receipt, 'transferDate'))?.slice(0, 10) ?? null,
        transfers: JSON.stringify(transfers),
        raw_sha256: stored.sha256,
        duplicate_of: duplicateOf,
        received_at: now,
      })
      .onConflict((oc) => oc.columns(['ente_id', 'receipt_id']).doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!row) return;
    // Money collected for a cancelled position is recorded (reconciliation shows it) without reviving the position.
    const paid = outcome === 'OK' && !duplicateOf && position.status !== 'cancelled' ? await markOptionPaid(trx, option, paidAt) : false;
    await recordAudit(trx, {
      enteId: station.enteId,
      actor,
      action: 'payment_receipt.receive',
      entity: 'payment_receipt',
      entityId: row.id,
      after: { receiptId, noticeNumber, outcome, amountCents, optionPaid: paid, duplicateOf, version: v2 ? 2 : 1 },
    });
    if (outcome === 'OK') await notifyDebtor(platform, trx, { enteId: station.enteId, receiptRowId: row.id, receiptId, position: state.position, noticeNumber, amountCents, businessName: station.config.business_name, slug: await slugOf(trx, station.enteId), duplicate: Boolean(duplicateOf) });
  });
  return [el('outcome', 'OK')];
}

async function slugOf(trx: Trx, enteId: string): Promise<string> {
  const row = await trx.selectFrom('ente').select('slug').where('id', '=', enteId).executeTakeFirstOrThrow();
  return row.slug;
}

/**
 * Tells the debtor of a new receipt through messaging's notifications (e-mail, and App IO for a person when the
 * ente has an IO service), in the receipt's transaction; idempotent on the receipt id, and the e-mail keeps the
 * outbox key it had before messaging existed. A receipt is never refused over the debtor's contacts.
 */
async function notifyDebtor(
  platform: Platform,
  trx: Trx,
  r: { enteId: string; receiptRowId: string; receiptId: string; position: { debtor_type: 'F' | 'G'; debtor_fiscal_code: string; debtor_email: string | null; debtor_name: string; reason: string }; noticeNumber: string; amountCents: number; businessName: string; slug: string; duplicate: boolean },
): Promise<void> {
  const email = r.position.debtor_email?.trim();
  const fiscalCode = r.position.debtor_type === 'F' && /^[A-Z0-9]{16}$/i.test(r.position.debtor_fiscal_code) ? r.position.debtor_fiscal_code : null;
  const to = { email: email && isMailAddress(email) ? email : null, fiscalCode };
  if (!to.email && !to.fiscalCode) return;
  const link = `${platform.config.publicUrl}/${r.slug}/pagamenti/ricevute/${r.receiptRowId}.pdf`;
  const text = [
    `Gentile ${r.position.debtor_name},`,
    '',
    `${r.businessName} ha ricevuto il pagamento di ${formatCents(r.amountCents)} euro per "${r.position.reason}" (avviso ${groupedNoticeNumber(r.noticeNumber)}), registrato il ${todayInRome().split('-').reverse().join('/')}.`,
    ...(r.duplicate ? ['', 'Questo avviso risultava già pagato: l’ente verificherà il doppio pagamento e disporrà il rimborso.'] : []),
    '',
    `La ricevuta è disponibile, dopo l’accesso con SPID o CIE, all’indirizzo:`,
    link,
    '',
    'Questo messaggio è stato inviato automaticamente: non rispondere.',
  ].join('\n');
  const key = `payment-receipt:${r.receiptId}`;
  await notify(platform, { enteId: r.enteId, module: 'payments', key, to, title: `Ricevuta di pagamento – ${r.position.reason}`.slice(0, 200), body: text, email: { outboxKey: key }, requested: true, trx });
}
