// CSV bulk upload of debt positions. The file (UTF-8, header row, ';' or ',' between fields — detected on the
// header) is kept in the file store with a payment_upload row; its rows are streamed through csv-parse and each
// goes through service.createPosition. A rejected row is recorded with its line and reason; the good ones stay.
// Every row must carry its `riferimento` (the position's external_ref): a re-upload finds the positions already
// made and creates nothing twice.
//
// Small files (up to SYNC_MAX_ROWS rows) are worked in the request; larger ones by the pg-boss job
// `payments.csv-upload`, in batches of BATCH_ROWS: after each batch the progress (and the rejections) are saved,
// so the report page shows it and a job that crashed resumes after the last saved row (rows of the unsaved
// batch run again and, thanks to the reference, find their positions instead of making new ones).
import { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { recordAudit, type Actor } from '../../../platform/audit/index.js';
import { withEnte } from '../../../platform/db/index.js';
import { HttpProblem, unprocessable } from '../../../platform/http/problem.js';
import type { JobDefinition } from '../../../platform/jobs/index.js';
import type { Platform } from '../../../platform/platform.js';
import { createPosition } from '../service.js';
import { instalmentsOf, positionInputOf } from './input.js';
import './tables.js';

export const UPLOAD_QUEUE = 'payments.csv-upload';
export const SYNC_MAX_ROWS = 300;
export const BATCH_ROWS = 250;
export const MAX_UPLOAD_ROWS = 50_000;
export const MAX_UPLOAD_BYTES = 20 * 1024 * 1024;

/** The columns, in the template's order. */
export const COLUMNS = ['riferimento', 'servizio', 'cf_debitore', 'nome_debitore', 'email', 'causale', 'importo', 'scadenza', 'rate', 'cf_secondo', 'iban_secondo', 'importo_secondo'] as const;
const REQUIRED = ['riferimento', 'servizio', 'cf_debitore', 'nome_debitore', 'causale', 'importo'] as const;

export type UploadRow = Partial<Record<string, string>>;

export function templateCsv(): string {
  const example = ['TARI-2026-000100', 'tari', 'RSSMRA80A01A479L', 'Mario Rossi', 'mario.rossi@example.it', 'TARI 2026 – utenza domestica', '315,00', '31/12/2026', '157,50@2026-10-31|157,50@2026-12-31', '', '', ''];
  return `\uFEFF${COLUMNS.join(';')}\r\n${example.join(';')}\r\n`;
}

/** ';' unless the header line has more ',' than ';'. */
export function delimiterOf(bytes: Buffer): ';' | ',' {
  const head = bytes.subarray(0, 4096).toString('utf8').split(/\r?\n/)[0] ?? '';
  return (head.match(/,/g)?.length ?? 0) > (head.match(/;/g)?.length ?? 0) ? ',' : ';';
}

/** Lines that are not blank after the header: the number of rows (quoted fields spanning lines aside). */
export function countRows(bytes: Buffer): number {
  let lines = 0;
  for (const line of bytes.toString('utf8').split(/\r?\n/)) if (line.trim()) lines++;
  return Math.max(0, lines - 1);
}

/** Checks the header row; 422 with the missing columns. */
export function checkHeader(bytes: Buffer): void {
  if (!bytes.toString('utf8', 0, Math.min(bytes.length, 4096)).trim()) throw unprocessable('Il file è vuoto');
  const head = (bytes.subarray(0, 4096).toString('utf8').replace(/^\uFEFF/, '').split(/\r?\n/)[0] ?? '').split(delimiterOf(bytes)).map((h) => h.trim().replace(/^"|"$/g, '').toLowerCase());
  const missing = REQUIRED.filter((c) => !head.includes(c));
  if (missing.length > 0) throw unprocessable(`Mancano le colonne obbligatorie: ${missing.join(', ')} (la prima riga deve contenere i nomi delle colonne)`);
}

/** The rows of the file with their line numbers, streamed; a malformed row comes with its parse error. */
export async function* rowsOf(bytes: Buffer): AsyncGenerator<{ line: number; row: UploadRow; error?: string }> {
  const parser = Readable.from([bytes]).pipe(
    parse({
      bom: true,
      delimiter: delimiterOf(bytes),
      columns: (header: string[]) => header.map((h) => h.trim().toLowerCase()),
      relax_column_count: true,
      skip_empty_lines: true,
      trim: true,
      info: true,
      skip_records_with_error: true,
    }),
  );
  const skipped: { line: number; error: string }[] = [];
  parser.on('skip', (err: Error & { lines?: number }) => skipped.push({ line: err.lines ?? 0, error: `Riga non leggibile: ${err.message}` }));
  for await (const { record, info } of parser as AsyncIterable<{ record: UploadRow; info: { lines: number } }>) {
    while (skipped.length) yield { ...skipped.shift()!, row: {} };
    yield { line: info.lines, row: record };
  }
  while (skipped.length) yield { ...skipped.shift()!, row: {} };
}

export function inputOfRow(row: UploadRow) {
  const v = (c: string) => (row[c] ?? '').trim();
  const missing = REQUIRED.filter((c) => !v(c));
  if (missing.length > 0) throw unprocessable(`Campi obbligatori vuoti: ${missing.join(', ')}`);
  return positionInputOf({
    reference: v('riferimento'),
    service: v('servizio'),
    debtorFiscalCode: v('cf_debitore'),
    debtorName: v('nome_debitore'),
    email: v('email'),
    reason: v('causale'),
    amount: v('importo'),
    dueDate: v('scadenza') || undefined,
    instalments: v('rate') ? instalmentsOf(v('rate')) : undefined,
    second: { fiscalCode: v('cf_secondo'), iban: v('iban_secondo'), amount: v('importo_secondo') },
  });
}

interface Progress {
  processed: number;
  created: number;
  existing: number;
  rejected: { line: number; ref: string | null; reason: string; fields: UploadRow }[];
}

async function saveProgress(platform: Platform, enteId: string, uploadId: string, p: Progress, done: boolean): Promise<void> {
  await withEnte(platform.db.app, enteId, async (trx) => {
    if (p.rejected.length > 0) {
      await trx
        .insertInto('payment_upload_rejection')
        .values(p.rejected.map((r) => ({ ente_id: enteId, upload_id: uploadId, line: r.line, external_ref: r.ref, reason: r.reason.slice(0, 500), fields: JSON.stringify(r.fields) })))
        .onConflict((oc) => oc.columns(['ente_id', 'upload_id', 'line']).doNothing())
        .execute();
    }
    await trx
      .updateTable('payment_upload')
      .set((eb) => ({
        processed_rows: p.processed,
        created_count: eb('created_count', '+', p.created),
        existing_count: eb('existing_count', '+', p.existing),
        rejected_count: eb.selectFrom('payment_upload_rejection').select(eb.fn.countAll<number>().as('n')).where('upload_id', '=', uploadId),
        status: done ? 'done' : 'running',
        finished_at: done ? new Date() : null,
      }))
      .where('id', '=', uploadId)
      .execute();
  });
  p.created = 0;
  p.existing = 0;
  p.rejected = [];
}

/** Works an upload from its last saved row to the end. Errors other than a row's refusal propagate (the job retries). */
export async function processUpload(platform: Platform, enteId: string, uploadId: string, options: { now?: Date } = {}): Promise<void> {
  const loaded = await withEnte(platform.db.app, enteId, async (trx) => {
    const upload = await trx.selectFrom('payment_upload').selectAll().where('id', '=', uploadId).executeTakeFirst();
    if (!upload || upload.status === 'done') return undefined;
    const file = await platform.files.get(trx, upload.file_sha256);
    if (!file) throw new Error(`upload ${uploadId}: file missing`);
    return { upload, bytes: file.bytes };
  });
  if (!loaded) return;
  const { upload, bytes } = loaded;
  const actor: Actor = { id: upload.created_by_id, label: upload.created_by };
  const progress: Progress = { processed: upload.processed_rows, created: 0, existing: 0, rejected: [] };
  let index = 0;
  let sinceSave = 0;
  for await (const { line, row, error } of rowsOf(bytes)) {
    index++;
    if (index <= upload.processed_rows) continue;
    if (index > MAX_UPLOAD_ROWS) break;
    try {
      if (error) throw unprocessable(error);
      const result = await createPosition(platform.db.app, actor, enteId, { ...inputOfRow(row), originRef: `upload:${uploadId}` }, { now: options.now });
      if (result.created) progress.created++;
      else progress.existing++;
    } catch (err) {
      if (!(err instanceof HttpProblem) || err.status >= 500) throw err;
      progress.rejected.push({ line, ref: row.riferimento?.trim() || null, reason: err.detail ?? err.title, fields: row });
    }
    progress.processed = index;
    if (++sinceSave >= BATCH_ROWS) {
      await saveProgress(platform, enteId, uploadId, progress, false);
      sinceSave = 0;
    }
  }
  await saveProgress(platform, enteId, uploadId, progress, true);
  await withEnte(platform.db.app, enteId, async (trx) => {
    const done = await trx.selectFrom('payment_upload').selectAll().where('id', '=', uploadId).executeTakeFirstOrThrow();
    await recordAudit(trx, { enteId, actor, action: 'payment_upload.done', entity: 'payment_upload', entityId: uploadId, after: { created: done.created_count, existing: done.existing_count, rejected: done.rejected_count } });
  });
}

/**
 * Records an uploaded file; small files are worked at once, larger ones queued (in the same transaction as the
 * upload row, so the job exists exactly when the upload does).
 */
export async function startUpload(platform: Platform, actor: Actor, enteId: string, file: { bytes: Buffer; name: string }): Promise<{ id: string; queued: boolean }> {
  checkHeader(file.bytes);
  const total = countRows(file.bytes);
  if (total === 0) throw unprocessable('Il file non contiene righe dopo quella di intestazione');
  if (total > MAX_UPLOAD_ROWS) throw unprocessable(`Il file contiene ${total} righe: al massimo ${MAX_UPLOAD_ROWS} per caricamento`);
  const queued = total > SYNC_MAX_ROWS;
  const id = await withEnte(platform.db.app, enteId, async (trx) => {
    const stored = await platform.files.put(trx, enteId, { bytes: file.bytes, mediaType: 'text/csv', originalName: file.name, createdBy: actor.id });
    const row = await trx
      .insertInto('payment_upload')
      .values({ ente_id: enteId, file_sha256: stored.sha256, file_name: file.name.slice(0, 200), total_rows: total, created_by_id: actor.id, created_by: actor.label })
      .returning('id')
      .executeTakeFirstOrThrow();
    await recordAudit(trx, { enteId, actor, action: 'payment_upload.create', entity: 'payment_upload', entityId: row.id, after: { file: file.name, rows: total, queued } });
    if (queued) await platform.jobs.send(UPLOAD_QUEUE, { enteId, uploadId: row.id }, { trx, retryLimit: 5, retryDelay: 30, singletonKey: row.id });
    return row.id;
  });
  if (!queued) await processUpload(platform, enteId, id);
  return { id, queued };
}

export function uploadJobs(platform: Platform): JobDefinition<{ enteId: string; uploadId: string }>[] {
  return [
    {
      queue: UPLOAD_QUEUE,
      handler: async (jobs) => {
        for (const job of jobs) {
          try {
            await processUpload(platform, job.data.enteId, job.data.uploadId);
          } catch (err) {
            await withEnte(platform.db.app, job.data.enteId, (trx) => trx.updateTable('payment_upload').set({ error: String((err as Error).message).slice(0, 500) }).where('id', '=', job.data.uploadId).execute());
            throw err;
          }
        }
      },
    },
  ];
}
