// The working calendar: validation in Italian, closed days (national and local), and Rome wall-clock times
// as instants across the DST changes (29 March and 25 October 2026).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  assertValidCalendar, CalendarError, closedDayName, isoWeekday, parseHm, romeWallTime, romeWallTimeToInstant, validateCalendar, workingIntervalsMs,
  type WorkingCalendar,
} from './calendar.js';

const weekdays = (...ranges: string[]) => ({ 1: ranges, 2: ranges, 3: ranges, 4: ranges, 5: ranges });
const cst: WorkingCalendar = { timeZone: 'Europe/Rome', week: weekdays('08:00-14:00') };
const asti: WorkingCalendar = {
  ...cst,
  closedDays: [
    { month: 5, weekday: 2, nth: 1, name: 'San Secondo, patrono di Asti' },
    { date: '06-24', name: 'San Giovanni' },
    { date: '2026-12-24', name: 'Chiusura straordinaria' },
    { month: 11, weekday: 5, nth: -1, name: 'Ultimo venerdì di novembre' },
  ],
};
const iso = (d: Date) => d.toISOString();

describe('validateCalendar', () => {
  it('accepts a plain calendar, split shifts, touching intervals and a whole day', () => {
    assert.deepEqual(validateCalendar(cst), []);
    assert.deepEqual(validateCalendar(asti), []);
    assert.deepEqual(validateCalendar({ timeZone: 'Europe/Rome', week: weekdays('08:00-13:00', '14:00-17:00') }), []);
    assert.deepEqual(validateCalendar({ timeZone: 'Europe/Rome', week: { 1: ['08:00-13:00', '13:00-17:00'] } }), []);
    assert.deepEqual(validateCalendar({ timeZone: 'Europe/Rome', week: { 7: ['00:00-24:00'] } }), []);
    assert.deepEqual(validateCalendar({ ...cst, closedDays: [{ date: '02-29', name: 'Solo negli anni bisestili' }] }), []);
  });

  it('explains each problem in Italian', () => {
    const problems = (week: WorkingCalendar['week']) => validateCalendar({ timeZone: 'Europe/Rome', week });
    assert.match(problems({ 1: ['8:00-14:00'] }).join(), /lunedì: intervallo "8:00-14:00" non valido/);
    assert.match(problems({ 1: ['08:60-14:00'] }).join(), /non valido/);
    assert.match(problems({ 1: ['24:00-24:00'] }).join(), /non valido/);
    assert.match(problems({ 1: ['08:00-14:00-16:00'] }).join(), /non valido/);
    assert.match(problems({ 2: ['14:00-08:00'] }).join(), /martedì: nell'intervallo "14:00-08:00" la fine non segue l'inizio/);
    assert.match(problems({ 3: ['08:00-08:00'] }).join(), /la fine non segue l'inizio/);
    assert.match(problems({ 4: ['08:00-13:00', '12:00-17:00'] }).join(), /giovedì: l'intervallo "12:00-17:00" si sovrappone al precedente/);
    assert.match(problems({ 5: ['14:00-17:00', '08:00-13:00'] }).join(), /non è in ordine/);
    assert.deepEqual(problems({}), ['nessun orario di lavoro in alcun giorno della settimana']);
    assert.deepEqual(problems({ 6: [], 7: [] }), ['nessun orario di lavoro in alcun giorno della settimana']);
    assert.match(validateCalendar({ timeZone: 'Europe/Rome', week: { 1: ['08:00-14:00'], 8: ['08:00-14:00'] } as WorkingCalendar['week'] }).join(), /giorno della settimana "8" non valido/);
    assert.match(validateCalendar({ ...cst, timeZone: 'Europe/Paris' as 'Europe/Rome' }).join(), /fuso orario "Europe\/Paris" non supportato/);
  });

  it('checks the local closed days', () => {
    const problems = (closedDays: WorkingCalendar['closedDays']) => validateCalendar({ ...cst, closedDays }).join(' | ');
    assert.match(problems([{ date: '02-30', name: 'X' }]), /chiusura "X": data "02-30" non valida/);
    assert.match(problems([{ date: '2026-02-29', name: 'X' }]), /data "2026-02-29" non valida/);
    assert.match(problems([{ date: '13-01', name: 'X' }]), /non valida/);
    assert.match(problems([{ date: '5 maggio', name: 'X' }]), /non valida/);
    assert.match(problems([{ month: 13, weekday: 2, nth: 1, name: 'X' }]), /mese 13 non valido/);
    assert.match(problems([{ month: 5, weekday: 0 as 1, nth: 1, name: 'X' }]), /giorno della settimana 0 non valido/);
    assert.match(problems([{ month: 5, weekday: 2, nth: 6 as 1, name: 'X' }]), /ricorrenza 6 non valida/);
    assert.match(problems([{ date: '06-24', name: ' ' }]), /senza nome/);
  });

  it('throws a CalendarError listing every problem', () => {
    assert.doesNotThrow(() => assertValidCalendar(cst));
    assert.throws(
      () => assertValidCalendar({ timeZone: 'Europe/Rome', week: { 1: ['14:00-08:00'], 2: ['08:00-13:00', '10:00-12:00'] } }),
      (error: unknown) => error instanceof CalendarError && error.problems.length === 2 && error.message.startsWith('Calendario di lavoro non valido: lunedì'),
    );
  });
});

describe('closed days', () => {
  it('closes on national holidays unless the calendar opts out', () => {
    assert.equal(closedDayName(cst, '2026-04-06'), "Lunedì dell'Angelo");
    assert.equal(closedDayName(cst, '2026-04-07'), undefined);
    assert.equal(closedDayName({ ...cst, nationalHolidays: false }, '2026-04-06'), undefined);
  });

  it('applies local closures: nth and last weekday of a month, every year or once', () => {
    assert.equal(closedDayName(asti, '2026-05-05'), 'San Secondo, patrono di Asti'); // 1 May 2026 is a Friday
    assert.equal(closedDayName(asti, '2027-05-04'), 'San Secondo, patrono di Asti');
    assert.equal(closedDayName(asti, '2026-05-12'), undefined);
    assert.equal(closedDayName(asti, '2026-06-24'), 'San Giovanni');
    assert.equal(closedDayName(asti, '2031-06-24'), 'San Giovanni');
    assert.equal(closedDayName(asti, '2026-12-24'), 'Chiusura straordinaria');
    assert.equal(closedDayName(asti, '2027-12-24'), undefined);
    assert.equal(closedDayName(asti, '2026-11-27'), 'Ultimo venerdì di novembre');
    assert.equal(closedDayName(asti, '2026-11-20'), undefined);
    assert.equal(closedDayName({ ...cst, closedDays: [{ month: 5, weekday: 5, nth: 1, name: 'Fiera' }] }, '2026-05-01'), 'Festa del Lavoro e Fiera');
  });

  it('gives no intervals on a closed day or a closed weekday', () => {
    assert.deepEqual(workingIntervalsMs(asti, '2026-05-05'), []);
    assert.deepEqual(workingIntervalsMs(asti, '2026-05-09'), []); // Saturday
    assert.deepEqual(workingIntervalsMs(asti, '2026-05-06'), [[Date.parse('2026-05-06T06:00:00Z'), Date.parse('2026-05-06T12:00:00Z')]]);
  });

  it('knows ISO weekdays and HH:MM', () => {
    assert.equal(isoWeekday('2026-03-29'), 7);
    assert.equal(isoWeekday('2026-03-30'), 1);
    assert.equal(isoWeekday('2028-02-29'), 2);
    assert.equal(parseHm('00:00'), 0);
    assert.equal(parseHm('24:00'), 1440);
    assert.equal(parseHm('24:01'), undefined);
    assert.equal(parseHm('7:30'), undefined);
  });
});

describe('romeWallTimeToInstant', () => {
  it('uses +01:00 in winter and +02:00 in summer', () => {
    assert.equal(iso(romeWallTimeToInstant('2026-01-16', '13:00')), '2026-01-16T12:00:00.000Z');
    assert.equal(iso(romeWallTimeToInstant('2026-07-01', '13:00')), '2026-07-01T11:00:00.000Z');
    assert.equal(iso(romeWallTimeToInstant('2026-12-31', '24:00')), '2026-12-31T23:00:00.000Z');
    assert.equal(iso(romeWallTimeToInstant('2028-02-29', '00:00')), '2028-02-28T23:00:00.000Z');
  });

  it('maps the skipped hour of 29 March 2026 to the change itself, 03:00 CEST', () => {
    assert.equal(iso(romeWallTimeToInstant('2026-03-29', '01:59')), '2026-03-29T00:59:00.000Z');
    assert.equal(iso(romeWallTimeToInstant('2026-03-29', '02:00')), '2026-03-29T01:00:00.000Z');
    assert.equal(iso(romeWallTimeToInstant('2026-03-29', '02:30')), '2026-03-29T01:00:00.000Z');
    assert.equal(iso(romeWallTimeToInstant('2026-03-29', '02:59')), '2026-03-29T01:00:00.000Z');
    assert.equal(iso(romeWallTimeToInstant('2026-03-29', '03:00')), '2026-03-29T01:00:00.000Z');
    assert.equal(iso(romeWallTimeToInstant('2026-03-29', '03:01')), '2026-03-29T01:01:00.000Z');
  });

  it('maps the repeated hour of 25 October 2026 to its first occurrence, still CEST', () => {
    assert.equal(iso(romeWallTimeToInstant('2026-10-25', '01:59')), '2026-10-24T23:59:00.000Z');
    assert.equal(iso(romeWallTimeToInstant('2026-10-25', '02:00')), '2026-10-25T00:00:00.000Z');
    assert.equal(iso(romeWallTimeToInstant('2026-10-25', '02:30')), '2026-10-25T00:30:00.000Z');
    assert.equal(iso(romeWallTimeToInstant('2026-10-25', '03:00')), '2026-10-25T02:00:00.000Z');
    assert.equal(iso(romeWallTimeToInstant('2026-10-25', '24:00')), '2026-10-25T23:00:00.000Z');
  });

  it('is the inverse of romeWallTime outside the changes', () => {
    for (const [date, time] of [['2026-01-16', '13:00'], ['2026-03-29', '03:00'], ['2026-10-25', '03:00'], ['2026-10-25', '01:59'], ['2028-02-29', '23:59']] as const) {
      assert.deepEqual({ date: romeWallTime(romeWallTimeToInstant(date, time)).date, time: romeWallTime(romeWallTimeToInstant(date, time)).time }, { date, time });
    }
    assert.deepEqual(romeWallTime(new Date('2026-10-25T00:30:00Z')), { date: '2026-10-25', time: '02:30', offsetMinutes: 120 });
    assert.deepEqual(romeWallTime(new Date('2026-10-25T01:30:00Z')), { date: '2026-10-25', time: '02:30', offsetMinutes: 60 });
  });

  it('refuses malformed input in Italian', () => {
    assert.throws(() => romeWallTimeToInstant('2026-02-30', '10:00'), /data "2026-02-30" non valida/);
    assert.throws(() => romeWallTimeToInstant('2026-02-03', '25:00'), /ora "25:00" non valida/);
  });

  it('gives working intervals their real length on the DST days', () => {
    const night: WorkingCalendar = { timeZone: 'Europe/Rome', week: { 7: ['01:00-04:00'] } };
    const length = (date: string) => workingIntervalsMs(night, date).reduce((sum, [s, e]) => sum + (e - s) / 60_000, 0);
    assert.equal(length('2026-03-22'), 180);
    assert.equal(length('2026-03-29'), 120);
    assert.equal(length('2026-10-25'), 240);
    const inTheGap: WorkingCalendar = { timeZone: 'Europe/Rome', week: { 7: ['02:00-02:30', '02:30-03:15'] } };
    assert.deepEqual(workingIntervalsMs(inTheGap, '2026-03-29'), [[Date.parse('2026-03-29T01:00:00Z'), Date.parse('2026-03-29T01:15:00Z')]]);
  });
});
