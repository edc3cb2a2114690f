// The desk's page of a ticket (/backoffice/assistenza/ticket/{enteSlug}/{id}): the ente's slug is in the path
// because tickets live in their ente's tenant (as in the JSON API /api/v1/enti/{slug}/tickets/{id}). Everything
// the desk does with a ticket is a form here, each posting to a sub-path and coming back (PRG) with ?esito=;
// a refusal re-renders the page with the message inside the form concerned and the text typed.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { actorOf, csrfToken } from '../../../platform/auth/index.js';
import type { App } from '../../../platform/http/app.js';
import { notFound, unprocessable } from '../../../platform/http/problem.js';
import type { Platform } from '../../../platform/platform.js';
import type { Ente } from '../../../platform/tenancy/index.js';
import { t } from '../../../platform/views/i18n/index.js';
import { attachFiles } from '../attachments.js';
import { addObserver, mergeTickets, observersOf, removeObserver, ticketIdByLabel } from '../collaboration.js';
import { addNote, addReply, assign, changeState, ticketDetail } from '../service.js';
import type { TicketState } from '../store.js';
import { Outcome, PageLayout, UUID, deskCrumb, deskGuard, deskPath, deskTicketPath, findEnte, isFormProblem, problemMessage, sendPage } from './common.js';
import { AssignForm, MergeForm, ObserversForm, ReplyForms, StateForm, type DeskForm, type FormFeedback } from './desk-forms.js';
import { fieldsOf, uploadsOf } from './form.js';
import { KbPanel, attachmentsOf, kbLinks } from './parts.js';
import { categoryGroups, categoryName, deskStaff, labelOf, staffNames } from './reads.js';
import { TicketData, TicketSlaTable, Timeline } from './ticket-view.js';

const Params = Type.Object({ slug: Type.String({ maxLength: 100 }), id: Type.String({ maxLength: 40 }) });
const Query = Type.Object({ esito: Type.Optional(Type.String({ maxLength: 40 })), da: Type.Optional(Type.String({ maxLength: 20 })) });

async function renderTicket(request: FastifyRequest, reply: FastifyReply, platform: Platform, cstId: string, ente: Ente, id: string, options: { esito?: string | undefined; from?: string | undefined; feedback?: FormFeedback<DeskForm>; status?: number } = {}) {
  const { db } = platform;
  const ticket = UUID.test(id) ? await ticketDetail(db.app, ente.id, id, { withInternalNotes: true }) : undefined;
  if (!ticket) throw notFound(t('helpdesk.pages.ticketNotFound'));
  const [groups, staff, observers, attachments, names, mergedLabel, links] = await Promise.all([
    categoryGroups(db.app),
    deskStaff(db.app, cstId),
    observersOf(db.app, ente.id, ticket.id),
    attachmentsOf(platform, ente.id, ticket.id, true),
    staffNames(db.app, [ticket.assigneeId]),
    ticket.mergedInto ? labelOf(db.app, ente.id, ticket.mergedInto) : Promise.resolve(undefined),
    kbLinks(platform, ente.id, ticket.id, true),
  ]);
  const title = t('helpdesk.pages.ticket.title', { label: ticket.label });
  const action = deskTicketPath(ente.slug, ticket.id);
  const common = { action, csrf: csrfToken(request, reply), feedback: options.feedback };
  const writable = ticket.state !== 'closed' && !ticket.mergedInto;
  const assignable = writable && ticket.state !== 'solved';
  return sendPage(
    reply,
    <PageLayout request={request} title={title} crumbs={[deskCrumb, { label: ticket.label }]}>
      <h1>
        {title}: <span class="fw-normal">{ticket.subject}</span>
      </h1>
      <Outcome esito={options.esito} vars={{ label: options.esito === 'unito' ? (options.from ?? '') : ticket.label }} />
      {ticket.mergedInto ? <p class="alert alert-info">{t('helpdesk.pages.ticket.merged')}</p> : null}
      <p>
        <a href={deskPath}>{t('helpdesk.pages.ticket.backToQueue')}</a>
      </p>
      <div class="row">
        <div class="col-lg-8">
          <TicketData
            ticket={ticket}
            ente={ente.name}
            category={categoryName(groups, ticket.category)}
            assignee={ticket.assigneeId ? (names.get(ticket.assigneeId) ?? null) : null}
            mergedInto={ticket.mergedInto && mergedLabel ? <a href={deskTicketPath(ente.slug, ticket.mergedInto)}>{mergedLabel}</a> : undefined}
          />
          <TicketSlaTable ticket={ticket} />
          <Timeline events={ticket.events} attachments={attachments} slug={ente.slug} ticketId={ticket.id} />
          {writable ? <ReplyForms {...common} /> : <p>{t('helpdesk.pages.reply.closed')}</p>}
        </div>
        <div class="col-lg-4">
          {ticket.mergedInto ? null : <StateForm {...common} state={ticket.state} assigned={ticket.assigneeId !== null} />}
          <AssignForm {...common} staff={staff} assigneeId={ticket.assigneeId} open={assignable} />
          <ObserversForm {...common} observers={observers} open={writable} />
          {writable ? <MergeForm {...common} /> : null}
          <KbPanel request={request} reply={reply} enteSlug={ente.slug} ticketId={ticket.id} links={links} desk={true} returnTo={action} />
        </div>
      </div>
    </PageLayout>,
    options.status ?? 200,
  );
}

