// The receipt for people (ricevuta di pagamento), as a PDF made with pdfkit: the ente, debtor and payer, the
// notice number in groups of four, the IUV, the amount, the PSP, the date and time in Rome, the transfers.
// Made on request from the stored receipt (nothing heavy on the node's hot path).
import PDFDocument from 'pdfkit';
import type { Kysely } from 'kysely';
import { withEnte, type DB, type Trx } from '../../../platform/db/index.js';
import { formatCents } from '../amounts.js';
import { groupedNoticeNumber } from '../iuv.js';
import { formatDateTime } from '../../../platform/views/i18n/index.js';
import type { ReceiptRow } from '../store.js';

/** "05/10/2026, 14:03" → "05/10/2026 14:03" (Rome wall time). */
export const formatRomeDateTime = (at: Date) => formatDateTime(at).replace(',', '');

export interface ReceiptDocument {
  receipt: ReceiptRow;
  ente: { name: string; fiscalCode: string };
  debtor: { name: string; fiscalCode: string };
  reason: string;
  instalment: number | null;
}

interface StoredTransfer {
  idx: number;
  amountCents: number;
  fiscalCode: string;
  iban: string | null;
  remittance: string;
  taxonomy: string;
}

/** Everything the PDF shows, read in the ente's transaction; undefined when the ente has no such receipt. */
export async function loadReceiptDocument(trx: Trx, receiptRowId: string): Promise<ReceiptDocument | undefined> {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(receiptRowId)) return undefined;
  const receipt = await trx.selectFrom('payment_receipt').selectAll().where('id', '=', receiptRowId).executeTakeFirst();
  if (!receipt) return undefined;
  const row = await trx
    .selectFrom('payment_option as o')
    .innerJoin('payment_position as p', (j) => j.onRef('p.ente_id', '=', 'o.ente_id').onRef('p.id', '=', 'o.position_id'))
    .innerJoin('payment_config as c', 'c.ente_id', 'o.ente_id')
    .select(['o.instalment', 'p.debtor_name', 'p.debtor_fiscal_code', 'p.reason', 'c.business_name', 'c.fiscal_code'])
    .where('o.id', '=', receipt.option_id)
    .executeTakeFirstOrThrow();
  return {
    receipt,
    ente: { name: row.business_name, fiscalCode: row.fiscal_code },
    debtor: { name: row.debtor_name, fiscalCode: row.debtor_fiscal_code },
    reason: row.reason,
    instalment: row.instalment,
  };
}

export function renderReceiptPdf(doc: ReceiptDocument): Promise<Buffer> {
  const { receipt, ente, debtor } = doc;
  const pdf = new PDFDocument({ size: 'A4', margin: 50, info: { Title: `Ricevuta di pagamento ${receipt.receipt_id}`, Author: ente.name } });
  const chunks: Buffer[] = [];
  pdf.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve) => pdf.on('end', () => resolve(Buffer.concat(chunks))));

  pdf.font('Helvetica-Bold').fontSize(16).text(ente.name);
  pdf.font('Helvetica').fontSize(10).text(`Codice fiscale ${ente.fiscalCode}`);
  pdf.moveDown();
  pdf.font('Helvetica-Bold').fontSize(14).text('Ricevuta di pagamento pagoPA');
  if (receipt.duplicate_of) pdf.font('Helvetica-Bold').fontSize(10).fillColor('#a61919').text('Pagamento doppio: l’avviso risultava già pagato. L’ente disporrà il rimborso.').fillColor('black');
  pdf.moveDown(0.5);
  const line = (label: string, value: string) => {
    pdf.font('Helvetica-Bold').fontSize(10).text(`${label}: `, { continued: true }).font('Helvetica').text(value);
  };
  line('Causale', doc.instalment ? `${doc.reason} – rata ${doc.instalment}` : doc.reason);
  line('Debitore', `${debtor.name} (${debtor.fiscalCode})`);
  line('Pagatore', receipt.payer_name ? `${receipt.payer_name}${receipt.payer_fiscal_code ? ` (${receipt.payer_fiscal_code})` : ''}` : `${debtor.name} (${debtor.fiscalCode})`);
  line('Codice avviso', groupedNoticeNumber(receipt.notice_number));
  line('IUV', receipt.iuv);
  line('Importo', `${formatCents(Number(receipt.amount_cents))} €`);
  if (receipt.fee_cents !== null) line('Commissione del prestatore', `${formatCents(Number(receipt.fee_cents))} €`);
  line('Prestatore di servizi di pagamento (PSP)', `${receipt.psp_name ?? receipt.psp_id} (${receipt.psp_id})`);
  if (receipt.payment_method) line('Strumento di pagamento', receipt.payment_method);
  line('Data e ora del pagamento', `${formatRomeDateTime(receipt.payment_date_time ?? receipt.received_at)} (ora italiana)`);
  line('Identificativo ricevuta', receipt.receipt_id);
  line('Esito', receipt.outcome === 'OK' ? 'Pagamento eseguito' : 'Pagamento non eseguito');

  pdf.moveDown();
  pdf.font('Helvetica-Bold').fontSize(12).text('Trasferimenti');
  for (const t of (receipt.transfers as StoredTransfer[]) ?? []) {
    pdf.moveDown(0.3);
    pdf.font('Helvetica').fontSize(10).text(`${t.idx}. ${formatCents(t.amountCents)} € a favore di ${t.fiscalCode}${t.iban ? ` – IBAN ${t.iban}` : ''}`);
    pdf.fontSize(9).text(`${t.remittance} (${t.taxonomy})`, { indent: 14 });
  }
  pdf.moveDown(2);
  pdf.fontSize(8).fillColor('#555555').text('Ricevuta emessa dall’ente creditore sulla base della ricevuta telematica trasmessa dal Nodo dei Pagamenti pagoPA.');
  pdf.end();
  return done;
}

/** The receipt PDF of one receipt of an ente (for other areas: citizen area, back office). */
export async function receiptPdf(db: Kysely<DB>, enteId: string, receiptRowId: string): Promise<Buffer | undefined> {
  const doc = await withEnte(db, enteId, (trx) => loadReceiptDocument(trx, receiptRowId));
  return doc ? renderReceiptPdf(doc) : undefined;
}
