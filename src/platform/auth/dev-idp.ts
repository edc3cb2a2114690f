// The development identity provider: an OpenID Connect provider (oidc-provider) mounted in this same app at
// /dev-idp, configured like a SPID/CIE OIDC provider (scope `profile` releases given_name, family_name and
// fiscal_number as 'TINIT-<codice fiscale>'). For demo and tests only; never enabled in production.
//
// Single-process by design: signing keys are generated at boot and the provider's sessions, grants and codes
// live in memory (memoryAdapter below), so this IdP cannot be shared by several processes. That is fine for a
// development IdP; a real one would persist them. The relying party (citizen.tsx) keeps no in-memory state.
import { createHmac, generateKeyPair } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { promisify } from 'node:util';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { h, type ComponentChildren, type VNode } from 'preact';
import { renderToString } from 'preact-render-to-string';
import { Type } from 'typebox';
// @ts-expect-error oidc-provider ships no type declarations (@types/oidc-provider is not installed); the few
// members used here are typed by DevProvider below.
import Provider from 'oidc-provider';
import type { App } from '../http/app.js';
import { HttpProblem } from '../http/problem.js';
import type { Platform } from '../platform.js';
import { t } from '../views/i18n/index.js';
import { DEV_IDP_PATH, callbackUrl, devIssuer, fiscalCodeProblem } from './citizen.js';
import './citizen-messages.js';

export interface DemoCitizen {
  fiscalCode: string;
  givenName: string;
  familyName: string;
}

/** Demo citizens of the Asti network (codici fiscali with a correct check character). */
export const DEMO_CITIZENS: DemoCitizen[] = [
  { fiscalCode: 'RSSMRA80A01A479L', givenName: 'Mario', familyName: 'Rossi' }, // Asti, 1980
  { fiscalCode: 'BNCGLI85C55A479Q', givenName: 'Giulia', familyName: 'Bianchi' }, // Asti, 1985
  { fiscalCode: 'FRRLCU72S20F902J', givenName: 'Luca', familyName: 'Ferrero' }, // Nizza Monferrato, 1972
  { fiscalCode: 'GLLNNA90L44B594D', givenName: 'Anna', familyName: 'Gallo' }, // Canelli, 1990
];

const SPID_L2 = 'https://www.spid.gov.it/SpidL2';
const CLAIMS = ['given_name', 'family_name', 'fiscal_number'] as const;

// The account id carries the identity itself (no account store): base64url of [cf, given name, family name].
const accountIdOf = (c: DemoCitizen) => Buffer.from(JSON.stringify([c.fiscalCode, c.givenName, c.familyName])).toString('base64url');
function citizenOf(accountId: string): DemoCitizen | undefined {
  try {
    const [fiscalCode, givenName, familyName] = JSON.parse(Buffer.from(accountId, 'base64url').toString('utf8')) as string[];
    return fiscalCode && givenName && familyName ? { fiscalCode, givenName, familyName } : undefined;
  } catch {
    return undefined;
  }
}

// --- the slice of oidc-provider's API used here
interface InteractionDetails {
  uid: string;
  prompt: { name: string; details: { missingOIDCScope?: string[]; missingOIDCClaims?: string[]; missingResourceScopes?: Record<string, string[]> } };
  params: Record<string, unknown>;
  session?: { accountId: string };
  grantId?: string;
}
interface Grant {
  addOIDCScope(scope: string): void;
  addOIDCClaims(claims: string[]): void;
  addResourceScope(indicator: string, scope: string): void;
  save(): Promise<string>;
}
interface DevProvider {
  proxy: boolean;
  callback(): (req: IncomingMessage, res: ServerResponse) => Promise<void>;
  interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<InteractionDetails>;
  interactionResult(req: IncomingMessage, res: ServerResponse, result: Record<string, unknown>, options?: { mergeWithLastSubmission?: boolean }): Promise<string>;
  Grant: { new (props: { accountId: string; clientId: string }): Grant; find(id: string): Promise<Grant | undefined> };
  on(event: string, listener: (ctx: unknown, err: Error) => void): void;
}
const generateRsaKeyPair = promisify(generateKeyPair);
const OidcProvider = Provider as new (issuer: string, configuration: Record<string, unknown>) => DevProvider;

