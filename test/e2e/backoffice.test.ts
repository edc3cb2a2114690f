// The back office in a real browser (issue "platform foundation"): login through the form, the dashboards of
// the three demo roles, the CST's adhesion dashboard (counts, accessible chart, filter form, CSV and XLSX
// downloads), an ente's page with a late adhesion refused then recorded, the 403 pages, and logout.
// Every page: 0 axe-core WCAG 2.1 A/AA violations, no asset or script errors.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import type { Page } from '../support/browser.js';
import { assertAccessible, browserSuite, download, freshPage, italianInt, staffPage, tabIn, texts, visit } from './kit.js';

const TOTAL_ENTI = 131;
const STATUS_TITLES = ['Aderenti', 'In attesa', 'Esclusi', 'Receduti', 'Non aderenti'] as const;

/** The counts table of /backoffice/adesioni: status title → count, plus the total. */
async function readCounts(page: Page): Promise<{ counts: Record<string, number>; total: number }> {
  const table = page.locator('section[aria-labelledby="riepilogo"] table');
  const counts: Record<string, number> = {};
  for (const row of await table.locator('tbody tr').all()) {
    assert.ok(await row.isVisible(), 'a count row is not visible');
    counts[((await row.locator('th').textContent()) ?? '').trim()] = italianInt(await row.locator('td').textContent());
  }
  return { counts, total: italianInt(await table.locator('tfoot td').textContent()) };
}

/** Entries listed in the table of /backoffice/adesioni. */
const listedEnti = (page: Page) => texts(page, 'section[aria-labelledby="elenco"] table tbody th[scope="row"]');

