// The messaging back office and API on the demo network: access (anonymous → login / 401, other enti's staff →
// 403 audited and nothing leaked), targeting (a comune only itself, the CST several comuni), compose → preview →
// send with workers off then planning and statistics, refusals shown in Italian with nothing sent (2,000-character
// SMS, unknown placeholder), templates, the CSV/XLSX statistics and the CAP export validated by xmllint.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import ExcelJS from 'exceljs';
import { login, postForm, type Browser } from '../../../../test/support/http.js';
import { startTestPlatform, type TestPlatform } from '../../../../test/support/platform.js';
import { addDays, todayInRome } from '../../../platform/calendar/index.js';
import { withEnte } from '../../../platform/db/index.js';
import { getEnteBySlug } from '../../../platform/tenancy/index.js';
import { assertValidCap } from '../cap/fixtures/xmllint.js';
import { planDispatch } from '../engine.js';

const BASE = '/backoffice/enti/asti/messaggi';
const API = '/api/v1/enti/asti/messaggi';

describe('messaging back office and API', () => {
  let t: TestPlatform;
  let asti: Browser;
  let cst: Browser;
  let canelliStaff: Browser;
  let nizzaOperator: Browser;
  const ids: Record<string, string> = {};

  before(async () => {
    t = await startTestPlatform();
    [asti, cst, canelliStaff, nizzaOperator] = await Promise.all([login(t.app, 'admin@asti.demo'), login(t.app, 'admin@cst.demo'), login(t.app, 'segreteria@canelli.demo'), login(t.app, 'operatore@nizza-monferrato.demo')]);
    for (const slug of ['asti', 'canelli', 'nizza-monferrato', 'provincia-di-asti']) ids[slug] = (await getEnteBySlug(t.platform.db.owner, slug))!.id;
  });
  after(async () => t?.close());

  const get = (who: Browser | null, url: string) => t.app.inject({ method: 'GET', url, headers: who ? { cookie: who.cookie } : {} });
  const api = (who: Browser | null, method: 'GET' | 'POST', url: string, payload?: unknown) =>
    t.app.inject({ method, url, headers: { ...(who ? { cookie: who.cookie } : {}), ...(method === 'POST' ? { 'content-type': 'application/json' } : {}) }, ...(method === 'POST' ? { payload: JSON.stringify(payload ?? {}) } : {}) });
  const messageCount = async () => Number((await t.platform.db.owner.selectFrom('msg_message').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  const demoMessage = async () => (await t.platform.db.owner.selectFrom('msg_message').select(['id', 'title']).where('ente_id', '=', ids.asti!).where('urgent', '=', true).orderBy('created_at').executeTakeFirstOrThrow());
  const fields = (over: Record<string, string> = {}) => ({ titolo: 'Lavori in {{via}}', testo: 'Il {{data}} lavori in {{via}}.', segnaposto_via: 'via Roma', segnaposto_data: '01/12/2026', argomento_viabilita: 'si', canale_sms: 'si', canale_email: 'si', canale_appio: 'si', ...over });

  it('seeds templates and a sent urgent alert in Asti with planned deliveries', async () => {
    const templates = await t.platform.db.owner.selectFrom('msg_template').select('name').where('ente_id', '=', ids.asti!).execute();
    assert.deepEqual(templates.map((x) => x.name).sort(), ['Allerta meteo', 'Chiusura strada', 'Raccolta rifiuti']);
    const demo = await demoMessage();
    const deliveries = await t.platform.db.owner.selectFrom('msg_delivery as d').innerJoin('msg_dispatch as p', (j) => j.onRef('p.ente_id', '=', 'd.ente_id').onRef('p.id', '=', 'd.dispatch_id')).select((eb) => eb.fn.countAll<number>().as('n')).where('p.message_id', '=', demo.id).executeTakeFirstOrThrow();
    assert.ok(Number(deliveries.n) > 50, `deliveries: ${deliveries.n}`);
    const page = await get(asti, `${BASE}/${demo.id}`);
    assert.equal(page.statusCode, 200);
    assert.match(page.headers.refresh as string, /^10; url=/, 'refreshes without JavaScript while going out');
    assert.match(page.body, /<svg[^>]+role="img"/);
    assert.match(page.body, /id="tabella-enti"/);
    const stopped = await get(asti, `${BASE}/${demo.id}?aggiorna=no`);
    assert.equal(stopped.headers.refresh, undefined);
    const list = await get(asti, BASE);
    assert.match(list.body, new RegExp(demo.title.slice(0, 20)));
  });

  it('anonymous → login / 401; other enti\'s staff → 403, audited, nothing leaked', async () => {
    const demo = await demoMessage();
    const pages = [BASE, `${BASE}/nuovo`, `${BASE}/modelli`, `${BASE}/${demo.id}`, `${BASE}/${demo.id}/statistiche.csv`, `${BASE}/${demo.id}/cap.xml`];
    for (const url of pages) {
      const anon = await get(null, url);
      assert.equal(anon.statusCode, 303, url);
      assert.match(anon.headers.location ?? '', /^\/backoffice\/login/);
      for (const who of [canelliStaff, nizzaOperator]) {
        const other = await get(who, url);
        assert.equal(other.statusCode, 403, url);
        assert.doesNotMatch(other.body, /Allerta meteo|Rossi|\+39333/);
      }
    }
    assert.equal((await postForm(t.app, canelliStaff, `${BASE}/anteprima`, fields())).statusCode, 403);
    assert.equal((await postForm(t.app, canelliStaff, BASE, fields())).statusCode, 403);
    for (const [method, url] of [['GET', `${API}/${demo.id}`], ['GET', `${API}/${demo.id}/statistiche`], ['GET', `${API}/${demo.id}/cap.xml`], ['POST', API], ['POST', `${API}/stima`], ['POST', `${API}/${demo.id}/invio`]] as const) {
      const payload = url.endsWith('stima') ? { topics: ['viabilita'], channels: ['sms'], smsText: 'x' } : { title: 'x', body: 'x', topics: ['viabilita'], channels: ['sms'] };
      assert.equal((await api(null, method, url, payload)).statusCode, 401, url);
      const res = await api(canelliStaff, method, url, payload);
      assert.equal(res.statusCode, 403, url);
      assert.match(res.headers['content-type'] ?? '', /problem\+json/);
      assert.doesNotMatch(res.body, /Allerta/);
    }
    assert.equal((await get(asti, '/backoffice/enti/canelli/messaggi')).statusCode, 403, 'Asti staff on Canelli');
    const audit = await t.platform.db.owner.selectFrom('audit_log').select(['actor_label', 'entity_id', 'ente_id']).where('action', '=', 'access.denied').where('entity_id', '=', 'messaging.send').execute();
    assert.ok(audit.some((a) => a.actor_label === 'segreteria@canelli.demo' && a.ente_id === ids.asti));
    assert.ok(audit.some((a) => a.actor_label === 'operatore@nizza-monferrato.demo' && a.ente_id === ids.asti));
    assert.ok(audit.some((a) => a.actor_label === 'admin@asti.demo' && a.ente_id === ids.canelli));
  });

  it('a comune cannot target another comune (403, nothing created); the CST targets several', async () => {
    const before = await messageCount();
    const refused = await postForm(t.app, asti, `${BASE}/anteprima`, fields({ [`destinatario_${ids.canelli}`]: 'si' }));
    assert.equal(refused.statusCode, 403);
    assert.match(refused.body, /id="errore"[\s\S]*non può inviare messaggi/);
    assert.equal((await postForm(t.app, asti, BASE, fields({ [`destinatario_${ids.canelli}`]: 'si' }))).statusCode, 403);
    const viaApi = await api(asti, 'POST', API, { title: 'x', body: 'x', topics: ['viabilita'], channels: ['sms'], targets: ['asti', 'canelli'] });
    assert.equal(viaApi.statusCode, 403, viaApi.body);
    assert.match(viaApi.headers['content-type'] ?? '', /problem\+json/);
    assert.equal(await messageCount(), before);

    const cstBase = '/backoffice/enti/provincia-di-asti/messaggi';
    const form = await get(cst, `${cstBase}/nuovo`);
    assert.match(form.body, new RegExp(`name="destinatario_${ids.canelli}"`));
    const preview = await postForm(t.app, cst, `${cstBase}/anteprima`, fields({ [`destinatario_${ids.asti}`]: 'si', [`destinatario_${ids.canelli}`]: 'si', [`destinatario_${ids['nizza-monferrato']}`]: 'si' }));
    assert.equal(preview.statusCode, 200, preview.body.slice(0, 2000));
    for (const name of ['Asti', 'Canelli', 'Nizza Monferrato']) assert.match(preview.body, new RegExp(`<th scope="row">(Comune di )?${name}</th>`));
    const sent = await postForm(t.app, cst, cstBase, fields({ [`destinatario_${ids.asti}`]: 'si', [`destinatario_${ids.canelli}`]: 'si' }));
    assert.equal(sent.statusCode, 303, sent.body.slice(0, 1000));
    const dispatches = await t.platform.db.owner.selectFrom('msg_dispatch').select(['ente_id']).where('message_ente_id', '=', ids['provincia-di-asti']!).execute();
    assert.deepEqual(dispatches.map((d) => d.ente_id).sort(), [ids.asti, ids.canelli].sort());
    const progress = await get(cst, sent.headers.location!);
    assert.equal(progress.statusCode, 200);
    const cross = await t.platform.db.owner.selectFrom('audit_log').select('action').where('ente_id', '=', ids['provincia-di-asti']!).where('action', 'in', ['messaging.estimate.cross_read', 'messaging.stats.cross_read']).execute();
    assert.deepEqual([...new Set(cross.map((c) => c.action))].sort(), ['messaging.estimate.cross_read', 'messaging.stats.cross_read']);
  });

  it('compose from a template → preview → send; planned with workers off; statistics and exports', async () => {
    const template = await t.platform.db.owner.selectFrom('msg_template').select('id').where('ente_id', '=', ids.asti!).where('name', '=', 'Chiusura strada').executeTakeFirstOrThrow();
    const form = await get(asti, `${BASE}/nuovo?modello=${template.id}`);
    assert.equal(form.statusCode, 200);
    assert.match(form.body, /name="segnaposto_via"/);
    assert.match(form.body, /name="argomento_viabilita"[^>]*checked/);
    assert.match(form.body, /src="\/assets\/messaging\/sms-counter.js"/);
    const script = await get(null, '/assets/messaging/sms-counter.js');
    assert.equal(script.statusCode, 200);
    assert.match(script.body, /"ext":"[^"]*€/);

    const values = { titolo: 'Chiusura di {{via}} il {{data}}', testo: 'Il {{data}} dalle ore {{ora}} {{via}} a {{comune}} sarà chiusa.', testo_sms: '{{comune}}: {{via}} chiusa il {{data}} dalle {{ora}}.', segnaposto_via: 'corso Alfieri', segnaposto_data: '01/12/2026', segnaposto_ora: '09:00', segnaposto_comune: 'Asti', argomento_viabilita: 'si', canale_sms: 'si', canale_email: 'si', canale_appio: 'si', urgente: 'si' };
    const before = await messageCount();
    const preview = await postForm(t.app, asti, `${BASE}/anteprima`, values);
    assert.equal(preview.statusCode, 200, preview.body.slice(0, 2000));
    assert.match(preview.body, /Chiusura di corso Alfieri il 01\/12\/2026/);
    assert.match(preview.body, /1 SMS per destinatario: \d+ caratteri in codifica GSM-7/);
    assert.match(preview.body, /id="costo"/);
    assert.match(preview.body, /urgente: anche nelle ore di silenzio/);
    assert.equal(await messageCount(), before, 'the preview sends nothing');

    const confirmed = await postForm(t.app, asti, BASE, values);
    assert.equal(confirmed.statusCode, 303, confirmed.body.slice(0, 1000));
    const messageId = /messaggi\/([0-9a-f-]{36})\?esito=inviato$/.exec(confirmed.headers.location ?? '')?.[1];
    assert.ok(messageId, confirmed.headers.location);
    const dispatch = await withEnte(t.platform.db.app, ids.asti!, (trx) => trx.selectFrom('msg_dispatch').selectAll().where('message_id', '=', messageId).executeTakeFirstOrThrow());
    assert.equal(dispatch.sms_text, 'Asti: corso Alfieri chiusa il 01/12/2026 dalle 09:00.');
    const planned = await planDispatch(t.platform, ids.asti!, dispatch.id);
    assert.ok(planned > 0);

    const stats = await api(asti, 'GET', `${API}/${messageId}/statistiche`);
    assert.equal(stats.statusCode, 200, stats.body);
    const body = stats.json();
    assert.equal(body.done, false);
    const queued = Object.values(body.perChannel as Record<string, { queued: number }>).reduce((s, c) => s + c.queued, 0);
    assert.equal(queued, planned);
    assert.equal(body.perEnte[0].ente, 'asti');

    const page = await get(asti, `${BASE}/${messageId}`);
    assert.match(page.body, new RegExp(`${planned}</td>`));
    const csv = await get(asti, `${BASE}/${messageId}/statistiche.csv`);
    assert.equal(csv.statusCode, 200);
    assert.match(csv.body, /^\uFEFFEnte;Codice ISTAT;Stato della spedizione;Canale;In coda/);
    assert.match(csv.body, /Asti;005005;In invio;/);
    const xlsx = await get(asti, `${BASE}/${messageId}/statistiche.xlsx`);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
    assert.equal(workbook.getWorksheet('Statistiche')!.getRow(1).getCell(1).value, 'Ente');
    const list = await get(asti, BASE);
    assert.match(list.body, /Chiusura di corso Alfieri/);
  });

  it('refusals: 2,000-character SMS, unknown placeholder, past schedule — Italian alert, 4xx, nothing sent', async () => {
    const before = await messageCount();
    const cases: [Record<string, string>, RegExp][] = [
      [{ testo_sms: 'a'.repeat(2000) }, /Messaggio troppo lungo: 2\.000 caratteri/],
      [{ testo: 'Ciao {{nome}}' }, /Segnaposto sconosciuto: \{\{nome\}\}/],
      [{ segnaposto_via: '' }, /Manca il valore di \{\{via\}\}/],
      [{ invio_data: '2020-01-01', invio_ora: '10:00' }, /già passate/],
      [{ argomento_viabilita: '' }, /almeno un argomento/],
    ];
    for (const [over, message] of cases) {
      for (const url of [`${BASE}/anteprima`, BASE]) {
        const res = await postForm(t.app, asti, url, fields(over));
        assert.ok(res.statusCode >= 400 && res.statusCode < 500, `${url} ${JSON.stringify(over).slice(0, 60)}: ${res.statusCode}`);
        assert.match(res.body, /id="errore"/);
        assert.match(res.body, message);
      }
    }
    assert.equal(await messageCount(), before);
  });

  it('preview tells UCS-2 characters, transliteration and quiet hours', async () => {
    const ucs = await postForm(t.app, asti, `${BASE}/anteprima`, fields({ testo_sms: 'È chiusa 🚧 la via' }));
    assert.equal(ucs.statusCode, 200);
    assert.match(ucs.body, /codifica UCS-2/);
    assert.match(ucs.body, /UCS-2: «È» «🚧»/);
    const gsm = await postForm(t.app, asti, `${BASE}/anteprima`, fields({ testo_sms: 'È chiusa 🚧 la via', traslittera: 'si' }));
    assert.match(gsm.body, /codifica GSM-7/);
    assert.match(gsm.body, /Caratteri traslitterati: «È» → «E(&#39;|')»/);
    const tomorrow = addDays(todayInRome(), 1);
    const quiet = await postForm(t.app, asti, `${BASE}/anteprima`, fields({ invio_data: tomorrow, invio_ora: '23:00' }));
    assert.match(quiet.body, new RegExp(`Ore di silenzio: il messaggio partirà il ${addDays(tomorrow, 1).split('-').reverse().join('/')}, 08:00`));
  });

  it('templates: created with known placeholders, refused with unknown ones', async () => {
    const ok = await postForm(t.app, asti, `${BASE}/modelli`, { nome: 'Scuole chiuse', titolo: 'Scuole chiuse il {{data}}', testo: 'Il {{data}} le scuole di {{comune}} restano chiuse.', argomento_scuola: 'si' });
    assert.equal(ok.statusCode, 303, ok.body.slice(0, 1000));
    const list = await get(asti, `${BASE}/modelli`);
    assert.match(list.body, /Scuole chiuse/);
    const bad = await postForm(t.app, asti, `${BASE}/modelli`, { nome: 'Sbagliato', titolo: 'Ciao {{sindaco}}', testo: 'x' });
    assert.equal(bad.statusCode, 422);
    assert.match(bad.body, /Segnaposto sconosciuto: \{\{sindaco\}\}/);
    const dup = await postForm(t.app, asti, `${BASE}/modelli`, { nome: 'Scuole chiuse', titolo: 'x', testo: 'x' });
    assert.equal(dup.statusCode, 409);
  });

  it('CAP export of civil-protection alerts validates against the schema, escaping included', async () => {
    const demo = await demoMessage();
    const seeded = await get(asti, `${BASE}/${demo.id}/cap.xml`);
    assert.equal(seeded.statusCode, 200);
    assert.match(seeded.headers['content-type'] ?? '', /application\/xml/);
    assertValidCap(seeded.body);
    assert.match(seeded.body, /<valueName>ISTAT<\/valueName>\s*<value>005005<\/value>/);

    const res = await postForm(t.app, cst, '/backoffice/enti/provincia-di-asti/messaggi', fields({
      titolo: 'Esondazione "Tanaro" & Belbo < soglia: città', testo: 'Evacuare <subito> le zone & i piani terra: è urgente.', argomento_viabilita: '', 'argomento_protezione-civile': 'si',
      [`destinatario_${ids.asti}`]: 'si', [`destinatario_${ids.canelli}`]: 'si', cap_categoria: 'Met', cap_evento: 'Piena & esondazione', cap_urgenza: 'Immediate', cap_gravita: 'Extreme', cap_certezza: 'Observed', cap_scadenza_data: addDays(todayInRome(), 2),
    }));
    assert.equal(res.statusCode, 303, res.body.slice(0, 1500));
    const id = /messaggi\/([0-9a-f-]{36})/.exec(res.headers.location!)![1]!;
    const xml = (await api(cst, 'GET', `/api/v1/enti/provincia-di-asti/messaggi/${id}/cap.xml`)).body;
    assertValidCap(xml);
    assert.match(xml, /<headline>Esondazione &quot;Tanaro&quot; &amp; Belbo &lt; soglia: città<\/headline>/);
    assert.match(xml, /<areaDesc>(Comune di )?Asti, (Comune di )?Canelli<\/areaDesc>/);
    assert.match(xml, /<sent>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0[12]:00<\/sent>/);

    const plain = await api(asti, 'POST', API, { title: 'Festa', body: 'Festa in piazza', topics: ['eventi'], channels: ['email'] });
    assert.equal(plain.statusCode, 201, plain.body);
    assert.equal((await get(asti, `${BASE}/${plain.json().id}/cap.xml`)).statusCode, 409);
  });

  it('JSON API: draft, estimate, send, stats; bad input as problem+json', async () => {
    const est = await api(asti, 'POST', `${API}/stima`, { topics: ['viabilita'], channels: ['sms', 'email', 'appio'], smsText: 'Strada chiusa' });
    assert.equal(est.statusCode, 200, est.body);
    assert.equal(est.json().sms.encoding, 'gsm7');
    assert.equal(est.json().perEnte[0].ente, 'asti');
    assert.ok(est.json().cost.centsMax >= est.json().cost.centsMin);
    const created = await api(asti, 'POST', API, { title: 'Chiusura', body: 'Via Roma chiusa', topics: ['viabilita'], channels: ['sms', 'email'], urgent: true });
    assert.equal(created.statusCode, 201, created.body);
    assert.equal(created.json().state, 'draft');
    const sent = await api(asti, 'POST', `${API}/${created.json().id}/invio`);
    assert.equal(sent.statusCode, 202, sent.body);
    assert.equal(sent.json().dispatches, 1);
    assert.equal((await api(asti, 'POST', `${API}/${created.json().id}/invio`)).statusCode, 202, 'a repeated send completes nothing twice');
    assert.equal((await api(asti, 'GET', `${API}/${created.json().id}`)).json().state, 'queued');
    const cases: [unknown, number, RegExp][] = [
      [{ title: 'x', body: 'x', topics: ['viabilita'], channels: ['fax'] }, 400, /channels/],
      [{ title: '', body: 'x', topics: ['viabilita'], channels: ['sms'] }, 400, /title/],
      [{ title: 'x', body: 'x', smsText: 'a'.repeat(2000), topics: ['viabilita'], channels: ['sms'] }, 422, /troppo lungo/],
      [{ title: 'x', body: 'x', topics: ['nope'], channels: ['sms'] }, 422, /Argomento sconosciuto/],
      [{ title: 'x', body: 'x', topics: ['viabilita'], channels: ['sms'], cap: { category: 'Met', event: 'x', urgency: 'Immediate', severity: 'Severe', certainty: 'Likely' } }, 422, /CAP/],
    ];
    for (const [payload, status, detail] of cases) {
      const res = await api(asti, 'POST', API, payload);
      assert.equal(res.statusCode, status, res.body);
      assert.match(res.headers['content-type'] ?? '', /application\/problem\+json/);
      assert.match(res.body, detail);
    }
    assert.equal((await api(asti, 'GET', `${API}/00000000-0000-4000-8000-000000000000`)).statusCode, 404);
  });
});