// --- storage: per provider, in this process only (see the note at the top), entries expire.
type Payload = Record<string, unknown> & { uid?: string; userCode?: string; grantId?: string; consumed?: number };
function memoryAdapter() {
  const store = new Map<string, { payload: Payload; expiresAt: number }>();
  let writes = 0;
  const live = (key: string) => {
    const entry = store.get(key);
    if (entry && entry.expiresAt <= Date.now()) store.delete(key);
    else return entry?.payload;
    return undefined;
  };
  const findBy = (model: string, field: 'uid' | 'userCode', value: string) => {
    for (const [key, entry] of store) if (key.startsWith(`${model}:`) && entry.payload[field] === value) return live(key);
    return undefined;
  };
  return (model: string) => ({
    async upsert(id: string, payload: Payload, expiresIn?: number) {
      if (++writes % 200 === 0) for (const key of [...store.keys()]) live(key); // sweep expired entries
      store.set(`${model}:${id}`, { payload, expiresAt: expiresIn ? Date.now() + expiresIn * 1000 : Infinity });
    },
    find: async (id: string) => live(`${model}:${id}`),
    findByUid: async (uid: string) => findBy(model, 'uid', uid),
    findByUserCode: async (userCode: string) => findBy(model, 'userCode', userCode),
    async consume(id: string) {
      const payload = live(`${model}:${id}`);
      if (payload) payload.consumed = Math.floor(Date.now() / 1000);
    },
    destroy: async (id: string) => void store.delete(`${model}:${id}`),
    async revokeByGrantId(grantId: string) {
      for (const [key, entry] of store) if (entry.payload.grantId === grantId) store.delete(key);
    },
  });
}

// --- pages (Preact without JSX: escaped by default)
function page(title: string, ...children: ComponentChildren[]): string {
  const doc = h('html', { lang: 'it' },
    h('head', null,
      h('meta', { charset: 'utf-8' }),
      h('meta', { name: 'viewport', content: 'width=device-width, initial-scale=1' }),
      h('title', null, `${title} · ${t('devIdp.title')}`),
      h('link', { rel: 'stylesheet', href: '/assets/bootstrap-italia/css/bootstrap-italia.min.css' }),
      h('link', { rel: 'stylesheet', href: '/assets/platform/fonts.css' })),
    h('body', null,
      h('header', { class: 'bg-primary text-white py-3 mb-4' },
        h('div', { class: 'container' }, h('p', { class: 'h4 mb-0' }, t('devIdp.title')))),
      h('main', { id: 'main', class: 'container mb-5' },
        h('div', { class: 'alert alert-warning', role: 'note' }, t('devIdp.warning')),
        ...children)));
  return `<!doctype html>${renderToString(doc)}`;
}

type FieldErrors = Partial<Record<'citizen' | 'fiscal_code' | 'given_name' | 'family_name', string>>;
interface LoginForm { mode?: 'demo' | 'other'; citizen?: string; fiscal_code?: string; given_name?: string; family_name?: string }

function field(name: 'fiscal_code' | 'given_name' | 'family_name', label: string, value: string | undefined, error: string | undefined, hint?: string) {
  const describedBy = [hint ? `${name}-hint` : '', error ? `${name}-error` : ''].filter(Boolean).join(' ') || undefined;
  return h('div', { class: 'form-group' },
    h('label', { for: name, class: 'active' }, label),
    h('input', { type: 'text', id: name, name, value: value ?? '', required: true, class: `form-control${error ? ' is-invalid' : ''}`, 'aria-invalid': error ? 'true' : undefined, 'aria-describedby': describedBy, autocomplete: name === 'fiscal_code' ? 'off' : name === 'given_name' ? 'given-name' : 'family-name', spellcheck: false }),
    hint ? h('small', { id: `${name}-hint`, class: 'form-text' }, hint) : null,
    error ? h('div', { id: `${name}-error`, class: 'invalid-feedback d-block' }, error) : null);
}

