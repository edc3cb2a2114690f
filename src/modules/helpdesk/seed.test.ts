// The demo network's desk: the seeded tickets are real ones (numbers, states, SLA, merge), written through the
// service, and visible only to their own ente.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestPlatform, type TestPlatform } from '../../../test/support/platform.js';
import { getEnteBySlug } from '../../platform/tenancy/index.js';
import { listTickets } from './service.js';

describe('helpdesk demo seed', () => {
  let t: TestPlatform;
  before(async () => {
    t = await startTestPlatform();
  });
  after(() => t.close());

  it('gives several comuni tickets in every stage of their life', async () => {
    const db = t.platform.db.owner;
    const rows = await db.selectFrom('ticket as t').innerJoin('ente as e', 'e.id', 't.ente_id').select(['e.slug', 't.state', 't.merged_into', 't.due_at', 't.assignee_id']).execute();
    const states = new Set(rows.map((r) => r.state));
    for (const s of ['new', 'assigned', 'waiting_ente', 'solved', 'closed']) assert.ok(states.has(s as never), `no ${s} ticket`);
    assert.ok(new Set(rows.map((r) => r.slug)).size >= 5);
    assert.equal(rows.filter((r) => r.merged_into).length, 1);
    // paused tickets have no running deadline; open ones do
    for (const r of rows) {
      if (r.state === 'waiting_ente' || r.state === 'solved' || r.state === 'closed') assert.equal(r.due_at, null);
      else assert.ok(r.due_at, `${r.slug} ${r.state} has no due time`);
    }
    // the technician's assignments are the desk's
    assert.ok(rows.some((r) => r.assignee_id));
    // each ente sees only its own
    const canelli = (await getEnteBySlug(db, 'canelli'))!;
    const page = await listTickets(t.platform.db.app, canelli.id, { limit: 100, offset: 0 });
    assert.equal(page.total, rows.filter((r) => r.slug === 'canelli').length);
  });
});
