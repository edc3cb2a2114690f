// Smoke test in a real browser: the public home, the staff login, an error page and the back office after
// login render, load their assets without errors, and pass axe-core's WCAG 2.1 A/AA rules.
// (/api/docs is third-party Swagger UI: not an axe target.)
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkA11y, loginInBrowser, newPage, watchPage, type Page } from '../support/browser.js';
import { browserSuite } from './kit.js';

describe('smoke (browser)', () => {
  const suite = browserSuite();

  async function open(path: string) {
    const page = await newPage();
    suite.pages.push(page);
    const watch = watchPage(page);
    const response = await page.goto(new URL(path, suite.t.url).toString(), { waitUntil: 'load' });
    assert.ok(response, `no response for ${path}`);
    return { page, response, watch };
  }

  async function assertAccessible(page: Page, label: string) {
    const { violations, report } = await checkA11y(page, label);
    assert.equal(violations.length, 0, report);
  }

  it('home page / renders, loads its assets and has no WCAG 2.1 AA violations', async () => {
    const { page, response, watch } = await open('/');
    assert.equal(response.status(), 200, `GET / answered ${response.status()}`);
    assert.ok((await page.locator('h1').count()) >= 1, 'the home page has no h1');
    assert.equal(await page.getAttribute('html', 'lang'), 'it');
    assert.deepEqual(watch.problems, []);
    await assertAccessible(page, 'GET /');
  });

  it('staff login page has no WCAG 2.1 AA violations', async () => {
    const { page, response, watch } = await open('/backoffice/login');
    assert.equal(response.status(), 200);
    assert.ok(await page.isVisible('#email'));
    assert.ok(await page.isVisible('#password'));
    assert.deepEqual(watch.problems, []);
    await assertAccessible(page, 'GET /backoffice/login');
  });

  it('the 404 page is a proper page with no WCAG 2.1 AA violations', async () => {
    const { page, response, watch } = await open('/questa-pagina-non-esiste/davvero');
    assert.equal(response.status(), 404);
    assert.match(response.headers()['content-type'] ?? '', /text\/html/);
    assert.ok((await page.locator('h1').count()) >= 1, 'the 404 page has no h1');
    assert.deepEqual(watch.problems, []);
    await assertAccessible(page, 'GET /questa-pagina-non-esiste/davvero (404)');
  });

  it('a wrong password keeps the browser on the login page with an error', async () => {
    const page = await newPage();
    suite.pages.push(page);
    await assert.rejects(loginInBrowser(page, suite.t.url, 'admin@asti.demo', 'not-the-password'), /login of admin@asti\.demo failed/);
    assert.equal(new URL(page.url()).pathname, '/backoffice/login');
    assert.ok(await page.isVisible('#login-error'));
    await assertAccessible(page, 'POST /backoffice/login (wrong password)');
  });

  it('the CST administrator logs in and lands on the back office', async () => {
    const page = await newPage();
    suite.pages.push(page);
    const watch = watchPage(page);
    await loginInBrowser(page, suite.t.url, 'admin@cst.demo');
    assert.equal(new URL(page.url()).pathname, '/backoffice/');
    assert.ok((await page.locator('h1').count()) >= 1, 'the back office has no h1');
    assert.deepEqual(watch.problems, []);
    await assertAccessible(page, 'GET /backoffice/ (admin@cst.demo)');
  });
});
