// The legal rules of the albo pretorio as pure functions on calendar dates of Europe/Rome.
//
// - A publication lasts the act type's number of consecutive days, the first day included: published on
//   1 March for 15 days, it is online through 15 March (until 23:59:59 Rome time) and gone on 16 March.
// - The system sets the start (today); an operator may choose a later start, never an earlier one, and a
//   longer period, never a shorter one. No period is open-ended.
// - The register number belongs to the year of the day of publication (Rome time), so 1 January restarts at 1.
// - A day on which the albo was unreachable (any part of it) during the publication is a lost day: the end
//   moves forward by the lost days.
import { addDays, isIsoDate, todayInRome } from '../../platform/calendar/index.js';

export const MAX_DAYS = 366;

export class NoticeRuleError extends Error {}

export interface ActTypeRule {
  code: string;
  name: string;
  days: number;
  legalSource: string;
}

export interface Period {
  from: string;
  /** Last day online, inclusive (before any extension). */
  to: string;
  days: number;
}

export function computePeriod(rule: ActTypeRule, today: string, request: { start?: string | null; days?: number | null } = {}): Period {
  const from = request.start ?? today;
  if (!isIsoDate(from)) throw new NoticeRuleError('Data di inizio pubblicazione non valida');
  if (from < today) throw new NoticeRuleError('La pubblicazione non può iniziare prima di oggi: si può scegliere solo una data successiva');
  const days = request.days ?? rule.days;
  if (!Number.isInteger(days)) throw new NoticeRuleError('La durata deve essere un numero intero di giorni');
  if (days < rule.days) {
    throw new NoticeRuleError(`Per «${rule.name}» la pubblicazione dura almeno ${rule.days} giorni consecutivi (${rule.legalSource}): non si può abbreviare`);
  }
  if (days > MAX_DAYS) throw new NoticeRuleError(`La durata massima di una pubblicazione è ${MAX_DAYS} giorni`);
  return { from, to: addDays(from, days - 1), days };
}

export type PublicState = 'draft' | 'scheduled' | 'online' | 'expired';

/** Where an act stands on `today`: decided on every read, so expiry never waits for a background job. */
export function publicState(notice: { status: 'draft' | 'published'; publishFrom: string | null; effectiveTo: string | null }, today: string): PublicState {
  if (notice.status === 'draft' || !notice.publishFrom || !notice.effectiveTo) return 'draft';
  if (today < notice.publishFrom) return 'scheduled';
  if (today > notice.effectiveTo) return 'expired';
  return 'online';
}

export function registerYear(now: Date): number {
  return Number(todayInRome(now).slice(0, 4));
}

/**
 * Days of the publication period [from, to] (inclusive, Rome calendar) touched by an interruption
 * [startsAt, endsAt). An interruption of a few minutes across midnight costs two days.
 */
export function lostDays(interruption: { startsAt: Date; endsAt: Date }, period: { from: string; to: string }): number {
  if (interruption.endsAt <= interruption.startsAt) return 0;
  const first = todayInRome(interruption.startsAt);
  const last = todayInRome(new Date(interruption.endsAt.getTime() - 1));
  const start = first > period.from ? first : period.from;
  const end = last < period.to ? last : period.to;
  if (start > end) return 0;
  let days = 0;
  for (let d = start; d <= end; d = addDays(d, 1)) days += 1;
  return days;
}

/** The printed register reference: 'n. 12/2026'. */
export const registerLabel = (number: number, year: number) => `${number}/${year}`;
