// The guide of the help desk in a real browser: the desk's catalogue, a new article through preview and save,
// its history and an old version, the page that links articles to a ticket; the guide of Canelli with the
// suggestions that appear while typing (the script in Chromium, also inside a new-ticket form built with
// KbSuggestions as the ticket pages use it), an article and a vote. Every page: 0 axe-core WCAG 2.1 A/AA
// violations, no asset or script errors.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { h, type VNode } from 'preact';
import type { Page } from '../support/browser.js';
import { getEnteBySlug } from '../../src/platform/tenancy/index.js';
import { Layout, renderDocument } from '../../src/platform/views/layout.js';
import { openTicket } from '../../src/modules/helpdesk/index.js';
import { KbSuggestions, enteGuidePath, ticketLinksPath } from '../../src/modules/helpdesk/kb/index.js';
import { assertAccessible, browserSuite, staffPage, tabIn, texts, visit } from './kit.js';

const DESK = '/backoffice/assistenza/guida';
const GUIDE = enteGuidePath('canelli');

/** Waits until the suggestions box lists `title` (the script fetched and rendered them). */
async function suggested(page: Page, box: string, title: string): Promise<string[]> {
  await page.locator(`${box} [data-kb-results] li a`, { hasText: title }).first().waitFor({ timeout: 5000 });
  return texts(page, `${box} [data-kb-results] li a`);
}

