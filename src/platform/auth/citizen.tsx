// Citizen login with OpenID Connect: authorization code flow with PKCE, state and nonce (SPID/CIE OIDC in
// production, the development IdP at /dev-idp in demo and tests), the citizen's personal area and logout.
// No in-memory login state: the pending request travels in a short-lived signed cookie, so any process can
// serve the callback. Only the discovered issuer metadata is cached per process (derived from config).
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import * as oidc from 'openid-client';
import type { Config } from '../config/index.js';
import type { App } from '../http/app.js';
import type { Platform } from '../platform.js';
import { recordAuditEvent } from '../audit/index.js';
import { HttpProblem } from '../http/problem.js';
import { isValidFiscalCode } from '../identity/codice-fiscale.js';
import { getCstEnte } from '../tenancy/index.js';
import { t } from '../views/i18n/index.js';
import { CsrfField, Layout, renderDocument, type Viewer } from '../views/layout.js';
import { viewerOf } from '../views/viewer.js';
import { csrfToken } from './csrf.js';
import { SESSION_COOKIE, createSession, destroySession, type CitizenIdentity } from './sessions.js';
import './citizen-messages.js';

// ---------------------------------------------------------------------------------------------------------
// Codice fiscale: the rules live in the identity kernel; re-exported here for existing importers.

export { fiscalCodeCheckChar, fiscalCodeProblem, isValidFiscalCode } from '../identity/codice-fiscale.js';

/** SPID/CIE send `fiscal_number` as 'TINIT-<codice fiscale>': strip the prefix, upper-case, validate. */
export function fiscalCodeFromClaim(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const code = value.trim().toUpperCase().replace(/^TINIT-/, '');
  return isValidFiscalCode(code) ? code : null;
}

// ---------------------------------------------------------------------------------------------------------
// Relying party

export const DEV_IDP_PATH = '/dev-idp';
export const CALLBACK_PATH = '/auth/citizen/callback';
const TX_COOKIE = 'cir_oidc';
const TX_PATH = '/auth/citizen';
const TX_MAX_AGE_SECONDS = 600;
const CIE_FISCAL_NUMBER = 'https://attributes.eid.gov.it/fiscal_number';

export const devIssuer = (config: Config) => `${config.publicUrl}${DEV_IDP_PATH}`;
export const callbackUrl = (config: Config) => `${config.publicUrl}${CALLBACK_PATH}`;

/** The issuer citizens log in with: the configured one (SPID/CIE proxy) or the development IdP. */
export function citizenIssuer(config: Config): string | undefined {
  return config.oidcIssuer ?? (config.devIdp ? devIssuer(config) : undefined);
}

/** Only local paths: never redirect to another site after login. */
function safeNext(next: unknown): string {
  return typeof next === 'string' && /^\/(?!\/)[^\s\\]*$/.test(next) ? next : '/area-personale';
}

/** The pending authorization request, kept in the browser in a signed cookie (no server-side state). */
interface Transaction {
  state: string;
  nonce: string;
  verifier: string;
  next: string;
  /** Creation time, seconds since the epoch: the cookie's expiry is also enforced here. */
  iat: number;
}

function readTransaction(request: FastifyRequest): Transaction | null {
  const raw = request.cookies[TX_COOKIE];
  if (!raw) return null;
  const unsigned = request.unsignCookie(raw);
  if (!unsigned.valid || !unsigned.value) return null;
  try {
    const tx = JSON.parse(Buffer.from(unsigned.value, 'base64url').toString('utf8')) as Partial<Transaction>;
    const fresh = typeof tx.iat === 'number' && Date.now() / 1000 - tx.iat <= TX_MAX_AGE_SECONDS;
    if (!fresh || typeof tx.state !== 'string' || typeof tx.nonce !== 'string' || typeof tx.verifier !== 'string') return null;
    return { state: tx.state, nonce: tx.nonce, verifier: tx.verifier, next: safeNext(tx.next), iat: tx.iat! };
  } catch {
    return null;
  }
}

const isLocalHttp = (url: URL) => url.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);

const loginFailed = (key: string, vars: Record<string, string> = {}) => new HttpProblem(400, 'Accesso non riuscito', t(key, vars));
const unavailable = () => new HttpProblem(503, 'Servizio di identità non disponibile', t('citizen.error.unavailable'));

