// Pages of the CSV bulk upload (/backoffice/enti/{slug}/pagamenti/caricamento): the form with the columns
// documented and a template to download, the report of an upload (progress while a job works it, counts, every
// rejected row with its line and reason) and the CSV of the rejected rows, to correct and upload again.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { actorOf, csrfToken } from '../../../platform/auth/index.js';
import { withEnte } from '../../../platform/db/index.js';
import type { App } from '../../../platform/http/app.js';
import { sendPrivateFile } from '../../../platform/http/download.js';
import { HttpProblem, notFound, unprocessable } from '../../../platform/http/problem.js';
import type { Platform } from '../../../platform/platform.js';
import type { Ente } from '../../../platform/tenancy/index.js';
import { formatNumber, t } from '../../../platform/views/i18n/index.js';
import { CsrfField } from '../../../platform/views/layout.js';
import { CSV_TYPE, toCsv } from '../../../platform/views/table-export.js';
import { ErrorAlert, PaymentsLayout, UUID, formatDateTime, guard, isFormProblem, paymentsPath, sendPage } from './common.js';
import { COLUMNS, MAX_UPLOAD_BYTES, MAX_UPLOAD_ROWS, SYNC_MAX_ROWS, startUpload, templateCsv } from './upload.js';

const REPORT_ROWS = 1000;
const uploadPath = (slug: string) => `${paymentsPath(slug)}/caricamento`;

