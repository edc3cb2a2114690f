// Publication requests between enti (/backoffice/enti/{slug}/albo/richieste): the requests other bodies sent
// to this ente's albo (accept → a draft of this albo; reject with a reason), the requests this ente sent to
// other albi with their outcome and certificate, and the form of a new request (…/richieste/nuova). A union or
// comunità montana publishes through its seat comune or its member comuni, which the form offers first.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { actorOf, can, csrfToken } from '../../../platform/auth/index.js';
import { withEnte } from '../../../platform/db/index.js';
import type { App } from '../../../platform/http/app.js';
import { notFound, unprocessable } from '../../../platform/http/problem.js';
import type { Platform } from '../../../platform/platform.js';
import { formatDate, t } from '../../../platform/views/i18n/index.js';
import { CsrfField } from '../../../platform/views/layout.js';
import { getEnteById, getEnteBySlug, listEnti, membersOf, todayInRome, type Ente } from '../../../platform/tenancy/index.js';
import { certificateForRequester } from '../referto.js';
import { acceptRequest, rejectRequest, requestPublication, requestsForTarget, requestsOfRequester, type RequestView } from '../requests.js';
import { actTypes } from '../service.js';
import { AlboLayout, ErrorAlert, Outcome, alboPath, canPublish, contentDisposition, fieldsOf, formatDateTime, guard, isFormProblem, problemMessage, requireMultipart, sendPage, type Guarded } from './common.js';
import { ActFields, FileFields, draftInput, uploadedFiles, type ActType, type FormValues } from './form.js';
import { sendPrivateFile } from '../../../platform/http/download.js';

const statusBadge: Record<RequestView['status'], string> = { pending: 'bg-warning text-dark', published: 'bg-success', rejected: 'bg-danger' };

function RequestStatus({ status }: { status: RequestView['status'] }) {
  return <span class={`badge ${statusBadge[status]}`}>{t(`noticeboard.bo.request.status.${status}`)}</span>;
}

const typeName = (types: ActType[], code: string) => types.find((x) => x.code === code)?.name ?? code;

interface IncomingFeedback {
  esito?: string | undefined;
  error?: { requestId: number; message: string; values: Record<string, string> };
}

