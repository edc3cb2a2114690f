// The notice render pool (worker threads) and the pipelined bulk run: the same bytes as the main thread, errors
// reach the caller, a dead worker is replaced, idle workers never hold the process, and two workers on one run
// (a pg-boss retry while the first still runs) still give every position exactly one notice.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Worker } from 'node:worker_threads';
import { after, before, describe, it } from 'node:test';
import { startTestPlatform, type TestPlatform } from '../../../../test/support/platform.js';
import { systemActor } from '../../../platform/audit/index.js';
import { addDays, todayInRome } from '../../../platform/calendar/index.js';
import { withEnte } from '../../../platform/db/index.js';
import { getEnteBySlug, type Ente } from '../../../platform/tenancy/index.js';
import type { OptionView, PositionView } from '../service.js';
import { createPosition } from '../service.js';
import { processRun, startRun } from './bulk.js';
import { noticePdf, type NoticeConfig } from './pdf.js';
import { RenderPool, defaultRenderWorkers, type RenderInput } from './render-pool.js';

const config: NoticeConfig = {
  fiscal_code: '00072220051',
  business_name: 'Comune di Asti',
  postal_iban: 'IT60X0760110300000000002000',
  postal_account_holder: 'COMUNE DI ASTI',
  postal_auth_code: 'AUT. 123/2024',
  cbill_code: 'AST01',
  help_text: 'Per informazioni: ufficio tributi',
};

function option(i: number, k: number, instalment: number | null, amountCents: number): OptionView {
  const noticeNumber = `301${String(i * 10 + k).padStart(15, '0')}`;
  return { id: `o-${i}-${k}`, instalment, iuv: noticeNumber.slice(1), noticeNumber, amountCents, dueDate: '2030-01-31', retentionDate: null, status: 'unpaid', paidAt: null, payable: true, transfers: [] };
}

function view(i: number, status: PositionView['status'] = 'valid'): PositionView {
  const options = i % 2 ? [option(i, 0, null, 20_000), option(i, 1, 1, 10_000), option(i, 2, 2, 10_000)] : [option(i, 0, null, 15_000 + i)];
  return {
    id: `p-${i}`, enteId: 'e', externalRef: null, serviceCode: 'imu',
    debtor: { type: 'F', fiscalCode: 'RSSMRA80A01A479L', name: `Contribuente ${i} Città`, email: null, address: 'Via Roma 1, 14100 Asti (AT)' },
    reason: `IMU 2030 – saldo n. ${i}`, amountCents: 20_000, status,
    createdAt: new Date('2030-01-01T10:00:00Z'), publishedAt: new Date('2030-01-01T10:00:00Z'), cancelledAt: null, paidAt: null, originModule: 'payments', originRef: null, options,
  };
}

const input = (i: number, status?: PositionView['status']): RenderInput => ({ view: view(i, status), config, ente: { name: 'Comune di Asti' }, options: { generatedAt: new Date('2030-01-02T08:00:00Z') } });

