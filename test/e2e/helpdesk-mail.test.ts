// "Posta da smistare" in a real browser, fed by a real SMTP delivery: a message from an unknown sender sent by
// a separate process to the platform's inbound listener shows up in the desk's list with its reason; its page
// offers the raw .eml and the three forms; the desk opens a ticket from it in a chosen ente and discards
// another one through the forms. Every page: 0 axe-core WCAG 2.1 A/AA violations, no asset or script errors.
// An ente's administrator gets the 403 page.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { Page } from '../support/browser.js';
import { composeMail, smtpSendAll } from '../support/smtp-send.js';
import { assertAccessible, browserSuite, download, staffPage, tabIn, visit } from './kit.js';

describe('help desk: Posta da smistare (browser)', () => {
  const suite = browserSuite({ env: { INBOUND_SMTP_PORT: '0' } });
  let desk: Page;

  before(async () => {
    const mail = (from: string, subject: string, text: string) => composeMail({ from: `Luca Gialli <${from}>`, to: 'assistenza@cst.demo', subject, text });
    const results = await smtpSendAll({ host: '127.0.0.1', port: suite.t.inboundSmtp!.port }, [
      { from: 'luca.gialli@fornitore.example', to: ['assistenza@cst.demo'], raw: await mail('luca.gialli@fornitore.example', 'Il gestionale dei tributi non parte', 'Da ieri il programma si chiude da solo.') },
      { from: 'offerte@pubblicita.example', to: ['assistenza@cst.demo'], raw: await mail('offerte@pubblicita.example', 'Offerta imperdibile', 'Compra ora!') },
    ]);
    assert.deepEqual(results.map((r) => r.code), [250, 250]);
    desk = (await staffPage(suite.pages, suite.t.url, 'tecnico@cst.demo')).page;
  });

  it('lists the quarantined mail with its reason, accessibly', async () => {
    const { page, problems } = await tabIn(desk, suite.pages);
    await visit(page, suite.t.url, '/backoffice/assistenza/posta');
    assert.equal((await page.textContent('h1'))?.trim(), 'Posta da smistare');
    const row = page.locator('tbody tr', { hasText: 'Il gestionale dei tributi non parte' });
    assert.equal(await row.count(), 1);
    assert.match((await row.textContent()) ?? '', /Mittente sconosciuto: luca\.gialli@fornitore\.example/);
    assert.deepEqual(problems, []);
    await assertAccessible(page, 'GET /backoffice/assistenza/posta');
    await page.click('a:has-text("Tutti i messaggi")');
    await page.waitForURL(/stato=tutti/);
    await assertAccessible(page, 'GET /backoffice/assistenza/posta?stato=tutti');
  });

  it('opens a ticket from a message in the chosen ente, through the form', async () => {
    const { page, problems } = await tabIn(desk, suite.pages);
    await visit(page, suite.t.url, '/backoffice/assistenza/posta');
    await page.click('a:has-text("Il gestionale dei tributi non parte")');
    await page.waitForLoadState('load');
    assert.match((await page.textContent('main')) ?? '', /Da ieri il programma si chiude da solo\./);
    assert.deepEqual(problems, []);
    await assertAccessible(page, 'GET /backoffice/assistenza/posta/{id}');

    const eml = await download(page, 'a:has-text("Scarica il messaggio originale")');
    assert.match(eml.name, /^messaggio-\d{4}-\d{2}-\d{2}\.eml$/);
    assert.match(eml.bytes.toString(), /Subject: Il gestionale dei tributi non parte/);

    await page.selectOption('#ticket-ente', { label: 'Canelli' });
    await Promise.all([page.waitForURL(/esito=ticket/), page.click('button:has-text("Apri il ticket")')]);
    assert.match((await page.textContent('[role="status"]')) ?? '', /Ticket \d+\/\d{4} aperto dal messaggio\./);
    assert.match((await page.textContent('main dl')) ?? '', /Ticket aperto[\s\S]*Canelli/);
    await assertAccessible(page, 'GET /backoffice/assistenza/posta/{id}?esito=ticket');
  });

  it('discards a message with a reason, showing the error first when the reason is missing', async () => {
    const { page } = await tabIn(desk, suite.pages);
    await visit(page, suite.t.url, '/backoffice/assistenza/posta');
    await page.click('a:has-text("Offerta imperdibile")');
    await page.waitForLoadState('load');
    // the browser would block an empty required field: send spaces to reach the server's check
    await page.fill('#scarta-motivo', '   ');
    await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.click('button:has-text("Scarta")')]);
    await page.waitForLoadState('load');
    assert.match((await page.textContent('#errore-discard')) ?? '', /Indica il motivo/);
    await assertAccessible(page, 'POST …/scarta (422)');
    await page.fill('#scarta-motivo', 'Pubblicità');
    await Promise.all([page.waitForURL(/esito=scartato/), page.click('button:has-text("Scarta")')]);
    assert.match((await page.textContent('main dl')) ?? '', /Scartato da tecnico@cst\.demo: Pubblicità/);
  });

  it("is not for an ente's staff", async () => {
    const { page } = await staffPage(suite.pages, suite.t.url, 'admin@asti.demo');
    await visit(page, suite.t.url, '/backoffice/assistenza/posta', 403);
    assert.doesNotMatch((await page.textContent('main')) ?? '', /gestionale dei tributi/);
    await assertAccessible(page, 'GET /backoffice/assistenza/posta (403)');
  });
});
