// The Rome calendar and clock helpers every module formats dates and numbers years with: the date, the year and
// the wall time an Italian office reads, whatever the server's zone, across New Year, DST changes and leap days.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatDateTime } from '../views/i18n/index.js';
import { addDays, daysInclusive, todayInRome, yearInRome } from './index.js';

describe('Rome calendar', () => {
  it('the date and the year change at midnight in Rome, not in UTC', () => {
    assert.equal(todayInRome(new Date('2026-12-31T22:59:59Z')), '2026-12-31');
    assert.equal(todayInRome(new Date('2026-12-31T23:00:00Z')), '2027-01-01');
    assert.equal(yearInRome(new Date('2026-12-31T22:59:59Z')), 2026);
    assert.equal(yearInRome(new Date('2026-12-31T23:30:00Z')), 2027);
    // Summer: midnight in Rome is 22:00 UTC.
    assert.equal(todayInRome(new Date('2026-06-30T22:00:00Z')), '2026-07-01');
  });

  it('counts calendar days across a leap day and a DST change', () => {
    assert.equal(addDays('2028-02-28', 1), '2028-02-29');
    assert.equal(addDays('2027-02-28', 1), '2027-03-01');
    assert.equal(daysInclusive('2026-10-20', '2026-11-03'), 15); // across 25 October, a 25-hour day
    assert.equal(daysInclusive('2026-03-25', '2026-04-08'), 15); // across 29 March, a 23-hour day
  });

  it('formats an instant as the Rome wall clock, in winter and in summer', () => {
    assert.equal(formatDateTime(new Date('2026-01-15T13:05:00Z')), '15/01/2026, 14:05');
    assert.equal(formatDateTime(new Date('2026-07-15T13:05:00Z')), '15/07/2026, 15:05');
    assert.equal(formatDateTime('2026-12-31T23:30:00Z'), '01/01/2027, 00:30');
    // The hour the clocks go back happens twice: 02:30 CEST then 02:30 CET.
    assert.equal(formatDateTime(new Date('2026-10-25T00:30:00Z')), '25/10/2026, 02:30');
    assert.equal(formatDateTime(new Date('2026-10-25T01:30:00Z')), '25/10/2026, 02:30');
    assert.equal(formatDateTime(null), '');
  });
});
