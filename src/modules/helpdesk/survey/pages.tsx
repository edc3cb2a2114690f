// Survey routes. Public: GET/POST /assistenza/valutazione/{enteId}/{ticketId}/{token}, no login: the token of
// the e-mailed link (link.ts) is the key; any wrong part answers the same Italian 404, so nothing tells whether a
// ticket exists. The form carries the anonymous CSRF token (signed double-submit cookie, auth/csrf.ts), checked
// by the platform's hook on every form post. Back office: POST surveyActionPath(slug, id) for the ente's
// signed-in requesters, from the ticket page that embeds SurveyForm.
import type { ComponentChildren } from 'preact';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { actorOf, csrfToken } from '../../../platform/auth/index.js';
import { todayInRome } from '../../../platform/calendar/index.js';
import type { App } from '../../../platform/http/app.js';
import { HttpProblem, conflict, forbidden, notFound } from '../../../platform/http/problem.js';
import type { Platform } from '../../../platform/platform.js';
import { getEnteById, getEnteBySlug, type Ente } from '../../../platform/tenancy/index.js';
import { formatDate, t } from '../../../platform/views/i18n/index.js';
import { Layout, renderDocument } from '../../../platform/views/layout.js';
import { viewerOf } from '../../../platform/views/viewer.js';
import { requireRequester } from '../access.js';
import { SurveyForm } from './form.js';
import { isSurveyToken } from './link.js';
import { parseAnswer, submitSurvey, surveyTicket, type SurveyTicket } from './service.js';
import './messages.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// No length limits here: a wrong part must answer 404 like any other wrong link, not 400.
const PublicParams = Type.Object({ enteId: Type.String(), ticketId: Type.String(), token: Type.String() });
const FormBody = Type.Object(
  { rating: Type.Optional(Type.String({ maxLength: 10 })), comment: Type.Optional(Type.String({ maxLength: 10_000 })), next: Type.Optional(Type.String({ maxLength: 500 })), _csrf: Type.Optional(Type.String()) },
  { additionalProperties: true },
);

