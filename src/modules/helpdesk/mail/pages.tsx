// The desk's "Posta da smistare" (/backoffice/assistenza/posta): the messages the intake could not place, each
// with its reason; the page of a message shows its text and offers the three ways out (open a ticket in a
// chosen ente, add it as reply to a ticket, discard with a reason) and the raw .eml. Desk only; forms with CSRF
// (checked by the platform's hook), usable without JavaScript.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { actorOf, csrfToken } from '../../../platform/auth/index.js';
import type { App } from '../../../platform/http/app.js';
import { sendPrivateFile } from '../../../platform/http/download.js';
import { notFound } from '../../../platform/http/problem.js';
import type { Platform } from '../../../platform/platform.js';
import { getEnteById, listEnti, type Ente } from '../../../platform/tenancy/index.js';
import { formatNumber, t } from '../../../platform/views/i18n/index.js';
import { CsrfField } from '../../../platform/views/layout.js';
import { deskCrumb, deskGuard, deskPath, deskTicketPath, ErrorAlert, findEnte, formatDateTime, isFormProblem, PageLayout, pageNumber, Pagination, problemMessage, queryString, sendPage, UUID } from '../pages/common.js';
import { createTicketFromInbound, discardInbound, inboundList, inboundMessage, readInbound, replyFromInbound } from './actions.js';
import { rawOf } from './intake.js';
import type { InboundRow, InboundState } from './store.js';
import { mailboxOf, slugOfRecipient } from './resolve.js';
import './messages.js';

export const mailPath = `${deskPath}/posta`;
const messagePath = (id: string) => `${mailPath}/${id}`;
const PAGE_SIZE = 50;
const PREVIEW_CHARS = 10_000;

const stateClass: Record<InboundState, string> = {
  received: 'bg-secondary',
  ticket_created: 'bg-success',
  reply_threaded: 'bg-success',
  quarantined: 'bg-warning text-dark',
  discarded: 'bg-dark',
};
const StateBadge = ({ state }: { state: InboundState }) => <span class={`badge ${stateClass[state]}`}>{t(`helpdesk.mail.state.${state}`)}</span>;

const senderText = (row: InboundRow) => (row.from_address ? (row.from_name ? `${row.from_name} <${row.from_address}>` : row.from_address) : t('helpdesk.mail.noSender'));
const subjectText = (row: InboundRow) => row.subject || t('helpdesk.mail.noSubject');
const sizeText = (bytes: number) => (bytes < 1024 * 1024 ? `${formatNumber(Math.ceil(bytes / 1024))} kB` : `${formatNumber(Math.round(bytes / 1024 / 102.4) / 10)} MB`);

const Query = Type.Object({ stato: Type.Optional(Type.String({ maxLength: 20 })), pagina: Type.Optional(Type.String({ maxLength: 6 })), esito: Type.Optional(Type.String({ maxLength: 40 })) });
const IdParams = Type.Object({ id: Type.String({ maxLength: 100 }) });
const ActionBody = Type.Object(
  { ente: Type.Optional(Type.String({ maxLength: 100 })), ticket: Type.Optional(Type.String({ maxLength: 30 })), reason: Type.Optional(Type.String({ maxLength: 5000 })), _csrf: Type.Optional(Type.String()) },
  { additionalProperties: true },
);

type Feedback = { form: 'create' | 'reply' | 'discard'; message: string; values: Record<string, string> };

function Texts({ text }: { text: string }) {
  return (
    <>
      {text.split(/\n{2,}/).map((paragraph) => (
        <p class="mb-2">
          {paragraph.split('\n').map((line, i) => (
            <>
              {i > 0 ? <br /> : null}
              {line}
            </>
          ))}
        </p>
      ))}
    </>
  );
}

function EnteSelect({ id, enti, selected }: { id: string; enti: Ente[]; selected: string | undefined }) {
  return (
    <div class="select-wrapper mb-3">
      <label for={id}>{t('helpdesk.mail.action.ente')}</label>
      <select id={id} name="ente" required>
        {enti.map((e) => (
          <option value={e.slug} selected={e.slug === selected}>
            {e.name}
          </option>
        ))}
      </select>
    </div>
  );
}

