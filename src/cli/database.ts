// `cir db migrate` and `cir seed demo`.
import pino from 'pino';
import { sql } from 'kysely';
import { bootPlatform } from '../platform/boot.js';
import { migrate } from '../platform/db/migrate.js';
import { modules } from '../modules/index.js';
import { demoAccounts } from '../modules/members/index.js';
import { out, config, allMigrations, connect } from './context.js';

export async function dbMigrate(): Promise<void> {
  const connection = await connect(config());
  try {
    const { applied } = await migrate(connection.ownerUrl, allMigrations());
    if (applied.length === 0) {
      out('Database già aggiornato: nessuna migrazione da applicare.');
    } else {
      out(`Migrazioni applicate (${applied.length}):`);
      for (const name of applied) out(`  ${name}`);
    }
  } finally {
    await connection.stop();
  }
}



export async function seedDemo(): Promise<void> {
  const cfg = config();
  const running = await bootPlatform(
    { ...cfg, demoSeed: true, jobs: false },
    { modules, listen: false, workers: false, logger: pino({ level: 'warn' }, pino.destination(2)) },
  );
  try {
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from ente`.execute(running.platform.db.owner);
    if (!running.seeded) {
      out(`Il database contiene già dati (${rows[0]!.n} enti): la rete demo non viene caricata, nessuna modifica.`);
      out('Per ricaricarla usare un database vuoto (una nuova DATA_DIR o un nuovo DATABASE_URL).');
      return;
    }
    out(`Rete demo caricata: ${rows[0]!.n} enti.`);
    out('Account demo (password: demo-password):');
    for (const account of demoAccounts) out(`  ${account.email.padEnd(36)} ${account.description}`);
  } finally {
    await running.stop();
  }
}
