// The page of one act for the staff (/backoffice/enti/{slug}/albo/{id}): its data, documents, state, period and
// extensions; for a draft the personal-data findings, publication (with the confirmation when there are
// findings), a redacted copy of the documents, deletion; for a published act annulment, correction and the
// certificate of publication (referto). A refused write re-renders the page with the message and the input.
import type { ComponentChildren } from 'preact';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { actorOf, csrfToken } from '../../../platform/auth/index.js';
import type { App } from '../../../platform/http/app.js';
import { notFound } from '../../../platform/http/problem.js';
import type { Platform } from '../../../platform/platform.js';
import { formatDate, formatNumber, t } from '../../../platform/views/i18n/index.js';
import { CsrfField } from '../../../platform/views/layout.js';
import type { Ente } from '../../../platform/tenancy/index.js';
import { summarizeFindings } from '../privacy.js';
import { certificatePdf } from '../referto.js';
import { annul, deleteDraft, extensionsOf, publish, replaceDraftDocuments, staffDetail, staffDocument, type NoticeView } from '../service.js';
import {
  AlboLayout,
  ErrorAlert,
  Outcome,
  StateBadges,
  UUID,
  alboPath,
  canPublish,
  contentDisposition,
  fieldsOf,
  formatDateTime,
  guard,
  isFormProblem,
  periodText,
  problemMessage,
  requireMultipart,
  sendPage,
  type Guarded,
} from './common.js';
import { FileFields, uploadedFiles } from './form.js';
import { sendPrivateFile } from '../../../platform/http/download.js';

type FormName = 'publish' | 'replace' | 'delete' | 'annul';

interface Feedback {
  esito?: string | undefined;
  error?: { form: FormName; message: string; values: Record<string, string> };
}

type Extension = Awaited<ReturnType<typeof extensionsOf>>[number];

const sizeText = (bytes: number) => (bytes >= 1024 * 1024 ? `${formatNumber(Math.round((bytes / 1024 / 1024) * 10) / 10)} MB` : `${formatNumber(Math.max(1, Math.round(bytes / 1024)))} kB`);

function Row({ label, children }: { label: string; children: ComponentChildren }) {
  return (
    <>
      <dt class="col-sm-4">{label}</dt>
      <dd class="col-sm-8">{children}</dd>
    </>
  );
}

