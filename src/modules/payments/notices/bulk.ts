// Bulk generation of notices for a roll (e.g. every TARI position of a year) as a resumable background job.
// startRun snapshots the positions as numbered items and enqueues the job in the same transaction. The job
// (processRun) works in chunks: each chunk locks the run row, renders the next items after the cursor, puts
// the PDFs in the file store and commits items, counters and cursor together. A crash loses at most the chunk
// in progress (rolled back) and the next attempt starts at the cursor: no position gets two notices.
// A killed worker's job is retried by pg-boss when it expires; a run that failed with an error is resumed by
// hand (resumeRun). Long runs hand over to a fresh job every TIME_BUDGET_MS so no job outlives its expiry.
import type { Generated, Kysely, Selectable } from 'kysely';
import { sql } from 'kysely';
import { recordAudit, systemActor, type Actor } from '../../../platform/audit/index.js';
import { todayInRome } from '../../../platform/calendar/index.js';
import { withEnte, type DB, type Trx } from '../../../platform/db/index.js';
import { conflict, notFound, unprocessable } from '../../../platform/http/problem.js';
import type { Platform } from '../../../platform/platform.js';
import { t } from '../../../platform/views/i18n/index.js';
import { positionView, type PositionView } from '../service.js';
import * as store from '../store.js';
import { noticePdf, printableOptions } from './pdf.js';

export type RunState = 'queued' | 'running' | 'completed' | 'failed';

declare module '../../../platform/db/schema.js' {
  interface DB {
    payment_notice_run: {
      ente_id: string;
      id: Generated<string>;
      service_code: string;
      year: number | null;
      state: Generated<RunState>;
      total: number;
      cursor: Generated<number>;
      generated: Generated<number>;
      skipped: Generated<number>;
      error: string | null;
      requested_by: string;
      created_at: Date;
      started_at: Date | null;
      finished_at: Date | null;
      heartbeat_at: Date | null;
    };
    payment_notice_item: {
      ente_id: string;
      run_id: string;
      seq: number;
      position_id: string;
      outcome: 'generated' | 'skipped' | null;
      sha256: string | null;
      file_name: string | null;
      generated_at: Date | null;
    };
  }
}

export type RunRow = Selectable<DB['payment_notice_run']>;

export const NOTICES_QUEUE = 'payments-notices-bulk';
export const CHUNK_SIZE = 25;
export const TIME_BUDGET_MS = 60_000;
/** pg-boss job options: a killed worker's job expires and is retried, continuing from the cursor. */
export const JOB_OPTIONS = { retryLimit: 20, retryDelay: 30, expireInSeconds: 300 } as const;

export interface RunJob {
  enteId: string;
  runId: string;
}

export interface RunView {
  id: string;
  enteId: string;
  serviceCode: string;
  year: number | null;
  state: RunState;
  total: number;
  done: number;
  generated: number;
  skipped: number;
  percent: number;
  error: string | null;
  requestedBy: string;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  heartbeatAt: Date | null;
}

export const runView = (r: RunRow): RunView => ({
  id: r.id,
  enteId: r.ente_id,
  serviceCode: r.service_code,
  year: r.year,
  state: r.state,
  total: r.total,
  done: r.cursor,
  generated: r.generated,
  skipped: r.skipped,
  percent: r.total === 0 ? 100 : Math.floor((r.cursor * 100) / r.total),
  error: r.error,
  requestedBy: r.requested_by,
  createdAt: r.created_at,
  startedAt: r.started_at,
  finishedAt: r.finished_at,
  heartbeatAt: r.heartbeat_at,
});

export interface RunFilter {
  serviceCode: string;
  year?: number | null | undefined;
}

/** Creates a run over the payable positions of `filter` and enqueues its job in the same transaction. */
export async function startRun(platform: Platform, actor: Actor, enteId: string, filter: RunFilter, now = new Date()): Promise<RunView> {
  const year = filter.year ?? null;
  if (year !== null && (!Number.isInteger(year) || year < 2000 || year > 2999)) throw unprocessable(t('payments.notices.bulk.error.year'));
  return withEnte(platform.db.app, enteId, async (trx) => {
    const service = await trx.selectFrom('payment_service').select('code').where('code', '=', filter.serviceCode).executeTakeFirst();
    if (!service) throw unprocessable(t('payments.notices.bulk.error.service', { service: filter.serviceCode }));
    const run = await trx
      .insertInto('payment_notice_run')
      .values({ ente_id: enteId, service_code: service.code, year, total: 0, requested_by: actor.label, created_at: now })
      .returning('id')
      .executeTakeFirstOrThrow();
    // The snapshot: numbered in a stable order, so the cursor means the same items on every attempt.
    const inserted = await sql<{ n: number }>`
      with snapshot as (
        insert into payment_notice_item (ente_id, run_id, seq, position_id)
        select ente_id, ${run.id}::uuid, row_number() over (order by created_at, id), id
        from payment_position
        where service_code = ${service.code} and status in ('valid', 'partially_paid')
          and (${year}::int is null or extract(year from created_at at time zone 'Europe/Rome') = ${year}::int)
        returning 1
      )
      select count(*)::int as n from snapshot`.execute(trx);
    const total = inserted.rows[0]?.n ?? 0;
    if (total === 0) throw unprocessable(t('payments.notices.bulk.error.empty'));
    const row = await trx.updateTable('payment_notice_run').set({ total }).where('id', '=', run.id).returningAll().executeTakeFirstOrThrow();
    await recordAudit(trx, { enteId, actor, action: 'payment_notice_run.start', entity: 'payment_notice_run', entityId: run.id, after: { service: service.code, year, total } });
    await platform.jobs.send(NOTICES_QUEUE, { enteId, runId: run.id } satisfies RunJob, { ...JOB_OPTIONS, trx });
    return runView(row);
  });
}