function IncomingSection({ g, requests, types, csrf, feedback }: { g: Guarded; requests: RequestView[]; types: ActType[]; csrf: string; feedback: IncomingFeedback }) {
  const base = alboPath(g.ente.slug);
  const publisher = canPublish(g);
  return (
    <section aria-labelledby="ricevute" class="mb-5">
      <h2 id="ricevute" class="h4">
        {t('noticeboard.bo.request.incoming')}
      </h2>
      {requests.length === 0 ? (
        <p>{t('noticeboard.bo.request.incoming.none')}</p>
      ) : (
        <ul class="list-unstyled">
          {requests.map((r) => {
            const error = feedback.error?.requestId === r.id ? feedback.error : undefined;
            return (
              <li class="border rounded p-3 mb-3" id={`richiesta-${r.id}`}>
                <h3 class="h5">
                  {r.subject} <RequestStatus status={r.status} />
                </h3>
                <dl class="row mb-2">
                  <dt class="col-sm-3">{t('noticeboard.bo.request.from')}</dt>
                  <dd class="col-sm-9">{r.requesterName}</dd>
                  <dt class="col-sm-3">{t('noticeboard.bo.request.sentAt')}</dt>
                  <dd class="col-sm-9">{formatDateTime(r.createdAt)}</dd>
                  <dt class="col-sm-3">{t('noticeboard.bo.col.type')}</dt>
                  <dd class="col-sm-9">
                    {typeName(types, r.actType)} · {t('noticeboard.bo.detail.daysValue', { days: r.days })}
                  </dd>
                  <dt class="col-sm-3">{t('noticeboard.bo.form.office')}</dt>
                  <dd class="col-sm-9">
                    {r.office}
                    {r.actNumber ? ` · ${t('noticeboard.bo.detail.actNumber', { number: r.actNumber })}` : ''}
                    {r.actDate ? ` ${t('noticeboard.bo.detail.actDate', { date: formatDate(r.actDate) })}` : ''}
                  </dd>
                  <dt class="col-sm-3">{t('noticeboard.bo.detail.documents')}</dt>
                  <dd class="col-sm-9">
                    <ul class="list-unstyled mb-0">
                      {r.documents.map((d) => (
                        <li>
                          <a href={`${base}/richieste/${r.id}/documenti/${d.sha256}`}>
                            <span class="visually-hidden">{t('noticeboard.bo.detail.doc.downloadLink')} </span>
                            {d.title}
                          </a>
                        </li>
                      ))}
                    </ul>
                  </dd>
                  {r.rejectionReason ? (
                    <>
                      <dt class="col-sm-3">{t('noticeboard.bo.request.rejectionReason')}</dt>
                      <dd class="col-sm-9">{r.rejectionReason}</dd>
                    </>
                  ) : null}
                </dl>
                {r.noticeId ? (
                  <p>
                    <a href={`${base}/${r.noticeId}`}>{t('noticeboard.bo.request.openAct')}</a>
                  </p>
                ) : null}
                {error ? <ErrorAlert id={`errore-${r.id}`}>{error.message}</ErrorAlert> : null}
                {publisher && r.status === 'pending' ? (
                  <div class="row g-3">
                    <div class="col-md-4">
                      <form method="post" action={`${base}/richieste/${r.id}/accetta`}>
                        <CsrfField token={csrf} />
                        <button type="submit" class="btn btn-primary">
                          {t('noticeboard.bo.request.accept')}
                          <span class="visually-hidden"> · {r.subject}</span>
                        </button>
                        <p class="small mt-2">{t('noticeboard.bo.request.accept.help')}</p>
                      </form>
                    </div>
                    <div class="col-md-8">
                      <form method="post" action={`${base}/richieste/${r.id}/rifiuta`}>
                        <CsrfField token={csrf} />
                        <label for={`rifiuta-${r.id}`} class="form-label">
                          {t('noticeboard.bo.request.rejectReason')}
                        </label>
                        <textarea id={`rifiuta-${r.id}`} name="reason" rows={2} required minLength={5} maxLength={2000} class="form-control mb-2">
                          {error?.values.reason ?? ''}
                        </textarea>
                        <button type="submit" class="btn btn-outline-danger">
                          {t('noticeboard.bo.request.reject')}
                          <span class="visually-hidden"> · {r.subject}</span>
                        </button>
                      </form>
                    </div>
                  </div>
                ) : null}
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}

function SentSection({ ente, requests, targets, canSend }: { ente: Ente; requests: RequestView[]; targets: Map<string, Ente>; canSend: boolean }) {
  const base = alboPath(ente.slug);
  return (
    <section aria-labelledby="inviate" class="mb-5">
      <h2 id="inviate" class="h4">
        {t('noticeboard.bo.request.sent')}
      </h2>
      {canSend ? (
        <p>
          <a class="btn btn-primary" href={`${base}/richieste/nuova`}>
            {t('noticeboard.bo.request.new')}
          </a>
        </p>
      ) : null}
      {requests.length === 0 ? (
        <p>{t('noticeboard.bo.request.sent.none')}</p>
      ) : (
        <div class="table-responsive">
          <table class="table align-middle">
            <caption>{t('noticeboard.bo.request.sent.caption', { name: ente.name })}</caption>
            <thead>
              <tr>
                <th scope="col">{t('noticeboard.bo.request.col.sentAt')}</th>
                <th scope="col">{t('noticeboard.bo.request.col.target')}</th>
                <th scope="col">{t('noticeboard.bo.col.subject')}</th>
                <th scope="col">{t('noticeboard.bo.col.state')}</th>
                <th scope="col">{t('noticeboard.bo.request.col.certificate')}</th>
              </tr>
            </thead>
            <tbody>
              {requests.map((r) => (
                <tr>
                  <th scope="row">{formatDateTime(r.createdAt)}</th>
                  <td>{targets.get(r.targetEnteId)?.name ?? ''}</td>
                  <td>
                    {r.subject}
                    {r.rejectionReason ? <span class="d-block small">{t('noticeboard.bo.request.rejectedBecause', { reason: r.rejectionReason })}</span> : null}
                  </td>
                  <td>
                    <RequestStatus status={r.status} />
                  </td>
                  <td>
                    {r.status === 'published' ? (
                      <a href={`${base}/richieste/${r.id}/referto.pdf`}>
                        {t('noticeboard.bo.request.certificate')}
                        <span class="visually-hidden"> · {r.subject}</span>
                      </a>
                    ) : (
                      ''
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

async function renderRequests(request: FastifyRequest, reply: FastifyReply, platform: Platform, g: Guarded, feedback: IncomingFeedback, status = 200) {
  const { ente } = g;
  const [incoming, sent, types] = await Promise.all([requestsForTarget(platform, ente.id), requestsOfRequester(platform, actorOf(request), ente.id), actTypes(platform.db.app)]);
  const targetIds = [...new Set(sent.map((r) => r.targetEnteId))];
  const targets = new Map((await Promise.all(targetIds.map((id) => getEnteById(platform.db.app, id)))).filter((e): e is Ente => !!e).map((e) => [e.id, e]));
  const title = t('noticeboard.bo.request.title');
  return sendPage(
    reply,
    <AlboLayout request={request} ente={ente} title={title} crumbs={[{ label: title }]}>
      <h1>{title}</h1>
      <p>{t('noticeboard.bo.request.intro')}</p>
      <Outcome esito={feedback.esito} />
      <IncomingSection g={g} requests={incoming} types={types} csrf={csrfToken(request, reply)} feedback={feedback} />
      <SentSection ente={ente} requests={sent} targets={targets} canSend={can(g.staff, ente.id, 'noticeboard.request')} />
      <p>
        <a href={alboPath(ente.slug)}>{t('noticeboard.bo.detail.back')}</a>
      </p>
    </AlboLayout>,
    status,
  );
}

/** Where this ente may send a request: a union's seat and members first, then every other ente. */
export async function targetsFor(platform: Platform, ente: Ente): Promise<{ own: Ente[]; others: Ente[]; preferred: string | null }> {
  const all = (await listEnti(platform.db.app, { limit: 5000, offset: 0 })).items.filter((e) => e.id !== ente.id);
  const grouped = ente.kind === 'unione' || ente.kind === 'comunita_montana';
  const members = grouped ? await membersOf(platform.db.app, ente.id) : [];
  const seat = ente.seatEnteId ? all.find((e) => e.id === ente.seatEnteId) : undefined;
  const own = [...(seat ? [seat] : []), ...members.filter((m) => m.id !== seat?.id && m.id !== ente.id)];
  const ownIds = new Set(own.map((e) => e.id));
  return { own, others: all.filter((e) => !ownIds.has(e.id)), preferred: seat?.slug ?? own[0]?.slug ?? null };
}

async function renderNewRequest(request: FastifyRequest, reply: FastifyReply, platform: Platform, g: Guarded, values: FormValues, error?: { message: string; status: number }) {
  const { ente } = g;
  const [types, targets] = await Promise.all([actTypes(platform.db.app), targetsFor(platform, ente)]);
  const title = t('noticeboard.bo.request.newTitle');
  const base = alboPath(ente.slug);
  const chosen = values.target ?? targets.preferred ?? '';
  return sendPage(
    reply,
    <AlboLayout request={request} ente={ente} title={title} crumbs={[{ label: t('noticeboard.bo.request.title'), href: `${base}/richieste` }, { label: title }]}>
      <h1>{title}</h1>
      <p>{t('noticeboard.bo.request.newIntro', { name: ente.name })}</p>
      {error ? (
        <ErrorAlert>
          {error.message} {t('noticeboard.bo.form.filesAgain')}
        </ErrorAlert>
      ) : null}
      <form method="post" action={`${base}/richieste/nuova`} enctype="multipart/form-data" class="mb-5">
        <CsrfField token={csrfToken(request, reply)} />
        <div class="mb-3">
          <label for="richiesta-destinatario" class="form-label">
            {t('noticeboard.bo.request.target')}
          </label>
          <select id="richiesta-destinatario" name="target" required class="form-select" aria-describedby="richiesta-destinatario-aiuto">
            <option value="">{t('noticeboard.bo.request.target.choose')}</option>
            {targets.own.length > 0 ? (
              <optgroup label={t(ente.kind === 'comune' || ente.kind === 'provincia' ? 'noticeboard.bo.request.target.own' : 'noticeboard.bo.request.target.members')}>
                {targets.own.map((e) => (
                  <option value={e.slug} selected={chosen === e.slug}>
                    {e.id === ente.seatEnteId ? t('noticeboard.bo.request.target.seat', { name: e.name }) : e.name}
                  </option>
                ))}
              </optgroup>
            ) : null}
            <optgroup label={t('noticeboard.bo.request.target.others')}>
              {targets.others.map((e) => (
                <option value={e.slug} selected={chosen === e.slug}>
                  {e.name}
                </option>
              ))}
            </optgroup>
          </select>
          <div id="richiesta-destinatario-aiuto" class="form-text">
            {t('noticeboard.bo.request.target.help')}
          </div>
        </div>
        <ActFields types={types} values={values} today={todayInRome()} withRequester={false} />
        <FileFields prefix="richiesta" />
        <div class="d-flex flex-wrap gap-2">
          <button type="submit" class="btn btn-primary">
            {t('noticeboard.bo.request.send')}
          </button>
          <a class="btn btn-outline-secondary" href={`${base}/richieste`}>
            {t('noticeboard.bo.form.cancel')}
          </a>
        </div>
      </form>
    </AlboLayout>,
    error?.status ?? 200,
  );
}

const SlugParams = Type.Object({ slug: Type.String({ maxLength: 200 }) });
const RequestParams = Type.Object({ slug: Type.String({ maxLength: 200 }), requestId: Type.String({ maxLength: 12 }) });
const requestIdOf = (value: string) => {
  if (!/^\d{1,12}$/.test(value)) throw notFound(t('noticeboard.bo.request.notFound'));
  return Number(value);
};

export function registerRequestPages(app: App, platform: Platform) {
  app.get('/backoffice/enti/:slug/albo/richieste', { schema: { hide: true, params: SlugParams, querystring: Type.Object({ esito: Type.Optional(Type.String({ maxLength: 40 })) }) } }, async (request, reply) => {
    const g = await guard(request, reply, platform, request.params.slug, 'noticeboard.read');
    if (!g) return reply;
    return renderRequests(request, reply, platform, g, { esito: request.query.esito });
  });

  app.get('/backoffice/enti/:slug/albo/richieste/nuova', { schema: { hide: true, params: SlugParams } }, async (request, reply) => {
    const g = await guard(request, reply, platform, request.params.slug, 'noticeboard.request');
    if (!g) return reply;
    return renderNewRequest(request, reply, platform, g, {});
  });

  app.post('/backoffice/enti/:slug/albo/richieste/nuova', { schema: { hide: true, params: SlugParams } }, async (request, reply) => {
    const g = await guard(request, reply, platform, request.params.slug, 'noticeboard.request');
    if (!g) return reply;
    const fields = fieldsOf(request.body);
    try {
      requireMultipart(request);
      const target = fields.target && /^[a-z0-9-]{1,100}$/.test(fields.target) ? await getEnteBySlug(platform.db.app, fields.target) : undefined;
      if (!target) throw unprocessable(t('noticeboard.bo.request.targetMissing'));
      const input = draftInput(fields, todayInRome());
      await requestPublication(platform, actorOf(request), g.ente.id, target.id, { ...input, requesterName: null }, uploadedFiles(request.body));
      return reply.redirect(`${alboPath(g.ente.slug)}/richieste?esito=richiesta-inviata`, 303);
    } catch (err) {
      if (!isFormProblem(err)) throw err;
      return renderNewRequest(request, reply, platform, g, fields, { message: problemMessage(err), status: err.status });
    }
  });

  app.post('/backoffice/enti/:slug/albo/richieste/:requestId/accetta', { schema: { hide: true, params: RequestParams } }, async (request, reply) => {
    const g = await guard(request, reply, platform, request.params.slug, 'noticeboard.publish');
    if (!g) return reply;
    const id = requestIdOf(request.params.requestId);
    try {
      const draftId = await acceptRequest(platform, actorOf(request), g.ente.id, id);
      return reply.redirect(`${alboPath(g.ente.slug)}/${draftId}?esito=richiesta-accettata`, 303);
    } catch (err) {
      if (!isFormProblem(err) || err.status === 404) throw err;
      return renderRequests(request, reply, platform, g, { error: { requestId: id, message: problemMessage(err), values: {} } }, err.status);
    }
  });

  app.post('/backoffice/enti/:slug/albo/richieste/:requestId/rifiuta', { schema: { hide: true, params: RequestParams } }, async (request, reply) => {
    const g = await guard(request, reply, platform, request.params.slug, 'noticeboard.publish');
    if (!g) return reply;
    const id = requestIdOf(request.params.requestId);
    const fields = fieldsOf(request.body);
    try {
      await rejectRequest(platform, actorOf(request), g.ente.id, id, fields.reason ?? '');
      return reply.redirect(`${alboPath(g.ente.slug)}/richieste?esito=richiesta-rifiutata`, 303);
    } catch (err) {
      if (!isFormProblem(err) || err.status === 404) throw err;
      return renderRequests(request, reply, platform, g, { error: { requestId: id, message: problemMessage(err), values: fields } }, err.status);
    }
  });

  /** A document of a request addressed to this albo (stored for this ente when the request was filed). */
  app.get(
    '/backoffice/enti/:slug/albo/richieste/:requestId/documenti/:sha',
    { schema: { hide: true, params: Type.Object({ slug: Type.String({ maxLength: 200 }), requestId: Type.String({ maxLength: 12 }), sha: Type.String({ maxLength: 64 }) }) } },
    async (request, reply) => {
      const g = await guard(request, reply, platform, request.params.slug, 'noticeboard.read');
      if (!g) return reply;
      const id = requestIdOf(request.params.requestId);
      const found = (await requestsForTarget(platform, g.ente.id)).find((r) => r.id === id);
      const document = found?.documents.find((d) => d.sha256 === request.params.sha);
      const file = document ? await withEnte(platform.db.app, g.ente.id, (trx) => platform.files.get(trx, document.sha256)) : undefined;
      if (!document || !file) throw notFound(t('noticeboard.bo.detail.docNotFound'));
      return sendPrivateFile(reply, { name: document.originalName, mediaType: document.mediaType, bytes: file.bytes });
    },
  );

  /** The certificate of a request this ente sent, once the target published it. */
  app.get('/backoffice/enti/:slug/albo/richieste/:requestId/referto.pdf', { schema: { hide: true, params: RequestParams } }, async (request, reply) => {
    const g = await guard(request, reply, platform, request.params.slug, 'noticeboard.read');
    if (!g) return reply;
    const id = requestIdOf(request.params.requestId);
    const { pdf, draft } = await certificateForRequester(platform, actorOf(request), g.ente.id, id);
    return reply
      .header('cache-control', 'no-store')
      .header('content-disposition', contentDisposition('attachment', `referto-richiesta-${id}${draft ? '-provvisorio' : ''}.pdf`))
      .type('application/pdf')
      .send(pdf);
  });
}
