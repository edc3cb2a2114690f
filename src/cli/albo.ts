// `cir albo generate`: bulk published acts for load tests (see src/modules/noticeboard/generate.ts).
import path from 'node:path';
import { sql } from 'kysely';
import { FileStore } from '../platform/files/index.js';
import { generateActs } from '../modules/noticeboard/generate.js';
import { CliError, config, out, withDatabase } from './context.js';
import { parseCount, progressReporter } from './progress.js';

export const MAX_GENERATED_ACTS = 50_000_000;

/** '1000000', '1_000_000', '1.000.000' → 1000000. */
export const parseActCount = (raw: string) => parseCount(raw, '--acts', MAX_GENERATED_ACTS);

export async function alboGenerate(options: { acts: string }): Promise<void> {
  const total = parseActCount(options.acts);
  const files = new FileStore(path.join(config().dataDir, 'files'));
  await withDatabase(async (db) => {
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from ente where kind = 'comune'`.execute(db.owner);
    if (rows[0]!.n === 0) throw new CliError('nessun comune nel database: caricare prima la rete (cir seed demo oppure cir ente import)');
    const progress = progressReporter('Generazione degli atti');
    let report;
    try {
      report = await generateActs({ db, files }, { total, onProgress: (done, all) => progress.update(done, all) });
    } finally {
      progress.stop();
    }
    const format = (n: number) => Math.round(n).toLocaleString('it-IT');
    out(`Atti generati: ${format(report.created)} su ${report.comuni} comuni in ${report.seconds.toFixed(1).replace('.', ',')} s (${format(report.actsPerSecond)} atti/s)`);
    out(`Atti in pubblicazione oggi (tutto l'albo): ${format(report.onlineToday)}`);
  });
}
