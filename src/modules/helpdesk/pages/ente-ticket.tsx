// The ente's page of one of its tickets (/backoffice/enti/{slug}/assistenza/ticket/{id}): its data, SLA and
// public history (no internal notes, internal attachments or escalations), a reply with attachments, and on
// a solved ticket the confirmation (close) or the reopening, with the satisfaction survey. Readers only look.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { actorOf, csrfToken } from '../../../platform/auth/index.js';
import type { App } from '../../../platform/http/app.js';
import { notFound } from '../../../platform/http/problem.js';
import type { Platform } from '../../../platform/platform.js';
import { t } from '../../../platform/views/i18n/index.js';
import { CsrfField } from '../../../platform/views/layout.js';
import { attachFiles } from '../attachments.js';
import { addReply, changeState, ticketDetail } from '../service.js';
import { Outcome, PageLayout, UUID, deskTicketPath, enteCrumbs, enteGuard, entePath, enteTicketPath, isFormProblem, problemMessage, sendPage, type EnteAccess } from './common.js';
import { FormBox, TextArea, type FormFeedback } from './desk-forms.js';
import { fieldsOf, uploadsOf } from './form.js';
import { AttachmentInput, KbPanel, SurveySlot, attachmentsOf, kbLinks, surveyPending } from './parts.js';
import { categoryGroups, categoryName, staffNames } from './reads.js';
import { TicketData, TicketSlaTable, Timeline } from './ticket-view.js';

type EnteForm = 'reply' | 'state';
const Params = Type.Object({ slug: Type.String({ maxLength: 100 }), id: Type.String({ maxLength: 40 }) });
const Query = Type.Object({ esito: Type.Optional(Type.String({ maxLength: 40 })) });

/** What the desk keeps to itself besides internal notes (the service already leaves those out). */
const deskOnly = new Set(['internal_note', 'escalation']);

function StateForms({ action, csrf, state, feedback }: { action: string; csrf: string; state: 'solved' | 'closed'; feedback: FormFeedback<EnteForm> | undefined }) {
  const f = feedback?.form === 'state' ? feedback : undefined;
  return (
    <FormBox id="soluzione" title={t(state === 'solved' ? 'helpdesk.pages.ente.solved.title' : 'helpdesk.pages.ente.reopenClosed')}>
      {f ? (
        <div class="alert alert-danger" role="alert">
          {f.message}
        </div>
      ) : null}
      {state === 'solved' ? (
        <>
          <p>{t('helpdesk.pages.ente.solved.intro')}</p>
          <form method="post" action={`${action}/stato`} class="mb-3">
            <CsrfField token={csrf} />
            <input type="hidden" name="state" value="closed" />
            <button type="submit" class="btn btn-primary">
              {t('helpdesk.pages.ente.confirm')}
            </button>
          </form>
        </>
      ) : null}
      <form method="post" action={`${action}/stato`}>
        <CsrfField token={csrf} />
        <input type="hidden" name="state" value="reopened" />
        <TextArea id="riapri-commento" name="comment" label={t('helpdesk.pages.ente.reopen.comment')} value={f?.values.comment ?? ''} rows={2} />
        <button type="submit" class="btn btn-outline-primary">
          {t(state === 'solved' ? 'helpdesk.pages.ente.reopen' : 'helpdesk.pages.ente.reopenClosed')}
        </button>
      </form>
    </FormBox>
  );
}

