// The public list of an ente's albo: the acts online today, with filters (type, register year, free text) and
// an accessible pagination. Usable without JavaScript: the filters are a plain GET form.
import type { Ente } from '../../../platform/tenancy/index.js';
import { formatNumber, t } from '../../../platform/views/i18n/index.js';
import { Layout, type Viewer } from '../../../platform/views/layout.js';
import type { NoticeView } from '../service.js';
import { alboPath, feedPath, noticePath, periodText, registerRef } from './shared.js';
import { tp } from '../messages-public.js';

export const PAGE_SIZE = 20;

export interface ListFilters {
  type?: string | undefined;
  year?: number | undefined;
  q?: string | undefined;
}

export interface ListData {
  viewer: Viewer | null;
  ente: Ente;
  types: { code: string; name: string }[];
  years: number[];
  filters: ListFilters;
  page: number;
  total: number;
  items: NoticeView[];
}

/** The query string of a list address (Italian parameter names, so the address reads like the page). */
export function listHref(slug: string, filters: ListFilters, page = 1): string {
  const params = new URLSearchParams();
  if (filters.type) params.set('tipo', filters.type);
  if (filters.year) params.set('anno', String(filters.year));
  if (filters.q) params.set('q', filters.q);
  if (page > 1) params.set('pagina', String(page));
  const query = params.toString();
  return query ? `${alboPath(slug)}?${query}` : alboPath(slug);
}

/** The pages to show: first, last, and two either side of the current one; null is a gap. */
export function pageWindow(page: number, pages: number): (number | null)[] {
  const shown = new Set([1, pages]);
  for (let p = page - 2; p <= page + 2; p++) if (p >= 1 && p <= pages) shown.add(p);
  const sorted = [...shown].sort((a, b) => a - b);
  const out: (number | null)[] = [];
  for (const [i, p] of sorted.entries()) {
    if (i > 0 && p - sorted[i - 1]! > 1) out.push(null);
    out.push(p);
  }
  return out;
}

function Pagination({ slug, filters, page, pages }: { slug: string; filters: ListFilters; page: number; pages: number }) {
  if (pages <= 1) return null;
  return (
    <nav class="pagination-wrapper mt-4" aria-label={t('noticeboard.public.pagination')}>
      <ul class="pagination flex-wrap">
        {page > 1 ? (
          <li class="page-item">
            <a class="page-link" href={listHref(slug, filters, page - 1)} rel="prev">
              {t('noticeboard.public.pagination.previous')}
            </a>
          </li>
        ) : null}
        {pageWindow(page, pages).map((p) =>
          p === null ? (
            <li class="page-item">
              <span class="page-link" aria-hidden="true">
                …
              </span>
            </li>
          ) : (
            <li class={`page-item${p === page ? ' active' : ''}`}>
              <a class="page-link" href={listHref(slug, filters, p)} aria-current={p === page ? 'page' : undefined}>
                <span class="visually-hidden">{t('noticeboard.public.pagination.page')} </span>
                {p}
              </a>
            </li>
          ),
        )}
        {page < pages ? (
          <li class="page-item">
            <a class="page-link" href={listHref(slug, filters, page + 1)} rel="next">
              {t('noticeboard.public.pagination.next')}
            </a>
          </li>
        ) : null}
      </ul>
      <p class="small mt-2">{t('noticeboard.public.pagination.status', { page, pages })}</p>
    </nav>
  );
}

/** ANNULLATO / rettifica / rettificato: the marks an act carries in lists and on its page. */
export function NoticeMarks({ slug, notice }: { slug: string; notice: NoticeView }) {
  if (!notice.annulment && !notice.corrects && notice.correctedBy.length === 0) return null;
  return (
    <p class="d-flex flex-wrap align-items-center gap-2 mb-0 mt-1">
      {notice.annulment ? <span class="badge bg-danger">{t('noticeboard.public.annulled.badge')}</span> : null}
      {notice.corrects ? (
        <span>
          {t('noticeboard.public.corrects')}{' '}
          <a href={noticePath(slug, notice.corrects.id)}>{notice.corrects.label ? t('noticeboard.public.number', { label: notice.corrects.label }) : t('noticeboard.public.corrects.unnumbered')}</a>
        </span>
      ) : null}
      {notice.correctedBy.length > 0 ? (
        <span>
          <span class="badge bg-primary">{t('noticeboard.public.corrected.badge')}</span> {t('noticeboard.public.correctedBy')}{' '}
          {notice.correctedBy.map((c, i) => (
            <>
              {i > 0 ? ', ' : null}
              <a href={noticePath(slug, c.id)}>{t('noticeboard.public.number', { label: c.label })}</a>
            </>
          ))}
        </span>
      ) : null}
    </p>
  );
}

