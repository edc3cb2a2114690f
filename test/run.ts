// `npm test`: the whole suite, twice for the database (embedded PostgreSQL, then Debian's PostgreSQL 15 in a
// throwaway cluster), then the browser tests (Debian Chromium + axe-core). Prints one closing line:
// "N passed, N failed".
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { debianPg15Available, startDebianCluster, startEmbeddedCluster, type Cluster } from './support/clusters.js';
import { prepareTemplates, templateFilesDir } from './support/platform.js';
import { TEMPLATE_DEMO, TEMPLATE_EMPTY } from './support/databases.js';

const root = path.resolve(import.meta.dirname, '..');
const args = process.argv.slice(2);
const only = (name: string) => args.length === 0 || args.includes(`--${name}`);
const filters = args.filter((a) => !a.startsWith('--'));

function findTests(dir: string, pattern: RegExp): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules') out.push(...findTests(full, pattern));
    } else if (pattern.test(entry.name)) out.push(path.relative(root, full));
  }
  return out.sort();
}

const unitAndIntegration = [...findTests(path.join(root, 'src'), /\.test\.tsx?$/), ...findTests(path.join(root, 'test'), /\.test\.tsx?$/)]
  .filter((f) => !f.startsWith('test/e2e/'))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)));
const browser = findTests(path.join(root, 'test', 'e2e'), /\.test\.tsx?$/).filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)));

interface Totals { passed: number; failed: number }
const totals: Totals = { passed: 0, failed: 0 };

async function runFiles(label: string, files: string[], cluster: Cluster, concurrency: number): Promise<void> {
  if (files.length === 0) return;
  console.log(`\n=== ${label}: ${files.length} file(s) on ${cluster.name} ===`);
  const tapFile = path.join(root, '.tmp', `tap-${label.replace(/\W+/g, '-')}.txt`);
  fs.mkdirSync(path.dirname(tapFile), { recursive: true });
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, '--test-reporter=spec', '--test-reporter-destination=stdout', '--test-reporter=tap', `--test-reporter-destination=${tapFile}`, ...files],
    {
      cwd: root,
      stdio: 'inherit',
      env: { ...process.env, NODE_ENV: 'test', TEST_PG_ADMIN_URL: cluster.adminUrl, TEST_PG_APP_PASSWORD: cluster.appPassword, TEST_CLUSTER_NAME: cluster.name },
    },
  );
  const code: number = await new Promise((resolve) => child.on('close', (c) => resolve(c ?? 1)));
  const tap = fs.existsSync(tapFile) ? fs.readFileSync(tapFile, 'utf8') : '';
  const count = (name: string) => Number(tap.match(new RegExp(`^# ${name} (\\d+)$`, 'm'))?.[1] ?? 0);
  const passed = count('pass');
  let failed = count('fail') + count('cancelled');
  if (code !== 0 && failed === 0) failed = 1; // the runner itself failed (crash, syntax error)
  totals.passed += passed;
  totals.failed += failed;
  console.log(`--- ${label}: ${passed} passed, ${failed} failed`);
}

async function withCluster(start: () => Promise<Cluster>, fn: (cluster: Cluster) => Promise<void>): Promise<void> {
  const cluster = await start();
  try {
    await prepareTemplates(cluster);
    await fn(cluster);
  } finally {
    await cluster.stop();
    for (const template of [TEMPLATE_DEMO, TEMPLATE_EMPTY]) fs.rmSync(templateFilesDir(cluster.adminUrl, template), { recursive: true, force: true });
  }
}

if (only('embedded') || only('unit')) {
  await withCluster(startEmbeddedCluster, (cluster) => runFiles('embedded', unitAndIntegration, cluster, 3));
}
if (only('pg15')) {
  if (debianPg15Available()) {
    await withCluster(startDebianCluster, (cluster) => runFiles('pg15', unitAndIntegration, cluster, 3));
  } else if (process.env.CI) {
    console.error('Debian PostgreSQL 15 is not installed (apt-get install postgresql-15): required in CI');
    totals.failed += 1;
  } else {
    console.warn('skipping the PostgreSQL 15 pass: /usr/lib/postgresql/15/bin not found');
  }
}
if (only('browser')) {
  if (fs.existsSync('/usr/bin/chromium')) {
    await withCluster(startEmbeddedCluster, (cluster) => runFiles('browser', browser, cluster, 1));
  } else if (process.env.CI) {
    console.error('Chromium is not installed (apt-get install chromium): required in CI');
    totals.failed += 1;
  } else {
    console.warn('skipping browser tests: /usr/bin/chromium not found');
  }
}

console.log(`\n${totals.passed} passed, ${totals.failed} failed`);
process.exit(totals.failed > 0 || totals.passed === 0 ? 1 : 0);