function Actions({ row, enti, csrf, feedback, suggested }: { row: InboundRow; enti: Ente[]; csrf: string; feedback: Feedback | undefined; suggested: string | undefined }) {
  const error = (form: Feedback['form']) => (feedback?.form === form ? <ErrorAlert id={`errore-${form}`}>{feedback.message}</ErrorAlert> : null);
  const value = (form: Feedback['form'], name: string, fallback = '') => (feedback?.form === form ? (feedback.values[name] ?? fallback) : fallback);
  return (
    <section aria-labelledby="smista" class="mb-5">
      <h2 id="smista" class="h4">
        {t('helpdesk.mail.action.title')}
      </h2>
      <div class="row g-4">
        <div class="col-lg-6">
          <form method="post" action={`${messagePath(row.id)}/ticket`} class="border rounded p-3 h-100">
            <h3 class="h5">{t('helpdesk.mail.action.create.title')}</h3>
            {error('create')}
            <CsrfField token={csrf} />
            <EnteSelect id="ticket-ente" enti={enti} selected={value('create', 'ente', suggested)} />
            <p class="small">{t('helpdesk.mail.action.create.help')}</p>
            <button type="submit" class="btn btn-primary">
              {t('helpdesk.mail.action.create.submit')}
            </button>
          </form>
        </div>
        <div class="col-lg-6">
          <form method="post" action={`${messagePath(row.id)}/risposta`} class="border rounded p-3 h-100">
            <h3 class="h5">{t('helpdesk.mail.action.reply.title')}</h3>
            {error('reply')}
            <CsrfField token={csrf} />
            <EnteSelect id="risposta-ente" enti={enti} selected={value('reply', 'ente', suggested)} />
            <div class="form-group mb-3">
              <label for="risposta-ticket" class="active">
                {t('helpdesk.mail.action.reply.ticket')}
              </label>
              <input type="text" id="risposta-ticket" name="ticket" required pattern="\s*\d{1,9}\s*/\s*\d{4}\s*" maxLength={30} class="form-control" value={value('reply', 'ticket')} aria-describedby="risposta-help" />
            </div>
            <p class="small" id="risposta-help">
              {t('helpdesk.mail.action.reply.help')}
            </p>
            <button type="submit" class="btn btn-primary">
              {t('helpdesk.mail.action.reply.submit')}
            </button>
          </form>
        </div>
        {row.state === 'quarantined' ? (
          <div class="col-12">
            <form method="post" action={`${messagePath(row.id)}/scarta`} class="border rounded p-3">
              <h3 class="h5">{t('helpdesk.mail.action.discard.title')}</h3>
              {error('discard')}
              <CsrfField token={csrf} />
              <div class="form-group mb-3">
                <label for="scarta-motivo" class="active">
                  {t('helpdesk.mail.action.discard.reason')}
                </label>
                <textarea id="scarta-motivo" name="reason" rows={2} required minLength={3} maxLength={1000} class="form-control" aria-describedby="scarta-help">
                  {value('discard', 'reason')}
                </textarea>
              </div>
              <p class="small" id="scarta-help">
                {t('helpdesk.mail.action.discard.help')}
              </p>
              <button type="submit" class="btn btn-outline-danger">
                {t('helpdesk.mail.action.discard.submit')}
              </button>
            </form>
          </div>
        ) : null}
      </div>
    </section>
  );
}