/** A failed run goes back to the queue and continues from its cursor. */
export async function resumeRun(platform: Platform, actor: Actor, enteId: string, runId: string): Promise<RunView> {
  return withEnte(platform.db.app, enteId, async (trx) => {
    const run = await trx.selectFrom('payment_notice_run').selectAll().where('id', '=', runId).forUpdate().executeTakeFirst();
    if (!run) throw notFound(t('payments.notices.bulk.error.notFound'));
    if (run.state !== 'failed') throw conflict(t('payments.notices.bulk.error.notFailed'));
    const row = await trx.updateTable('payment_notice_run').set({ state: 'queued', error: null, finished_at: null }).where('id', '=', runId).returningAll().executeTakeFirstOrThrow();
    await recordAudit(trx, { enteId, actor, action: 'payment_notice_run.resume', entity: 'payment_notice_run', entityId: runId, before: { cursor: run.cursor, error: run.error } });
    await platform.jobs.send(NOTICES_QUEUE, { enteId, runId } satisfies RunJob, { ...JOB_OPTIONS, trx });
    return runView(row);
  });
}

export async function getRun(db: Kysely<DB>, enteId: string, runId: string): Promise<RunView | undefined> {
  const row = await withEnte(db, enteId, (trx) => trx.selectFrom('payment_notice_run').selectAll().where('id', '=', runId).executeTakeFirst());
  return row ? runView(row) : undefined;
}

export async function listRuns(db: Kysely<DB>, enteId: string, limit = 20): Promise<RunView[]> {
  const rows = await withEnte(db, enteId, (trx) => trx.selectFrom('payment_notice_run').selectAll().orderBy('created_at', 'desc').limit(limit).execute());
  return rows.map(runView);
}

/** Views of several positions with three queries (the chunk's positions, their options, their transfers). */
async function loadViews(trx: Trx, positionIds: string[], today: string): Promise<Map<string, PositionView>> {
  if (positionIds.length === 0) return new Map();
  const positions = await trx.selectFrom('payment_position').selectAll().where('id', 'in', positionIds).execute();
  const options = await trx.selectFrom('payment_option').selectAll().where('position_id', 'in', positionIds).orderBy('instalment', (ob) => ob.asc().nullsFirst()).execute();
  const transfers = options.length ? await trx.selectFrom('payment_transfer').selectAll().where('option_id', 'in', options.map((o) => o.id)).orderBy('idx').execute() : [];
  return new Map(positions.map((p) => [p.id, positionView(p, options.filter((o) => o.position_id === p.id), transfers, today)]));
}

/** Name of a notice in the bundle: order in the run, debtor, first notice number. */
const fileNameOf = (seq: number, view: PositionView, noticeNumber: string) => `${String(seq).padStart(6, '0')}-${view.debtor.fiscalCode}-${noticeNumber}.pdf`;

export interface ProcessOptions {
  chunkSize?: number;
  timeBudgetMs?: number;
  now?: () => Date;
  /** Test hook, called before each item is rendered (a throw simulates a crash mid-chunk). */
  beforeItem?: (seq: number) => void;
}