function sendPage(reply: FastifyReply, html: string, status = 200) {
  // The URL holds the token: never cached, never sent on as a referrer.
  return reply.status(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').header('referrer-policy', 'no-referrer').send(html);
}

function SurveyLayout({ request, ente, title, children }: { request: FastifyRequest; ente: Ente; title: string; children: ComponentChildren }) {
  return (
    <Layout title={title} viewer={viewerOf(request)} brand={{ name: ente.name, subtitle: t('app.tagline'), href: `/${ente.slug}/` }}>
      <div class="row">
        <div class="col-lg-8">{children}</div>
      </div>
    </Layout>
  );
}

function Message({ title, text, tone }: { title: string; text: string; tone: 'success' | 'info' | 'warning' }) {
  return (
    <>
      <h1>{title}</h1>
      <div class={`alert alert-${tone}`} role="status">
        <p class="mb-0">{text}</p>
      </div>
      <p>
        <a href="/" class="btn btn-outline-primary">
          {t('helpdesk.survey.home')}
        </a>
      </p>
    </>
  );
}

const alreadyText = (ticket: SurveyTicket) => t('helpdesk.survey.already.text', { date: formatDate(todayInRome(ticket.answer!.answeredAt)) });

/** The ente and ticket of a public link, or the one 404 for every wrong part (ids, token, ticket). */
async function linkTarget(platform: Platform, params: { enteId: string; ticketId: string; token: string }) {
  const invalid = notFound(t('helpdesk.survey.notFound'));
  if (!UUID.test(params.enteId) || !UUID.test(params.ticketId)) throw invalid;
  if (!isSurveyToken(platform.secrets.cookie, params.enteId, params.ticketId, params.token)) throw invalid;
  const ente = await getEnteById(platform.db.app, params.enteId);
  const ticket = ente ? await surveyTicket(platform.db.app, ente.id, params.ticketId) : undefined;
  if (!ente || !ticket) throw invalid;
  return { ente, ticket };
}

async function renderPublic(
  request: FastifyRequest,
  reply: FastifyReply,
  ente: Ente,
  ticket: SurveyTicket,
  state: { thanks?: boolean; error?: string; values?: { rating?: string; comment?: string } },
  status = 200,
) {
  const title = t('helpdesk.survey.title');
  let body: ComponentChildren;
  if (ticket.answer) {
    body = state.thanks ? (
      <Message title={t('helpdesk.survey.thanks.title')} text={t('helpdesk.survey.thanks.text')} tone="success" />
    ) : (
      <Message title={t('helpdesk.survey.already.title')} text={alreadyText(ticket)} tone="info" />
    );
  } else if (!ticket.answerable) {
    body = <Message title={t('helpdesk.survey.notSolved.title')} text={t('helpdesk.survey.notSolved.text')} tone="warning" />;
  } else {
    body = (
      <>
        <h1>{title}</h1>
        <p class="lead">{t('helpdesk.survey.ticket', { label: ticket.label, subject: ticket.subject })}</p>
        <p>{t('helpdesk.survey.intro')}</p>
        <SurveyForm action={request.url.split('?')[0]!} csrf={csrfToken(request, reply)} values={state.values} error={state.error} headingLevel={2} />
      </>
    );
  }
  return sendPage(reply, renderDocument(<SurveyLayout request={request} ente={ente} title={title}>{body}</SurveyLayout>), status);
}

/** `next` when it stays in the ente's help desk area of the back office (no open redirect). */
function safeNext(slug: string, next: string | undefined): string {
  const base = `/backoffice/enti/${slug}/assistenza`;
  return next && (next === base || next.startsWith(`${base}/`) || next.startsWith(`${base}?`)) && !/[\r\n\\]|\/\/|\.\./.test(next) ? next : base;
}

const withEsito = (path: string, esito: string) => `${path}${path.includes('?') ? '&' : '?'}esito=${esito}`;

export function registerSurveyPages(app: App, platform: Platform): void {
  const { db } = platform;

  app.get('/assistenza/valutazione/:enteId/:ticketId/:token', { schema: { hide: true, params: PublicParams, querystring: Type.Object({ esito: Type.Optional(Type.String({ maxLength: 40 })) }) } }, async (request, reply) => {
    const { ente, ticket } = await linkTarget(platform, request.params);
    return renderPublic(request, reply, ente, ticket, { thanks: request.query.esito === 'grazie' });
  });

  app.post('/assistenza/valutazione/:enteId/:ticketId/:token', { schema: { hide: true, params: PublicParams, body: FormBody } }, async (request, reply) => {
    const { ente, ticket } = await linkTarget(platform, request.params);
    const values = { rating: request.body.rating, comment: request.body.comment };
    let answer;
    try {
      answer = parseAnswer(values);
    } catch (err) {
      if (err instanceof HttpProblem && ticket.answerable && !ticket.answer) return renderPublic(request, reply, ente, ticket, { error: err.detail ?? err.title, values }, 422);
      return renderPublic(request, reply, ente, ticket, {}, 409);
    }
    const outcome = await submitSurvey(db.app, actorOf(request), ente.id, ticket.id, { ...answer, via: 'link' });
    if (outcome === 'recorded') return reply.redirect(`${request.url.split('?')[0]}?esito=grazie`, 303);
    const now = (await surveyTicket(db.app, ente.id, ticket.id))!;
    return renderPublic(request, reply, ente, now, {}, 409);
  });

  app.post(
    '/backoffice/enti/:slug/assistenza/ticket/:id/valutazione',
    { schema: { hide: true, params: Type.Object({ slug: Type.String({ maxLength: 100 }), id: Type.String({ maxLength: 100 }) }), body: FormBody } },
    async (request, reply) => {
      if (!request.staff) return reply.redirect(`/backoffice/login?next=${encodeURIComponent(request.url)}`, 303);
      const ente = /^[a-z0-9-]{1,100}$/.test(request.params.slug) ? await getEnteBySlug(db.app, request.params.slug) : undefined;
      if (!ente) throw notFound('Ente inesistente');
      const { desk } = await requireRequester(request, db.app, ente.id);
      if (desk) throw forbidden(t('helpdesk.survey.deskRefused'));
      if (!UUID.test(request.params.id)) throw notFound('Ticket inesistente');
      const next = safeNext(ente.slug, request.body.next);
      const values = { rating: request.body.rating, comment: request.body.comment };
      let answer;
      try {
        answer = parseAnswer(values);
      } catch (err) {
        if (!(err instanceof HttpProblem)) throw err;
        const title = t('helpdesk.survey.backoffice.title');
        return sendPage(
          reply,
          renderDocument(
            <Layout title={title} viewer={viewerOf(request)} breadcrumbs={[{ label: t('app.name'), href: '/' }, { label: ente.name, href: `/backoffice/enti/${ente.slug}` }, { label: title }]}>
              <h1>{title}</h1>
              <SurveyForm action={request.url} csrf={csrfToken(request, reply)} next={next} values={values} error={err.detail ?? err.title} />
              <p>
                <a href={next}>{t('helpdesk.survey.backoffice.back')}</a>
              </p>
            </Layout>,
          ),
          422,
        );
      }
      const outcome = await submitSurvey(db.app, actorOf(request), ente.id, request.params.id, { ...answer, via: 'backoffice' });
      if (outcome === 'no_ticket') throw notFound('Ticket inesistente');
      if (outcome === 'not_solved') throw conflict(t('helpdesk.survey.notSolved.text'));
      return reply.redirect(withEsito(next, outcome === 'recorded' ? 'valutazione-registrata' : 'valutazione-gia-registrata'), 303);
    },
  );
}
