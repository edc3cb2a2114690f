// The desk's editor: a new article (/backoffice/assistenza/guida/nuovo), an article's page with its form
// (/backoffice/assistenza/guida/{id}), a preview that saves nothing (the "Anteprima" button of the same form), the
// history of saved versions and any one of them, with "restore" (which saves it again as a new version).
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { actorOf, csrfToken } from '../../../../platform/auth/index.js';
import type { App } from '../../../../platform/http/app.js';
import { notFound } from '../../../../platform/http/problem.js';
import type { Platform } from '../../../../platform/platform.js';
import { formatDateTime, formatNumber, t } from '../../../../platform/views/i18n/index.js';
import { CsrfField } from '../../../../platform/views/layout.js';
import { requireDesk } from '../../access.js';
import { categories } from '../../store.js';
import { Alert, ArticleBody, StateBadge, VisibilityBadge } from '../components.js';
import { deskArticlePath, deskGuidePath } from '../paths.js';
import { UUID, articleStates, createArticle, getArticle, parseKeywords, revision, revisions, updateArticle, visibilities, votesOf, type ArticleInput, type ArticleView } from '../service.js';
import { allEnti } from '../store.js';
import { DeskLayout, Outcome, formFields, isFormProblem, sendPage, staffOrLogin } from './common.js';

type Categories = Awaited<ReturnType<typeof categories>>;
type Enti = Awaited<ReturnType<typeof allEnti>>;

interface FormState {
  input: ArticleInput;
  keywordsText: string;
  /** The revision the editor started from (edits only). */
  revision?: number;
}

const emptyInput: ArticleInput = { title: '', body: '', category: null, keywords: [], state: 'draft', visibility: 'all', audienceEnteIds: [] };
const stateOf = (a: ArticleView): FormState => ({ input: { ...a, audienceEnteIds: a.audienceEnteIds }, keywordsText: a.keywords.join(', '), revision: a.revision });

function readForm(body: unknown): FormState & { action: string } {
  const f = formFields(body);
  const rev = f.one('revision');
  return {
    action: f.one('azione'),
    keywordsText: f.one('keywords'),
    revision: /^\d{1,9}$/.test(rev) ? Number(rev) : undefined,
    input: {
      title: f.one('title'),
      body: f.one('body'),
      category: f.one('category') || null,
      keywords: parseKeywords(f.one('keywords')),
      state: f.one('state') as ArticleInput['state'],
      visibility: f.one('visibility') as ArticleInput['visibility'],
      audienceEnteIds: f.many('audience'),
    },
  };
}

