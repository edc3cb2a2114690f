// A real platform for a test file: its own database cloned from a migrated template on the suite's cluster
// (embedded or Debian PostgreSQL 15, chosen by test/run.ts), the app built by the same boot code as `npm start`.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { loadConfig } from '../../src/platform/config/index.js';
import { bootPlatform, type Running } from '../../src/platform/boot.js';
import { migrate, migrationSources } from '../../src/platform/db/migrate.js';
import { ensureAppRole } from '../../src/platform/db/embedded.js';
import { modules } from '../../src/modules/index.js';
import { startEmbeddedCluster, type Cluster } from './clusters.js';
import { TEMPLATE_DEMO, TEMPLATE_EMPTY, adminQuery, appUrlFor, cloneDatabase, dropDatabase, withDatabase } from './databases.js';

export interface TestPlatform extends Running {
  /** Base URL when started with listen: true. */
  url: string;
  adminUrl: string;
  database: string;
  close(): Promise<void>;
}

/** Migrates (and for the demo template, seeds) the two templates test files clone. Run once per cluster. */
export async function prepareTemplates(cluster: Cluster): Promise<void> {
  const client = { query: (text: string, values?: unknown[]) => adminQuery(cluster.adminUrl, text, values) };
  await ensureAppRole(client, cluster.appPassword);
  for (const [template, seed] of [[TEMPLATE_EMPTY, false], [TEMPLATE_DEMO, true]] as const) {
    await adminQuery(cluster.adminUrl, `drop database if exists ${template}`);
    await adminQuery(cluster.adminUrl, `create database ${template}`);
    const ownerUrl = withDatabase(cluster.adminUrl, template);
    await migrate(ownerUrl, migrationSources(modules));
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cir-template-'));
    const running = await bootPlatform(
      { ...loadConfig({ NODE_ENV: 'test' }), databaseUrl: ownerUrl, databaseAppUrl: appUrlFor(cluster.adminUrl, template, cluster.appPassword), dataDir, demoSeed: seed, jobs: false },
      { modules, listen: false, workers: false, logger: pino({ level: 'warn' }) },
    );
    await running.stop();
    // The seeded documents' bytes live in the data dir: keep them for the databases cloned from this template.
    const files = templateFilesDir(cluster.adminUrl, template);
    fs.rmSync(files, { recursive: true, force: true });
    if (fs.existsSync(path.join(dataDir, 'files'))) fs.cpSync(path.join(dataDir, 'files'), files, { recursive: true });
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Where the files written while seeding `template` are kept, per cluster. */
export function templateFilesDir(adminUrl: string, template: string): string {
  return path.join(os.tmpdir(), `cir-template-files-${createHash('sha256').update(adminUrl).digest('hex').slice(0, 12)}-${template}`);
}

let ownCluster: Promise<Cluster> | undefined;

/** The suite's cluster (from test/run.ts), or, when a file runs alone, one started just for it. */
async function suiteCluster(): Promise<Cluster> {
  if (process.env.TEST_PG_ADMIN_URL && process.env.TEST_PG_APP_PASSWORD) {
    return { name: process.env.TEST_CLUSTER_NAME ?? 'suite', adminUrl: process.env.TEST_PG_ADMIN_URL, appPassword: process.env.TEST_PG_APP_PASSWORD, stop: async () => {} };
  }
  ownCluster ??= (async () => {
    const cluster = await startEmbeddedCluster();
    await prepareTemplates(cluster);
    process.once('beforeExit', () => void cluster.stop());
    return cluster;
  })();
  return ownCluster;
}

export interface TestPlatformOptions {
  /** 'demo' (default): the demo network seeded; 'empty': migrated only. */
  seed?: 'demo' | 'empty';
  /** Listen on a free port (for browser tests and autocannon). */
  listen?: boolean;
  /** Run job workers. */
  workers?: boolean;
  env?: Record<string, string>;
}

export async function startTestPlatform(options: TestPlatformOptions = {}): Promise<TestPlatform> {
  const cluster = await suiteCluster();
  const database = await cloneDatabase(cluster.adminUrl, options.seed === 'empty' ? TEMPLATE_EMPTY : TEMPLATE_DEMO);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cir-test-data-'));
  const seededFiles = templateFilesDir(cluster.adminUrl, options.seed === 'empty' ? TEMPLATE_EMPTY : TEMPLATE_DEMO);
  if (fs.existsSync(seededFiles)) fs.cpSync(seededFiles, path.join(dataDir, 'files'), { recursive: true });
  const port = options.listen ? await (await import('../../src/platform/db/embedded.js')).freePort() : 0;
  const config = {
    ...loadConfig({ NODE_ENV: 'test', PORT: String(port), HOST: '127.0.0.1', PUBLIC_URL: `http://127.0.0.1:${port}`, ...options.env }),
    databaseUrl: withDatabase(cluster.adminUrl, database),
    databaseAppUrl: appUrlFor(cluster.adminUrl, database, cluster.appPassword),
    dataDir,
    demoSeed: false,
    jobs: options.workers ?? false,
  };
  const running = await bootPlatform(config, { modules, listen: options.listen ?? false, workers: options.workers ?? false, logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }) });
  return {
    ...running,
    url: `http://127.0.0.1:${port}`,
    adminUrl: withDatabase(cluster.adminUrl, database),
    database,
    async close() {
      await running.stop();
      await dropDatabase(cluster.adminUrl, database).catch(() => undefined);
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
