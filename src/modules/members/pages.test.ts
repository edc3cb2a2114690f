// Pages of the members module on the demo network: the CST home, the portals, the back-office dashboard and
// the adhesion dashboard with its CSV and XLSX exports.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import { startTestPlatform, type TestPlatform } from '../../../test/support/platform.js';
import { login, type Browser } from '../../../test/support/http.js';
import { slugify } from '../../platform/tenancy/index.js';
import { csvCell, toCsv } from './pages/exports.js';
import { initials } from './pages/common.js';
import { groupNetwork } from './pages/public.js';

const seedComuni = (parse(fs.readFileSync(path.join(import.meta.dirname, 'seed', 'comuni.csv')), { columns: true }) as { name: string }[]).map((r) => r.name);

/** The <li> of the home list that links to `slug` (first occurrence). */
function rowOf(html: string, slug: string): string {
  const at = html.indexOf(`<a href="/${slug}/"`);
  assert.ok(at >= 0, `no link to /${slug}/`);
  const start = html.lastIndexOf('<li', at);
  return html.slice(start, html.indexOf('</li>', at));
}

describe('members pages: public', () => {
  let t: TestPlatform;
  before(async () => {
    t = await startTestPlatform();
  });
  after(async () => {
    await t?.close();
  });

  test('home lists the whole network grouped by union / comunità montana', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/' });
    assert.equal(res.statusCode, 200);
    assert.match(res.headers['content-type'] as string, /text\/html/);
    const html = res.body;
    assert.match(html, /<html lang="it">/);
    assert.match(html, /<h1>La rete degli enti<\/h1>/);
    assert.match(html, /La rete conta 131 enti\./);
    assert.equal(seedComuni.length, 117);
    for (const name of seedComuni) assert.ok(html.includes(`href="/${slugify(name)}/"`), `home has no link to ${name}`);
    assert.match(html, /<h2 id="gruppo-unione-comunita-collinare-val-rilate" class="h3">Unione Comunità Collinare Val Rilate<\/h2>/);
    assert.match(html, /<h2[^>]*>Comuni non associati<\/h2>/);
    assert.match(html, /<h2[^>]*>Provincia, unioni e comunità montane<\/h2>/);
    assert.match(rowOf(html, 'frinco'), /badge bg-danger">escluso</);
    assert.match(rowOf(html, 'asti'), />aderente</);
    assert.match(rowOf(html, 'provincia-di-asti'), />Provincia</);
    assert.match(rowOf(html, 'canelli'), />in attesa</);
    // no cookie for an anonymous reader of a page without forms
    assert.equal(res.headers['set-cookie'], undefined);
  });

  test('groups: each union lists its members; comuni in no union are together', async () => {
    const { networkOn } = await import('./service.js');
    const { entries } = await networkOn(t.platform.db.app);
    const groups = groupNetwork(entries);
    const valRilate = groups.find((g) => g.title === 'Unione Comunità Collinare Val Rilate');
    assert.ok(valRilate?.entries.some((e) => e.ente.slug === 'frinco'));
    const alone = groups.find((g) => g.id === 'gruppo-non-associati');
    assert.ok(alone && alone.entries.every((e) => e.ente.kind === 'comune' && e.associations.length === 0));
    const listed = new Set(groups.flatMap((g) => g.entries.map((e) => e.ente.id)));
    assert.equal(listed.size, 131);
  });

  test('search matches names without accents', async () => {
    for (const q of ['piova', 'PIOVÀ', 'piovà mass']) {
      const res = await t.app.inject({ method: 'GET', url: `/?q=${encodeURIComponent(q)}` });
      assert.equal(res.statusCode, 200);
      assert.match(res.body, /href="\/piova-massaia\/"[^>]*>Piovà Massaia</, q);
      assert.match(res.body, /1 ente trovato per/, q);
      assert.ok(!res.body.includes('href="/asti/"'), q);
    }
    const none = await t.app.inject({ method: 'GET', url: '/?q=zzzz' });
    assert.match(none.body, /Nessun ente corrisponde a «zzzz»/);
    const escaped = await t.app.inject({ method: 'GET', url: `/?q=${encodeURIComponent('<script>')}` });
    assert.ok(!escaped.body.includes('<script>alert') && escaped.body.includes('&lt;script>'));
  });

  test('portal of a comune: branding, codes, memberships, adhesion and services', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/asti/' });
    assert.equal(res.statusCode, 200);
    const html = res.body;
    assert.match(html, /<h1 class="mb-1">Asti<\/h1>/);
    assert.match(html, /aria-hidden="true"[^>]*>AS<\/span>/);
    assert.match(html, /005005/);
    assert.match(html, /<h2 id="servizi">Servizi attivi<\/h2>/);
    assert.match(html, /<h3 class="card-title h5">Assistenza e tecnico on-site<\/h3>/);
    assert.match(html, />aderente</);
    assert.match(html, /href="\/provincia-di-asti\/"/);
  });

  test('portal of a union lists its members and its seat; pending adhesion shows the deadline', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/unione-tra-langa-e-monferrato/' });
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /<h2 id="membri">Enti membri<\/h2>/);
    assert.match(res.body, /href="\/canelli\/"/);
    assert.match(res.body, /Comune sede:/);
    assert.match(res.body, /in attesa/);
    assert.match(res.body, /può aderire entro il 04\/06\/2010/);
  });

  test('unknown and reserved slugs are Italian 404 pages; /slug redirects to /slug/', async () => {
    const nope = await t.app.inject({ method: 'GET', url: '/nope/' });
    assert.equal(nope.statusCode, 404);
    assert.match(nope.headers['content-type'] as string, /text\/html/);
    assert.match(nope.body, /Pagina non trovata/);
    assert.match(nope.body, /Nessun ente della rete ha l’indirizzo «nope»/);
    for (const url of ['/assets/', '/api/', '/favicon.ico', '/nope', '/Asti/']) {
      const res = await t.app.inject({ method: 'GET', url });
      assert.equal(res.statusCode, 404, url);
    }
    const redirect = await t.app.inject({ method: 'GET', url: '/nizza-monferrato' });
    assert.equal(redirect.statusCode, 301);
    assert.equal(redirect.headers.location, '/nizza-monferrato/');
    // static routes still win over /:slug
    assert.equal((await t.app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);
    assert.equal((await t.app.inject({ method: 'GET', url: '/api/v1/enti/asti' })).statusCode, 200);
    assert.equal((await t.app.inject({ method: 'GET', url: '/backoffice/login' })).statusCode, 200);
  });

  test('the back office sends anonymous visitors to the login page and back', async () => {
    for (const url of ['/backoffice/', '/backoffice/adesioni?stato=escluso', '/backoffice/enti/asti', '/backoffice/adesioni.csv']) {
      const res = await t.app.inject({ method: 'GET', url });
      assert.equal(res.statusCode, 303, url);
      assert.equal(res.headers.location, `/backoffice/login?next=${encodeURIComponent(url)}`);
    }
    const bare = await t.app.inject({ method: 'GET', url: '/backoffice' });
    assert.equal(bare.statusCode, 301);
    assert.equal(bare.headers.location, '/backoffice/');
  });
});

