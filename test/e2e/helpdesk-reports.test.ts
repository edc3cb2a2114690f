// The satisfaction survey and the reports of the help desk in a real browser: the public survey page reached
// from the e-mailed link (keyboard-usable radio group, answered once, the thank-you page, the wrong-link page),
// the desk's report across enti and an ente's own report (charts as named images, tables, CSV download).
// Every page: 0 axe-core WCAG 2.1 A/AA violations, no asset or script errors.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { systemActor } from '../../src/platform/audit/index.js';
import { getEnteBySlug } from '../../src/platform/tenancy/index.js';
import { changeState, openTicket } from '../../src/modules/helpdesk/service.js';
import { surveyUrl } from '../../src/modules/helpdesk/survey/index.js';
import { assertAccessible, browserSuite, download, freshPage, staffPage, visit } from './kit.js';

describe('helpdesk survey and reports (browser)', () => {
  const suite = browserSuite();
  let surveyPath: string;

  before(async () => {
    const canelli = (await getEnteBySlug(suite.t.platform.db.owner, 'canelli'))!.id;
    const ticket = await openTicket(suite.t.platform.db.app, systemActor, canelli, {
      channel: 'phone',
      callerName: 'Giulia Rosso',
      callerPhone: '0141 820111',
      category: 'posta_pec',
      urgency: 1,
      impact: 2,
      subject: 'La PEC del protocollo non riceve',
      description: 'Nessun messaggio dalle 9.',
    });
    await changeState(suite.t.platform.db.app, systemActor, canelli, ticket.id, 'solved');
    surveyPath = new URL(surveyUrl(suite.t.platform, canelli, ticket.id)).pathname;
  });

  it('answers the survey from the link with the keyboard, once', async () => {
    const { page, problems } = await freshPage(suite.pages);
    await visit(page, suite.t.url, surveyPath);
    assert.equal(await page.textContent('h1'), 'Valuta l’assistenza ricevuta');
    await assertAccessible(page, 'survey form');
    // keyboard only: Space checks the first option, the arrows move the choice within the group
    await page.focus('#valutazione-voto-1');
    await page.keyboard.press('Space');
    for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowDown');
    assert.ok(await page.isChecked('#valutazione-voto-4'), 'the arrows move the choice to 4');
    await page.getByLabel('Commento (facoltativo)').fill('Risolto in giornata, grazie.');
    await page.getByRole('button', { name: 'Invia la valutazione' }).click();
    await page.waitForURL(/esito=grazie/);
    assert.equal(await page.textContent('h1'), 'Grazie per la valutazione');
    await assertAccessible(page, 'survey thanks');
    await visit(page, suite.t.url, surveyPath);
    assert.equal(await page.textContent('h1'), 'Valutazione già registrata');
    await visit(page, suite.t.url, `${surveyPath.slice(0, -4)}abcd`, 404);
    assert.match((await page.textContent('main')) ?? '', /Il link di valutazione non è valido/);
    await assertAccessible(page, 'survey wrong link');
    assert.deepEqual(problems, []);
  });

  it("shows the desk the network's report with charts and tables", async () => {
    const { page, problems } = await staffPage(suite.pages, suite.t.url, 'admin@cst.demo');
    await visit(page, suite.t.url, '/backoffice/assistenza/report');
    assert.equal(await page.textContent('h1'), 'Report dell’assistenza');
    for (const id of ['grafico-mesi', 'grafico-sla', 'grafico-categorie', 'grafico-enti', 'grafico-voti']) {
      const chart = page.locator(`svg#${id}`);
      assert.ok(await chart.isVisible(), `${id} is not visible`);
      assert.equal(await chart.getAttribute('role'), 'img');
      assert.ok(((await chart.getAttribute('aria-label')) ?? '').length > 10);
    }
    assert.ok(await page.locator('#tabella-enti th[scope="row"]', { hasText: 'Canelli' }).isVisible());
    await assertAccessible(page, 'desk report');
    await page.selectOption('#ente', 'canelli');
    await page.getByRole('button', { name: 'Aggiorna il report' }).click();
    await page.waitForURL(/ente=canelli/);
    assert.equal(await page.locator('#tabella-enti').count(), 0);
    await assertAccessible(page, 'desk report of one ente');
    assert.deepEqual(problems, []);
  });

  it("shows an ente's requester its own report and downloads a table as CSV", async () => {
    const { page, problems } = await staffPage(suite.pages, suite.t.url, 'segreteria@canelli.demo');
    await visit(page, suite.t.url, '/backoffice/enti/canelli/assistenza/report');
    assert.match((await page.textContent('h1')) ?? '', /Canelli/);
    assert.ok(await page.locator('svg#grafico-mesi title').count());
    await assertAccessible(page, 'ente report');
    assert.deepEqual(problems, []);
    const csv = await download(page, 'a[href^="/backoffice/enti/canelli/assistenza/report/categorie.csv"]');
    assert.match(csv.name, /^assistenza-categorie-canelli-\d{4}\.csv$/);
    const text = csv.bytes.toString('utf8');
    assert.ok(text.startsWith('\uFEFFCategoria;Categoria principale;Aperti;'));
    assert.match(text, /\r\nPosta e PEC;;\d+;/);
    await visit(page, suite.t.url, '/backoffice/enti/asti/assistenza/report', 403);
  });
});
