// The guide as an ente's staff read it (/backoffice/enti/{slug}/assistenza/guida): search with live
// suggestions, the page of an article with "utile / non utile". Only published articles visible to the ente are
// shown; any other id answers 404 like one that does not exist. The desk reads every article here too.
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { actorOf, can, csrfToken } from '../../../../platform/auth/index.js';
import type { App } from '../../../../platform/http/app.js';
import { notFound } from '../../../../platform/http/problem.js';
import type { Platform } from '../../../../platform/platform.js';
import type { Ente } from '../../../../platform/tenancy/index.js';
import { formatNumber, t } from '../../../../platform/views/i18n/index.js';
import { CsrfField } from '../../../../platform/views/layout.js';
import { requireRequester, requireTicketReader } from '../../access.js';
import { categories } from '../../store.js';
import { ArticleBody, KbSuggestions, Snippet, StateBadge, VisibilityBadge, dateOf } from '../components.js';
import { deskArticlePath, enteArticlePath, enteGuidePath } from '../paths.js';
import { UUID, getArticle, searchArticles, voteArticle, voteOf, type Reader } from '../service.js';
import { EnteLayout, Outcome, findEnte, formFields, sendPage, staffOrLogin } from './common.js';

const PAGE_SIZE = 20;
const SlugParams = Type.Object({ slug: Type.String({ maxLength: 200 }) });
const ArticleParams = Type.Object({ slug: Type.String({ maxLength: 200 }), id: Type.String({ maxLength: 100 }) });

/** The reader of an ente's guide: the desk (every article) or the ente's staff (published, visible to it). */
async function readerOf(request: FastifyRequest, platform: Platform, ente: Ente): Promise<{ reader: Reader; desk: boolean }> {
  const { desk } = await requireTicketReader(request, platform.db.app, ente.id);
  return { desk, reader: desk ? { desk: true } : { desk: false, enteId: ente.id } };
}