describe('members pages: CST back office and exports', () => {
  let t: TestPlatform;
  let cst: Browser;
  before(async () => {
    t = await startTestPlatform();
    cst = await login(t.app, 'admin@cst.demo');
  });
  after(async () => {
    await t?.close();
  });

  test('the CST dashboard shows the counts by status with links', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/backoffice/', headers: { cookie: cst.cookie } });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['cache-control'], 'no-store');
    assert.match(res.body, /<h2 id="conteggi">Adesioni al protocollo<\/h2>/);
    assert.match(res.body, /href="\/backoffice\/adesioni\?stato=escluso"><span[^>]*>2<\/span><span[^>]*>Esclusi<\/span>/);
    assert.match(res.body, /href="\/backoffice\/adesioni"/);
    assert.match(res.body, /href="\/backoffice\/enti\/nizza-monferrato"/);
    assert.match(res.body, /name="_csrf" value="/);
  });

  test('the adhesion dashboard: chart, counts table, protocol, filters', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/backoffice/adesioni', headers: { cookie: cst.cookie } });
    assert.equal(res.statusCode, 200);
    const html = res.body;
    assert.match(html, /<svg role="img" aria-label="Grafico a barre degli enti per stato di adesione: Aderenti \d+, In attesa \d+, Esclusi 2, Receduti 0, Non aderenti \d+\."/);
    assert.match(html, /<caption>Numero di enti per stato di adesione<\/caption>/);
    assert.match(html, /<caption>Enti e stato di adesione \(131\)<\/caption>/);
    assert.match(html, /Protocollo d&#39;intesa|Protocollo d'intesa/);
    assert.match(html, /04\/06\/2010 \(15 giorni dalla firma\)/);
    assert.match(html, /href="\/backoffice\/adesioni\.csv"/);
    assert.match(html, /name="_csrf" value="/);

    const excluded = await t.app.inject({ method: 'GET', url: '/backoffice/adesioni?stato=escluso', headers: { cookie: cst.cookie } });
    assert.match(excluded.body, /<caption>Enti e stato di adesione \(2\)<\/caption>/);
    assert.match(excluded.body, /href="\/backoffice\/enti\/frinco"/);
    assert.match(excluded.body, /href="\/backoffice\/adesioni\.csv\?stato=escluso"/);
    assert.match(excluded.body, /<option value="escluso" selected>/);

    const pending = await t.app.inject({ method: 'GET', url: '/backoffice/adesioni?stato=in-attesa&q=canel', headers: { cookie: cst.cookie } });
    assert.match(pending.body, /<caption>Enti e stato di adesione \(1\)<\/caption>/);
    assert.match(pending.body, /04\/06\/2010<\/td>/);
  });

  test('CSV export: BOM, semicolons, one row per ente plus the active services; audited cross-ente read', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/backoffice/adesioni.csv', headers: { cookie: cst.cookie } });
    assert.equal(res.statusCode, 200);
    assert.match(res.headers['content-type'] as string, /^text\/csv; charset=utf-8/);
    assert.match(res.headers['content-disposition'] as string, /^attachment; filename="adesioni-cst-\d{4}-\d{2}-\d{2}\.csv"/);
    assert.ok(res.body.startsWith('\uFEFF'), 'no BOM');
    const lines = res.body.slice(1).split('\r\n').filter(Boolean);
    assert.equal(lines.length, 132);
    assert.equal(lines[0], 'Ente;Tipo;Codice ISTAT;Codice fiscale;Stato adesione;Dal;Tramite;Scadenza adesione tardiva;Servizi attivi');
    const rows = parse(res.body.slice(1), { delimiter: ';', columns: true }) as Record<string, string>[];
    assert.equal(rows.length, 131);
    const asti = rows.find((r) => r.Ente === 'Asti')!;
    assert.equal(asti['Stato adesione'], 'aderente');
    assert.match(asti['Servizi attivi']!, /Assistenza e tecnico on-site/);
    assert.equal(rows.find((r) => r.Ente === 'Frinco')!['Stato adesione'], 'escluso');
    assert.equal(rows.find((r) => r.Ente === 'Canelli')!['Scadenza adesione tardiva'], '04/06/2010');
    const audit = await t.platform.db.owner.selectFrom('audit_log').select(['action', 'after']).where('action', '=', 'cross_ente.read').execute();
    assert.ok(audit.some((a) => JSON.stringify(a.after).includes('csv')));
  });

  test('XLSX export opens with exceljs and has the same rows', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/backoffice/adesioni.xlsx', headers: { cookie: cst.cookie } });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    assert.match(res.headers['content-disposition'] as string, /filename="adesioni-cst-\d{4}-\d{2}-\d{2}\.xlsx"/);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    const sheet = workbook.getWorksheet('Adesioni')!;
    assert.equal(sheet.actualRowCount, 132);
    assert.equal(sheet.getRow(1).getCell(1).value, 'Ente');
    const filtered = await t.app.inject({ method: 'GET', url: '/backoffice/adesioni.xlsx?stato=escluso', headers: { cookie: cst.cookie } });
    const small = new ExcelJS.Workbook();
    await small.xlsx.load(filtered.rawPayload as unknown as ArrayBuffer);
    assert.equal(small.getWorksheet('Adesioni')!.actualRowCount, 3);
  });
});

describe('members pages: helpers', () => {
  test('CSV cells are quoted when needed and formulas neutralised', () => {
    assert.equal(csvCell('Asti'), 'Asti');
    assert.equal(csvCell('a;b'), '"a;b"');
    assert.equal(csvCell('say "hi"'), '"say ""hi"""');
    assert.equal(csvCell('=1+1'), "'=1+1");
    assert.equal(csvCell('line\nbreak'), '"line\nbreak"');
    assert.equal(toCsv(['a', 'b'], [['1', '2']]), '\uFEFFa;b\r\n1;2\r\n');
  });

  test('initials of the coat-of-arms placeholder', () => {
    assert.equal(initials('Nizza Monferrato'), 'NM');
    assert.equal(initials('Asti'), 'AS');
    assert.equal(initials('Provincia di Asti'), 'AS');
    assert.equal(initials("Castell'Alfero"), 'CA');
    assert.equal(initials('Unione Comunità Collinare Val Rilate'), 'VR');
    assert.equal(initials('Comunità Montana Langa Astigiana Valle Bormida'), 'LA');
  });
});