function UploadPage({ request, reply, ente, recent, error }: { request: FastifyRequest; reply: FastifyReply; ente: Ente; recent: { id: string; file_name: string; created_at: Date; status: string; total_rows: number }[]; error?: string | undefined }) {
  const title = t('payments.bo.upload.title');
  const base = uploadPath(ente.slug);
  return (
    <PaymentsLayout request={request} ente={ente} title={title} crumbs={[{ label: title }]}>
      <h1>{title}</h1>
      <p>{t('payments.bo.upload.intro', { sync: SYNC_MAX_ROWS, max: formatNumber(MAX_UPLOAD_ROWS) })}</p>
      {error ? <ErrorAlert>{error}</ErrorAlert> : null}
      <form method="post" action={base} enctype="multipart/form-data" class="mb-4">
        <CsrfField token={csrfToken(request, reply)} />
        <div class="mb-3">
          <label for="caricamento-file" class="form-label">
            {t('payments.bo.upload.file')}
          </label>
          <input type="file" id="caricamento-file" name="file" accept=".csv,text/csv" required class="form-control" aria-describedby="caricamento-aiuto" />
          <div id="caricamento-aiuto" class="form-text">
            {t('payments.bo.upload.fileHelp', { mb: MAX_UPLOAD_BYTES / 1024 / 1024 })}
          </div>
        </div>
        <button type="submit" class="btn btn-primary">
          {t('payments.bo.upload.submit')}
        </button>
      </form>
      <section aria-labelledby="colonne" class="mb-4">
        <h2 id="colonne" class="h4">
          {t('payments.bo.upload.columns')}
        </h2>
        <p>
          <a href={`${base}/modello.csv`} download>
            {t('payments.bo.upload.template')}
          </a>
        </p>
        <div class="table-responsive">
          <table class="table table-sm">
            <caption>{t('payments.bo.upload.columnsCaption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('payments.bo.upload.column')}</th>
                <th scope="col">{t('payments.bo.upload.meaning')}</th>
              </tr>
            </thead>
            <tbody>
              {COLUMNS.map((c) => (
                <tr>
                  <th scope="row">
                    <code>{c}</code>
                  </th>
                  <td>{t(`payments.bo.upload.col.${c}`)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      {recent.length > 0 ? (
        <section aria-labelledby="recenti">
          <h2 id="recenti" class="h4">
            {t('payments.bo.upload.recent')}
          </h2>
          <ul>
            {recent.map((u) => (
              <li>
                <a href={`${base}/${u.id}`}>{u.file_name}</a> – {formatDateTime(u.created_at)} – {t('payments.bo.upload.rows', { n: formatNumber(u.total_rows) })} – {t(`payments.bo.upload.status.${u.status}`)}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </PaymentsLayout>
  );
}

/** The uploaded file of a multipart body (attachFieldsToBody: fields come wrapped, the file with its bytes). */
function uploadedFile(request: FastifyRequest): { bytes: Buffer; name: string } {
  if (!request.isMultipart()) throw unprocessable(t('payments.bo.upload.notMultipart'));
  const part = (request.body as Record<string, unknown> | undefined)?.file as { type?: string; filename?: string; _buf?: Buffer | null; tooLarge?: boolean } | undefined;
  if (!part || part.type !== 'file') throw unprocessable(t('payments.bo.upload.noFile'));
  if (part.tooLarge) throw new HttpProblem(413, t('payments.bo.upload.tooLargeTitle'), t('payments.bo.upload.tooLarge', { mb: MAX_UPLOAD_BYTES / 1024 / 1024 }));
  const bytes = part._buf ?? Buffer.alloc(0);
  if (bytes.length === 0) throw unprocessable(t('payments.bo.upload.noFile'));
  if (bytes.includes(0)) throw unprocessable(t('payments.bo.upload.notText'));
  const text = bytes.toString('utf8');
  if (text.includes('\uFFFD')) throw unprocessable(t('payments.bo.upload.notUtf8'));
  return { bytes, name: (part.filename || 'posizioni.csv').slice(0, 200) };
}

const Params = Type.Object({ slug: Type.String({ maxLength: 200 }) });
const ReportParams = Type.Object({ slug: Type.String({ maxLength: 200 }), id: Type.String({ maxLength: 40 }) });

export function registerUploadPages(app: App, platform: Platform) {
  const path = '/backoffice/enti/:slug/pagamenti/caricamento';
  const recent = (enteId: string) => withEnte(platform.db.app, enteId, (trx) => trx.selectFrom('payment_upload').select(['id', 'file_name', 'created_at', 'status', 'total_rows']).orderBy('created_at', 'desc').limit(10).execute());

  app.get(path, { schema: { hide: true, params: Params } }, async (request, reply) => {
    const g = await guard(request, reply, platform, request.params.slug, 'payments.manage');
    if (!g) return reply;
    return sendPage(reply, <UploadPage request={request} reply={reply} ente={g.ente} recent={await recent(g.ente.id)} />);
  });

  app.get(`${path}/modello.csv`, { schema: { hide: true, params: Params } }, async (request, reply) => {
    const g = await guard(request, reply, platform, request.params.slug, 'payments.manage');
    if (!g) return reply;
    return sendPrivateFile(reply, { name: 'modello-posizioni.csv', mediaType: CSV_TYPE, bytes: Buffer.from(templateCsv(), 'utf8') });
  });

  app.post(path, { schema: { hide: true, params: Params } }, async (request, reply) => {
    const g = await guard(request, reply, platform, request.params.slug, 'payments.manage');
    if (!g) return reply;
    try {
      const { id } = await startUpload(platform, actorOf(request), g.ente.id, uploadedFile(request));
      return reply.redirect(`${uploadPath(g.ente.slug)}/${id}`, 303);
    } catch (err) {
      if (!isFormProblem(err)) throw err;
      return sendPage(reply, <UploadPage request={request} reply={reply} ente={g.ente} recent={await recent(g.ente.id)} error={err.detail ?? err.title} />, err.status);
    }
  });

  const load = async (enteId: string, id: string) => {
    const found = UUID.test(id)
      ? await withEnte(platform.db.app, enteId, async (trx) => {
          const upload = await trx.selectFrom('payment_upload').selectAll().where('id', '=', id).executeTakeFirst();
          if (!upload) return undefined;
          const rejections = await trx.selectFrom('payment_upload_rejection').selectAll().where('upload_id', '=', id).orderBy('line').limit(MAX_UPLOAD_ROWS).execute();
          return { upload, rejections };
        })
      : undefined;
    if (!found) throw notFound(t('payments.bo.upload.notFound'));
    return found;
  };

  app.get(`${path}/:id`, { schema: { hide: true, params: ReportParams } }, async (request, reply) => {
    const g = await guard(request, reply, platform, request.params.slug, 'payments.manage');
    if (!g) return reply;
    const { upload, rejections } = await load(g.ente.id, request.params.id);
    const working = upload.status === 'queued' || upload.status === 'running';
    const title = t('payments.bo.upload.reportTitle', { name: upload.file_name });
    const base = uploadPath(g.ente.slug);
    return sendPage(
      reply,
      <PaymentsLayout request={request} ente={g.ente} title={title} crumbs={[{ label: t('payments.bo.upload.title'), href: base }, { label: upload.file_name }]}>
        <h1>{title}</h1>
        <p role="status" id="stato-caricamento">
          {t(`payments.bo.upload.status.${upload.status}`)}
          {working ? ` – ${t('payments.bo.upload.progress', { done: formatNumber(upload.processed_rows), total: formatNumber(upload.total_rows) })}` : ''}
        </p>
        {working ? (
          <>
            <progress class="w-100 mb-2" max={upload.total_rows} value={upload.processed_rows} aria-labelledby="stato-caricamento" />
            <p>
              <a href={`${base}/${upload.id}`}>{t('payments.bo.upload.refresh')}</a>
            </p>
          </>
        ) : null}
        {upload.error ? <ErrorAlert>{t('payments.bo.upload.jobError', { error: upload.error })}</ErrorAlert> : null}
        <dl class="row" id="esito-caricamento">
          <dt class="col-sm-4">{t('payments.bo.upload.total')}</dt>
          <dd class="col-sm-8">{formatNumber(upload.total_rows)}</dd>
          <dt class="col-sm-4">{t('payments.bo.upload.created')}</dt>
          <dd class="col-sm-8">{formatNumber(upload.created_count)}</dd>
          <dt class="col-sm-4">{t('payments.bo.upload.existing')}</dt>
          <dd class="col-sm-8">{formatNumber(upload.existing_count)}</dd>
          <dt class="col-sm-4">{t('payments.bo.upload.rejected')}</dt>
          <dd class="col-sm-8">{formatNumber(upload.rejected_count)}</dd>
        </dl>
        {upload.existing_count > 0 ? <p>{t('payments.bo.upload.existingHelp')}</p> : null}
        {rejections.length > 0 ? (
          <section aria-labelledby="scartate">
            <h2 id="scartate" class="h4">
              {t('payments.bo.upload.rejectedTitle')}
            </h2>
            <p>
              <a href={`${base}/${upload.id}/scartate.csv`} download>
                {t('payments.bo.upload.rejectedCsv')}
              </a>
            </p>
            <div class="table-responsive">
              <table class="table table-sm">
                <caption>{t('payments.bo.upload.rejectedCaption', { shown: formatNumber(Math.min(REPORT_ROWS, rejections.length)), total: formatNumber(rejections.length) })}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('payments.bo.upload.line')}</th>
                    <th scope="col">{t('payments.bo.upload.ref')}</th>
                    <th scope="col">{t('payments.bo.upload.reason')}</th>
                  </tr>
                </thead>
                <tbody>
                  {rejections.slice(0, REPORT_ROWS).map((r) => (
                    <tr>
                      <th scope="row">{r.line}</th>
                      <td>{r.external_ref ?? '—'}</td>
                      <td>{r.reason}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </section>
        ) : null}
        <p>
          <a href={paymentsPath(g.ente.slug)}>{t('payments.bo.upload.toList')}</a>
        </p>
      </PaymentsLayout>,
    );
  });

  app.get(`${path}/:id/scartate.csv`, { schema: { hide: true, params: ReportParams } }, async (request, reply) => {
    const g = await guard(request, reply, platform, request.params.slug, 'payments.manage');
    if (!g) return reply;
    const { upload, rejections } = await load(g.ente.id, request.params.id);
    const header = ['riga', 'motivo', ...COLUMNS];
    const rows = rejections.map((r) => {
      const fields = (r.fields ?? {}) as Record<string, string>;
      return [r.line, r.reason, ...COLUMNS.map((c) => fields[c] ?? '')];
    });
    return sendPrivateFile(reply, { name: `scartate-${upload.file_name.replace(/\.csv$/i, '')}.csv`, mediaType: CSV_TYPE, bytes: Buffer.from(toCsv(header, rows), 'utf8') });
  });
}