function NoticeItem({ slug, notice }: { slug: string; notice: NoticeView }) {
  const headingId = `atto-${notice.id}`;
  return (
    <li class="py-3 border-bottom">
      <article aria-labelledby={headingId}>
        <h3 class="h5 mb-1" id={headingId}>
          <a href={noticePath(slug, notice.id)}>{notice.subject}</a>
        </h3>
        <p class="mb-0">
          <strong>{registerRef(notice)}</strong> · {notice.actType.name} · {periodText(notice)}
          {notice.extensionDays > 0 ? ` ${t('noticeboard.public.extendedShort')}` : ''}
        </p>
        <NoticeMarks slug={slug} notice={notice} />
      </article>
    </li>
  );
}

export function ListPage({ viewer, ente, types, years, filters, page, total, items }: ListData) {
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  const filtered = Boolean(filters.type || filters.year || filters.q);
  const title = t('noticeboard.public.title');
  return (
    <Layout
      title={`${title} · ${ente.name}`}
      viewer={viewer}
      brand={{ name: ente.name, subtitle: t(`kind.${ente.kind}`), href: `/${ente.slug}/` }}
      breadcrumbs={[{ label: t('app.name'), href: '/' }, { label: ente.name, href: `/${ente.slug}/` }, { label: title }]}
      head={<link rel="alternate" type="application/rss+xml" title={t('noticeboard.public.feed.title', { name: ente.name })} href={feedPath(ente.slug)} />}
    >
      <h1>{title}</h1>
      <p class="lead">{t('noticeboard.public.intro', { name: ente.name })}</p>
      <p>
        <a href={feedPath(ente.slug)}>{t('noticeboard.public.feed.link')}</a>
      </p>

      <section aria-labelledby="filtri" class="my-4">
        <h2 id="filtri" class="h4">
          {t('noticeboard.public.filters')}
        </h2>
        <form method="get" action={alboPath(ente.slug)} role="search" class="row g-3 align-items-end">
          <div class="col-md-4">
            <label for="tipo" class="form-label">
              {t('noticeboard.public.filters.type')}
            </label>
            <select id="tipo" name="tipo" class="form-select">
              <option value="">{t('noticeboard.public.filters.type.all')}</option>
              {types.map((type) => (
                <option value={type.code} selected={type.code === filters.type}>
                  {type.name}
                </option>
              ))}
            </select>
          </div>
          <div class="col-md-2">
            <label for="anno" class="form-label">
              {t('noticeboard.public.filters.year')}
            </label>
            <select id="anno" name="anno" class="form-select">
              <option value="">{t('noticeboard.public.filters.year.all')}</option>
              {years.map((year) => (
                <option value={String(year)} selected={year === filters.year}>
                  {String(year)}
                </option>
              ))}
            </select>
          </div>
          <div class="col-md-4">
            <label for="q" class="form-label">
              {t('noticeboard.public.filters.q')}
            </label>
            <input type="search" id="q" name="q" class="form-control" value={filters.q ?? ''} maxLength={200} aria-describedby="q-aiuto" />
            <p id="q-aiuto" class="form-text small mb-0">
              {t('noticeboard.public.filters.q.help')}
            </p>
          </div>
          <div class="col-md-2 d-flex flex-wrap gap-2">
            <button type="submit" class="btn btn-primary">
              {t('noticeboard.public.filters.submit')}
            </button>
            {filtered ? (
              <a href={alboPath(ente.slug)} class="btn btn-outline-primary">
                {t('noticeboard.public.filters.reset')}
              </a>
            ) : null}
          </div>
        </form>
      </section>

      <section aria-labelledby="atti">
        <h2 id="atti" class="h4">
          {t('noticeboard.public.results')}
        </h2>
        <p role="status">
          {total === 0
            ? filtered
              ? t('noticeboard.public.results.noneFiltered')
              : t('noticeboard.public.results.none')
            : filtered
              ? tp('noticeboard.public.results.found', total)
              : tp('noticeboard.public.results.online', total)}
          {total > PAGE_SIZE ? ` ${t('noticeboard.public.results.range', { from: formatNumber((page - 1) * PAGE_SIZE + 1), to: formatNumber(Math.min(page * PAGE_SIZE, total)) })}` : ''}
        </p>
        {items.length > 0 ? (
          <ul class="list-unstyled">
            {items.map((notice) => (
              <NoticeItem slug={ente.slug} notice={notice} />
            ))}
          </ul>
        ) : null}
        <Pagination slug={ente.slug} filters={filters} page={page} pages={pages} />
      </section>
      <p class="small mt-4">{t('noticeboard.public.legal')}</p>
    </Layout>
  );
}
