// The payments back office in a real browser: every page (positions list with totals and chart, position page,
// creation form with its refusal, configuration with errors, catalogue and item, CSV upload and its report,
// the CST's network view) has 0 axe-core WCAG 2.1 A/AA violations and no asset errors; the flows work without
// JavaScript-only controls (forms post and redirect).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addDays, todayInRome } from '../../src/platform/calendar/index.js';
import { assertAccessible, browserSuite, download, staffPage, visit } from './kit.js';

describe('payments back office (browser)', () => {
  const suite = browserSuite();
  const base = '/backoffice/enti/asti/pagamenti';

  it('lists, creates and shows positions; every page is accessible', async () => {
    const { page, problems } = await staffPage(suite.pages, suite.t.url, 'admin@asti.demo');
    await visit(page, suite.t.url, base);
    assert.match((await page.textContent('h1')) ?? '', /Posizioni debitorie/);
    assert.match((await page.textContent('#totali')) ?? '', /Da incassare/);
    assert.equal(await page.locator('svg[role="img"]').count(), 1);
    await assertAccessible(page, 'positions list');
    const csv = await download(page, `a[href^="${base}/posizioni.csv"]`);
    assert.match(csv.bytes.toString('utf8'), /Mario Rossi/);

    await page.click(`a[href="${base}/posizioni/nuova"]`);
    await assertAccessible(page, 'new position form');
    await page.selectOption('#posizione-servizio', 'imu');
    await page.fill('#posizione-causale', 'IMU saldo');
    await page.fill('#posizione-importo', '12,345');
    await page.fill('#posizione-cf', 'RSSMRA80A01A479L');
    await page.fill('#posizione-nome', 'Mario Rossi');
    await page.fill('#posizione-scadenza', addDays(todayInRome(), 30));
    await page.click('button[type="submit"].btn-primary >> text=Crea la posizione');
    assert.match((await page.textContent('#errore')) ?? '', /più di due decimali/);
    await assertAccessible(page, 'new position form with error');
    await page.fill('#posizione-importo', '123,45');
    await page.click('button[type="submit"].btn-primary >> text=Crea la posizione');
    await page.waitForURL(/esito=creata/);
    assert.match((await page.textContent('main')) ?? '', /123,45 €/);
    await assertAccessible(page, 'position page');
    await page.fill('#annulla-motivo', 'Prova');
    await page.click('button.btn-danger');
    await page.waitForURL(/esito=annullata/);
    assert.match((await page.textContent('main')) ?? '', /Annullata/);
    assert.deepEqual(problems, []);
  });

  it('configuration, catalogue and CSV upload pages', async () => {
    const { page, problems } = await staffPage(suite.pages, suite.t.url, 'admin@asti.demo');
    await visit(page, suite.t.url, `${base}/configurazione`);
    await assertAccessible(page, 'configuration');
    await page.fill('#config-fiscal_code', '12345678901');
    await page.click('button[type="submit"] >> text=Salva la configurazione');
    assert.match((await page.textContent('#config-fiscal_code-errore')) ?? '', /Codice fiscale non valido/);
    await assertAccessible(page, 'configuration with errors');

    await visit(page, suite.t.url, `${base}/servizi`);
    await assertAccessible(page, 'catalogue');
    await visit(page, suite.t.url, `${base}/servizi/tari`);
    await assertAccessible(page, 'catalogue item');

    await visit(page, suite.t.url, `${base}/caricamento`);
    await assertAccessible(page, 'upload form');
    const due = addDays(todayInRome(), 30);
    const csv = `riferimento;servizio;cf_debitore;nome_debitore;causale;importo;scadenza\nE2E-1;mensa;RSSMRA80A01A479L;Mario Rossi;Mensa;10,00;${due}\nE2E-2;mensa;XXX;Mario Rossi;Mensa;10,00;${due}\n`;
    await page.setInputFiles('#caricamento-file', { name: 'mensa.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.click('button[type="submit"] >> text=Carica il file');
    await page.waitForURL(/caricamento\/[0-9a-f-]{36}$/);
    assert.match((await page.textContent('#esito-caricamento')) ?? '', /Posizioni create\s*1/);
    assert.match((await page.textContent('main')) ?? '', /Codice fiscale del debitore non valido/);
    await assertAccessible(page, 'upload report');
    assert.deepEqual(problems, []);
  });

  it('the CST sees the network', async () => {
    const { page, problems } = await staffPage(suite.pages, suite.t.url, 'admin@cst.demo');
    await visit(page, suite.t.url, '/backoffice/pagamenti');
    assert.match((await page.locator('table', { hasText: 'Totali per ente' }).textContent()) ?? '', /Asti/);
    await assertAccessible(page, 'network view');
    assert.deepEqual(problems, []);
  });
});
