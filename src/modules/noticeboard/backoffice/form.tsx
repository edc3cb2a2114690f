// The form of a new act (/backoffice/enti/{slug}/albo/nuovo), also for a correction (?rettifica={id}), and the
// fields it shares with the form of a publication request to another ente (requests.tsx). The POST is a
// multipart form: the draft is created with its documents, or the form comes back with the message and the
// user's fields (files must be chosen again: browsers never prefill a file input).
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { actorOf, csrfToken } from '../../../platform/auth/index.js';
import type { App } from '../../../platform/http/app.js';
import { unprocessable } from '../../../platform/http/problem.js';
import type { Platform } from '../../../platform/platform.js';
import { t } from '../../../platform/views/i18n/index.js';
import { CsrfField } from '../../../platform/views/layout.js';
import { todayInRome, type Ente } from '../../../platform/tenancy/index.js';
import { MAX_ATTACHMENTS, MAX_DOCUMENT_BYTES, actTypes, createDraft, staffDetail, type DraftInput, type UploadedFile } from '../service.js';
import { AlboLayout, ErrorAlert, UUID, alboPath, fieldsOf, filesOf, guard, isFormProblem, optionalDate, optionalDays, problemMessage, requireMultipart, sendPage } from './common.js';

export type ActType = Awaited<ReturnType<typeof actTypes>>[number];

/** The fields of the form as typed (strings), for re-rendering after a refusal. */
export type FormValues = Record<string, string>;

const MB = Math.round(MAX_DOCUMENT_BYTES / 1024 / 1024);