async function renderMessage(request: FastifyRequest, reply: FastifyReply, platform: Platform, cst: Ente, id: string, feedback?: Feedback, status = 200) {
  const row = UUID.test(id) ? await inboundMessage(platform, cst, id) : undefined;
  if (!row) throw notFound('Messaggio inesistente');
  const mail = await readInbound(platform, cst, row);
  const ticketEnte = row.ticket_ente_id ? await getEnteById(platform.db.app, row.ticket_ente_id) : undefined;
  const actionable = row.state === 'quarantined' || row.state === 'discarded';
  const enti = actionable ? (await listEnti(platform.db.app, { limit: 10_000, offset: 0 })).items : [];
  const suggested = row.envelope_to.map((r) => slugOfRecipient(r, mailboxOf(platform))).find((s): s is string => typeof s === 'string');
  const esito = (request.query as { esito?: string }).esito;
  const title = t('helpdesk.mail.detail.title', { subject: subjectText(row) });
  const text = mail?.text ?? '';
  return sendPage(
    reply,
    <PageLayout request={request} title={title} crumbs={[deskCrumb, { label: t('helpdesk.mail.title'), href: mailPath }, { label: subjectText(row) }]}>
      <h1 class="h2">{title}</h1>
      {esito && ['ticket', 'risposta', 'scartato'].includes(esito) ? (
        <div class="alert alert-success" role="status">
          {t(`helpdesk.mail.esito.${esito}`, { label: row.ticket_label ?? '' })}
        </div>
      ) : null}
      {feedback && !actionable ? <ErrorAlert>{feedback.message}</ErrorAlert> : null}
      <dl class="row">
        <dt class="col-sm-3">{t('helpdesk.mail.col.receivedAt')}</dt>
        <dd class="col-sm-9">{formatDateTime(row.received_at)}</dd>
        <dt class="col-sm-3">{t('helpdesk.mail.col.from')}</dt>
        <dd class="col-sm-9">{senderText(row)}</dd>
        <dt class="col-sm-3">{t('helpdesk.mail.detail.recipients')}</dt>
        <dd class="col-sm-9">{row.envelope_to.join(', ')}</dd>
        <dt class="col-sm-3">{t('helpdesk.mail.col.state')}</dt>
        <dd class="col-sm-9">
          <StateBadge state={row.state} />
          {row.handled_at && row.state !== 'received' ? <span class="ms-2 small">{t('helpdesk.mail.detail.handled', { date: formatDateTime(row.handled_at), who: row.handled_by ?? '' })}</span> : null}
        </dd>
        {row.reason ? (
          <>
            <dt class="col-sm-3">{t('helpdesk.mail.col.reason')}</dt>
            <dd class="col-sm-9">{row.reason}</dd>
          </>
        ) : null}
        {row.ticket_id && ticketEnte ? (
          <>
            <dt class="col-sm-3">{t('helpdesk.mail.detail.ticket')}</dt>
            <dd class="col-sm-9">
              <a href={deskTicketPath(ticketEnte.slug, row.ticket_id)}>
                {row.ticket_label} · {ticketEnte.name}
              </a>
            </dd>
          </>
        ) : null}
        <dt class="col-sm-3">{t('helpdesk.mail.detail.size')}</dt>
        <dd class="col-sm-9">{sizeText(row.size_bytes)}</dd>
        <dt class="col-sm-3">{t('helpdesk.mail.detail.messageId')}</dt>
        <dd class="col-sm-9 text-break">{row.message_id}</dd>
      </dl>
      <p>
        <a href={`${messagePath(row.id)}/messaggio.eml`} class="btn btn-outline-primary">
          {t('helpdesk.mail.detail.download')}
        </a>
      </p>
      <section aria-labelledby="testo" class="mb-4">
        <h2 id="testo" class="h4">
          {t('helpdesk.mail.detail.text')}
        </h2>
        <div class="border rounded p-3 text-break">
          {!mail ? <p class="mb-0">{t('helpdesk.mail.detail.unreadable')}</p> : text ? <Texts text={text.slice(0, PREVIEW_CHARS)} /> : <p class="mb-0">{t('helpdesk.mail.detail.noText')}</p>}
          {text.length > PREVIEW_CHARS ? <p class="small mb-0">{t('helpdesk.mail.detail.textTruncated')}</p> : null}
        </div>
      </section>
      {mail && mail.attachments.length > 0 ? (
        <section aria-labelledby="allegati" class="mb-4">
          <h2 id="allegati" class="h4">
            {t('helpdesk.mail.detail.attachments')}
          </h2>
          <ul>
            {mail.attachments.map((a) => (
              <li>
                {a.fileName} ({a.mediaType}, {sizeText(a.bytes.length)})
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      {actionable ? <Actions row={row} enti={enti} csrf={csrfToken(request, reply)} feedback={feedback} suggested={suggested} /> : null}
      <p>
        <a href={mailPath}>{t('helpdesk.mail.detail.back')}</a>
      </p>
    </PageLayout>,
    status,
  );
}

export function registerMailPages(app: App, platform: Platform): void {
  app.get(mailPath, { schema: { hide: true, querystring: Query } }, async (request, reply) => {
    const g = await deskGuard(request, reply, platform);
    if (!g) return reply;
    const all = request.query.stato === 'tutti';
    const page = pageNumber(request.query.pagina);
    const list = await inboundList(platform, g.cst, { states: all ? undefined : ['quarantined'], limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE });
    const title = t('helpdesk.mail.title');
    return sendPage(
      reply,
      <PageLayout request={request} title={title} crumbs={[deskCrumb, { label: title }]}>
        <h1 class="h2">{title}</h1>
        <p class="lead">{t('helpdesk.mail.intro')}</p>
        <nav aria-label={t('helpdesk.mail.filter.label')} class="mb-3">
          <ul class="nav nav-tabs">
            <li class="nav-item">
              <a class={`nav-link${all ? '' : ' active'}`} href={mailPath} aria-current={all ? undefined : 'page'}>
                {t('helpdesk.mail.filter.quarantined')}
              </a>
            </li>
            <li class="nav-item">
              <a class={`nav-link${all ? ' active' : ''}`} href={`${mailPath}?stato=tutti`} aria-current={all ? 'page' : undefined}>
                {t('helpdesk.mail.filter.all')}
              </a>
            </li>
          </ul>
        </nav>
        {list.items.length === 0 ? (
          <p>{t(all ? 'helpdesk.mail.noneAll' : 'helpdesk.mail.none')}</p>
        ) : (
          <div class="table-responsive">
            <table class="table align-middle">
              <caption>{t('helpdesk.mail.caption', { count: formatNumber(list.total) })}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('helpdesk.mail.col.receivedAt')}</th>
                  <th scope="col">{t('helpdesk.mail.col.from')}</th>
                  <th scope="col">{t('helpdesk.mail.col.subject')}</th>
                  <th scope="col">{t('helpdesk.mail.col.state')}</th>
                  <th scope="col">{t('helpdesk.mail.col.reason')}</th>
                </tr>
              </thead>
              <tbody>
                {list.items.map((row) => (
                  <tr>
                    <td>{formatDateTime(row.received_at)}</td>
                    <td class="text-break">{senderText(row)}</td>
                    <th scope="row">
                      <a href={messagePath(row.id)}>{subjectText(row)}</a>
                    </th>
                    <td>
                      <StateBadge state={row.state} />
                    </td>
                    <td>{row.reason ?? ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <Pagination total={list.total} pageSize={PAGE_SIZE} page={page} href={(p) => `${mailPath}${queryString({ stato: all ? 'tutti' : undefined, pagina: p })}`} />
      </PageLayout>,
    );
  });

  app.get(`${mailPath}/:id`, { schema: { hide: true, params: IdParams, querystring: Query } }, async (request, reply) => {
    const g = await deskGuard(request, reply, platform);
    if (!g) return reply;
    return renderMessage(request, reply, platform, g.cst, request.params.id);
  });

  app.get(`${mailPath}/:id/messaggio.eml`, { schema: { hide: true, params: IdParams } }, async (request, reply) => {
    const g = await deskGuard(request, reply, platform);
    if (!g) return reply;
    const row = UUID.test(request.params.id) ? await inboundMessage(platform, g.cst, request.params.id) : undefined;
    const file = row ? await rawOf(platform, g.cst, row).catch(() => undefined) : undefined;
    if (!row || !file) throw notFound('Messaggio inesistente');
    return sendPrivateFile(reply, { name: `messaggio-${row.received_at.toISOString().slice(0, 10)}.eml`, mediaType: 'message/rfc822', bytes: file });
  });

  /** Runs a desk action; a refusal comes back on the page next to its form. */
  function action(form: Feedback['form'], run: (ctx: { request: FastifyRequest; platform: Platform; cst: Ente; id: string; body: Record<string, string> }) => Promise<string>) {
    return async (request: FastifyRequest<{ Params: { id: string }; Body: Record<string, string | undefined> }>, reply: FastifyReply) => {
      const g = await deskGuard(request, reply, platform);
      if (!g) return reply;
      const id = request.params.id;
      if (!UUID.test(id)) throw notFound('Messaggio inesistente');
      const body = Object.fromEntries(Object.entries(request.body ?? {}).filter(([k, v]) => k !== '_csrf' && typeof v === 'string').map(([k, v]) => [k, (v as string).trim()]));
      try {
        const esito = await run({ request, platform, cst: g.cst, id, body });
        return reply.redirect(`${messagePath(id)}?esito=${esito}`, 303);
      } catch (err) {
        if (!isFormProblem(err)) throw err;
        return renderMessage(request, reply, platform, g.cst, id, { form, message: problemMessage(err), values: body }, err.status);
      }
    };
  }

  const route = { schema: { hide: true, params: IdParams, body: ActionBody } };
  app.post(
    `${mailPath}/:id/ticket`,
    route,
    action('create', async ({ request, cst, id, body }) => {
      await createTicketFromInbound(platform, actorOf(request), cst, id, await findEnte(platform, body.ente ?? ''));
      return 'ticket';
    }),
  );
  app.post(
    `${mailPath}/:id/risposta`,
    route,
    action('reply', async ({ request, cst, id, body }) => {
      await replyFromInbound(platform, actorOf(request), cst, id, await findEnte(platform, body.ente ?? ''), body.ticket ?? '');
      return 'risposta';
    }),
  );
  app.post(
    `${mailPath}/:id/scarta`,
    route,
    action('discard', async ({ request, cst, id, body }) => {
      await discardInbound(platform, actorOf(request), cst, id, body.reason ?? '');
      return 'scartato';
    }),
  );
}
