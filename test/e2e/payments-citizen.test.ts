// The citizen's payments area in a real browser: the payments page of Asti for an anonymous visitor (catalogue
// and the SPID/CIE entry, no cookie), the login through the development IdP and back; Mario Rossi's positions
// across the network (his Asti TARI in three instalments or in one payment, a position created here at Canelli,
// the cross-ente read audited on the CST), paying an instalment through the checkout simulator (which calls our
// SOAP endpoint) and back with the outcome, its receipt PDF, the single payment no longer offered;
// Giulia Bianchi sees only hers and gets 404 for Mario's positions, notice and receipt; the spontaneous payment of diritti di segreteria
// (amount validation in Italian, one position for a double submission even when concurrent, a valid notice
// number, due in 30 days), a fixed-amount item, a non-spontaneous item refused, CSRF. Every page: 0 axe-core
// WCAG 2.1 A/AA violations, no asset or script errors.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';
import { closeBrowser, type Page } from '../support/browser.js';
import { addDays, todayInRome } from '../../src/platform/calendar/index.js';
import { getEnteBySlug, type Ente } from '../../src/platform/tenancy/index.js';
import { createPosition } from '../../src/modules/payments/index.js';
import { createSpontaneous } from '../../src/modules/payments/citizen/index.js';
import { isValidNoticeNumber } from '../../src/modules/payments/iuv.js';
import { assertAccessible, freshPage, texts, visit } from './kit.js';

const MARIO = 'RSSMRA80A01A479L';
const GIULIA = 'BNCGLI85C55A479Q';
const PAGE = '/asti/pagamenti';

