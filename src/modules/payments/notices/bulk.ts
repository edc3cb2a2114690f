// Bulk generation of notices for a roll (e.g. every TARI position of a year) as a resumable background job.
// startRun snapshots the positions as numbered items and enqueues the job in the same transaction. The job
// (processRun) works in chunks: a chunk reads the next items after the cursor and renders them in the render
// pool's worker threads (render-pool.ts), off the main event loop; then, under the run row's lock and only if
// the cursor is still the one it was read after, it puts the PDFs in the file store and commits items,
// counters and cursor together. The next chunk is read and rendering while one commits (chunks still commit
// one at a time, in order). A crash loses at most the chunks in progress (never committed) and the next attempt
// starts at the cursor: no position gets two notices.
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
import { sharedRenderPool, type RenderPool } from './render-pool.js';

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
  /** Where notices render: a worker pool (default: the shared one, see render-pool.ts), or null for this thread. */
  pool?: RenderPool | null;
}

type Outcome = { seq: number; skipped: true } | { seq: number; skipped: false; fileName: string; bytes: Buffer };

/** A chunk read and sent to render, not committed yet. */
interface Prepared {
  /** The run's cursor this chunk follows: it commits only if the run is still there (else it is stale). */
  fromCursor: number;
  /** Last seq of the chunk (fromCursor when there are no items left). */
  lastSeq: number;
  count: number;
  /** The rendered notices in item order; rejects with the first render error. */
  outcomes: Promise<Outcome[]>;
}

/** A promise whose rejection is handled later (awaited after other work), not reported as unhandled meanwhile. */
function deferred<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

/**
 * Reads the items after `fromCursor` (the run's cursor when undefined) with their positions, and sends them to
 * render. Reads only: nothing is written until commitChunk, under the run's lock.
 */
async function prepareChunk(platform: Platform, job: RunJob, fromCursor: number | undefined, options: ProcessOptions): Promise<Prepared | 'finished'> {
  const now = options.now?.() ?? new Date();
  const read = await withEnte(platform.db.app, job.enteId, async (trx) => {
    const run = await trx.selectFrom('payment_notice_run').select(['id', 'state', 'cursor', 'created_at']).where('id', '=', job.runId).executeTakeFirst();
    if (!run || run.state === 'completed' || run.state === 'failed') return 'finished' as const;
    const cursor = fromCursor ?? run.cursor;
    const items = await trx
      .selectFrom('payment_notice_item')
      .select(['seq', 'position_id'])
      .where('run_id', '=', run.id)
      .where('seq', '>', cursor)
      .orderBy('seq')
      .limit(options.chunkSize ?? CHUNK_SIZE)
      .execute();
    if (items.length === 0) return { run, cursor, items, config: undefined, ente: undefined, views: new Map<string, PositionView>() };
    const config = await store.configOf(trx);
    const ente = await trx.selectFrom('ente').select('name').where('id', '=', job.enteId).executeTakeFirstOrThrow();
    const views = await loadViews(trx, items.map((i) => i.position_id), todayInRome(now));
    return { run, cursor, items, config, ente, views };
  });
  if (read === 'finished') return 'finished';
  const { run, cursor, items, config, ente, views } = read;
  const pool = options.pool === undefined ? sharedRenderPool() : options.pool;
  const pending: Promise<Outcome>[] = [];
  try {
    for (const item of items) {
      options.beforeItem?.(item.seq);
      const view = views.get(item.position_id);
      const printable = view ? printableOptions(view) : [];
      if (!config || !ente || !view || printable.length === 0) {
        pending.push(Promise.resolve({ seq: item.seq, skipped: true }));
        continue;
      }
      const input = { view, config, ente: { name: ente.name }, options: { generatedAt: run.created_at } };
      const bytes = pool ? pool.render(input) : noticePdf(input.view, input.config, input.ente, input.options);
      const fileName = fileNameOf(item.seq, view, printable[0]!.noticeNumber);
      pending.push(bytes.then((b) => ({ seq: item.seq, skipped: false, fileName, bytes: b })));
    }
  } catch (err) {
    for (const p of pending) deferred(p); // renders already sent finish in the pool; their results are dropped
    throw err;
  }
  return { fromCursor: cursor, lastSeq: items.length ? items[items.length - 1]!.seq : cursor, count: items.length, outcomes: deferred(Promise.all(pending)) };
}

