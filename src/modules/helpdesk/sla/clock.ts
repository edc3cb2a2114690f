// The SLA clock of the help desk: working time counted on a WorkingCalendar, stopped during pauses (the
// ticket waits for the ente), and the escalation state of a ticket against its due time.
//
// Definitions (contractual, so stated once):
// - The clock runs on the instants that fall in a working interval of the calendar and in no pause.
//   Minutes are real elapsed minutes: across a DST change an interval lasts what it really lasts.
// - addWorkingMinutes(start, m) is the earliest instant t ≥ start at which m working minutes have run since
//   start; so a ticket opened out of hours starts its clock at the next working interval, and a due time
//   that uses up an interval exactly is that interval's end (Friday 14:00, not Monday 08:00).
// - workingMinutesBetween(a, b) is the working time in [a, b), in minutes (fractional below the minute;
//   negative when b < a). It is the inverse: workingMinutesBetween(s, addWorkingMinutes(s, m)) === m.
// Arithmetic is in milliseconds; minutes are converted with millisecond precision.
import { addDays, todayInRome } from '../../../platform/calendar/index.js';
import { assertValidCalendar, CalendarError, workingIntervalsMs, type WorkingCalendar } from './calendar.js';

/** The clock is stopped from `from` (included) to `to` (excluded), e.g. while waiting for the ente. */
export interface Pause {
  readonly from: Date;
  readonly to: Date;
}

/** Wrong arguments to the clock (not a calendar problem); the message is in Italian. */
export class SlaInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SlaInputError';
  }
}

const MINUTE = 60_000;
/** Consecutive days without any working interval after which a calendar is declared unusable. */
export const MAX_CLOSED_DAYS = 3 * 366;
/** How far (in days) the clock may walk from its start: about a century. */
export const MAX_HORIZON_DAYS = 36_600;

function instantMs(value: Date, what: string): number {
  const ms = value instanceof Date ? value.getTime() : Number.NaN;
  if (Number.isNaN(ms)) throw new SlaInputError(`${what}: data e ora non valide`);
  return ms;
}

/** Pauses as sorted, merged, non-empty [from, to) spans in ms. */
function normalizePauses(pauses: readonly Pause[]): Array<[number, number]> {
  const spans: Array<[number, number]> = [];
  for (const [i, p] of pauses.entries()) {
    const from = instantMs(p.from, `pausa ${i + 1}, inizio`);
    const to = instantMs(p.to, `pausa ${i + 1}, fine`);
    if (to < from) throw new SlaInputError(`pausa ${i + 1}: la fine (${p.to.toISOString()}) precede l'inizio (${p.from.toISOString()})`);
    if (to > from) spans.push([from, to]);
  }
  spans.sort((x, y) => x[0] - y[0]);
  const merged: Array<[number, number]> = [];
  for (const span of spans) {
    const last = merged[merged.length - 1];
    if (last && span[0] <= last[1]) last[1] = Math.max(last[1], span[1]);
    else merged.push([span[0], span[1]]);
  }
  return merged;
}

/**
 * The spans [start, end) in ms during which the clock runs, from `fromMs` on, in order: day by day,
 * interval by interval, minus the pauses. Stops (throws) when the calendar has no working time for
 * MAX_CLOSED_DAYS days in a row, or past MAX_HORIZON_DAYS.
 */
function* runningSpans(fromMs: number, calendar: WorkingCalendar, pauses: Array<[number, number]>): Generator<[number, number]> {
  const firstDate = todayInRome(new Date(fromMs));
  let date = firstDate;
  let p = 0;
  let closedInARow = 0;
  for (let day = 0; day < MAX_HORIZON_DAYS; day++, date = addDays(date, 1)) {
    const intervals = workingIntervalsMs(calendar, date);
    if (intervals.length === 0) {
      if (++closedInARow >= MAX_CLOSED_DAYS) {
        throw new CalendarError([`nessun orario di lavoro per ${MAX_CLOSED_DAYS} giorni consecutivi dal ${firstDate}: la scadenza non è calcolabile`]);
      }
      continue;
    }
    closedInARow = 0;
    for (const [start, end] of intervals) {
      let cursor = Math.max(start, fromMs);
      while (cursor < end) {
        while (p < pauses.length && pauses[p]![1] <= cursor) p++;
        const pause = pauses[p];
        if (!pause || pause[0] >= end) {
          yield [cursor, end];
          break;
        }
        if (pause[0] > cursor) yield [cursor, pause[0]];
        cursor = Math.max(cursor, pause[1]);
      }
    }
  }
  throw new CalendarError([`scadenza oltre ${MAX_HORIZON_DAYS} giorni dal ${firstDate}: fuori dall'orizzonte di calcolo`]);
}

