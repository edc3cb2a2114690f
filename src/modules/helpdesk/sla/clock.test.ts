// The SLA clock is contractual arithmetic: every expected due time below is an exact UTC instant, worked
// out by hand on the Europe/Rome calendar (CET = UTC+1, CEST = UTC+2 from 29 March to 25 October 2026).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CalendarError, closedDayName, isoWeekday, parseHm, romeWallTime, romeWallTimeToInstant as rome, type LocalClosedDay, type WorkingCalendar } from './calendar.js';
import { addWorkingMinutes, MAX_CLOSED_DAYS, SlaInputError, slaStatus, workingMinutesBetween, type Pause } from './clock.js';
import { prng } from '../../../platform/prng.js';

const weekdays = (...ranges: string[]) => ({ 1: ranges, 2: ranges, 3: ranges, 4: ranges, 5: ranges });
/** The calendar: Monday to Friday, 8:00–14:00. */
const cst: WorkingCalendar = { timeZone: 'Europe/Rome', week: weekdays('08:00-14:00') };
const split: WorkingCalendar = { timeZone: 'Europe/Rome', week: weekdays('08:00-13:00', '14:00-17:00') };
const asti: WorkingCalendar = { ...cst, closedDays: [{ month: 5, weekday: 2, nth: 1, name: 'San Secondo, patrono di Asti' }] };
const always: WorkingCalendar = { timeZone: 'Europe/Rome', week: { 1: ['00:00-24:00'], 2: ['00:00-24:00'], 3: ['00:00-24:00'], 4: ['00:00-24:00'], 5: ['00:00-24:00'], 6: ['00:00-24:00'], 7: ['00:00-24:00'] }, nationalHolidays: false };
/** Saturday morning and a Sunday night shift that spans the DST change hour. */
const odd: WorkingCalendar = { timeZone: 'Europe/Rome', week: { 3: ['09:30-11:45'], 6: ['09:00-12:00'], 7: ['01:00-04:00', '22:00-24:00'] }, closedDays: [{ date: '12-24', name: 'Vigilia' }] };

const due = (date: string, time: string, minutes: number, calendar = cst, pauses: Pause[] = []) => addWorkingMinutes(rome(date, time), minutes, calendar, pauses).toISOString();
const pause = (fromDate: string, fromTime: string, toDate: string, toTime: string): Pause => ({ from: rome(fromDate, fromTime), to: rome(toDate, toTime) });

