// The fan-out engine against a real database: a message is planned into one delivery per recipient × channel
// group, a plan repeated adds nothing, quiet hours hold non-urgent messages, and progress counts per channel.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestPlatform, type TestPlatform } from '../../../test/support/platform.js';
import { systemActor } from '../../platform/audit/index.js';
import { withEnte } from '../../platform/db/index.js';
import { getCstEnte, getEnteBySlug } from '../../platform/tenancy/index.js';
import { messageStats, planBatch, planDispatch } from './engine.js';
import { createMessage, estimate, sendableFrom, sendMessage, targetableEnti } from './service.js';
import { subscribe } from './consent.js';

describe('messaging engine', () => {
  let p: TestPlatform;
  let asti: string;
  before(async () => {
    p = await startTestPlatform();
    asti = (await getEnteBySlug(p.platform.db.app, 'asti'))!.id;
  });
  after(async () => p?.close());

  it('quiet hours: 21:00–08:00 Rome, across midnight and the DST change; urgent goes now', () => {
    const at = (iso: string) => new Date(iso);
    assert.equal(sendableFrom(at('2026-11-22T22:30:00Z'), '21:00', '08:00', false).toISOString(), '2026-11-23T07:00:00.000Z');
    assert.equal(sendableFrom(at('2026-11-23T06:59:00Z'), '21:00', '08:00', false).toISOString(), '2026-11-23T07:00:00.000Z');
    assert.equal(sendableFrom(at('2026-11-23T07:00:00Z'), '21:00', '08:00', false).toISOString(), '2026-11-23T07:00:00.000Z');
    // Saturday 24 October 2026 23:00 CEST → Sunday 25 October 08:00 CET (the night the clocks go back).
    assert.equal(sendableFrom(at('2026-10-24T21:00:00Z'), '21:00', '08:00', false).toISOString(), '2026-10-25T07:00:00.000Z');
    // Saturday 28 March 2026 22:00 CET → Sunday 29 March 08:00 CEST.
    assert.equal(sendableFrom(at('2026-03-28T21:00:00Z'), '21:00', '08:00', false).toISOString(), '2026-03-29T06:00:00.000Z');
    assert.equal(sendableFrom(at('2026-11-22T22:30:00Z'), '21:00', '08:00', true).toISOString(), '2026-11-22T22:30:00.000Z');
  });

  it('a comune targets only itself; the CST targets every ente', async () => {
    assert.deepEqual((await targetableEnti(p.platform.db.app, asti)).map((e) => e.slug), ['asti']);
    const cst = (await getCstEnte(p.platform.db.app))!;
    assert.ok((await targetableEnti(p.platform.db.app, cst.id)).length > 100);
  });

  it('the CST estimates the whole network in one read: per ente, in order, as each ente counts its own', async () => {
    const cst = (await getCstEnte(p.platform.db.app))!.id;
    const all = await targetableEnti(p.platform.db.app, cst);
    const input = { topics: ['protezione-civile'], channels: ['sms', 'email', 'appio'] as const, smsText: 'Allerta' };
    const network = await estimate(p.platform.db.app, systemActor, { senderEnteId: cst, targetEnteIds: all.map((e) => e.id), ...input, channels: [...input.channels] });
    assert.deepEqual(network.perEnte.map((r) => r.enteId), all.map((e) => e.id));
    const reached = all.filter((_, i) => network.perEnte[i]!.subscribers > 0).map((e) => e.slug).sort();
    assert.deepEqual(reached, ['asti', 'canelli', 'nizza-monferrato'], 'the demo subscribers live in three comuni');
    for (const slug of reached) {
      const id = all.find((e) => e.slug === slug)!.id;
      const own = await estimate(p.platform.db.app, systemActor, { senderEnteId: id, targetEnteIds: [id], ...input, channels: [...input.channels] });
      assert.deepEqual(network.perEnte.find((r) => r.enteId === id), own.perEnte[0], slug);
      // Only Asti has an App IO service: elsewhere a fiscal code does not make anyone an IO candidate.
      assert.equal(own.perEnte[0]!.appioFirst > 0, slug === 'asti', slug);
    }
    const sum = (key: 'subscribers' | 'sms' | 'email' | 'appioFirst') => network.perEnte.reduce((n, r) => n + r[key], 0);
    assert.deepEqual(network.totals, { subscribers: sum('subscribers'), appioFirst: sum('appioFirst'), sms: sum('sms'), email: sum('email') });
  });

  it('plans one delivery per recipient and channel group, idempotently, and counts them', async () => {
    await withEnte(p.platform.db.app, asti, (trx) =>
      subscribe(trx, asti, { phone: '+393471112233', phoneVerifiedAt: new Date(), email: 'test.engine@example.org', emailVerifiedAt: new Date(), topics: ['viabilita'], consentText: 'ok', via: 'page', source: 'web' }),
    );
    const est = await estimate(p.platform.db.app, systemActor, { senderEnteId: asti, targetEnteIds: [asti], topics: ['viabilita'], channels: ['sms', 'email'], smsText: 'Strada chiusa' });
    assert.ok(est.totals.sms + est.totals.appioFirst >= 1 && est.totals.email >= 1);
    const msg = await createMessage(p.platform.db.app, systemActor, asti, { title: 'Chiusura', body: 'Strada chiusa', topics: ['viabilita'], targetEnteIds: [asti], channels: ['sms', 'email'], urgent: true });
    await sendMessage(p.platform.db.app, p.platform.jobs, systemActor, asti, msg.id);
    const dispatch = await withEnte(p.platform.db.app, asti, (trx) => trx.selectFrom('msg_dispatch').selectAll().where('message_id', '=', msg.id).executeTakeFirstOrThrow());
    const total = await planDispatch(p.platform, asti, dispatch.id);
    assert.equal(total, est.totals.sms + est.totals.appioFirst + est.totals.email);
    assert.equal((await planBatch(p.platform, asti, dispatch.id)).inserted, 0);
    const stats = await messageStats(p.platform.db.app, systemActor, asti, msg.id);
    assert.equal(stats.length, 1);
    assert.equal(stats[0]!.perChannel.email?.queued, est.totals.email);
  });
});
