// Small helpers shared by the browser tests of test/e2e (not a test file: run.ts only picks *.test.ts).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before } from 'node:test';
import { checkA11y, closeBrowser, loginInBrowser, newPage, watchPage, type Page } from '../support/browser.js';
import { startTestPlatform, type TestPlatform, type TestPlatformOptions } from '../support/platform.js';

/** A browser suite's platform and its open pages; read `t` only once the suite has started. */
export interface BrowserSuite {
  readonly t: TestPlatform;
  readonly pages: Page[];
}

/**
 * Call inside describe(), before the suite's own hooks: starts a listening platform before the tests, then closes
 * every page's context, the shared browser and the platform. A later before() in the file runs after this one.
 */
export function browserSuite(options: Omit<TestPlatformOptions, 'listen'> = {}): BrowserSuite {
  let platform: TestPlatform | undefined;
  const pages: Page[] = [];
  before(async () => {
    platform = await startTestPlatform({ ...options, listen: true });
  });
  after(async () => {
    for (const page of pages) await page.context().close().catch(() => undefined);
    await closeBrowser();
    await platform?.close();
  });
  return {
    pages,
    get t() {
      if (!platform) throw new Error('browserSuite: the platform has not started yet (read t inside a hook or a test)');
      return platform;
    },
  };
}

/** Asserts 0 axe-core WCAG 2.1 A/AA violations; the report names every failing element. */
export async function assertAccessible(page: Page, label: string): Promise<void> {
  const { violations, report } = await checkA11y(page, label);
  assert.equal(violations.length, 0, report);
  // WCAG 2.1 4.1.1 (parsing): axe 4.x no longer checks plain duplicate ids, which break labels and aria refs.
  const duplicates = await page.evaluate(() => {
    const seen = new Map<string, number>();
    for (const el of Array.from(document.querySelectorAll('[id]'))) seen.set(el.id, (seen.get(el.id) ?? 0) + 1);
    return [...seen].filter(([, n]) => n > 1).map(([id]) => id);
  });
  assert.deepEqual(duplicates, [], `duplicate id(s) on ${label}`);
}

/** A fresh page (own context) that records load problems; the caller closes it through `pages`. */
export async function freshPage(pages: Page[]): Promise<{ page: Page; problems: string[] }> {
  const page = await newPage();
  pages.push(page);
  return { page, problems: watchPage(page).problems };
}

/** A new tab in an existing context (shares its cookies, i.e. its login). */
export async function tabIn(from: Page, pages: Page[]): Promise<{ page: Page; problems: string[] }> {
  const page = await from.context().newPage();
  pages.push(page);
  return { page, problems: watchPage(page).problems };
}

/** Loads `path` and checks the status of the document. */
export async function visit(page: Page, baseUrl: string, path: string, status = 200): Promise<void> {
  const response = await page.goto(new URL(path, baseUrl).toString(), { waitUntil: 'load' });
  assert.ok(response, `no response for ${path}`);
  assert.equal(response.status(), status, `GET ${path} answered ${response.status()}, expected ${status}`);
  assert.match(response.headers()['content-type'] ?? '', /^text\/html/, `GET ${path} is not an HTML page`);
}

/** A logged-in page (fresh context) for a demo account. */
export async function staffPage(pages: Page[], baseUrl: string, email: string): Promise<{ page: Page; problems: string[] }> {
  const opened = await freshPage(pages);
  await loginInBrowser(opened.page, baseUrl, email);
  return opened;
}

/** The trimmed text of every element matching `selector`. */
export async function texts(page: Page, selector: string): Promise<string[]> {
  return (await page.locator(selector).allTextContents()).map((s) => s.replace(/\s+/g, ' ').trim());
}

/** Parses an Italian-formatted integer ('1.234' → 1234). */
export const italianInt = (s: string | null | undefined): number => Number(String(s ?? '').replace(/\./g, '').trim());

/** Clicks a link that answers with an attachment; returns the suggested file name and the bytes. */
export async function download(page: Page, selector: string): Promise<{ name: string; bytes: Buffer }> {
  const [file] = await Promise.all([page.waitForEvent('download'), page.click(selector)]);
  const failure = await file.failure();
  assert.equal(failure, null, `download from ${selector} failed: ${failure}`);
  const path = await file.path();
  return { name: file.suggestedFilename(), bytes: fs.readFileSync(path) };
}