function minutesToMs(minutes: number, what: string): number {
  if (typeof minutes !== 'number' || !Number.isFinite(minutes) || minutes < 0) {
    throw new SlaInputError(`${what}: atteso un numero di minuti maggiore o uguale a zero, ricevuto ${String(minutes)}`);
  }
  return Math.round(minutes * MINUTE);
}

/** The due instant: `minutes` of working time after `start`, on `calendar`, with the clock stopped in `pauses`. */
export function addWorkingMinutes(start: Date, minutes: number, calendar: WorkingCalendar, pauses: readonly Pause[] = []): Date {
  assertValidCalendar(calendar);
  const startMs = instantMs(start, 'inizio');
  let remaining = minutesToMs(minutes, 'minuti lavorativi');
  const spans = normalizePauses(pauses);
  if (remaining === 0) return new Date(startMs);
  for (const [from, to] of runningSpans(startMs, calendar, spans)) {
    if (remaining <= to - from) return new Date(from + remaining);
    remaining -= to - from;
  }
  throw new Error('unreachable: runningSpans ends by throwing');
}

/** Working minutes in [a, b) on `calendar`, excluding `pauses` (negative when b precedes a). */
export function workingMinutesBetween(a: Date, b: Date, calendar: WorkingCalendar, pauses: readonly Pause[] = []): number {
  assertValidCalendar(calendar);
  const aMs = instantMs(a, 'inizio');
  const bMs = instantMs(b, 'fine');
  const spans = normalizePauses(pauses);
  if (bMs < aMs) return -workingMinutesBetween(b, a, calendar, pauses);
  let total = 0;
  for (const [from, to] of runningSpans(aMs, calendar, spans)) {
    if (from >= bMs) break;
    total += Math.min(to, bMs) - from;
    if (to >= bMs) break;
  }
  return total / MINUTE;
}

export type SlaState = 'ok' | 'warning' | 'breached';

export interface SlaStatusInput {
  readonly openedAt: Date;
  /** The SLA target in working minutes (time to first response, or to resolution). */
  readonly dueMinutes: number;
  readonly now: Date;
  readonly calendar: WorkingCalendar;
  /** Closed pauses; for a pause still running pass `to: now` (dueAt is then "if the clock restarts now"). */
  readonly pauses?: readonly Pause[];
  /** Share of the target after which the ticket escalates (0 < f ≤ 1); 0.8 by default. */
  readonly warnAtFraction?: number;
}

export interface SlaStatus {
  /** When the target falls due. */
  readonly dueAt: Date;
  /** When the warning starts (warnAtFraction of the target): the moment to schedule the escalation. */
  readonly warnAt: Date;
  /** Working minutes run from openedAt to now (0 if now precedes openedAt); keeps counting after the due time. */
  readonly elapsedMinutes: number;
  /** dueMinutes − elapsedMinutes: negative once overdue (by that many working minutes). */
  readonly remainingMinutes: number;
  /** 'breached' strictly after dueAt; 'warning' from warnAt up to dueAt included; 'ok' before. */
  readonly state: SlaState;
}

/** Where a ticket stands against one SLA target at `now`, for the escalation. */
export function slaStatus(input: SlaStatusInput): SlaStatus {
  const { openedAt, dueMinutes, now, calendar, pauses = [], warnAtFraction = 0.8 } = input;
  if (typeof warnAtFraction !== 'number' || !(warnAtFraction > 0 && warnAtFraction <= 1)) {
    throw new SlaInputError(`soglia di preavviso ${String(warnAtFraction)} non valida: attesa una frazione maggiore di 0 e al massimo 1`);
  }
  minutesToMs(dueMinutes, 'minuti di SLA');
  const dueAt = addWorkingMinutes(openedAt, dueMinutes, calendar, pauses);
  const warnAt = addWorkingMinutes(openedAt, dueMinutes * warnAtFraction, calendar, pauses);
  const elapsedMinutes = Math.max(0, workingMinutesBetween(openedAt, now, calendar, pauses));
  const nowMs = instantMs(now, 'adesso');
  const state: SlaState = nowMs > dueAt.getTime() ? 'breached' : nowMs >= warnAt.getTime() ? 'warning' : 'ok';
  return { dueAt, warnAt, elapsedMinutes, remainingMinutes: dueMinutes - elapsedMinutes, state };
}