/** Maps what openid-client throws on the callback to an Italian problem (client errors, never a 5xx). */
function callbackProblem(err: unknown): HttpProblem {
  if (err instanceof oidc.AuthorizationResponseError) {
    if (err.error === 'access_denied') return loginFailed('citizen.error.cancelled');
    return loginFailed('citizen.error.idp', { code: err.error.replace(/[^a-z_]/gi, '').slice(0, 60) });
  }
  // fetch() itself failed: the IdP is unreachable, which is not the visitor's fault.
  if (err instanceof TypeError && err.message === 'fetch failed') return unavailable();
  return loginFailed('citizen.error.failed');
}

const text = (value: unknown) => (typeof value === 'string' && value.trim() ? value.trim().slice(0, 200) : null);

/** Which identity system vouched for the citizen, from the issuer and the authentication level (acr). */
function providerOf(issuer: string, config: Config, acr: unknown): string {
  if (config.devIdp && issuer === devIssuer(config)) return 'dev';
  const level = typeof acr === 'string' ? acr.toLowerCase() : '';
  if (level.includes('spid')) return 'spid';
  if (level.includes('cie')) return 'cie';
  return 'oidc';
}

function AreaPage({ citizen, viewer, csrf }: { citizen: CitizenIdentity; viewer: Viewer | null; csrf: string }) {
  const providerKey = `citizen.provider.${['spid', 'cie', 'dev'].includes(citizen.provider) ? citizen.provider : 'oidc'}`;
  return (
    <Layout
      title={t('citizen.area.title')}
      viewer={viewer}
      breadcrumbs={[{ label: t('app.name'), href: '/' }, { label: t('citizen.area.title') }]}
    >
      <h1 class="h2 mb-3">{t('citizen.area.title')}</h1>
      <p class="lead">{t('citizen.area.intro')}</p>
      <section aria-labelledby="citizen-identity" class="card-wrapper mb-4">
        <div class="card shadow-sm">
          <div class="card-body">
            <h2 id="citizen-identity" class="h4 card-title">{t('citizen.area.identity')}</h2>
            <dl class="row mb-0">
              <dt class="col-sm-4">{t('citizen.area.givenName')}</dt>
              <dd class="col-sm-8">{citizen.givenName}</dd>
              <dt class="col-sm-4">{t('citizen.area.familyName')}</dt>
              <dd class="col-sm-8">{citizen.familyName}</dd>
              <dt class="col-sm-4">{t('citizen.area.fiscalCode')}</dt>
              <dd class="col-sm-8" id="fiscal-code">{citizen.fiscalCode}</dd>
              <dt class="col-sm-4">{t('citizen.area.provider')}</dt>
              <dd class="col-sm-8">{t(providerKey)}</dd>
            </dl>
          </div>
        </div>
      </section>
      <form method="post" action="/auth/citizen/logout">
        <CsrfField token={csrf} />
        <button type="submit" class="btn btn-outline-primary">
          {t('citizen.area.logout')}
        </button>
      </form>
    </Layout>
  );
}

