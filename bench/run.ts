// `npm run bench`: HTTP throughput of the platform against a baseline measured in the same run.
//
// Boots the real platform (same boot code as `npm start`) on a freshly seeded demo database in a throwaway
// embedded PostgreSQL cluster, plus a bare Fastify app with one small JSON route (the baseline: what this
// machine and Node can do with no platform at all). Each case gets a warm-up, then a measured run with
// autocannon; the load generator runs in a worker thread so it does not share the servers' event loop.
// Prints a table and writes bench/results/latest.json.
//
//   BENCH_SECONDS=5 BENCH_CONNECTIONS=10 npm run bench            all cases
//   npm run bench -- enti portal                                   only cases whose name contains a word
//   BENCH_ALBO_ACTS=200000 npm run bench -- albo                   the albo at 10,000 acts, then at 200,000
//   BENCH_HELPDESK_TICKETS=500000 npm run bench -- helpdesk        help desk cases with 500,000 tickets (0 skips)
//   BENCH_NOTICES=100000 npm run bench -- notices                  pagoPA notice PDFs/s vs bare pdfkit pages/s (0 skips)
//
// The albo cases measure the list page and the API of one comune with 10,000 acts in the database (all comuni),
// then again after generating up to BENCH_ALBO_ACTS (default 1,000,000; 0 skips that step), and compare the
// two: latency should stay flat as the albo grows.
//
// To add a case, append to `cases` below. `prepare` runs once before the case (log in, create data …) and may
// return headers/body/path to use, e.g. a session cookie for back-office pages.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import autocannon from 'autocannon';
import Fastify from 'fastify';
import { sql } from 'kysely';
import { generateActs } from '../src/modules/noticeboard/generate.js';
import { generateTickets } from '../src/modules/helpdesk/generate.js';
import { SOAP_PATH, verifyBenchTarget, verifyRequestBody } from '../src/modules/payments/node/bench.js';
import { benchNotices } from '../src/modules/payments/notices/bench.js';
import { benchMail, mailSummary, type MailBenchResult } from './mail.js';
import { benchMessaging, messagingSummary, type MessagingBenchResult } from './messaging.js';
import { login } from '../test/support/http.js';
import { startEmbeddedCluster } from '../test/support/clusters.js';
import { prepareTemplates, startTestPlatform, type TestPlatform } from '../test/support/platform.js';

export interface BenchContext {
  platform: TestPlatform;
  /** Base URL of the platform, e.g. http://127.0.0.1:41234 */
  url: string;
}

export interface BenchCase {
  name: string;
  path: string;
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  headers?: Record<string, string>;
  body?: string;
  /** Which server the case hits; default 'platform'. */
  target?: 'platform' | 'baseline';
  prepare?: (ctx: BenchContext) => Promise<Partial<Pick<BenchCase, 'path' | 'headers' | 'body'>> | void>;
}

const BASELINE_PATH = '/baseline';

