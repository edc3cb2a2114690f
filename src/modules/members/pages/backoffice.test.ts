// Back-office pages of the members module: who may see and change what, CSRF on every form post, and the
// forms that record adhesions, services and memberships through the service layer.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestPlatform, type TestPlatform } from '../../../../test/support/platform.js';
import { form, login, postForm, type Browser } from '../../../../test/support/http.js';
import { todayInRome } from '../../../platform/tenancy/index.js';

describe('members back office: permissions and forms', () => {
  let t: TestPlatform;
  let cst: Browser;
  let asti: Browser;
  let nizza: Browser;

  const enteId = async (slug: string) => (await t.platform.db.owner.selectFrom('ente').select('id').where('slug', '=', slug).executeTakeFirstOrThrow()).id;
  const servicesOfEnte = async (slug: string) =>
    t.platform.db.owner.selectFrom('ente_service').selectAll().where('ente_id', '=', await enteId(slug)).orderBy('id').execute();
  const get = (browser: Browser, url: string) => t.app.inject({ method: 'GET', url, headers: { cookie: browser.cookie } });
  const apiEnte = async (slug: string) => (await t.app.inject({ method: 'GET', url: `/api/v1/enti/${slug}` })).json();

  before(async () => {
    t = await startTestPlatform();
    [cst, asti, nizza] = await Promise.all([login(t.app, 'admin@cst.demo'), login(t.app, 'admin@asti.demo'), login(t.app, 'operatore@nizza-monferrato.demo')]);
  });
  after(async () => {
    await t?.close();
  });

  test('ente admin: the dashboard lists the enti of the grants with role; CST pages are forbidden', async () => {
    const home = await get(asti, '/backoffice/');
    assert.equal(home.statusCode, 200);
    assert.match(home.body, /<h2 id="miei-enti">I tuoi enti<\/h2>/);
    assert.match(home.body, /<a href="\/backoffice\/enti\/asti">Asti<\/a>/);
    assert.match(home.body, /Amministratore dell(&#39;|')ente/);
    assert.ok(!home.body.includes('/backoffice/adesioni'));
    for (const url of ['/backoffice/adesioni', '/backoffice/adesioni.csv', '/backoffice/adesioni.xlsx']) {
      const res = await get(asti, url);
      assert.equal(res.statusCode, 403, url);
      assert.match(res.body, /Accesso negato/);
    }
  });

  test("operator: sees its ente read-only with role and module", async () => {
    const home = await get(nizza, '/backoffice/');
    assert.match(home.body, /Operatore · Albo pretorio online/);
    const page = await get(nizza, '/backoffice/enti/nizza-monferrato');
    assert.equal(page.statusCode, 200);
    assert.ok(!page.body.includes('action="/backoffice/enti/nizza-monferrato/servizi"'));
    assert.ok(!page.body.includes('action="/backoffice/enti/nizza-monferrato/adesione"'));
    assert.match(page.body, /Solo gli amministratori/);
  });

  test("another ente's page is forbidden, and the denial is audited on that ente", async () => {
    const res = await get(asti, '/backoffice/enti/nizza-monferrato');
    assert.equal(res.statusCode, 403);
    assert.match(res.body, /Accesso negato/);
    const rows = await t.platform.db.owner
      .selectFrom('audit_log')
      .select(['action', 'actor_label', 'entity_id'])
      .where('ente_id', '=', await enteId('nizza-monferrato'))
      .where('action', '=', 'access.denied')
      .execute();
    assert.ok(rows.some((r) => r.actor_label === 'admin@asti.demo' && r.entity_id === 'ente.read'));
    assert.equal((await get(asti, '/backoffice/enti/non-esiste')).statusCode, 404);
  });

  test("a write on another ente's services is refused and changes nothing", async () => {
    const before = await servicesOfEnte('nizza-monferrato');
    const res = await postForm(t.app, asti, '/backoffice/enti/nizza-monferrato/servizi', { action: 'deactivate', code: 'helpdesk', date: todayInRome() });
    assert.equal(res.statusCode, 403);
    assert.deepEqual(await servicesOfEnte('nizza-monferrato'), before);
    // an operator may not manage services of its own ente either
    const op = await postForm(t.app, nizza, '/backoffice/enti/nizza-monferrato/servizi', { action: 'deactivate', code: 'helpdesk', date: todayInRome() });
    assert.equal(op.statusCode, 403);
    assert.deepEqual(await servicesOfEnte('nizza-monferrato'), before);
    // and an ente admin may not record adhesions (CST only)
    const adh = await postForm(t.app, asti, '/backoffice/enti/asti/adesione', { action: 'withdraw', date: todayInRome(), basis: 'Delibera n. 1' });
    assert.equal(adh.statusCode, 403);
  });

  test('a form post without the CSRF token is refused', async () => {
    const before = await servicesOfEnte('asti');
    const res = await t.app.inject({
      method: 'POST',
      url: '/backoffice/enti/asti/servizi',
      headers: { cookie: asti.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: form({ action: 'deactivate', code: 'helpdesk', date: todayInRome() }),
    });
    assert.equal(res.statusCode, 403);
    assert.match(res.body, /Il modulo è scaduto o non è valido/);
    assert.deepEqual(await servicesOfEnte('asti'), before);
  });

  test('ente admin deactivates and reactivates a service of its ente', async () => {
    const page = await get(asti, '/backoffice/enti/asti');
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /action="\/backoffice\/enti\/asti\/servizi"/);
    assert.match(page.body, /<label for="servizio-helpdesk-data" class="visually-hidden">Data di disattivazione di Assistenza e tecnico on-site<\/label>/);
    const today = todayInRome();

    const off = await postForm(t.app, asti, '/backoffice/enti/asti/servizi', { action: 'deactivate', code: 'helpdesk', date: today });
    assert.equal(off.statusCode, 303);
    assert.equal(off.headers.location, '/backoffice/enti/asti?esito=servizio-disattivato');
    let api = await apiEnte('asti');
    assert.ok(!api.services.current.some((s: { code: string }) => s.code === 'helpdesk'));
    const shown = await get(asti, off.headers.location as string);
    assert.match(shown.body, /role="status">Servizio disattivato\./);

    const on = await postForm(t.app, asti, '/backoffice/enti/asti/servizi', { action: 'activate', code: 'helpdesk', date: today });
    assert.equal(on.statusCode, 303);
    assert.equal(on.headers.location, '/backoffice/enti/asti?esito=servizio-attivato');
    api = await apiEnte('asti');
    assert.ok(api.services.current.some((s: { code: string }) => s.code === 'helpdesk'));

    // activating it again overlaps: 409, page re-rendered with the message and the date kept
    const again = await postForm(t.app, asti, '/backoffice/enti/asti/servizi', { action: 'activate', code: 'helpdesk', date: '2030-01-02' });
    assert.equal(again.statusCode, 409);
    assert.match(again.body, /role="alert"/);
    assert.match(again.body, /è già attivo/);
    assert.match(again.body, /id="servizio-helpdesk-data" name="date" value="2030-01-02"/);

    const bad = await postForm(t.app, asti, '/backoffice/enti/asti/servizi', { action: 'deactivate', code: 'helpdesk', date: '2024-02-30' });
    assert.equal(bad.statusCode, 422);
    assert.match(bad.body, /Indicare una data valida/);

    const audit = await t.platform.db.owner.selectFrom('audit_log').select('action').where('ente_id', '=', await enteId('asti')).where('actor_label', '=', 'admin@asti.demo').execute();
    assert.ok(audit.some((a) => a.action === 'service.deactivate'));
    assert.ok(audit.some((a) => a.action === 'service.activate'));
  });

  test('CST records a subsequent adhesion: refused without the act, accepted with it', async () => {
    const page = await get(cst, '/backoffice/enti/canelli');
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /in attesa/);
    assert.match(page.body, /action="\/backoffice\/enti\/canelli\/adesione"/);
    // a pending ente may not activate services: the page offers no activation form
    assert.match(page.body, /non aderisce al protocollo del CST: potrà attivare i servizi/);
    assert.ok(!page.body.includes('action="/backoffice/enti/canelli/servizi"'));

    const refused = await postForm(t.app, cst, '/backoffice/enti/canelli/adesione', { action: 'adhere', date: '2024-03-01', basis: '', note: 'nota di prova' });
    assert.equal(refused.statusCode, 422);
    assert.match(refused.body, /<div class="alert alert-danger" role="alert"/);
    assert.match(refused.body, /adesione è successiva: indicare l(&#39;|')atto di adesione/);
    assert.match(refused.body, /id="adesione-data" name="date" value="2024-03-01"/);
    assert.match(refused.body, />nota di prova<\/textarea>/);
    assert.equal((await apiEnte('canelli')).adhesion.status, 'pending');

    const ok = await postForm(t.app, cst, '/backoffice/enti/canelli/adesione', { action: 'adhere', date: '2024-03-01', basis: 'Delibera C.C. n. 5 del 01/03/2024', note: '' });
    assert.equal(ok.statusCode, 303);
    assert.equal(ok.headers.location, '/backoffice/enti/canelli?esito=adesione-registrata');
    const api = await apiEnte('canelli');
    assert.equal(api.adhesion.status, 'signed');
    assert.equal(api.adhesion.since, '2024-03-01');
    const after = await get(cst, ok.headers.location as string);
    assert.match(after.body, /Adesione registrata\./);
    assert.match(after.body, /Adesione successiva/);
    assert.match(after.body, /Delibera C\.C\. n\. 5 del 01\/03\/2024/);
    assert.match(after.body, /action="\/backoffice\/enti\/canelli\/servizi"/);
    assert.ok(!after.body.includes('id="modulo-adesione"'), 'an adhering ente gets no adhesion form');
    assert.ok(after.body.includes('id="modulo-recesso"'), 'an adhering ente gets the withdrawal form');
  });

  test('CST records joining and leaving a union', async () => {
    const join = await postForm(t.app, cst, '/backoffice/enti/asti/appartenenze', { action: 'join', parent: 'unione-vigne-e-vini', date: '2024-01-01', source: 'Delibera di prova' });
    assert.equal(join.statusCode, 303);
    assert.equal(join.headers.location, '/backoffice/enti/asti?esito=ingresso-registrato');
    let api = await apiEnte('asti');
    assert.ok(api.memberships.current.some((m: { parent: { slug: string } }) => m.parent.slug === 'unione-vigne-e-vini'));

    const early = await postForm(t.app, cst, '/backoffice/enti/asti/appartenenze', { action: 'leave', parent: 'unione-vigne-e-vini', date: '2023-12-31' });
    assert.equal(early.statusCode, 422);
    assert.match(early.body, /La data di uscita deve seguire la data di ingresso/);

    const unknown = await postForm(t.app, cst, '/backoffice/enti/asti/appartenenze', { action: 'join', parent: 'non-esiste', date: '2024-01-01' });
    assert.equal(unknown.statusCode, 422);
    assert.match(unknown.body, /Ente di appartenenza sconosciuto/);

    const leave = await postForm(t.app, cst, '/backoffice/enti/asti/appartenenze', { action: 'leave', parent: 'unione-vigne-e-vini', date: '2024-06-30' });
    assert.equal(leave.statusCode, 303);
    api = await apiEnte('asti');
    assert.ok(api.memberships.past.some((m: { parent: { slug: string }; validTo: string }) => m.parent.slug === 'unione-vigne-e-vini' && m.validTo === '2024-06-30'));
  });
});