export function registerReaderPages(app: App, platform: Platform): void {
  const { db } = platform;

  app.get(
    '/backoffice/enti/:slug/assistenza/guida',
    {
      schema: {
        hide: true,
        params: SlugParams,
        querystring: Type.Object({ q: Type.Optional(Type.String({ maxLength: 200 })), categoria: Type.Optional(Type.String({ maxLength: 50 })), pagina: Type.Optional(Type.String({ maxLength: 6 })) }),
      },
    },
    async (request, reply) => {
      if (!staffOrLogin(request, reply)) return reply;
      const ente = await findEnte(platform, request.params.slug);
      const { reader } = await readerOf(request, platform, ente);
      const q = request.query.q?.trim() || undefined;
      const cats = await categories(db.app);
      const category = cats.some((c) => c.code === request.query.categoria) ? request.query.categoria : undefined;
      const pageNumber = request.query.pagina && /^\d{1,5}$/.test(request.query.pagina) ? Math.max(1, Number(request.query.pagina)) : 1;
      const result = await searchArticles(db.app, reader, q, { state: 'published', category, limit: PAGE_SIZE, offset: (pageNumber - 1) * PAGE_SIZE });
      const base = enteGuidePath(ente.slug);
      const more = result.total > pageNumber * PAGE_SIZE;
      const pageHref = (n: number) => `${base}?${new URLSearchParams({ ...(q ? { q } : {}), ...(category ? { categoria: category } : {}), pagina: String(n) }).toString()}`;
      const title = t('kb.reader.title');
      const requester = can(request.staff, ente.id, 'helpdesk.request') || reader.desk;
      return sendPage(
        reply,
        <EnteLayout request={request} ente={ente} title={title} crumbs={[]}>
          <h1>{title}</h1>
          <p>{t('kb.reader.intro', { name: ente.name })}</p>
          <form method="get" action={base} role="search" class="row g-3 align-items-end mb-3">
            <div class="col-md-6">
              <label for="kb-q" class="form-label">
                {t('kb.search.label')}
              </label>
              <input type="search" id="kb-q" name="q" value={q ?? ''} maxLength={200} class="form-control" aria-describedby="kb-q-help" />
              <div id="kb-q-help" class="form-text">
                {t('kb.search.help')}
              </div>
            </div>
            <div class="col-md-3">
              <label for="kb-categoria" class="form-label">
                {t('kb.field.category')}
              </label>
              <select id="kb-categoria" name="categoria" class="form-select">
                <option value="">{t('kb.filter.any')}</option>
                {cats.map((c) => (
                  <option value={c.code} selected={category === c.code}>
                    {c.parentCode ? `— ${c.name}` : c.name}
                  </option>
                ))}
              </select>
            </div>
            <div class="col-md-3">
              <button type="submit" class="btn btn-primary">
                {t('kb.search.button')}
              </button>
            </div>
          </form>
          {requester ? <KbSuggestions enteSlug={ente.slug} inputIds={['kb-q']} /> : null}
          <section aria-labelledby="kb-risultati">
            <h2 id="kb-risultati" class="h4">
              {q ? t('kb.reader.results', { q }) : t('kb.reader.latest')}
            </h2>
            <p role="status">
              {t(result.total === 1 ? 'kb.list.countOne' : 'kb.list.count', { n: formatNumber(result.total) })}
              {result.mode === 'similar' ? ` ${t('kb.search.similar')}` : result.mode === 'any' ? ` ${t('kb.search.any')}` : ''}
            </p>
            <ul class="list-unstyled">
              {result.items.map((a) => (
                <li class="mb-3">
                  <h3 class="h5 mb-1">
                    <a href={enteArticlePath(ente.slug, a.id)}>{a.title}</a>
                  </h3>
                  {reader.desk && a.visibility === 'cst' ? <VisibilityBadge visibility={a.visibility} /> : null}
                  <p class="mb-0 small">
                    <Snippet parts={a.snippet} />
                  </p>
                </li>
              ))}
            </ul>
            <nav aria-label={t('kb.list.pagination')} class="d-flex gap-3">
              {pageNumber > 1 ? <a href={pageHref(pageNumber - 1)}>{t('kb.list.previous')}</a> : null}
              {more ? <a href={pageHref(pageNumber + 1)}>{t('kb.list.next')}</a> : null}
            </nav>
          </section>
        </EnteLayout>,
      );
    },
  );

  app.get(
    '/backoffice/enti/:slug/assistenza/guida/:id',
    { schema: { hide: true, params: ArticleParams, querystring: Type.Object({ esito: Type.Optional(Type.String({ maxLength: 40 })) }) } },
    async (request, reply) => {
      if (!staffOrLogin(request, reply)) return reply;
      const ente = await findEnte(platform, request.params.slug);
      const { reader, desk } = await readerOf(request, platform, ente);
      const article = UUID.test(request.params.id) ? await getArticle(db.app, request.params.id, reader) : undefined;
      if (!article) throw notFound(t('kb.error.notFound'));
      const requester = desk || can(request.staff, ente.id, 'helpdesk.request');
      const myVote = requester && request.staff ? await voteOf(db.app, article.id, request.staff.id) : undefined;
      const cats = await categories(db.app);
      const category = cats.find((c) => c.code === article.category);
      return sendPage(
        reply,
        <EnteLayout request={request} ente={ente} title={article.title}>
          <h1>{article.title}</h1>
          <Outcome esito={request.query.esito} />
          <p class="small">
            {category ? `${category.name} · ` : ''}
            {t('kb.reader.updated', { date: dateOf(article.updatedAt) })}
            {desk ? (
              <>
                {' '}
                <StateBadge state={article.state} /> <VisibilityBadge visibility={article.visibility} /> <a href={deskArticlePath(article.id)}>{t('kb.reader.edit')}</a>
              </>
            ) : null}
          </p>
          <ArticleBody body={article.body} />
          {article.keywords.length > 0 ? <p class="small mt-3">{t('kb.reader.keywords', { keywords: article.keywords.join(', ') })}</p> : null}
          {requester && article.state === 'published' ? (
            <form method="post" action={`${enteArticlePath(ente.slug, article.id)}/voto`} class="mt-4 border-top pt-3">
              <CsrfField token={csrfToken(request, reply)} />
              <fieldset>
                <legend class="h6">{t('kb.vote.question')}</legend>
                {myVote ? <p class="small">{t(myVote.useful ? 'kb.vote.youUseful' : 'kb.vote.youNotUseful')}</p> : null}
                <div class="d-flex gap-2">
                  <button type="submit" name="utile" value="si" class="btn btn-outline-success btn-sm">
                    {t('kb.vote.useful')}
                  </button>
                  <button type="submit" name="utile" value="no" class="btn btn-outline-danger btn-sm">
                    {t('kb.vote.notUseful')}
                  </button>
                </div>
              </fieldset>
            </form>
          ) : null}
          <p class="mt-4">
            <a href={enteGuidePath(ente.slug)}>{t('kb.reader.back')}</a>
          </p>
        </EnteLayout>,
      );
    },
  );

  app.post('/backoffice/enti/:slug/assistenza/guida/:id/voto', { schema: { hide: true, params: ArticleParams } }, async (request, reply) => {
    const staff = staffOrLogin(request, reply);
    if (!staff) return reply;
    const ente = await findEnte(platform, request.params.slug);
    const { desk } = await requireRequester(request, db.app, ente.id);
    if (!UUID.test(request.params.id)) throw notFound(t('kb.error.notFound'));
    const choice = formFields(request.body).one('utile');
    if (choice !== 'si' && choice !== 'no') return reply.redirect(enteArticlePath(ente.slug, request.params.id), 303);
    await voteArticle(db.app, { ...actorOf(request), id: staff.id }, ente.id, desk ? { desk: true } : { desk: false, enteId: ente.id }, request.params.id, choice === 'si');
    return reply.redirect(`${enteArticlePath(ente.slug, request.params.id)}?esito=voto`, 303);
  });
}