function nonNegativeInteger(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw.replace(/_/g, ''));
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a whole number (0 to skip), got "${raw}"`);
  return n;
}

// ------------------------------------------------------------------------------------------ albo at scale

const ALBO_SLUG = 'asti';
const ALBO_SMALL = 10_000;
const ALBO_LARGE = nonNegativeInteger('BENCH_ALBO_ACTS', 1_000_000);

/** '10k acts', '1M acts', '250k acts'. */
const actsLabel = (n: number) => (n >= 1_000_000 && n % 100_000 === 0 ? `${n / 1_000_000}M` : n >= 1000 && n % 1000 === 0 ? `${n / 1000}k` : String(n)) + ' acts';

interface AlboStep {
  /** Acts in the database (all comuni) when measured. */
  acts: number;
  /** Acts generated to get there, and how long that took. */
  generated: number;
  seconds: number;
  /** Acts of the measured comune, and how many of them are online today. */
  comuneActs: number;
  comuneOnline: number;
}
const alboSteps = new Map<number, AlboStep>();

/** Generates acts until the database holds `target` (once per target; the cases of one step share it). */
async function alboWithAtLeast(ctx: BenchContext, target: number): Promise<void> {
  if (alboSteps.has(target)) return;
  const db = ctx.platform.platform.db.owner;
  const count = async () => (await sql<{ n: number }>`select count(*)::int as n from notice`.execute(db)).rows[0]!.n;
  const existing = await count();
  let generated = 0;
  let seconds = 0;
  if (existing < target) {
    process.stdout.write(`[generating ${(target - existing).toLocaleString('en')} acts:`);
    let shown = 0;
    const report = await generateActs(ctx.platform.platform, {
      total: target - existing,
      onProgress: (done, total) => {
        const pct = Math.floor((done / total) * 10) * 10;
        if (pct > shown) process.stdout.write(` ${(shown = pct)}%`);
      },
    });
    generated = report.created;
    seconds = report.seconds;
    process.stdout.write(` done in ${seconds.toFixed(1)} s, ${Math.round(report.actsPerSecond).toLocaleString('en')} acts/s] `);
  }
  const { rows } = await sql<{ n: number; online: number }>`
    select count(*)::int as n, count(*) filter (where n.publish_from <= current_date and n.effective_to >= current_date)::int as online
      from notice n join ente e on e.id = n.ente_id where e.slug = ${ALBO_SLUG} and n.status = 'published'`.execute(db);
  alboSteps.set(target, { acts: await count(), generated, seconds, comuneActs: rows[0]!.n, comuneOnline: rows[0]!.online });
}

function alboCases(target: number): BenchCase[] {
  const prepare = async (ctx: BenchContext) => void (await alboWithAtLeast(ctx, target));
  return [
    { name: `albo page /${ALBO_SLUG}/albo (${actsLabel(target)})`, path: `/${ALBO_SLUG}/albo`, headers: { accept: 'text/html' }, prepare },
    { name: `API albo ${ALBO_SLUG} (${actsLabel(target)})`, path: `/api/v1/enti/${ALBO_SLUG}/albo`, headers: { accept: 'application/json' }, prepare },
  ];
}

// --------------------------------------------------------------------------------------- help desk at scale

const HELPDESK_TICKETS = nonNegativeInteger('BENCH_HELPDESK_TICKETS', 500_000);
let helpdeskStep: { tickets: number; generated: number; seconds: number; open: number } | undefined;
let deskCookie: string | undefined;

/** Generates tickets until the database holds HELPDESK_TICKETS (once), and logs the CST technician in. */
async function helpdeskAtScale(ctx: BenchContext): Promise<Record<string, string>> {
  const db = ctx.platform.platform.db.owner;
  if (!helpdeskStep) {
    const count = async () => (await sql<{ n: number }>`select count(*)::int as n from ticket`.execute(db)).rows[0]!.n;
    const existing = await count();
    let generated = 0;
    let seconds = 0;
    if (existing < HELPDESK_TICKETS) {
      process.stdout.write(`[generating ${(HELPDESK_TICKETS - existing).toLocaleString('en')} tickets:`);
      let shown = 0;
      const report = await generateTickets(ctx.platform.platform, {
        total: HELPDESK_TICKETS - existing,
        onProgress: (done, total) => {
          const pct = Math.floor((done / total) * 10) * 10;
          if (pct > shown) process.stdout.write(` ${(shown = pct)}%`);
        },
      });
      generated = report.created;
      seconds = report.seconds;
      process.stdout.write(` done in ${seconds.toFixed(1)} s] `);
      await sql`analyze ticket`.execute(db);
    }
    const open = (await sql<{ n: number }>`select count(*)::int as n from ticket where state not in ('solved', 'closed')`.execute(db)).rows[0]!.n;
    helpdeskStep = { tickets: await count(), generated, seconds, open };
  }
  deskCookie ??= (await login(ctx.platform.app, 'tecnico@cst.demo')).cookie;
  return { cookie: deskCookie };
}

const ticketsLabel = () => `${Math.round(HELPDESK_TICKETS / 1000)}k tickets`;
const helpdeskCases: BenchCase[] = HELPDESK_TICKETS === 0 ? [] : [
  {
    name: `helpdesk create-ticket API (${ticketsLabel()})`,
    path: '/api/v1/enti/asti/tickets',
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({
      channel: 'phone', callerName: 'Carico di prova', callerPhone: '0141 000000', category: 'hardware_stampanti',
      urgency: 2, impact: 3, subject: 'Stampante della ragioneria inceppata', description: 'Prova di carico: apertura di un ticket.',
    }),
    prepare: async (ctx) => ({ headers: await helpdeskAtScale(ctx) }),
  },
  {
    name: `helpdesk queue API (${ticketsLabel()})`,
    path: '/api/v1/helpdesk/queue?limit=50',
    headers: { accept: 'application/json' },
    prepare: async (ctx) => ({ headers: await helpdeskAtScale(ctx) }),
  },
  {
    name: `helpdesk queue page /backoffice/assistenza (${ticketsLabel()})`,
    path: '/backoffice/assistenza',
    headers: { accept: 'text/html' },
    prepare: async (ctx) => ({ headers: await helpdeskAtScale(ctx) }),
  },
];

// ------------------------------------------------------------------------------------------------ pagoPA

/** The pagoPA node's verify on an unpaid demo notice of Asti: the whole SOAP path (parse, lookup, answer). */
const paymentsCases: BenchCase[] = [
  {
    name: 'pagoPA paVerifyPaymentNotice (SOAP)',
    path: SOAP_PATH,
    method: 'POST',
    prepare: async (ctx) => {
      const target = await verifyBenchTarget(ctx.platform.platform.db, 'asti');
      const notice = target.noticeNumbers[0];
      if (!notice) throw new Error('no unpaid demo notice of Asti to verify');
      return { headers: target.headers, body: verifyRequestBody(target.ids, notice) };
    },
  },
  { name: 'pagoPA bare route (/healthz, same server)', path: '/healthz', headers: { accept: 'application/json' } },
];

export const cases: BenchCase[] = [
  { name: 'baseline (bare Fastify, small JSON)', path: BASELINE_PATH, target: 'baseline' },
  { name: 'API enti (comuni)', path: '/api/v1/enti?kind=comune', headers: { accept: 'application/json' } },
  { name: 'portal /asti/', path: '/asti/', headers: { accept: 'text/html' } },
  { name: 'home /', path: '/', headers: { accept: 'text/html' } },
  ...alboCases(ALBO_SMALL),
  ...(ALBO_LARGE > ALBO_SMALL ? alboCases(ALBO_LARGE) : []),
  ...helpdeskCases,
  ...paymentsCases,
];

export interface BenchResult {
  name: string;
  target: 'platform' | 'baseline';
  method: string;
  path: string;
  requests: number;
  reqPerSec: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  latencyMeanMs: number;
  /** req/s of this case divided by req/s of the baseline. */
  ratioToBaseline: number | null;
  non2xx: number;
  statusCodes: Record<string, number>;
  errors: number;
  timeouts: number;
  /** Why the case could not run at all (its figures are then zero). */
  failure?: string;
}

function positiveNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, got "${raw}"`);
  return n;
}

