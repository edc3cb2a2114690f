// The public side of the network in a real browser (issue "platform foundation"): the CST home with its search,
// the portals of a comune, a union, the comunità montana and the provincia, the 404 page and the staff login.
// Every page: 0 axe-core WCAG 2.1 A/AA violations, no asset or script errors. Anonymous readers get no cookie
// (the albo will rely on it), and the keyboard reaches the content through the skip link.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertAccessible, browserSuite, freshPage, italianInt, texts, visit } from './kit.js';

describe('public network pages (browser)', () => {
  const suite = browserSuite();

  it('the home page lists the whole network, sets no cookie and is accessible', async () => {
    const { page, problems } = await freshPage(suite.pages);
    await visit(page, suite.t.url, '/');
    assert.equal(await page.textContent('h1'), 'La rete degli enti');
    const total = await page.locator('#cerca-titolo ~ [role="status"]').textContent();
    assert.match(total ?? '', /^La rete conta 131 enti\.$/);
    assert.ok(await page.isVisible('a[href="/asti/"]'), 'no link to the portal of Asti');
    assert.ok(await page.isVisible('nav[aria-label="Gruppi di enti"]'));
    assert.deepEqual(await page.context().cookies(), [], 'an anonymous reader of / got a cookie');
    assert.deepEqual(problems, []);
    await assertAccessible(page, 'GET /');
  });

  it('searching by typing and pressing Enter shows the results, accessibly and without cookies', async () => {
    const { page, problems } = await freshPage(suite.pages);
    await visit(page, suite.t.url, '/');
    await page.locator('#q').click();
    await page.keyboard.type('asti');
    await Promise.all([page.waitForURL((url) => url.searchParams.get('q') === 'asti', { waitUntil: 'load' }), page.keyboard.press('Enter')]);
    assert.equal(new URL(page.url()).pathname, '/');
    assert.equal(await page.inputValue('#q'), 'asti', 'the search field lost the query');
    const status = (await page.locator('#cerca-titolo ~ [role="status"]').textContent()) ?? '';
    const match = status.match(/^(\d+) enti trovati per «asti»\.$/);
    assert.ok(match, `unexpected result line: ${status}`);
    const found = Number(match[1]);
    assert.ok(found > 1 && found < 131, `implausible number of results: ${found}`);
    // Every listed ente matches, and the count says how many are listed.
    const names = await texts(page, 'main section[aria-labelledby^="gruppo-"] li > a.fw-semibold');
    assert.equal(new Set(names).size, found);
    for (const name of ['Asti', 'Provincia di Asti', "Costigliole d'Asti"]) assert.ok(names.includes(name), `${name} missing from the results: ${names.join(', ')}`);
    assert.ok(!names.includes('Canelli'), 'Canelli does not match «asti»');
    assert.ok(await page.isVisible('a.btn[href="/"]'), 'no way back to the whole list');
    assert.deepEqual(await page.context().cookies(), [], 'an anonymous search set a cookie');
    assert.deepEqual(problems, []);
    await assertAccessible(page, 'GET /?q=asti');
  });

  it('a search with no results says so, accessibly', async () => {
    const { page, problems } = await freshPage(suite.pages);
    await visit(page, suite.t.url, '/?q=zzzz');
    assert.match((await page.locator('#cerca-titolo ~ [role="status"]').textContent()) ?? '', /^Nessun ente corrisponde a «zzzz»/);
    assert.deepEqual(problems, []);
    await assertAccessible(page, 'GET /?q=zzzz');
  });

  it('the portal of a comune (/asti/) is accessible and sets no cookie', async () => {
    const { page, problems } = await freshPage(suite.pages);
    await visit(page, suite.t.url, '/asti/');
    assert.equal(await page.textContent('h1'), 'Asti');
    assert.ok(await page.isVisible('#servizi'));
    assert.match((await page.locator('section[aria-labelledby="adesione"]').textContent()) ?? '', /aderente/);
    assert.ok(await page.isVisible('nav[aria-label="Percorso di navigazione"]'));
    assert.deepEqual(await page.context().cookies(), [], 'an anonymous reader of /asti/ got a cookie');
    assert.deepEqual(problems, []);
    await assertAccessible(page, 'GET /asti/');
  });

  it('the portal of a union lists its members and is accessible', async () => {
    const { page, problems } = await freshPage(suite.pages);
    await visit(page, suite.t.url, '/unione-val-triversa/');
    assert.equal(await page.textContent('h1'), 'Unione Val Triversa');
    const members = await texts(page, 'section[aria-labelledby="membri"] li a');
    for (const name of ['Cantarana', 'Castellero', 'Cortandone', 'Maretto', 'Monale', 'Roatto']) assert.ok(members.includes(name), `${name} missing: ${members.join(', ')}`);
    assert.deepEqual(problems, []);
    await assertAccessible(page, 'GET /unione-val-triversa/');
  });

  it('the portal of the comunità montana shows its seat and members and is accessible', async () => {
    const { page, problems } = await freshPage(suite.pages);
    await visit(page, suite.t.url, '/comunita-montana-langa-astigiana-valle-bormida/');
    assert.equal(await page.textContent('h1'), 'Comunità Montana Langa Astigiana Valle Bormida');
    assert.match((await page.locator('section[aria-labelledby="membri"]').textContent()) ?? '', /Comune sede:\s*Roccaverano/);
    assert.equal((await texts(page, 'section[aria-labelledby="membri"] ul li a')).length, 12);
    assert.deepEqual(problems, []);
    await assertAccessible(page, 'GET /comunita-montana-langa-astigiana-valle-bormida/');
  });

  it('the portal of the provincia is accessible', async () => {
    const { page, problems } = await freshPage(suite.pages);
    await visit(page, suite.t.url, '/provincia-di-asti/');
    assert.equal(await page.textContent('h1'), 'Provincia di Asti');
    assert.match((await page.locator('section[aria-labelledby="adesione"]').textContent()) ?? '', /aderente/);
    assert.deepEqual(problems, []);
    await assertAccessible(page, 'GET /provincia-di-asti/');
  });

  it('an unknown address (/non-esiste/) is an Italian 404 page, accessible', async () => {
    const { page, problems } = await freshPage(suite.pages);
    await visit(page, suite.t.url, '/non-esiste/', 404);
    assert.equal(await page.textContent('h1'), 'Pagina non trovata');
    assert.match((await page.locator('[role="alert"]').textContent()) ?? '', /Nessun ente della rete ha l’indirizzo «non-esiste»/);
    assert.ok(await page.isVisible('a[href="/"].btn'));
    assert.deepEqual(problems, []);
    await assertAccessible(page, 'GET /non-esiste/ (404)');
  });

  it('the staff login page is accessible', async () => {
    const { page, problems } = await freshPage(suite.pages);
    await visit(page, suite.t.url, '/backoffice/login');
    assert.ok(await page.isVisible('#email'));
    assert.ok(await page.isVisible('#password'));
    assert.deepEqual(problems, []);
    await assertAccessible(page, 'GET /backoffice/login');
  });

  it('on the login page the first Tab focuses the skip link, which is then visible and leads into main', async () => {
    const { page } = await freshPage(suite.pages);
    await visit(page, suite.t.url, '/backoffice/login');
    const skip = page.locator('a[href="#main"]');
    const hidden = await skip.boundingBox();
    assert.ok(!hidden || hidden.width <= 1 || hidden.height <= 1, `the skip link is visible before it gets focus: ${JSON.stringify(hidden)}`);

    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      return { href: el?.getAttribute('href'), text: el?.textContent?.trim() };
    });
    assert.deepEqual(focused, { href: '#main', text: 'Vai al contenuto principale' }, 'the first Tab does not reach the skip link');
    const shown = await skip.boundingBox();
    assert.ok(shown && shown.width > 20 && shown.height > 10, `the focused skip link is not visible: ${JSON.stringify(shown)}`);
    assert.ok(await skip.evaluate((el) => getComputedStyle(el).clip !== 'rect(0px, 0px, 0px, 0px)' && getComputedStyle(el).opacity !== '0'));
    const viewport = page.viewportSize()!;
    assert.ok(shown.y >= 0 && shown.y < viewport.height && shown.x >= 0 && shown.x < viewport.width, 'the focused skip link is off screen');

    // Activating it moves the keyboard to the content: the next Tab lands inside <main>.
    await page.keyboard.press('Enter');
    assert.equal(new URL(page.url()).hash, '#main');
    await page.keyboard.press('Tab');
    assert.ok(await page.evaluate(() => !!document.activeElement?.closest('main')), 'after the skip link, Tab does not land in main');
  });

  it('the home page counts match between the status line and the group lists', async () => {
    const { page } = await freshPage(suite.pages);
    await visit(page, suite.t.url, '/');
    const listed = new Set(await texts(page, 'main section[aria-labelledby^="gruppo-"] li > a.fw-semibold'));
    const total = italianInt(((await page.locator('#cerca-titolo ~ [role="status"]').textContent()) ?? '').match(/(\d[\d.]*)/)?.[1]);
    assert.equal(listed.size, total);
  });
});