function DataSection({ view, base }: { view: NoticeView; base: string }) {
  return (
    <section aria-labelledby="dati" class="mb-5">
      <h2 id="dati" class="h4">
        {t('noticeboard.bo.detail.data')}
      </h2>
      <dl class="row">
        <Row label={t('noticeboard.bo.detail.state')}>
          <StateBadges view={view} />
        </Row>
        <Row label={t('noticeboard.bo.detail.register')}>{view.register ? view.register.label : t('noticeboard.bo.detail.noNumber')}</Row>
        <Row label={t('noticeboard.bo.col.type')}>{view.actType.name}</Row>
        <Row label={t('noticeboard.bo.col.subject')}>{view.subject}</Row>
        <Row label={t('noticeboard.bo.form.office')}>{view.office}</Row>
        {view.actNumber || view.actDate ? (
          <Row label={t('noticeboard.bo.detail.act')}>
            {[view.actNumber ? t('noticeboard.bo.detail.actNumber', { number: view.actNumber }) : '', view.actDate ? t('noticeboard.bo.detail.actDate', { date: formatDate(view.actDate) }) : ''].filter(Boolean).join(' ')}
          </Row>
        ) : null}
        {view.requester ? <Row label={t('noticeboard.bo.detail.requester')}>{view.requester.name}</Row> : null}
        <Row label={t('noticeboard.bo.col.period')}>{periodText(view)}</Row>
        {view.status === 'draft' ? <Row label={t('noticeboard.bo.detail.days')}>{t('noticeboard.bo.detail.daysValue', { days: view.days })}</Row> : null}
        {view.publishTo && view.extensionDays > 0 ? (
          <Row label={t('noticeboard.bo.detail.originalEnd')}>{formatDate(view.publishTo)}</Row>
        ) : null}
        {view.publishedAt ? <Row label={t('noticeboard.bo.detail.publishedAt')}>{formatDateTime(view.publishedAt)}</Row> : null}
        {view.privacyConfirmedBy ? <Row label={t('noticeboard.bo.detail.privacyConfirmed')}>{view.privacyConfirmedBy}</Row> : null}
        {view.annulment ? (
          <Row label={t('noticeboard.bo.detail.annulled')}>
            <strong>{t('noticeboard.bo.detail.annulledOn', { date: formatDate(view.annulment.on) })}</strong> {view.annulment.reason}
          </Row>
        ) : null}
        {view.corrects ? (
          <Row label={t('noticeboard.bo.detail.corrects')}>
            <a href={`${base}/${view.corrects.id}`}>{view.corrects.label ? t('noticeboard.bo.detail.actLabel', { label: view.corrects.label }) : t('noticeboard.bo.detail.original')}</a>
          </Row>
        ) : null}
        {view.correctedBy.length > 0 ? (
          <Row label={t('noticeboard.bo.detail.correctedBy')}>
            <ul class="list-unstyled mb-0">
              {view.correctedBy.map((c) => (
                <li>
                  <a href={`${base}/${c.id}`}>{t('noticeboard.bo.detail.actLabel', { label: c.label })}</a>
                </li>
              ))}
            </ul>
          </Row>
        ) : null}
      </dl>
    </section>
  );
}