async function renderTicket(request: FastifyRequest, reply: FastifyReply, platform: Platform, g: EnteAccess, id: string, options: { esito?: string | undefined; feedback?: FormFeedback<EnteForm>; status?: number } = {}) {
  const { db } = platform;
  const ticket = UUID.test(id) ? await ticketDetail(db.app, g.ente.id, id, { withInternalNotes: false }) : undefined;
  if (!ticket) throw notFound(t('helpdesk.pages.ticketNotFound'));
  const [groups, attachments, names, survey, links] = await Promise.all([
    categoryGroups(db.app),
    attachmentsOf(platform, g.ente.id, ticket.id, false),
    staffNames(db.app, [ticket.assigneeId]),
    g.requester ? surveyPending(platform, g.ente.id, ticket.id) : Promise.resolve(false),
    kbLinks(platform, g.ente.id, ticket.id, false),
  ]);
  const events = ticket.events.filter((e) => !deskOnly.has(e.kind));
  const title = t('helpdesk.pages.ticket.title', { label: ticket.label });
  const action = enteTicketPath(g.ente.slug, ticket.id);
  const csrf = csrfToken(request, reply);
  const reply_ = options.feedback?.form === 'reply' ? options.feedback : undefined;
  const writable = g.requester && ticket.state !== 'closed' && !ticket.mergedInto;
  return sendPage(
    reply,
    <PageLayout request={request} title={title} crumbs={[...enteCrumbs(g.ente), { label: ticket.label }]}>
      <h1>
        {title}: <span class="fw-normal">{ticket.subject}</span>
      </h1>
      <Outcome esito={options.esito} vars={{ label: ticket.label }} />
      {ticket.mergedInto ? <p class="alert alert-info">{t('helpdesk.pages.ticket.merged')}</p> : null}
      <p>
        <a href={entePath(g.ente.slug)}>{t('helpdesk.pages.ticket.backToList')}</a>
      </p>
      <div class="row">
        <div class="col-lg-8">
          <TicketData ticket={ticket} ente={g.ente.name} category={categoryName(groups, ticket.category)} assignee={ticket.assigneeId ? (names.get(ticket.assigneeId) ?? null) : null} />
          <TicketSlaTable ticket={ticket} />
          <Timeline events={events} attachments={attachments} slug={g.ente.slug} ticketId={ticket.id} />
          {writable ? (
            <FormBox id="rispondi" title={t('helpdesk.pages.reply.title')}>
              {ticket.state === 'waiting_ente' ? <p class="alert alert-warning">{t('helpdesk.pages.reply.waitingHint')}</p> : null}
              <form method="post" action={`${action}/risposta`} enctype="multipart/form-data" novalidate>
                <CsrfField token={csrf} />
                <TextArea id="risposta-testo" name="body" label={t('helpdesk.pages.reply.label.ente')} value={reply_?.values.body ?? ''} error={reply_?.message} />
                <AttachmentInput id="risposta-allegati" />
                <button type="submit" class="btn btn-primary">
                  {t('helpdesk.pages.reply.submit')}
                </button>
              </form>
            </FormBox>
          ) : ticket.state === 'closed' ? (
            <p>{t('helpdesk.pages.reply.closed')}</p>
          ) : null}
        </div>
        <div class="col-lg-4">
          {g.requester && !ticket.mergedInto && (ticket.state === 'solved' || ticket.state === 'closed') ? <StateForms action={action} csrf={csrf} state={ticket.state} feedback={options.feedback} /> : null}
          {survey ? (
            <div class="mb-4 p-3 border rounded">
              <SurveySlot request={request} reply={reply} slug={g.ente.slug} ticketId={ticket.id} back={action} />
            </div>
          ) : null}
          {links.length > 0 ? <KbPanel request={request} reply={reply} enteSlug={g.ente.slug} ticketId={ticket.id} links={links} desk={false} returnTo={action} /> : null}
        </div>
      </div>
    </PageLayout>,
    options.status ?? 200,
  );
}

export function registerEnteTicketPages(app: App, platform: Platform): void {
  const { db } = platform;
  const base = '/backoffice/enti/:slug/assistenza/ticket/:id';

  app.get(base, { schema: { hide: true, params: Params, querystring: Query } }, async (request, reply) => {
    const g = await enteGuard(request, reply, platform, request.params.slug, 'read');
    if (!g) return reply;
    if (g.desk) return reply.redirect(`${deskTicketPath(g.ente.slug, request.params.id)}${request.query.esito ? `?esito=${encodeURIComponent(request.query.esito)}` : ''}`, 303);
    return renderTicket(request, reply, platform, g, request.params.id, { esito: request.query.esito });
  });

  const post = (suffix: string, form: EnteForm, write: (g: EnteAccess, id: string, fields: Record<string, string>, request: FastifyRequest) => Promise<string>) =>
    app.post(`${base}${suffix}`, { schema: { hide: true, params: Params } }, async (request, reply) => {
      const g = await enteGuard(request, reply, platform, request.params.slug, 'request');
      if (!g) return reply;
      if (g.desk) return reply.redirect(deskTicketPath(g.ente.slug, request.params.id), 303);
      const id = request.params.id;
      if (!UUID.test(id)) throw notFound(t('helpdesk.pages.ticketNotFound'));
      const fields = fieldsOf(request.body);
      try {
        const esito = await write(g, id, fields, request);
        return reply.redirect(`${enteTicketPath(g.ente.slug, id)}?esito=${esito}`, 303);
      } catch (err) {
        if (!isFormProblem(err)) throw err;
        return renderTicket(request, reply, platform, g, id, { feedback: { form, message: problemMessage(err), values: fields }, status: err.status });
      }
    });

  post('/risposta', 'reply', async (g, id, fields, request) => {
    const uploads = uploadsOf(request.body);
    const actor = actorOf(request);
    const eventId = await addReply(db.app, actor, g.ente.id, id, fields.body ?? '', { side: 'requester' });
    if (uploads.length > 0) await attachFiles(db.app, platform.files, actor, g.ente.id, id, uploads, { public: true, eventId });
    return 'risposta';
  });

  post('/stato', 'state', async (g, id, fields, request) => {
    const to = fields.state === 'closed' ? 'closed' : 'reopened';
    await changeState(db.app, actorOf(request), g.ente.id, id, to, { comment: fields.comment, side: 'requester' });
    return to === 'closed' ? 'chiuso' : 'riaperto';
  });
}