/** The act-type select with the length and legal source of each type as help. */
function ActTypeField({ types, value }: { types: ActType[]; value: string }) {
  return (
    <div class="mb-3">
      <label for="atto-tipo" class="form-label">
        {t('noticeboard.bo.form.type')}
      </label>
      <select id="atto-tipo" name="actType" required class="form-select" aria-describedby="atto-tipo-aiuto">
        <option value="">{t('noticeboard.bo.form.type.choose')}</option>
        {types.map((type) => (
          <option value={type.code} selected={value === type.code}>
            {t('noticeboard.bo.form.type.option', { name: type.name, days: type.days })}
          </option>
        ))}
      </select>
      <div id="atto-tipo-aiuto" class="form-text">
        {t('noticeboard.bo.form.type.help')}
      </div>
      <details class="mt-2">
        <summary>{t('noticeboard.bo.form.type.rules')}</summary>
        <div class="table-responsive">
          <table class="table table-sm mt-2">
            <caption>{t('noticeboard.bo.form.type.rulesCaption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('noticeboard.bo.col.type')}</th>
                <th scope="col">{t('noticeboard.bo.form.type.days')}</th>
                <th scope="col">{t('noticeboard.bo.form.type.source')}</th>
              </tr>
            </thead>
            <tbody>
              {types.map((type) => (
                <tr>
                  <th scope="row">{type.name}</th>
                  <td>{type.days}</td>
                  <td>{type.legalSource}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </div>
  );
}

/** Type, subject, office, act number and date, start and length: the same for an act and for a request. */
export function ActFields({ types, values, today, withRequester }: { types: ActType[]; values: FormValues; today: string; withRequester: boolean }) {
  const v = (name: string) => values[name] ?? '';
  const selected = types.find((type) => type.code === v('actType'));
  return (
    <>
      <ActTypeField types={types} value={v('actType')} />
      <div class="mb-3">
        <label for="atto-oggetto" class="form-label">
          {t('noticeboard.bo.form.subject')}
        </label>
        <textarea id="atto-oggetto" name="subject" rows={3} required minLength={3} maxLength={4000} class="form-control" aria-describedby="atto-oggetto-aiuto">
          {v('subject')}
        </textarea>
        <div id="atto-oggetto-aiuto" class="form-text">
          {t('noticeboard.bo.form.subject.help')}
        </div>
      </div>
      <div class="mb-3">
        <label for="atto-ufficio" class="form-label">
          {t('noticeboard.bo.form.office')}
        </label>
        <input type="text" id="atto-ufficio" name="office" value={v('office')} required maxLength={300} class="form-control" />
      </div>
      <div class="row">
        <div class="col-md-6 mb-3">
          <label for="atto-numero" class="form-label">
            {t('noticeboard.bo.form.actNumber')}
          </label>
          <input type="text" id="atto-numero" name="actNumber" value={v('actNumber')} maxLength={100} class="form-control" />
        </div>
        <div class="col-md-6 mb-3">
          <label for="atto-data" class="form-label">
            {t('noticeboard.bo.form.actDate')}
          </label>
          <input type="date" id="atto-data" name="actDate" value={v('actDate')} class="form-control" />
        </div>
      </div>
      {withRequester ? (
        <div class="mb-3">
          <label for="atto-richiedente" class="form-label">
            {t('noticeboard.bo.form.requester')}
          </label>
          <input type="text" id="atto-richiedente" name="requesterName" value={v('requesterName')} maxLength={300} class="form-control" aria-describedby="atto-richiedente-aiuto" />
          <div id="atto-richiedente-aiuto" class="form-text">
            {t('noticeboard.bo.form.requester.help')}
          </div>
        </div>
      ) : null}
      <fieldset class="mb-3">
        <legend class="h6">{t('noticeboard.bo.form.period')}</legend>
        <div class="row">
          <div class="col-md-6 mb-3">
            <label for="atto-inizio" class="form-label">
              {t('noticeboard.bo.form.start')}
            </label>
            <input type="date" id="atto-inizio" name="start" value={v('start')} min={today} class="form-control" aria-describedby="atto-inizio-aiuto" />
            <div id="atto-inizio-aiuto" class="form-text">
              {t('noticeboard.bo.form.start.help')}
            </div>
          </div>
          <div class="col-md-6 mb-3">
            <label for="atto-giorni" class="form-label">
              {t('noticeboard.bo.form.days')}
            </label>
            <input type="number" id="atto-giorni" name="days" value={v('days')} min={selected?.days ?? 1} max={366} step={1} inputMode="numeric" class="form-control" aria-describedby="atto-giorni-aiuto" />
            <div id="atto-giorni-aiuto" class="form-text">
              {selected ? t('noticeboard.bo.form.days.helpType', { name: selected.name, days: selected.days, source: selected.legalSource }) : t('noticeboard.bo.form.days.help')}
            </div>
          </div>
        </div>
      </fieldset>
    </>
  );
}

/** The main document and the attachments. */
export function FileFields({ prefix, mainLabel }: { prefix: string; mainLabel?: string }) {
  return (
    <fieldset class="mb-3">
      <legend class="h6">{t('noticeboard.bo.form.documents')}</legend>
      <p id={`${prefix}-file-aiuto`} class="form-text">
        {t('noticeboard.bo.form.documents.help', { max: MB, attachments: MAX_ATTACHMENTS })}
      </p>
      <div class="mb-3">
        <label for={`${prefix}-principale`} class="form-label">
          {mainLabel ?? t('noticeboard.bo.form.main')}
        </label>
        <input type="file" id={`${prefix}-principale`} name="main" required accept=".pdf,.p7m,application/pdf,application/pkcs7-mime" class="form-control" aria-describedby={`${prefix}-file-aiuto`} />
      </div>
      <div class="mb-3">
        <label for={`${prefix}-allegati`} class="form-label">
          {t('noticeboard.bo.form.attachments')}
        </label>
        <input type="file" id={`${prefix}-allegati`} name="attachments" multiple accept=".pdf,.p7m,application/pdf,application/pkcs7-mime" class="form-control" aria-describedby={`${prefix}-file-aiuto`} />
      </div>
    </fieldset>
  );
}

/** The draft input from the form fields (dates and days checked here; the rules in the service). */
export function draftInput(f: FormValues, today: string): DraftInput {
  const start = optionalDate(f.start, t('noticeboard.bo.form.invalidStart'));
  if (start && start < today) throw unprocessable(t('noticeboard.bo.form.startInPast'));
  return {
    actType: f.actType ?? '',
    subject: f.subject ?? '',
    office: f.office ?? '',
    actNumber: f.actNumber || null,
    actDate: optionalDate(f.actDate, t('noticeboard.bo.form.invalidActDate')),
    requestedStart: start,
    days: optionalDays(f.days),
    requesterName: f.requesterName || null,
  };
}

/** Main document first, then the attachments; 422 without a main document. */
export function uploadedFiles(body: unknown): UploadedFile[] {
  const main = filesOf(body, 'main', MAX_DOCUMENT_BYTES);
  const attachments = filesOf(body, 'attachments', MAX_DOCUMENT_BYTES);
  if (main.length === 0) throw unprocessable(t('noticeboard.bo.form.mainMissing'));
  if (attachments.length > MAX_ATTACHMENTS) throw unprocessable(t('noticeboard.bo.upload.tooManyFiles', { max: MAX_ATTACHMENTS }));
  return [...main, ...attachments];
}

async function renderForm(request: FastifyRequest, reply: FastifyReply, platform: Platform, ente: Ente, values: FormValues, options: { error?: string; status?: number; corrects?: { id: string; label: string } | null } = {}) {
  const types = await actTypes(platform.db.app);
  const title = options.corrects ? t('noticeboard.bo.form.titleCorrection', { label: options.corrects.label }) : t('noticeboard.bo.form.title');
  const base = alboPath(ente.slug);
  return sendPage(
    reply,
    <AlboLayout request={request} ente={ente} title={title} crumbs={[{ label: title }]}>
      <h1>{title}</h1>
      {options.corrects ? (
        <p class="lead">
          {t('noticeboard.bo.form.correctionOf')} <a href={`${base}/${options.corrects.id}`}>{t('noticeboard.bo.form.correctionLink', { label: options.corrects.label })}</a>
        </p>
      ) : null}
      <p>{t('noticeboard.bo.form.intro')}</p>
      {options.error ? (
        <ErrorAlert>
          {options.error} {t('noticeboard.bo.form.filesAgain')}
        </ErrorAlert>
      ) : null}
      <form method="post" action={`${base}/nuovo`} enctype="multipart/form-data" class="mb-5">
        <CsrfField token={csrfToken(request, reply)} />
        {options.corrects ? <input type="hidden" name="corrects" value={options.corrects.id} /> : null}
        <ActFields types={types} values={values} today={todayInRome()} withRequester={true} />
        <FileFields prefix="atto" />
        <p class="small">{t('noticeboard.bo.form.draftNote')}</p>
        <div class="d-flex flex-wrap gap-2">
          <button type="submit" class="btn btn-primary">
            {t('noticeboard.bo.form.submit')}
          </button>
          <a class="btn btn-outline-secondary" href={base}>
            {t('noticeboard.bo.form.cancel')}
          </a>
        </div>
      </form>
    </AlboLayout>,
    options.status ?? 200,
  );
}

/** The act a correction refers to: a published act of this albo, else 422. */
async function correctedAct(platform: Platform, enteId: string, id: string | undefined) {
  if (!id) return null;
  const original = UUID.test(id) ? await staffDetail(platform.db.app, enteId, id) : undefined;
  if (!original || !original.register) throw unprocessable(t('noticeboard.bo.form.correctionNotFound'));
  return { id: original.id, label: original.register.label, view: original };
}

const SlugParams = Type.Object({ slug: Type.String({ maxLength: 200 }) });

export function registerFormPages(app: App, platform: Platform) {
  app.get('/backoffice/enti/:slug/albo/nuovo', { schema: { hide: true, params: SlugParams, querystring: Type.Object({ rettifica: Type.Optional(Type.String({ maxLength: 40 })) }) } }, async (request, reply) => {
    const g = await guard(request, reply, platform, request.params.slug, 'noticeboard.publish');
    if (!g) return reply;
    const original = await correctedAct(platform, g.ente.id, request.query.rettifica);
    const values: FormValues = original
      ? {
          actType: original.view.actType.code,
          subject: original.view.subject,
          office: original.view.office,
          actNumber: original.view.actNumber ?? '',
          actDate: original.view.actDate ?? '',
          requesterName: original.view.requester && !original.view.requester.enteId ? original.view.requester.name : '',
        }
      : {};
    return renderForm(request, reply, platform, g.ente, values, { corrects: original });
  });

  app.post('/backoffice/enti/:slug/albo/nuovo', { schema: { hide: true, params: SlugParams } }, async (request, reply) => {
    const g = await guard(request, reply, platform, request.params.slug, 'noticeboard.publish');
    if (!g) return reply;
    const fields = fieldsOf(request.body);
    let corrects: { id: string; label: string } | null = null;
    try {
      requireMultipart(request);
      corrects = await correctedAct(platform, g.ente.id, fields.corrects || undefined);
      const input = { ...draftInput(fields, todayInRome()), correctsId: corrects?.id ?? null };
      const files = uploadedFiles(request.body);
      const draft = await createDraft(platform, actorOf(request), g.ente.id, input, files);
      return reply.redirect(`${alboPath(g.ente.slug)}/${draft.id}?esito=${draft.findings.length > 0 ? 'bozza-dati-personali' : 'bozza-creata'}`, 303);
    } catch (err) {
      if (!isFormProblem(err)) throw err;
      return renderForm(request, reply, platform, g.ente, fields, { error: problemMessage(err), status: err.status, corrects });
    }
  });
}
