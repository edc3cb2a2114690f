// The help desk's ticket pages in a real browser (issue 6, point 1): the desk's queue, the phone intake done
// with the keyboard only (autofocus on the ente, Tab through the fields, Enter), the desk's ticket page, the
// ente's list, web form and ticket page (solved, with the survey), and the refusals shown in the forms.
// Every page, error states included: 0 axe-core WCAG 2.1 A/AA violations, no asset or script errors.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { Page } from '../support/browser.js';
import { assertAccessible, browserSuite, staffPage, tabIn, visit } from './kit.js';

describe('help desk ticket pages (browser)', () => {
  const suite = browserSuite();
  let desk: Page; // admin@cst.demo
  let canelli: Page; // segreteria@canelli.demo
  let ticketPath = '';

  before(async () => {
    [desk, canelli] = await Promise.all([staffPage(suite.pages, suite.t.url, 'admin@cst.demo').then((p) => p.page), staffPage(suite.pages, suite.t.url, 'segreteria@canelli.demo').then((p) => p.page)]);
  });

  it('logs a phone call with the keyboard only, from the ente to the ticket page', async () => {
    const { page, problems } = await tabIn(desk, suite.pages);
    await visit(page, suite.t.url, '/backoffice/assistenza/nuovo');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'ticket-ente', 'the ente picker does not have the focus');
    await assertAccessible(page, 'GET /backoffice/assistenza/nuovo');

    await page.keyboard.type('Canelli');
    await page.keyboard.press('Escape'); // closes the datalist's suggestions, keeps the text
    await page.keyboard.press('Tab');
    await page.keyboard.type('Luca Bianchi');
    await page.keyboard.press('Tab');
    await page.keyboard.type('0141 820111');
    await page.keyboard.press('Tab'); // e-mail: not given on the phone
    await page.keyboard.press('Tab'); // channel: telephone by default
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'ticket-categoria');
    await page.keyboard.type('Posta elettronica');
    await page.keyboard.press('Tab'); // urgency: medium by default
    await page.keyboard.press('ArrowUp'); // high: the work is stopped
    await page.keyboard.press('Tab'); // impact: medium by default
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'ticket-oggetto');
    await page.keyboard.type('La PEC non riceve messaggi');
    await page.keyboard.press('Tab');
    await page.keyboard.type('Da stamattina nessun messaggio in arrivo.');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Apri il ticket');
    await Promise.all([page.waitForURL(/\/backoffice\/assistenza\/ticket\/canelli\/[0-9a-f-]+\?esito=aperto$/, { waitUntil: 'load' }), page.keyboard.press('Enter')]);

    assert.match((await page.textContent('[role="status"]')) ?? '', /Ticket \d+\/\d{4} aperto\./);
    assert.match((await page.textContent('main')) ?? '', /Posta elettronica certificata/);
    assert.match((await page.textContent('main')) ?? '', /P2 alta/);
    ticketPath = new URL(page.url()).pathname;
    assert.deepEqual(problems, []);
    await assertAccessible(page, 'GET /backoffice/assistenza/ticket/… (opened)');
  });

  it('shows the intake refusals next to the fields, accessibly', async () => {
    const { page } = await tabIn(desk, suite.pages);
    await visit(page, suite.t.url, '/backoffice/assistenza/nuovo');
    await page.fill('#ticket-ente', 'Comune inesistente');
    await Promise.all([page.waitForLoadState('load'), page.click('form[action="/backoffice/assistenza/nuovo"] button[type="submit"]')]);
    assert.match((await page.textContent('#ticket-ente-errore')) ?? '', /Ente non trovato/);
    assert.equal(await page.inputValue('#ticket-ente'), 'Comune inesistente');
    await assertAccessible(page, 'POST /backoffice/assistenza/nuovo (errors)');
  });

  it('works the ticket on the desk page: assign, note, reply, a refused merge, solve', async () => {
    assert.ok(ticketPath, 'the intake test did not run');
    const { page, problems } = await tabIn(desk, suite.pages);
    await visit(page, suite.t.url, ticketPath);
    await page.selectOption('#assegna-operatore', { label: 'Marco Ferrero (tecnico CST)' });
    await Promise.all([page.waitForURL(/esito=assegnato/, { waitUntil: 'load' }), page.click('section[aria-labelledby="assegna"] button[type="submit"]')]);
    await page.fill('#nota-testo', 'Controllare il relay del fornitore');
    await Promise.all([page.waitForURL(/esito=nota/, { waitUntil: 'load' }), page.click('section[aria-labelledby="nota"] button[type="submit"]')]);
    await page.fill('#risposta-testo', 'Stiamo verificando con il gestore.');
    await Promise.all([page.waitForURL(/esito=risposta/, { waitUntil: 'load' }), page.click('section[aria-labelledby="rispondi"] button[type="submit"]')]);
    assert.match((await page.textContent('main')) ?? '', /Nota interna: non visibile all’ente/);
    assert.deepEqual(problems, []);
    await assertAccessible(page, 'GET /backoffice/assistenza/ticket/… (worked)');

    await page.fill('#unisci-numero', 'dodici');
    await Promise.all([page.waitForLoadState('load'), page.click('section[aria-labelledby="unisci"] button[type="submit"]')]);
    assert.match((await page.textContent('#unisci-numero-errore')) ?? '', /numero\/anno/);
    await assertAccessible(page, 'POST …/unisci (error)');

    await visit(page, suite.t.url, ticketPath);
    await page.selectOption('#stato-nuovo', 'solved');
    await Promise.all([page.waitForURL(/esito=stato/, { waitUntil: 'load' }), page.click('section[aria-labelledby="stato"] button[type="submit"]')]);

    await visit(page, suite.t.url, '/backoffice/assistenza');
    await assertAccessible(page, 'GET /backoffice/assistenza');
  });

  it("the ente sees its tickets, the solved one without internal notes, with the survey", async () => {
    const { page, problems } = await tabIn(canelli, suite.pages);
    await visit(page, suite.t.url, '/backoffice/enti/canelli/assistenza');
    await assertAccessible(page, 'GET /backoffice/enti/canelli/assistenza');
    const id = ticketPath.split('/').pop()!;
    await visit(page, suite.t.url, `/backoffice/enti/canelli/assistenza/ticket/${id}`);
    const text = (await page.textContent('main')) ?? '';
    assert.match(text, /Il problema è risolto\?/);
    assert.match(text, /Valuta l’assistenza ricevuta/);
    assert.match(text, /Stiamo verificando con il gestore\./);
    assert.doesNotMatch(text, /relay del fornitore|Nota interna/);
    assert.deepEqual(problems, []);
    await assertAccessible(page, 'GET /backoffice/enti/canelli/assistenza/ticket/… (solved)');

    await visit(page, suite.t.url, '/backoffice/enti/canelli/assistenza/nuovo');
    await assertAccessible(page, 'GET /backoffice/enti/canelli/assistenza/nuovo');
    await page.fill('#ticket-oggetto', 'Stampa F24');
    await Promise.all([page.waitForLoadState('load'), page.click('form[action$="/assistenza/nuovo"] button[type="submit"]')]);
    assert.match((await page.textContent('#ticket-descrizione-errore')) ?? '', /descrizione del problema è obbligatoria/);
    assert.equal(await page.inputValue('#ticket-oggetto'), 'Stampa F24');
    await assertAccessible(page, 'POST /backoffice/enti/canelli/assistenza/nuovo (errors)');
  });

  it("another ente's page is a 403 page, accessibly", async () => {
    const { page } = await tabIn(canelli, suite.pages);
    await visit(page, suite.t.url, '/backoffice/enti/asti/assistenza', 403);
    await assertAccessible(page, 'GET /backoffice/enti/asti/assistenza (403)');
  });
});
