// The bulk generator for benchmarks: set-based inserts that still leave gapless registers continuing the
// numbers already given, a document on disk for every act, row-level security intact, the guards back on.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { startTestPlatform, type TestPlatform } from '../../../test/support/platform.js';
import { addDays, todayInRome } from '../../platform/calendar/index.js';
import { withEnte } from '../../platform/db/index.js';
import { getEnteBySlug } from '../../platform/tenancy/index.js';
import { generateActs, type GenerateReport } from './generate.js';
import { createDraft, publicFile, publicList, publish } from './service.js';
import { makePdf } from '../../../test/support/pdf.js';

const actor = { id: null, label: 'test' };


describe('albo generator (benchmarks)', () => {
  let t: TestPlatform;
  let before_: number;
  let report: GenerateReport;
  const progress: [number, number][] = [];
  const today = todayInRome();
  const count = async () => (await sql<{ n: number }>`select count(*)::int as n from notice`.execute(t.platform.db.owner)).rows[0]!.n;

  async function assertGapless() {
    const { rows } = await sql<{ n: number; min: number; max: number; last_number: number | null }>`
      select x.n, x.min, x.max, r.last_number
        from (select ente_id, register_year, count(*)::int as n, min(register_number) as min, max(register_number) as max
                from notice where status = 'published' group by ente_id, register_year) x
        left join notice_register r on r.ente_id = x.ente_id and r.year = x.register_year`.execute(t.platform.db.owner);
    const bad = rows.filter((r) => r.min !== 1 || r.max !== r.n || r.last_number !== r.max);
    assert.deepEqual(bad, [], 'every register is 1..n and its counter is at n');
    return rows.length;
  }

  before(async () => {
    t = await startTestPlatform({ seed: 'demo' });
    // Acts already there (given by the service) must be continued, not renumbered.
    const calosso = (await getEnteBySlug(t.platform.db.app, 'calosso'))!.id;
    const file = await makePdf('Avviso di chiusura degli uffici comunali per la festa patronale.');
    for (let i = 0; i < 3; i++) {
      const { id } = await createDraft(t.platform, actor, calosso, { actType: 'avviso', subject: `Avviso di chiusura degli uffici n. ${i + 1}`, office: 'Segreteria' }, [{ bytes: file, originalName: 'avviso.pdf' }]);
      await publish(t.platform, actor, calosso, id);
    }
    before_ = await count();
    report = await generateActs(t.platform, { total: 5_000, batchSize: 2_000, onProgress: (done, total) => progress.push([done, total]) });
  });
  after(() => t.close());

  it('creates the acts asked for, over all comuni, reporting progress by batch', async () => {
    assert.equal(report.created, 5_000);
    assert.equal(await count(), before_ + 5_000);
    assert.deepEqual(progress, [[0, 5_000], [2_000, 5_000], [4_000, 5_000], [5_000, 5_000]]);
    const { rows } = await sql<{ comuni: number; enti: number }>`
      select (select count(*)::int from ente where kind = 'comune') as comuni,
             (select count(distinct n.ente_id)::int from notice n join ente e on e.id = n.ente_id and e.kind = 'comune') as enti`.execute(t.platform.db.owner);
    assert.equal(report.comuni, rows[0]!.comuni);
    assert.equal(rows[0]!.enti, rows[0]!.comuni, 'every comune got acts');
    const asti = await sql<{ n: number }>`select count(*)::int as n from notice n join ente e on e.id = n.ente_id where e.slug = 'asti'`.execute(t.platform.db.owner);
    assert.ok(asti.rows[0]!.n > 5_000 / rows[0]!.comuni * 3, 'the capoluogo publishes more than a small comune');
  });

  it('keeps every register gapless, continuing after the numbers already given', async () => {
    assert.ok((await assertGapless()) > 117);
    const calosso = await sql<{ n: number }>`
      select count(*)::int as n from notice n join ente e on e.id = n.ente_id
       where e.slug = 'calosso' and n.register_year = ${Number(today.slice(0, 4))} and n.register_number <= 3 and n.subject like 'Avviso di chiusura degli uffici n.%'`.execute(t.platform.db.owner);
    assert.equal(calosso.rows[0]!.n, 3, "the service's acts keep numbers 1-3");
  });

  it('spreads acts over ten years, all published and valid, about 0.5% online today', async () => {
    const { rows } = await sql<{ first: string; last: string; online: number; bad: number }>`
      select min(publish_from)::text as first, max(publish_from)::text as last,
             count(*) filter (where publish_from <= ${today}::date and effective_to >= ${today}::date)::int as online,
             count(*) filter (where publish_to <> publish_from + days - 1 or register_year <> extract(year from publish_from)
                               or act_date > publish_from or status <> 'published' or published_at is null)::int as bad
        from notice n
       where exists (select 1 from notice_document d join stored_file f on f.ente_id = d.ente_id and f.sha256 = d.sha256
                      where d.ente_id = n.ente_id and d.notice_id = n.id and f.original_name = 'atto-di-prova.pdf')`.execute(t.platform.db.owner);
    const r = rows[0]!;
    assert.ok(r.first <= addDays(today, -3600), `first ${r.first}`);
    assert.equal(r.last, today);
    assert.equal(r.bad, 0);
    assert.ok(r.online >= 25 && r.online <= 100, `${r.online} online of 5,000`);
    assert.ok(report.onlineToday >= r.online);
  });

  it('gives every act one main document whose bytes are in the file store', async () => {
    const { rows } = await sql<{ missing: number }>`
      select count(*)::int as missing from notice n
       where not exists (select 1 from notice_document d where d.ente_id = n.ente_id and d.notice_id = n.id and d.role = 'main')`.execute(t.platform.db.owner);
    assert.equal(rows[0]!.missing, 0);
    const asti = (await getEnteBySlug(t.platform.db.app, 'asti'))!.id;
    const online = await publicList(t.platform.db.app, asti, { limit: 5, offset: 0 });
    assert.ok(online.items.length > 0);
    const act = online.items[0]!;
    const file = await publicFile(t.platform, asti, act.id, act.documents[0]!.sha256);
    assert.ok(file && file !== 'gone');
    assert.equal(file.bytes.subarray(0, 5).toString('latin1'), '%PDF-');
  });

  it('leaves row-level security isolating each comune', async () => {
    const asti = (await getEnteBySlug(t.platform.db.app, 'asti'))!.id;
    const owner = await sql<{ n: number }>`select count(*)::int as n from notice where ente_id = ${asti}`.execute(t.platform.db.owner);
    const seen = await withEnte(t.platform.db.app, asti, async (trx) => {
      const all = await sql<{ n: number; others: number }>`select count(*)::int as n, count(*) filter (where ente_id <> ${asti})::int as others from notice`.execute(trx);
      const docs = await sql<{ others: number }>`select count(*)::int as others from notice_document where ente_id <> ${asti}`.execute(trx);
      const files = await sql<{ others: number }>`select count(*)::int as others from stored_file where ente_id <> ${asti}`.execute(trx);
      return { ...all.rows[0]!, docs: docs.rows[0]!.others, files: files.rows[0]!.others };
    });
    assert.equal(seen.n, owner.rows[0]!.n);
    assert.deepEqual([seen.others, seen.docs, seen.files], [0, 0, 0]);
  });

  it('turns the guards back on: published acts stay immutable and the service continues the register', async () => {
    const { rows } = await sql<{ tgname: string; tgenabled: string }>`
      select tgname, tgenabled from pg_trigger where tgname in ('notice_guard', 'notice_document_guard', 'notice_register_guard') order by tgname`.execute(t.platform.db.owner);
    assert.deepEqual(rows.map((r) => [r.tgname, r.tgenabled]), [['notice_document_guard', 'O'], ['notice_guard', 'O'], ['notice_register_guard', 'O']]);
    const canelli = (await getEnteBySlug(t.platform.db.app, 'canelli'))!.id;
    const year = Number(today.slice(0, 4));
    const last = await sql<{ max: number }>`select max(register_number) as max from notice where ente_id = ${canelli} and register_year = ${year}`.execute(t.platform.db.owner);
    const { id } = await createDraft(t.platform, actor, canelli, { actType: 'avviso', subject: 'Avviso di chiusura degli uffici per inventario', office: 'Segreteria' }, [{ bytes: await makePdf('Avviso di chiusura.'), originalName: 'avviso.pdf' }]);
    const view = await publish(t.platform, actor, canelli, id);
    assert.equal(view.register?.number, (last.rows[0]!.max ?? 0) + 1);
    const some = await sql<{ id: string }>`select id from notice where ente_id = ${canelli} and status = 'published' and id <> ${id} limit 1`.execute(t.platform.db.owner);
    await assert.rejects(withEnte(t.platform.db.app, canelli, (trx) => trx.deleteFrom('notice_document').where('notice_id', '=', some.rows[0]!.id).execute()), /non possono essere modificati/);
    await assert.rejects(sql`update notice_register set last_number = last_number + 5 where ente_id = ${canelli}`.execute(t.platform.db.owner), /avanza solo di un numero/);
  });

  it('a second run continues every register again', async () => {
    const again = await generateActs(t.platform, { total: 1_000 });
    assert.equal(again.created, 1_000);
    await assertGapless();
  });
});