describe('addWorkingMinutes on Monday–Friday 8:00–14:00', () => {
  it('the issue: opened Friday 13:00 with 4 working hours is due Monday 11:00', () => {
    assert.equal(due('2026-01-16', '13:00', 240), '2026-01-19T10:00:00.000Z'); // CET
    assert.equal(due('2026-06-12', '13:00', 240), '2026-06-15T09:00:00.000Z'); // CEST
  });

  it('skips Easter Monday: Friday 3 April 2026 13:00 + 4h is due Tuesday 7 April 11:00', () => {
    assert.equal(due('2026-04-03', '13:00', 240), '2026-04-07T09:00:00.000Z');
    assert.equal(due('2027-03-26', '13:00', 240), '2027-03-30T09:00:00.000Z'); // Easter Monday 29 March 2027
  });

  it('skips 25 April on a weekday', () => {
    assert.equal(isoWeekday('2028-04-25'), 2);
    assert.equal(due('2028-04-24', '13:00', 240), '2028-04-26T09:00:00.000Z'); // Tuesday closed → Wednesday 11:00
    assert.equal(due('2025-04-24', '13:00', 240), '2025-04-28T09:00:00.000Z'); // Friday closed → Monday 11:00
  });

  it('skips the local patron saint day of the calendar (San Secondo, Asti, 1st Tuesday of May)', () => {
    assert.equal(due('2026-05-04', '13:00', 240), '2026-05-05T09:00:00.000Z'); // plain calendar: Tuesday 11:00
    assert.equal(due('2026-05-04', '13:00', 240, asti), '2026-05-06T09:00:00.000Z'); // Asti: Wednesday 11:00
    // Thursday 30 April 13:00 + 10h: 1h Thursday, 1 May closed, 6h Monday, San Secondo, 3h Wednesday.
    assert.equal(due('2026-04-30', '13:00', 600, asti), '2026-05-06T09:00:00.000Z');
    const turin: WorkingCalendar = { ...cst, closedDays: [{ date: '06-24', name: 'San Giovanni' }] };
    assert.equal(due('2026-06-23', '13:00', 240, turin), '2026-06-25T09:00:00.000Z');
    const once: WorkingCalendar = { ...cst, closedDays: [{ date: '2026-06-23', name: 'Chiusura straordinaria' }] };
    assert.equal(due('2026-06-22', '13:00', 240, once), '2026-06-24T09:00:00.000Z');
    assert.equal(due('2027-06-22', '13:00', 240, once), '2027-06-23T09:00:00.000Z');
  });

  it('starts the clock at the next working interval when opened out of hours', () => {
    assert.equal(due('2026-01-17', '10:00', 240), '2026-01-19T11:00:00.000Z'); // Saturday → Monday 12:00
    assert.equal(due('2026-01-18', '23:59', 240), '2026-01-19T11:00:00.000Z'); // Sunday night
    assert.equal(due('2026-01-19', '07:00', 240), '2026-01-19T11:00:00.000Z'); // before opening
    assert.equal(due('2026-01-19', '14:30', 240), '2026-01-20T11:00:00.000Z'); // after closing
    assert.equal(due('2026-01-19', '14:00', 240), '2026-01-20T11:00:00.000Z'); // closing time itself
    assert.equal(due('2026-01-19', '08:00', 240), '2026-01-19T11:00:00.000Z'); // opening time itself
    assert.equal(due('2026-04-06', '09:00', 60), '2026-04-07T07:00:00.000Z'); // opened on a holiday
  });

  it('ends on the exact end of an interval rather than at the next opening', () => {
    assert.equal(due('2026-01-16', '13:00', 60), '2026-01-16T13:00:00.000Z'); // Friday 14:00, not Monday 8:00
    assert.equal(due('2026-01-19', '08:00', 360), '2026-01-19T13:00:00.000Z');
    assert.equal(due('2026-01-19', '08:00', 361), '2026-01-20T07:01:00.000Z');
  });

  it('with zero minutes is the start itself, even out of hours', () => {
    assert.equal(due('2026-01-17', '10:00', 0), '2026-01-17T09:00:00.000Z');
  });

  it('crosses the year end, skipping 1 January', () => {
    assert.equal(due('2025-12-31', '13:00', 240), '2026-01-02T10:00:00.000Z'); // Wednesday → Friday 2 January 11:00
    assert.equal(due('2025-12-24', '13:00', 240), '2025-12-29T10:00:00.000Z'); // 25 and 26 December, weekend
    assert.equal(due('2026-01-05', '13:00', 240), '2026-01-07T10:00:00.000Z'); // Epifania
  });

  it('crosses the leap day', () => {
    assert.equal(due('2028-02-28', '13:00', 240), '2028-02-29T10:00:00.000Z');
    assert.equal(due('2028-02-28', '08:00', 18 * 60), '2028-03-01T13:00:00.000Z'); // three full days
    assert.equal(due('2027-02-26', '13:00', 240), '2027-03-01T10:00:00.000Z'); // 2027: 28 February → 1 March
  });
});

describe('split shifts (8:00–13:00 and 14:00–17:00)', () => {
  it('skips the lunch break', () => {
    assert.equal(due('2026-01-19', '12:00', 120, split), '2026-01-19T14:00:00.000Z'); // Monday 15:00
    assert.equal(due('2026-01-19', '13:30', 60, split), '2026-01-19T14:00:00.000Z'); // opened at lunch → 15:00
    assert.equal(due('2026-01-19', '12:00', 60, split), '2026-01-19T12:00:00.000Z'); // exactly 13:00
    assert.equal(due('2026-01-16', '16:00', 480, split), '2026-01-19T15:00:00.000Z'); // Friday 16:00 + 8h → Monday 16:00
    assert.equal(workingMinutesBetween(rome('2026-01-19', '00:00'), rome('2026-01-20', '00:00'), split), 480);
  });
});

