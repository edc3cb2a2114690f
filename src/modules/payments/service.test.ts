// Debt positions against a real database: IUV and notice numbers from the ente's counter (distinct and gapless
// under concurrent creation, per ente), instalments and transfers split and validated, publication,
// cancellation, payment of options (single, instalments, repeated), and the status people read.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestPlatform, type TestPlatform } from '../../../test/support/platform.js';
import { systemActor } from '../../platform/audit/index.js';
import { withEnte } from '../../platform/db/index.js';
import { HttpProblem } from '../../platform/http/problem.js';
import { getEnteBySlug } from '../../platform/tenancy/index.js';
import { AmountError, formatCents, parseEuroToCents } from './amounts.js';
import { isValidNoticeNumber } from './iuv.js';
import { demoIban } from './seed.js';
import { cancelPosition, createPosition, effectiveStatus, getPosition, markOptionPaid, publishPosition, scaleTransfers, type PositionInput } from './service.js';

const problem = (status: number, text?: RegExp) => (e: unknown) => e instanceof HttpProblem && e.status === status && (!text || text.test(e.message));
const now = new Date('2026-11-20T10:00:00Z');
const input = (extra: Partial<PositionInput> = {}): PositionInput => ({
  serviceCode: 'tari',
  debtor: { fiscalCode: 'RSSMRA80A01A479L', name: 'Mario Rossi' },
  reason: 'TARI 2026',
  amountCents: 30_000,
  dueDate: '2026-12-31',
  ...extra,
});

describe('amounts', () => {
  it('parses Italian and dot decimals, refuses three decimals, zero and junk', () => {
    assert.equal(parseEuroToCents('12,50'), 1250);
    assert.equal(parseEuroToCents('1.234,56'), 123456);
    assert.equal(parseEuroToCents('12.5'), 1250);
    assert.equal(parseEuroToCents(7), 700);
    assert.equal(parseEuroToCents('1.234.567,8'), 123456780);
    for (const bad of ['12,505', '12.505', '1.234', '0', '-3', 'dieci', '1,2,3', '']) assert.throws(() => parseEuroToCents(bad), AmountError, bad);
    assert.equal(formatCents(123456), '1.234,56');
  });
  it('splits transfers over an instalment proportionally, the rounding rest to the first', () => {
    const split = scaleTransfers([{ amountCents: 30_000 }, { amountCents: 1_500 }], 31_500, 10_000);
    assert.deepEqual(split.map((t) => t.amountCents), [9_524, 476]);
  });
});

