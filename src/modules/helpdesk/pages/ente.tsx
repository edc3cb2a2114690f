// The ente's side of the help desk: its tickets (/backoffice/enti/{slug}/assistenza, with a state filter and
// pages) and the web form of a new ticket (…/assistenza/nuovo: channel web, the caller is the signed-in user,
// knowledge-base suggestions, attachments). The desk's staff are sent to their own pages for the same things.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { actorOf, csrfToken } from '../../../platform/auth/index.js';
import type { App } from '../../../platform/http/app.js';
import type { Platform } from '../../../platform/platform.js';
import { formatNumber, t } from '../../../platform/views/i18n/index.js';
import { CsrfField } from '../../../platform/views/layout.js';
import { attachFiles } from '../attachments.js';
import { listTickets, openTicket } from '../service.js';
import type { TicketState } from '../store.js';
import {
  ErrorSummary,
  Outcome,
  PageLayout,
  Pagination,
  PriorityBadge,
  StateBadge,
  deskPath,
  enteCrumbs,
  enteGuard,
  entePath,
  enteTicketPath,
  formatDateTime,
  isFormProblem,
  pageNumber,
  problemMessage,
  queryString,
  sendPage,
  stateText,
  type EnteAccess,
  type FieldErrors,
} from './common.js';
import { fieldsOf, uploadsOf } from './form.js';
import { ProblemFields, fieldIds, fieldOfProblem, levelOf, missingFields, type Values } from './intake.js';
import { AttachmentInput, KbSuggestionsBox } from './parts.js';
import { categoryGroups } from './reads.js';
import { EnteNav } from './nav.js';

const PAGE_SIZE = 25;
const STATES: TicketState[] = ['new', 'assigned', 'in_progress', 'waiting_ente', 'solved', 'closed', 'reopened'];
const SlugParams = Type.Object({ slug: Type.String({ maxLength: 100 }) });
const ListQuery = Type.Object({
  stato: Type.Optional(Type.String({ maxLength: 20 })),
  pagina: Type.Optional(Type.String({ maxLength: 6 })),
  esito: Type.Optional(Type.String({ maxLength: 40 })),
});

async function renderNew(request: FastifyRequest, reply: FastifyReply, platform: Platform, g: EnteAccess, values: Values, errors: FieldErrors = {}, general?: string, status = 200) {
  const groups = await categoryGroups(platform.db.app);
  const title = t('helpdesk.pages.new.title');
  return sendPage(
    reply,
    <PageLayout request={request} title={title} crumbs={[...enteCrumbs(g.ente), { label: title }]}>
      <h1>{title}</h1>
      <p>{t('helpdesk.pages.new.intro')}</p>
      <ErrorSummary errors={errors} ids={fieldIds} general={general} />
      <form method="post" action={`${entePath(g.ente.slug)}/nuovo`} enctype="multipart/form-data" class="mb-5" novalidate>
        <CsrfField token={csrfToken(request, reply)} />
        <p>{t('helpdesk.pages.form.requester', { name: g.staff.displayName, email: g.staff.email })}</p>
        <ProblemFields groups={groups} values={values} errors={errors} />
        <KbSuggestionsBox enteSlug={g.ente.slug} />
        <AttachmentInput id="ticket-allegati" />
        <div class="d-flex flex-wrap gap-2">
          <button type="submit" class="btn btn-primary">
            {t('helpdesk.pages.form.submit.new')}
          </button>
          <a class="btn btn-outline-secondary" href={entePath(g.ente.slug)}>
            {t('helpdesk.pages.form.cancel')}
          </a>
        </div>
      </form>
    </PageLayout>,
    status,
  );
}

