// Europe/Rome wall-clock time ↔ instants across the DST changes. Pure: no clock, no I/O.
import { addDays, isIsoDate, todayInRome } from './index.js';

const HM = /^(\d{2}):(\d{2})$/;

/** 'HH:MM' → minutes after midnight (00:00–24:00), or undefined when malformed. */
export function parseHm(value: string): number | undefined {
  const m = HM.exec(value);
  if (!m) return undefined;
  const h = Number(m[1]);
  const min = Number(m[2]);
  if (min > 59 || h > 24 || (h === 24 && min !== 0)) return undefined;
  return h * 60 + min;
}


// One formatter for every call (building one loads time-zone data).
const romeParts = new Intl.DateTimeFormat('en-US', {
  timeZone: 'Europe/Rome', hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
});

/** UTC offset of Europe/Rome at instant `ms`, in milliseconds (+3_600_000 in winter, +7_200_000 in summer). */
function offsetAt(ms: number): number {
  const p: Record<string, number> = {};
  for (const part of romeParts.formatToParts(ms)) if (part.type !== 'literal') p[part.type] = Number(part.value);
  const wall = new Date(0);
  wall.setUTCFullYear(p.year ?? 0, (p.month ?? 1) - 1, p.day ?? 1);
  wall.setUTCHours(p.hour ?? 0, p.minute ?? 0, p.second ?? 0, 0);
  return wall.getTime() - Math.floor(ms / 1000) * 1000;
}

const HOUR = 3_600_000;

/**
 * The instant at which Rome wall-clock time `minuteOfDay` (0–1440) of `date` occurs, in ms.
 * Skipped hour (last Sunday of March, 02:00–02:59 do not exist): the instant of the change, 03:00 CEST,
 * so interval ends never run backwards. Repeated hour (last Sunday of October, 02:00–02:59 happen twice):
 * the first occurrence, still in summer time (CEST, +02:00).
 */
export function romeWallMinuteToMs(date: string, minuteOfDay: number): number {
  if (minuteOfDay === 1440) return romeWallMinuteToMs(addDays(date, 1), 0);
  const key = `${date} ${minuteOfDay}`;
  let ms = wallMemo.get(key);
  if (ms === undefined) {
    if (wallMemo.size >= WALL_MEMO_LIMIT) wallMemo.clear();
    ms = wallMinuteToMs(date, minuteOfDay);
    wallMemo.set(key, ms);
  }
  return ms;
}

// Pure memo of the conversion (time-zone rules do not change while the process runs), bounded in size.
const wallMemo = new Map<string, number>();
const WALL_MEMO_LIMIT = 50_000;

function wallMinuteToMs(date: string, minuteOfDay: number): number {
  const asUtc = Date.parse(`${date}T00:00:00Z`) + minuteOfDay * 60_000;
  // The offsets a day before and a day after: Rome changes offset at most once in that span.
  const before = offsetAt(asUtc - 24 * HOUR);
  const after = offsetAt(asUtc + 24 * HOUR);
  if (before === after) return asUtc - before; // no change within a day either side: the usual case
  const candidates = [asUtc - before, asUtc - after].filter((t) => offsetAt(t) === asUtc - t);
  if (candidates.length > 0) return Math.min(...candidates);
  // In the gap: find the first minute that already has the new offset (the change itself).
  let lo = Math.min(asUtc - before, asUtc - after);
  let hi = Math.max(asUtc - before, asUtc - after);
  while (hi - lo > 60_000) {
    const mid = lo + Math.floor((hi - lo) / 120_000) * 60_000;
    if (offsetAt(mid) === after) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** The instant of Rome wall-clock `time` ('HH:MM', up to '24:00') on `date` ('YYYY-MM-DD'); see above for DST. */
export function romeWallTimeToInstant(date: string, time: string): Date {
  const minute = parseHm(time);
  if (!isIsoDate(date)) throw new RangeError(`data "${date}" non valida (attesa "AAAA-MM-GG")`);
  if (minute === undefined) throw new RangeError(`ora "${time}" non valida (attesa "HH:MM" tra 00:00 e 24:00)`);
  return new Date(romeWallMinuteToMs(date, minute));
}

/** The Rome wall clock at `instant`: date, 'HH:MM' and the UTC offset in minutes (60 or 120). */
export function romeWallTime(instant: Date): { date: string; time: string; offsetMinutes: number } {
  const ms = instant.getTime();
  const offset = offsetAt(ms);
  const wall = new Date(ms + offset);
  return { date: todayInRome(instant), time: wall.toISOString().slice(11, 16), offsetMinutes: offset / 60_000 };
}

