// `cir albo generate`: bulk published acts for load tests (see src/modules/noticeboard/generate.ts).
import path from 'node:path';
import cliProgress from 'cli-progress';
import { sql } from 'kysely';
import { FileStore } from '../platform/files/index.js';
import { generateActs } from '../modules/noticeboard/generate.js';
import { CliError, config, note, out, withDatabase } from './context.js';

export const MAX_GENERATED_ACTS = 50_000_000;

/** '1000000', '1_000_000', '1.000.000' (Italian thousands separator) → 1000000. */
export function parseActCount(raw: string): number {
  const cleaned = raw.trim().replace(/[_.]/g, '');
  if (!/^\d+$/.test(cleaned)) throw new CliError(`numero di atti non valido per --acts: "${raw}" (es. 1000000)`);
  const n = Number(cleaned);
  if (n < 1 || n > MAX_GENERATED_ACTS) throw new CliError(`--acts deve essere tra 1 e ${MAX_GENERATED_ACTS.toLocaleString('it-IT')}`);
  return n;
}

/** A bar on a terminal; on CI logs (stderr not a TTY) one line every 10%. */
function progressReporter(): { update(done: number, total: number): void; stop(): void } {
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      { stream: process.stderr, format: 'Generazione degli atti |{bar}| {percentage}% ({value}/{total}) {eta_formatted}', hideCursor: true },
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    return {
      update(done, total) {
        if (!started) {
          bar.start(total, 0);
          started = true;
        }
        bar.update(done);
      },
      stop: () => started && bar.stop(),
    };
  }
  let printed = -1;
  return {
    update(done, total) {
      const step = total > 0 ? Math.floor((done / total) * 10) : 10;
      if (step > printed) {
        printed = step;
        note(`Generazione degli atti: ${step * 10}% (${done}/${total})`);
      }
    },
    stop() {},
  };
}

export async function alboGenerate(options: { acts: string }): Promise<void> {
  const total = parseActCount(options.acts);
  const files = new FileStore(path.join(config().dataDir, 'files'));
  await withDatabase(async (db) => {
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from ente where kind = 'comune'`.execute(db.owner);
    if (rows[0]!.n === 0) throw new CliError('nessun comune nel database: caricare prima la rete (cir seed demo oppure cir ente import)');
    const progress = progressReporter();
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
