// The demo albo: a year of acts for four comuni, published through the service, with gapless registers whose
// numbers follow the dates, acts online today and expired ones, one annulment, one correction, and one act
// published on Scurzolengo's albo at the request of its union.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { startTestPlatform, type TestPlatform } from '../../../test/support/platform.js';
import { addDays, todayInRome } from '../../platform/calendar/index.js';
import { getEnteBySlug } from '../../platform/tenancy/index.js';
import { DEMO_ALBO_COMUNI, DEMO_UNION, romeTime, seedDemoNoticeboard } from './seed.js';
import { publicDetail, publicFile, publicList, staffDetail } from './service.js';

describe('demo albo pretorio (seed)', () => {
  let t: TestPlatform;
  let seededHere = false;
  let seconds = 0;
  const today = todayInRome();
  const id = async (slug: string) => (await getEnteBySlug(t.platform.db.app, slug))!.id;

  before(async () => {
    t = await startTestPlatform({ seed: 'demo' });
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from notice`.execute(t.platform.db.owner);
    if (rows[0]!.n === 0) {
      // Not (yet) the module's seedDemo: seed here, and time it.
      const started = performance.now();
      await seedDemoNoticeboard(t.platform);
      seconds = (performance.now() - started) / 1000;
      seededHere = true;
    }
  });
  after(() => t.close());

  it('runs in a few seconds', (ctx) => {
    if (!seededHere) return ctx.skip('seeded by the demo template');
    ctx.diagnostic(`seed: ${seconds.toFixed(2)} s`);
    assert.ok(seconds < 10, `seed took ${seconds.toFixed(1)} s`);
  });

  it('gives each of the four comuni a year of acts, from about a year ago to today', async () => {
    const { rows } = await sql<{ slug: string; n: number; first: string; last: string }>`
      select e.slug, count(*)::int as n, min(n.publish_from)::text as first, max(n.publish_from)::text as last
        from notice n join ente e on e.id = n.ente_id where n.status = 'published' group by e.slug`.execute(t.platform.db.owner);
    const bySlug = new Map(rows.map((r) => [r.slug, r]));
    for (const { slug } of DEMO_ALBO_COMUNI) {
      const r = bySlug.get(slug);
      assert.ok(r, `no acts for ${slug}`);
      assert.ok(r.n >= 30, `${slug}: only ${r.n} acts`);
      assert.ok(r.first <= addDays(today, -300), `${slug}: first act on ${r.first}`);
      assert.ok(r.last >= addDays(today, -2), `${slug}: last act on ${r.last}`);
    }
    const drafts = await sql<{ n: number }>`select count(*)::int as n from notice where status = 'draft'`.execute(t.platform.db.owner);
    assert.equal(drafts.rows[0]!.n, 0, 'every demo act is published');
  });

  it('keeps every register gapless (1..n per ente and year), in step with its counter, numbers following dates', async () => {
    const { rows } = await sql<{ ente_id: string; year: number; n: number; min: number; max: number; last_number: number | null; out_of_order: number }>`
      select x.ente_id, x.year, x.n, x.min, x.max, r.last_number, x.out_of_order
        from (select ente_id, register_year as year, count(*)::int as n, min(register_number) as min, max(register_number) as max,
                     count(*) filter (where prev_at > published_at)::int as out_of_order
                from (select *, lag(published_at) over (partition by ente_id, register_year order by register_number) as prev_at
                        from notice where status = 'published') s
               group by ente_id, register_year) x
        left join notice_register r on r.ente_id = x.ente_id and r.year = x.year`.execute(t.platform.db.owner);
    assert.ok(rows.length >= 5);
    for (const r of rows) {
      assert.equal(r.min, 1, `register ${r.year} starts at ${r.min}`);
      assert.equal(r.max, r.n, `register ${r.year}: ${r.n} acts but last number ${r.max}`);
      assert.equal(r.last_number, r.max, `counter ${r.year} at ${r.last_number}, last act ${r.max}`);
      assert.equal(r.out_of_order, 0, `register ${r.year}: numbers do not follow publication times`);
    }
  });

  it('publishes on the days of the plan at 10:00 Rome time, drafted shortly before, the act dated a few days before', async () => {
    const { rows } = await sql<{ publish_from: string; act_date: string | null; published_at: Date; created_at: Date; register_year: number }>`
      select publish_from, act_date, published_at, created_at, register_year from notice where status = 'published'`.execute(t.platform.db.owner);
    for (const r of rows) {
      assert.ok(r.created_at < r.published_at, 'written before it was published');
      assert.equal(todayInRome(r.published_at), r.publish_from);
      assert.equal(Number(r.publish_from.slice(0, 4)), r.register_year);
      if (r.publish_from < today) {
        const ten = romeTime(r.publish_from, 10).getTime();
        assert.ok(r.published_at.getTime() >= ten && r.published_at.getTime() < ten + 60 * 60_000, `published at ${r.published_at.toISOString()}`);
      }
      assert.ok(r.act_date && r.act_date <= r.publish_from && r.act_date >= addDays(r.publish_from, -10), `act of ${r.act_date} published ${r.publish_from}`);
    }
  });

  it('has acts online today and many expired ones, as the public sees them', async () => {
    for (const { slug } of DEMO_ALBO_COMUNI) {
      const enteId = await id(slug);
      const online = await publicList(t.platform.db.app, enteId, { limit: 100, offset: 0 });
      assert.ok(online.total >= 2, `${slug}: ${online.total} acts online`);
      assert.ok(online.items.every((v) => v.state === 'online'));
      const { rows } = await sql<{ id: string }>`
        select id from notice where ente_id = ${enteId} and status = 'published' and effective_to < ${today}::date`.execute(t.platform.db.owner);
      assert.ok(rows.length > online.total, `${slug}: ${rows.length} expired, ${online.total} online`);
      assert.equal(await publicDetail(t.platform.db.app, enteId, rows[0]!.id), 'gone');
    }
  });

  it('stores a real PDF for every act, without personal data', async () => {
    const { rows } = await sql<{ n: number; docs: number; findings: number }>`
      select count(*)::int as n, count(d.notice_id)::int as docs, count(*) filter (where n.privacy_findings <> '[]'::jsonb)::int as findings
        from notice n left join notice_document d on d.ente_id = n.ente_id and d.notice_id = n.id and d.role = 'main'`.execute(t.platform.db.owner);
    assert.equal(rows[0]!.docs, rows[0]!.n);
    assert.equal(rows[0]!.findings, 0);
    if (seededHere) {
      // (A template's data dir is not the test's: the bytes are only here when this test seeded.)
      const enteId = await id('asti');
      const [act] = (await publicList(t.platform.db.app, enteId, { limit: 1, offset: 0 })).items;
      const file = await publicFile(t.platform, enteId, act!.id, act!.documents[0]!.sha256);
      assert.ok(file && file !== 'gone');
      assert.equal(file.bytes.subarray(0, 5).toString('latin1'), '%PDF-');
    }
  });

  it('has exactly one annulled act, still online with its reason', async () => {
    const { rows } = await sql<{ ente_id: string; id: string; annulled_on: string }>`
      select ente_id, id, annulled_on::text from notice where annulled_on is not null`.execute(t.platform.db.owner);
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.ente_id, await id('canelli'));
    const view = await publicDetail(t.platform.db.app, rows[0]!.ente_id, rows[0]!.id);
    assert.ok(view && view !== 'gone');
    assert.equal(view.annulment?.on, rows[0]!.annulled_on);
    assert.match(view.annulment!.reason, /revocata/);
  });

  it('has exactly one correction, linked both ways to its original on the same albo', async () => {
    const { rows } = await sql<{ ente_id: string; id: string; corrects_id: string }>`
      select ente_id, id, corrects_id from notice where corrects_id is not null`.execute(t.platform.db.owner);
    assert.equal(rows.length, 1);
    const { ente_id: enteId, id: correctionId, corrects_id: originalId } = rows[0]!;
    assert.equal(enteId, await id('nizza-monferrato'));
    const correction = await staffDetail(t.platform.db.app, enteId, correctionId);
    const original = await staffDetail(t.platform.db.app, enteId, originalId);
    assert.ok(correction && original);
    assert.equal(correction.corrects?.id, originalId);
    assert.equal(correction.corrects?.label, original.register!.label);
    assert.deepEqual(original.correctedBy.map((c) => c.id), [correctionId]);
    assert.ok(original.publishFrom! < correction.publishFrom!);
    assert.ok(original.register!.number < correction.register!.number || original.register!.year < correction.register!.year);
  });

  it("publishes the union's act on its seat comune's albo, with the union as requester", async () => {
    const [unionId, seatId] = [await id(DEMO_UNION.slug), await id(DEMO_UNION.seat)];
    const { rows } = await sql<{ id: string; request_id: number | null; status: string; notice_id: string | null }>`
      select n.id, n.request_id, r.status, r.notice_id
        from notice n left join notice_request r on r.ente_id = n.ente_id and r.id = n.request_id
       where n.ente_id = ${seatId} and n.requester_ente_id = ${unionId}`.execute(t.platform.db.owner);
    assert.equal(rows.length, 1);
    assert.ok(rows[0]!.request_id);
    assert.equal(rows[0]!.status, 'published');
    assert.equal(rows[0]!.notice_id, rows[0]!.id);
    const view = await publicDetail(t.platform.db.app, seatId, rows[0]!.id);
    assert.ok(view && view !== 'gone', 'online today');
    assert.deepEqual(view.requester, { name: 'Unione dei Colli Divini nel Cuore del Monferrato', enteId: unionId });
    assert.equal(view.register?.number, 1);
  });
});