const outcomes: Record<DeskForm, string> = { reply: 'risposta', note: 'nota', state: 'stato', assign: 'assegnato', observer: 'osservatore', merge: 'unito' };

/** A form post of the ticket page: the write, then back to the page (PRG), or the page with the refusal. */
function deskPost(app: App, platform: Platform, suffix: string, form: DeskForm, write: (ctx: { request: FastifyRequest; ente: Ente; id: string; fields: Record<string, string> }) => Promise<string | void>) {
  app.post(`${deskPath}/ticket/:slug/:id${suffix}`, { schema: { hide: true, params: Params } }, async (request, reply) => {
    const guarded = await deskGuard(request, reply, platform);
    if (!guarded) return reply;
    const ente = await findEnte(platform, request.params.slug);
    const id = request.params.id;
    if (!UUID.test(id)) throw notFound(t('helpdesk.pages.ticketNotFound'));
    const fields = fieldsOf(request.body);
    try {
      const target = await write({ request, ente, id, fields });
      return reply.redirect(target ?? `${deskTicketPath(ente.slug, id)}?esito=${outcomes[form]}`, 303);
    } catch (err) {
      if (!isFormProblem(err)) throw err;
      return renderTicket(request, reply, platform, guarded.cst.id, ente, id, { feedback: { form, message: problemMessage(err), values: fields }, status: err.status });
    }
  });
}

export function registerTicketPages(app: App, platform: Platform): void {
  const { db } = platform;

  app.get(`${deskPath}/ticket/:slug/:id`, { schema: { hide: true, params: Params, querystring: Query } }, async (request, reply) => {
    const guarded = await deskGuard(request, reply, platform);
    if (!guarded) return reply;
    const ente = await findEnte(platform, request.params.slug);
    const from = request.query.da && /^\d{1,9}\/\d{4}$/.test(request.query.da) ? request.query.da : undefined;
    return renderTicket(request, reply, platform, guarded.cst.id, ente, request.params.id, { esito: request.query.esito, from });
  });

  deskPost(app, platform, '/risposta', 'reply', async ({ request, ente, id, fields }) => {
    const uploads = uploadsOf(request.body);
    const eventId = await addReply(db.app, actorOf(request), ente.id, id, fields.body ?? '', { side: 'desk' });
    if (uploads.length > 0) await attachFiles(db.app, platform.files, actorOf(request), ente.id, id, uploads, { public: true, eventId });
  });

  deskPost(app, platform, '/nota', 'note', async ({ request, ente, id, fields }) => {
    const uploads = uploadsOf(request.body);
    const eventId = await addNote(db.app, actorOf(request), ente.id, id, fields.body ?? '');
    if (uploads.length > 0) await attachFiles(db.app, platform.files, actorOf(request), ente.id, id, uploads, { public: false, eventId });
  });

  deskPost(app, platform, '/stato', 'state', async ({ request, ente, id, fields }) => {
    await changeState(db.app, actorOf(request), ente.id, id, (fields.state ?? '') as TicketState, { comment: fields.comment, side: 'desk' });
  });

  deskPost(app, platform, '/assegna', 'assign', async ({ request, ente, id, fields }) => {
    if (!fields.assigneeId || !UUID.test(fields.assigneeId)) throw unprocessable(t('helpdesk.pages.assign.missing'));
    await assign(db.app, actorOf(request), ente.id, id, fields.assigneeId);
  });

  deskPost(app, platform, '/osservatori', 'observer', async ({ request, ente, id, fields }) => {
    await addObserver(db.app, actorOf(request), ente.id, id, { email: fields.email ?? '', name: fields.name || null });
  });

  deskPost(app, platform, '/osservatori/rimuovi', 'observer', async ({ request, ente, id, fields }) => {
    await removeObserver(db.app, actorOf(request), ente.id, id, fields.email ?? '');
    return `${deskTicketPath(ente.slug, id)}?esito=osservatore-rimosso`;
  });

  deskPost(app, platform, '/unisci', 'merge', async ({ request, ente, id, fields }) => {
    const label = (fields.target ?? '').replace(/\s+/g, '');
    if (!/^\d{1,9}\/\d{4}$/.test(label)) throw unprocessable(t('helpdesk.pages.merge.invalid'));
    const targetId = await ticketIdByLabel(db.app, ente.id, label);
    if (!targetId) throw unprocessable(t('helpdesk.pages.merge.notFound', { label }));
    const source = await labelOf(db.app, ente.id, id);
    await mergeTickets(db.app, actorOf(request), ente.id, id, targetId);
    return `${deskTicketPath(ente.slug, targetId)}?esito=unito&da=${encodeURIComponent(source ?? '')}`;
  });
}
