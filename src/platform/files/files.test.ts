// The content-addressed store: one copy of the bytes per hash, reachable only through an ente that holds it.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startTestPlatform, type TestPlatform } from '../../../test/support/platform.js';
import { withEnte } from '../db/index.js';

describe('file store', () => {
  let t: TestPlatform;
  let a: string;
  let b: string;
  before(async () => {
    t = await startTestPlatform({ seed: 'empty' });
    const rows = await t.platform.db.owner
      .insertInto('ente')
      .values([
        { kind: 'comune', name: 'A', slug: 'a', istat_code: '999101' },
        { kind: 'comune', name: 'B', slug: 'b', istat_code: '999102' },
      ])
      .returning('id')
      .execute();
    [a, b] = rows.map((r) => r.id) as [string, string];
  });
  after(() => t.close());

  it('stores bytes under their SHA-256 once and serves them to the ente that holds them only', async () => {
    const bytes = Buffer.from('%PDF-1.7 test document');
    const sha = createHash('sha256').update(bytes).digest('hex');
    const { files, db } = t.platform;
    const stored = await withEnte(db.app, a, (trx) => files.put(trx, a, { bytes, mediaType: 'application/pdf', originalName: 'delibera.pdf' }));
    assert.equal(stored.sha256, sha);
    await withEnte(db.app, a, (trx) => files.put(trx, a, { bytes, mediaType: 'application/pdf', originalName: 'delibera.pdf' }));
    const onDisk = path.join(t.platform.config.dataDir, 'files', sha.slice(0, 2), sha.slice(2, 4), sha);
    assert.deepEqual(fs.readFileSync(onDisk), bytes);
    const readByA = await withEnte(db.app, a, (trx) => files.get(trx, sha));
    assert.deepEqual(readByA?.bytes, bytes);
    const readByB = await withEnte(db.app, b, (trx) => files.get(trx, sha));
    assert.equal(readByB, undefined, 'another ente cannot reach the file by its hash');
  });

  it('detects a corrupted file instead of serving it', async () => {
    const bytes = Buffer.from('original content');
    const { files, db } = t.platform;
    const stored = await withEnte(db.app, b, (trx) => files.put(trx, b, { bytes, mediaType: 'text/plain', originalName: 'x.txt' }));
    const onDisk = path.join(t.platform.config.dataDir, 'files', stored.sha256.slice(0, 2), stored.sha256.slice(2, 4), stored.sha256);
    fs.writeFileSync(onDisk, 'tampered');
    await assert.rejects(withEnte(db.app, b, (trx) => files.get(trx, stored.sha256)), /corruption/);
  });
});
