// Subscriptions in a real browser: the citizen's page /{slug}/avvisi (the no-JS filter of the comuni, errors),
// the confirm page with a wrong and then the right code, the unsubscribe pages (by code and by the e-mail
// link), and the operators' list, detail and import pages. Every page and error state: 0 axe violations.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { assertAccessible, browserSuite, freshPage, staffPage, visit } from './kit.js';

describe('messaging subscriptions (browser)', () => {
  const suite = browserSuite();

  /** The code queued by notify() for the latest request of `address`. */
  async function latestCode(address: string, channel: 'sms' | 'email'): Promise<string> {
    const db = suite.t.platform.db.owner;
    const otp = await db.selectFrom('msg_otp').select('id').where('address', '=', address).where('channel', '=', channel).orderBy('created_at', 'desc').executeTakeFirstOrThrow();
    const m = await db.selectFrom('msg_message').select(['sms_text', 'body']).where('origin_key', '=', `otp:${otp.id}`).executeTakeFirstOrThrow();
    return /\b(\d{6})\b/.exec(channel === 'sms' ? m.sms_text! : m.body)![1]!;
  }

  it('subscribe: errors, filter without JS, confirm with a wrong then the right code', async () => {
    const { page, problems } = await freshPage(suite.pages);
    await page.route('**/*.js', (route) => route.abort()); // everything must work without JavaScript
    await visit(page, suite.t.url, '/asti/avvisi');
    await assertAccessible(page, 'subscribe page');

    await page.click('#invia');
    assert.match(await page.locator('#errore').innerText(), /Scegli almeno un argomento/);
    await assertAccessible(page, 'subscribe page with errors');

    await page.click('label[for=\"argomento-protezione-civile\"]');
    await page.fill('#campo-cerca', 'canel');
    await page.click('button[value="filtra"]');
    await page.click('label[for=\"comune-canelli\"]');
    assert.equal(await page.locator('input[name="comuni"][type="checkbox"]').count(), 1);
    await assertAccessible(page, 'subscribe page filtered');
    await page.fill('#campo-telefono', '333 111 2299');
    await page.click('label[for=\"campo-consenso\"]');
    await page.click('#invia');
    assert.match(page.url(), /\/asti\/avvisi\/conferma\//);
    await assertAccessible(page, 'confirm page');

    await page.fill('#campo-codice-sms', '000000' === (await latestCode('+393331112299', 'sms')) ? '111111' : '000000');
    await page.click('#conferma');
    assert.match(await page.locator('#campo-codice-sms-errore').innerText(), /Codice errato/);
    await assertAccessible(page, 'confirm page, wrong code');

    await page.fill('#campo-codice-sms', await latestCode('+393331112299', 'sms'));
    await page.click('#conferma');
    assert.match(await page.locator('#esito').innerText(), /Fatto/);
    assert.match(await page.locator('main').innerText(), /Canelli/);
    await assertAccessible(page, 'subscription confirmed');
    assert.deepEqual(problems.filter((p) => !/\.js/.test(p)), []);
  });

  it('unsubscribe: by code (manage page) and by the e-mail link', async () => {
    const { page } = await freshPage(suite.pages);
    await visit(page, suite.t.url, '/asti/avvisi/disiscrizione');
    await assertAccessible(page, 'unsubscribe request page');
    await page.fill('#campo-telefono', '0141 1');
    await page.click('#invia');
    assert.ok(await page.locator('#errore').isVisible());
    await assertAccessible(page, 'unsubscribe request page with error');
    await page.fill('#campo-telefono', '333 111 2299');
    await page.click('#invia');
    await page.fill('#campo-codice-sms', await latestCode('+393331112299', 'sms'));
    await page.click('#conferma');
    assert.match(page.url(), /\/avvisi\/gestione\//);
    await assertAccessible(page, 'manage page');
    await page.click('#conferma');
    assert.match(await page.locator('#errore').innerText(), /Non hai scelto nulla/);
    await assertAccessible(page, 'manage page, nothing chosen');
    await page.locator('label[for^="tutto-"]').first().click();
    await page.click('#conferma');
    assert.match(await page.locator('#esito').innerText(), /annullate/);

    const token = (await sql<{ unsubscribe_token: string }>`select unsubscribe_token from msg_subscriber where email = 'mario.rossi@example.org' and ente_id = (select id from ente where slug = 'asti')`.execute(suite.t.platform.db.owner)).rows[0]!.unsubscribe_token;
    await visit(page, suite.t.url, `/asti/avvisi/disiscrizione/${token}`);
    await assertAccessible(page, 'e-mail link page');
    await page.click('#conferma');
    assert.match(await page.locator('#esito').innerText(), /non riceverai più e-mail/);
    await assertAccessible(page, 'e-mail link done');
    await visit(page, suite.t.url, `/asti/avvisi/disiscrizione/${token}`);
    await assertAccessible(page, 'e-mail link, already off');
  });

  it('operators: picker, list, detail, import with report and errors', async () => {
    const { page } = await staffPage(suite.pages, suite.t.url, 'admin@asti.demo');
    await visit(page, suite.t.url, '/backoffice/avvisi/iscritti');
    await assertAccessible(page, 'ente picker');
    await page.click('button[type="submit"]:has-text("Apri")');
    assert.match(page.url(), /\/backoffice\/enti\/asti\/avvisi\/iscritti$/);
    await assertAccessible(page, 'subscriber list');
    await page.locator('tbody a').first().click();
    assert.ok(await page.locator('#storico').isVisible());
    await assertAccessible(page, 'subscriber detail');

    await visit(page, suite.t.url, '/backoffice/enti/asti/avvisi/iscritti/importa');
    await assertAccessible(page, 'import page');
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cir-import-')), 'lista.csv');
    fs.writeFileSync(file, 'telefono;email;argomenti;data_consenso\r\n3339100001;;eventi;01/02/2025\r\n12;;eventi;01/02/2025\r\n');
    await page.fill('#base', 'x');
    await page.setInputFiles('#file', file);
    await page.click('#importa');
    assert.match(await page.locator('#errore').innerText(), /base del consenso/);
    await assertAccessible(page, 'import page, missing basis');
    await page.fill('#base', 'Modulo firmato allo sportello, prot. 7/2025');
    await page.setInputFiles('#file', file);
    await page.click('#importa');
    assert.match(await page.locator('#esito').innerText(), /nuovi iscritti: 1/);
    assert.equal(await page.locator('#scartate tbody tr').count(), 1);
    await assertAccessible(page, 'import report');
  });
});
