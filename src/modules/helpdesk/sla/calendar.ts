// The CST's working calendar: opening hours per weekday (split shifts allowed), national public holidays,
// local closed days (the town's patron saint), and the conversion of Europe/Rome wall-clock times to
// instants across the DST changes. Pure: no clock, no I/O.
import { isIsoDate } from '../../../platform/calendar/index.js';
import { nationalHolidayName } from './holidays.js';

/** ISO weekday: 1 = lunedì … 7 = domenica. */
export type IsoWeekday = 1 | 2 | 3 | 4 | 5 | 6 | 7;

/** A working interval of a day, 'HH:MM-HH:MM' in Rome wall-clock time; the end may be '24:00'. */
export type TimeRange = string;

/** A day the office is closed besides the national holidays (e.g. the patron saint of its town). */
export type LocalClosedDay =
  /** 'MM-DD' every year (San Giovanni in Torino: '06-24') or 'YYYY-MM-DD' once. */
  | { readonly date: string; readonly name: string }
  /** The nth (1–5, or -1 for the last) given weekday of a month: San Secondo in Asti, 1st Tuesday of May. */
  | { readonly month: number; readonly weekday: IsoWeekday; readonly nth: 1 | 2 | 3 | 4 | 5 | -1; readonly name: string };

export interface WorkingCalendar {
  readonly timeZone: 'Europe/Rome';
  /** Working intervals per ISO weekday, in order; a missing or empty weekday is closed. */
  readonly week: Readonly<Partial<Record<IsoWeekday, readonly TimeRange[]>>>;
  /** Extra closed days of this calendar. */
  readonly closedDays?: readonly LocalClosedDay[];
  /** Italian national public holidays are closed days unless this is false (a 24/7 contract). */
  readonly nationalHolidays?: boolean;
}

/** A calendar that cannot be used: the message is in Italian, `problems` lists each one. */
export class CalendarError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Calendario di lavoro non valido: ${problems.join('; ')}`);
    this.name = 'CalendarError';
  }
}

const WEEKDAY_NAMES = ['', 'lunedì', 'martedì', 'mercoledì', 'giovedì', 'venerdì', 'sabato', 'domenica'] as const;
const MMDD = /^(\d{2})-(\d{2})$/;

export { parseHm } from '../../../platform/calendar/wall-clock.js';
import { parseHm } from '../../../platform/calendar/wall-clock.js';

/** ISO weekday of a 'YYYY-MM-DD' date. */
export function isoWeekday(date: string): IsoWeekday {
  const d = new Date(`${date}T00:00:00Z`).getUTCDay();
  return (d === 0 ? 7 : d) as IsoWeekday;
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Everything wrong with a calendar, in Italian; empty when it is usable. */
export function validateCalendar(calendar: WorkingCalendar): string[] {
  const problems: string[] = [];
  if (calendar.timeZone !== 'Europe/Rome') problems.push(`fuso orario "${String(calendar.timeZone)}" non supportato (solo Europe/Rome)`);
  let anyWorkingTime = false;
  for (const key of Object.keys(calendar.week ?? {})) {
    if (!/^[1-7]$/.test(key)) problems.push(`giorno della settimana "${key}" non valido (1 = lunedì … 7 = domenica)`);
  }
  for (let wd = 1; wd <= 7; wd++) {
    const ranges = calendar.week?.[wd as IsoWeekday] ?? [];
    const day = WEEKDAY_NAMES[wd];
    if (!Array.isArray(ranges)) {
      problems.push(`${day}: gli orari devono essere un elenco di intervalli "HH:MM-HH:MM"`);
      continue;
    }
    let previousEnd = -1;
    for (const range of ranges) {
      const [fromText, toText, extra] = String(range).split('-');
      const from = fromText === undefined ? undefined : parseHm(fromText);
      const to = toText === undefined ? undefined : parseHm(toText);
      if (extra !== undefined || from === undefined || to === undefined || from === 1440) {
        problems.push(`${day}: intervallo "${String(range)}" non valido (atteso "HH:MM-HH:MM" tra 00:00 e 24:00)`);
        continue;
      }
      if (to <= from) {
        problems.push(`${day}: nell'intervallo "${range}" la fine non segue l'inizio`);
        continue;
      }
      if (from < previousEnd) problems.push(`${day}: l'intervallo "${range}" si sovrappone al precedente o non è in ordine`);
      previousEnd = Math.max(previousEnd, to);
      anyWorkingTime = true;
    }
  }
  if (!anyWorkingTime && problems.length === 0) problems.push('nessun orario di lavoro in alcun giorno della settimana');
  for (const closed of calendar.closedDays ?? []) {
    const label = `chiusura "${String(closed.name)}"`;
    if (typeof closed.name !== 'string' || closed.name.trim() === '') problems.push('una chiusura locale è senza nome');
    if ('date' in closed) {
      const mmdd = MMDD.exec(closed.date);
      const validMmdd = mmdd !== null && Number(mmdd[1]) >= 1 && Number(mmdd[1]) <= 12 && Number(mmdd[2]) >= 1 && Number(mmdd[2]) <= daysInMonth(2000, Number(mmdd[1]));
      if (!validMmdd && !isIsoDate(closed.date)) problems.push(`${label}: data "${closed.date}" non valida (attesa "MM-GG" o "AAAA-MM-GG")`);
    } else {
      if (!Number.isInteger(closed.month) || closed.month < 1 || closed.month > 12) problems.push(`${label}: mese ${closed.month} non valido (1–12)`);
      if (!Number.isInteger(closed.weekday) || closed.weekday < 1 || closed.weekday > 7) problems.push(`${label}: giorno della settimana ${closed.weekday} non valido (1–7)`);
      if (![1, 2, 3, 4, 5, -1].includes(closed.nth)) problems.push(`${label}: ricorrenza ${closed.nth} non valida (1–5, oppure -1 per l'ultima)`);
    }
  }
  return problems;
}