describe('guide of the help desk (browser)', () => {
  const suite = browserSuite();
  let desk: Page; // tecnico@cst.demo
  let canelli: Page; // segreteria@canelli.demo
  let ticketId: string;

  before(async () => {
    const ente = (await getEnteBySlug(suite.t.platform.db.app, 'canelli'))!;
    const ticket = await openTicket(suite.t.platform.db.app, { id: null, label: 'test e2e kb' }, ente.id, {
      channel: 'phone',
      callerName: 'Giulia Rosso',
      callerPhone: '0141 000000',
      category: 'posta_pec',
      urgency: 2,
      impact: 2,
      subject: 'La PEC non riceve',
      description: 'Da ieri nessun messaggio in arrivo.',
    });
    ticketId = ticket.id;
    desk = (await staffPage(suite.pages, suite.t.url, 'tecnico@cst.demo')).page;
    canelli = (await staffPage(suite.pages, suite.t.url, 'segreteria@canelli.demo')).page;
  });

  it('the desk searches the catalogue, writes an article with a preview, and reads its history', async () => {
    const { page, problems } = await tabIn(desk, suite.pages);
    await visit(page, suite.t.url, DESK);
    await assertAccessible(page, 'desk catalogue');
    await visit(page, suite.t.url, `${DESK}?q=PEC+piena`);
    assert.equal((await texts(page, 'tbody th[scope="row"] a'))[0], 'Casella PEC piena: non riceve più messaggi');
    assert.ok((await page.locator('tbody mark').count()) > 0, 'matched words are highlighted');
    await assertAccessible(page, 'desk catalogue with a search');

    await visit(page, suite.t.url, `${DESK}/nuovo`);
    await assertAccessible(page, 'new article');
    await page.fill('#kb-title', 'Scanner che salva in PDF illeggibile');
    await page.fill('#kb-keywords', 'scanner, PDF');
    await page.fill('#kb-body', 'Impostate la risoluzione a **300 dpi**.\n\n<script>alert(1)</script>');
    await page.selectOption('#kb-category', 'hardware_stampanti');
    await page.click('label[for="kb-vis-enti"]'); // Bootstrap Italia draws the radio on its label
    assert.ok(await page.isChecked('#kb-vis-enti'));
    await page.selectOption('#kb-audience', { label: 'Canelli' });
    await page.selectOption('#kb-state', 'published');
    await Promise.all([page.waitForURL(`**${DESK}/nuovo`, { waitUntil: 'load' }), page.click('button[value="anteprima"]')]);
    assert.equal(await page.textContent('.kb-article-body strong'), '300 dpi');
    assert.match((await page.textContent('.kb-article-body')) ?? '', /<script>alert\(1\)<\/script>/, 'the script is shown as text');
    assert.equal(await page.inputValue('#kb-title'), 'Scanner che salva in PDF illeggibile', 'the form keeps what was typed');
    await assertAccessible(page, 'new article with preview');

    await Promise.all([page.waitForURL(/\/guida\/[0-9a-f-]{36}\?esito=creato$/, { waitUntil: 'load' }), page.click('button[value="salva"]')]);
    await assertAccessible(page, 'article saved');
    const articleUrl = new URL(page.url()).pathname;
    await page.fill('#kb-body', 'Impostate la risoluzione a 300 dpi e il formato PDF/A.');
    await Promise.all([page.waitForURL(/\?esito=salvato$/, { waitUntil: 'load' }), page.click('button[value="salva"]')]);
    await visit(page, suite.t.url, `${articleUrl}/cronologia`);
    assert.deepEqual(await texts(page, 'tbody th[scope="row"] a'), ['Versione 2', 'Versione 1']);
    await assertAccessible(page, 'history');
    await visit(page, suite.t.url, `${articleUrl}/cronologia/1`);
    await assertAccessible(page, 'an old version');
    assert.deepEqual(problems, []);
  });

  it('the desk links an article to a ticket from the linking page', async () => {
    const { page, problems } = await tabIn(desk, suite.pages);
    const base = ticketLinksPath('canelli', ticketId);
    await visit(page, suite.t.url, `${base}?q=PEC&torna=${encodeURIComponent('/backoffice/')}`);
    await assertAccessible(page, 'linking page with results');
    // the desk-only procedure is not offered for the ente's ticket
    assert.ok(!(await texts(page, 'section[aria-labelledby="kb-links-search"] li a')).some((x) => x.startsWith('Procedura interna')));
    await Promise.all([page.waitForURL(/esito=collegato/, { waitUntil: 'load' }), page.locator('form[action$="/collega"] button').first().click()]);
    assert.equal(await page.locator('#kb-panel-title + ul li').count(), 1);
    await assertAccessible(page, 'linking page after linking');
    assert.equal(await page.getAttribute('a:has-text("Torna al ticket")', 'href'), '/backoffice/');
    assert.deepEqual(problems, []);
  });

  it('Canelli reads the guide: suggestions appear while typing, an article, a vote', async () => {
    const { page, problems } = await tabIn(canelli, suite.pages);
    await visit(page, suite.t.url, GUIDE);
    await assertAccessible(page, 'guide of Canelli');
    await page.locator('#kb-q').pressSequentially('la stampante non stampa', { delay: 20 });
    const titles = await suggested(page, '.kb-suggestions', 'Stampante di rete non stampa o risulta offline');
    assert.ok(titles.length <= 5);
    assert.ok(await page.locator('.kb-suggestions [data-kb-results] mark').count(), 'matched words are highlighted');
    assert.equal(await page.getAttribute('[data-kb-search-link]', 'href'), `${GUIDE}?q=la%20stampante%20non%20stampa`);
    await assertAccessible(page, 'guide with suggestions');

    await visit(page, suite.t.url, `${GUIDE}?q=Wi-Fi+ospiti`);
    const wifi = page.locator('section[aria-labelledby="kb-risultati"] li a', { hasText: 'Wi-Fi ospiti' });
    await Promise.all([page.waitForURL(/\/guida\/[0-9a-f-]{36}$/, { waitUntil: 'load' }), wifi.click()]);
    await assertAccessible(page, 'article');
    await Promise.all([page.waitForURL(/esito=voto$/, { waitUntil: 'load' }), page.click('button[name="utile"][value="si"]')]);
    assert.match((await page.textContent('main')) ?? '', /Lo hai segnato come utile/);
    await assertAccessible(page, 'article after a vote');
    assert.deepEqual(problems, []);
  });

  it('KbSuggestions in a new-ticket form suggests from subject and description together', async () => {
    const { page, problems } = await tabIn(canelli, suite.pages);
    const formUrl = `${suite.t.url}/backoffice/enti/canelli/assistenza/prova-nuovo-ticket`;
    // The ticket pages are built elsewhere: this form is what they render, served for the browser at a test URL.
    const html = renderDocument(
      h(Layout, {
        title: 'Nuovo ticket',
        children: [
          h('h1', {}, 'Nuovo ticket'),
          h('form', { method: 'post', action: '#' }, [
            h('label', { for: 'ticket-subject', class: 'form-label' }, 'Oggetto'),
            h('input', { id: 'ticket-subject', name: 'subject', type: 'text', class: 'form-control' }),
            h('label', { for: 'ticket-description', class: 'form-label' }, 'Descrizione'),
            h('textarea', { id: 'ticket-description', name: 'description', class: 'form-control' }),
            h(KbSuggestions, { enteSlug: 'canelli', inputIds: ['ticket-subject', 'ticket-description'] }),
            h('button', { type: 'submit', class: 'btn btn-primary' }, 'Invia'),
          ]),
        ],
      }) as VNode,
    );
    await page.route(formUrl, (route) => route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html }));
    await page.goto(formUrl, { waitUntil: 'load' });
    await page.locator('#ticket-subject').pressSequentially('Problema posta', { delay: 10 });
    await page.locator('#ticket-description').pressSequentially('la PEC non riceve da ieri', { delay: 10 });
    const titles = await suggested(page, '.kb-suggestions', 'Casella PEC piena: non riceve più messaggi');
    assert.ok(!titles.some((x) => x.startsWith('Procedura interna')), 'a desk-only article was suggested to an ente');
    assert.equal(await page.getAttribute('.kb-suggestions [aria-live="polite"]', 'aria-live'), 'polite');
    await assertAccessible(page, 'new-ticket form with suggestions');
    assert.deepEqual(problems, []);
  });
});
