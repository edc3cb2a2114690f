// The desk's catalogue of articles (/backoffice/assistenza/guida): every article, drafts and archived included,
// with free-text search and filters by state, visibility and category, how often each is linked from tickets
// and how the staff of the enti voted it.
import { Type } from 'typebox';
import type { App } from '../../../../platform/http/app.js';
import type { Platform } from '../../../../platform/platform.js';
import { formatNumber, t } from '../../../../platform/views/i18n/index.js';
import { requireDesk } from '../../access.js';
import { categories } from '../../store.js';
import { Snippet, StateBadge, VisibilityBadge, dateOf } from '../components.js';
import { deskArticlePath, deskGuidePath } from '../paths.js';
import { articleStates, searchArticles, visibilities, votesOf, type ArticleState, type Visibility } from '../service.js';
import { DeskLayout, Outcome, sendPage, staffOrLogin } from './common.js';

const PAGE_SIZE = 25;
const Query = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 200 })),
  stato: Type.Optional(Type.String({ maxLength: 20 })),
  visibilita: Type.Optional(Type.String({ maxLength: 20 })),
  categoria: Type.Optional(Type.String({ maxLength: 50 })),
  pagina: Type.Optional(Type.String({ maxLength: 6 })),
  esito: Type.Optional(Type.String({ maxLength: 40 })),
});