function loginPage(uid: string, client: string, form: LoginForm = {}, errors: FieldErrors = {}): string {
  const action = `${DEV_IDP_PATH}/interaction/${uid}`;
  const chosen = form.citizen ?? DEMO_CITIZENS[0]!.fiscalCode;
  return page(t('devIdp.login.heading'),
    h('h1', { class: 'h2' }, t('devIdp.login.heading')),
    h('p', null, t('devIdp.login.intro', { client })),
    Object.keys(errors).length ? h('div', { class: 'alert alert-danger', role: 'alert', id: 'form-errors' }, t('devIdp.error.summary'), ' ', Object.values(errors).join(' ')) : null,
    h('form', { method: 'post', action: `${action}/login`, class: 'mb-5' },
      h('input', { type: 'hidden', name: 'mode', value: 'demo' }),
      h('fieldset', null,
        h('legend', { class: 'h4' }, t('devIdp.login.demo')),
        ...DEMO_CITIZENS.map((c) =>
          h('div', { class: 'form-check' },
            h('input', { type: 'radio', name: 'citizen', id: `citizen-${c.fiscalCode}`, value: c.fiscalCode, checked: c.fiscalCode === chosen }),
            h('label', { for: `citizen-${c.fiscalCode}` }, `${c.givenName} ${c.familyName} — ${c.fiscalCode}`)))),
      h('button', { type: 'submit', class: 'btn btn-primary mt-3' }, t('devIdp.login.demoSubmit'))),
    h('form', { method: 'post', action: `${action}/login`, class: 'mb-5', novalidate: true },
      h('input', { type: 'hidden', name: 'mode', value: 'other' }),
      h('h2', { class: 'h4 mb-5' }, t('devIdp.login.other')),
      field('fiscal_code', t('devIdp.login.fiscalCode'), form.fiscal_code, errors.fiscal_code, t('devIdp.login.fiscalCodeHint')),
      field('given_name', t('devIdp.login.givenName'), form.given_name, errors.given_name),
      field('family_name', t('devIdp.login.familyName'), form.family_name, errors.family_name),
      h('button', { type: 'submit', class: 'btn btn-primary' }, t('devIdp.login.otherSubmit'))),
    h('form', { method: 'post', action: `${action}/abort` },
      h('button', { type: 'submit', class: 'btn btn-outline-secondary' }, t('devIdp.login.cancel'))));
}

function consentPage(uid: string, client: string, citizen: DemoCitizen): string {
  const action = `${DEV_IDP_PATH}/interaction/${uid}`;
  return page(t('devIdp.consent.heading'),
    h('h1', { class: 'h2' }, t('devIdp.consent.heading')),
    h('p', null, t('devIdp.consent.intro', { client, name: `${citizen.givenName} ${citizen.familyName}` })),
    h('ul', null, ...CLAIMS.map((c) => h('li', null, t(`devIdp.claim.${c}`)))),
    h('div', { class: 'd-flex gap-3' },
      h('form', { method: 'post', action: `${action}/consent` },
        h('button', { type: 'submit', class: 'btn btn-primary' }, t('devIdp.consent.submit'))),
      h('form', { method: 'post', action: `${action}/abort` },
        h('button', { type: 'submit', class: 'btn btn-outline-secondary' }, t('devIdp.consent.deny')))));
}

function errorPage(error: string, description?: string): VNode<any>[] {
  return [
    h('h1', { class: 'h2' }, t('devIdp.error.title')),
    h('div', { class: 'alert alert-danger', role: 'alert' }, h('p', { class: 'mb-0' }, description ? `${description} (${error})` : error)),
  ];
}