describe('notice render pool', () => {
  it('renders in worker threads the same bytes as the main thread', async () => {
    const pool = new RenderPool({ size: 2 });
    try {
      const inputs = [0, 1, 2, 3, 4, 5].map((i) => input(i));
      const pooled = await Promise.all(inputs.map((x) => pool.render(x)));
      assert.equal(pool.running, 2);
      for (const [n, x] of inputs.entries()) {
        assert.ok(pooled[n]!.equals(await noticePdf(x.view, x.config, x.ente, x.options)), `notice ${n} differs`);
        assert.equal(pooled[n]!.subarray(0, 5).toString('latin1'), '%PDF-');
      }
    } finally {
      await pool.close();
    }
  });

  it('hands a render error to the caller and goes on; a dead worker fails its notice and is replaced', async () => {
    const pool = new RenderPool({ size: 1 });
    try {
      await assert.rejects(pool.render(input(1, 'paid')), /no payable option to print/);
      assert.ok((await pool.render(input(2))).length > 1000);
      const pending = pool.render(input(3));
      const { slots } = pool as unknown as { slots: { worker: Worker }[] };
      await slots[0]!.worker.terminate();
      await assert.rejects(pending, /exited/);
      assert.ok((await pool.render(input(4))).length > 1000, 'a new worker takes over');
    } finally {
      await pool.close();
    }
    await assert.rejects(pool.render(input(5)), /closed/);
  });

  it('reads its size from NOTICES_RENDER_WORKERS, else min(4, cores)', () => {
    assert.equal(defaultRenderWorkers({ NOTICES_RENDER_WORKERS: '3' }), 3);
    assert.equal(defaultRenderWorkers({ NOTICES_RENDER_WORKERS: '0' }), 0);
    assert.equal(defaultRenderWorkers({}), Math.min(4, os.availableParallelism()));
    assert.throws(() => defaultRenderWorkers({ NOTICES_RENDER_WORKERS: 'due' }), /NOTICES_RENDER_WORKERS/);
  });

  it('never keeps the process alive once idle (no close needed)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cir-render-pool-'));
    try {
      const script = path.join(dir, 'exit.mts'); // .mts: ESM outside the project's package.json
      const poolUrl = pathToFileURL(path.join(import.meta.dirname, 'render-pool.ts')).href;
      // One notice rendered by the pool (idle timeout far away, no close), then the script just ends.
      fs.writeFileSync(
        script,
        `import { RenderPool } from ${JSON.stringify(poolUrl)};\n` +
          `const pool = new RenderPool({ size: 2, idleMs: 600000 });\n` +
          `const input = ${JSON.stringify(input(1))};\ninput.options.generatedAt = new Date(input.options.generatedAt);\n` +
          `for (const k of ['createdAt', 'publishedAt']) input.view[k] = new Date(input.view[k]);\n` +
          `const bytes = await pool.render(input);\nconsole.log('rendered', bytes.length > 1000, pool.running);\n`,
      );
      const started = Date.now();
      const out = await new Promise<string>((resolve, reject) =>
        execFile(process.execPath, ['--import', 'tsx', script], { cwd: path.join(import.meta.dirname, '../../../..'), timeout: 60_000 }, (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout))),
      );
      assert.equal(out.trim(), 'rendered true 1');
      assert.ok(Date.now() - started < 30_000, 'exits without waiting for the idle timeout');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('pipelined bulk run', () => {
  let t: TestPlatform;
  let canelli: Ente;
  const today = todayInRome();
  const total = 23;

  before(async () => {
    t = await startTestPlatform();
    canelli = (await getEnteBySlug(t.platform.db.app, 'canelli'))!;
    for (let i = 0; i < total; i++) {
      await createPosition(t.platform.db.app, systemActor, canelli.id, {
        serviceCode: 'imu',
        reason: `IMU ${today.slice(0, 4)} n. ${i + 1}`,
        amountCents: 10_000 + i,
        dueDate: addDays(today, 30),
        ...(i % 5 === 0 ? { instalments: [{ amountCents: 5_000 + i, dueDate: addDays(today, 30) }, { amountCents: 5_000, dueDate: addDays(today, 60) }] } : {}),
        debtor: { fiscalCode: 'RSSMRA80A01A479L', name: `Contribuente ${i + 1}` },
      });
    }
  });
  after(async () => {
    await t?.close();
  });

  const itemsOf = (runId: string) =>
    withEnte(t.platform.db.app, canelli.id, (trx) => trx.selectFrom('payment_notice_item').selectAll().where('run_id', '=', runId).orderBy('seq').execute());

  it('two workers on the same run: every position gets exactly one notice, the same bytes as on the main thread', async () => {
    const run = await startRun(t.platform, systemActor, canelli.id, { serviceCode: 'imu' });
    assert.equal(run.total, total);
    const job = { enteId: canelli.id, runId: run.id };
    // A pg-boss retry while the first worker still runs: they take turns on the run's lock (stale chunks dropped).
    const outcomes = await Promise.all([processRun(t.platform, job, { chunkSize: 4 }), processRun(t.platform, job, { chunkSize: 3 })]);
    assert.deepEqual(outcomes, ['finished', 'finished']);
    const state = await withEnte(t.platform.db.app, canelli.id, (trx) => trx.selectFrom('payment_notice_run').selectAll().where('id', '=', run.id).executeTakeFirstOrThrow());
    assert.equal(state.state, 'completed');
    assert.equal(state.cursor, total);
    assert.equal(state.generated, total);
    assert.equal(state.skipped, 0);
    const items = await itemsOf(run.id);
    assert.ok(items.every((i) => i.outcome === 'generated' && i.sha256 && i.file_name?.startsWith(String(i.seq).padStart(6, '0'))));
    assert.equal(new Set(items.map((i) => i.sha256)).size, total);

    // The same roll rendered on the main thread (no pool): the same notice for every position.
    const inline = await startRun(t.platform, systemActor, canelli.id, { serviceCode: 'imu' });
    await withEnte(t.platform.db.app, canelli.id, (trx) => trx.updateTable('payment_notice_run').set({ created_at: state.created_at }).where('id', '=', inline.id).execute());
    assert.equal(await processRun(t.platform, { enteId: canelli.id, runId: inline.id }, { pool: null, chunkSize: 10 }), 'finished');
    const byPosition = new Map(items.map((i) => [i.position_id, i.sha256]));
    for (const item of await itemsOf(inline.id)) assert.equal(item.sha256, byPosition.get(item.position_id));
  });

  it('an error in a later chunk surfaces after the earlier chunks committed, and the run resumes from there', async () => {
    const run = await startRun(t.platform, systemActor, canelli.id, { serviceCode: 'imu' });
    const job = { enteId: canelli.id, runId: run.id };
    await assert.rejects(processRun(t.platform, job, { chunkSize: 5, beforeItem: (seq) => { if (seq === 17) throw new Error('disco pieno'); } }), /disco pieno/);
    const crashed = await itemsOf(run.id);
    assert.deepEqual(crashed.filter((i) => i.outcome).map((i) => i.seq), [...Array(15).keys()].map((k) => k + 1));
    assert.equal(await processRun(t.platform, job, { chunkSize: 5 }), 'finished');
    const done = await itemsOf(run.id);
    assert.ok(done.every((i) => i.outcome === 'generated'));
  });
});
