// Routes of the citizen pages (public, no account needed):
//   GET/POST /{slug}/avvisi                          subscribe form → one-time code(s) → confirm page
//   GET/POST /{slug}/avvisi/conferma/{flow}          type the code(s); subscribe, or go on to the manage page
//   GET/POST /{slug}/avvisi/disiscrizione            unsubscribe: phone or e-mail → one-time code
//   GET/POST /{slug}/avvisi/gestione/{flow}          after the code: choose topics to leave, per ente
//   GET/POST /{slug}/avvisi/disiscrizione/{token}    the link of every e-mail; POST with the body
//            "List-Unsubscribe=One-Click" (RFC 8058) is answered before the CSRF check: the token is the secret.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { assertCsrf, csrfToken } from '../../../platform/auth/index.js';
import type { App } from '../../../platform/http/app.js';
import { formFieldsOf } from '../../../platform/http/multipart.js';
import { notFound } from '../../../platform/http/problem.js';
import type { Platform } from '../../../platform/platform.js';
import { getEnteBySlug, reservedSlugs, type Ente } from '../../../platform/tenancy/index.js';
import { t } from '../../../platform/views/i18n/index.js';
import { sendPage } from '../../../platform/views/page.js';
import { viewerOf } from '../../../platform/views/viewer.js';
import { listTopics } from '../service.js';
import { withEnte } from '../../../platform/db/index.js';
import { OtpError, type CodeCheck } from './otp.js';
import { AvvisiLayout, ConfirmPage, DonePage, LeaveRequestPage, ManagePage, SubscribePage, TokenPage, confirmPath, managePath, type SubscribeValues } from './public-pages.js';
import {
  MessagingError,
  SubscriptionInvalid,
  confirmFlow,
  consentText,
  followedBy,
  leave,
  managedFlow,
  maskEmail,
  maskPhone,
  otherComuni,
  pendingFlow,
  requestSubscription,
  requestUnsubscribe,
  subscriberByToken,
  unsubscribeByToken,
  type LeaveChoice,
  type FieldErrors,
} from './service.js';

const SLUG = /^[a-z0-9-]{1,100}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const SlugParams = Type.Object({ slug: Type.String({ maxLength: 200 }) });
const FlowParams = Type.Object({ slug: Type.String({ maxLength: 200 }), flow: Type.String({ maxLength: 100 }) });
const TokenParams = Type.Object({ slug: Type.String({ maxLength: 200 }), token: Type.String({ maxLength: 200 }) });

async function portalEnte(platform: Platform, slug: string): Promise<Ente> {
  const ente = SLUG.test(slug) && !reservedSlugs.has(slug) ? await getEnteBySlug(platform.db.app, slug) : undefined;
  if (!ente) throw notFound(t('messaging.subs.enteNotFound'));
  return ente;
}

/** Every value of a (possibly repeated) urlencoded field. */
function listOf(body: unknown, name: string): string[] {
  const raw = body && typeof body === 'object' ? (body as Record<string, unknown>)[name] : undefined;
  return (Array.isArray(raw) ? raw : [raw]).filter((v): v is string => typeof v === 'string').map((v) => v.trim().slice(0, 120)).slice(0, 500);
}

const checkMessage: Record<Exclude<CodeCheck, 'ok'>, string> = {
  wrong: 'messaging.subs.otp.wrong',
  missing: 'messaging.subs.otp.missing',
  expired: 'messaging.subs.otp.expired',
  exhausted: 'messaging.subs.otp.exhausted',
};

const flowNotFound = () => notFound(t('messaging.subs.otp.unknown'));