/** Validates the "other identity" form: an Italian message per wrong field. */
export function validateIdentity(form: LoginForm): { citizen?: DemoCitizen; errors: FieldErrors } {
  if (form.mode !== 'other') {
    const citizen = DEMO_CITIZENS.find((c) => c.fiscalCode === form.citizen);
    return citizen ? { citizen, errors: {} } : { errors: { citizen: t('devIdp.error.choose') } };
  }
  const fiscalCode = (form.fiscal_code ?? '').replace(/\s+/g, '').toUpperCase();
  const givenName = (form.given_name ?? '').trim();
  const familyName = (form.family_name ?? '').trim();
  const errors: FieldErrors = {};
  const problem = fiscalCodeProblem(fiscalCode);
  if (problem) errors.fiscal_code = t(problem === 'format' ? 'devIdp.error.fiscalCodeFormat' : 'devIdp.error.fiscalCodeCheck');
  if (!givenName) errors.given_name = t('devIdp.error.givenName');
  if (!familyName) errors.family_name = t('devIdp.error.familyName');
  return Object.keys(errors).length ? { errors } : { citizen: { fiscalCode, givenName, familyName }, errors };
}

function createProvider(platform: Platform, signingKey: Record<string, unknown>): DevProvider {
  const { config } = platform;
  const provider = new OidcProvider(devIssuer(config), {
    adapter: memoryAdapter(),
    clients: [
      {
        client_id: config.oidcClientId,
        client_secret: config.oidcClientSecret,
        client_name: t('app.name'),
        redirect_uris: [callbackUrl(config)],
        post_logout_redirect_uris: [`${config.publicUrl}/`],
        response_types: ['code'],
        grant_types: ['authorization_code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    scopes: ['openid', 'profile'],
    claims: { openid: ['sub'], profile: [...CLAIMS] },
    acrValues: [SPID_L2],
    async findAccount(_ctx: unknown, sub: string) {
      const citizen = citizenOf(sub);
      if (!citizen) return undefined;
      return {
        accountId: sub,
        async claims() {
          return { sub, given_name: citizen.givenName, family_name: citizen.familyName, fiscal_number: `TINIT-${citizen.fiscalCode}` };
        },
      };
    },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `${DEV_IDP_PATH}/interaction/${interaction.uid}` },
    features: { devInteractions: { enabled: false }, rpInitiatedLogout: { enabled: true } },
    pkce: { required: () => true },
    jwks: { keys: [signingKey] },
    cookies: { keys: [createHmac('sha256', platform.secrets.cookie).update('dev-idp cookies').digest('base64url')] },
    ttl: { AccessToken: 600, AuthorizationCode: 60, IdToken: 600, Interaction: 600, Session: 3600, Grant: 3600 },
    async renderError(ctx: { type: string; body: unknown }, out: { error: string; error_description?: string }) {
      ctx.type = 'html';
      ctx.body = page(t('devIdp.error.title'), ...errorPage(out.error, out.error_description));
    },
  });
  provider.proxy = platform.config.trustProxy !== false; // same trust as the app's
  provider.on('server_error', (_ctx, err) => platform.log.error({ err }, 'dev IdP server error'));
  return provider;
}

export async function registerDevIdp(app: App, platform: Platform): Promise<void> {
  const { config } = platform;
  // Built on first use: generating the RSA key takes a while and most boots (tests, CLI) never need it. The key
  // lives in this process only (see the note at the top); RS256, as SPID/CIE OIDC providers sign.
  let built: Promise<{ provider: DevProvider; callback: ReturnType<DevProvider['callback']> }> | undefined;
  const getProvider = () =>
    (built ??= (async () => {
      const { privateKey } = await generateRsaKeyPair('rsa', { modulusLength: 2048 });
      const provider = createProvider(platform, { ...privateKey.export({ format: 'jwk' }), use: 'sig', alg: 'RS256' });
      return { provider, callback: provider.callback() };
    })());

  // oidc-provider's own endpoints (discovery, auth, token, userinfo, jwks, session end). In a scope of its own
  // where no body parser runs: oidc-provider reads the request stream itself.
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined));
    scope.all(`${DEV_IDP_PATH}/*`, { schema: { hide: true } }, async (request, reply) => {
      const { callback } = await getProvider();
      reply.hijack(); // oidc-provider (Koa) answers on the raw response, under its own mount path
      const req = request.raw as IncomingMessage & { originalUrl?: string };
      req.originalUrl = req.url;
      req.url = req.url!.slice(DEV_IDP_PATH.length) || '/';
      await callback(req, reply.raw);
    });
  });

  // Interaction pages: login (choose or type an identity) and consent, as our own routes.
  const clientName = (details: InteractionDetails) => (details.params.client_id === config.oidcClientId ? t('app.name') : String(details.params.client_id));
  const html = (reply: FastifyReply, status: number, body: string) =>
    reply.status(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(body);
  const details = async (request: FastifyRequest, reply: FastifyReply, uid: string) => {
    try {
      const { provider } = await getProvider();
      const found = await provider.interactionDetails(request.raw, reply.raw);
      if (found.uid === uid) return found;
    } catch {
      // no interaction cookie, or expired: the same answer below
    }
    throw new HttpProblem(400, 'Richiesta non valida', t('devIdp.error.expired'));
  };
  const finish = async (request: FastifyRequest, reply: FastifyReply, result: Record<string, unknown>, merge = true) =>
    reply.redirect(await (await getProvider()).provider.interactionResult(request.raw, reply.raw, result, { mergeWithLastSubmission: merge }), 303);
  const uidParams = Type.Object({ uid: Type.String({ maxLength: 100 }) });

  app.get(`${DEV_IDP_PATH}/interaction/:uid`, { schema: { hide: true, params: uidParams } }, async (request, reply) => {
    const found = await details(request, reply, request.params.uid);
    const citizen = found.session ? citizenOf(found.session.accountId) : undefined;
    if (found.prompt.name === 'consent' && citizen) return html(reply, 200, consentPage(found.uid, clientName(found), citizen));
    return html(reply, 200, loginPage(found.uid, clientName(found)));
  });

  const loginBody = Type.Object({
    mode: Type.Optional(Type.Union([Type.Literal('demo'), Type.Literal('other')])),
    citizen: Type.Optional(Type.String({ maxLength: 40 })),
    fiscal_code: Type.Optional(Type.String({ maxLength: 40 })),
    given_name: Type.Optional(Type.String({ maxLength: 100 })),
    family_name: Type.Optional(Type.String({ maxLength: 100 })),
  });
  app.post(`${DEV_IDP_PATH}/interaction/:uid/login`, { schema: { hide: true, params: uidParams, body: loginBody } }, async (request, reply) => {
    const found = await details(request, reply, request.params.uid);
    if (found.prompt.name !== 'login') throw new HttpProblem(400, 'Richiesta non valida', t('devIdp.error.expired'));
    const { citizen, errors } = validateIdentity(request.body);
    if (!citizen) return html(reply, 422, loginPage(found.uid, clientName(found), request.body, errors));
    return finish(request, reply, { login: { accountId: accountIdOf(citizen), acr: SPID_L2, amr: ['pwd'], remember: false } });
  });

  app.post(`${DEV_IDP_PATH}/interaction/:uid/consent`, { schema: { hide: true, params: uidParams } }, async (request, reply) => {
    const found = await details(request, reply, request.params.uid);
    if (found.prompt.name !== 'consent' || !found.session) throw new HttpProblem(400, 'Richiesta non valida', t('devIdp.error.expired'));
    const { provider } = await getProvider();
    const grant = (found.grantId ? await provider.Grant.find(found.grantId) : undefined) ?? new provider.Grant({ accountId: found.session.accountId, clientId: String(found.params.client_id) });
    const missing = found.prompt.details;
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) grant.addResourceScope(indicator, scopes.join(' '));
    const grantId = await grant.save();
    return finish(request, reply, { consent: found.grantId ? {} : { grantId } });
  });

  app.post(`${DEV_IDP_PATH}/interaction/:uid/abort`, { schema: { hide: true, params: uidParams } }, async (request, reply) => {
    await details(request, reply, request.params.uid);
    return finish(request, reply, { error: 'access_denied', error_description: t('devIdp.cancelled') }, false);
  });
}
