// `cir ente import`.
import fs from 'node:fs';
import path from 'node:path';
import { todayInRome } from '../platform/tenancy/index.js';
import { importIstatCsv, IstatImportError, isIsoDate, type IstatImportProgress, type IstatImportReport } from '../platform/tenancy/import.js';
import { CliError, cliActor, out, withDatabase } from './context.js';
import { progressReporter, type ProgressReporter } from './progress.js';

const phaseLabels: Record<IstatImportProgress['phase'], string> = { read: 'Lettura del file', write: 'Salvataggio degli enti' };

/** One bar (or 10% lines on CI) per phase of the import. */
function importProgress(): { update(p: IstatImportProgress): void; stop(): void } {
  let phase: IstatImportProgress['phase'] | undefined;
  let current: ProgressReporter | undefined;
  return {
    update(p) {
      if (p.phase !== phase) {
        current?.stop();
        phase = p.phase;
        current = progressReporter(phaseLabels[p.phase], { showCount: p.phase === 'write' });
      }
      current!.update(p.done, p.total);
    },
    stop: () => current?.stop(),
  };
}

function printReport(file: string, report: IstatImportReport): void {
  out(`Importazione dei comuni ISTAT da ${file}`);
  out(`  data di riferimento: ${report.on}; provincia: ${report.province ?? 'tutte'}`);
  const rows: [string, number][] = [
    ['righe lette', report.rows],
    ['importati (nuovi)', report.created],
    ['aggiornati', report.updated],
    ['invariati', report.unchanged],
    ['saltati (non validi alla data)', report.skippedNotValid],
    ['saltati (altra provincia)', report.skippedOtherProvince],
    ['righe duplicate (contate una volta)', report.duplicates],
    ['appartenenze alla provincia create', report.membershipsCreated],
    ['scartati', report.rejected.length],
  ];
  for (const [label, n] of rows) out(`  ${`${label}:`.padEnd(38)}${String(n).padStart(7)}`);
  if (report.rejected.length > 0) {
    out('Righe scartate:');
    for (const r of report.rejected) out(`  riga ${r.line}: ${r.reason}`);
  }
}

/** Relative paths are relative to where the operator typed the command (npm run cir runs in the repo root). */
function resolveInput(file: string): string {
  const base = process.env.npm_lifecycle_event === 'cir' && process.env.INIT_CWD ? process.env.INIT_CWD : process.cwd();
  return path.resolve(base, file);
}

export async function enteImport(file: string, options: { province?: string; on?: string }): Promise<void> {
  const on = options.on ?? todayInRome();
  if (!isIsoDate(on)) throw new CliError(`data non valida per --on: "${options.on}" (atteso AAAA-MM-GG)`);
  if (options.province !== undefined && !/^\d{1,6}$/.test(options.province)) {
    throw new CliError(`codice di provincia non valido per --province: "${options.province}" (es. 005)`);
  }
  const fullPath = resolveInput(file);
  let handle: fs.promises.FileHandle;
  let size: number;
  try {
    handle = await fs.promises.open(fullPath, 'r');
    const stat = await handle.stat();
    if (!stat.isFile()) {
      await handle.close();
      throw new CliError(`impossibile leggere il file ${file}: non è un file`);
    }
    size = stat.size;
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw new CliError(`impossibile leggere il file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }

  try {
    await withDatabase(async (db) => {
      const progress = importProgress();
      let report: IstatImportReport;
      try {
        report = await importIstatCsv(db.owner, handle.createReadStream({ autoClose: false }), { on, province: options.province, totalBytes: size, actor: cliActor }, (p) =>
          progress.update(p),
        );
      } catch (err) {
        if (err instanceof IstatImportError) throw new CliError(`${file}: ${err.message}`);
        if ((err as NodeJS.ErrnoException).code?.startsWith('E')) throw new CliError(`impossibile leggere il file ${file}: ${(err as Error).message}`);
        throw err;
      } finally {
        progress.stop();
      }
      printReport(file, report);
    });
  } finally {
    await handle.close().catch(() => undefined);
  }
}
