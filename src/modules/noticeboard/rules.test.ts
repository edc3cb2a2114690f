// Period and lost-day arithmetic on the Rome calendar.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NoticeRuleError, computePeriod, lostDays, publicState, registerYear } from './rules.js';

const avviso = { code: 'avviso', name: 'Avviso', days: 15, legalSource: 'L. 69/2009 art. 32' };
const matrimonio = { code: 'pubblicazione_matrimonio', name: 'Pubblicazione di matrimonio', days: 8, legalSource: 'D.P.R. 396/2000 art. 55' };

describe('publication period', () => {
  it('starts today by default and counts the first day', () => {
    assert.deepEqual(computePeriod(avviso, '2026-12-20'), { from: '2026-12-20', to: '2027-01-03', days: 15 });
    assert.deepEqual(computePeriod(matrimonio, '2028-02-22'), { from: '2028-02-22', to: '2028-02-29', days: 8 });
  });
  it('allows a later start and a longer period, never an earlier start or a shorter period', () => {
    assert.deepEqual(computePeriod(avviso, '2026-01-10', { start: '2026-01-20', days: 30 }), { from: '2026-01-20', to: '2026-02-18', days: 30 });
    assert.throws(() => computePeriod(avviso, '2026-01-10', { start: '2026-01-09' }), NoticeRuleError);
    assert.throws(() => computePeriod(avviso, '2026-01-10', { days: 14 }), /almeno 15 giorni/);
    assert.throws(() => computePeriod(avviso, '2026-01-10', { days: 400 }), /massima/);
    assert.throws(() => computePeriod(avviso, '2026-01-10', { start: '2026-02-30' }), /non valida/);
  });
  it('states are decided from the dates alone', () => {
    const act = { status: 'published' as const, publishFrom: '2026-03-01', effectiveTo: '2026-03-15' };
    assert.equal(publicState(act, '2026-02-28'), 'scheduled');
    assert.equal(publicState(act, '2026-03-01'), 'online');
    assert.equal(publicState(act, '2026-03-15'), 'online');
    assert.equal(publicState(act, '2026-03-16'), 'expired');
    assert.equal(publicState({ status: 'draft', publishFrom: null, effectiveTo: null }, '2026-03-01'), 'draft');
  });
  it('the register year is the Rome year', () => {
    assert.equal(registerYear(new Date('2026-12-31T22:59:59Z')), 2026);
    assert.equal(registerYear(new Date('2026-12-31T23:00:00Z')), 2027);
  });
});

describe('lost days of an interruption', () => {
  const period = { from: '2026-03-01', to: '2026-03-15' };
  it('counts every Rome day the outage touched within the period', () => {
    assert.equal(lostDays({ startsAt: new Date('2026-03-05T09:00:00Z'), endsAt: new Date('2026-03-05T10:00:00Z') }, period), 1);
    assert.equal(lostDays({ startsAt: new Date('2026-03-05T22:30:00Z'), endsAt: new Date('2026-03-05T23:30:00Z') }, period), 2);
    assert.equal(lostDays({ startsAt: new Date('2026-02-20T00:00:00Z'), endsAt: new Date('2026-03-02T12:00:00Z') }, period), 2);
    assert.equal(lostDays({ startsAt: new Date('2026-03-20T00:00:00Z'), endsAt: new Date('2026-03-21T00:00:00Z') }, period), 0);
    // Ending exactly at midnight Rome does not touch the next day.
    assert.equal(lostDays({ startsAt: new Date('2026-03-05T12:00:00Z'), endsAt: new Date('2026-03-05T23:00:00Z') }, period), 1);
  });
  it('works across the change to summer time', () => {
    // 29 March 2026: 01:00–04:00 Rome spans the skipped hour, one day.
    assert.equal(lostDays({ startsAt: new Date('2026-03-29T00:00:00Z'), endsAt: new Date('2026-03-29T02:00:00Z') }, { from: '2026-03-20', to: '2026-04-03' }), 1);
  });
});