export function registerEntePages(app: App, platform: Platform): void {
  const { db } = platform;

  app.get('/backoffice/enti/:slug/assistenza', { schema: { hide: true, params: SlugParams, querystring: ListQuery } }, async (request, reply) => {
    const g = await enteGuard(request, reply, platform, request.params.slug, 'read');
    if (!g) return reply;
    if (g.desk) return reply.redirect(`${deskPath}?ente=${g.ente.slug}`, 303);
    const state = STATES.find((s) => s === request.query.stato);
    const page = pageNumber(request.query.pagina);
    const list = await listTickets(db.app, g.ente.id, { state, limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE });
    const title = t('helpdesk.pages.ente.title', { name: g.ente.name });
    const base = entePath(g.ente.slug);
    return sendPage(
      reply,
      <PageLayout request={request} title={title} crumbs={[enteCrumbs(g.ente)[0]!, { label: t('helpdesk.pages.crumb.ente') }]}>
        <h1>{title}</h1>
        <EnteNav slug={g.ente.slug} />
        <Outcome esito={request.query.esito} />
        <p>{t('helpdesk.pages.ente.intro')}</p>
        {g.requester ? (
          <p>
            <a class="btn btn-primary" href={`${base}/nuovo`}>
              {t('helpdesk.pages.ente.new')}
            </a>
          </p>
        ) : null}
        <form method="get" action={base} class="row g-3 align-items-end mb-4" aria-label={t('helpdesk.pages.ente.filter.state')}>
          <div class="col-md-4">
            <label for="filtro-stato" class="form-label">
              {t('helpdesk.pages.ente.filter.state')}
            </label>
            <select id="filtro-stato" name="stato" class="form-select">
              <option value="">{t('helpdesk.pages.filter.all')}</option>
              {STATES.map((s) => (
                <option value={s} selected={state === s}>
                  {stateText(s)}
                </option>
              ))}
            </select>
          </div>
          <div class="col-md-2">
            <button type="submit" class="btn btn-outline-primary">
              {t('helpdesk.pages.filter.apply')}
            </button>
          </div>
        </form>
        {list.items.length === 0 ? (
          <p>{t('helpdesk.pages.ente.empty')}</p>
        ) : (
          <div class="table-responsive">
            <table class="table align-middle">
              <caption>{t('helpdesk.pages.ente.caption', { shown: formatNumber(list.items.length), total: formatNumber(list.total) })}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('helpdesk.pages.col.number')}</th>
                  <th scope="col">{t('helpdesk.pages.col.subject')}</th>
                  <th scope="col">{t('helpdesk.pages.col.state')}</th>
                  <th scope="col">{t('helpdesk.pages.col.priority')}</th>
                  <th scope="col">{t('helpdesk.pages.col.opened')}</th>
                </tr>
              </thead>
              <tbody>
                {list.items.map((item) => (
                  <tr>
                    <th scope="row">
                      <a href={enteTicketPath(g.ente.slug, item.id)}>{item.label}</a>
                    </th>
                    <td>{item.subject}</td>
                    <td>
                      <StateBadge state={item.state} />
                    </td>
                    <td>
                      <PriorityBadge priority={item.priority} />
                    </td>
                    <td>{formatDateTime(item.openedAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <Pagination total={list.total} pageSize={PAGE_SIZE} page={page} href={(p) => `${base}${queryString({ stato: state, pagina: p })}`} />
      </PageLayout>,
    );
  });

  app.get('/backoffice/enti/:slug/assistenza/nuovo', { schema: { hide: true, params: SlugParams } }, async (request, reply) => {
    const g = await enteGuard(request, reply, platform, request.params.slug, 'request');
    if (!g) return reply;
    if (g.desk) return reply.redirect(`${deskPath}/nuovo`, 303);
    return renderNew(request, reply, platform, g, {});
  });

  app.post('/backoffice/enti/:slug/assistenza/nuovo', { schema: { hide: true, params: SlugParams } }, async (request, reply) => {
    const g = await enteGuard(request, reply, platform, request.params.slug, 'request');
    if (!g) return reply;
    if (g.desk) return reply.redirect(`${deskPath}/nuovo`, 303);
    const values = fieldsOf(request.body);
    const errors = missingFields(values);
    if (Object.keys(errors).length > 0) return renderNew(request, reply, platform, g, values, errors, undefined, 422);
    try {
      const uploads = uploadsOf(request.body);
      const input = {
        channel: 'web' as const,
        callerName: g.staff.displayName,
        callerEmail: g.staff.email,
        category: values.category!,
        urgency: levelOf(values.urgency),
        impact: levelOf(values.impact),
        subject: values.subject!,
        description: values.description!,
      };
      const ticket = await openTicket(db.app, actorOf(request), g.ente.id, input, { requesterId: g.staff.id });
      if (uploads.length > 0) await attachFiles(db.app, platform.files, actorOf(request), g.ente.id, ticket.id, uploads, { public: true });
      return reply.redirect(`${enteTicketPath(g.ente.slug, ticket.id)}?esito=aperto`, 303);
    } catch (err) {
      if (!isFormProblem(err)) throw err;
      const field = fieldOfProblem(problemMessage(err));
      return renderNew(request, reply, platform, g, values, field ? { [field]: problemMessage(err) } : {}, field ? undefined : problemMessage(err), err.status);
    }
  });
}