describe('citizen payments area (browser)', () => {
  let t: TestPlatform;
  const pages: Page[] = [];
  let asti: Ente;
  let canelli: Ente;
  let mario: { page: Page; problems: string[] };
  let giulia: { page: Page; problems: string[] };
  let tariId: string;
  let mensaId: string;
  let canelliId: string;
  let tariReceipt: string;

  /** From the payments page of `slug`, through the dev IdP (demo citizen, consent), back to that page. */
  async function citizenLogin(page: Page, fiscalCode: string, slug = 'asti'): Promise<void> {
    await visit(page, t.url, `/${slug}/pagamenti`);
    await Promise.all([page.waitForURL((u) => u.pathname.startsWith('/dev-idp/interaction/'), { waitUntil: 'load' }), page.click('#accedi')]);
    await page.click(`label[for="citizen-${fiscalCode}"]`);
    await page.click('form:has(input[name="mode"][value="demo"]) button[type="submit"]');
    await page.waitForSelector('form[action$="/consent"] button[type="submit"]');
    await Promise.all([page.waitForURL((u) => u.pathname === `/${slug}/pagamenti`, { waitUntil: 'load' }), page.click('form[action$="/consent"] button[type="submit"]')]);
  }

  const positionsListed = (page: Page, slug: string) => texts(page, `section[data-ente="${slug}"] article h4 > span:first-child`);

  /** The page lists exactly the citizen's published positions (whatever other seeds add), grouped by ente name. */
  async function assertListsExactly(page: Page, fiscalCode: string): Promise<void> {
    const expected = await owner()
      .selectFrom('payment_position')
      .innerJoin('ente', 'ente.id', 'payment_position.ente_id')
      .select(['payment_position.id', 'ente.name'])
      .where('debtor_fiscal_code', '=', fiscalCode)
      .where('status', '!=', 'draft')
      .execute();
    const listed = await page.locator('article[data-position]').evaluateAll((els) => els.map((e) => e.getAttribute('data-position')!));
    assert.deepEqual([...listed].sort(), expected.map((p) => p.id).sort());
    assert.deepEqual(await texts(page, 'section[data-ente] > h3'), [...new Set(expected.map((p) => p.name))].sort((a, b) => a.localeCompare(b, 'it')));
  }
  const owner = () => t.platform.db.owner;

  before(async () => {
    t = await startTestPlatform({ listen: true });
    asti = (await getEnteBySlug(t.platform.db.app, 'asti'))!;
    canelli = (await getEnteBySlug(t.platform.db.app, 'canelli'))!;
    const seeded = await owner().selectFrom('payment_position').select(['id', 'external_ref']).where('ente_id', '=', asti.id).execute();
    tariId = seeded.find((p) => p.external_ref === 'TARI-2026-000001')!.id;
    mensaId = seeded.find((p) => p.external_ref === 'MENSA-2026-11-0001')!.id;
    // Mario also owes something to Canelli: the list must cross enti.
    const made = await createPosition(t.platform.db.app, { id: null, label: 'test e2e' }, canelli.id, {
      serviceCode: 'canone_unico',
      reason: 'Canone unico 2026 – passo carraio',
      amountCents: 4_800,
      debtor: { fiscalCode: MARIO, name: 'Mario Rossi' },
      dueDate: addDays(todayInRome(), 45),
    });
    canelliId = made.position.id;
    mario = await freshPage(pages);
    giulia = await freshPage(pages);
  });

  after(async () => {
    for (const p of pages) await p.context().close().catch(() => undefined);
    await closeBrowser();
    await t?.close();
  });

  it('shows the catalogue and the SPID/CIE entry to an anonymous visitor, without cookies', async () => {
    const { page, problems } = await freshPage(pages);
    await visit(page, t.url, PAGE);
    assert.equal(await page.locator('h1').textContent(), 'Pagamenti pagoPA – Asti');
    const services = await page.locator('[data-service]').evaluateAll((els) => els.map((e) => e.getAttribute('data-service')));
    for (const code of ['tari', 'imu', 'mensa', 'diritti_segreteria', 'cie']) assert.ok(services.includes(code), code);
    assert.equal(await page.getAttribute('#accedi', 'href'), '/auth/citizen/login?next=%2Fasti%2Fpagamenti');
    assert.match(await page.locator('#accedi').innerText(), /Accedi con SPID o CIE/);
    // Spontaneous items lead to the login, then to their form; the others have no button.
    assert.equal(await page.getAttribute('[data-service="diritti_segreteria"] a', 'href'), `/auth/citizen/login?next=${encodeURIComponent('/asti/pagamenti/nuovo?servizio=diritti_segreteria')}`);
    assert.equal(await page.locator('[data-service="tari"] a').count(), 0);
    assert.match(await page.locator('[data-service="cie"]').innerText(), /22,21/);
    assert.equal(await page.locator('article[data-position]').count(), 0);
    assert.deepEqual(await page.context().cookies(), []);
    await assertAccessible(page, 'pagamenti (anonimo)');
    assert.deepEqual(problems, []);

    const unknown = await page.goto(new URL('/non-esiste/pagamenti', t.url).toString());
    assert.equal(unknown?.status(), 404);
    // Personal pages send an anonymous visitor to the login, coming back to them afterwards.
    for (const path of [`/asti/pagamenti/posizioni/${tariId}`, '/asti/pagamenti/nuovo?servizio=diritti_segreteria']) {
      const res = await fetch(new URL(path, t.url), { redirect: 'manual' });
      assert.equal(res.status, 303, path);
      assert.equal(res.headers.get('location'), `/auth/citizen/login?next=${encodeURIComponent(path)}`);
    }
  });

  it("Mario signs in with the dev IdP and sees his positions at every ente, grouped, and only his", async () => {
    const { page, problems } = mario;
    await citizenLogin(page, MARIO);
    assert.match(await page.locator('#miei').locator('xpath=..').innerText(), /RSSMRA80A01A479L/);
    await assertListsExactly(page, MARIO);
    assert.ok((await positionsListed(page, 'asti')).includes('TARI 2026 – utenza domestica'));
    assert.ok((await positionsListed(page, 'canelli')).includes('Canone unico 2026 – passo carraio'));
    assert.equal(await page.locator(`[data-position="${mensaId}"]`).count(), 0, "Giulia's position is not listed");

    const tari = page.locator(`[data-position="${tariId}"]`);
    assert.match(await tari.locator('.badge').innerText(), /Da pagare/);
    assert.deepEqual(await texts(page, `[data-position="${tariId}"] tbody th`), ['Unica soluzione', 'Rata 1 di 3', 'Rata 2 di 3', 'Rata 3 di 3']);
    assert.deepEqual(await texts(page, `[data-position="${tariId}"] tbody td.text-end`), ['315,00 €', '105,00 €', '105,00 €', '105,00 €']);
    assert.equal(await tari.locator('a[href$="/avviso.pdf"]').getAttribute('href'), `/asti/pagamenti/posizioni/${tariId}/avviso.pdf`);
    assert.equal(await page.locator(`[data-position="${canelliId}"] a[href$="/avviso.pdf"]`).getAttribute('href'), `/canelli/pagamenti/posizioni/${canelliId}/avviso.pdf`);
    for (const href of [`/asti/pagamenti/posizioni/${tariId}/avviso.pdf`, `/canelli/pagamenti/posizioni/${canelliId}/avviso.pdf`]) {
      const notice = await page.context().request.get(new URL(href, t.url).toString());
      assert.equal(notice.status(), 200, href);
      assert.equal((await notice.body()).subarray(0, 5).toString(), '%PDF-', href);
    }
    // "Paga" for every option, to the checkout (here the dev PSP simulator), coming back to this page.
    const pay = await tari.locator('a.btn', { hasText: 'Paga' }).evaluateAll((els) => els.map((e) => e.getAttribute('href')!));
    assert.equal(pay.length, 4);
    const first = new URL(pay[1]!, t.url);
    assert.equal(first.pathname, '/dev-psp/checkout');
    assert.equal(first.searchParams.get('ente'), asti.fiscalCode);
    assert.match(first.searchParams.get('return') ?? '', /^\/asti\/pagamenti\?pagamento=3\d{17}$/);
    await assertAccessible(page, 'pagamenti (Mario Rossi)');

    // The cross-ente read is audited on the CST, with its reason, as the citizen.
    const audit = await owner().selectFrom('audit_log').innerJoin('ente', 'ente.id', 'audit_log.ente_id').select(['ente.is_cst', 'audit_log.after']).where('action', '=', 'cross_ente.read').where('actor_label', '=', `cittadino:${MARIO}`).execute();
    assert.ok(audit.length >= 1);
    assert.ok(audit.every((a) => a.is_cst));
    assert.match(JSON.stringify(audit[0]!.after), /propri pagamenti/);

    // One position: its page, under its own ente only.
    await visit(page, t.url, `/canelli/pagamenti/posizioni/${canelliId}`);
    assert.match(await page.locator('h1').innerText(), /Avviso di pagamento/);
    assert.match(await page.locator('main').innerText(), /48,00 €/);
    await assertAccessible(page, 'posizione (Mario Rossi, Canelli)');
    await visit(page, t.url, `/asti/pagamenti/posizioni/${canelliId}`, 404);
    await visit(page, t.url, '/asti/pagamenti/posizioni/non-un-id', 404);
    assert.deepEqual(problems, []);
  });

  it('pays an instalment through the checkout simulator: outcome, receipt, single payment no longer offered', async () => {
    const { page, problems } = mario;
    const option = await owner().selectFrom('payment_option').selectAll().where('position_id', '=', tariId).where('instalment', '=', 1).executeTakeFirstOrThrow();
    await visit(page, t.url, PAGE);
    const payFirst = page.locator(`[data-position="${tariId}"] tr[data-option="1"] a.btn`);
    await Promise.all([page.waitForURL((u) => u.pathname === '/dev-psp/checkout', { waitUntil: 'load' }), payFirst.click()]);
    await Promise.all([page.waitForURL((u) => u.pathname === PAGE, { waitUntil: 'load' }), page.click('form[action="/dev-psp/checkout"] button[type="submit"]')]);
    const back = new URL(page.url());
    assert.equal(back.searchParams.get('pagamento'), option.notice_number);
    assert.equal(back.searchParams.get('esito'), 'OK', `the simulator came back with ${back.search}`);
    assert.match(await page.locator('#esito').innerText(), /registrato/);

    const tari = page.locator(`[data-position="${tariId}"]`);
    assert.match(await tari.locator('.badge').innerText(), /In parte pagato/);
    assert.match(await tari.locator('tr[data-option="1"]').innerText(), /Pagata il/);
    assert.match(await tari.locator('tr[data-option="unica"]').innerText(), /Non più disponibile/);
    assert.equal(await tari.locator('tr[data-option="unica"] a.btn').count(), 0, 'paying the whole after an instalment would pay twice');
    assert.equal(await tari.locator('tr[data-option="2"] a.btn').count(), 1);
    const receipt = await owner().selectFrom('payment_receipt').select('id').where('option_id', '=', option.id).executeTakeFirstOrThrow();
    const receiptHref = `/asti/pagamenti/ricevute/${receipt.id}.pdf`;
    assert.equal(await tari.locator('tr[data-option="1"] a', { hasText: 'Ricevuta' }).getAttribute('href'), receiptHref);
    await assertAccessible(page, 'pagamenti dopo il pagamento di una rata');
    const pdf = await page.context().request.get(new URL(receiptHref, t.url).toString());
    assert.equal(pdf.status(), 200);
    assert.match(pdf.headers()['content-type'] ?? '', /application\/pdf/);
    assert.equal((await pdf.body()).subarray(0, 5).toString(), '%PDF-');
    tariReceipt = receiptHref;

    // Back without paying: the records say it is not paid; a KO from the checkout says so plainly.
    const unpaid = await owner().selectFrom('payment_option').select('notice_number').where('position_id', '=', tariId).where('instalment', '=', 2).executeTakeFirstOrThrow();
    await visit(page, t.url, `/asti/pagamenti/posizioni/${tariId}?pagamento=${unpaid.notice_number}`);
    assert.match(await page.locator('#esito').innerText(), /non risulta ancora concluso/);
    await assertAccessible(page, 'posizione, pagamento non concluso');
    await visit(page, t.url, `${PAGE}?pagamento=${unpaid.notice_number}&esito=KO`);
    assert.match(await page.locator('#esito').innerText(), /non è stato completato/);
    // A notice number of someone else shows nothing.
    const giulias = await owner().selectFrom('payment_option').select('notice_number').where('position_id', '=', mensaId).executeTakeFirstOrThrow();
    await visit(page, t.url, `${PAGE}?pagamento=${giulias.notice_number}&esito=OK`);
    assert.equal(await page.locator('#esito').count(), 0);
    assert.deepEqual(problems, []);
  });

  it("Giulia sees only her position and gets 404 for Mario's", async () => {
    const { page } = giulia;
    await citizenLogin(page, GIULIA);
    await assertListsExactly(page, GIULIA);
    assert.ok((await positionsListed(page, 'asti')).includes('Mensa scolastica – novembre'));
    assert.equal(await page.locator(`[data-position="${tariId}"]`).count(), 0);
    assert.match(await page.locator(`[data-position="${mensaId}"]`).innerText(), /86,40 €/);
    await assertAccessible(page, 'pagamenti (Giulia Bianchi)');
    for (const path of [`/asti/pagamenti/posizioni/${tariId}`, `/canelli/pagamenti/posizioni/${canelliId}`, `/asti/pagamenti/posizioni/${tariId}/avviso.pdf`, tariReceipt]) {
      const res = await page.context().request.get(new URL(path, t.url).toString(), { maxRedirects: 0 });
      assert.equal(res.status(), 404, path);
      assert.doesNotMatch(await res.text(), /TARI 2026|Canone unico|RSSMRA80A01A479L/, path);
    }
    await visit(page, t.url, `/asti/pagamenti/posizioni/${tariId}`, 404);
    await assertAccessible(page, 'posizione di un altro cittadino (404)');
  });

  it('spontaneous payment: Italian validation, one position for a double submission, a valid notice', async () => {
    const { page } = mario;
    await visit(page, t.url, PAGE);
    await Promise.all([page.waitForURL((u) => u.pathname === '/asti/pagamenti/nuovo', { waitUntil: 'load' }), page.click('[data-service="diritti_segreteria"] a')]);
    assert.equal(await page.inputValue('#reason'), 'Diritti di segreteria');
    await assertAccessible(page, 'pagamento spontaneo (modulo)');

    await page.fill('#amount', '12,345');
    await Promise.all([page.waitForLoadState('load'), page.click('form[action="/asti/pagamenti/nuovo"] button[type="submit"]')]);
    assert.match(await page.locator('#amount-error').innerText(), /al massimo due cifre dopo la virgola/);
    assert.equal(await page.getAttribute('#amount', 'aria-invalid'), 'true');
    assert.equal(await page.inputValue('#amount'), '12,345');
    await assertAccessible(page, 'pagamento spontaneo (errore)');
    await page.fill('#amount', 'dodici');
    await Promise.all([page.waitForLoadState('load'), page.click('form[action="/asti/pagamenti/nuovo"] button[type="submit"]')]);
    assert.match(await page.locator('#amount-error').innerText(), /non è valido/);

    // A double click: the same form posted twice at the same moment.
    await page.fill('#amount', '16,00');
    await page.fill('#reason', 'Diritti di segreteria – certificato di destinazione urbanistica');
    const key = await page.inputValue('input[name="chiave"]');
    const form = { _csrf: await page.inputValue('input[name="_csrf"]'), servizio: 'diritti_segreteria', chiave: key, importo: '16,00', causale: 'Diritti di segreteria – certificato di destinazione urbanistica' };
    const request = page.context().request;
    const post = () => request.post(new URL('/asti/pagamenti/nuovo', t.url).toString(), { form, maxRedirects: 0 });
    const [first, second] = await Promise.all([post(), post()]);
    assert.equal(first.status(), 303);
    assert.equal(second.status(), 303);
    assert.equal(first.headers().location, second.headers().location);
    await Promise.all([page.waitForURL((u) => u.pathname.startsWith('/asti/pagamenti/posizioni/'), { waitUntil: 'load' }), page.click('form[action="/asti/pagamenti/nuovo"] button[type="submit"]')]);
    assert.equal(new URL(page.url()).pathname + new URL(page.url()).search, first.headers().location);

    const made = await owner().selectFrom('payment_position').selectAll().where('ente_id', '=', asti.id).where('external_ref', '=', `CIT-${MARIO}-${key}`).execute();
    assert.equal(made.length, 1, 'one position for three submissions of one form');
    const position = made[0]!;
    assert.equal(position.debtor_fiscal_code, MARIO);
    assert.equal(position.debtor_name, 'Mario Rossi');
    assert.equal(position.amount_cents, 1600);
    assert.equal(position.status, 'valid');
    assert.equal(position.created_by, `cittadino:${MARIO}`);
    assert.equal(position.origin_module, 'payments');
    const options = await owner().selectFrom('payment_option').selectAll().where('position_id', '=', position.id).execute();
    assert.equal(options.length, 1);
    assert.ok(isValidNoticeNumber(options[0]!.notice_number), options[0]!.notice_number);
    assert.equal(options[0]!.due_date, addDays(todayInRome(), 30));
    const audit = await owner().selectFrom('audit_log').select('actor_label').where('action', '=', 'payment_position.create').where('entity_id', '=', position.id).execute();
    assert.deepEqual(audit.map((a) => a.actor_label), [`cittadino:${MARIO}`]);

    // Five submissions of one form at the same moment still make one position (the losers of the race on the
    // reference find the winner's).
    const item = await owner().selectFrom('payment_service').selectAll().where('ente_id', '=', asti.id).where('code', '=', 'diritti_segreteria').executeTakeFirstOrThrow();
    const citizen = { fiscalCode: MARIO, givenName: 'Mario', familyName: 'Rossi', provider: 'dev' };
    const raceKey = randomUUID();
    const raced = await Promise.all(Array.from({ length: 5 }, () => createSpontaneous(t.platform.db.app, citizen, undefined, asti.id, item, { amount: '5', reason: 'Diritti di segreteria', key: raceKey })));
    assert.equal(new Set(raced.map((r) => r.position.id)).size, 1);
    assert.equal(raced.filter((r) => r.created).length, 1);

    assert.match(await page.locator('#esito').innerText(), /Abbiamo creato il tuo avviso/);
    assert.match(await page.locator('main').innerText(), /16,00 €/);
    assert.equal(await page.locator(`a[href="/asti/pagamenti/posizioni/${position.id}/avviso.pdf"]`).count(), 1);
    const notice = await page.context().request.get(new URL(`/asti/pagamenti/posizioni/${position.id}/avviso.pdf`, t.url).toString());
    assert.equal(notice.status(), 200);
    assert.equal((await notice.body()).subarray(0, 5).toString(), '%PDF-');
    await assertAccessible(page, 'posizione creata');
  });

  it('fixed amounts, non-spontaneous and unknown items, CSRF', async () => {
    const { page } = mario;
    const request = page.context().request;
    await visit(page, t.url, '/asti/pagamenti/nuovo?servizio=cie');
    assert.match(await page.locator('#importo-fisso').innerText(), /22,21 €/);
    assert.equal(await page.locator('#amount').count(), 0);
    await assertAccessible(page, 'pagamento spontaneo (importo fisso)');
    const csrf = await page.inputValue('input[name="_csrf"]');
    const key = await page.inputValue('input[name="chiave"]');
    // A typed amount cannot change a fixed one.
    const made = await request.post(new URL('/asti/pagamenti/nuovo', t.url).toString(), { form: { _csrf: csrf, servizio: 'cie', chiave: key, importo: '1,00', causale: "Carta d'identità elettronica" }, maxRedirects: 0 });
    assert.equal(made.status(), 303);
    const cie = await owner().selectFrom('payment_position').select('amount_cents').where('external_ref', '=', `CIT-${MARIO}-${key}`).executeTakeFirstOrThrow();
    assert.equal(cie.amount_cents, 2221);

    await visit(page, t.url, '/asti/pagamenti/nuovo?servizio=tari', 422);
    assert.match(await page.locator('main').innerText(), /non si può pagare di propria iniziativa/);
    await assertAccessible(page, 'servizio non spontaneo');
    await visit(page, t.url, '/asti/pagamenti/nuovo?servizio=inesistente', 404);

    const before = await owner().selectFrom('payment_position').select(({ fn }) => fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const tari = await request.post(new URL('/asti/pagamenti/nuovo', t.url).toString(), { form: { _csrf: csrf, servizio: 'tari', chiave: randomUUID(), importo: '10,00', causale: 'TARI' }, maxRedirects: 0 });
    assert.equal(tari.status(), 422);
    const noCsrf = await request.post(new URL('/asti/pagamenti/nuovo', t.url).toString(), { form: { servizio: 'diritti_segreteria', chiave: randomUUID(), importo: '10,00', causale: 'x' }, maxRedirects: 0 });
    assert.equal(noCsrf.status(), 403);
    const tooLong = await request.post(new URL('/asti/pagamenti/nuovo', t.url).toString(), { form: { _csrf: csrf, servizio: 'diritti_segreteria', chiave: randomUUID(), importo: '10,00', causale: 'x'.repeat(141) }, maxRedirects: 0 });
    assert.equal(tooLong.status(), 422);
    assert.match(await tooLong.text(), /al massimo 140 caratteri/);
    const badKey = await request.post(new URL('/asti/pagamenti/nuovo', t.url).toString(), { form: { _csrf: csrf, servizio: 'diritti_segreteria', chiave: 'x', importo: '10,00', causale: 'x' }, maxRedirects: 0 });
    assert.equal(badKey.status(), 422);
    const zero = await request.post(new URL('/asti/pagamenti/nuovo', t.url).toString(), { form: { _csrf: csrf, servizio: 'diritti_segreteria', chiave: randomUUID(), importo: '0,00', causale: 'x' }, maxRedirects: 0 });
    assert.equal(zero.status(), 422);
    assert.match(await zero.text(), /maggiore di zero/);
    const afterCount = await owner().selectFrom('payment_position').select(({ fn }) => fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    assert.equal(Number(afterCount.n), Number(before.n), 'refused submissions create nothing');
  });
});
