// Jobs enqueued inside a write's transaction exist exactly when the write commits; workers run them.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestPlatform, type TestPlatform } from '../../../test/support/platform.js';
import { withEnte } from '../db/index.js';

describe('jobs', () => {
  let t: TestPlatform;
  let ente: string;
  before(async () => {
    t = await startTestPlatform({ seed: 'empty' });
    ente = (await t.platform.db.owner.insertInto('ente').values({ kind: 'comune', name: 'J', slug: 'j', istat_code: '999201' }).returning('id').executeTakeFirstOrThrow()).id;
  });
  after(() => t.close());

  it('a job sent in a rolled-back transaction never exists; in a committed one it runs', async () => {
    const seen: string[] = [];
    await t.platform.jobs.register([{ queue: 'test-echo', handler: async (jobs) => { for (const j of jobs) seen.push((j.data as { tag: string }).tag); }, options: { pollingIntervalSeconds: 0.5 } }], true);
    await assert.rejects(
      withEnte(t.platform.db.app, ente, async (trx) => {
        await t.platform.jobs.send('test-echo', { tag: 'rolled-back' }, { trx });
        throw new Error('abort the write');
      }),
      /abort the write/,
    );
    await withEnte(t.platform.db.app, ente, (trx) => t.platform.jobs.send('test-echo', { tag: 'committed' }, { trx }));
    const deadline = Date.now() + 15_000;
    while (!seen.includes('committed') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(seen, ['committed']);
  });
});
