// `npm start` as a newcomer runs it: first start seeds the demo network on the embedded PostgreSQL, a second
// start reuses the data (no re-seed, nothing lost), and two instances in different folders run side by side.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import { freePort } from '../src/platform/db/embedded.js';

const root = path.resolve(import.meta.dirname, '..');

interface Instance { child: ChildProcess; output: string; port: number }

async function start(dataDir: string): Promise<Instance> {
  const port = await freePort();
  const child = spawn(path.join(root, 'node_modules', '.bin', 'tsx'), ['src/main.ts'], {
    cwd: root,
    env: { ...process.env, NODE_ENV: 'development', PORT: String(port), DATA_DIR: dataDir, DATABASE_URL: '', DATABASE_APP_URL: '', LOG_LEVEL: 'warn', PATH: `${path.join(root, 'node_modules', '.bin')}:${process.env.PATH}` },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const instance: Instance = { child, output: '', port };
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start within 90 s:\n${instance.output}`)), 90_000);
    const onData = (chunk: Buffer) => {
      instance.output += chunk.toString();
      if (instance.output.includes('is running at')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code}:\n${instance.output}`));
    });
  });
  return instance;
}

async function stop(instance: Instance): Promise<void> {
  instance.child.removeAllListeners('exit');
  const exited = new Promise((resolve) => instance.child.on('exit', resolve));
  instance.child.kill('SIGTERM');
  await exited;
}

async function ownerClient(dataDir: string, port: number): Promise<pg.Client> {
  const credentials = JSON.parse(fs.readFileSync(path.join(dataDir, 'pg-credentials.json'), 'utf8'));
  const client = new pg.Client({ connectionString: `postgres://postgres:${encodeURIComponent(credentials.ownerPassword)}@127.0.0.1:${port}/cir` });
  await client.connect();
  return client;
}

function pgPortOf(dataDir: string): number {
  // postmaster.pid line 4 is the port the embedded server listens on.
  return Number(fs.readFileSync(path.join(dataDir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[3]);
}

// Runs once: it uses its own embedded databases, whatever cluster the suite pass is on.
describe('npm start on the embedded database', { timeout: 300_000, skip: process.env.TEST_CLUSTER_NAME?.includes('15') }, () => {
  const dirs: string[] = [];
  const running: Instance[] = [];
  after(async () => {
    for (const i of running) if (i.child.exitCode === null) await stop(i);
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });
  const tempDir = () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cir-boot-'));
    fs.chmodSync(dir, 0o755);
    dirs.push(dir);
    return dir;
  };

  it('seeds on first start, reuses the data on the second, and runs two instances side by side', async () => {
    const dirA = tempDir();
    const dirB = tempDir();
    const [a, b] = await Promise.all([start(dirA), start(dirB)]);
    running.push(a, b);
    assert.notEqual(pgPortOf(dirA), pgPortOf(dirB), 'each embedded database took its own port');
    for (const instance of [a, b]) {
      assert.match(instance.output, /demo network seeded/);
      assert.match(instance.output, /admin@cst\.demo/);
      const res = await fetch(`http://127.0.0.1:${instance.port}/api/v1/enti?kind=comune`);
      assert.equal((await res.json()).total, 117);
    }
    // Something written between the two starts must survive.
    const client = await ownerClient(dirA, pgPortOf(dirA));
    await client.query(`insert into staff_user (email, display_name, password_hash) values ('persist@cst.demo', 'Persist', 'x')`);
    await client.end();
    await stop(b);
    await stop(a);

    const again = await start(dirA);
    running.push(again);
    assert.match(again.output, /existing data reused/);
    const check = await ownerClient(dirA, pgPortOf(dirA));
    const enti = await check.query('select count(*)::int as n from ente');
    const persisted = await check.query(`select 1 from staff_user where email = 'persist@cst.demo'`);
    await check.end();
    assert.equal(enti.rows[0].n, 131, 'no second seed');
    assert.equal(persisted.rowCount, 1, 'data written before the restart is still there');
    await stop(again);
  });
});
