// Progress of long CLI work: a bar on a terminal; on CI logs (stderr not a TTY) one line every 10%.
import cliProgress from 'cli-progress';
import { CliError, note } from './context.js';

export interface ProgressReporter {
  update(done: number, total: number): void;
  stop(): void;
}

export function progressReporter(label: string, options: { showCount?: boolean } = {}): ProgressReporter {
  const counter = options.showCount === false ? '' : ' ({value}/{total})';
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      { stream: process.stderr, format: `${label.padEnd(24)} |{bar}| {percentage}%${counter} {eta_formatted}`, hideCursor: true },
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    return {
      update(done, total) {
        if (total <= 0) return;
        if (!started) {
          bar.start(total, 0);
          started = true;
        }
        bar.update(done);
      },
      stop: () => started && bar.stop(),
    };
  }
  let printed = 0;
  return {
    update(done, total) {
      if (total <= 0) return;
      const step = Math.floor((done / total) * 10);
      if (step > printed) {
        printed = step;
        note(`${label}: ${step * 10}%${options.showCount === false ? '' : ` (${done}/${total})`}`);
      }
    },
    stop() {},
  };
}

/** '1000000', '1_000_000', '1.000.000' (Italian thousands separator) → 1000000, within [1, max]. */
export function parseCount(raw: string, option: string, max: number): number {
  const cleaned = raw.trim().replace(/[_.]/g, '');
  if (!/^\d+$/.test(cleaned)) throw new CliError(`numero non valido per ${option}: "${raw}" (es. 1000000)`);
  const n = Number(cleaned);
  if (n < 1 || n > max) throw new CliError(`${option} deve essere tra 1 e ${max.toLocaleString('it-IT')}`);
  return n;
}
