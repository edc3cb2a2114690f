// Migration runner: plain .sql files per module, applied in order, once, each in its own transaction.
// A landed migration must never change: its checksum is recorded and checked on every run.
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { APP_ROLE, CROSS_READER_ROLE, ensureAppRole, ensureCrossReaderRole } from './embedded.js';

export interface MigrationSource {
  /** Module name ('platform' for the kernel). */
  module: string;
  /** Folder holding NNN_description.sql files. */
  dir: string;
}

export const platformMigrations: MigrationSource = {
  module: 'platform',
  dir: path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'migrations'),
};

/** The kernel's migrations, then each module's, in boot order. */
export function migrationSources(modules: { name: string; migrationsDir?: string }[]): MigrationSource[] {
  return [platformMigrations, ...modules.filter((m) => m.migrationsDir).map((m) => ({ module: m.name, dir: m.migrationsDir! }))];
}

export interface MigrationResult {
  applied: string[];
}

const LOCK_KEY = 727_001; // advisory lock: one migrating process at a time

export async function migrate(ownerUrl: string, sources: MigrationSource[]): Promise<MigrationResult> {
  const client = new pg.Client({ connectionString: ownerUrl });
  await client.connect();
  const applied: string[] = [];
  try {
    await client.query('select pg_advisory_lock($1)', [LOCK_KEY]);
    await ensureAppRole(client, null);
    await ensureCrossReaderRole(client);
    await client.query(`grant usage on schema public to ${APP_ROLE}, ${CROSS_READER_ROLE}`);
    await client.query(`alter default privileges in schema public grant select on tables to ${CROSS_READER_ROLE}`);
    await client.query(
      `alter default privileges in schema public grant select, insert, update, delete on tables to ${APP_ROLE}`,
    );
    await client.query(`alter default privileges in schema public grant usage, select on sequences to ${APP_ROLE}`);
    await client.query(`alter default privileges in schema public grant execute on functions to ${APP_ROLE}`);
    await client.query(`create table if not exists schema_migration (
      module text not null, name text not null, checksum text not null,
      applied_at timestamptz not null default now(), primary key (module, name))`);
    const done = new Map<string, string>();
    for (const row of (await client.query('select module, name, checksum from schema_migration')).rows) {
      done.set(`${row.module}/${row.name}`, row.checksum);
    }
    for (const source of sources) {
      const files = (await fs.readdir(source.dir).catch(() => [] as string[])).filter((f) => /^\d{3}_.+\.sql$/.test(f)).sort();
      for (const file of files) {
        const text = await fs.readFile(path.join(source.dir, file), 'utf8');
        const checksum = createHash('sha256').update(text).digest('hex');
        const key = `${source.module}/${file}`;
        const known = done.get(key);
        if (known !== undefined) {
          if (known !== checksum) throw new Error(`migration ${key} was edited after it was applied`);
          continue;
        }
        await client.query('begin');
        try {
          await client.query(text);
          await client.query('insert into schema_migration (module, name, checksum) values ($1, $2, $3)', [
            source.module,
            file,
            checksum,
          ]);
          await client.query('commit');
        } catch (err) {
          await client.query('rollback');
          throw new Error(`migration ${key} failed: ${(err as Error).message}`);
        }
        applied.push(key);
      }
    }
  } finally {
    await client.query('select pg_advisory_unlock($1)', [LOCK_KEY]).catch(() => undefined);
    await client.end();
  }
  return { applied };
}
