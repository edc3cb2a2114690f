// HTTP helpers for tests: log in like a browser does (CSRF cookie + form post), then call pages and API.
import assert from 'node:assert/strict';
import type { App } from '../../src/platform/http/app.js';

export interface Browser {
  cookie: string;
  csrf: string;
}

function mergeCookies(previous: string, setCookie: string | string[] | undefined): string {
  const jar = new Map(previous.split('; ').filter(Boolean).map((c) => [c.split('=')[0]!, c] as const));
  for (const header of [setCookie ?? []].flat()) {
    const pair = header.split(';')[0]!;
    jar.set(pair.split('=')[0]!, pair);
  }
  return [...jar.values()].join('; ');
}

export function csrfFrom(html: string): string {
  const match = html.match(/name="_csrf" value="([^"]+)"/);
  assert.ok(match, 'page has no CSRF field');
  return match[1]!;
}

export function form(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString();
}

/** Logs in through the real login form; returns the session cookie and the session's CSRF token. */
export async function login(app: App, email: string, password = 'demo-password'): Promise<Browser> {
  const page = await app.inject({ method: 'GET', url: '/backoffice/login' });
  let cookie = mergeCookies('', page.headers['set-cookie']);
  const res = await app.inject({
    method: 'POST',
    url: '/backoffice/login',
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    payload: form({ email, password, _csrf: csrfFrom(page.body) }),
  });
  assert.equal(res.statusCode, 303, `login of ${email} failed: ${res.statusCode} ${res.body.slice(0, 300)}`);
  cookie = mergeCookies(cookie, res.headers['set-cookie']);
  const dashboard = await app.inject({ method: 'GET', url: '/backoffice/', headers: { cookie } });
  assert.equal(dashboard.statusCode, 200, `dashboard after login: ${dashboard.statusCode}`);
  return { cookie, csrf: csrfFrom(dashboard.body) };
}

/** Posts a form as the logged-in browser (CSRF token added). */
export function postForm(app: App, browser: Browser, url: string, fields: Record<string, string>) {
  return app.inject({
    method: 'POST',
    url,
    headers: { cookie: browser.cookie, 'content-type': 'application/x-www-form-urlencoded' },
    payload: form({ ...fields, _csrf: browser.csrf }),
  });
}