/** Commits one chunk; 'finished' when nothing was left (the run is now completed or was not runnable). */
async function processChunk(platform: Platform, job: RunJob, options: ProcessOptions): Promise<'more' | 'finished'> {
  const now = options.now?.() ?? new Date();
  return withEnte(platform.db.app, job.enteId, async (trx) => {
    // The row lock makes workers on the same run take turns; each then reads the cursor the previous one left.
    const run = await trx.selectFrom('payment_notice_run').selectAll().where('id', '=', job.runId).forUpdate().executeTakeFirst();
    if (!run || run.state === 'completed' || run.state === 'failed') return 'finished';
    const items = await trx
      .selectFrom('payment_notice_item')
      .select(['seq', 'position_id'])
      .where('run_id', '=', run.id)
      .where('seq', '>', run.cursor)
      .orderBy('seq')
      .limit(options.chunkSize ?? CHUNK_SIZE)
      .execute();
    if (items.length === 0) {
      await trx.updateTable('payment_notice_run').set({ state: 'completed', finished_at: now, heartbeat_at: now, started_at: run.started_at ?? now }).where('id', '=', run.id).execute();
      await recordAudit(trx, { enteId: job.enteId, actor: systemActor, action: 'payment_notice_run.complete', entity: 'payment_notice_run', entityId: run.id, after: { generated: run.generated, skipped: run.skipped } });
      return 'finished';
    }
    const config = await store.configOf(trx);
    const ente = await trx.selectFrom('ente').select('name').where('id', '=', job.enteId).executeTakeFirstOrThrow();
    const views = await loadViews(trx, items.map((i) => i.position_id), todayInRome(now));
    let generated = 0;
    for (const item of items) {
      options.beforeItem?.(item.seq);
      const view = views.get(item.position_id);
      const printable = view ? printableOptions(view) : [];
      if (!config || !view || printable.length === 0) {
        await trx.updateTable('payment_notice_item').set({ outcome: 'skipped', generated_at: now }).where('run_id', '=', run.id).where('seq', '=', item.seq).execute();
        continue;
      }
      const bytes = await noticePdf(view, config, ente, { generatedAt: run.created_at });
      const fileName = fileNameOf(item.seq, view, printable[0]!.noticeNumber);
      // The run row says who asked; stored_file.created_by is for staff ids, and a job acts as the system.
      const file = await platform.files.put(trx, job.enteId, { bytes, mediaType: 'application/pdf', originalName: fileName, createdBy: null });
      await trx.updateTable('payment_notice_item').set({ outcome: 'generated', sha256: file.sha256, file_name: fileName, generated_at: now }).where('run_id', '=', run.id).where('seq', '=', item.seq).execute();
      generated++;
    }
    await trx
      .updateTable('payment_notice_run')
      .set({
        state: 'running',
        cursor: items[items.length - 1]!.seq,
        generated: run.generated + generated,
        skipped: run.skipped + items.length - generated,
        started_at: run.started_at ?? now,
        heartbeat_at: now,
      })
      .where('id', '=', run.id)
      .execute();
    return 'more';
  });
}

/**
 * Works on a run for up to the time budget. Returns 'finished' when the run needs no more work, 'handover'
 * when the budget ran out (the caller enqueues a fresh job). Errors propagate: the chunk in progress is rolled back.
 */
export async function processRun(platform: Platform, job: RunJob, options: ProcessOptions = {}): Promise<'finished' | 'handover'> {
  const started = Date.now();
  for (;;) {
    if ((await processChunk(platform, job, options)) === 'finished') return 'finished';
    if (Date.now() - started >= (options.timeBudgetMs ?? TIME_BUDGET_MS)) return 'handover';
  }
}

/** Marks a run failed with the error that stopped it (it can be resumed by hand from its cursor). */
export async function failRun(db: Kysely<DB>, job: RunJob, error: unknown, now = new Date()): Promise<void> {
  const message = (error instanceof Error ? error.message : String(error)).slice(0, 500);
  await withEnte(db, job.enteId, async (trx) => {
    const updated = await trx
      .updateTable('payment_notice_run')
      .set({ state: 'failed', error: message, finished_at: now })
      .where('id', '=', job.runId)
      .where('state', 'in', ['queued', 'running'])
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) > 0) {
      await recordAudit(trx, { enteId: job.enteId, actor: systemActor, action: 'payment_notice_run.fail', entity: 'payment_notice_run', entityId: job.runId, after: { error: message } });
    }
  });
}

/** The pg-boss handler: a budgeted slice of work, then a fresh job for the rest; a rendering error fails the run. */
export async function handleRunJob(platform: Platform, job: RunJob, options: ProcessOptions = {}): Promise<void> {
  let outcome: 'finished' | 'handover';
  try {
    outcome = await processRun(platform, job, options);
  } catch (err) {
    platform.log.error({ err, run: job.runId }, 'bulk notice run failed');
    await failRun(platform.db.app, job, err);
    return;
  }
  if (outcome === 'handover') await platform.jobs.send(NOTICES_QUEUE, job, JOB_OPTIONS);
}

/** The generated notices of a run in bundle order (for the ZIP). */
export async function runFiles(db: Kysely<DB>, enteId: string, runId: string) {
  return withEnte(db, enteId, (trx) =>
    trx
      .selectFrom('payment_notice_item')
      .select(['seq', 'sha256', 'file_name'])
      .where('run_id', '=', runId)
      .where('outcome', '=', 'generated')
      .orderBy('seq')
      .execute(),
  );
}