export function registerDeskList(app: App, platform: Platform): void {
  const { db } = platform;
  app.get(deskGuidePath, { schema: { hide: true, querystring: Query } }, async (request, reply) => {
    if (!staffOrLogin(request, reply)) return reply;
    await requireDesk(request, db.app);
    const query = request.query;
    const q = query.q?.trim() || undefined;
    const state = articleStates.includes(query.stato as ArticleState) ? (query.stato as ArticleState) : undefined;
    const visibility = visibilities.includes(query.visibilita as Visibility) ? (query.visibilita as Visibility) : undefined;
    const cats = await categories(db.app);
    const category = cats.some((c) => c.code === query.categoria) ? query.categoria : undefined;
    const pageNumber = query.pagina && /^\d{1,5}$/.test(query.pagina) ? Math.max(1, Number(query.pagina)) : 1;
    const result = await searchArticles(db.app, { desk: true }, q, { state, visibility, category, limit: PAGE_SIZE, offset: (pageNumber - 1) * PAGE_SIZE });
    const votes = await votesOf(db.app, result.items.map((a) => a.id));
    const categoryName = new Map(cats.map((c) => [c.code, c.name]));
    const pages = Math.max(1, Math.ceil(result.total / PAGE_SIZE));
    const pageHref = (n: number) => {
      const params = new URLSearchParams();
      if (q) params.set('q', q);
      if (state) params.set('stato', state);
      if (visibility) params.set('visibilita', visibility);
      if (category) params.set('categoria', category);
      if (n > 1) params.set('pagina', String(n));
      const s = params.toString();
      return s ? `${deskGuidePath}?${s}` : deskGuidePath;
    };
    const title = t('kb.desk.list.title');
    return sendPage(
      reply,
      <DeskLayout request={request} title={title}>
        <h1>{title}</h1>
        <p>{t('kb.desk.list.intro')}</p>
        <Outcome esito={query.esito} />
        <p>
          <a class="btn btn-primary" href={`${deskGuidePath}/nuovo`}>
            {t('kb.desk.list.new')}
          </a>
        </p>
        <section aria-labelledby="kb-filtri" class="mb-4">
          <h2 id="kb-filtri" class="h4">
            {t('kb.desk.list.filters')}
          </h2>
          <form method="get" action={deskGuidePath} role="search" class="row g-3 align-items-end">
            <div class="col-md-4">
              <label for="kb-filtro-q" class="form-label">
                {t('kb.search.label')}
              </label>
              <input type="search" id="kb-filtro-q" name="q" value={q ?? ''} maxLength={200} class="form-control" />
            </div>
            <div class="col-md-2">
              <label for="kb-filtro-stato" class="form-label">
                {t('kb.field.state')}
              </label>
              <select id="kb-filtro-stato" name="stato" class="form-select">
                <option value="">{t('kb.filter.any')}</option>
                {articleStates.map((s) => (
                  <option value={s} selected={state === s}>
                    {t(`kb.state.${s}`)}
                  </option>
                ))}
              </select>
            </div>
            <div class="col-md-2">
              <label for="kb-filtro-visibilita" class="form-label">
                {t('kb.field.visibility')}
              </label>
              <select id="kb-filtro-visibilita" name="visibilita" class="form-select">
                <option value="">{t('kb.filter.any')}</option>
                {visibilities.map((v) => (
                  <option value={v} selected={visibility === v}>
                    {t(`kb.visibility.${v}.short`)}
                  </option>
                ))}
              </select>
            </div>
            <div class="col-md-2">
              <label for="kb-filtro-categoria" class="form-label">
                {t('kb.field.category')}
              </label>
              <select id="kb-filtro-categoria" name="categoria" class="form-select">
                <option value="">{t('kb.filter.any')}</option>
                {cats.map((c) => (
                  <option value={c.code} selected={category === c.code}>
                    {c.parentCode ? `— ${c.name}` : c.name}
                  </option>
                ))}
              </select>
            </div>
            <div class="col-md-2">
              <button type="submit" class="btn btn-outline-primary">
                {t('kb.search.button')}
              </button>
            </div>
          </form>
        </section>
        <p role="status">{t(result.total === 1 ? 'kb.list.countOne' : 'kb.list.count', { n: formatNumber(result.total) })}</p>
        {result.items.length > 0 ? (
          <div class="table-responsive">
            <table class="table align-middle">
              <caption class="visually-hidden">{title}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('kb.field.title')}</th>
                  <th scope="col">{t('kb.field.category')}</th>
                  <th scope="col">{t('kb.field.visibility')}</th>
                  <th scope="col">{t('kb.field.state')}</th>
                  <th scope="col">{t('kb.col.updated')}</th>
                  <th scope="col">{t('kb.col.linked')}</th>
                  <th scope="col">{t('kb.col.votes')}</th>
                </tr>
              </thead>
              <tbody>
                {result.items.map((a) => {
                  const v = votes.get(a.id) ?? { useful: 0, notUseful: 0 };
                  return (
                    <tr>
                      <th scope="row">
                        <a href={deskArticlePath(a.id)}>{a.title}</a>
                        {q ? (
                          <span class="d-block small fw-normal">
                            <Snippet parts={a.snippet} />
                          </span>
                        ) : null}
                      </th>
                      <td>{a.category ? categoryName.get(a.category) ?? a.category : '—'}</td>
                      <td>
                        <VisibilityBadge visibility={a.visibility} />
                      </td>
                      <td>
                        <StateBadge state={a.state} />
                      </td>
                      <td>{t('kb.col.updatedValue', { date: dateOf(a.updatedAt), revision: a.revision })}</td>
                      <td>{formatNumber(a.linkedCount)}</td>
                      <td>{t('kb.col.votesValue', { useful: v.useful, notUseful: v.notUseful })}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        ) : null}
        {pages > 1 ? (
          <nav class="pagination-wrapper" aria-label={t('kb.list.pagination')}>
            <ul class="pagination">
              {pageNumber > 1 ? (
                <li class="page-item">
                  <a class="page-link" href={pageHref(pageNumber - 1)}>
                    {t('kb.list.previous')}
                  </a>
                </li>
              ) : null}
              <li class="page-item active">
                <span class="page-link" aria-current="page">
                  {t('kb.list.pageOf', { page: pageNumber, pages })}
                </span>
              </li>
              {pageNumber < pages ? (
                <li class="page-item">
                  <a class="page-link" href={pageHref(pageNumber + 1)}>
                    {t('kb.list.next')}
                  </a>
                </li>
              ) : null}
            </ul>
          </nav>
        ) : null}
      </DeskLayout>,
    );
  });
}