describe('pauses while waiting for the ente', () => {
  it('stop the clock and let it resume', () => {
    assert.equal(due('2026-01-19', '09:00', 240), '2026-01-19T12:00:00.000Z'); // Monday 13:00
    // Waiting 10:00–12:30: 1h before, 1.5h after, 1.5h on Tuesday → Tuesday 9:30.
    const waiting = [pause('2026-01-19', '10:00', '2026-01-19', '12:30')];
    assert.equal(due('2026-01-19', '09:00', 240, cst, waiting), '2026-01-20T08:30:00.000Z');
    assert.equal(workingMinutesBetween(rome('2026-01-19', '09:00'), rome('2026-01-20', '09:30'), cst, waiting), 240);
  });

  it('have no effect out of working time', () => {
    const weekend = [pause('2026-01-16', '14:00', '2026-01-19', '08:00')];
    assert.equal(due('2026-01-16', '13:00', 240, cst, weekend), '2026-01-19T10:00:00.000Z');
  });

  it('can span days, contain the start, overlap, come unsorted or be empty', () => {
    // Opened Monday 9:00 while already waiting (since 8:30) until Wednesday 10:00: 4h from Wednesday 10:00.
    const long = [pause('2026-01-19', '08:30', '2026-01-21', '10:00')];
    assert.equal(due('2026-01-19', '09:00', 240, cst, long), '2026-01-21T13:00:00.000Z');
    const messy = [
      pause('2026-01-19', '11:00', '2026-01-19', '12:00'),
      pause('2026-01-19', '10:00', '2026-01-19', '11:30'),
      pause('2026-01-19', '12:00', '2026-01-19', '12:30'),
      pause('2026-01-19', '13:00', '2026-01-19', '13:00'),
    ];
    assert.equal(due('2026-01-19', '09:00', 240, cst, messy), '2026-01-20T08:30:00.000Z');
  });

  it('must end after they start', () => {
    assert.throws(() => due('2026-01-19', '09:00', 240, cst, [pause('2026-01-19', '12:00', '2026-01-19', '10:00')]), (e: unknown) => e instanceof SlaInputError && /pausa 1: la fine .* precede l'inizio/.test(e.message));
    assert.throws(() => due('2026-01-19', '09:00', 240, cst, [{ from: new Date('x'), to: new Date() }]), /pausa 1, inizio: data e ora non valide/);
  });
});

describe('the DST weekends of 2026', () => {
  it('29 March: Friday 13:00 CET + 4h is still Monday 11:00, now CEST', () => {
    assert.equal(due('2026-03-27', '13:00', 240), '2026-03-30T09:00:00.000Z');
    assert.equal(workingMinutesBetween(rome('2026-03-27', '08:00'), rome('2026-03-30', '14:00'), cst), 720);
    assert.equal(romeWallTime(addWorkingMinutes(rome('2026-03-27', '13:00'), 240, split)).time, '09:00'); // 3h Friday afternoon, 1h Monday
  });

  it('25 October: Friday 13:00 CEST + 4h is still Monday 11:00, now CET', () => {
    assert.equal(due('2026-10-23', '13:00', 240), '2026-10-26T10:00:00.000Z');
    assert.equal(workingMinutesBetween(rome('2026-10-23', '08:00'), rome('2026-10-26', '14:00'), cst), 720);
  });

  it('counts the real length of the 23- and 25-hour Sundays on a 24/7 calendar', () => {
    assert.equal(workingMinutesBetween(rome('2026-03-28', '00:00'), rome('2026-03-30', '00:00'), always), 47 * 60);
    assert.equal(workingMinutesBetween(rome('2026-10-24', '00:00'), rome('2026-10-26', '00:00'), always), 49 * 60);
    assert.equal(due('2026-03-28', '00:00', 48 * 60, always), '2026-03-29T23:00:00.000Z'); // Monday 01:00 CEST
    assert.equal(due('2026-10-24', '00:00', 48 * 60, always), '2026-10-25T22:00:00.000Z'); // Sunday 23:00 CET
  });

  it('counts a night shift across the changed hour by its real length', () => {
    const night: WorkingCalendar = { timeZone: 'Europe/Rome', week: { 7: ['01:00-04:00'] } };
    assert.equal(workingMinutesBetween(rome('2026-03-29', '00:00'), rome('2026-03-29', '12:00'), night), 120);
    assert.equal(workingMinutesBetween(rome('2026-10-25', '00:00'), rome('2026-10-25', '12:00'), night), 240);
    assert.equal(due('2026-03-29', '01:00', 90, night), '2026-03-29T01:30:00.000Z'); // 03:30 CEST
    assert.equal(due('2026-10-25', '01:00', 90, night), '2026-10-25T00:30:00.000Z'); // first 02:30 (CEST)
    assert.equal(due('2026-10-25', '01:00', 150, night), '2026-10-25T01:30:00.000Z'); // second 02:30 (CET)
  });
});

describe('workingMinutesBetween', () => {
  it('counts [a, b) in minutes, fractions included, negative when reversed', () => {
    const friday = rome('2026-01-16', '13:00');
    const monday = rome('2026-01-19', '11:00');
    assert.equal(workingMinutesBetween(friday, monday, cst), 240);
    assert.equal(workingMinutesBetween(monday, friday, cst), -240);
    assert.equal(workingMinutesBetween(friday, friday, cst), 0);
    assert.equal(workingMinutesBetween(rome('2026-01-17', '09:00'), rome('2026-01-18', '12:00'), cst), 0);
    assert.equal(workingMinutesBetween(friday, new Date(friday.getTime() + 90_000), cst), 1.5);
    assert.equal(workingMinutesBetween(rome('2026-01-01', '00:00'), rome('2027-01-01', '00:00'), cst), 254 * 360); // 2026: 261 weekdays, 7 of them holidays
  });
});

describe('guards', () => {
  it('refuses bad arguments in Italian', () => {
    const start = rome('2026-01-19', '09:00');
    assert.throws(() => addWorkingMinutes(start, -1, cst), /minuti lavorativi: atteso un numero di minuti maggiore o uguale a zero, ricevuto -1/);
    assert.throws(() => addWorkingMinutes(start, Number.NaN, cst), SlaInputError);
    assert.throws(() => addWorkingMinutes(start, Number.POSITIVE_INFINITY, cst), SlaInputError);
    assert.throws(() => addWorkingMinutes(new Date('not a date'), 10, cst), /inizio: data e ora non valide/);
    assert.throws(() => workingMinutesBetween(start, new Date(Number.NaN), cst), /fine: data e ora non valide/);
    assert.throws(() => addWorkingMinutes(start, 10, { timeZone: 'Europe/Rome', week: {} }), (e: unknown) => e instanceof CalendarError && /nessun orario di lavoro/.test(e.message));
    assert.throws(() => addWorkingMinutes(start, 10, { timeZone: 'Europe/Rome', week: { 1: ['14:00-08:00'] } }), CalendarError);
  });

  it('throws instead of looping when the calendar never opens', () => {
    // Open on Mondays only, and every Monday closed by a local rule: a valid calendar with no working time.
    const closedDays: LocalClosedDay[] = [];
    for (let month = 1; month <= 12; month++) for (const nth of [1, 2, 3, 4, 5] as const) closedDays.push({ month, weekday: 1, nth, name: 'Chiuso' });
    const never: WorkingCalendar = { timeZone: 'Europe/Rome', week: { 1: ['08:00-14:00'] }, closedDays };
    assert.throws(() => addWorkingMinutes(rome('2026-01-19', '09:00'), 1, never), new RegExp(`nessun orario di lavoro per ${MAX_CLOSED_DAYS} giorni consecutivi dal 2026-01-19`));
  });

  it('jumps interval by interval: ten years of working time in a blink', () => {
    const start = rome('2026-01-19', '09:00');
    const began = performance.now();
    const end = addWorkingMinutes(start, 10 * 250 * 360, cst);
    assert.equal(workingMinutesBetween(start, end, cst), 10 * 250 * 360);
    assert.ok(end.getUTCFullYear() >= 2035 && end.getUTCFullYear() <= 2036, end.toISOString());
    assert.ok(performance.now() - began < 2_000);
  });
});

describe('slaStatus', () => {
  const openedAt = rome('2026-01-19', '08:00');
  const at = (date: string, time: string) => slaStatus({ openedAt, dueMinutes: 240, now: rome(date, time), calendar: cst });

  it('is ok, then warning at 80% of the target, then breached strictly after the due time', () => {
    const ok = at('2026-01-19', '11:11');
    assert.deepEqual(ok, { dueAt: new Date('2026-01-19T11:00:00Z'), warnAt: new Date('2026-01-19T10:12:00Z'), elapsedMinutes: 191, remainingMinutes: 49, state: 'ok' });
    assert.equal(at('2026-01-19', '11:12').state, 'warning');
    const onTime = at('2026-01-19', '12:00');
    assert.equal(onTime.state, 'warning');
    assert.equal(onTime.remainingMinutes, 0);
    const late = slaStatus({ openedAt, dueMinutes: 240, now: new Date(onTime.dueAt.getTime() + 1), calendar: cst });
    assert.equal(late.state, 'breached');
    const nextDay = at('2026-01-20', '09:00');
    assert.deepEqual([nextDay.state, nextDay.elapsedMinutes, nextDay.remainingMinutes], ['breached', 420, -180]);
  });

  it('is breached out of hours right after a due time at closing, though no working minute has run since', () => {
    const s = slaStatus({ openedAt, dueMinutes: 360, now: rome('2026-01-19', '15:00'), calendar: cst });
    assert.deepEqual([s.dueAt.toISOString(), s.elapsedMinutes, s.remainingMinutes, s.state], ['2026-01-19T13:00:00.000Z', 360, 0, 'breached']);
  });

  it('keeps still over the weekend and escalates on Monday', () => {
    const friday = rome('2026-01-16', '13:00');
    const status = (date: string, time: string) => slaStatus({ openedAt: friday, dueMinutes: 240, now: rome(date, time), calendar: cst });
    assert.deepEqual([status('2026-01-17', '12:00').state, status('2026-01-17', '12:00').elapsedMinutes], ['ok', 60]);
    assert.equal(status('2026-01-19', '10:11').state, 'ok');
    assert.equal(status('2026-01-19', '10:12').state, 'warning');
    assert.equal(status('2026-01-19', '11:01').state, 'breached');
  });

  it('moves with the pauses and with the chosen threshold', () => {
    const pauses = [pause('2026-01-19', '09:00', '2026-01-19', '10:00')];
    const paused = slaStatus({ openedAt, dueMinutes: 240, now: rome('2026-01-19', '12:30'), calendar: cst, pauses });
    assert.deepEqual([paused.dueAt.toISOString(), paused.elapsedMinutes, paused.state], ['2026-01-19T12:00:00.000Z', 210, 'warning']);
    const half = slaStatus({ openedAt, dueMinutes: 240, now: rome('2026-01-19', '10:00'), calendar: cst, warnAtFraction: 0.5 });
    assert.deepEqual([half.warnAt.toISOString(), half.state], ['2026-01-19T09:00:00.000Z', 'warning']);
    const full = slaStatus({ openedAt, dueMinutes: 240, now: rome('2026-01-19', '11:59'), calendar: cst, warnAtFraction: 1 });
    assert.equal(full.state, 'ok');
  });

  it('counts nothing before the ticket is opened', () => {
    const early = slaStatus({ openedAt, dueMinutes: 240, now: rome('2026-01-16', '12:00'), calendar: cst });
    assert.deepEqual([early.elapsedMinutes, early.remainingMinutes, early.state], [0, 240, 'ok']);
  });

  it('refuses a threshold outside (0, 1]', () => {
    for (const warnAtFraction of [0, -0.1, 1.2, Number.NaN]) {
      assert.throws(() => slaStatus({ openedAt, dueMinutes: 240, now: openedAt, calendar: cst, warnAtFraction }), /soglia di preavviso .* non valida/);
    }
    assert.throws(() => slaStatus({ openedAt, dueMinutes: -5, now: openedAt, calendar: cst }), /minuti di SLA/);
  });
});

// ---- properties -----------------------------------------------------------------------------------------


const calendars = { cst, split, asti, always, odd };
/** Days where the rules bite: DST changes, Easter, 25 April, San Secondo, year end, leap day. */
const hotSpots = ['2026-03-27', '2026-10-23', '2027-03-26', '2027-10-29', '2026-04-03', '2028-04-24', '2026-05-04', '2025-12-31', '2028-02-28', '2026-12-23'];

describe('properties (seeded)', () => {
  it('workingMinutesBetween inverts addWorkingMinutes, due times are earliest, and time adds up', () => {
    const seed = 20260329;
    const random = prng(seed);
    const pick = <T,>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
    const minute = 60_000;
    for (let i = 0; i < 600; i++) {
      const calendar = pick(Object.values(calendars));
      const around = random() < 0.6 ? Date.parse(`${pick(hotSpots)}T00:00:00Z`) : Date.parse('2025-01-01T00:00:00Z') + random() * 4 * 365 * 86_400_000;
      const startMs = Math.round(around + (random() - 0.3) * 3 * 86_400_000);
      const start = new Date(random() < 0.5 ? startMs - (startMs % minute) : startMs);
      const minutes = Math.floor(random() * 3000);
      const pauses: Pause[] = [];
      for (let k = Math.floor(random() * 4); k > 0; k--) {
        const from = start.getTime() + (random() - 0.2) * 5 * 86_400_000;
        pauses.push({ from: new Date(Math.round(from)), to: new Date(Math.round(from + random() * 2 * 86_400_000)) });
      }
      const label = `seed ${seed} case ${i}: ${start.toISOString()} + ${minutes} min on ${Object.entries(calendars).find(([, c]) => c === calendar)?.[0]}, pauses ${JSON.stringify(pauses)}`;
      const dueAt = addWorkingMinutes(start, minutes, calendar, pauses);
      assert.ok(dueAt.getTime() >= start.getTime(), label);
      assert.equal(workingMinutesBetween(start, dueAt, calendar, pauses), minutes, label);
      if (minutes > 0) assert.ok(workingMinutesBetween(start, new Date(dueAt.getTime() - 1), calendar, pauses) < minutes, `not earliest: ${label}`);
      const first = Math.floor(random() * minutes);
      const chained = addWorkingMinutes(addWorkingMinutes(start, first, calendar, pauses), minutes - first, calendar, pauses);
      assert.equal(chained.toISOString(), dueAt.toISOString(), `not additive: ${label}`);
      const middle = new Date(start.getTime() + random() * (dueAt.getTime() - start.getTime() + 86_400_000));
      const whole = workingMinutesBetween(start, middle, calendar, pauses) + workingMinutesBetween(middle, dueAt, calendar, pauses);
      assert.ok(Math.abs(whole - minutes) < 1e-9, `not additive between: ${label}`);
    }
  });

  it('agrees minute by minute with a naive count on the Rome wall clock', () => {
    // The reference looks at each real minute's Rome wall time: a different path from the interval walk.
    const working = (calendar: WorkingCalendar, t: Date, pauses: Pause[]): boolean => {
      if (pauses.some((p) => p.from <= t && t < p.to)) return false;
      const { date, time } = romeWallTime(t);
      if (closedDayName(calendar, date) !== undefined) return false;
      const m = parseHm(time)!;
      return (calendar.week[isoWeekday(date)] ?? []).some((r) => {
        const [from, to] = r.split('-').map((x) => parseHm(x)!) as [number, number];
        return from <= m && m < to;
      });
    };
    const random = prng(7);
    for (const day of ['2026-03-27', '2026-10-23', '2026-04-03', '2025-12-31', '2028-02-28']) {
      for (const calendar of [cst, split, asti, odd]) {
        const a = new Date(Date.parse(`${day}T00:00:00Z`) + Math.floor(random() * 24 * 60) * 60_000);
        const b = new Date(a.getTime() + 4 * 86_400_000);
        const from = new Date(a.getTime() + Math.floor(random() * 3 * 24 * 60) * 60_000);
        const pauses = [{ from, to: new Date(from.getTime() + Math.floor(random() * 24 * 60) * 60_000) }];
        let expected = 0;
        for (let t = a.getTime(); t < b.getTime(); t += 60_000) if (working(calendar, new Date(t), pauses)) expected++;
        assert.equal(workingMinutesBetween(a, b, calendar, pauses), expected, `${day} ${a.toISOString()} ${JSON.stringify(calendar.week)}`);
      }
    }
  });
});
