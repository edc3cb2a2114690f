// The legal calendar: dates are 'YYYY-MM-DD' strings of the Europe/Rome calendar. Arithmetic is on the
// calendar (no clock), so a DST change can neither add nor remove a day.

// Building a DateTimeFormat is costly (time-zone data); one instance serves every call.
const romeDate = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Rome', year: 'numeric', month: '2-digit', day: '2-digit' });

/** The date in Europe/Rome at instant `now`. */
export function todayInRome(now: Date = new Date()): string {
  return romeDate.format(now);
}

/** The calendar year in Europe/Rome at instant `now` (23:30 UTC on 31 December is already next year in Rome). */
export function yearInRome(now: Date = new Date()): number {
  return Number(todayInRome(now).slice(0, 4));
}

/** 'YYYY-MM-DD' + n days. */
export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** A real calendar date in the ISO form (rejects 2023-02-29, 2024-13-01, 2024-1-1). */
export function isIsoDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
}

/** Days from `from` to `to` inclusive (0 when to < from). */
export function daysInclusive(from: string, to: string): number {
  if (to < from) return 0;
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000) + 1;
}

/** Italian display form: '2026-03-01' → '01/03/2026'. */
export function italianDate(date: string): string {
  const [y, m, d] = date.slice(0, 10).split('-');
  return `${d}/${m}/${y}`;
}