function DocumentsSection({ view, base }: { view: NoticeView; base: string }) {
  return (
    <section aria-labelledby="documenti" class="mb-5">
      <h2 id="documenti" class="h4">
        {t('noticeboard.bo.detail.documents')}
      </h2>
      <div class="table-responsive">
        <table class="table align-middle">
          <caption>{t('noticeboard.bo.detail.documents.caption')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('noticeboard.bo.detail.doc.title')}</th>
              <th scope="col">{t('noticeboard.bo.detail.doc.role')}</th>
              <th scope="col">{t('noticeboard.bo.detail.doc.format')}</th>
              <th scope="col">{t('noticeboard.bo.detail.doc.size')}</th>
              <th scope="col">{t('noticeboard.bo.detail.doc.download')}</th>
            </tr>
          </thead>
          <tbody>
            {view.documents.map((d) => (
              <tr>
                <th scope="row">{d.title}</th>
                <td>{t(d.role === 'main' ? 'noticeboard.bo.detail.doc.main' : 'noticeboard.bo.detail.doc.attachment')}</td>
                <td>{t(d.mediaType === 'application/pdf' ? 'noticeboard.bo.detail.doc.pdf' : 'noticeboard.bo.detail.doc.p7m')}</td>
                <td>{sizeText(d.sizeBytes)}</td>
                <td>
                  <a href={`${base}/${view.id}/documenti/${d.sha256}`}>
                    {t('noticeboard.bo.detail.doc.downloadLink')}
                    <span class="visually-hidden"> {d.originalName}</span>
                  </a>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function ExtensionsSection({ extensions }: { extensions: Extension[] }) {
  if (extensions.length === 0) return null;
  return (
    <section aria-labelledby="proroghe" class="mb-5">
      <h2 id="proroghe" class="h4">
        {t('noticeboard.bo.detail.extensions')}
      </h2>
      <ul>
        {extensions.map((x) => (
          <li>
            {t(x.days === 1 ? 'noticeboard.bo.detail.extension.one' : 'noticeboard.bo.detail.extension.other', {
              days: x.days,
              from: formatDateTime(x.starts_at),
              to: formatDateTime(x.ends_at),
              reason: x.reason,
            })}
          </li>
        ))}
      </ul>
    </section>
  );
}

function PrivacySection({ view }: { view: NoticeView }) {
  const sentences = summarizeFindings(view.privacyFindings);
  if (sentences.length === 0) return null;
  return (
    <section aria-labelledby="dati-personali" class="mb-5">
      <h2 id="dati-personali" class="h4">
        {t('noticeboard.bo.privacy.title')}
      </h2>
      <div class={`alert ${view.status === 'draft' ? 'alert-warning' : 'alert-info'}`} id="dati-personali-elenco">
        <ul class="mb-0">
          {sentences.map((s) => (
            <li>{s}</li>
          ))}
        </ul>
      </div>
    </section>
  );
}

function DraftActions({ view, base, csrf, feedback }: { view: NoticeView; base: string; csrf: string; feedback: Feedback }) {
  const findings = view.privacyFindings.length > 0;
  return (
    <section aria-labelledby="pubblicazione" class="mb-5">
      <h2 id="pubblicazione" class="h4">
        {t('noticeboard.bo.publish.title')}
      </h2>
      <form method="post" action={`${base}/${view.id}/pubblica`} id="modulo-pubblica" class="border rounded p-3 mb-4">
        <CsrfField token={csrf} />
        <p id="pubblica-aiuto">{t('noticeboard.bo.publish.help', { days: view.days })}</p>
        {findings ? (
          <div class="form-check mb-3">
            <input type="checkbox" id="conferma-dati" name="confirmPrivacy" value="1" aria-describedby="dati-personali-elenco" checked={feedback.error?.form === 'publish' && feedback.error.values.confirmPrivacy === '1'} />
            <label for="conferma-dati">{t('noticeboard.bo.publish.confirm')}</label>
          </div>
        ) : null}
        <button type="submit" class="btn btn-primary" aria-describedby="pubblica-aiuto">
          {t('noticeboard.bo.publish.submit')}
        </button>
      </form>
      <form method="post" action={`${base}/${view.id}/documenti`} enctype="multipart/form-data" id="modulo-sostituisci" class="border rounded p-3 mb-4">
        <h3 class="h5">{t(findings ? 'noticeboard.bo.replace.titleRedacted' : 'noticeboard.bo.replace.title')}</h3>
        <p class="small">{t('noticeboard.bo.replace.help')}</p>
        <CsrfField token={csrf} />
        <FileFields prefix="sostituisci" mainLabel={t(findings ? 'noticeboard.bo.replace.mainRedacted' : 'noticeboard.bo.form.main')} />
        <button type="submit" class="btn btn-outline-primary">
          {t('noticeboard.bo.replace.submit')}
        </button>
      </form>
      <form method="post" action={`${base}/${view.id}/elimina`} id="modulo-elimina" class="border rounded p-3">
        <h3 class="h5">{t('noticeboard.bo.delete.title')}</h3>
        <p class="small">{t('noticeboard.bo.delete.help')}</p>
        <CsrfField token={csrf} />
        <button type="submit" class="btn btn-outline-danger">
          {t('noticeboard.bo.delete.submit')}
        </button>
      </form>
    </section>
  );
}

function PublishedActions({ view, base, csrf, feedback }: { view: NoticeView; base: string; csrf: string; feedback: Feedback }) {
  const reason = feedback.error?.form === 'annul' ? (feedback.error.values.reason ?? '') : '';
  return (
    <section aria-labelledby="azioni" class="mb-5">
      <h2 id="azioni" class="h4">
        {t('noticeboard.bo.actions.title')}
      </h2>
      <ul class="list-inline d-flex flex-wrap gap-2">
        <li class="list-inline-item">
          <a class="btn btn-outline-primary" href={`${base}/${view.id}/referto.pdf`}>
            {t('noticeboard.bo.actions.certificate')}
          </a>
        </li>
        <li class="list-inline-item">
          <a class="btn btn-outline-primary" href={`${base}/nuovo?rettifica=${view.id}`}>
            {t('noticeboard.bo.actions.correct')}
          </a>
        </li>
      </ul>
      <p class="small">{t('noticeboard.bo.actions.immutable')}</p>
      {view.annulment ? null : (
        <form method="post" action={`${base}/${view.id}/annulla`} id="modulo-annulla" class="border rounded p-3">
          <h3 class="h5">{t('noticeboard.bo.annul.title')}</h3>
          <p class="small" id="annulla-aiuto">
            {t('noticeboard.bo.annul.help')}
          </p>
          <CsrfField token={csrf} />
          <div class="mb-3">
            <label for="annulla-motivo" class="form-label">
              {t('noticeboard.bo.annul.reason')}
            </label>
            <textarea id="annulla-motivo" name="reason" rows={3} required minLength={5} maxLength={2000} class="form-control" aria-describedby="annulla-aiuto">
              {reason}
            </textarea>
          </div>
          <button type="submit" class="btn btn-danger">
            {t('noticeboard.bo.annul.submit')}
          </button>
        </form>
      )}
    </section>
  );
}

async function loadAct(platform: Platform, ente: Ente, id: string): Promise<NoticeView> {
  const view = UUID.test(id) ? await staffDetail(platform.db.app, ente.id, id) : undefined;
  if (!view) throw notFound(t('noticeboard.bo.detail.notFound'));
  return view;
}

async function renderDetail(request: FastifyRequest, reply: FastifyReply, platform: Platform, g: Guarded, view: NoticeView, feedback: Feedback, status = 200) {
  const { ente } = g;
  const base = alboPath(ente.slug);
  const extensions = await extensionsOf(platform.db.app, ente.id, view.id);
  const title = view.register ? t('noticeboard.bo.detail.title', { label: view.register.label }) : t('noticeboard.bo.detail.titleDraft');
  const csrf = csrfToken(request, reply);
  const publisher = canPublish(g);
  return sendPage(
    reply,
    <AlboLayout request={request} ente={ente} title={title} crumbs={[{ label: title }]}>
      <h1>{title}</h1>
      <p class="lead">{view.subject}</p>
      <Outcome esito={feedback.esito} vars={{ label: view.register?.label ?? '' }} />
      {feedback.error ? <ErrorAlert>{feedback.error.message}</ErrorAlert> : null}
      <DataSection view={view} base={base} />
      <PrivacySection view={view} />
      <DocumentsSection view={view} base={base} />
      <ExtensionsSection extensions={extensions} />
      {publisher && view.status === 'draft' ? <DraftActions view={view} base={base} csrf={csrf} feedback={feedback} /> : null}
      {publisher && view.status === 'published' ? <PublishedActions view={view} base={base} csrf={csrf} feedback={feedback} /> : null}
      {!publisher && view.status === 'published' ? (
        <p>
          <a class="btn btn-outline-primary" href={`${base}/${view.id}/referto.pdf`}>
            {t('noticeboard.bo.actions.certificate')}
          </a>
        </p>
      ) : null}
      <p>
        <a href={base}>{t('noticeboard.bo.detail.back')}</a>
      </p>
    </AlboLayout>,
    status,
  );
}

const IdParams = Type.Object({ slug: Type.String({ maxLength: 200 }), id: Type.String({ maxLength: 40 }) });

export function registerDetailPages(app: App, platform: Platform) {
  app.get('/backoffice/enti/:slug/albo/:id', { schema: { hide: true, params: IdParams, querystring: Type.Object({ esito: Type.Optional(Type.String({ maxLength: 40 })) }) } }, async (request, reply) => {
    const g = await guard(request, reply, platform, request.params.slug, 'noticeboard.read');
    if (!g) return reply;
    const view = await loadAct(platform, g.ente, request.params.id);
    return renderDetail(request, reply, platform, g, view, { esito: request.query.esito });
  });

  app.get(
    '/backoffice/enti/:slug/albo/:id/documenti/:sha',
    { schema: { hide: true, params: Type.Object({ slug: Type.String({ maxLength: 200 }), id: Type.String({ maxLength: 40 }), sha: Type.String({ maxLength: 64 }) }) } },
    async (request, reply) => {
      const g = await guard(request, reply, platform, request.params.slug, 'noticeboard.read');
      if (!g) return reply;
      const { id, sha } = request.params;
      const file = UUID.test(id) && /^[0-9a-f]{64}$/.test(sha) ? await staffDocument(platform, g.ente.id, id, sha) : undefined;
      if (!file) throw notFound(t('noticeboard.bo.detail.docNotFound'));
      return sendPrivateFile(reply, { name: file.originalName, mediaType: file.mediaType, bytes: file.bytes });
    },
  );

  app.get('/backoffice/enti/:slug/albo/:id/referto.pdf', { schema: { hide: true, params: IdParams } }, async (request, reply) => {
    const g = await guard(request, reply, platform, request.params.slug, 'noticeboard.read');
    if (!g) return reply;
    const view = await loadAct(platform, g.ente, request.params.id);
    if (!view.register) throw notFound(t('noticeboard.bo.detail.noCertificate'));
    const { pdf, draft } = await certificatePdf(platform, g.ente.id, view.id);
    const name = `referto-${g.ente.slug}-${view.register.number}-${view.register.year}${draft ? '-provvisorio' : ''}.pdf`;
    return reply.header('cache-control', 'no-store').header('content-disposition', contentDisposition('attachment', name)).type('application/pdf').send(pdf);
  });

  /** A write from the page of an act: permission, the service call, then back to the page (or the page with the message). */
  const actRoute = (suffix: string, form: FormName, run: (g: Guarded, view: NoticeView, fields: Record<string, string>, request: FastifyRequest) => Promise<string>) =>
    app.post(`/backoffice/enti/:slug/albo/:id/${suffix}`, { schema: { hide: true, params: IdParams } }, async (request, reply) => {
      const g = await guard(request, reply, platform, request.params.slug, 'noticeboard.publish');
      if (!g) return reply;
      const view = await loadAct(platform, g.ente, request.params.id);
      const fields = fieldsOf(request.body);
      try {
        const target = await run(g, view, fields, request);
        return reply.redirect(target, 303);
      } catch (err) {
        if (!isFormProblem(err)) throw err;
        const fresh = (await staffDetail(platform.db.app, g.ente.id, view.id)) ?? view;
        return renderDetail(request, reply, platform, g, fresh, { error: { form, message: problemMessage(err), values: fields } }, err.status);
      }
    });

  const base = (g: Guarded) => alboPath(g.ente.slug);

  actRoute('pubblica', 'publish', async (g, view, f, request) => {
    const published = await publish(platform, actorOf(request), g.ente.id, view.id, { confirmPrivacy: f.confirmPrivacy === '1' });
    return `${base(g)}/${published.id}?esito=pubblicato`;
  });

  actRoute('documenti', 'replace', async (g, view, _f, request) => {
    requireMultipart(request);
    const findings = await replaceDraftDocuments(platform, actorOf(request), g.ente.id, view.id, uploadedFiles(request.body));
    return `${base(g)}/${view.id}?esito=${findings.length > 0 ? 'documenti-dati-personali' : 'documenti-sostituiti'}`;
  });

  actRoute('elimina', 'delete', async (g, view, _f, request) => {
    await deleteDraft(platform, actorOf(request), g.ente.id, view.id);
    return `${base(g)}?esito=bozza-eliminata`;
  });

  actRoute('annulla', 'annul', async (g, view, f, request) => {
    await annul(platform, actorOf(request), g.ente.id, view.id, f.reason ?? '');
    return `${base(g)}/${view.id}?esito=annullato`;
  });
}
