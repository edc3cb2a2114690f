// Bulk tickets for the benchmark behave like real ones: gapless numbers per ente and year that the service
// continues, SLA targets of the category, stored due times equal to what the SLA clock computes, and the
// queue reads them in order.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestPlatform, type TestPlatform } from '../../../test/support/platform.js';
import { systemActor } from '../../platform/audit/index.js';
import { getEnteBySlug } from '../../platform/tenancy/index.js';
import { dueFields } from './due.js';
import { generateTickets } from './generate.js';
import { cstQueue, openTicket } from './service.js';

describe('generateTickets', () => {
  let t: TestPlatform;
  before(async () => {
    t = await startTestPlatform();
  });
  after(() => t.close());

  it('writes tickets that the service, the queue and the SLA clock accept as their own', async () => {
    const now = new Date('2026-11-20T10:00:00Z');
    const progress: number[] = [];
    const report = await generateTickets(t.platform, { total: 3000, batchSize: 700, now, onProgress: (done) => progress.push(done) });
    assert.equal(report.created, 3000);
    assert.deepEqual(progress, [700, 1400, 2100, 2800, 3000]);
    const db = t.platform.db.owner;

    // gapless numbers per ente and year, equal to the counter
    const groups = await db
      .selectFrom('ticket')
      .select(['ente_id', 'year', (eb) => eb.fn.countAll<number>().as('n'), (eb) => eb.fn.max('number').as('max'), (eb) => eb.fn.min('number').as('min')])
      .groupBy(['ente_id', 'year'])
      .execute();
    const counters = new Map((await db.selectFrom('ticket_counter').selectAll().execute()).map((c) => [`${c.ente_id}/${c.year}`, c.last_number]));
    for (const g of groups) {
      assert.equal(Number(g.min), 1);
      assert.equal(Number(g.max), Number(g.n));
      assert.equal(counters.get(`${g.ente_id}/${g.year}`), Number(g.max));
    }

    // open tickets carry the due times of the SLA clock
    const open = await db.selectFrom('ticket').selectAll().where('state', 'not in', ['solved', 'closed']).limit(50).execute();
    assert.ok(open.length > 0, 'some recent tickets are open');
    for (const row of open) {
      const expected = dueFields(row, [], now);
      assert.equal(row.due_at?.toISOString(), expected.due_at?.toISOString());
      assert.equal(row.warn_at?.toISOString(), expected.warn_at?.toISOString());
    }

    // the service continues the numbers of the ente's year
    const asti = (await getEnteBySlug(db, 'asti'))!;
    const last = await db.selectFrom('ticket_counter').select('last_number').where('ente_id', '=', asti.id).where('year', '=', 2026).executeTakeFirst();
    const next = await openTicket(t.platform.db.app, systemActor, asti.id, {
      channel: 'phone', callerName: 'Prova', callerPhone: '0141 1', category: 'altro', urgency: 3, impact: 3, subject: 'Dopo la generazione', description: 'x',
    }, { now });
    assert.equal(next.number, (last?.last_number ?? 0) + 1);

    // the queue reads the stored due times in order
    const queue = await cstQueue(t.platform.db.app, systemActor, { now, limit: 100 });
    const dues = queue.items.filter((i) => i.dueAt).map((i) => i.dueAt!.getTime());
    assert.deepEqual(dues, [...dues].sort((a, b) => a - b));
    assert.ok(queue.total >= report.open);
  });
});
