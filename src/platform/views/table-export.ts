// Tables handed out as files: CSV for Italian Excel (UTF-8 with BOM so accents survive, ';' because ',' is the
// decimal separator, CRLF, formula-leading text neutralised against CSV injection) and XLSX through exceljs
// (bold frozen header, autofilter, column widths, real numbers, dates and percentages that sort and sum).
import ExcelJS from 'exceljs';
import { todayInRome } from '../calendar/index.js';
import { sendPrivateFile } from '../http/download.js';
import { t } from './i18n/index.js';
import './i18n/platform.js';

/** What a cell may hold. A Date is an instant; a 'date' column may also take 'YYYY-MM-DD' strings. */
export type Cell = string | number | Date | null | undefined;

export interface ExportColumn {
  header: string;
  /** 'text' (default), 'number' (integers or decimals), 'percent' (a fraction: 0.875 = 87,5 %), 'date' (Rome day), 'datetime' (Rome wall time). */
  kind?: 'text' | 'number' | 'percent' | 'date' | 'datetime';
  /** Width in characters in the XLSX; computed from the content when missing. */
  width?: number;
}

export interface ExportTable {
  /** Sheet name in the XLSX (Excel allows 31 characters and no []:*?/\). */
  sheet: string;
  columns: ExportColumn[];
  rows: Cell[][];
}

export const CSV_TYPE = 'text/csv; charset=utf-8';
export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

const italianDecimal = new Intl.NumberFormat('it-IT', { useGrouping: false, maximumFractionDigits: 4 });
const italianPercent = new Intl.NumberFormat('it-IT', { style: 'percent', useGrouping: false, maximumFractionDigits: 1 });
const romeWall = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Rome', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });

/** The wall-clock time in Rome of `instant`, as 'YYYY-MM-DD HH:MM'. */
function romeWallTime(instant: Date): string {
  const p = Object.fromEntries(romeWall.formatToParts(instant).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
}

const dmy = (iso: string) => `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}`;

/** The text of a cell as Italian Excel reads it back (numbers with a decimal comma, dates dd/mm/yyyy). */
export function cellText(value: Cell, kind: ExportColumn['kind'] = 'text'): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return '';
    return kind === 'percent' ? italianPercent.format(value) : italianDecimal.format(value);
  }
  if (value instanceof Date) return kind === 'date' ? dmy(todayInRome(value)) : `${dmy(romeWallTime(value))} ${romeWallTime(value).slice(11)}`;
  if (kind === 'date' && /^\d{4}-\d{2}-\d{2}$/.test(value)) return dmy(value);
  return value;
}

/**
 * A CSV cell: quoted when needed; text starting with = + - @ tab or CR is prefixed with ' so a spreadsheet
 * does not run it as a formula (numbers are not text: -5 stays -5).
 */
export function csvCell(value: Cell, kind?: ExportColumn['kind']): string {
  const text = cellText(value, kind);
  const safe = typeof value === 'string' && /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[";\r\n]/.test(safe) || safe !== safe.trim() ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** A whole CSV file: BOM, header, rows, ';' between cells, CRLF after every line. */
export function toCsv(header: string[], rows: Cell[][], kinds: ExportColumn['kind'][] = []): string {
  const lines = [header.map((h) => csvCell(h)), ...rows.map((r) => r.map((cell, i) => csvCell(cell, kinds[i])))];
  return `\uFEFF${lines.map((cells) => cells.join(';')).join('\r\n')}\r\n`;
}

export const tableToCsv = (table: ExportTable) =>
  toCsv(
    table.columns.map((c) => c.header),
    table.rows,
    table.columns.map((c) => c.kind),
  );

/** The value exceljs should store: real numbers, and dates as Excel serials of the Rome wall-clock day/time. */
function xlsxValue(value: Cell, kind: ExportColumn['kind']): ExcelJS.CellValue {
  if (value === null || value === undefined) return null;
  if ((kind === 'date' || kind === 'datetime') && (value instanceof Date || /^\d{4}-\d{2}-\d{2}/.test(value as string))) {
    // Excel has no time zones: write the Rome wall-clock reading as if it were UTC.
    const wall = value instanceof Date ? (kind === 'date' ? `${todayInRome(value)} 00:00` : romeWallTime(value)) : `${String(value).slice(0, 10)} 00:00`;
    return new Date(`${wall.replace(' ', 'T')}:00Z`);
  }
  if (typeof value === 'number' && !Number.isFinite(value)) return null;
  return value;
}

const numberFormats: Partial<Record<NonNullable<ExportColumn['kind']>, string>> = {
  percent: '0.0%',
  date: 'dd/mm/yyyy',
  datetime: 'dd/mm/yyyy hh:mm',
};

/** Excel refuses some characters and more than 31 in a sheet name. */
export const sheetName = (name: string) => name.replace(/[[\]:*?/\\]/g, ' ').slice(0, 31).trim() || 'Foglio';

/** An XLSX workbook with one sheet per table. */
export async function toXlsx(tables: ExportTable | ExportTable[], meta: { title?: string; creator?: string } = {}): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = meta.creator ?? t('app.name');
  workbook.created = new Date();
  if (meta.title) workbook.title = meta.title;
  const used = new Set<string>();
  for (const table of [tables].flat()) {
    let name = sheetName(table.sheet);
    for (let n = 2; used.has(name); n++) name = `${sheetName(table.sheet).slice(0, 27)} (${n})`;
    used.add(name);
    const sheet = workbook.addWorksheet(name, { views: [{ state: 'frozen', ySplit: 1 }] });
    sheet.addRow(table.columns.map((c) => c.header)).font = { bold: true };
    for (const row of table.rows) sheet.addRow(table.columns.map((c, i) => xlsxValue(row[i], c.kind)));
    table.columns.forEach((c, i) => {
      const column = sheet.getColumn(i + 1);
      const longest = Math.max(c.header.length, ...table.rows.map((r) => cellText(r[i], c.kind).length));
      column.width = c.width ?? Math.min(60, Math.max(8, longest + 2));
      const format = c.kind ? numberFormats[c.kind] : undefined;
      if (format) column.numFmt = format;
    });
    if (table.columns.length > 0) sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: table.columns.length } };
  }
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

type Reply = Parameters<typeof sendPrivateFile>[0];

/**
 * Sends `tables` as a download named `baseName.csv` or `baseName.xlsx` (never cached). A CSV holds one table:
 * the first one.
 */
export async function sendTableExport(reply: Reply, format: 'csv' | 'xlsx', baseName: string, tables: ExportTable | ExportTable[], meta: { title?: string; creator?: string } = {}) {
  const list = [tables].flat();
  if (format === 'csv') {
    return sendPrivateFile(reply, { name: `${baseName}.csv`, mediaType: CSV_TYPE, bytes: Buffer.from(list[0] ? tableToCsv(list[0]) : '\uFEFF', 'utf8') });
  }
  return sendPrivateFile(reply, { name: `${baseName}.xlsx`, mediaType: XLSX_TYPE, bytes: await toXlsx(list, meta) });
}
