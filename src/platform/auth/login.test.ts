// Staff login: generic errors that reveal nothing, lockout after repeated failures, CSRF on the form,
// sessions stored only as hashes, safe redirects, argon2id hashes, audit of failures.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { startTestPlatform, type TestPlatform } from '../../../test/support/platform.js';
import { csrfFrom, form } from '../../../test/support/http.js';
import { LOCKOUT } from './login.js';

describe('staff login', () => {
  let t: TestPlatform;
  before(async () => {
    t = await startTestPlatform();
  });
  after(() => t.close());

  async function attempt(email: string, password: string, extra: Record<string, string> = {}, ip = '10.0.0.1', forwardedFor?: string) {
    const page = await t.app.inject({ method: 'GET', url: '/backoffice/login', remoteAddress: ip });
    const cookie = (page.headers['set-cookie'] as string).split(';')[0]!;
    return t.app.inject({
      method: 'POST',
      url: '/backoffice/login',
      remoteAddress: ip,
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', ...(forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}) },
      payload: form({ email, password, _csrf: csrfFrom(page.body), ...extra }),
    });
  }
  const errorText = (html: string) => html.match(/id="login-error">([^<]*)</)?.[1];

  it('stores argon2id hashes', async () => {
    const users = await t.platform.db.owner.selectFrom('staff_user').select('password_hash').execute();
    assert.ok(users.length >= 3);
    for (const u of users) assert.match(u.password_hash, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  });

  it('logs in, keeps only the token hash in the database, and logs out', async () => {
    const res = await attempt('ADMIN@cst.demo', 'demo-password', { next: '/backoffice/adesioni' }, '10.0.0.2');
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, '/backoffice/adesioni');
    const setCookie = [res.headers['set-cookie']].flat().find((c) => c!.startsWith('cir_sid='))!;
    assert.match(setCookie, /HttpOnly/);
    assert.match(setCookie, /SameSite=Lax/);
    const token = setCookie.split(';')[0]!.split('=')[1]!;
    const stored = await t.platform.db.owner.selectFrom('session').select('token_hash').execute();
    assert.ok(stored.some((s) => s.token_hash === createHash('sha256').update(token).digest('hex')));
    assert.ok(!stored.some((s) => s.token_hash === token));
    const logout = await t.app.inject({ method: 'POST', url: '/backoffice/logout', headers: { cookie: `cir_sid=${token}`, 'content-type': 'application/x-www-form-urlencoded' }, payload: form({ _csrf: 'wrong' }) });
    assert.equal(logout.statusCode, 403, 'logout is a form post and needs its CSRF token too');
  });

  it('never redirects to another site after login', async () => {
    for (const next of ['//evil.example/x', 'https://evil.example/', '/\\evil.example']) {
      const res = await attempt('admin@cst.demo', 'demo-password', { next }, '10.0.0.3');
      assert.equal(res.headers.location, '/backoffice/', next);
    }
  });

  it('says the same for a wrong password and an unknown account', async () => {
    const wrong = await attempt('admin@asti.demo', 'not-the-password', {}, '10.0.0.4');
    const unknown = await attempt('nobody@asti.demo', 'not-the-password', {}, '10.0.0.4');
    assert.equal(wrong.statusCode, 401);
    assert.equal(unknown.statusCode, 401);
    assert.equal(errorText(wrong.body), errorText(unknown.body));
    assert.equal(errorText(wrong.body), 'Credenziali non valide.');
    assert.ok(![wrong.headers['set-cookie']].flat().some((c) => c?.startsWith('cir_sid=')));
  });

  it('refuses the form without its CSRF token', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/backoffice/login', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: form({ email: 'admin@cst.demo', password: 'demo-password' }) });
    assert.equal(res.statusCode, 403);
    assert.match(res.body, /modulo è scaduto o non è valido/);
  });

  it('locks an account after repeated failures, even with the right password then, and the same for unknown accounts', async () => {
    for (let i = 0; i < LOCKOUT.maxFailuresPerAccount; i++) await attempt('operatore@nizza-monferrato.demo', `wrong-${i}-password`, {}, `10.1.0.${i}`);
    const locked = await attempt('operatore@nizza-monferrato.demo', 'demo-password', {}, '10.1.1.1');
    assert.equal(locked.statusCode, 401);
    assert.match(errorText(locked.body)!, /sospeso per 15 minuti/);
    for (let i = 0; i < LOCKOUT.maxFailuresPerAccount; i++) await attempt('ghost@nizza-monferrato.demo', `wrong-${i}-password`, {}, `10.2.0.${i}`);
    const ghost = await attempt('ghost@nizza-monferrato.demo', 'whatever-password', {}, '10.2.1.1');
    assert.equal(errorText(ghost.body), errorText(locked.body));
    const failures = await t.platform.db.owner.selectFrom('audit_log').select('action').where('action', '=', 'auth.login_failed').execute();
    assert.ok(failures.length >= 2 * LOCKOUT.maxFailuresPerAccount);
  });

  it('does not believe a forged X-Forwarded-For when no proxy is configured', async () => {
    const ip = '10.8.8.8';
    for (let i = 0; i < LOCKOUT.maxFailuresPerAddress; i++) await attempt(`forger${i}@example.it`, 'wrong-password-x', {}, ip, `198.51.100.${i}`);
    const res = await attempt('admin@cst.demo', 'demo-password', {}, ip, '203.0.113.7');
    assert.equal(res.statusCode, 429);
  });

  it('throttles an address that tries many accounts', async () => {
    const ip = '10.9.9.9';
    for (let i = 0; i < LOCKOUT.maxFailuresPerAddress; i++) await attempt(`user${i}@example.it`, 'wrong-password-x', {}, ip);
    const res = await attempt('admin@cst.demo', 'demo-password', {}, ip);
    assert.equal(res.statusCode, 429);
    assert.match(res.body, /Troppi tentativi/);
  });
});
