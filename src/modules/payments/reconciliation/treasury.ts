// Treasury lines: the bank's credits that carry a flow's money. pagoPA's transfer to the ente has the remittance
// "/PUR/LGPE-RIVERSAMENTO/URI/<flow id>"; bank statements break and space it freely, so the reference is read
// with white space removed and case ignored. A statement comes as CSV (date, amount, remittance, reference).
import { createHash } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import { AmountError, parseEuroToCents } from '../amounts.js';
import { statementDate } from './dates.js';

const MARKER = '/PUR/LGPE-RIVERSAMENTO/URI/';
export const MAX_STATEMENT_BYTES = 2 * 1024 * 1024;
export const MAX_STATEMENT_ROWS = 5000;

/**
 * What follows the pagoPA marker in a remittance, spaces removed and upper-cased (a prefix of the flow id and
 * possibly text after it: the flow is the one whose id this starts with); undefined without the marker.
 */
export function flowRefOf(remittance: string): string | undefined {
  const squeezed = remittance.replace(/\s+/g, '').toUpperCase();
  const at = squeezed.indexOf(MARKER);
  if (at < 0) return undefined;
  const ref = /^[A-Z0-9_-]{1,100}/.exec(squeezed.slice(at + MARKER.length))?.[0];
  return ref || undefined;
}

/** The line's identity in the ente's journal: the bank's reference, else a digest of what it says. */
export function lineKey(line: { valueDate: string; amountCents: number; remittance: string; reference: string | null }): string {
  if (line.reference) return `ref:${line.reference.trim().toUpperCase()}`;
  const text = line.remittance.replace(/\s+/g, ' ').trim().toUpperCase();
  return `sha:${createHash('sha256').update(`${line.valueDate}|${line.amountCents}|${text}`).digest('hex').slice(0, 32)}`;
}

export interface TreasuryInput {
  valueDate: string;
  amountCents: number;
  remittance: string;
  reference: string | null;
}

export interface StatementRow {
  /** 1-based line of the CSV file (the header is line 1). */
  line: number;
  outcome: 'ok' | 'ignored' | 'error';
  input?: TreasuryInput;
  message?: string;
}

const HEADERS: Record<keyof TreasuryInput, string[]> = {
  valueDate: ['data', 'data valuta', 'data_valuta', 'data contabile', 'data_contabile', 'date', 'value date', 'value_date'],
  amountCents: ['importo', 'amount', 'avere', 'accredito', 'entrate'],
  remittance: ['causale', 'descrizione', 'remittance', 'description', 'descrizione operazione'],
  reference: ['riferimento', 'reference', 'id', 'identificativo', 'riferimento banca', 'cro', 'trn'],
};

const norm = (h: string) => h.replace(/^\uFEFF/, '').trim().toLowerCase();

/**
 * Reads a bank statement: one result per data row. Debits, zero amounts and credits without the pagoPA marker
 * are ignored (a statement has much else); rows with a bad date or amount are errors with their line number.
 */
export function parseStatement(bytes: Buffer): { rows: StatementRow[]; error?: string } {
  if (bytes.length > MAX_STATEMENT_BYTES) return { rows: [], error: `Il file supera il limite di ${MAX_STATEMENT_BYTES / 1024 / 1024} MB` };
  const text = bytes.toString('utf8').replace(/^\uFEFF/, '');
  const firstLine = text.split(/\r?\n/, 1)[0] ?? '';
  const delimiter = (firstLine.match(/;/g)?.length ?? 0) >= (firstLine.match(/,/g)?.length ?? 0) ? ';' : ',';
  let records: string[][];
  try {
    records = parse(text, { delimiter, relax_column_count: true, skip_empty_lines: true, trim: true, bom: true }) as string[][];
  } catch (err) {
    return { rows: [], error: `CSV non leggibile: ${(err as Error).message}` };
  }
  const header = (records[0] ?? []).map(norm);
  const column = Object.fromEntries(Object.entries(HEADERS).map(([key, names]) => [key, header.findIndex((h) => names.includes(h))])) as Record<keyof TreasuryInput, number>;
  const missing = (['valueDate', 'amountCents', 'remittance'] as const).filter((k) => column[k] < 0);
  if (missing.length > 0) return { rows: [], error: 'Intestazione del CSV non riconosciuta: servono le colonne data, importo e causale (e facoltativa riferimento)' };
  if (records.length - 1 > MAX_STATEMENT_ROWS) return { rows: [], error: `Il file ha più di ${MAX_STATEMENT_ROWS} righe` };
  const rows: StatementRow[] = [];
  for (const [n, record] of records.slice(1).entries()) {
    const line = n + 2;
    const cell = (k: keyof TreasuryInput) => (column[k] >= 0 ? (record[column[k]] ?? '').trim() : '');
    const remittance = cell('remittance');
    const rawAmount = cell('amountCents').replace(/^\+/, '');
    if (rawAmount.startsWith('-')) {
      rows.push({ line, outcome: 'ignored', message: 'addebito' });
      continue;
    }
    if (!flowRefOf(remittance)) {
      rows.push({ line, outcome: 'ignored', message: 'non è un riversamento pagoPA' });
      continue;
    }
    const valueDate = statementDate(cell('valueDate'));
    if (!valueDate) {
      rows.push({ line, outcome: 'error', message: `data non valida: "${cell('valueDate')}"` });
      continue;
    }
    let amountCents: number;
    try {
      amountCents = parseEuroToCents(rawAmount);
    } catch (err) {
      rows.push({ line, outcome: 'error', message: err instanceof AmountError ? err.message : 'importo non valido' });
      continue;
    }
    if (remittance.length > 500) {
      rows.push({ line, outcome: 'error', message: 'causale troppo lunga' });
      continue;
    }
    const reference = cell('reference').slice(0, 100) || null;
    rows.push({ line, outcome: 'ok', input: { valueDate, amountCents, remittance, reference } });
  }
  return { rows };
}