/** Throws a CalendarError unless the calendar is usable. */
// Calendars already found valid (treated as immutable once in use, like the interval cache below).
const validCalendars = new WeakSet<WorkingCalendar>();

export function assertValidCalendar(calendar: WorkingCalendar): void {
  if (validCalendars.has(calendar)) return;
  const problems = validateCalendar(calendar);
  if (problems.length > 0) throw new CalendarError(problems);
  validCalendars.add(calendar);
}

function closureApplies(closed: LocalClosedDay, date: string): boolean {
  if ('date' in closed) return closed.date.length === 5 ? date.slice(5) === closed.date : date === closed.date;
  const year = Number(date.slice(0, 4));
  const month = Number(date.slice(5, 7));
  const day = Number(date.slice(8, 10));
  if (month !== closed.month || isoWeekday(date) !== closed.weekday) return false;
  return closed.nth === -1 ? day + 7 > daysInMonth(year, month) : Math.ceil(day / 7) === closed.nth;
}

/** Why the office is closed on `date` (national holiday or local closure), or undefined if it is not. */
export function closedDayName(calendar: WorkingCalendar, date: string): string | undefined {
  const names: string[] = [];
  if (calendar.nationalHolidays !== false) {
    const national = nationalHolidayName(date);
    if (national) names.push(national);
  }
  for (const closed of calendar.closedDays ?? []) if (closureApplies(closed, date)) names.push(closed.name);
  return names.length > 0 ? names.join(' e ') : undefined;
}

// Europe/Rome wall clock ↔ instant: kernel calendar (re-exported for the help desk's callers).
export { romeWallMinuteToMs, romeWallTimeToInstant, romeWallTime } from '../../../platform/calendar/wall-clock.js';
import { romeWallMinuteToMs } from '../../../platform/calendar/wall-clock.js';

// Working intervals per calendar and day, memoised: the clock walks the same days for every ticket of the
// queue, and each day costs time-zone conversions. Calendars are treated as immutable once in use.
const intervalCache = new WeakMap<WorkingCalendar, Map<string, ReadonlyArray<readonly [number, number]>>>();
const INTERVAL_CACHE_DAYS = 20_000;

/** The working intervals of `date` as instants [start, end) in ms; empty on a closed day. Calendar must be valid. */
export function workingIntervalsMs(calendar: WorkingCalendar, date: string): ReadonlyArray<readonly [number, number]> {
  let days = intervalCache.get(calendar);
  if (!days) intervalCache.set(calendar, (days = new Map()));
  const cached = days.get(date);
  if (cached) return cached;
  const computed = computeWorkingIntervalsMs(calendar, date);
  if (days.size >= INTERVAL_CACHE_DAYS) days.clear();
  days.set(date, computed);
  return computed;
}

function computeWorkingIntervalsMs(calendar: WorkingCalendar, date: string): Array<[number, number]> {
  const ranges = calendar.week[isoWeekday(date)] ?? [];
  if (ranges.length === 0 || closedDayName(calendar, date) !== undefined) return [];
  const out: Array<[number, number]> = [];
  for (const range of ranges) {
    const [from, to] = range.split('-').map((t) => parseHm(t) ?? 0) as [number, number];
    const start = romeWallMinuteToMs(date, from);
    const end = romeWallMinuteToMs(date, to);
    if (end > start) out.push([start, end]); // empty when wholly inside the skipped hour
  }
  return out;
}
