// The match of one flow line to what we know of its IUV: the payment option, its receipts (RT) and the amount
// the ente should have been credited. Pure: the service loads the candidates and stores the result.

export type LineStatus = 'matched' | 'unknown_iuv' | 'amount_mismatch' | 'missing_receipt' | 'revoked';

export interface LineToMatch {
  iuv: string;
  iur: string;
  transferIndex: number | null;
  amountCents: number;
  outcomeCode: string;
}

export interface ReceiptCandidate {
  id: string;
  receiptId: string;
  amountCents: number;
  duplicateOf: string | null;
  /** As received: [{ idx, amountCents, fiscalCode, … }]. */
  transfers: unknown;
}

export interface OptionCandidate {
  id: string;
  serviceCode: string;
  amountCents: number;
  /** The option's own transfers (idx, beneficiary, amount), used when a receipt does not carry them. */
  transfers: { idx: number; fiscalCode: string; amountCents: number }[];
}

export interface LineMatch {
  status: LineStatus;
  optionId: string | null;
  receiptId: string | null;
  serviceCode: string | null;
  expectedCents: number | null;
}

interface TransferLite {
  idx: number;
  fiscalCode: string | null;
  amountCents: number;
}

function receiptTransfers(value: unknown): TransferLite[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((t) => {
    const o = t as Record<string, unknown>;
    const idx = Number(o.idx);
    const amount = Number(o.amountCents);
    return Number.isInteger(idx) && Number.isSafeInteger(amount) ? [{ idx, fiscalCode: typeof o.fiscalCode === 'string' ? o.fiscalCode : null, amountCents: amount }] : [];
  });
}

/**
 * What the ente should receive for this line: with a transfer index, that transfer's amount; without, the
 * transfers to the ente (a TEFA share to the Provincia is in another ente's flow), or the whole receipt.
 */
export function expectedAmount(line: Pick<LineToMatch, 'transferIndex'>, receipt: ReceiptCandidate, option: OptionCandidate, enteFiscalCode: string): number {
  const own = receiptTransfers(receipt.transfers);
  const transfers: TransferLite[] = own.length > 0 ? own : option.transfers;
  if (line.transferIndex !== null) {
    const t = transfers.find((x) => x.idx === line.transferIndex);
    return t ? t.amountCents : 0;
  }
  const toEnte = transfers.filter((t) => t.fiscalCode === enteFiscalCode);
  return toEnte.length > 0 && toEnte.length < transfers.length ? toEnte.reduce((s, t) => s + t.amountCents, 0) : receipt.amountCents;
}

/**
 * Matches a line. `used` holds the receipts already matched by earlier lines of the flow (a double payment has
 * two lines and two receipts for one IUV); a line with a transfer index may share its receipt with the other
 * transfers of the same payment, so only (receipt, index) pairs are exclusive.
 */
export function matchLine(line: LineToMatch, option: OptionCandidate | undefined, receipts: readonly ReceiptCandidate[], enteFiscalCode: string, used: Set<string>): LineMatch {
  if (!option) return { status: 'unknown_iuv', optionId: null, receiptId: null, serviceCode: null, expectedCents: null };
  const key = (r: ReceiptCandidate) => `${r.id}#${line.transferIndex ?? '-'}`;
  const free = receipts.filter((r) => !used.has(key(r)));
  const receipt = free.find((r) => r.receiptId === line.iur) ?? free.find((r) => r.duplicateOf === null) ?? free[0];
  const base = { optionId: option.id, serviceCode: option.serviceCode };
  if (!receipt) return { ...base, status: line.outcomeCode === '3' ? 'revoked' : 'missing_receipt', receiptId: null, expectedCents: null };
  used.add(key(receipt));
  const expected = expectedAmount(line, receipt, option, enteFiscalCode);
  // A revoked payment (code 3) takes back money we recorded as paid: staff must look at it whatever the amount.
  if (line.outcomeCode === '3') return { ...base, status: 'revoked', receiptId: receipt.id, expectedCents: expected };
  return { ...base, status: expected === line.amountCents ? 'matched' : 'amount_mismatch', receiptId: receipt.id, expectedCents: expected };
}