export async function registerCitizenAuth(app: App, platform: Platform): Promise<void> {
  const { config, db } = platform;

  if (config.devIdp) {
    // Loaded only when enabled: production never loads oidc-provider.
    const { registerDevIdp } = await import('./dev-idp.js');
    await registerDevIdp(app, platform);
  }

  // Discovered lazily on first use (the dev IdP is served by this very app, not listening yet at
  // registration) and cached per process: it is derived from config, not shared state.
  let discovered: Promise<{ issuer: string; configuration: oidc.Configuration }> | undefined;
  const getConfiguration = async () => {
    const issuer = citizenIssuer(config);
    if (!issuer) throw new HttpProblem(503, 'Accesso cittadini non configurato', t('citizen.error.notConfigured'));
    discovered ??= (async () => {
      const url = new URL(issuer);
      // openid-client refuses plain http; allowed only towards this machine (development and tests).
      const options = isLocalHttp(url) ? { execute: [oidc.allowInsecureRequests] } : undefined;
      const configuration = await oidc.discovery(url, config.oidcClientId, undefined, oidc.ClientSecretBasic(config.oidcClientSecret), options);
      return { issuer, configuration };
    })();
    try {
      return await discovered;
    } catch (err) {
      discovered = undefined; // retry on the next request
      platform.log.error({ err, issuer }, 'OpenID Connect discovery failed');
      throw unavailable();
    }
  };

  app.get(
    '/auth/citizen/login',
    { schema: { hide: true, querystring: Type.Object({ next: Type.Optional(Type.String({ maxLength: 500 })) }) } },
    async (request, reply) => {
      const next = safeNext(request.query.next);
      if (request.citizen) return reply.redirect(next, 303);
      const { configuration } = await getConfiguration();
      const tx: Transaction = {
        state: oidc.randomState(),
        nonce: oidc.randomNonce(),
        verifier: oidc.randomPKCECodeVerifier(),
        next,
        iat: Math.floor(Date.now() / 1000),
      };
      const url = oidc.buildAuthorizationUrl(configuration, {
        redirect_uri: callbackUrl(config),
        scope: 'openid profile',
        code_challenge: await oidc.calculatePKCECodeChallenge(tx.verifier),
        code_challenge_method: 'S256',
        state: tx.state,
        nonce: tx.nonce,
        // As SPID/CIE OIDC require: always authenticate and ask consent, never reuse an IdP session silently.
        prompt: 'consent login',
      });
      reply.setCookie(TX_COOKIE, Buffer.from(JSON.stringify(tx)).toString('base64url'), {
        path: TX_PATH,
        httpOnly: true,
        sameSite: 'lax', // sent on the IdP's top-level redirect back to the callback
        secure: config.secureCookies,
        signed: true,
        maxAge: TX_MAX_AGE_SECONDS,
      });
      reply.header('cache-control', 'no-store');
      return reply.redirect(url.href, 303);
    },
  );

  app.get(CALLBACK_PATH, { schema: { hide: true } }, async (request, reply) => {
    reply.header('cache-control', 'no-store');
    const tx = readTransaction(request);
    reply.clearCookie(TX_COOKIE, { path: TX_PATH }); // one use only, whatever the outcome
    if (!tx) throw loginFailed('citizen.error.expired');
    const { issuer, configuration } = await getConfiguration();

    let claims: Record<string, unknown>;
    try {
      const tokens = await oidc.authorizationCodeGrant(configuration, new URL(request.url, config.publicUrl), {
        pkceCodeVerifier: tx.verifier,
        expectedState: tx.state,
        expectedNonce: tx.nonce,
        idTokenExpected: true,
      });
      const idToken = tokens.claims()!;
      claims = { ...idToken };
      // SPID/CIE release the attributes at the userinfo endpoint; the ID token carries the subject.
      if (configuration.serverMetadata().userinfo_endpoint) {
        Object.assign(claims, await oidc.fetchUserInfo(configuration, tokens.access_token, idToken.sub), { acr: idToken.acr });
      }
    } catch (err) {
      const problem = callbackProblem(err);
      request.log[problem.status >= 500 ? 'error' : 'warn']({ err }, 'citizen login failed');
      throw problem;
    }

    const fiscalCode = fiscalCodeFromClaim(claims.fiscal_number ?? claims[CIE_FISCAL_NUMBER]);
    const givenName = text(claims.given_name);
    const familyName = text(claims.family_name);
    if (!fiscalCode || !givenName || !familyName) {
      request.log.warn({ claims: Object.keys(claims) }, 'citizen login: missing or invalid claims');
      throw loginFailed('citizen.error.claims');
    }
    const citizen: CitizenIdentity = { fiscalCode, givenName, familyName, provider: providerOf(issuer, config, claims.acr) };

    // A fresh session at every login (no fixation); any previous one of this browser ends here.
    if (request.session) await destroySession(db.app, request.session.tokenHash);
    const session = await createSession(db.app, { kind: 'citizen', citizen }, config.sessionIdleMinutes);
    const cst = await getCstEnte(db.app);
    if (cst) {
      await recordAuditEvent(db.app, {
        enteId: cst.id,
        actor: { id: null, label: `cittadino:${fiscalCode}`, ip: request.ip },
        action: 'auth.citizen_login',
        entity: 'citizen',
        entityId: fiscalCode,
        after: { provider: citizen.provider },
      });
    }
    reply.setCookie(SESSION_COOKIE, session.token, { path: '/', httpOnly: true, sameSite: 'lax', secure: config.secureCookies });
    return reply.redirect(tx.next, 303);
  });

  app.post('/auth/citizen/logout', { schema: { hide: true } }, async (request, reply) => {
    if (request.session) await destroySession(db.app, request.session.tokenHash);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.redirect('/', 303);
  });

  app.get('/area-personale', { schema: { hide: true } }, async (request, reply) => {
    if (!request.citizen) return reply.redirect('/auth/citizen/login?next=/area-personale', 303);
    return reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(renderDocument(<AreaPage citizen={request.citizen} viewer={viewerOf(request)} csrf={csrfToken(request, reply)} />));
  });
}