describe('back office (browser)', () => {
  const suite = browserSuite();
  let cst: Page; // admin@cst.demo, logged in once for the tests that only read or that restore what they change
  let asti: Page; // admin@asti.demo
  let nizza: Page; // operatore@nizza-monferrato.demo

  before(async () => {
    const login = async (email: string) => (await staffPage(suite.pages, suite.t.url, email)).page;
    [cst, asti, nizza] = await Promise.all([login('admin@cst.demo'), login('admin@asti.demo'), login('operatore@nizza-monferrato.demo')]);
  });

  describe('as the CST administrator', () => {
    it('the dashboard shows the counts per status and every ente, accessibly', async () => {
      const { page, problems } = await tabIn(cst, suite.pages);
      await visit(page, suite.t.url, '/backoffice/');
      assert.equal(await page.textContent('h1'), 'Area riservata');
      assert.match((await page.textContent('main .lead')) ?? '', /Benvenuto, Amministratore CST\./);
      const cards = page.locator('section[aria-labelledby="conteggi"] li a');
      assert.equal(await cards.count(), 5);
      let sum = 0;
      for (const card of await cards.all()) {
        assert.ok(await card.isVisible());
        sum += italianInt(await card.locator('span').first().textContent());
      }
      assert.equal(sum, TOTAL_ENTI);
      assert.match((await page.locator('a[href="/backoffice/adesioni?stato=escluso"]').textContent()) ?? '', /^\s*2\s*Esclusi\s*$/);
      assert.equal(await page.locator('section[aria-labelledby="tutti-enti"] li a').count(), TOTAL_ENTI);
      assert.ok(await page.isVisible('header form[action="/backoffice/logout"] button'), 'no logout button in the header');
      assert.deepEqual(problems, []);
      await assertAccessible(page, 'GET /backoffice/ (admin@cst.demo)');
    });

    it('the adhesion dashboard shows counts and an accessible chart, and passes axe', async () => {
      const { page, problems } = await tabIn(cst, suite.pages);
      await visit(page, suite.t.url, '/backoffice/adesioni');
      assert.equal(await page.textContent('h1'), 'Adesioni al protocollo del CST');
      const { counts, total } = await readCounts(page);
      assert.deepEqual(Object.keys(counts), [...STATUS_TITLES]);
      assert.equal(total, TOTAL_ENTI);
      assert.equal(Object.values(counts).reduce((a, b) => a + b, 0), TOTAL_ENTI);
      assert.equal(counts.Esclusi, 2);
      assert.ok(counts.Aderenti! > 0 && counts['In attesa']! > 0, `implausible counts: ${JSON.stringify(counts)}`);

      const chart = page.locator('section[aria-labelledby="riepilogo"] svg');
      assert.equal(await chart.count(), 1);
      assert.ok(await chart.isVisible(), 'the chart is not visible');
      assert.equal(await chart.getAttribute('role'), 'img');
      const label = (await chart.getAttribute('aria-label')) ?? '';
      const summary = STATUS_TITLES.map((s) => `${s} ${counts[s]}`).join(', ');
      assert.equal(label, `Grafico a barre degli enti per stato di adesione: ${summary}.`);
      // The accessible name as the role query computes it: exactly one image named like that on the page.
      assert.equal(await page.getByRole('img', { name: label, exact: true }).count(), 1);

      assert.equal((await listedEnti(page)).length, TOTAL_ENTI);
      assert.deepEqual(problems, []);
      await assertAccessible(page, 'GET /backoffice/adesioni');
    });

    it('the status filter (escluso) lists exactly Frinco and Cortandone; CSV and XLSX downloads have those rows', async () => {
      const { page, problems } = await tabIn(cst, suite.pages);
      await visit(page, suite.t.url, '/backoffice/adesioni');
      await page.selectOption('#stato', { label: 'Esclusi' });
      await Promise.all([
        page.waitForURL((url) => url.searchParams.get('stato') === 'escluso', { waitUntil: 'load' }),
        page.click('form[action="/backoffice/adesioni"] button[type="submit"]'),
      ]);
      assert.deepEqual((await listedEnti(page)).sort(), ['Cortandone', 'Frinco']);
      assert.equal(await page.inputValue('#stato'), 'escluso', 'the filter lost its value');
      assert.match((await page.textContent('section[aria-labelledby="elenco"] caption')) ?? '', /\(2\)/);
      assert.ok(await page.isVisible('a[href="/backoffice/adesioni"].btn'), 'no way to clear the filters');
      assert.deepEqual(problems, []);
      await assertAccessible(page, 'GET /backoffice/adesioni?stato=escluso');

      const csv = await download(page, 'section[aria-labelledby="scarica"] a[href^="/backoffice/adesioni.csv"]');
      assert.match(csv.name, /^adesioni-cst-\d{4}-\d{2}-\d{2}\.csv$/);
      const text = csv.bytes.toString('utf8');
      assert.ok(text.startsWith('\uFEFF'), 'the CSV has no BOM (Excel would misread the accents)');
      const lines = text.slice(1).split('\r\n').filter(Boolean);
      assert.equal(lines.length, 1 + 2, `CSV: header + one row per listed ente, got\n${text}`);
      const rows = parse(text.slice(1), { delimiter: ';', columns: true }) as Record<string, string>[];
      assert.deepEqual(rows.map((r) => r.Ente).sort(), ['Cortandone', 'Frinco']);
      assert.ok(rows.every((r) => r['Stato adesione'] === 'escluso'));

      const xlsx = await download(page, 'section[aria-labelledby="scarica"] a[href^="/backoffice/adesioni.xlsx"]');
      assert.match(xlsx.name, /^adesioni-cst-\d{4}-\d{2}-\d{2}\.xlsx$/);
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.load(xlsx.bytes as unknown as ArrayBuffer);
      const sheet = workbook.worksheets[0]!;
      assert.equal(sheet.actualRowCount, 1 + 2);
      assert.equal(sheet.getRow(1).getCell(1).value, 'Ente');
      assert.deepEqual([sheet.getRow(2).getCell(1).value, sheet.getRow(3).getCell(1).value].sort(), ['Cortandone', 'Frinco']);
    });

    it('the unfiltered CSV download has the header and one row per ente', async () => {
      const { page } = await tabIn(cst, suite.pages);
      await visit(page, suite.t.url, '/backoffice/adesioni');
      const listed = await listedEnti(page);
      const csv = await download(page, 'a[href="/backoffice/adesioni.csv"]');
      const lines = csv.bytes.toString('utf8').slice(1).split('\r\n').filter(Boolean);
      assert.equal(lines.length, 1 + listed.length);
      assert.equal(listed.length, TOTAL_ENTI);
    });

    it('a filter that matches nothing says so, accessibly', async () => {
      const { page, problems } = await tabIn(cst, suite.pages);
      await visit(page, suite.t.url, '/backoffice/adesioni?stato=receduto');
      assert.equal((await page.textContent('section[aria-labelledby="elenco"] [role="status"]'))?.trim(), 'Nessun ente corrisponde ai filtri.');
      assert.deepEqual(problems, []);
      await assertAccessible(page, 'GET /backoffice/adesioni?stato=receduto (empty list)');
    });

    it('the page of an ente (/backoffice/enti/canelli) is accessible', async () => {
      const { page, problems } = await tabIn(cst, suite.pages);
      await visit(page, suite.t.url, '/backoffice/enti/canelli');
      assert.equal(await page.textContent('h1'), 'Canelli: gestione');
      assert.ok((await page.locator('#modulo-adesione, #modulo-recesso').count()) >= 1, 'the CST administrator has no adhesion form');
      assert.ok(await page.isVisible('#modulo-ingresso'), 'the CST administrator has no membership form');
      assert.deepEqual(problems, []);
      await assertAccessible(page, 'GET /backoffice/enti/canelli (admin@cst.demo)');
    });

    it('a late adhesion after the window needs a deliberation; with one it is recorded and counted', async () => {
      // Its own login: this test changes the network, and reads the counts before and after.
      const { page, problems } = await staffPage(suite.pages, suite.t.url, 'admin@cst.demo');
      await visit(page, suite.t.url, '/backoffice/adesioni');
      const before = (await readCounts(page)).counts;

      await visit(page, suite.t.url, '/backoffice/enti/canelli');
      assert.match((await page.textContent('section[aria-labelledby="adesione"] p')) ?? '', /in attesa/);
      await page.fill('#adesione-data', '2024-03-15');
      await page.fill('#adesione-atto', '');
      const refused = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/backoffice/enti/canelli/adesione');
      await page.click('#modulo-adesione button[type="submit"]');
      assert.equal((await refused).status(), 422);
      await page.waitForLoadState('load');
      const alert = page.locator('[role="alert"]');
      assert.equal(await alert.count(), 1);
      assert.ok(await alert.isVisible());
      const message = ((await alert.textContent()) ?? '').replace(/\s+/g, ' ').trim();
      assert.match(message, /Operazione non eseguita/);
      assert.match(message, /Oltre i 15 giorni dalla firma l'adesione è successiva: indicare l'atto di adesione \(es\. la delibera\)/);
      assert.equal(await page.inputValue('#adesione-data'), '2024-03-15', 'the refused form lost the date');
      assert.deepEqual(problems, []);
      await assertAccessible(page, 'POST /backoffice/enti/canelli/adesione (refused: no deliberation)');

      await page.fill('#adesione-atto', 'Delibera del consiglio comunale n. 7 del 12 marzo 2024');
      await Promise.all([
        page.waitForURL((url) => url.pathname === '/backoffice/enti/canelli' && url.searchParams.get('esito') === 'adesione-registrata', { waitUntil: 'load' }),
        page.click('#modulo-adesione button[type="submit"]'),
      ]);
      assert.equal(((await page.textContent('[role="status"].alert-success')) ?? '').trim(), 'Adesione registrata.');
      assert.equal(await page.locator('[role="alert"]').count(), 0);
      const adhesion = (await page.textContent('section[aria-labelledby="adesione"]')) ?? '';
      assert.match(adhesion, /aderente\s*dal 15\/03\/2024/);
      assert.match(adhesion, /Adesione successiva/);
      assert.match(adhesion, /Delibera del consiglio comunale n\. 7/);
      assert.ok(await page.isVisible('#modulo-recesso'), 'an adhering ente should offer the withdrawal form');
      assert.equal(await page.locator('#modulo-adesione').count(), 0, 'an adhering ente still offers the adhesion form');
      assert.deepEqual(problems, []);
      await assertAccessible(page, 'GET /backoffice/enti/canelli?esito=adesione-registrata');

      await visit(page, suite.t.url, '/backoffice/adesioni?stato=aderente&q=canelli');
      assert.deepEqual(await listedEnti(page), ['Canelli']);
      const after = (await readCounts(page)).counts;
      assert.equal(after.Aderenti, before.Aderenti! + 1);
      assert.equal(after['In attesa'], before['In attesa']! - 1);
      assert.match((await page.locator('section[aria-labelledby="riepilogo"] svg').getAttribute('aria-label')) ?? '', new RegExp(`Aderenti ${after.Aderenti},`));
    });

    it('logout from the header returns to the public home; the back office asks for login again', async () => {
      const { page, problems } = await staffPage(suite.pages, suite.t.url, 'admin@cst.demo');
      await Promise.all([
        page.waitForURL((url) => url.pathname === '/', { waitUntil: 'load' }),
        page.getByRole('button', { name: 'Esci' }).click(),
      ]);
      assert.equal(await page.textContent('h1'), 'La rete degli enti');
      assert.ok(await page.isVisible('header a[href="/backoffice/login"]'), 'the header still shows a signed-in user');
      assert.equal(await page.locator('header form[action="/backoffice/logout"]').count(), 0);
      assert.ok(!(await page.context().cookies()).some((c) => c.name === 'cir_sid'), 'the session cookie survived the logout');

      const response = await page.goto(new URL('/backoffice/', suite.t.url).toString(), { waitUntil: 'load' });
      assert.equal(response?.status(), 200);
      const url = new URL(page.url());
      assert.equal(url.pathname, '/backoffice/login');
      assert.equal(url.searchParams.get('next'), '/backoffice/');
      assert.ok(await page.isVisible('#email'));
      assert.deepEqual(problems, []);
    });
  });

  describe('as the administrator of Asti', () => {
    it('the dashboard lists Asti with the role, accessibly', async () => {
      const { page, problems } = await tabIn(asti, suite.pages);
      await visit(page, suite.t.url, '/backoffice/');
      const enti = await texts(page, 'section[aria-labelledby="miei-enti"] tbody th[scope="row"]');
      assert.deepEqual(enti, ['Asti']);
      assert.match((await page.textContent('section[aria-labelledby="miei-enti"] tbody')) ?? '', /Amministratore dell'ente/);
      assert.equal(await page.locator('a[href="/backoffice/adesioni"]').count(), 0, 'the adhesion dashboard is offered to a comune');
      assert.deepEqual(problems, []);
      await assertAccessible(page, 'GET /backoffice/ (admin@asti.demo)');
    });

    it('the page of Asti offers its service forms but not the CST forms, accessibly', async () => {
      const { page, problems } = await tabIn(asti, suite.pages);
      await visit(page, suite.t.url, '/backoffice/enti/asti');
      assert.equal(await page.textContent('h1'), 'Asti: gestione');
      assert.ok((await page.locator('form[action="/backoffice/enti/asti/servizi"]').count()) > 0, 'the ente administrator has no service forms');
      assert.equal(await page.locator('#modulo-adesione, #modulo-recesso, #modulo-ingresso').count(), 0, 'CST forms shown to an ente administrator');
      assert.deepEqual(problems, []);
      await assertAccessible(page, 'GET /backoffice/enti/asti (admin@asti.demo)');
    });

    it('the adhesion dashboard is an Italian 403 page, accessible', async () => {
      const { page, problems } = await tabIn(asti, suite.pages);
      await visit(page, suite.t.url, '/backoffice/adesioni', 403);
      assert.equal(await page.textContent('h1'), 'Accesso negato');
      assert.ok(await page.isVisible('[role="alert"]'));
      assert.equal(await page.locator('svg[role="img"]').count(), 0);
      assert.deepEqual(problems, []);
      await assertAccessible(page, 'GET /backoffice/adesioni (admin@asti.demo, 403)');
    });

    it('the page of another comune is a 403 page', async () => {
      const { page, problems } = await tabIn(asti, suite.pages);
      await visit(page, suite.t.url, '/backoffice/enti/nizza-monferrato', 403);
      assert.equal(await page.textContent('h1'), 'Accesso negato');
      assert.doesNotMatch((await page.textContent('main')) ?? '', /Nizza Monferrato: gestione/);
      assert.deepEqual(problems, []);
      await assertAccessible(page, 'GET /backoffice/enti/nizza-monferrato (admin@asti.demo, 403)');
    });
  });

  describe('as an operator of Nizza Monferrato', () => {
    it('the dashboard lists Nizza Monferrato, accessibly', async () => {
      const { page, problems } = await tabIn(nizza, suite.pages);
      await visit(page, suite.t.url, '/backoffice/');
      assert.deepEqual(await texts(page, 'section[aria-labelledby="miei-enti"] tbody th[scope="row"]'), ['Nizza Monferrato']);
      assert.match((await page.textContent('section[aria-labelledby="miei-enti"] tbody')) ?? '', /Operatore · Albo pretorio online/);
      assert.deepEqual(problems, []);
      await assertAccessible(page, 'GET /backoffice/ (operatore@nizza-monferrato.demo)');
    });

    it('the page of Nizza Monferrato is read-only and accessible', async () => {
      const { page, problems } = await tabIn(nizza, suite.pages);
      await visit(page, suite.t.url, '/backoffice/enti/nizza-monferrato');
      assert.equal(await page.textContent('h1'), 'Nizza Monferrato: gestione');
      assert.equal(await page.locator('main form').count(), 0, 'a read-only user is offered forms');
      assert.match((await page.textContent('section[aria-labelledby="servizi"]')) ?? '', /Solo gli amministratori dell’ente e del CST possono attivare o disattivare i servizi\./);
      assert.deepEqual(problems, []);
      await assertAccessible(page, 'GET /backoffice/enti/nizza-monferrato (operatore@nizza-monferrato.demo)');
    });
  });

  it('a deep link to the back office goes through login and comes back', async () => {
    const { page, problems } = await freshPage(suite.pages);
    await visit(page, suite.t.url, '/backoffice/adesioni?stato=escluso');
    assert.equal(new URL(page.url()).pathname, '/backoffice/login');
    await page.fill('#email', 'admin@cst.demo');
    await page.fill('#password', 'demo-password');
    await Promise.all([
      page.waitForURL((url) => url.pathname === '/backoffice/adesioni', { waitUntil: 'load' }),
      page.click('form[action="/backoffice/login"] button[type="submit"]'),
    ]);
    assert.equal(new URL(page.url()).searchParams.get('stato'), 'escluso');
    assert.deepEqual((await listedEnti(page)).sort(), ['Cortandone', 'Frinco']);
    assert.deepEqual(problems, []);
  });
});
