// Citizen login end to end over real HTTP: relying party → development IdP → callback → personal area.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestPlatform, type TestPlatform } from '../../../test/support/platform.js';
import { fiscalCodeCheckChar, fiscalCodeFromClaim, fiscalCodeProblem, isValidFiscalCode } from './citizen.js';
import { DEMO_CITIZENS, validateIdentity } from './dev-idp.js';

describe('codice fiscale', () => {
  test('computes the official check character', () => {
    assert.equal(fiscalCodeCheckChar('RSSMRA85T10A562'), 'S');
    assert.equal(fiscalCodeCheckChar('RSSMRA80A01H501'), 'U');
    assert.equal(fiscalCodeCheckChar('rssmra80a01a479'), 'L');
    assert.throws(() => fiscalCodeCheckChar('RSSMRA80A01'));
  });

  test('accepts valid codes, omocodia included, and rejects wrong ones', () => {
    for (const c of DEMO_CITIZENS) assert.ok(isValidFiscalCode(c.fiscalCode), c.fiscalCode);
    assert.ok(isValidFiscalCode('RSSMRA85T10A562S'));
    const omocode = 'RSSMRA85T10A56N'; // last digit of the place code replaced (2 → N)
    assert.equal(fiscalCodeProblem(omocode + fiscalCodeCheckChar(omocode)), null);
    assert.equal(fiscalCodeProblem('RSSMRA85T10A562T'), 'check');
    assert.equal(fiscalCodeProblem('RSSMRA80A01A479X'), 'check');
    assert.equal(fiscalCodeProblem('RSSMRA85T10A562'), 'format');
    assert.equal(fiscalCodeProblem('RSSMRA85X10A562S'), 'format'); // X is no month
    assert.equal(fiscalCodeProblem('12345678901234567'), 'format');
  });

  test('reads the SPID/CIE fiscal_number claim', () => {
    assert.equal(fiscalCodeFromClaim('TINIT-RSSMRA85T10A562S'), 'RSSMRA85T10A562S');
    assert.equal(fiscalCodeFromClaim('tinit-rssmra85t10a562s'), 'RSSMRA85T10A562S');
    assert.equal(fiscalCodeFromClaim('RSSMRA85T10A562S'), 'RSSMRA85T10A562S');
    assert.equal(fiscalCodeFromClaim('TINIT-RSSMRA85T10A562T'), null);
    assert.equal(fiscalCodeFromClaim(undefined), null);
  });

  test('dev IdP form validation gives Italian messages', () => {
    const wrong = validateIdentity({ mode: 'other', fiscal_code: 'RSSMRA80A01A479X', given_name: 'Mario', family_name: '' });
    assert.equal(wrong.citizen, undefined);
    assert.match(wrong.errors.fiscal_code ?? '', /carattere di controllo/);
    assert.match(wrong.errors.family_name ?? '', /cognome/);
    const ok = validateIdentity({ mode: 'other', fiscal_code: ' rssmra80a01a479l ', given_name: 'Mario', family_name: 'Rossi' });
    assert.deepEqual(ok.citizen, { fiscalCode: 'RSSMRA80A01A479L', givenName: 'Mario', familyName: 'Rossi' });
  });
});

/** A browser: manual cookie jar (by name), manual redirects that never leave the platform's origin. */
class Browser {
  readonly jar = new Map<string, string>();
  constructor(readonly base: string) {}

  private store(res: Response) {
    for (const header of res.headers.getSetCookie()) {
      const [pair = '', ...attributes] = header.split(';');
      const name = pair.slice(0, pair.indexOf('=')).trim();
      const value = pair.slice(pair.indexOf('=') + 1);
      const expired = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a) || /^\s*expires=.*1970/i.test(a));
      if (expired || value === '') this.jar.delete(name);
      else this.jar.set(name, value);
    }
  }

  async request(path: string, init: { method?: string; form?: Record<string, string> } = {}): Promise<Response> {
    const headers: Record<string, string> = { cookie: [...this.jar].map(([k, v]) => `${k}=${v}`).join('; '), accept: 'text/html' };
    if (init.form) headers['content-type'] = 'application/x-www-form-urlencoded';
    const res = await fetch(new URL(path, this.base), {
      method: init.method ?? (init.form ? 'POST' : 'GET'),
      headers,
      body: init.form ? new URLSearchParams(init.form).toString() : undefined,
      redirect: 'manual',
    });
    this.store(res);
    return res;
  }

  /** Requests `path`, then follows redirects (until `stopAt` matches); returns the last response and every URL visited. */
  async follow(path: string, init: { form?: Record<string, string>; stopAt?: (url: URL) => boolean } = {}) {
    let url = new URL(path, this.base);
    const visited = [url];
    let res = await this.request(path, init);
    while (res.status >= 300 && res.status < 400) {
      url = new URL(res.headers.get('location')!, url);
      visited.push(url);
      assert.equal(url.origin, new URL(this.base).origin, `redirected off the platform: ${url}`);
      if (init.stopAt?.(url) || visited.length > 12) break;
      res = await this.request(url.pathname + url.search);
    }
    return { res, url, visited, body: await res.text() };
  }
}

