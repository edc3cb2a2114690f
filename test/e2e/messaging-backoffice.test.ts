// The messaging back office in a real browser: the messages list, the compose form (from a template, with the
// live SMS counter), the preview with its refusal, the confirmation and the live progress page all have 0
// axe-core WCAG 2.1 A/AA violations and no asset or CSP errors; the flow is plain forms (no JavaScript needed).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertAccessible, browserSuite, staffPage, visit } from './kit.js';

describe('messaging back office (browser)', () => {
  const suite = browserSuite();
  const base = '/backoffice/enti/asti/messaggi';

  it('list, compose, preview (error and success), progress, templates: accessible', async () => {
    const { page, problems } = await staffPage(suite.pages, suite.t.url, 'admin@asti.demo');
    await visit(page, suite.t.url, base);
    assert.match((await page.textContent('h1')) ?? '', /Messaggi ai cittadini/);
    await assertAccessible(page, 'messages list');

    await visit(page, suite.t.url, `${base}/modelli`);
    await assertAccessible(page, 'templates');
    await page.click('a[aria-label="Usa il modello Chiusura strada per un nuovo messaggio"]');
    await page.waitForURL(/nuovo\?modello=/);
    await page.waitForFunction(() => /Stima: \d+ caratteri, 1 SMS \(GSM-7\)/.test(document.getElementById('sms-contatore')?.textContent ?? ''));
    await page.fill('#messaggio-sms', 'È chiusa 🚧');
    assert.match((await page.textContent('#sms-contatore')) ?? '', /UCS-2/);
    await page.fill('#messaggio-sms', 'x'.repeat(2000));
    await assertAccessible(page, 'compose form');

    await page.fill('#segnaposto-via', 'corso Alfieri');
    await page.click('button[type="submit"] >> text=Anteprima');
    assert.match((await page.textContent('#errore')) ?? '', /Messaggio troppo lungo/);
    await assertAccessible(page, 'compose form with error');

    await page.fill('#messaggio-sms', '');
    await page.click('button[type="submit"] >> text=Anteprima');
    await page.waitForSelector('#destinatari');
    assert.match((await page.textContent('#anteprima-titolo')) ?? '', /corso Alfieri/);
    await assertAccessible(page, 'preview');

    await page.click('#conferma');
    await page.waitForURL(/messaggi\/[0-9a-f-]{36}\?esito=/);
    assert.match((await page.textContent('main')) ?? '', /Per ente/);
    assert.equal(await page.locator('svg[role="img"]').count(), 1);
    await assertAccessible(page, 'progress');
    assert.deepEqual(problems, []);
  });
});
