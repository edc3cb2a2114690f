// Wall-clock times of a visit in Europe/Rome and durations as the desk reads them (h:mm). Pure: no clock,
// no I/O. A slot is a date and two times of that day; the instants come from the SLA calendar's conversion,
// so a visit on a DST day lasts what the clocks on the wall say it lasts.
import { isIsoDate } from '../../../platform/calendar/index.js';
import { unprocessable } from '../../../platform/http/problem.js';
import { parseHm, romeWallTime, romeWallTimeToInstant } from '../sla/calendar.js';

/** The longest report the desk may record for one visit. */
export const MAX_REPORT_MINUTES = 12 * 60;

export interface Slot {
  startsAt: Date;
  endsAt: Date;
}

export const minutesBetween = (from: Date, to: Date) => Math.round((to.getTime() - from.getTime()) / 60_000);

const italian = (date: string) => `${date.slice(8, 10)}/${date.slice(5, 7)}/${date.slice(0, 4)}`;

/** The instant of 'HH:MM' on `date` in Rome; 422 for a malformed value or a time the clocks skip (DST). */
export function romeInstant(date: string, time: string): Date {
  if (!isIsoDate(date)) throw unprocessable(`Data non valida: "${date}" (attesa AAAA-MM-GG)`);
  const minute = parseHm(time);
  if (minute === undefined || minute >= 24 * 60) throw unprocessable(`Ora non valida: "${time}" (attesa HH:MM tra 00:00 e 23:59)`);
  const instant = romeWallTimeToInstant(date, time);
  if (romeWallTime(instant).time !== time) {
    throw unprocessable(`Le ${time} del ${italian(date)} non esistono: quella notte gli orologi passano all'ora legale (dalle 02:00 alle 03:00)`);
  }
  return instant;
}

/** A visit's slot from its date and the start and end times of that day; the end must follow the start. */
export function slotOf(date: string, start: string, end: string): Slot {
  const startsAt = romeInstant(date, start);
  const endsAt = romeInstant(date, end);
  if (endsAt <= startsAt) throw unprocessable(`L'ora di fine (${end}) deve essere successiva all'ora di inizio (${start}) dello stesso giorno`);
  return { startsAt, endsAt };
}

/** The Rome calendar date, time and year of an instant. */
export function romeParts(at: Date): { date: string; time: string; year: number } {
  const { date, time } = romeWallTime(at);
  return { date, time, year: Number(date.slice(0, 4)) };
}

/** The Rome day [00:00, next 00:00) of `date` as instants (23 or 25 hours on DST days). */
export function romeDay(date: string): Slot {
  if (!isIsoDate(date)) throw unprocessable(`Data non valida: "${date}" (attesa AAAA-MM-GG)`);
  return { startsAt: romeWallTimeToInstant(date, '00:00'), endsAt: romeWallTimeToInstant(date, '24:00') };
}

/** The Rome year [1 Jan 00:00, next 1 Jan 00:00) as instants. */
export function romeYear(year: number): Slot {
  return { startsAt: romeWallTimeToInstant(`${year}-01-01`, '00:00'), endsAt: romeWallTimeToInstant(`${year + 1}-01-01`, '00:00') };
}

/** Minutes as the desk reads hours: 90 → '1:30', -45 → '-0:45'. */
export function hoursText(minutes: number): string {
  const sign = minutes < 0 ? '-' : '';
  const abs = Math.abs(Math.round(minutes));
  return `${sign}${Math.floor(abs / 60)}:${String(abs % 60).padStart(2, '0')}`;
}

/** Hours typed by the desk: '40', '40:30', '40,5', '40.5' → minutes; undefined when not a duration. */
export function parseHours(value: string): number | undefined {
  const text = value.trim();
  let m = /^(\d{1,5}):([0-5]\d)$/.exec(text);
  if (m) return Number(m[1]) * 60 + Number(m[2]);
  m = /^(\d{1,5})(?:[.,](\d{1,2}))?$/.exec(text);
  if (!m) return undefined;
  return Math.round((Number(m[1]) + Number(`0.${m[2] ?? '0'}`)) * 60);
}

/** Minutes actually spent: either the actual start and end on the visit's date, or minutes given directly. */
export function reportMinutes(input: { date: string; start?: string | undefined; end?: string | undefined; minutes?: number | undefined }): { minutes: number; actual: Slot | null } {
  let minutes: number;
  let actual: Slot | null = null;
  if (input.start || input.end) {
    if (!input.start || !input.end) throw unprocessable("Indica sia l'ora di inizio sia l'ora di fine effettive, oppure solo i minuti impiegati");
    actual = slotOf(input.date, input.start, input.end);
    minutes = minutesBetween(actual.startsAt, actual.endsAt);
  } else if (input.minutes !== undefined) {
    minutes = input.minutes;
  } else {
    throw unprocessable("Indica il tempo impiegato: l'ora di inizio e di fine effettive o i minuti");
  }
  if (!Number.isInteger(minutes) || minutes <= 0) throw unprocessable('Il tempo impiegato deve essere un numero positivo di minuti');
  if (minutes > MAX_REPORT_MINUTES) throw unprocessable(`Il tempo impiegato non può superare le 12 ore (${minutes} minuti indicati)`);
  return { minutes, actual };
}
