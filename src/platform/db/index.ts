// Database access: a Kysely instance for the owner (migrations, jobs, explicit cross-ente paths) and one for
// the non-superuser application role, on which row-level security keeps every ente to its own rows.
import { Kysely, PostgresDialect, sql, type Transaction } from 'kysely';
import pg from 'pg';
import type { DB } from './schema.js';
import { APP_ROLE, CROSS_READER_ROLE } from './embedded.js';

export type { DB } from './schema.js';
export type Trx = Transaction<DB>;
export { sql };

// Dates stay 'YYYY-MM-DD' strings: a JS Date would shift them with the time zone (legal dates must not move).
pg.types.setTypeParser(pg.types.builtins.DATE, (value) => value);
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number.parseInt(value, 10));
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (value) => value);

export interface Database {
  /** Owner role: migrations, pg-boss, seeding. Never used to serve a tenant's request. */
  owner: Kysely<DB>;
  /** Application role: every request query; subject to row-level security. */
  app: Kysely<DB>;
  ownerPool: pg.Pool;
  appPool: pg.Pool;
  close(): Promise<void>;
}

export interface DatabaseUrls {
  ownerUrl: string;
  /** When missing, the app pool logs in as the owner and switches to the app role on every connection. */
  appUrl?: string | undefined;
  poolSize?: number;
}

export function openDatabase({ ownerUrl, appUrl, poolSize = 10 }: DatabaseUrls): Database {
  const ownerPool = new pg.Pool({ connectionString: ownerUrl, max: 4, application_name: 'cir-owner' });
  const appPool = new pg.Pool({ connectionString: appUrl ?? ownerUrl, max: poolSize, application_name: 'cir-app' });
  if (!appUrl) appPool.on('connect', (client) => void client.query(`set role ${APP_ROLE}`));
  const owner = new Kysely<DB>({ dialect: new PostgresDialect({ pool: ownerPool }) });
  const app = new Kysely<DB>({ dialect: new PostgresDialect({ pool: appPool }) });
  return {
    owner,
    app,
    ownerPool,
    appPool,
    async close() {
      await app.destroy();
      await owner.destroy();
    },
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Runs `fn` in a transaction bound to one ente: row-level security then shows and accepts only that ente's
 * rows, whatever the SQL inside says. This is the only way request code reaches tenant-owned tables.
 */
export async function withEnte<T>(db: Kysely<DB>, enteId: string, fn: (trx: Trx) => Promise<T>): Promise<T> {
  if (!UUID.test(enteId)) throw new Error(`withEnte: not an ente id: ${enteId}`);
  return db.transaction().execute(async (trx) => {
    await sql`select set_config('app.ente', ${enteId}, true)`.execute(trx);
    return fn(trx);
  });
}

/**
 * Reads across all enti (CST dashboards), as the SELECT-only role cir_cross_reader in a read-only transaction.
 * Callers must audit why they crossed (see audit.recordCrossEnteRead); the type makes the path explicit.
 */
export async function withCrossEnteRead<T>(db: Kysely<DB>, fn: (trx: Trx) => Promise<T>): Promise<T> {
  return db.transaction().execute(async (trx) => {
    await sql`set transaction read only`.execute(trx);
    await sql.raw(`set local role ${CROSS_READER_ROLE}`).execute(trx);
    return fn(trx);
  });
}