const seconds = positiveNumber('BENCH_SECONDS', 5);
const connections = Math.round(positiveNumber('BENCH_CONNECTIONS', 10));
const warmupSeconds = positiveNumber('BENCH_WARMUP_SECONDS', 1);
const filters = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const selected = cases.filter((c) => c.target === 'baseline' || filters.length === 0 || filters.some((f) => c.name.toLowerCase().includes(f.toLowerCase())));

async function fire(url: string, c: BenchCase, duration: number): Promise<autocannon.Result> {
  return autocannon({
    url,
    method: c.method ?? 'GET',
    headers: c.headers,
    body: c.body,
    connections,
    duration,
    workers: 1, // off the main thread: the servers under test live on this one
  });
}

function statusCodes(result: autocannon.Result): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [code, stat] of Object.entries(result.statusCodeStats ?? {})) out[code] = stat?.count ?? 0;
  return out;
}

function gitCommit(): string | null {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

/** autocannon measures latency in whole milliseconds: show 0 as "<1". */
const ms = (value: number) => (value < 1 ? '<1' : String(Math.round(value * 10) / 10));

function table(rows: BenchResult[]): string {
  const head = ['case', 'req/s', 'p50 ms', 'p99 ms', 'vs baseline', 'non-2xx', 'status codes'];
  const body = rows.map((r) => [
    r.name,
    r.failure ? '-' : r.reqPerSec.toFixed(0),
    r.failure ? '-' : ms(r.latencyP50Ms),
    r.failure ? '-' : ms(r.latencyP99Ms),
    r.ratioToBaseline === null || r.failure ? '-' : `${(r.ratioToBaseline * 100).toFixed(1)}%`,
    String(r.non2xx + r.errors + r.timeouts),
    r.failure
      ? `failed: ${r.failure.slice(0, 60)}`
      : Object.entries(r.statusCodes).map(([code, n]) => `${code}:${n}`).join(' ') + (r.errors ? ` errors:${r.errors}` : '') + (r.timeouts ? ` timeouts:${r.timeouts}` : ''),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const numeric = new Set([1, 2, 3, 4, 5]);
  const line = (cells: string[]) => cells.map((cell, i) => (numeric.has(i) ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

/** The albo at 10k and at the large size side by side: req/s, p99, share of baseline, and large/small latency. */
function alboSummary(results: BenchResult[]): { text: string; data: unknown } | null {
  if (alboSteps.size === 0) return null;
  const lines = [`albo at scale (comune: ${ALBO_SLUG}; acts of all comuni in the database):`];
  for (const [target, step] of [...alboSteps].sort((a, b) => a[0] - b[0])) {
    const gen = step.generated > 0 ? `generated ${step.generated.toLocaleString('en')} in ${step.seconds.toFixed(1)} s (${Math.round(step.generated / Math.max(step.seconds, 1e-9)).toLocaleString('en')} acts/s)` : 'nothing generated';
    lines.push(`  ${actsLabel(target)}: ${step.acts.toLocaleString('en')} acts in the database, ${step.comuneActs.toLocaleString('en')} of ${ALBO_SLUG} (${step.comuneOnline} online today); ${gen}`);
  }
  const pct = (r: BenchResult) => (r.ratioToBaseline === null ? '-' : `${(r.ratioToBaseline * 100).toFixed(1)}%`);
  const fmt = (r: BenchResult) => `${r.reqPerSec.toFixed(0)} req/s, p99 ${ms(r.latencyP99Ms)} ms, mean ${r.latencyMeanMs.toFixed(2)} ms, ${pct(r)} of baseline`;
  const comparisons: unknown[] = [];
  const large = ALBO_LARGE > ALBO_SMALL && alboSteps.has(ALBO_LARGE) ? ALBO_LARGE : null;
  for (const kind of ['albo page', 'API albo']) {
    const small = results.find((r) => r.name.startsWith(kind) && r.name.endsWith(`(${actsLabel(ALBO_SMALL)})`) && !r.failure);
    const big = large ? results.find((r) => r.name.startsWith(kind) && r.name.endsWith(`(${actsLabel(large)})`) && !r.failure) : undefined;
    if (!small && !big) continue;
    lines.push(`  ${kind}:`);
    if (small) lines.push(`    ${actsLabel(ALBO_SMALL).padEnd(10)} ${fmt(small)}`);
    if (big) lines.push(`    ${actsLabel(large!).padEnd(10)} ${fmt(big)}`);
    if (small && big) {
      // autocannon's percentiles are whole milliseconds: below 1 ms, compare with 1 ms so the ratio stays meaningful.
      const p99 = Math.max(big.latencyP99Ms, 1) / Math.max(small.latencyP99Ms, 1);
      const mean = big.latencyMeanMs / Math.max(small.latencyMeanMs, 1e-9);
      const throughput = big.reqPerSec / Math.max(small.reqPerSec, 1e-9);
      lines.push(`    ${actsLabel(large!)}/${actsLabel(ALBO_SMALL)}: p99 latency x${p99.toFixed(2)}, mean latency x${mean.toFixed(2)}, req/s x${throughput.toFixed(2)}`);
      comparisons.push({ case: kind, smallActs: ALBO_SMALL, largeActs: large, p99Ratio: p99, meanLatencyRatio: mean, reqPerSecRatio: throughput });
    }
  }
  return { text: lines.join('\n'), data: { slug: ALBO_SLUG, steps: Object.fromEntries(alboSteps), comparisons } };
}

let noticesResult: Awaited<ReturnType<typeof benchNotices>> | null = null;
let messagingResult: MessagingBenchResult | null = null;
let mailResult: MailBenchResult | null = null;

async function main() {
  console.log(`bench: ${seconds}s per case (after ${warmupSeconds}s warm-up), ${connections} connections, Node ${process.version}, ${os.cpus().length} CPU(s)`);
  console.log('bench: starting embedded PostgreSQL and seeding the demo network …');
  const cluster = await startEmbeddedCluster();
  let platform: TestPlatform | undefined;
  const baseline = Fastify({ logger: false });
  try {
    await prepareTemplates(cluster);
    process.env.TEST_PG_ADMIN_URL = cluster.adminUrl;
    process.env.TEST_PG_APP_PASSWORD = cluster.appPassword;
    process.env.TEST_CLUSTER_NAME = cluster.name;
    platform = await startTestPlatform({ listen: true });

    baseline.get(BASELINE_PATH, async () => ({ status: 'ok', service: 'baseline', items: [1, 2, 3] }));
    const baselineUrl = await baseline.listen({ port: 0, host: '127.0.0.1' });
    const ctx: BenchContext = { platform, url: platform.url };

    const results: BenchResult[] = [];
    for (const c of selected) {
      const target = c.target ?? 'platform';
      process.stdout.write(`bench: ${c.name} … `);
      let effective: BenchCase = c;
      try {
        const prepared = (await c.prepare?.(ctx)) ?? {};
        effective = { ...c, ...prepared, headers: { ...c.headers, ...prepared.headers } };
        const url = new URL(effective.path, target === 'baseline' ? baselineUrl : platform.url).toString();
        await fire(url, effective, warmupSeconds);
        const r = await fire(url, effective, seconds);
        const result: BenchResult = {
          name: c.name,
          target,
          method: effective.method ?? 'GET',
          path: effective.path,
          requests: r.requests.total,
          reqPerSec: r.requests.average,
          latencyP50Ms: r.latency.p50,
          latencyP99Ms: r.latency.p99,
          latencyMeanMs: r.latency.average,
          ratioToBaseline: null,
          non2xx: r.non2xx,
          statusCodes: statusCodes(r),
          errors: r.errors,
          timeouts: r.timeouts,
        };
        results.push(result);
        const bad = result.non2xx + result.errors + result.timeouts;
        console.log(`${result.reqPerSec.toFixed(0)} req/s${bad ? ` (${bad} not 2xx: ${JSON.stringify(result.statusCodes)})` : ''}`);
      } catch (err) {
        // A case that cannot run (its prepare failed, a bad URL) is reported, and the others still run.
        const failure = err instanceof Error ? err.message.split('\n')[0]! : String(err);
        console.log(`failed: ${failure}`);
        results.push({
          name: c.name, target, method: effective.method ?? 'GET', path: effective.path, requests: 0, reqPerSec: 0, latencyP50Ms: 0, latencyP99Ms: 0, latencyMeanMs: 0,
          ratioToBaseline: null, non2xx: 0, statusCodes: {}, errors: 1, timeouts: 0, failure,
        });
      }
    }

    const base = results.find((r) => r.target === 'baseline');
    for (const r of results) r.ratioToBaseline = base && base.reqPerSec > 0 ? r.reqPerSec / base.reqPerSec : null;

    console.log(`\n${table(results)}\n`);
    const failing = results.filter((r) => r.non2xx + r.errors + r.timeouts > 0);
    if (failing.length > 0) console.log(`note: ${failing.map((r) => r.name).join(', ')} answered non-2xx or failed; their figures do not measure the real page.\n`);

    // Notice PDFs are not HTTP: notices/s against the PDF library's bare page rate, measured in this run.
    const noticeCount = nonNegativeInteger('BENCH_NOTICES', 2000);
    if (noticeCount > 0 && (filters.length === 0 || filters.some((f) => 'notices pagopa'.includes(f.toLowerCase())))) {
      process.stdout.write(`bench: ${noticeCount.toLocaleString('en')} pagoPA notice PDFs … `);
      const r = await benchNotices(platform.platform, noticeCount);
      console.log(`${r.notices.perSecond.toFixed(1)} notices/s vs ${r.bare.perSecond.toFixed(0)} bare pdfkit pages/s (ratio ${r.ratio.toFixed(3)})`);
      noticesResult = r;
    }

    // SMS broadcast (issue 5): its own platform with workers against the SMPP peer (bench/messaging.ts).
    const broadcast = nonNegativeInteger('BENCH_BROADCAST', 200_000);
    if (broadcast > 0 && (filters.length === 0 || filters.some((f) => 'messaging broadcast sms'.includes(f.toLowerCase())))) {
      process.stdout.write(`bench: SMS broadcast to ${broadcast.toLocaleString('en')} subscribers … `);
      messagingResult = await benchMessaging(broadcast, nonNegativeInteger('BENCH_SMPP_RATE', 2000), nonNegativeInteger('BENCH_SMPP_WINDOW', 20));
      console.log(`${messagingSummary(messagingResult)}\n`);
    }

    // E-mail broadcast: the outbox against nodemailer alone, both to the SMTP peer, in this run (bench/mail.ts).
    const emails = nonNegativeInteger('BENCH_EMAIL', 2000);
    if (emails > 0 && (filters.length === 0 || filters.some((f) => 'messaging broadcast email mail outbox'.includes(f.toLowerCase())))) {
      process.stdout.write(`bench: e-mail broadcast to ${emails.toLocaleString('en')} subscribers … `);
      mailResult = await benchMail(emails);
      console.log(`${mailSummary(mailResult)}\n`);
    }

    const albo = alboSummary(results);
    if (albo) console.log(`${albo.text}\n`);
    if (helpdeskStep) {
      const gen = helpdeskStep.generated > 0 ? `generated ${helpdeskStep.generated.toLocaleString('en')} in ${helpdeskStep.seconds.toFixed(1)} s` : 'nothing generated';
      console.log(`help desk at scale: ${helpdeskStep.tickets.toLocaleString('en')} tickets in the database (${helpdeskStep.open.toLocaleString('en')} open) over the comuni; ${gen}\n`);
    }

    const outDir = path.join(import.meta.dirname, 'results');
    fs.mkdirSync(outDir, { recursive: true });
    const report = {
      date: new Date().toISOString(),
      commit: gitCommit(),
      node: process.version,
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? null,
      seconds,
      warmupSeconds,
      connections,
      results,
      albo: albo?.data ?? null,
      helpdesk: helpdeskStep ?? null,
      notices: noticesResult,
      messaging: messagingResult,
      mail: mailResult,
    };
    const outFile = path.join(outDir, 'latest.json');
    fs.writeFileSync(outFile, `${JSON.stringify(report, null, 2)}\n`);
    console.log(`bench: results written to ${path.relative(process.cwd(), outFile)}`);
  } finally {
    await baseline.close().catch(() => undefined);
    await platform?.close().catch(() => undefined);
    await cluster.stop().catch(() => undefined);
  }
}

await main();
