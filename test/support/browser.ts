// Browser kit for test/e2e: Debian's Chromium driven by playwright-core, axe-core for WCAG 2.1 AA checks,
// and a login helper that goes through the real staff login form.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export type { Browser, BrowserContext, Page };

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

// Without the background-networking flags Chromium tries to reach Google's hosts at every start, which a closed
// network refuses; --no-sandbox because CI runs as root.
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

let shared: Promise<Browser> | undefined;

/** One headless Chromium per test process, launched on first use. */
export function launchBrowser(): Promise<Browser> {
  shared ??= chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  return shared;
}

/** Closes the shared browser (call it from an `after` hook). */
export async function closeBrowser(): Promise<void> {
  if (!shared) return;
  const browser = await shared.catch(() => undefined);
  shared = undefined;
  await browser?.close();
}

/** A page in a fresh context (own cookies), Italian locale. Close it with `page.context().close()`. */
export async function newPage(): Promise<Page> {
  const browser = await launchBrowser();
  const context = await browser.newContext({ locale: 'it-IT', viewport: { width: 1280, height: 900 } });
  context.setDefaultTimeout(15_000);
  return context.newPage();
}

const require = createRequire(import.meta.url);
let axeSource: string | undefined;

export interface A11yViolation {
  id: string;
  impact: string | null;
  help: string;
  helpUrl: string;
  /** CSS selector of each failing element, followed by axe's summary of what to fix. */
  targets: string[];
}

export interface A11yResult {
  violations: A11yViolation[];
  /** Human-readable report, empty when there are no violations; use it as the assertion message. */
  report: string;
}

export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/** Runs axe-core (WCAG 2.0/2.1 A and AA rules) on the page as it is now. */
export async function checkA11y(page: Page, label = page.url()): Promise<A11yResult> {
  axeSource ??= fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  const loaded = await page.evaluate(() => typeof (globalThis as { axe?: unknown }).axe !== 'undefined');
  // Injected through the DevTools protocol rather than a <script> tag: the platform's CSP (script-src 'self')
  // rightly refuses inline scripts, and the test must not weaken it (no bypassCSP).
  if (!loaded) await page.evaluate(axeSource);
  const raw = await page.evaluate(async (tags) => {
    const axe = (globalThis as any).axe;
    const result = await axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    return result.violations.map((v: any) => ({
      id: v.id,
      impact: v.impact ?? null,
      help: v.help,
      helpUrl: v.helpUrl,
      targets: v.nodes.map((n: any) => {
        const selector = (n.target as unknown[]).map(String).join(' ');
        const summary = String(n.failureSummary ?? '').replace(/\s+/g, ' ').trim();
        return summary ? `${selector} — ${summary.length > 220 ? `${summary.slice(0, 220)}…` : summary}` : selector;
      }),
    }));
  }, WCAG_TAGS);
  const violations = raw as A11yViolation[];
  return { violations, report: formatViolations(label, violations) };
}

export function formatViolations(label: string, violations: A11yViolation[]): string {
  if (violations.length === 0) return '';
  const lines = [`${violations.length} accessibility violation(s) on ${label}:`];
  for (const v of violations) {
    lines.push(`  - [${v.impact ?? 'n/a'}] ${v.id}: ${v.help}  (${v.helpUrl})`);
    for (const target of v.targets.slice(0, 10)) lines.push(`      at ${target}`);
    if (v.targets.length > 10) lines.push(`      … and ${v.targets.length - 10} more element(s)`);
  }
  return lines.join('\n');
}

/** Logs in through /backoffice/login like a person does and waits for the page after the redirect. */
export async function loginInBrowser(page: Page, baseUrl: string, email: string, password = 'demo-password'): Promise<void> {
  await page.goto(new URL('/backoffice/login', baseUrl).toString());
  await page.fill('#email', email);
  await page.fill('#password', password);
  const navigated = page.waitForURL((url) => !url.pathname.startsWith('/backoffice/login'), { waitUntil: 'load' });
  navigated.catch(() => undefined); // awaited below only when the login succeeded
  const posted = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/backoffice/login');
  await page.click('form[action="/backoffice/login"] button[type="submit"]');
  const response = await posted;
  if (response.status() >= 400) {
    await page.waitForLoadState('load');
    const message = await page.locator('#login-error').textContent({ timeout: 1000 }).catch(() => null);
    throw new Error(`login of ${email} failed: HTTP ${response.status()}${message ? ` (${message.trim()})` : ''}`);
  }
  await navigated;
}

/**
 * Records what goes wrong while a page loads: console errors (CSP refusals show up there), uncaught script
 * errors, and sub-resources (CSS, JS, fonts, images) that fail or answer >= 400. Read `problems` after loading.
 */
export function watchPage(page: Page): { problems: string[] } {
  const problems: string[] = [];
  page.on('console', (msg) => {
    // A failed load already shows up below as a response or a failed request (and an error page's own 404 is
    // intended), so Chromium's "Failed to load resource" lines are not counted twice.
    if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource')) problems.push(`console error: ${msg.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`script error: ${err.message}`));
  page.on('requestfailed', (req) => problems.push(`request failed: ${req.url()} (${req.failure()?.errorText ?? 'unknown'})`));
  page.on('response', (res) => {
    if (res.status() >= 400 && res.request().resourceType() !== 'document') problems.push(`HTTP ${res.status()} for ${res.url()}`);
  });
  return { problems };
}
