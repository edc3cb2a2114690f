// Benchmark helper for bench/run.ts (issue 4, point 10): notices per second through the real bulk pipeline
// (positions read from PostgreSQL, PDF rendered with QR and Data Matrix, stored in the file store, committed
// in chunks) against pdfkit's bare page rate (a one-page PDF with one line of text) measured in the same run.
// The n positions are created first (not timed) in the ente `slug` under a catalogue service with no other
// positions, a third of them in three instalments, so the run covers exactly them (by a few concurrent
// creators: setup only). The run renders in the notice render pool (render-pool.ts), as a real bulk run does:
// the result says how many worker threads it had (0: rendered on the main thread, NOTICES_RENDER_WORKERS=0).
import PDFDocument from 'pdfkit';
import { systemActor } from '../../../platform/audit/index.js';
import { addDays, todayInRome } from '../../../platform/calendar/index.js';
import { withEnte } from '../../../platform/db/index.js';
import type { Platform } from '../../../platform/platform.js';
import { getEnteBySlug } from '../../../platform/tenancy/index.js';
import { createPosition } from '../service.js';
import { processRun, startRun } from './bulk.js';
import { sharedRenderPool } from './render-pool.js';

export interface NoticesBenchResult {
  n: number;
  notices: { count: number; seconds: number; perSecond: number; bytes: number };
  bare: { count: number; seconds: number; perSecond: number };
  /** notices/s ÷ bare pages/s */
  ratio: number;
  /** Worker threads that rendered the notices (0: the main thread). */
  workers: number;
  /** Untimed setup: creating the n positions. */
  setup: { seconds: number; creators: number };
}

/** Concurrent position creators in the setup (they serialise on the IUV counter row, so a few are enough). */
const CREATORS = 4;

const DEMO_DEBTORS = ['RSSMRA80A01A479L', 'BNCGLI85C55A479Q'];

async function barePage(): Promise<Buffer> {
  const doc = new PDFDocument({ size: 'A4' });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve) => doc.on('end', () => resolve(Buffer.concat(chunks))));
  doc.on('data', (c: Buffer) => chunks.push(c));
  doc.font('Helvetica').fontSize(12).text('Avviso di pagamento');
  doc.end();
  return done;
}

export async function benchNotices(platform: Platform, n: number, options: { slug?: string; serviceCode?: string } = {}): Promise<NoticesBenchResult> {
  if (!Number.isInteger(n) || n < 1) throw new Error(`benchNotices: n must be a positive integer, got ${n}`);
  const ente = await getEnteBySlug(platform.db.app, options.slug ?? 'asti');
  if (!ente) throw new Error(`benchNotices: no ente ${options.slug ?? 'asti'}`);
  const serviceCode = options.serviceCode ?? 'imu';
  const existing = await withEnte(platform.db.app, ente.id, (trx) => trx.selectFrom('payment_position').select('id').where('service_code', '=', serviceCode).limit(1).execute());
  if (existing.length > 0) throw new Error(`benchNotices: ${ente.slug} already has ${serviceCode} positions; use a fresh database`);

  const today = todayInRome();
  const setupStarted = performance.now();
  let nextIndex = 0;
  const createOne = async (i: number) => {
    const amountCents = 15_000 + (i % 97) * 100;
    const split = i % 3 === 0;
    await createPosition(platform.db.app, systemActor, ente.id, {
      serviceCode,
      reason: `IMU ${today.slice(0, 4)} – acconto e saldo n. ${i + 1}`,
      amountCents: split ? 30_000 : amountCents,
      dueDate: addDays(today, 30),
      ...(split ? { instalments: [{ amountCents: 10_000, dueDate: addDays(today, 30) }, { amountCents: 10_000, dueDate: addDays(today, 90) }, { amountCents: 10_000, dueDate: addDays(today, 150) }] } : {}),
      debtor: { fiscalCode: DEMO_DEBTORS[i % DEMO_DEBTORS.length]!, name: `Contribuente ${i + 1}`, address: `Via Roma ${i + 1}, 14100 Asti (AT)` },
      externalRef: `BENCH-${serviceCode}-${i + 1}`,
    });
  };
  await Promise.all(
    Array.from({ length: Math.min(CREATORS, n) }, async () => {
      for (let i = nextIndex++; i < n; i = nextIndex++) await createOne(i);
    }),
  );
  const setup = { seconds: (performance.now() - setupStarted) / 1000, creators: Math.min(CREATORS, n) };
  const pool = sharedRenderPool();
  process.stdout.write(`[${n.toLocaleString('en')} positions created in ${setup.seconds.toFixed(1)} s by ${setup.creators} creators; rendering with ${pool ? `${pool.size} worker threads` : 'the main thread'}] `);

  // Bare pdfkit pages, warmed up, then timed for the same count.
  for (let i = 0; i < 20; i++) await barePage();
  let started = performance.now();
  for (let i = 0; i < n; i++) await barePage();
  const bareSeconds = (performance.now() - started) / 1000;

  const run = await startRun(platform, systemActor, ente.id, { serviceCode });
  started = performance.now();
  await processRun(platform, { enteId: ente.id, runId: run.id }, { timeBudgetMs: Number.POSITIVE_INFINITY, pool });
  const noticeSeconds = (performance.now() - started) / 1000;
  const stats = await withEnte(platform.db.app, ente.id, (trx) =>
    trx
      .selectFrom('payment_notice_item as i')
      .innerJoin('stored_file as f', (j) => j.onRef('f.ente_id', '=', 'i.ente_id').onRef('f.sha256', '=', 'i.sha256'))
      .select((eb) => [eb.fn.countAll<number>().as('count'), eb.fn.sum<number>('f.size_bytes').as('bytes')])
      .where('i.run_id', '=', run.id)
      .executeTakeFirstOrThrow(),
  );
  const notices = { count: Number(stats.count), seconds: noticeSeconds, perSecond: Number(stats.count) / noticeSeconds, bytes: Number(stats.bytes) };
  const bare = { count: n, seconds: bareSeconds, perSecond: n / bareSeconds };
  process.stdout.write(`[${notices.count.toLocaleString('en')} notices in ${noticeSeconds.toFixed(1)} s, ${(notices.bytes / 1e6).toFixed(1)} MB] `);
  return { n, notices, bare, ratio: notices.perSecond / bare.perSecond, workers: pool?.size ?? 0, setup };
}
