// The reconciliation pages of pagoPA in a real browser: an ente's staff uploads a reporting flow through the
// form, reads the flow with its lines, records a treasury credit by hand, reads anomalies and totals and downloads
// the anomalies as CSV; the CST reads the network's flows, anomalies and totals and the demo flow of Canelli.
// Every page: 0 axe-core WCAG 2.1 A/AA violations, no asset or script errors.
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { todayInRome } from '../../src/platform/calendar/index.js';
import { assertAccessible, browserSuite, download, staffPage, visit } from './kit.js';

const fixtures = path.resolve(import.meta.dirname, '../../src/modules/payments/reconciliation/fixtures');
const asti = '/backoffice/enti/asti/pagamenti/riconciliazione';
const network = '/backoffice/pagamenti/riconciliazione';

describe('payments reconciliation (browser)', () => {
  const suite = browserSuite();

  it("lets an ente's staff import a flow and read it, its anomalies, treasury and totals", async () => {
    const { page, problems } = await staffPage(suite.pages, suite.t.url, 'admin@asti.demo');
    await visit(page, suite.t.url, asti);
    assert.equal(await page.textContent('h1'), 'Riconciliazione pagoPA – Asti');
    await assertAccessible(page, 'reconciliation home (empty)');

    await page.setInputFiles('#flusso', path.join(fixtures, 'fdr-1_0_4.xml'));
    await page.getByRole('button', { name: 'Importa il flusso' }).click();
    await page.waitForURL(/\/flussi\/[0-9a-f-]{36}\?esito=imported$/);
    assert.equal(await page.textContent('h1'), 'Flusso 2026-11-20BCITITMM-S104001');
    assert.match((await page.textContent('[role="status"]')) ?? '', /Flusso importato e abbinato/);
    const matches = await page.locator('#righe-flusso tbody tr td:last-child').allTextContents();
    assert.deepEqual(matches, ['IUV sconosciuto', 'IUV sconosciuto', 'IUV sconosciuto']);
    await assertAccessible(page, 'flow detail');

    await page.getByRole('link', { name: /^Anomalie/ }).first().click();
    await page.waitForURL(/\/anomalie$/);
    assert.equal(await page.locator('#anomalie tbody tr').count(), 4, 'three unknown IUVs and the missing treasury credit');
    await assertAccessible(page, 'anomalies');
    assert.deepEqual(problems, []);
    // a download aborts the navigation it started: not a problem of the page
    const csv = await download(page, `a[href="${asti}/anomalie.csv"]`);
    assert.match(csv.name, /^anomalie-riconciliazione-asti-\d{4}-\d{2}-\d{2}\.csv$/);
    assert.match(csv.bytes.toString('utf8'), /;Flusso senza accredito in tesoreria;2026-11-20BCITITMM-S104001;;;175,4;\r\n/);
    problems.length = 0;

    await visit(page, suite.t.url, `${asti}/tesoreria`);
    await assertAccessible(page, 'treasury');
    await page.getByLabel('Data valuta').fill('2026-11-21');
    await page.getByLabel('Importo in euro').fill('175,40');
    await page.getByLabel('Causale').fill('/PUR/LGPE-RIVERSAMENTO/URI/2026-11-20BCITITMM-S104001');
    await page.getByRole('button', { name: 'Registra l’accredito' }).click();
    await page.waitForLoadState('load');
    assert.match((await page.textContent('[role="status"]')) ?? '', /1 nuovi, 0 già presenti, 1 abbinati a un flusso/);
    assert.equal(await page.locator('#tabella-tesoreria tbody tr').count(), 1);
    await assertAccessible(page, 'treasury after a typed credit');

    await visit(page, suite.t.url, `${asti}/totali?dal=2026-11-01&al=2026-11-30`);
    assert.match((await page.locator('#totali tbody').textContent()) ?? '', /IUV sconosciuto/);
    await assertAccessible(page, 'totals');
    assert.deepEqual(problems, []);
    await visit(page, suite.t.url, '/backoffice/enti/canelli/pagamenti/riconciliazione', 403);
  });

  it("gives the CST the network's flows, anomalies and totals", async () => {
    const { page, problems } = await staffPage(suite.pages, suite.t.url, 'admin@cst.demo');
    await visit(page, suite.t.url, network);
    assert.equal(await page.textContent('h1'), 'Riconciliazione pagoPA – tutti gli enti');
    assert.ok(await page.locator('#flussi td', { hasText: 'Canelli' }).count());
    await assertAccessible(page, 'network flows');
    await page.locator('#flussi tr', { hasText: 'Canelli' }).locator('a').first().click();
    await page.waitForURL(/\/backoffice\/enti\/canelli\/pagamenti\/riconciliazione\/flussi\//);
    assert.deepEqual(await page.locator('#righe-flusso tbody tr td:last-child').allTextContents(), ['abbinato', 'abbinato', 'importo diverso']);
    await assertAccessible(page, 'demo flow of Canelli');
    await visit(page, suite.t.url, `${network}/anomalie`);
    assert.ok(await page.locator('#anomalie th[scope="row"]', { hasText: 'Canelli' }).count());
    await assertAccessible(page, 'network anomalies');
    const today = todayInRome();
    await visit(page, suite.t.url, `${network}/totali?dal=${today.slice(0, 8)}01&al=${today}`);
    await assertAccessible(page, 'network totals');
    assert.deepEqual(problems, []);
  });
});