/**
 * Commits a rendered chunk: PDFs in the file store, items, counters and cursor in one transaction, under the run's
 * row lock. 'stale' when the run's cursor moved since the chunk was read (another worker committed it first):
 * nothing is written and the caller reads again from the run's cursor.
 */
async function commitChunk(platform: Platform, job: RunJob, chunk: Prepared, outcomes: Outcome[], options: ProcessOptions): Promise<'more' | 'finished' | 'stale'> {
  const now = options.now?.() ?? new Date();
  return withEnte(platform.db.app, job.enteId, async (trx) => {
    // The row lock makes workers on the same run take turns; each checks the cursor the previous one left.
    const run = await trx.selectFrom('payment_notice_run').selectAll().where('id', '=', job.runId).forUpdate().executeTakeFirst();
    if (!run || run.state === 'completed' || run.state === 'failed') return 'finished';
    if (run.cursor !== chunk.fromCursor) return 'stale';
    if (outcomes.length === 0) {
      // The snapshot never grows after startRun: nothing after the cursor means the run is done.
      await trx.updateTable('payment_notice_run').set({ state: 'completed', finished_at: now, heartbeat_at: now, started_at: run.started_at ?? now }).where('id', '=', run.id).execute();
      await recordAudit(trx, { enteId: job.enteId, actor: systemActor, action: 'payment_notice_run.complete', entity: 'payment_notice_run', entityId: run.id, after: { generated: run.generated, skipped: run.skipped } });
      return 'finished';
    }
    const rows: { seq: number; outcome: 'generated' | 'skipped'; sha256: string | null; fileName: string | null }[] = [];
    for (const o of outcomes) {
      if (o.skipped) {
        rows.push({ seq: o.seq, outcome: 'skipped', sha256: null, fileName: null });
        continue;
      }
      // The run row says who asked; stored_file.created_by is for staff ids, and a job acts as the system.
      const file = await platform.files.put(trx, job.enteId, { bytes: o.bytes, mediaType: 'application/pdf', originalName: o.fileName, createdBy: null });
      rows.push({ seq: o.seq, outcome: 'generated', sha256: file.sha256, fileName: o.fileName });
    }
    // Every item of the chunk in one statement.
    const values = sql.join(rows.map((r) => sql`(${r.seq}::int, ${r.outcome}::text, ${r.sha256}::text, ${r.fileName}::text)`));
    await sql`
      update payment_notice_item as i
         set outcome = v.outcome, sha256 = v.sha256, file_name = v.file_name, generated_at = ${now}
        from (values ${values}) as v(seq, outcome, sha256, file_name)
       where i.run_id = ${run.id}::uuid and i.seq = v.seq`.execute(trx);
    const generated = rows.filter((r) => r.outcome === 'generated').length;
    await trx
      .updateTable('payment_notice_run')
      .set({
        state: 'running',
        cursor: chunk.lastSeq,
        generated: run.generated + generated,
        skipped: run.skipped + rows.length - generated,
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
 *
 * Pipelined: while a chunk commits, the next one is already read and rendering in the pool. Each chunk still
 * commits alone (its PDFs, items and cursor in one transaction, under the run's lock, only if the cursor is the
 * one it was read after), in order, and an error of a later chunk surfaces only after the earlier ones have
 * committed: the same outcome as one chunk at a time, crash and resume included.
 */
export async function processRun(platform: Platform, job: RunJob, options: ProcessOptions = {}): Promise<'finished' | 'handover'> {
  const started = Date.now();
  const budget = options.timeBudgetMs ?? TIME_BUDGET_MS;
  let current = await prepareChunk(platform, job, undefined, options);
  for (;;) {
    if (current === 'finished') return 'finished';
    // Read and start rendering the next chunk now, unless this is the last one or the budget is spent.
    const next = current.count > 0 && Date.now() - started < budget ? deferred(prepareChunk(platform, job, current.lastSeq, options)) : undefined;
    const outcome = await commitChunk(platform, job, current, await current.outcomes, options);
    if (outcome === 'finished') return 'finished';
    if (outcome === 'stale') {
      // Another worker moved the cursor: drop what was prepared after it and read again from the run's cursor.
      current = await prepareChunk(platform, job, undefined, options);
      continue;
    }
    // A chunk prepared past the budget is dropped (its renders finish in the pool); the next job reads it again.
    if (Date.now() - started >= budget || !next) return 'handover';
    current = await next;
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
