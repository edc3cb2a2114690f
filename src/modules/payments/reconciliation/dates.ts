// Italian wall-clock times of the pagoPA documents (a dataOraFlusso without a zone is Italian time) and the
// Italian dates of a bank statement.
import { isIsoDate } from '../../../platform/calendar/index.js';

const romeParts = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Rome', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });

function romeWall(instant: Date): string {
  const p = Object.fromEntries(romeParts.formatToParts(instant).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}:${p.second}`;
}

/**
 * The instant of 'YYYY-MM-DDTHH:MM:SS[.fff]' read in Rome: the offset (+2 in summer, +1 in winter) that gives the
 * same wall time back. In the repeated hour of October the first (summer) one; in the skipped hour of March the
 * wall time is read as winter time (an hour on: the node does not send such times).
 */
export function romeWallTimeToInstant(wall: string): Date {
  const base = Date.parse(`${wall.slice(0, 19)}Z`);
  const millis = Number((wall.slice(19) || '.0').slice(1).padEnd(3, '0').slice(0, 3));
  for (const offsetHours of [2, 1]) {
    const candidate = new Date(base - offsetHours * 3_600_000);
    if (romeWall(candidate) === wall.slice(0, 19)) return new Date(candidate.getTime() + millis);
  }
  return new Date(base - 3_600_000 + millis);
}

/** '31/12/2026', '31-12-2026', '31.12.2026' or '2026-12-31' → '2026-12-31'; undefined for anything else. */
export function statementDate(value: string): string | undefined {
  const v = value.trim();
  const it = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(v);
  const iso = it ? `${it[3]}-${it[2]!.padStart(2, '0')}-${it[1]!.padStart(2, '0')}` : v;
  return isIsoDate(iso) ? iso : undefined;
}