function ArticleForm({ action, form, cats, enti, csrf }: { action: string; form: FormState; cats: Categories; enti: Enti; csrf: string }) {
  const v = form.input;
  return (
    <form method="post" action={action} class="mb-5">
      <CsrfField token={csrf} />
      {form.revision ? <input type="hidden" name="revision" value={String(form.revision)} /> : null}
      <div class="mb-3">
        <label for="kb-title" class="form-label">
          {t('kb.field.title')}
        </label>
        <input type="text" id="kb-title" name="title" value={v.title} required minLength={3} maxLength={200} class="form-control" />
      </div>
      <div class="row">
        <div class="col-md-6 mb-3">
          <label for="kb-category" class="form-label">
            {t('kb.field.category')}
          </label>
          <select id="kb-category" name="category" class="form-select">
            <option value="">{t('kb.field.category.none')}</option>
            {cats.map((c) => (
              <option value={c.code} selected={v.category === c.code}>
                {c.parentCode ? `— ${c.name}` : c.name}
              </option>
            ))}
          </select>
        </div>
        <div class="col-md-6 mb-3">
          <label for="kb-keywords" class="form-label">
            {t('kb.field.keywords')}
          </label>
          <input type="text" id="kb-keywords" name="keywords" value={form.keywordsText} maxLength={1500} class="form-control" aria-describedby="kb-keywords-help" />
          <div id="kb-keywords-help" class="form-text">
            {t('kb.field.keywords.help')}
          </div>
        </div>
      </div>
      <div class="mb-3">
        <label for="kb-body" class="form-label">
          {t('kb.field.body')}
        </label>
        <textarea id="kb-body" name="body" rows={14} required maxLength={50000} class="form-control font-monospace" aria-describedby="kb-body-help">
          {v.body}
        </textarea>
        <div id="kb-body-help" class="form-text">
          {t('kb.field.body.help')}
        </div>
      </div>
      <fieldset class="mb-3">
        <legend class="h6">{t('kb.field.visibility')}</legend>
        {visibilities.map((vis) => (
          <div class="form-check">
            <input class="form-check-input" type="radio" name="visibility" id={`kb-vis-${vis}`} value={vis} checked={v.visibility === vis} />
            <label class="form-check-label" for={`kb-vis-${vis}`}>
              {t(`kb.visibility.${vis}`)}
            </label>
          </div>
        ))}
      </fieldset>
      <div class="mb-3">
        <label for="kb-audience" class="form-label">
          {t('kb.field.audience')}
        </label>
        <select id="kb-audience" name="audience" multiple size={8} class="form-select" aria-describedby="kb-audience-help">
          {enti.map((e) => (
            <option value={e.id} selected={v.audienceEnteIds.includes(e.id)}>
              {e.name}
            </option>
          ))}
        </select>
        <div id="kb-audience-help" class="form-text">
          {t('kb.field.audience.help')}
        </div>
      </div>
      <div class="mb-4 col-md-4">
        <label for="kb-state" class="form-label">
          {t('kb.field.state')}
        </label>
        <select id="kb-state" name="state" class="form-select">
          {articleStates.map((s) => (
            <option value={s} selected={v.state === s}>
              {t(`kb.state.${s}`)}
            </option>
          ))}
        </select>
      </div>
      <div class="d-flex flex-wrap gap-2">
        <button type="submit" name="azione" value="salva" class="btn btn-primary">
          {t('kb.form.save')}
        </button>
        <button type="submit" name="azione" value="anteprima" class="btn btn-outline-primary">
          {t('kb.form.preview')}
        </button>
      </div>
    </form>
  );
}

function Preview({ input }: { input: ArticleInput }) {
  return (
    <section aria-labelledby="kb-preview-title" class="border rounded p-3 mb-4">
      <h2 id="kb-preview-title" class="h4">
        {t('kb.form.previewTitle')}
      </h2>
      <p class="h5">{input.title}</p>
      <ArticleBody body={input.body} />
    </section>
  );
}