export function registerPublicPages(app: App, platform: Platform): void {
  const citizenOf = (request: FastifyRequest) => (request.citizen ? { name: [request.citizen.givenName, request.citizen.familyName].filter(Boolean).join(' ') || request.citizen.fiscalCode, fiscalCode: request.citizen.fiscalCode } : null);

  const renderSubscribe = async (request: FastifyRequest, reply: FastifyReply, ente: Ente, values: SubscribeValues, errors: FieldErrors = {}, status = 200, notice?: string) => {
    const topics = await withEnte(platform.db.app, ente.id, (trx) => listTopics(trx, { activeOnly: true }));
    const page = <SubscribePage ente={ente} viewer={viewerOf(request)} csrf={csrfToken(request, reply)} topics={topics} comuni={await otherComuni(platform, ente)} values={values} errors={errors} notice={notice} citizen={citizenOf(request)} consentText={consentText(ente)} replyNumber={platform.config.smsReplyNumber} />;
    return sendPage(reply, page, status);
  };

  app.get('/:slug/avvisi', { schema: { hide: true, params: SlugParams } }, async (request, reply) => {
    const ente = await portalEnte(platform, request.params.slug);
    return renderSubscribe(request, reply, ente, { phone: '', email: '', topics: [], others: [], filter: '', consent: false });
  });

  app.post('/:slug/avvisi', { schema: { hide: true, params: SlugParams } }, async (request, reply) => {
    const ente = await portalEnte(platform, request.params.slug);
    const fields = formFieldsOf(request.body);
    const values: SubscribeValues = {
      phone: (fields.telefono ?? '').slice(0, 40),
      email: (fields.email ?? '').slice(0, 254),
      topics: listOf(request.body, 'argomenti'),
      others: listOf(request.body, 'comuni'),
      filter: (fields.cerca ?? '').slice(0, 80),
      consent: fields.consenso === 'si',
    };
    if (fields.azione === 'filtra') return renderSubscribe(request, reply, ente, values);
    try {
      const { flow } = await requestSubscription(platform, ente, values, { ip: request.ip, fiscalCode: request.citizen?.fiscalCode ?? null });
      return reply.redirect(confirmPath(ente.slug, flow), 303);
    } catch (err) {
      if (err instanceof SubscriptionInvalid) return renderSubscribe(request, reply, ente, values, err.fields, 422);
      if (err instanceof OtpError || err instanceof MessagingError) return renderSubscribe(request, reply, ente, values, {}, err.status, err.message);
      throw err;
    }
  });

  const renderConfirm = async (request: FastifyRequest, reply: FastifyReply, ente: Ente, flow: string, errors: FieldErrors = {}, status = 200, notice?: { kind: 'danger' | 'warning'; text: string }) => {
    const pending = UUID.test(flow) ? await pendingFlow(platform, ente, flow) : null;
    if (!pending) throw flowNotFound();
    const channels = pending.channels.map((c) => ({ channel: c.channel, address: c.channel === 'sms' ? maskPhone(c.address) : maskEmail(c.address) }));
    return sendPage(reply, <ConfirmPage ente={ente} viewer={viewerOf(request)} csrf={csrfToken(request, reply)} flow={flow} channels={channels} errors={errors} notice={notice} />, status);
  };

  app.get('/:slug/avvisi/conferma/:flow', { schema: { hide: true, params: FlowParams } }, async (request, reply) => {
    const ente = await portalEnte(platform, request.params.slug);
    return renderConfirm(request, reply, ente, request.params.flow);
  });

  app.post('/:slug/avvisi/conferma/:flow', { schema: { hide: true, params: FlowParams } }, async (request, reply) => {
    const ente = await portalEnte(platform, request.params.slug);
    const { flow } = request.params;
    if (!UUID.test(flow)) throw flowNotFound();
    const fields = formFieldsOf(request.body);
    let result;
    try {
      result = await confirmFlow(platform, ente, flow, { sms: (fields['codice-sms'] ?? '').slice(0, 20), email: (fields['codice-email'] ?? '').slice(0, 20) }, request.ip);
    } catch (err) {
      if (err instanceof OtpError && err.status === 404) throw flowNotFound();
      if (err instanceof MessagingError) return renderConfirm(request, reply, ente, flow, {}, err.status, { kind: 'danger', text: err.message });
      throw err;
    }
    if (result.state === 'refused') {
      const errors: FieldErrors = {};
      for (const [channel, check] of Object.entries(result.checks)) if (check !== 'ok') errors[`codice-${channel}`] = t(checkMessage[check]);
      const dead = Object.values(result.checks).find((c) => c === 'expired' || c === 'exhausted');
      return renderConfirm(request, reply, ente, flow, errors, dead === 'expired' ? 410 : 422, dead ? { kind: 'warning', text: t(checkMessage[dead]) } : undefined);
    }
    const { request: req } = result;
    if (req.kind === 'unsubscribe') return reply.redirect(managePath(ente.slug, flow), 303);
    const title = t('messaging.subs.done.title');
    const text = result.already ? t('messaging.subs.done.already') : t('messaging.subs.done.text');
    const topicsOf = async (e: { id: string; topics: string[] }) => {
      const labels = await withEnte(platform.db.app, e.id, (trx) => listTopics(trx));
      return e.topics.map((code) => labels.find((l) => l.code === code)?.label ?? code);
    };
    const enti = await Promise.all(req.enti.map(async (e) => ({ name: e.name, topics: await topicsOf(e) })));
    return sendPage(reply, <DonePage ente={ente} viewer={viewerOf(request)} title={title} text={text} enti={enti} />);
  });

  const renderLeave = (request: FastifyRequest, reply: FastifyReply, ente: Ente, values: { phone: string; email: string }, errors: FieldErrors = {}, status = 200, notice?: string) =>
    sendPage(reply, <LeaveRequestPage ente={ente} viewer={viewerOf(request)} csrf={csrfToken(request, reply)} values={values} errors={errors} notice={notice} />, status);

  app.get('/:slug/avvisi/disiscrizione', { schema: { hide: true, params: SlugParams } }, async (request, reply) => {
    const ente = await portalEnte(platform, request.params.slug);
    return renderLeave(request, reply, ente, { phone: '', email: '' });
  });

  app.post('/:slug/avvisi/disiscrizione', { schema: { hide: true, params: SlugParams } }, async (request, reply) => {
    const ente = await portalEnte(platform, request.params.slug);
    const fields = formFieldsOf(request.body);
    const values = { phone: (fields.telefono ?? '').slice(0, 40), email: (fields.email ?? '').slice(0, 254) };
    try {
      const { flow } = await requestUnsubscribe(platform, ente, values, request.ip);
      return reply.redirect(confirmPath(ente.slug, flow), 303);
    } catch (err) {
      if (err instanceof SubscriptionInvalid) return renderLeave(request, reply, ente, values, err.fields, 422);
      if (err instanceof OtpError) return renderLeave(request, reply, ente, values, {}, err.status, err.message);
      throw err;
    }
  });

  const manageable = async (ente: Ente, flow: string) => {
    if (!UUID.test(flow)) throw flowNotFound();
    return managedFlow(platform, ente, flow);
  };
  const expiredPage = (request: FastifyRequest, reply: FastifyReply, ente: Ente, err: OtpError) =>
    sendPage(reply, <AvvisiLayout ente={ente} viewer={viewerOf(request)} title={t('messaging.subs.manage.title')} crumb={t('messaging.subs.manage.title')}><h1 class="h2">{t('messaging.subs.manage.title')}</h1><div class="alert alert-warning" role="alert" id="errore">{err.message} <a href={`/${ente.slug}/avvisi/disiscrizione`}>{t('messaging.subs.confirm.again')}</a></div></AvvisiLayout>, err.status);

  app.get('/:slug/avvisi/gestione/:flow', { schema: { hide: true, params: FlowParams } }, async (request, reply) => {
    const ente = await portalEnte(platform, request.params.slug);
    try {
      const req = await manageable(ente, request.params.flow);
      const followed = await followedBy(platform, req, { flow: req.flow, ip: request.ip });
      const address = req.phone ? maskPhone(req.phone) : maskEmail(req.email!);
      return sendPage(reply, <ManagePage ente={ente} viewer={viewerOf(request)} csrf={csrfToken(request, reply)} flow={req.flow} address={address} followed={followed} />);
    } catch (err) {
      if (err instanceof OtpError && err.status !== 404) return expiredPage(request, reply, ente, err);
      if (err instanceof OtpError) throw flowNotFound();
      throw err;
    }
  });

  app.post('/:slug/avvisi/gestione/:flow', { schema: { hide: true, params: FlowParams } }, async (request, reply) => {
    const ente = await portalEnte(platform, request.params.slug);
    try {
      const req = await manageable(ente, request.params.flow);
      const all = new Set(listOf(request.body, 'tutto'));
      const choices = new Map<string, LeaveChoice>();
      for (const id of all) choices.set(id, { enteId: id, all: true, topics: [] });
      for (const pair of listOf(request.body, 'lascia')) {
        const [enteId, code] = pair.split(':');
        if (!enteId || !code || all.has(enteId)) continue;
        const c = choices.get(enteId) ?? { enteId, all: false, topics: [] };
        c.topics.push(code);
        choices.set(enteId, c);
      }
      if (choices.size === 0) {
        const followed = await followedBy(platform, req, { flow: req.flow, ip: request.ip });
        const address = req.phone ? maskPhone(req.phone) : maskEmail(req.email!);
        return sendPage(reply, <ManagePage ente={ente} viewer={viewerOf(request)} csrf={csrfToken(request, reply)} flow={req.flow} address={address} followed={followed} notice={t('messaging.subs.manage.nothing')} />, 422);
      }
      await leave(platform, req, [...choices.values()], request.ip);
      return sendPage(reply, <DonePage ente={ente} viewer={viewerOf(request)} title={t('messaging.subs.manage.doneTitle')} text={t('messaging.subs.manage.done')} enti={[]} />);
    } catch (err) {
      if (err instanceof OtpError && err.status !== 404) return expiredPage(request, reply, ente, err);
      if (err instanceof OtpError) throw flowNotFound();
      throw err;
    }
  });

  app.get('/:slug/avvisi/disiscrizione/:token', { schema: { hide: true, params: TokenParams } }, async (request, reply) => {
    const ente = await portalEnte(platform, request.params.slug);
    const s = await subscriberByToken(platform, ente, request.params.token);
    if (!s) throw notFound(t('messaging.subs.token.unknown'));
    const off = s.email ? s.email_opted_out_at !== null : s.topics.length === 0;
    return sendPage(reply, <TokenPage ente={ente} viewer={viewerOf(request)} csrf={csrfToken(request, reply)} token={request.params.token} email={s.email ? maskEmail(s.email) : null} topics={s.topics} off={off} />);
  });

  // RFC 8058: the mail client posts "List-Unsubscribe=One-Click" with no cookie and no CSRF token; the
  // unguessable token authorises it. Any other POST here is the confirm form and must carry the CSRF field.
  app.post('/:slug/avvisi/disiscrizione/:token', { schema: { hide: true, params: TokenParams }, config: { csrf: 'manual' } }, async (request, reply) => {
    const ente = await portalEnte(platform, request.params.slug);
    if (formFieldsOf(request.body)['List-Unsubscribe'] === 'One-Click') {
      const ok = await unsubscribeByToken(platform, ente, request.params.token, request.ip);
      return reply.status(ok ? 200 : 404).type('text/plain; charset=utf-8').header('cache-control', 'no-store').send(t(ok ? 'messaging.subs.token.oneClickDone' : 'messaging.subs.token.unknown'));
    }
    assertCsrf(request);
    if (!(await unsubscribeByToken(platform, ente, request.params.token, request.ip))) throw notFound(t('messaging.subs.token.unknown'));
    return sendPage(reply, <DonePage ente={ente} viewer={viewerOf(request)} title={t('messaging.subs.token.doneTitle')} text={t('messaging.subs.token.done')} enti={[]} />);
  });
}
