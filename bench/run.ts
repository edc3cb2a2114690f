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
//
// To add a case, append to `cases` below. `prepare` runs once before the case (log in, create data …) and may
// return headers/body/path to use, e.g. a session cookie for back-office pages.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import autocannon from 'autocannon';
import Fastify from 'fastify';
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

export const cases: BenchCase[] = [
  { name: 'baseline (bare Fastify, small JSON)', path: BASELINE_PATH, target: 'baseline' },
  { name: 'API enti (comuni)', path: '/api/v1/enti?kind=comune', headers: { accept: 'application/json' } },
  { name: 'portal /asti/', path: '/asti/', headers: { accept: 'text/html' } },
  { name: 'home /', path: '/', headers: { accept: 'text/html' } },
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
          name: c.name, target, method: effective.method ?? 'GET', path: effective.path, requests: 0, reqPerSec: 0, latencyP50Ms: 0, latencyP99Ms: 0,
          ratioToBaseline: null, non2xx: 0, statusCodes: {}, errors: 1, timeouts: 0, failure,
        });
      }
    }

    const base = results.find((r) => r.target === 'baseline');
    for (const r of results) r.ratioToBaseline = base && base.reqPerSec > 0 ? r.reqPerSec / base.reqPerSec : null;

    console.log(`\n${table(results)}\n`);
    const failing = results.filter((r) => r.non2xx + r.errors + r.timeouts > 0);
    if (failing.length > 0) console.log(`note: ${failing.map((r) => r.name).join(', ')} answered non-2xx or failed; their figures do not measure the real page.\n`);

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
