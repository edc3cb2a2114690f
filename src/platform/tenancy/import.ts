// Import of comuni from the ISTAT territorial history CSV (the `cities.csv` vocabulary of the national data
// catalogue): every row is one period of validity of one comune. The rows valid on a reference date become
// enti of kind 'comune', upserted by ISTAT code, with the name of that row and the lifetime of the code (the
// uninterrupted run of its periods); broken rows are rejected one by one (with their line number) while the
// good ones are imported. Used by `cir ente import` and, later, by the back-office upload.
import { randomUUID } from 'node:crypto';
import { isIsoDate } from '../calendar/index.js';
import { Readable } from 'node:stream';
import { parse, type CsvError } from 'csv-parse';
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { recordAudit, systemActor, type Actor } from '../audit/index.js';
import { withEnte, type DB, type Trx } from '../db/index.js';
import { reservedSlugs, slugify, todayInRome } from './index.js';

/** The columns of the ISTAT file, in their published order. */
export const ISTAT_COLUMNS = [
  'CODICE_REGIONE',
  'CODICE_PROVINCIA',
  'SIGLA_AUTOMOBILISTICA',
  'ID_COMUNE',
  'CODICE_COMUNE',
  'LABEL_COMUNE_IT',
  'LABEL_COMUNE_DE',
  'DATA_INIZIO_VALIDITA',
  'DATA_FINE_VALIDITA',
] as const;

/** `source` of the memberships this import creates (comune → its provincia). */
export const TERRITORY_SOURCE = 'ISTAT';

/** The file cannot be imported at all (unreadable, no matching header, bad options). */
export class IstatImportError extends Error {}

export interface IstatImportOptions {
  /** Reference date 'YYYY-MM-DD': rows valid on it are imported (default: today in Europe/Rome). */
  on?: string | undefined;
  /** Only comuni whose ISTAT code starts with this (e.g. '005', the provincia di Asti). */
  province?: string | undefined;
  /** Size of the input in bytes, for progress (known for strings; pass the file size for streams). */
  totalBytes?: number | undefined;
  /** Who is importing, for the audit log (default: system). */
  actor?: Actor | undefined;
}

export interface IstatImportProgress {
  /** 'read': parsing the file (done/total in bytes); 'write': saving the enti (done/total in enti). */
  phase: 'read' | 'write';
  done: number;
  total: number;
}

export interface RejectedRow {
  line: number;
  reason: string;
}

export interface ImportedComune {
  line: number;
  istatCode: string;
  name: string;
  slug: string;
  outcome: 'created' | 'updated' | 'unchanged';
}

export interface IstatImportReport {
  on: string;
  province: string | null;
  /** Data rows read (header excluded), duplicates and rejected rows included. */
  rows: number;
  created: number;
  updated: number;
  unchanged: number;
  /** Exact repetitions of an earlier row (counted once). */
  duplicates: number;
  /** Valid rows whose period does not include the reference date (history). */
  skippedNotValid: number;
  /** Rows of comuni outside the requested province. */
  skippedOtherProvince: number;
  /** New comune → provincia memberships. */
  membershipsCreated: number;
  /** Broken rows, by line number. */
  rejected: RejectedRow[];
  comuni: ImportedComune[];
}

const OPEN_END = '9999-12-31';

export { isIsoDate };

/** ISTAT 'DD-MM-YYYY' → 'YYYY-MM-DD', or null when it is not a real date. */
export function parseIstatDate(value: string): string | null {
  const match = /^(\d{2})-(\d{2})-(\d{4})$/.exec(value.trim());
  if (!match) return null;
  const iso = `${match[3]}-${match[2]}-${match[1]}`;
  return isIsoDate(iso) ? iso : null;
}

// Words written in lower case inside an Italian (or French, in Valle d'Aosta) place name.
const PARTICLES = new Set([
  'a', 'ad', 'al', 'alla', 'alle', 'allo', 'ai', 'agli', 'all', 'col', 'con', 'd', 'da', 'dal', 'dalla', 'dalle', 'dallo',
  'dai', 'dagli', 'dall', 'de', 'dei', 'degli', 'del', 'della', 'delle', 'dello', 'dell', 'di', 'e', 'ed', 'en', 'in',
  'il', 'l', 'la', 'le', 'lo', 'nel', 'nella', 'nelle', 'nello', 'nei', 'negli', 'nell', 'per', 'sul', 'sulla', 'sulle',
  'sullo', 'sui', 'sugli', 'sull', 'su', 'tra', 'fra', 'sur', 'sous',
]);

const ROMAN = /^x{0,3}(ix|iv|v?i{0,3})$/;

/**
 * ISTAT publishes names in capitals: 'MONTEGROSSO D'ASTI' → 'Montegrosso d'Asti',
 * 'CASTELL'ALFERO' → 'Castell'Alfero', 'RHÊMES-NOTRE-DAME' → 'Rhêmes-Notre-Dame'.
 */
