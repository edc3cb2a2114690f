// The legal rules of adhesion: the 15-day window (inclusive), later adhesions need their act, dates that do
// not exist, year change and leap day, and how a union's signature brings its comuni in.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AdhesionRuleError, addDays, checkWithdrawal, classifyAdhesion, effectiveState, lateAdhesionDeadline, ownState, type AdhesionState } from './adhesion.js';
import type { AdhesionEventRow, Protocol } from './store.js';

const protocol: Protocol = { id: 'p', title: 'Protocollo', signedOn: '2010-05-20', lateAdhesionDays: 15 };
const none: AdhesionState = { status: 'not_adhering', since: null, viaEnteId: null, deadline: null };
const today = '2026-11-22';

let nextId = 1;
const event = (e: Partial<AdhesionEventRow> & Pick<AdhesionEventRow, 'event' | 'effectiveOn'>): AdhesionEventRow => ({
  id: nextId++, enteId: 'x', viaEnteId: null, basis: null, note: null, recordedAt: new Date(), recordedBy: 'test', ...e,
});

describe('adhesion window', () => {
  it('is 15 days after the signature, inclusive', () => {
    assert.equal(lateAdhesionDeadline(protocol), '2010-06-04');
    assert.equal(classifyAdhesion(protocol, none, '2010-05-20', today, null), 'signed');
    assert.equal(classifyAdhesion(protocol, none, '2010-06-04', today, null), 'late_adhesion');
    assert.throws(() => classifyAdhesion(protocol, none, '2010-06-05', today, null), /Oltre i 15 giorni/);
    assert.equal(classifyAdhesion(protocol, none, '2010-06-05', today, 'Delibera C.C. n. 7 del 01/06/2010'), 'subsequent_adhesion');
  });

  it('crosses the year end and the leap day on the calendar', () => {
    const december: Protocol = { ...protocol, signedOn: '2023-12-20' };
    assert.equal(lateAdhesionDeadline(december), '2024-01-04');
    assert.equal(classifyAdhesion(december, none, '2024-01-04', today, null), 'late_adhesion');
    const leap: Protocol = { ...protocol, signedOn: '2024-02-14' };
    assert.equal(lateAdhesionDeadline(leap), '2024-02-29');
    assert.equal(classifyAdhesion(leap, none, '2024-02-29', today, null), 'late_adhesion');
    assert.throws(() => classifyAdhesion(leap, none, '2024-03-01', today, null), AdhesionRuleError);
    const nonLeap: Protocol = { ...protocol, signedOn: '2023-02-14' };
    assert.equal(lateAdhesionDeadline(nonLeap), '2023-03-01');
  });

  it('is not shifted by the change to summer time in Europe/Rome', () => {
    // 2024-03-31 is the DST change day: calendar arithmetic must not lose or gain a day.
    assert.equal(addDays('2024-03-20', 15), '2024-04-04');
    assert.equal(addDays('2024-10-20', 15), '2024-11-04');
  });

  it('refuses impossible, future and pre-protocol dates and double adhesions', () => {
    assert.throws(() => classifyAdhesion(protocol, none, '2023-02-29', today, 'Delibera n. 1'), /Data non valida/);
    assert.throws(() => classifyAdhesion(protocol, none, '2010-13-01', today, 'Delibera n. 1'), /Data non valida/);
    assert.throws(() => classifyAdhesion(protocol, none, '2026-11-23', today, 'Delibera n. 1'), /futura/);
    assert.throws(() => classifyAdhesion(protocol, none, '2010-05-19', today, null), /precedente alla firma/);
    const signed: AdhesionState = { status: 'signed', since: '2010-05-20', viaEnteId: null, deadline: null };
    assert.throws(() => classifyAdhesion(protocol, signed, '2011-01-10', today, 'Delibera n. 1'), /già aderito/);
    // Adhering through a union does not stop a comune from adhering on its own.
    const viaUnion: AdhesionState = { ...signed, viaEnteId: 'union' };
    assert.equal(classifyAdhesion(protocol, viaUnion, '2011-01-10', today, 'Delibera G.C. n. 3'), 'subsequent_adhesion');
  });
});

describe('adhesion status', () => {
  it('the latest event decides, history is kept', () => {
    const events = [event({ event: 'signed', effectiveOn: '2010-05-20' }), event({ event: 'withdrawal', effectiveOn: '2015-01-01' }), event({ event: 'subsequent_adhesion', effectiveOn: '2020-03-01' })];
    assert.equal(ownState(events, protocol, '2014-12-31')?.status, 'signed');
    assert.equal(ownState(events, protocol, '2015-01-01')?.status, 'withdrawn');
    assert.equal(ownState(events, protocol, '2020-03-01')?.status, 'signed');
    assert.equal(ownState(events, protocol, '2020-03-01')?.since, '2020-03-01');
  });

  it('a signing union brings its comuni in, except the ones it excluded', () => {
    const union = ownState([event({ event: 'signed', effectiveOn: '2010-05-20' })], protocol, today);
    const frinco = ownState([event({ event: 'exclusion', effectiveOn: '2010-05-20', viaEnteId: 'val-rilate' })], protocol, today);
    assert.deepEqual(effectiveState(undefined, [{ enteId: 'val-rilate', state: union }]), { status: 'signed', since: '2010-05-20', viaEnteId: 'val-rilate', deadline: null });
    assert.equal(effectiveState(frinco, [{ enteId: 'val-rilate', state: union }]).status, 'excluded');
    assert.equal(effectiveState(undefined, []).status, 'not_adhering');
    // Joined the union in 2023: adheres through it from then, not from the 2010 signature.
    assert.equal(effectiveState(undefined, [{ enteId: 'valtiglione', state: union, memberSince: '2023-01-01' }]).since, '2023-01-01');
  });

  it('members of an invited union are pending with its deadline', () => {
    const invited = ownState([event({ event: 'invited', effectiveOn: '2010-05-20' })], protocol, today);
    const state = effectiveState(undefined, [{ enteId: 'versa', state: invited }]);
    assert.equal(state.status, 'pending');
    assert.equal(state.deadline, '2010-06-04');
  });

  it('a withdrawal needs an adhering ente and its act', () => {
    const signed: AdhesionState = { status: 'signed', since: '2010-05-20', viaEnteId: null, deadline: null };
    assert.throws(() => checkWithdrawal(protocol, none, '2020-01-01', today, 'Delibera n. 9'), /non aderisce/);
    assert.throws(() => checkWithdrawal(protocol, signed, '2020-01-01', today, null), /atto di recesso/);
    assert.throws(() => checkWithdrawal(protocol, signed, '2009-01-01', today, 'Delibera n. 9'), /precedente/);
    assert.doesNotThrow(() => checkWithdrawal(protocol, signed, '2020-01-01', today, 'Delibera n. 9'));
  });
});
