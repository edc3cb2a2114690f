// `cir helpdesk generate`: bulk tickets for load tests (see src/modules/helpdesk/generate.ts).
import { sql } from 'kysely';
import { generateTickets } from '../modules/helpdesk/generate.js';
import { CliError, out, withDatabase } from './context.js';
import { parseCount, progressReporter } from './progress.js';

export const MAX_GENERATED_TICKETS = 20_000_000;

export async function helpdeskGenerate(options: { tickets: string }): Promise<void> {
  const total = parseCount(options.tickets, '--tickets', MAX_GENERATED_TICKETS);
  await withDatabase(async (db) => {
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from ente where kind = 'comune'`.execute(db.owner);
    if (rows[0]!.n === 0) throw new CliError('nessun comune nel database: caricare prima la rete (cir seed demo oppure cir ente import)');
    const progress = progressReporter('Generazione dei ticket');
    let report;
    try {
      report = await generateTickets({ db }, { total, onProgress: (done, all) => progress.update(done, all) });
    } finally {
      progress.stop();
    }
    const format = (n: number) => Math.round(n).toLocaleString('it-IT');
    out(`Ticket generati: ${format(report.created)} su ${report.enti} comuni in ${report.seconds.toFixed(1).replace('.', ',')} s (${format(report.ticketsPerSecond)} ticket/s)`);
    out(`Ticket ancora aperti tra quelli generati: ${format(report.open)}`);
  });
}