export function titleCaseComune(name: string): string {
  const parts = name.trim().replace(/\s+/g, ' ').toLocaleLowerCase('it').split(/([ \-'’/])/);
  let first = true;
  return parts
    .map((part, i) => {
      if (part === '' || /^[ \-'’/]$/.test(part)) return part;
      const isFirst = first;
      first = false;
      const next = parts[i + 1];
      if (!isFirst && PARTICLES.has(part) && next !== undefined && next !== '/') return part;
      if (part.length > 1 && ROMAN.test(part)) return part.toUpperCase(); // 'Sotto il Monte Giovanni XXIII'
      return part.charAt(0).toLocaleUpperCase('it') + part.slice(1);
    })
    .join('');
}

interface Candidate {
  line: number;
  istatCode: string;
  provinceCode: string;
  name: string;
  validFrom: string;
  validTo: string | null;
}

interface Period {
  start: string;
  /** Exclusive; '9999-12-31' when open. */
  end: string;
}

interface ExistingEnte {
  id: string;
  kind: string;
  name: string;
  slug: string;
  istat_code: string | null;
  valid_from: string | null;
  valid_to: string | null;
}

function toReadable(input: string | Readable): Readable {
  return typeof input === 'string' ? Readable.from([input]) : input;
}

/** Reads and validates the rows; returns the comuni to save. Throws IstatImportError on a bad header. */
async function readCandidates(
  input: string | Readable,
  on: string,
  province: string | null,
  totalBytes: number,
  report: IstatImportReport,
  onProgress: ((p: IstatImportProgress) => void) | undefined,
): Promise<Candidate[]> {
  const source = toReadable(input);
  const parser = parse({ bom: true, info: true, relax_column_count: true, skip_empty_lines: true, skip_records_with_error: true });
  source.on('error', (err) => parser.destroy(err)); // pipe() alone would leave the loop below waiting forever
  source.pipe(parser);
  parser.on('skip', (err: CsvError & { lines?: number }) => {
    const line = err.lines ?? 0;
    report.rows += 1;
    report.rejected.push({ line, reason: `riga CSV malformata (${err.code === 'CSV_INVALID_CLOSING_QUOTE' ? 'virgolette non chiuse correttamente' : err.code})` });
  });

  let columns: Map<string, number> | undefined;
  let width = 0;
  const seenRows = new Set<string>();
  const byCode = new Map<string, Candidate>();
  const periods = new Map<string, Period[]>(); // every well-formed period per ISTAT code, for lifetimes
  const reject = (line: number, reason: string) => report.rejected.push({ line, reason });

  for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number; bytes: number } }>) {
    const line = info.lines;
    onProgress?.({ phase: 'read', done: totalBytes > 0 ? Math.min(info.bytes, totalBytes) : info.bytes, total: totalBytes });
    if (!columns) {
      const header = record.map((c) => c.trim().toUpperCase());
      const missing = ISTAT_COLUMNS.filter((c) => !header.includes(c));
      if (missing.length > 0) {
        throw new IstatImportError(
          `intestazione non riconosciuta alla riga ${line}: mancano le colonne ${missing.join(', ')} (attese: ${ISTAT_COLUMNS.join(', ')})`,
        );
      }
      columns = new Map(header.map((c, i) => [c, i]));
      width = header.length;
      continue;
    }
    report.rows += 1;
    if (record.length !== width) {
      reject(line, `numero di colonne errato: ${record.length} invece di ${width}`);
      continue;
    }
    const raw = JSON.stringify(record);
    if (seenRows.has(raw)) {
      report.duplicates += 1;
      continue;
    }
    seenRows.add(raw);
    const field = (name: (typeof ISTAT_COLUMNS)[number]) => (record[columns!.get(name)!] ?? '').trim();

    const istatCode = field('CODICE_COMUNE');
    if (!/^\d{6}$/.test(istatCode)) {
      reject(line, `codice ISTAT del comune non valido: "${istatCode}" (attese 6 cifre)`);
      continue;
    }
    if (province && !istatCode.startsWith(province)) {
      report.skippedOtherProvince += 1;
      continue;
    }
    const rawName = field('LABEL_COMUNE_IT');
    if (rawName === '') {
      reject(line, 'nome del comune mancante');
      continue;
    }
    const startText = field('DATA_INIZIO_VALIDITA');
    const endText = field('DATA_FINE_VALIDITA');
    const start = parseIstatDate(startText);
    if (!start) {
      reject(line, `data di inizio validità non valida: "${startText}" (atteso GG-MM-AAAA)`);
      continue;
    }
    const end = parseIstatDate(endText);
    if (!end) {
      reject(line, `data di fine validità non valida: "${endText}" (atteso GG-MM-AAAA)`);
      continue;
    }
    if (end < start) {
      reject(line, `la fine della validità (${endText}) precede l'inizio (${startText})`);
      continue;
    }
    // Periods are [start, end): a row whose end equals its start was never in force (ISTAT same-day changes).
    const validTo = end === OPEN_END ? null : end;
    if (!(start <= on && (validTo === null || on < validTo))) {
      report.skippedNotValid += 1;
      if (start < end) addPeriod(periods, istatCode, start, end);
      continue;
    }
    const earlier = byCode.get(istatCode);
    if (earlier) {
      reject(line, `il codice ISTAT ${istatCode} è già valido alla data ${on} alla riga ${earlier.line} con dati diversi`);
      continue;
    }
    addPeriod(periods, istatCode, start, end);
    byCode.set(istatCode, { line, istatCode, provinceCode: istatCode.slice(0, 3), name: titleCaseComune(rawName), validFrom: start, validTo });
  }
  if (!columns) throw new IstatImportError('il file è vuoto: manca la riga di intestazione');
  onProgress?.({ phase: 'read', done: totalBytes, total: totalBytes });
  return [...byCode.values()].map((c) => ({ ...c, ...lifetime(periods.get(c.istatCode) ?? [], c.validFrom, c.validTo) }));
}

function addPeriod(periods: Map<string, Period[]>, istatCode: string, start: string, end: string): void {
  const list = periods.get(istatCode);
  if (list) list.push({ start, end });
  else periods.set(istatCode, [{ start, end }]);
}

/**
 * The lifetime of a comune under its ISTAT code: ISTAT starts a new row at every change (a new name, a new
 * province code, a new region code), so the ente lives from the start of the uninterrupted run of periods that
 * contains the reference row to the end of that run (Agliano 1935 → Agliano Terme 1995 → today is one ente).
 */
function lifetime(periods: Period[], from: string, to: string | null): { validFrom: string; validTo: string | null } {
  let start = from;
  let end = to ?? OPEN_END;
  for (let moved = true; moved; ) {
    moved = false;
    for (const p of periods) {
      if (p.end === start && p.start < start) {
        start = p.start;
        moved = true;
      }
      if (p.start === end && p.end > end) {
        end = p.end;
        moved = true;
      }
    }
  }
  return { validFrom: start, validTo: end === OPEN_END ? null : end };
}

function sameName(a: string, b: string): boolean {
  return a.toLocaleLowerCase('it') === b.toLocaleLowerCase('it');
}

function emptyReport(on: string, province: string | null): IstatImportReport {
  return { on, province, rows: 0, created: 0, updated: 0, unchanged: 0, duplicates: 0, skippedNotValid: 0, skippedOtherProvince: 0, membershipsCreated: 0, rejected: [], comuni: [] };
}

/** Parses and validates an ISTAT CSV without touching the database (seed generation, previews). */
export async function readIstatComuni(input: string | Readable, options: { on: string; province?: string | null }): Promise<{ comuni: ImportedComuneCandidate[]; rejected: RejectedRow[] }> {
  const report = emptyReport(options.on, options.province ?? null);
  const comuni = await readCandidates(input, options.on, options.province ?? null, typeof input === 'string' ? Buffer.byteLength(input) : 0, report, undefined);
  return { comuni, rejected: report.rejected };
}

export type ImportedComuneCandidate = Candidate;

/**
 * Imports the comuni of an ISTAT CSV into `ente` (owner connection). Idempotent: a second run of the same
 * file reports every comune as unchanged. Each new or changed ente is audited on that ente.
 */
export async function importIstatCsv(
  db: Kysely<DB>,
  input: string | Readable,
  options: IstatImportOptions = {},
  onProgress?: (progress: IstatImportProgress) => void,
): Promise<IstatImportReport> {
  const on = options.on ?? todayInRome();
  if (!isIsoDate(on)) throw new IstatImportError(`data di riferimento non valida: "${on}" (atteso AAAA-MM-GG)`);
  const province = options.province ?? null;
  if (province !== null && !/^\d{1,6}$/.test(province)) {
    throw new IstatImportError(`codice di provincia non valido: "${province}" (attese da 1 a 6 cifre, es. 005)`);
  }
  const actor = options.actor ?? systemActor;
  const totalBytes = options.totalBytes ?? (typeof input === 'string' ? Buffer.byteLength(input) : 0);
  const report = emptyReport(on, province);

  const candidates = await readCandidates(input, on, province, totalBytes, report, onProgress);

  const existing = (await db
    .selectFrom('ente')
    .select(['id', 'kind', 'name', 'slug', 'istat_code', 'valid_from', 'valid_to'])
    .execute()) as ExistingEnte[];
  const byIstat = new Map(existing.filter((e) => e.istat_code).map((e) => [e.istat_code!, e]));
  const slugOwner = new Map(existing.map((e) => [e.slug, e.id]));
  const provinces = new Map(
    existing.filter((e) => e.kind === 'provincia' && e.istat_code && /^\d{3}$/.test(e.istat_code)).map((e) => [e.istat_code!, e]),
  );

  let done = 0;
  for (const c of candidates) {
    try {
      const found = byIstat.get(c.istatCode);
      if (found && found.kind !== 'comune') {
        report.rejected.push({ line: c.line, reason: `il codice ISTAT ${c.istatCode} appartiene già all'ente "${found.name}" (${found.kind}), non a un comune` });
        continue;
      }
      let slug: string;
      if (!found) {
        const base = slugify(c.name) || 'comune';
        slug = reservedSlugs.has(base) || slugOwner.has(base) ? `${base}-${c.istatCode}` : base;
        if (slugOwner.has(slug)) {
          report.rejected.push({ line: c.line, reason: `impossibile assegnare un indirizzo: "${slug}" è già in uso da un altro ente` });
          continue;
        }
      } else {
        slug = found.slug; // addresses are public and stay stable, even when a comune is renamed
      }
      const id = found?.id ?? randomUUID();
      const outcome = await withEnte(db, id, async (trx) => {
        let result: ImportedComune['outcome'];
        if (!found) {
          await trx
            .insertInto('ente')
            .values({ id, kind: 'comune', name: c.name, slug, istat_code: c.istatCode, valid_from: c.validFrom, valid_to: c.validTo })
            .execute();
          await recordAudit(trx, {
            enteId: id,
            actor,
            action: 'ente.create',
            entity: 'ente',
            entityId: id,
            after: { kind: 'comune', name: c.name, slug, istatCode: c.istatCode, validFrom: c.validFrom, validTo: c.validTo, source: 'istat' },
          });
          result = 'created';
        } else {
          const name = sameName(found.name, c.name) ? found.name : c.name;
          if (name !== found.name || found.valid_from !== c.validFrom || found.valid_to !== c.validTo) {
            await trx
              .updateTable('ente')
              .set({ name, valid_from: c.validFrom, valid_to: c.validTo, updated_at: sql<Date>`now()` })
              .where('id', '=', id)
              .execute();
            await recordAudit(trx, {
              enteId: id,
              actor,
              action: 'ente.update',
              entity: 'ente',
              entityId: id,
              before: { name: found.name, validFrom: found.valid_from, validTo: found.valid_to },
              after: { name, validFrom: c.validFrom, validTo: c.validTo, source: 'istat' },
            });
            result = 'updated';
          } else {
            result = 'unchanged';
          }
        }
        const parent = provinces.get(c.provinceCode);
        if (parent && (await addTerritoryMembership(trx, id, parent, c, actor))) report.membershipsCreated += 1;
        return result;
      });
      if (!found) {
        slugOwner.set(slug, id);
        byIstat.set(c.istatCode, { id, kind: 'comune', name: c.name, slug, istat_code: c.istatCode, valid_from: c.validFrom, valid_to: c.validTo });
      }
      report[outcome] += 1;
      report.comuni.push({ line: c.line, istatCode: c.istatCode, name: found && sameName(found.name, c.name) ? found.name : c.name, slug, outcome });
    } catch (err) {
      report.rejected.push({ line: c.line, reason: `errore del database: ${(err as Error).message}` });
    } finally {
      done += 1;
      onProgress?.({ phase: 'write', done, total: candidates.length });
    }
  }
  report.rejected.sort((a, b) => a.line - b.line);
  return report;
}

/** The comune's dated membership of its provincia, unless one already covers its period. */
async function addTerritoryMembership(trx: Trx, enteId: string, parent: ExistingEnte, c: Candidate, actor: Actor): Promise<boolean> {
  let overlapping = trx
    .selectFrom('ente_membership')
    .select('id')
    .where('ente_id', '=', enteId)
    .where('parent_id', '=', parent.id)
    .where((eb) => eb.or([eb('valid_to', 'is', null), eb('valid_to', '>', c.validFrom)]));
  if (c.validTo !== null) overlapping = overlapping.where('valid_from', '<', c.validTo);
  if (await overlapping.executeTakeFirst()) return false;
  const row = await trx
    .insertInto('ente_membership')
    .values({ ente_id: enteId, parent_id: parent.id, valid_from: c.validFrom, valid_to: c.validTo, source: TERRITORY_SOURCE })
    .returning('id')
    .executeTakeFirstOrThrow();
  await recordAudit(trx, {
    enteId,
    actor,
    action: 'ente_membership.create',
    entity: 'ente_membership',
    entityId: row.id,
    after: { parentId: parent.id, parentSlug: parent.slug, validFrom: c.validFrom, validTo: c.validTo, source: TERRITORY_SOURCE },
  });
  return true;
}
