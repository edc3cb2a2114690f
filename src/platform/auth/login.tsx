// Staff login and logout. Wrong credentials never reveal whether the account exists; repeated failures lock
// the account name for a while and throttle the address (counted in the database, so every process agrees).
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { App } from '../http/app.js';
import type { Platform } from '../platform.js';
import { recordAuditEvent } from '../audit/index.js';
import { getCstEnte } from '../tenancy/index.js';
import { tooManyRequests } from '../http/problem.js';
import { t } from '../views/i18n/index.js';
import { CsrfField, Layout, renderDocument } from '../views/layout.js';
import { csrfToken } from './csrf.js';
import { verifyPassword } from './passwords.js';
import { SESSION_COOKIE, createSession, destroySession } from './sessions.js';
import './messages.js';

export const LOCKOUT = { maxFailuresPerAccount: 5, maxFailuresPerAddress: 30, windowMinutes: 15 };

function safeNext(next: unknown): string {
  // Only local paths: never redirect to another site after login.
  return typeof next === 'string' && /^\/(?!\/)[^\s\\]*$/.test(next) ? next : '/backoffice/';
}

function LoginPage({ csrf, next, error, email }: { csrf: string; next: string; error?: string; email?: string }) {
  return (
    <Layout title={t('auth.login.title')} breadcrumbs={[{ label: t('app.name'), href: '/' }, { label: t('auth.login.title') }]}>
      <div class="row">
        <div class="col-md-6 col-lg-5">
          <h1 class="h2 mb-4">{t('auth.login.title')}</h1>
          <p>{t('auth.login.intro')}</p>
          {error ? (
            <div class="alert alert-danger" role="alert" id="login-error">
              {error}
            </div>
          ) : null}
          <form method="post" action="/backoffice/login" novalidate>
            <CsrfField token={csrf} />
            <input type="hidden" name="next" value={next} />
            <div class="form-group">
              <label for="email" class="active">{t('auth.login.email')}</label>
              <input type="email" class="form-control" id="email" name="email" autocomplete="username" required value={email ?? ''} aria-describedby={error ? 'login-error' : undefined} />
            </div>
            <div class="form-group">
              <label for="password" class="active">{t('auth.login.password')}</label>
              <input type="password" class="form-control" id="password" name="password" autocomplete="current-password" required />
            </div>
            <button type="submit" class="btn btn-primary">
              {t('auth.login.submit')}
            </button>
          </form>
          <p class="mt-4">
            {t('auth.login.citizen')} <a href="/auth/citizen/login">{t('auth.login.citizenLink')}</a>
          </p>
        </div>
      </div>
    </Layout>
  );
}

export function registerLogin(app: App, platform: Platform) {
  const { db, config } = platform;

  const showLogin = (request: FastifyRequest, reply: FastifyReply, status: number, extra: { error?: string; email?: string; next?: string }) =>
    reply
      .status(status)
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(renderDocument(<LoginPage csrf={csrfToken(request, reply)} next={safeNext(extra.next)} error={extra.error} email={extra.email} />));

  app.get('/backoffice/login', { schema: { hide: true, querystring: Type.Object({ next: Type.Optional(Type.String({ maxLength: 500 })) }) } }, async (request, reply) => {
    if (request.staff) return reply.redirect(safeNext(request.query.next));
    return showLogin(request, reply, 200, { next: request.query.next });
  });

  app.post(
    '/backoffice/login',
    {
      schema: {
        hide: true,
        body: Type.Object({
          email: Type.String({ maxLength: 320 }),
          password: Type.String({ maxLength: 1000 }),
          next: Type.Optional(Type.String({ maxLength: 500 })),
          _csrf: Type.Optional(Type.String()),
        }),
      },
    },
    async (request, reply) => {
      const email = request.body.email.trim().toLowerCase();
      const since = new Date(Date.now() - LOCKOUT.windowMinutes * 60_000);
      const [byAddress, byAccount] = await Promise.all([
        db.app.selectFrom('login_failure').select((eb) => eb.fn.countAll<number>().as('n')).where('ip', '=', request.ip).where('at', '>', since).executeTakeFirstOrThrow(),
        db.app.selectFrom('login_failure').select((eb) => eb.fn.countAll<number>().as('n')).where('email', '=', email).where('at', '>', since).executeTakeFirstOrThrow(),
      ]);
      if (Number(byAddress.n) >= LOCKOUT.maxFailuresPerAddress) {
        throw tooManyRequests(t('auth.login.throttled', { minutes: LOCKOUT.windowMinutes }));
      }
      const user = await db.app.selectFrom('staff_user').select(['id', 'password_hash', 'disabled']).where('email', '=', email).executeTakeFirst();
      const locked = Number(byAccount.n) >= LOCKOUT.maxFailuresPerAccount;
      // Verify even when locked or unknown, so timing tells nothing either.
      const ok = (await verifyPassword(user && !user.disabled ? user.password_hash : null, request.body.password)) && !locked;
      const cst = await getCstEnte(db.app);
      if (!ok || !user) {
        await db.app.insertInto('login_failure').values({ email, ip: request.ip }).execute();
        if (cst) {
          await recordAuditEvent(db.app, { enteId: cst.id, actor: { id: null, label: email, ip: request.ip }, action: 'auth.login_failed', entity: 'staff_user', entityId: null, after: { locked } });
        }
        const message = locked ? t('auth.login.locked', { minutes: LOCKOUT.windowMinutes }) : t('auth.login.failed');
        return showLogin(request, reply, 401, { error: message, email, next: request.body.next });
      }
      await db.app.deleteFrom('login_failure').where('email', '=', email).execute();
      const session = await createSession(db.app, { kind: 'staff', userId: user.id }, config.sessionIdleMinutes);
      if (cst) {
        await recordAuditEvent(db.app, { enteId: cst.id, actor: { id: user.id, label: email, ip: request.ip }, action: 'auth.login', entity: 'staff_user', entityId: user.id });
      }
      reply.setCookie(SESSION_COOKIE, session.token, { path: '/', httpOnly: true, sameSite: 'lax', secure: config.secureCookies });
      return reply.redirect(safeNext(request.body.next), 303);
    },
  );

  app.post('/backoffice/logout', { schema: { hide: true } }, async (request, reply) => {
    if (request.session) await destroySession(db.app, request.session.tokenHash);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.redirect('/', 303);
  });
}