describe('payments service', () => {
  let t: TestPlatform;
  let asti: string;
  let canelli: string;
  before(async () => {
    t = await startTestPlatform();
    asti = (await getEnteBySlug(t.platform.db.app, 'asti'))!.id;
    canelli = (await getEnteBySlug(t.platform.db.app, 'canelli'))!.id;
  });
  after(() => t.close());
  const db = () => t.platform.db.app;

  it('gives each option a distinct valid notice number with the ente segregation code, gapless under concurrency', async () => {
    const created = await Promise.all(Array.from({ length: 20 }, (_, i) => createPosition(db(), systemActor, asti, input({ reason: `TARI ${i}` }), { now })));
    const notices = created.map((c) => c.position.options[0]!.noticeNumber);
    assert.equal(new Set(notices).size, 20);
    for (const n of notices) {
      assert.ok(isValidNoticeNumber(n), n);
      assert.equal(n.slice(1, 3), '01', 'Asti segregation code');
    }
    const bases = notices.map((n) => Number(n.slice(3, 16))).sort((a, b) => a - b);
    assert.deepEqual(bases, bases.map((_, i) => bases[0]! + i), 'consecutive bases');
    // Canelli has its own counter and segregation code
    const other = await createPosition(db(), systemActor, canelli, input(), { now });
    assert.equal(other.position.options[0]!.noticeNumber.slice(1, 3), '02');
  });

  it('offers the single payment and the instalments, each with its share of the transfers', async () => {
    const cst = (await getEnteBySlug(db(), 'provincia-di-asti'))!;
    const { position } = await createPosition(
      db(), systemActor, asti,
      input({
        amountCents: 31_500,
        instalments: [{ amountCents: 10_500, dueDate: '2026-12-31' }, { amountCents: 10_500, dueDate: '2027-02-28' }, { amountCents: 10_500, dueDate: '2027-04-30' }],
        transfers: [{ amountCents: 30_000 }, { amountCents: 1_500, beneficiaryFiscalCode: cst.fiscalCode!, iban: demoIban('03069', '10300', '9000'), remittance: 'TEFA' }],
      }),
      { now },
    );
    assert.deepEqual(position.options.map((o) => [o.instalment, o.amountCents]), [[null, 31_500], [1, 10_500], [2, 10_500], [3, 10_500]]);
    for (const o of position.options) {
      assert.equal(o.transfers.reduce((s, x) => s + x.amountCents, 0), o.amountCents);
      assert.equal(o.transfers[1]!.beneficiaryFiscalCode, cst.fiscalCode);
    }
    assert.equal(position.status, 'valid');
  });

  it('refuses bad input with Italian messages and writes nothing', async () => {
    const before = await t.platform.db.owner.selectFrom('payment_position').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const six = Array.from({ length: 6 }, () => ({ amountCents: 5_000 }));
    await assert.rejects(createPosition(db(), systemActor, asti, input({ transfers: six }), { now }), problem(422, /Al massimo 5/));
    await assert.rejects(createPosition(db(), systemActor, asti, input({ transfers: [{ amountCents: 20_000 }] }), { now }), problem(422, /somma dei trasferimenti/));
    await assert.rejects(createPosition(db(), systemActor, asti, input({ debtor: { fiscalCode: 'RSSMRA80A01A479X', name: 'X' } }), { now }), problem(422, /Codice fiscale/));
    await assert.rejects(createPosition(db(), systemActor, asti, input({ dueDate: '2026-11-19' }), { now }), problem(422, /già passata/));
    await assert.rejects(createPosition(db(), systemActor, asti, input({ amountCents: 12.5 }), { now }), problem(422));
    await assert.rejects(createPosition(db(), systemActor, asti, input({ serviceCode: 'nessuno' }), { now }), problem(422, /sconosciuto/));
    await assert.rejects(createPosition(db(), systemActor, asti, input({ instalments: [{ amountCents: 10_000, dueDate: '2026-12-31' }, { amountCents: 10_000, dueDate: '2027-01-31' }] }), { now }), problem(422, /somma delle rate/));
    await assert.rejects(createPosition(db(), systemActor, asti, input({ transfers: [{ amountCents: 30_000, iban: 'IT00X0000000000000000000000' }] }), { now }), problem(422, /IBAN/));
    const afterCount = await t.platform.db.owner.selectFrom('payment_position').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    assert.equal(Number(afterCount.n), Number(before.n));
  });

  it('is idempotent on the ente reference (uploads, other modules)', async () => {
    const a = await createPosition(db(), systemActor, asti, input({ externalRef: 'TARI-TEST-1' }), { now });
    const b = await createPosition(db(), systemActor, asti, input({ externalRef: 'TARI-TEST-1' }), { now });
    assert.equal(a.created, true);
    assert.equal(b.created, false);
    assert.equal(a.position.id, b.position.id);
    // at the same moment too: one position, the others get it back
    const racing = await Promise.all(Array.from({ length: 6 }, () => createPosition(db(), systemActor, asti, input({ externalRef: 'TARI-TEST-RACE' }), { now })));
    assert.equal(new Set(racing.map((r) => r.position.id)).size, 1);
    assert.equal(racing.filter((r) => r.created).length, 1);
  });

  it('publishes drafts, cancels unpaid positions, and never cancels a paid one', async () => {
    const draft = (await createPosition(db(), systemActor, asti, input(), { now, publish: false })).position;
    assert.equal(draft.status, 'draft');
    assert.equal(draft.options[0]!.payable, false);
    const published = await publishPosition(db(), systemActor, asti, draft.id, { now });
    assert.equal(published.status, 'valid');
    await assert.rejects(publishPosition(db(), systemActor, asti, draft.id, { now }), problem(409));
    await assert.rejects(cancelPosition(db(), systemActor, asti, draft.id, '  '), problem(422));
    const cancelled = await cancelPosition(db(), systemActor, asti, draft.id, 'Emessa per errore', { now });
    assert.equal(cancelled.status, 'cancelled');
    assert.equal(cancelled.options[0]!.payable, false);

    const paid = (await createPosition(db(), systemActor, asti, input(), { now })).position;
    await withEnte(db(), asti, async (trx) => {
      const option = await trx.selectFrom('payment_option').selectAll().where('id', '=', paid.options[0]!.id).executeTakeFirstOrThrow();
      assert.equal(await markOptionPaid(trx, option, now), true);
      assert.equal(await markOptionPaid(trx, option, now), false, 'a repeated receipt changes nothing');
    });
    assert.equal((await getPosition(db(), asti, paid.id))!.status, 'paid');
    await assert.rejects(cancelPosition(db(), systemActor, asti, paid.id, 'ripensamento'), problem(409));
    // another ente cannot see it
    assert.equal(await getPosition(db(), canelli, paid.id), undefined);
  });

  it('is partially paid after one instalment and paid after the last', async () => {
    const { position } = await createPosition(
      db(), systemActor, asti,
      input({ payInFull: false, dueDate: undefined, instalments: [{ amountCents: 15_000, dueDate: '2026-12-31' }, { amountCents: 15_000, dueDate: '2027-01-31' }] }),
      { now },
    );
    assert.deepEqual(position.options.map((o) => o.instalment), [1, 2]);
    // both instalments paid at the same moment (two receipts in two transactions): the position ends up paid
    const both = (await createPosition(
      db(), systemActor, asti,
      input({ instalments: [{ amountCents: 15_000, dueDate: '2026-12-31' }, { amountCents: 15_000, dueDate: '2027-01-31' }] }),
      { now },
    )).position;
    assert.equal(both.options[0]!.instalment, null);
    await Promise.all(both.options.slice(1).map((o) => withEnte(db(), asti, async (trx) => {
      const option = await trx.selectFrom('payment_option').selectAll().where('id', '=', o.id).executeTakeFirstOrThrow();
      await markOptionPaid(trx, option, now);
    })));
    const settled = (await getPosition(db(), asti, both.id))!;
    assert.equal(settled.status, 'paid');
    assert.equal(settled.options[0]!.payable, false, 'the single payment is gone once instalments are paid');
    for (const [n, expected] of [[0, 'partially_paid'], [1, 'paid']] as const) {
      await withEnte(db(), asti, async (trx) => {
        const option = await trx.selectFrom('payment_option').selectAll().where('id', '=', position.options[n]!.id).executeTakeFirstOrThrow();
        await markOptionPaid(trx, option, now);
      });
      assert.equal((await getPosition(db(), asti, position.id))!.status, expected);
    }
  });

  it('reads a valid position as expired once every unpaid option is past its last day (retention included)', () => {
    const option = { status: 'unpaid' as const, due_date: '2026-12-31', retention_date: '2027-01-15' };
    assert.equal(effectiveStatus({ status: 'valid' }, [option], '2027-01-15'), 'valid');
    assert.equal(effectiveStatus({ status: 'valid' }, [option], '2027-01-16'), 'expired');
    assert.equal(effectiveStatus({ status: 'valid' }, [{ ...option, retention_date: null }], '2027-01-01'), 'expired');
    assert.equal(effectiveStatus({ status: 'paid' }, [option], '2030-01-01'), 'paid');
  });
});
