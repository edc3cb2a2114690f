// Row-level security proves tenant isolation even when the SQL forgets its `where ente_id = …`.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { startTestPlatform, type TestPlatform } from '../../../test/support/platform.js';
import { withCrossEnteRead, withEnte } from './index.js';

describe('tenant isolation in the database', () => {
  let t: TestPlatform;
  let enteA: string;
  let enteB: string;

  before(async () => {
    t = await startTestPlatform({ seed: 'empty' });
    const { owner } = t.platform.db;
    const rows = await owner
      .insertInto('ente')
      .values([
        { kind: 'comune', name: 'Comune A', slug: 'comune-a', istat_code: '999001' },
        { kind: 'comune', name: 'Comune B', slug: 'comune-b', istat_code: '999002' },
      ])
      .returning('id')
      .execute();
    [enteA, enteB] = rows.map((r) => r.id) as [string, string];
    for (const [ente, name] of [[enteA, 'a.pdf'], [enteB, 'b.pdf']] as const) {
      await withEnte(t.platform.db.app, ente, (trx) =>
        trx.insertInto('stored_file').values({ ente_id: ente, sha256: (ente === enteA ? 'a' : 'b').repeat(64), size_bytes: 1, media_type: 'application/pdf', original_name: name }).execute(),
      );
    }
  });
  after(() => t.close());

  it('runs the application as a role that is neither superuser nor exempt from RLS', async () => {
    const { rows } = await sql<{ rolsuper: boolean; rolbypassrls: boolean; current_user: string }>`
      select r.rolsuper, r.rolbypassrls, current_user from pg_roles r where r.rolname = current_user`.execute(t.platform.db.app);
    assert.equal(rows[0]!.current_user, 'cir_app');
    assert.equal(rows[0]!.rolsuper, false);
    assert.equal(rows[0]!.rolbypassrls, false);
  });

  it('a select without where returns only the ente of the transaction', async () => {
    const seenByA = await withEnte(t.platform.db.app, enteA, (trx) => trx.selectFrom('stored_file').selectAll().execute());
    assert.deepEqual(seenByA.map((r) => r.original_name), ['a.pdf']);
    const rawByB = await withEnte(t.platform.db.app, enteB, (trx) => sql<{ original_name: string }>`select * from stored_file`.execute(trx));
    assert.deepEqual(rawByB.rows.map((r) => r.original_name), ['b.pdf']);
  });

  it('no ente set: the application sees nothing', async () => {
    const rows = await t.platform.db.app.selectFrom('stored_file').selectAll().execute();
    assert.equal(rows.length, 0);
  });

  it('update and delete without where cannot touch another ente', async () => {
    const updated = await withEnte(t.platform.db.app, enteB, (trx) => trx.updateTable('stored_file').set({ original_name: 'hacked.pdf' }).executeTakeFirst());
    assert.equal(Number(updated.numUpdatedRows), 1); // only B's own row
    const deleted = await withEnte(t.platform.db.app, enteB, (trx) => sql`delete from stored_file where ente_id = ${enteA}`.execute(trx));
    assert.equal(Number(deleted.numAffectedRows ?? 0), 0);
    const ownerView = await t.platform.db.owner.selectFrom('stored_file').select(['ente_id', 'original_name']).orderBy('original_name').execute();
    assert.deepEqual(ownerView.map((r) => [r.ente_id, r.original_name]), [[enteA, 'a.pdf'], [enteB, 'hacked.pdf']]);
  });

  it('an insert for another ente is refused by the policy', async () => {
    await assert.rejects(
      withEnte(t.platform.db.app, enteB, (trx) =>
        trx.insertInto('stored_file').values({ ente_id: enteA, sha256: 'c'.repeat(64), size_bytes: 1, media_type: 'application/pdf', original_name: 'forged.pdf' }).execute(),
      ),
      /row-level security/,
    );
  });

  it('moving a row to another ente is refused', async () => {
    await assert.rejects(
      withEnte(t.platform.db.app, enteA, (trx) => trx.updateTable('stored_file').set({ ente_id: enteB }).execute()),
      /row-level security/,
    );
  });

  it('the cross-ente path reads every ente but cannot write', async () => {
    const all = await withCrossEnteRead(t.platform.db.app, (trx) => trx.selectFrom('stored_file').select('ente_id').execute());
    assert.equal(all.length, 2);
    await assert.rejects(
      withCrossEnteRead(t.platform.db.app, (trx) => trx.deleteFrom('stored_file').execute()),
      /read-only transaction/,
    );
  });

  it('the application role cannot rewrite the audit log', async () => {
    await withEnte(t.platform.db.app, enteA, (trx) =>
      trx.insertInto('audit_log').values({ ente_id: enteA, actor_label: 'test', action: 'x', entity: 'y' }).execute(),
    );
    await assert.rejects(withEnte(t.platform.db.app, enteA, (trx) => trx.deleteFrom('audit_log').execute()), /permission denied/);
    await assert.rejects(withEnte(t.platform.db.app, enteA, (trx) => trx.updateTable('audit_log').set({ action: 'z' }).execute()), /permission denied/);
  });

  it('every tenant-owned table has RLS on and ente_id leading its primary key', async () => {
    const { rows } = await sql<{ table_name: string; rls: boolean; first_pk_column: string | null }>`
      select c.relname as table_name, c.relrowsecurity as rls,
             (select a.attname from pg_index i join pg_attribute a on a.attrelid = i.indrelid and a.attnum = i.indkey[0]
               where i.indrelid = c.oid and i.indisprimary) as first_pk_column
        from pg_class c join pg_namespace n on n.oid = c.relnamespace
       where n.nspname = 'public' and c.relkind in ('r', 'p')
         and exists (select 1 from pg_attribute a where a.attrelid = c.oid and a.attname = 'ente_id' and not a.attisdropped)`.execute(t.platform.db.owner);
    // Kernel tables that hold ente_id but are shared network catalogue or access control, not tenant data.
    const shared = new Set(['ente_membership', 'role_grant', 'adhesion_event']);
    const tenantTables = rows.filter((r) => !shared.has(r.table_name));
    assert.ok(tenantTables.length >= 2);
    for (const table of tenantTables) {
      assert.equal(table.rls, true, `${table.table_name} must have row-level security`);
      assert.equal(table.first_pk_column, 'ente_id', `${table.table_name} primary key must start with ente_id`);
    }
  });
});
