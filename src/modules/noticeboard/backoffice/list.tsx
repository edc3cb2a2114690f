// The register of the albo for the staff (/backoffice/enti/{slug}/albo): every act of the ente, drafts, expired
// and annulled ones included, with filters, pagination, the links to the other pages and the exports.
import { Type } from 'typebox';
import { withEnte } from '../../../platform/db/index.js';
import type { App } from '../../../platform/http/app.js';
import type { Platform } from '../../../platform/platform.js';
import { formatNumber, t } from '../../../platform/views/i18n/index.js';
import { todayInRome } from '../../../platform/tenancy/index.js';
import { registerList, type NoticeView } from '../service.js';
import { AlboLayout, Outcome, StateBadges, alboPath, canPublish, guard, periodText, sendPage } from './common.js';

const PAGE_SIZE = 25;

export const ListQuery = Type.Object({
  anno: Type.Optional(Type.String({ maxLength: 4 })),
  stato: Type.Optional(Type.String({ maxLength: 20 })),
  q: Type.Optional(Type.String({ maxLength: 200 })),
  pagina: Type.Optional(Type.String({ maxLength: 6 })),
  esito: Type.Optional(Type.String({ maxLength: 40 })),
});

const statusParam = { bozza: 'draft', pubblicato: 'published' } as const;

export interface ListFilters {
  year: number | undefined;
  status: keyof typeof statusParam | undefined;
  q: string | undefined;
  page: number;
}

export function parseListFilters(query: { anno?: string | undefined; stato?: string | undefined; q?: string | undefined; pagina?: string | undefined }): ListFilters {
  const year = query.anno && /^\d{4}$/.test(query.anno) ? Number(query.anno) : undefined;
  const status = query.stato && query.stato in statusParam ? (query.stato as keyof typeof statusParam) : undefined;
  const q = query.q?.trim() || undefined;
  const page = query.pagina && /^\d{1,5}$/.test(query.pagina) ? Math.max(1, Number(query.pagina)) : 1;
  return { year, status, q, page };
}

/** Years that have a register (published acts), newest first, always including the current one. */
export async function registerYears(platform: Platform, enteId: string): Promise<number[]> {
  const rows = await withEnte(platform.db.app, enteId, (trx) => trx.selectFrom('notice_register').select('year').orderBy('year', 'desc').execute());
  const current = Number(todayInRome().slice(0, 4));
  return [...new Set([current, ...rows.map((r) => r.year)])].sort((a, b) => b - a);
}

function queryString(filters: ListFilters, page: number): string {
  const params = new URLSearchParams();
  if (filters.year) params.set('anno', String(filters.year));
  if (filters.status) params.set('stato', filters.status);
  if (filters.q) params.set('q', filters.q);
  if (page > 1) params.set('pagina', String(page));
  const s = params.toString();
  return s ? `?${s}` : '';
}

function Pagination({ slug, filters, total }: { slug: string; filters: ListFilters; total: number }) {
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  if (pages <= 1) return null;
  const current = Math.min(filters.page, pages);
  const shown = [...new Set([1, current - 1, current, current + 1, pages])].filter((p) => p >= 1 && p <= pages).sort((a, b) => a - b);
  return (
    <nav class="pagination-wrapper" aria-label={t('noticeboard.bo.list.pagination')}>
      <ul class="pagination">
        {current > 1 ? (
          <li class="page-item">
            <a class="page-link" href={`${alboPath(slug)}${queryString(filters, current - 1)}`}>
              {t('noticeboard.bo.list.previous')}
            </a>
          </li>
        ) : null}
        {shown.map((p) => (
          <li class={`page-item${p === current ? ' active' : ''}`}>
            {p === current ? (
              <a class="page-link" aria-current="page" href={`${alboPath(slug)}${queryString(filters, p)}`}>
                <span class="visually-hidden">{t('noticeboard.bo.list.page')} </span>
                {p}
              </a>
            ) : (
              <a class="page-link" href={`${alboPath(slug)}${queryString(filters, p)}`}>
                <span class="visually-hidden">{t('noticeboard.bo.list.page')} </span>
                {p}
              </a>
            )}
          </li>
        ))}
        {current < pages ? (
          <li class="page-item">
            <a class="page-link" href={`${alboPath(slug)}${queryString(filters, current + 1)}`}>
              {t('noticeboard.bo.list.next')}
            </a>
          </li>
        ) : null}
      </ul>
    </nav>
  );
}