export function registerDeskEditor(app: App, platform: Platform): void {
  const { db } = platform;
  const IdParams = Type.Object({ id: Type.String({ maxLength: 100 }) });

  async function loadForDesk(id: string): Promise<ArticleView> {
    const article = UUID.test(id) ? await getArticle(db.app, id, { desk: true }) : undefined;
    if (!article) throw notFound(t('kb.error.notFound'));
    return article;
  }

  async function renderEditor(request: FastifyRequest, reply: FastifyReply, opts: { article?: ArticleView; form: FormState; error?: string; preview?: boolean; status?: number; esito?: string | undefined }) {
    const [cats, enti] = await Promise.all([categories(db.app), allEnti(db.app)]);
    const { article, form } = opts;
    const title = article ? t('kb.desk.edit.title', { title: article.title }) : t('kb.desk.new.title');
    const stats = article ? (await votesOf(db.app, [article.id])).get(article.id) ?? { useful: 0, notUseful: 0 } : undefined;
    return sendPage(
      reply,
      <DeskLayout request={request} title={title}>
        <h1>{title}</h1>
        <Outcome esito={opts.esito} />
        {opts.error ? <Alert kind="danger">{opts.error}</Alert> : null}
        {article && stats ? (
          <ul class="list-inline d-flex flex-wrap gap-3 align-items-center">
            <li class="list-inline-item">
              <StateBadge state={article.state} /> <VisibilityBadge visibility={article.visibility} />
            </li>
            <li class="list-inline-item">{t('kb.desk.edit.revision', { revision: article.revision, date: formatDateTime(article.updatedAt) })}</li>
            <li class="list-inline-item">{t('kb.desk.edit.linked', { n: formatNumber(article.linkedCount) })}</li>
            <li class="list-inline-item">{t('kb.col.votesValue', { useful: stats.useful, notUseful: stats.notUseful })}</li>
            <li class="list-inline-item">
              <a href={`${deskArticlePath(article.id)}/cronologia`}>{t('kb.desk.edit.history')}</a>
            </li>
          </ul>
        ) : null}
        {opts.preview ? <Preview input={form.input} /> : null}
        <ArticleForm action={article ? deskArticlePath(article.id) : `${deskGuidePath}/nuovo`} form={form} cats={cats} enti={enti} csrf={csrfToken(request, reply)} />
      </DeskLayout>,
      opts.status,
    );
  }

  app.get(`${deskGuidePath}/nuovo`, { schema: { hide: true } }, async (request, reply) => {
    if (!staffOrLogin(request, reply)) return reply;
    await requireDesk(request, db.app);
    return renderEditor(request, reply, { form: { input: emptyInput, keywordsText: '' } });
  });

  app.post(`${deskGuidePath}/nuovo`, { schema: { hide: true } }, async (request, reply) => {
    if (!staffOrLogin(request, reply)) return reply;
    await requireDesk(request, db.app);
    const form = readForm(request.body);
    if (form.action === 'anteprima') return renderEditor(request, reply, { form, preview: true });
    try {
      const article = await createArticle(db.app, actorOf(request), form.input);
      return reply.redirect(`${deskArticlePath(article.id)}?esito=creato`, 303);
    } catch (err) {
      if (!isFormProblem(err)) throw err;
      return renderEditor(request, reply, { form, error: err.detail ?? err.title, status: err.status });
    }
  });

  app.get(`${deskGuidePath}/:id`, { schema: { hide: true, params: IdParams, querystring: Type.Object({ esito: Type.Optional(Type.String({ maxLength: 40 })) }) } }, async (request, reply) => {
    if (!staffOrLogin(request, reply)) return reply;
    await requireDesk(request, db.app);
    const article = await loadForDesk(request.params.id);
    return renderEditor(request, reply, { article, form: stateOf(article), esito: request.query.esito });
  });

  app.post(`${deskGuidePath}/:id`, { schema: { hide: true, params: IdParams } }, async (request, reply) => {
    if (!staffOrLogin(request, reply)) return reply;
    await requireDesk(request, db.app);
    const article = await loadForDesk(request.params.id);
    const form = readForm(request.body);
    if (form.action === 'anteprima') return renderEditor(request, reply, { article, form, preview: true });
    try {
      const saved = await updateArticle(db.app, actorOf(request), article.id, form.input, { expectedRevision: form.revision });
      return reply.redirect(`${deskArticlePath(saved.id)}?esito=${saved.revision === form.revision ? 'invariato' : 'salvato'}`, 303);
    } catch (err) {
      if (!isFormProblem(err)) throw err;
      return renderEditor(request, reply, { article, form, error: err.detail ?? err.title, status: err.status });
    }
  });

  app.get(`${deskGuidePath}/:id/cronologia`, { schema: { hide: true, params: IdParams } }, async (request, reply) => {
    if (!staffOrLogin(request, reply)) return reply;
    await requireDesk(request, db.app);
    const article = await loadForDesk(request.params.id);
    const rows = await revisions(db.app, article.id);
    const title = t('kb.desk.history.title', { title: article.title });
    return sendPage(
      reply,
      <DeskLayout request={request} title={title} crumbs={[{ label: article.title, href: deskArticlePath(article.id) }]}>
        <h1>{title}</h1>
        <div class="table-responsive">
          <table class="table align-middle">
            <caption>{t('kb.desk.history.caption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('kb.col.revision')}</th>
                <th scope="col">{t('kb.col.savedAt')}</th>
                <th scope="col">{t('kb.col.savedBy')}</th>
                <th scope="col">{t('kb.field.title')}</th>
                <th scope="col">{t('kb.field.state')}</th>
                <th scope="col">{t('kb.field.visibility')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr>
                  <th scope="row">
                    <a href={`${deskArticlePath(article.id)}/cronologia/${r.revision}`}>{t('kb.desk.history.version', { revision: r.revision })}</a>
                    {r.revision === article.revision ? <span class="d-block small fw-normal">{t('kb.desk.history.current')}</span> : null}
                  </th>
                  <td>{formatDateTime(r.saved_at)}</td>
                  <td>{r.saved_by_label}</td>
                  <td>{r.title}</td>
                  <td>
                    <StateBadge state={r.state} />
                  </td>
                  <td>
                    <VisibilityBadge visibility={r.visibility} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </DeskLayout>,
    );
  });

  const RevParams = Type.Object({ id: Type.String({ maxLength: 100 }), rev: Type.String({ maxLength: 9 }) });
  async function loadRevision(id: string, rev: string) {
    const article = await loadForDesk(id);
    const row = /^\d{1,9}$/.test(rev) ? await revision(db.app, article.id, Number(rev)) : undefined;
    if (!row) throw notFound(t('kb.error.revisionNotFound'));
    return { article, row };
  }

  app.get(`${deskGuidePath}/:id/cronologia/:rev`, { schema: { hide: true, params: RevParams } }, async (request, reply) => {
    if (!staffOrLogin(request, reply)) return reply;
    await requireDesk(request, db.app);
    const { article, row } = await loadRevision(request.params.id, request.params.rev);
    const title = t('kb.desk.revision.title', { revision: row.revision, title: row.title });
    return sendPage(
      reply,
      <DeskLayout
        request={request}
        title={title}
        crumbs={[
          { label: article.title, href: deskArticlePath(article.id) },
          { label: t('kb.desk.edit.history'), href: `${deskArticlePath(article.id)}/cronologia` },
        ]}
      >
        <h1>{title}</h1>
        <p>{t('kb.desk.revision.meta', { date: formatDateTime(row.saved_at), who: row.saved_by_label })}</p>
        <ArticleBody body={row.body} />
        {row.revision !== article.revision ? (
          <form method="post" action={`${deskArticlePath(article.id)}/cronologia/${row.revision}/ripristina`} class="mt-4">
            <CsrfField token={csrfToken(request, reply)} />
            <input type="hidden" name="revision" value={String(article.revision)} />
            <button type="submit" class="btn btn-outline-primary">
              {t('kb.desk.revision.restore')}
            </button>
          </form>
        ) : null}
      </DeskLayout>,
    );
  });

  app.post(`${deskGuidePath}/:id/cronologia/:rev/ripristina`, { schema: { hide: true, params: RevParams } }, async (request, reply) => {
    if (!staffOrLogin(request, reply)) return reply;
    await requireDesk(request, db.app);
    const { article, row } = await loadRevision(request.params.id, request.params.rev);
    const expected = formFields(request.body).one('revision');
    const input: ArticleInput = { title: row.title, body: row.body, category: row.category_code, keywords: row.keywords, state: row.state, visibility: row.visibility, audienceEnteIds: row.audience_ente_ids };
    await updateArticle(db.app, actorOf(request), article.id, input, { expectedRevision: /^\d{1,9}$/.test(expected) ? Number(expected) : article.revision });
    return reply.redirect(`${deskArticlePath(article.id)}?esito=salvato`, 303);
  });
}
