// The network API against the demo seed: filters, pagination, errors that name the field, the ente's card
// with current and past memberships, and rules enforced by the service (concurrency included).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestPlatform, type TestPlatform } from '../../../test/support/platform.js';
import { getEnteBySlug } from '../../platform/tenancy/index.js';
import { joinParent, leaveParent } from '../../platform/tenancy/memberships.js';
import { recordAdhesion } from './service.js';

describe('GET /api/v1/enti', () => {
  let t: TestPlatform;
  before(async () => {
    t = await startTestPlatform();
  });
  after(() => t.close());
  const get = (url: string) => t.app.inject({ method: 'GET', url });

  it('lists the 117 comuni of the demo network', async () => {
    const res = await get('/api/v1/enti?kind=comune&limit=200');
    assert.equal(res.statusCode, 200);
    const body = res.json();
    assert.equal(body.total, 117);
    assert.equal(body.items.length, 117);
    assert.ok(body.items.every((e: { kind: string; istatCode: string }) => e.kind === 'comune' && /^005\d{3}$/.test(e.istatCode)));
    assert.ok(body.items.some((e: { slug: string }) => e.slug === 'moransengo-tonengo'), 'the 2023 merger is there');
    assert.ok(!body.items.some((e: { slug: string }) => e.slug === 'moransengo'), 'the merged comune is not');
  });

  it('paginates with a stable order', async () => {
    const first = (await get('/api/v1/enti?kind=comune&limit=50&offset=0')).json();
    const second = (await get('/api/v1/enti?kind=comune&limit=50&offset=50')).json();
    const third = (await get('/api/v1/enti?kind=comune&limit=50&offset=100')).json();
    assert.equal(first.items.length + second.items.length + third.items.length, 117);
    const slugs = new Set([...first.items, ...second.items, ...third.items].map((e: { slug: string }) => e.slug));
    assert.equal(slugs.size, 117);
    const beyond = (await get('/api/v1/enti?kind=comune&offset=500')).json();
    assert.deepEqual([beyond.total, beyond.items.length], [117, 0]);
  });

  it('filters by parent and by text, accent-insensitively', async () => {
    const members = (await get('/api/v1/enti?parent=unione-val-triversa')).json();
    assert.deepEqual(members.items.map((e: { slug: string }) => e.slug).sort(), ['cantarana', 'castellero', 'cortandone', 'maretto', 'monale', 'roatto']);
    const piova = (await get('/api/v1/enti?q=piova')).json();
    assert.deepEqual(piova.items.map((e: { name: string }) => e.name), ['Piovà Massaia']);
    const byIstat = (await get('/api/v1/enti?q=005080')).json();
    assert.deepEqual(byIstat.items.map((e: { slug: string }) => e.slug), ['nizza-monferrato']);
    const unions = (await get('/api/v1/enti?kind=unione')).json();
    assert.ok(unions.total >= 10);
  });

  it('answers malformed parameters with 400 problem+json naming the field', async () => {
    for (const [url, field] of [
      ['/api/v1/enti?kind=citta', 'kind'],
      ['/api/v1/enti?limit=0', 'limit'],
      ['/api/v1/enti?limit=abc', 'limit'],
      ['/api/v1/enti?offset=-1', 'offset'],
      ['/api/v1/enti?parent=NOT%20A%20SLUG', 'parent'],
    ] as const) {
      const res = await get(url);
      assert.equal(res.statusCode, 400, url);
      assert.match(res.headers['content-type'] as string, /^application\/problem\+json/);
      const body = res.json();
      assert.equal(body.status, 400);
      assert.ok(body.errors.some((e: { field: string }) => e.field === field), `${url} names ${field}: ${JSON.stringify(body)}`);
      assert.match(body.detail, new RegExp(field));
    }
    const unknownParent = await get('/api/v1/enti?parent=atlantide');
    assert.equal(unknownParent.statusCode, 404);
  });

  it('gives the card of an ente with memberships, adhesion and services', async () => {
    const asti = (await get('/api/v1/enti/asti')).json();
    assert.equal(asti.name, 'Asti');
    assert.equal(asti.istatCode, '005005');
    assert.equal(asti.adhesion.status, 'signed');
    assert.ok(asti.services.current.some((s: { code: string }) => s.code === 'noticeboard'));
    assert.deepEqual(asti.memberships.current.map((m: { parent: { slug: string } }) => m.parent.slug), ['provincia-di-asti']);
    const frinco = (await get('/api/v1/enti/frinco')).json();
    assert.equal(frinco.adhesion.status, 'excluded');
    assert.equal(frinco.adhesion.via.slug, 'unione-comunita-collinare-val-rilate');
    assert.deepEqual(frinco.services.current, []);
    const monale = (await get('/api/v1/enti/monale')).json();
    assert.equal(monale.adhesion.status, 'signed');
    assert.equal(monale.adhesion.via.slug, 'unione-val-triversa');
    const union = (await get('/api/v1/enti/unione-dei-colli-divini-nel-cuore-del-monferrato')).json();
    assert.equal(union.seat.slug, 'scurzolengo');
    assert.equal(union.members.length, 6);
  });

  it('404 problem+json for an unknown ente', async () => {
    const res = await get('/api/v1/enti/atlantide');
    assert.equal(res.statusCode, 404);
    assert.match(res.headers['content-type'] as string, /^application\/problem\+json/);
    assert.equal(res.json().status, 404);
  });

  it('keeps the history when a comune changes union', async () => {
    const db = t.platform.db.app;
    const castellero = (await getEnteBySlug(db, 'castellero'))!;
    const triversa = (await getEnteBySlug(db, 'unione-val-triversa'))!;
    const pianalto = (await getEnteBySlug(db, 'unione-pianalto-astigiano'))!;
    const actor = { id: null, label: 'test' };
    await leaveParent(db, actor, { enteId: castellero.id, parentId: triversa.id, validTo: '2024-01-01' });
    await joinParent(db, actor, { enteId: castellero.id, parentId: pianalto.id, validFrom: '2024-01-01', source: 'test' });
    await assert.rejects(joinParent(db, actor, { enteId: castellero.id, parentId: pianalto.id, validFrom: '2025-01-01' }), /già parte/);
    const card = (await get('/api/v1/enti/castellero')).json();
    assert.deepEqual(card.memberships.current.map((m: { parent: { slug: string } }) => m.parent.slug).sort(), ['provincia-di-asti', 'unione-pianalto-astigiano']);
    assert.deepEqual(card.memberships.past.map((m: { parent: { slug: string }; validTo: string }) => [m.parent.slug, m.validTo]), [['unione-val-triversa', '2024-01-01']]);
    assert.equal(card.adhesion.via.slug, 'unione-pianalto-astigiano');
    const audit = await t.platform.db.owner.selectFrom('audit_log').select('action').where('ente_id', '=', castellero.id).where('action', 'like', 'membership.%').execute();
    assert.deepEqual(audit.map((a) => a.action).sort(), ['membership.join', 'membership.leave']);
  });

  it('records one adhesion when two clerks submit at once', async () => {
    const canelli = (await getEnteBySlug(t.platform.db.app, 'canelli'))!;
    const results = await Promise.allSettled(
      Array.from({ length: 5 }, () => recordAdhesion(t.platform.db.app, { id: null, label: 'test' }, canelli.id, { date: '2011-02-01', basis: 'Delibera C.C. n. 4 del 20/01/2011' })),
    );
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    assert.ok(results.filter((r) => r.status === 'rejected').every((r) => /già aderito/.test(String((r as PromiseRejectedResult).reason))));
    const card = (await get('/api/v1/enti/canelli')).json();
    assert.equal(card.adhesion.status, 'signed');
    assert.equal(card.adhesion.since, '2011-02-01');
  });

  it('publishes the API in OpenAPI 3.1', async () => {
    const spec = (await get('/api/openapi.json')).json();
    assert.equal(spec.openapi, '3.1.0');
    assert.ok(spec.paths['/api/v1/enti']);
    assert.ok(spec.paths['/api/v1/enti/{slug}']);
    const docs = await get('/api/docs/');
    assert.equal(docs.statusCode, 200);
  });
});
