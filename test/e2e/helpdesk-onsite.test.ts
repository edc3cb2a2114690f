// On-site interventions in a real browser: the technician's day plan grouped by ente (seeded for the next
// working day) with its PDF, planning a visit through the two-step form, a refused overlap shown in Italian,
// the visit page with the report form, the hours per ente with the accessible chart and the CSV download, the
// contract page, and the ente side where Canelli's representative confirms a report. Every page: 0 axe-core
// WCAG 2.1 A/AA violations, no asset or script errors.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { Page } from '../support/browser.js';
import { addDays, todayInRome } from '../../src/platform/calendar/index.js';
import { assertAccessible, browserSuite, download, staffPage, tabIn, visit } from './kit.js';

const DESK = '/backoffice/assistenza/interventi';

/** The next Monday–Friday after today (where the seed put the technician's day). */
function nextWorkingDay(): string {
  let d = addDays(todayInRome(), 1);
  while ([0, 6].includes(new Date(`${d}T00:00:00Z`).getUTCDay())) d = addDays(d, 1);
  return d;
}

describe('on-site interventions (browser)', () => {
  const suite = browserSuite();
  let tecnico: Page;
  let canelli: Page;

  before(async () => {
    [tecnico, canelli] = await Promise.all([staffPage(suite.pages, suite.t.url, 'tecnico@cst.demo').then((p) => p.page), staffPage(suite.pages, suite.t.url, 'segreteria@canelli.demo').then((p) => p.page)]);
  });

  it("shows the technician's day grouped by ente, and prints it", async () => {
    const { page, problems } = await tabIn(tecnico, suite.pages);
    const day = nextWorkingDay();
    await visit(page, suite.t.url, `${DESK}?giorno=${day}`);
    const groups = await page.locator('main section h3').allTextContents();
    assert.deepEqual(groups, ['Asti', 'Nizza Monferrato', 'Canelli']);
    assert.deepEqual(problems, []);
    await assertAccessible(page, `GET ${DESK}`);
    const pdf = await page.request.get(new URL(`${DESK}/giornata.pdf?giorno=${day}`, suite.t.url).toString());
    assert.equal(pdf.headers()['content-type'], 'application/pdf');
    assert.ok((await pdf.body()).subarray(0, 5).toString() === '%PDF-');
  });

  it('plans a visit in two steps, refuses an overlap in Italian, and shows the visit', async () => {
    const { page, problems } = await tabIn(tecnico, suite.pages);
    await visit(page, suite.t.url, `${DESK}/nuovo`);
    await assertAccessible(page, `GET ${DESK}/nuovo`);
    await page.selectOption('#ente', 'asti');
    await page.click('main form button[type="submit"]');
    await page.waitForURL(/ente=asti/);
    await assertAccessible(page, `GET ${DESK}/nuovo?ente=asti`);
    await page.fill('#giorno', '2031-03-10');
    await page.fill('#inizio', '09:00');
    await page.fill('#fine', '10:30');
    await page.fill('#note', 'Verifica dei backup');
    await page.click('main form[method="post"] button[type="submit"]');
    await page.waitForURL(/esito=planned/);
    assert.match((await page.textContent('h1')) ?? '', /Intervento del 10\/03\/2031 presso Asti/);
    await assertAccessible(page, 'visit page (desk)');

    await visit(page, suite.t.url, `${DESK}/nuovo?ente=canelli`);
    await page.fill('#giorno', '2031-03-10');
    await page.fill('#inizio', '10:00');
    await page.fill('#fine', '11:00');
    await page.click('main form[method="post"] button[type="submit"]');
    await page.waitForSelector('#errore');
    assert.match((await page.textContent('#errore')) ?? '', /Il tecnico ha già un intervento il 10\/03\/2031 dalle 09:00 alle 10:30 presso/);
    await assertAccessible(page, 'plan form with the overlap error');
    assert.deepEqual(problems.filter((p) => !p.includes('409')), []);
  });

  it('records a report on a past visit from the visit page', async () => {
    const { page } = await tabIn(tecnico, suite.pages);
    await visit(page, suite.t.url, `${DESK}/nuovo?ente=nizza-monferrato`);
    await page.fill('#giorno', '2025-02-03');
    await page.fill('#inizio', '09:00');
    await page.fill('#fine', '11:00');
    await page.click('main form[method="post"] button[type="submit"]');
    await page.waitForURL(/esito=planned/);
    await page.fill('#inizio-eff', '09:10');
    await page.fill('#fine-eff', '10:40');
    await page.fill('#attivita', 'Sostituzione del disco del server');
    await page.click('form[action$="/rapporto"] button[type="submit"]');
    await page.waitForURL(/esito=reported/);
    assert.match((await page.textContent('section[aria-labelledby="rapporto"]')) ?? '', /1:30/);
    await assertAccessible(page, 'visit page with report');
  });

  it('shows hours per ente with an accessible chart and exports CSV; the contract page keeps history', async () => {
    const { page, problems } = await tabIn(tecnico, suite.pages);
    await visit(page, suite.t.url, `${DESK}/ore`);
    const chart = page.locator('svg#grafico-ore');
    assert.equal(await chart.getAttribute('role'), 'img');
    assert.match((await chart.locator('title').textContent()) ?? '', /Quota delle ore a contratto/);
    assert.ok((await page.locator('#tabella-ore tbody tr').count()) >= 10);
    await assertAccessible(page, `GET ${DESK}/ore`);
    const csv = await download(page, `a[href^="${DESK}/ore.csv"]`);
    assert.match(csv.name, /^ore-interventi-in-sede-\d{4}\.csv$/);
    assert.ok(csv.bytes.toString('utf8').startsWith('\uFEFFEnte;'));

    await visit(page, suite.t.url, `${DESK}/ore/moncalvo`);
    await page.fill('#c-ore', '12:30');
    await page.fill('#c-nota', 'Integrazione');
    await page.click('form[action$="/ore/moncalvo"] button[type="submit"]');
    await page.waitForURL(/esito=contract/);
    assert.equal((await page.textContent('[data-hours="contracted"]'))?.trim(), '12:30');
    assert.match((await page.textContent('section[aria-labelledby="storico-contratti"]')) ?? '', /da 8:00 a 12:30 \(Integrazione\)/);
    await assertAccessible(page, 'contract page');
    // a download aborts the navigation by design
    assert.deepEqual(problems.filter((p) => !p.includes('ore.csv')), []);
  });

  it("lets Canelli's representative confirm a report from its own page", async () => {
    const { page, problems } = await tabIn(canelli, suite.pages);
    await visit(page, suite.t.url, '/backoffice/enti/canelli/assistenza/interventi');
    await assertAccessible(page, 'ente page');
    const before = (await page.textContent('[data-hours="confirmed"]'))?.trim();
    await page.click('form[action$="/conferma"] button[type="submit"]');
    await page.waitForURL(/esito=confirmed/);
    assert.notEqual((await page.textContent('[data-hours="confirmed"]'))?.trim(), before);
    await assertAccessible(page, 'ente page after confirmation');
    const link = page.locator('section[aria-labelledby="interventi"] tbody a').first();
    await link.click();
    await page.waitForSelector('section[aria-labelledby="rapporto"]');
    await assertAccessible(page, 'ente visit page');
    await visit(page, suite.t.url, '/backoffice/enti/asti/assistenza/interventi', 403);
    assert.deepEqual(problems.filter((p) => !p.includes('403')), []);
  });
});