function RegisterTable({ slug, items, caption }: { slug: string; items: NoticeView[]; caption: string }) {
  return (
    <div class="table-responsive">
      <table class="table align-middle">
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{t('noticeboard.bo.col.number')}</th>
            <th scope="col">{t('noticeboard.bo.col.type')}</th>
            <th scope="col">{t('noticeboard.bo.col.subject')}</th>
            <th scope="col">{t('noticeboard.bo.col.period')}</th>
            <th scope="col">{t('noticeboard.bo.col.state')}</th>
          </tr>
        </thead>
        <tbody>
          {items.map((n) => (
            <tr>
              <th scope="row">{n.register ? n.register.label : <span class="text-muted">{t('noticeboard.bo.list.noNumber')}</span>}</th>
              <td>{n.actType.name}</td>
              <td>
                <a href={`${alboPath(slug)}/${n.id}`}>{n.subject.length > 160 ? `${n.subject.slice(0, 157)}…` : n.subject}</a>
                {n.requester ? <span class="d-block small">{t('noticeboard.bo.list.requester', { name: n.requester.name })}</span> : null}
              </td>
              <td>{periodText(n)}</td>
              <td>
                <StateBadges view={n} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function registerListPage(app: App, platform: Platform) {
  app.get('/backoffice/enti/:slug/albo', { schema: { hide: true, params: Type.Object({ slug: Type.String({ maxLength: 200 }) }), querystring: ListQuery } }, async (request, reply) => {
    const g = await guard(request, reply, platform, request.params.slug, 'noticeboard.read');
    if (!g) return reply;
    const { ente } = g;
    const filters = parseListFilters(request.query);
    const [page, years] = await Promise.all([
      registerList(platform.db.app, ente.id, {
        year: filters.year,
        status: filters.status ? statusParam[filters.status] : undefined,
        q: filters.q,
        limit: PAGE_SIZE,
        offset: (filters.page - 1) * PAGE_SIZE,
      }),
      registerYears(platform, ente.id),
    ]);
    const base = alboPath(ente.slug);
    const title = t('noticeboard.bo.list.title', { name: ente.name });
    const publisher = canPublish(g);
    const filtered = Boolean(filters.year || filters.status || filters.q);
    return sendPage(
      reply,
      <AlboLayout request={request} ente={ente} title={title}>
        <h1>{title}</h1>
        <p>{t('noticeboard.bo.list.intro')}</p>
        <Outcome esito={request.query.esito} />
        <ul class="list-inline d-flex flex-wrap gap-2 mb-4">
          {publisher ? (
            <li class="list-inline-item">
              <a class="btn btn-primary" href={`${base}/nuovo`}>
                {t('noticeboard.bo.list.new')}
              </a>
            </li>
          ) : null}
          <li class="list-inline-item">
            <a class="btn btn-outline-primary" href={`${base}/interruzioni`}>
              {t('noticeboard.bo.list.interruptions')}
            </a>
          </li>
          <li class="list-inline-item">
            <a class="btn btn-outline-primary" href={`${base}/richieste`}>
              {t('noticeboard.bo.list.requests')}
            </a>
          </li>
          <li class="list-inline-item">
            <a class="btn btn-outline-primary" href={`/${ente.slug}/albo`}>
              {t('noticeboard.bo.list.public')}
            </a>
          </li>
        </ul>

        <section aria-labelledby="filtri" class="mb-4">
          <h2 id="filtri" class="h4">
            {t('noticeboard.bo.list.filters')}
          </h2>
          <form method="get" action={base} class="row g-3 align-items-end">
            <div class="col-md-2">
              <label for="filtro-anno" class="form-label">
                {t('noticeboard.bo.list.year')}
              </label>
              <select id="filtro-anno" name="anno" class="form-select">
                <option value="">{t('noticeboard.bo.list.allYears')}</option>
                {years.map((y) => (
                  <option value={String(y)} selected={filters.year === y}>
                    {y}
                  </option>
                ))}
              </select>
            </div>
            <div class="col-md-3">
              <label for="filtro-stato" class="form-label">
                {t('noticeboard.bo.list.status')}
              </label>
              <select id="filtro-stato" name="stato" class="form-select">
                <option value="">{t('noticeboard.bo.list.allStatuses')}</option>
                <option value="bozza" selected={filters.status === 'bozza'}>
                  {t('noticeboard.bo.list.status.draft')}
                </option>
                <option value="pubblicato" selected={filters.status === 'pubblicato'}>
                  {t('noticeboard.bo.list.status.published')}
                </option>
              </select>
            </div>
            <div class="col-md-4">
              <label for="filtro-testo" class="form-label">
                {t('noticeboard.bo.list.q')}
              </label>
              <input type="search" id="filtro-testo" name="q" value={filters.q ?? ''} maxLength={200} class="form-control" />
            </div>
            <div class="col-md-3 d-flex gap-2">
              <button type="submit" class="btn btn-primary">
                {t('noticeboard.bo.list.apply')}
              </button>
              {filtered ? (
                <a class="btn btn-outline-secondary" href={base}>
                  {t('noticeboard.bo.list.reset')}
                </a>
              ) : null}
            </div>
          </form>
        </section>

        <section aria-labelledby="registro" class="mb-5">
          <h2 id="registro" class="h4">
            {t('noticeboard.bo.list.register')}
          </h2>
          <p role="status">{page.total === 1 ? t('noticeboard.bo.list.count.one') : t('noticeboard.bo.list.count.other', { count: formatNumber(page.total) })}</p>
          {page.items.length > 0 ? <RegisterTable slug={ente.slug} items={page.items} caption={t('noticeboard.bo.list.caption', { name: ente.name })} /> : <p>{t('noticeboard.bo.list.empty')}</p>}
          <Pagination slug={ente.slug} filters={filters} total={page.total} />
        </section>

        <section aria-labelledby="esporta" class="mb-5">
          <h2 id="esporta" class="h4">
            {t('noticeboard.bo.export.title')}
          </h2>
          <p id="esporta-aiuto">{t('noticeboard.bo.export.help')}</p>
          <form method="get" action={`${base}/registro.csv`} class="row g-3 align-items-end">
            <div class="col-md-2">
              <label for="esporta-anno" class="form-label">
                {t('noticeboard.bo.list.year')}
              </label>
              <select id="esporta-anno" name="anno" class="form-select" aria-describedby="esporta-aiuto">
                {years.map((y) => (
                  <option value={String(y)} selected={(filters.year ?? years[0]) === y}>
                    {y}
                  </option>
                ))}
              </select>
            </div>
            <div class="col-md-10 d-flex flex-wrap gap-2">
              <button type="submit" class="btn btn-outline-primary">
                {t('noticeboard.bo.export.csv')}
              </button>
              <button type="submit" class="btn btn-outline-primary" formaction={`${base}/registro.xlsx`}>
                {t('noticeboard.bo.export.xlsx')}
              </button>
              <button type="submit" class="btn btn-outline-primary" formaction={`${base}/registro.pdf`}>
                {t('noticeboard.bo.export.pdf')}
              </button>
            </div>
          </form>
        </section>
      </AlboLayout>,
    );
  });
}