const interactionUid = (url: URL) => url.pathname.match(/^\/dev-idp\/interaction\/([^/]+)$/)?.[1];

describe('citizen login with the development IdP', () => {
  let platform: TestPlatform;
  before(async () => {
    platform = await startTestPlatform({ listen: true });
  });
  after(async () => {
    await platform?.close();
  });

  /** From the platform's login link to the dev IdP's login page. */
  async function startLogin(browser: Browser, next: string) {
    const start = await browser.follow(`/auth/citizen/login?next=${encodeURIComponent(next)}`);
    const authorize = start.visited[1]!;
    assert.equal(authorize.pathname, '/dev-idp/auth');
    assert.equal(authorize.searchParams.get('scope'), 'openid profile');
    assert.equal(authorize.searchParams.get('code_challenge_method'), 'S256');
    assert.ok(authorize.searchParams.get('state') && authorize.searchParams.get('nonce') && authorize.searchParams.get('code_challenge'));
    assert.equal(start.res.status, 200);
    const uid = interactionUid(start.url);
    assert.ok(uid, `expected the dev IdP login page, got ${start.url}`);
    return { uid, page: start.body };
  }

  /** Chooses a demo citizen and gives consent; stops before (or after) the relying party's callback. */
  async function loginAs(browser: Browser, fiscalCode: string, next = '/area-personale', stopAtCallback = false) {
    const { uid } = await startLogin(browser, next);
    const consent = await browser.follow(`/dev-idp/interaction/${uid}/login`, { form: { mode: 'demo', citizen: fiscalCode } });
    assert.equal(consent.res.status, 200);
    const consentUid = interactionUid(consent.url);
    assert.ok(consentUid && /Autorizza/.test(consent.body), 'expected the consent page');
    return browser.follow(`/dev-idp/interaction/${consentUid}/consent`, {
      form: {},
      stopAt: stopAtCallback ? (url) => url.pathname === '/auth/citizen/callback' : undefined,
    });
  }

  test('login, personal area and logout', async () => {
    const browser = new Browser(platform.url);
    const area = await browser.follow('/area-personale');
    assert.equal(area.visited[1]?.pathname + (area.visited[1]?.search ?? ''), '/auth/citizen/login?next=/area-personale');
    const page = area.body;
    assert.match(page, /<html lang="it"/);
    assert.match(page, /<label for="fiscal_code"/);
    assert.match(page, /Mario Rossi — RSSMRA80A01A479L/);

    const uid = interactionUid(area.url)!;
    const consent = await browser.follow(`/dev-idp/interaction/${uid}/login`, { form: { mode: 'demo', citizen: 'RSSMRA80A01A479L' } });
    assert.match(consent.body, /Codice fiscale/);
    const done = await browser.follow(`/dev-idp/interaction/${interactionUid(consent.url)}/consent`, { form: {} });
    assert.ok(done.visited.some((u) => u.pathname === '/auth/citizen/callback'));
    assert.equal(done.url.pathname, '/area-personale');
    assert.equal(done.res.status, 200);
    assert.match(done.body, /RSSMRA80A01A479L/);
    assert.match(done.body, /Mario/);
    assert.match(done.body, /Rossi/);
    assert.ok(browser.jar.has('cir_sid'));
    assert.ok(!browser.jar.has('cir_oidc'), 'the login transaction cookie is cleared');

    const csrf = done.body.match(/name="_csrf" value="([^"]+)"/)?.[1];
    assert.ok(csrf);
    const sid = browser.jar.get('cir_sid')!;
    const logout = await browser.request('/auth/citizen/logout', { form: { _csrf: csrf } });
    assert.equal(logout.status, 303);
    assert.equal(logout.headers.get('location'), '/');
    assert.ok(!browser.jar.has('cir_sid'));
    const again = await browser.request('/area-personale');
    assert.equal(again.status, 303);
    // The old session token is dead on the server too.
    const replay = await fetch(new URL('/area-personale', platform.url), { headers: { cookie: `cir_sid=${sid}` }, redirect: 'manual' });
    assert.equal(replay.status, 303);
  });

  test('a typed identity with a valid codice fiscale logs in', async () => {
    const browser = new Browser(platform.url);
    const { uid } = await startLogin(browser, '/area-personale');
    const form = { mode: 'other', fiscal_code: 'vrdpla65e12l219w', given_name: 'Paola', family_name: 'Verdi' };
    const consent = await browser.follow(`/dev-idp/interaction/${uid}/login`, { form });
    const done = await browser.follow(`/dev-idp/interaction/${interactionUid(consent.url)}/consent`, { form: {} });
    assert.equal(done.url.pathname, '/area-personale');
    assert.match(done.body, /VRDPLA65E12L219W/);
    assert.match(done.body, /Paola/);
  });

  test('a wrong codice fiscale on the dev IdP form is refused in Italian', async () => {
    const browser = new Browser(platform.url);
    const { uid } = await startLogin(browser, '/area-personale');
    const res = await browser.request(`/dev-idp/interaction/${uid}/login`, {
      form: { mode: 'other', fiscal_code: 'RSSMRA80A01A479X', given_name: 'Mario', family_name: 'Rossi' },
    });
    assert.equal(res.status, 422);
    const body = await res.text();
    assert.match(body, /<html lang="it"/);
    assert.match(body, /carattere di controllo non corrisponde/);
    assert.match(body, /aria-invalid="true"/);
    assert.match(body, /value="RSSMRA80A01A479X"/);
    assert.ok(!browser.jar.has('cir_sid'));
    const area = await browser.request('/area-personale');
    assert.equal(area.status, 303);
  });

  test('a tampered state is refused with an Italian page and no session', async () => {
    const browser = new Browser(platform.url);
    const atCallback = await loginAs(browser, 'BNCGLI85C55A479Q', '/area-personale', true);
    const callback = atCallback.url;
    assert.equal(callback.pathname, '/auth/citizen/callback');
    assert.ok(callback.searchParams.get('code'));
    callback.searchParams.set('state', `${callback.searchParams.get('state')}x`);
    const res = await browser.request(callback.pathname + callback.search);
    assert.equal(res.status, 400);
    const body = await res.text();
    assert.match(body, /<html lang="it"/);
    assert.match(body, /Non è stato possibile completare l&#39;accesso|Non è stato possibile completare l'accesso/);
    assert.ok(!browser.jar.has('cir_sid'));
    // The transaction cookie is single-use: replaying the genuine callback fails too.
    assert.equal((await browser.request(atCallback.url.pathname + atCallback.url.search)).status, 400);
  });

  test('the dev IdP publishes SPID/CIE-like metadata and Italian error pages', async () => {
    const meta = (await (await fetch(new URL('/dev-idp/.well-known/openid-configuration', platform.url))).json()) as Record<string, any>;
    assert.equal(meta.issuer, `${platform.url}/dev-idp`);
    assert.equal(meta.authorization_endpoint, `${platform.url}/dev-idp/auth`);
    assert.ok(meta.claims_supported.includes('fiscal_number'));
    assert.ok(meta.scopes_supported.includes('profile'));
    assert.deepEqual(meta.code_challenge_methods_supported, ['S256']);
    const bad = await fetch(new URL('/dev-idp/auth?client_id=sconosciuto&response_type=code&scope=openid', platform.url));
    assert.equal(bad.status, 400);
    const body = await bad.text();
    assert.match(body, /<html lang="it"/);
    assert.match(body, /Errore di autenticazione/);
  });

  test('a callback without the login cookie is refused', async () => {
    const browser = new Browser(platform.url);
    const res = await browser.request('/auth/citizen/callback?code=abc&state=def');
    assert.equal(res.status, 400);
    assert.match(await res.text(), /richiesta di accesso è scaduta/);
  });

  test('cancelling at the IdP comes back as an Italian error, not a 5xx', async () => {
    const browser = new Browser(platform.url);
    const { uid } = await startLogin(browser, '/area-personale');
    const back = await browser.follow(`/dev-idp/interaction/${uid}/abort`, { form: {} });
    assert.ok(back.visited.some((u) => u.pathname === '/auth/citizen/callback' && u.searchParams.get('error') === 'access_denied'));
    assert.equal(back.res.status, 400);
    assert.match(back.body, /accesso è stato annullato/);
    assert.ok(!browser.jar.has('cir_sid'));
  });

  test('next is followed for local paths only', async () => {
    const evil = new Browser(platform.url);
    const done = await loginAs(evil, 'FRRLCU72S20F902J', 'https://evil.example/steal');
    assert.ok(done.visited.every((u) => u.hostname !== 'evil.example'));
    assert.equal(done.url.pathname, '/area-personale');

    const local = new Browser(platform.url);
    const atCallback = await loginAs(local, 'GLLNNA90L44B594D', '//evil.example', true);
    const res = await local.request(atCallback.url.pathname + atCallback.url.search);
    assert.equal(res.headers.get('location'), '/area-personale');

    const deep = new Browser(platform.url);
    const back = await loginAs(deep, 'GLLNNA90L44B594D', '/area-personale?tab=dati', true);
    const landed = await deep.request(back.url.pathname + back.url.search);
    assert.equal(landed.headers.get('location'), '/area-personale?tab=dati');
  });
});
