// The positions of an ente (/backoffice/enti/{slug}/pagamenti): search and filters, the totals of what matches
// (due, collected, expired), collections per month as a chart, the page of results and the CSV/XLSX export.
import type { FastifyRequest } from 'fastify';
import { Type, type Static } from 'typebox';
import { can } from '../../../platform/auth/index.js';
import { todayInRome } from '../../../platform/calendar/index.js';
import { withEnte } from '../../../platform/db/index.js';
import type { App } from '../../../platform/http/app.js';
import type { Platform } from '../../../platform/platform.js';
import { ColumnChart } from '../../../platform/views/chart.js';
import { formatDate, formatNumber, t } from '../../../platform/views/i18n/index.js';
import type { PositionStatus } from '../store.js';
import { Outcome, PaymentsLayout, StatusBadge, euro, guard, monthLabel, paymentsPath, sendPage, statusText } from './common.js';
import { STATUSES, collectionsByMonth, lastMonths, listPositions, totals, type PositionFilters, type Totals } from './queries.js';

export const PAGE_SIZE = 25;

export const ListQuery = Type.Object({
  stato: Type.Optional(Type.String({ maxLength: 20 })),
  servizio: Type.Optional(Type.String({ maxLength: 40 })),
  debitore: Type.Optional(Type.String({ maxLength: 16 })),
  q: Type.Optional(Type.String({ maxLength: 200 })),
  dal: Type.Optional(Type.String({ maxLength: 10 })),
  al: Type.Optional(Type.String({ maxLength: 10 })),
  pagina: Type.Optional(Type.String({ maxLength: 6 })),
  esito: Type.Optional(Type.String({ maxLength: 40 })),
});
export type ListQueryType = Static<typeof ListQuery>;

/** The page's query string → filters (unknown values are ignored, never an error). */
export function filtersOf(query: ListQueryType): PositionFilters & { page: number } {
  const isDate = (s: string | undefined) => (s && /^\d{4}-\d{2}-\d{2}$/.test(s) ? s : undefined);
  return {
    status: STATUSES.includes(query.stato as PositionStatus) ? (query.stato as PositionStatus) : undefined,
    service: query.servizio && /^[a-z0-9_]{2,40}$/.test(query.servizio) ? query.servizio : undefined,
    debtor: query.debitore?.trim() || undefined,
    q: query.q?.trim() || undefined,
    dueFrom: isDate(query.dal),
    dueTo: isDate(query.al),
    page: query.pagina && /^\d{1,5}$/.test(query.pagina) ? Math.max(1, Number(query.pagina)) : 1,
  };
}

export function queryOf(f: PositionFilters, page = 1): string {
  const p = new URLSearchParams();
  if (f.status) p.set('stato', f.status);
  if (f.service) p.set('servizio', f.service);
  if (f.debtor) p.set('debitore', f.debtor);
  if (f.q) p.set('q', f.q);
  if (f.dueFrom) p.set('dal', f.dueFrom);
  if (f.dueTo) p.set('al', f.dueTo);
  if (page > 1) p.set('pagina', String(page));
  const s = p.toString();
  return s ? `?${s}` : '';
}

export function TotalsList({ totals }: { totals: Totals }) {
  const items: [string, string][] = [
    [t('payments.bo.totals.positions'), formatNumber(totals.positions)],
    [t('payments.bo.totals.due'), euro(totals.dueCents)],
    [t('payments.bo.totals.paid'), euro(totals.paidCents)],
    [t('payments.bo.totals.expired'), euro(totals.expiredCents)],
  ];
  return (
    <dl class="row mb-4" id="totali">
      {items.map(([label, value]) => (
        <div class="col-6 col-md-3">
          <dt>{label}</dt>
          <dd class="h4">{value}</dd>
        </div>
      ))}
    </dl>
  );
}

/** Collections of the last 12 months as columns (euro), with the data table under it. */
export function CollectionsChart({ id, months, byMonth, title }: { id: string; months: string[]; byMonth: Map<string, number>; title: string }) {
  return (
    <ColumnChart
      id={id}
      title={title}
      description={t('payments.bo.chart.description')}
      categories={months.map(monthLabel)}
      series={[{ name: t('payments.bo.chart.series'), values: months.map((m) => (byMonth.get(m) ?? 0) / 100) }]}
      format={(v) => `${formatNumber(Math.round(v * 100) / 100)} €`}
    />
  );
}

function Pagination({ base, filters, total }: { base: string; filters: PositionFilters & { page: number }; total: number }) {
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  if (pages <= 1) return null;
  const current = Math.min(filters.page, pages);
  return (
    <nav class="pagination-wrapper" aria-label={t('payments.bo.list.pagination')}>
      <ul class="pagination">
        {current > 1 ? (
          <li class="page-item">
            <a class="page-link" href={`${base}${queryOf(filters, current - 1)}`}>
              {t('payments.bo.list.previous')}
            </a>
          </li>
        ) : null}
        <li class="page-item active">
          <a class="page-link" aria-current="page" href={`${base}${queryOf(filters, current)}`}>
            {t('payments.bo.list.pageOf', { page: current, pages })}
          </a>
        </li>
        {current < pages ? (
          <li class="page-item">
            <a class="page-link" href={`${base}${queryOf(filters, current + 1)}`}>
              {t('payments.bo.list.next')}
            </a>
          </li>
        ) : null}
      </ul>
    </nav>
  );
}

export function registerListPage(app: App, platform: Platform) {
  app.get('/backoffice/enti/:slug/pagamenti', { schema: { hide: true, params: Type.Object({ slug: Type.String({ maxLength: 200 }) }), querystring: ListQuery } }, async (request: FastifyRequest<{ Params: { slug: string }; Querystring: ListQueryType }>, reply) => {
    const g = await guard(request, reply, platform, request.params.slug, 'payments.read');
    if (!g) return reply;
    const { ente } = g;
    const filters = filtersOf(request.query);
    const today = todayInRome();
    const months = lastMonths(today, 12);
    const { page, sums, byMonth, services } = await withEnte(platform.db.app, ente.id, async (trx) => ({
      page: await listPositions(trx, filters, { limit: PAGE_SIZE, offset: (filters.page - 1) * PAGE_SIZE }, today),
      sums: await totals(trx, ente.id, filters, today),
      byMonth: await collectionsByMonth(trx, filters, months, today),
      services: await trx.selectFrom('payment_service').select(['code', 'name']).orderBy('name').execute(),
    }));
    const base = paymentsPath(ente.slug);
    const manager = can(g.staff, ente.id, 'payments.manage');
    const title = t('payments.bo.list.title', { name: ente.name });
    const filtered = Boolean(filters.status || filters.service || filters.debtor || filters.q || filters.dueFrom || filters.dueTo);
    return sendPage(
      reply,
      <PaymentsLayout request={request} ente={ente} title={title}>
        <h1>{title}</h1>
        <Outcome esito={request.query.esito} />
        {manager ? (
          <ul class="list-inline d-flex flex-wrap gap-2 mb-4">
            <li class="list-inline-item">
              <a class="btn btn-primary" href={`${base}/posizioni/nuova`}>
                {t('payments.bo.list.new')}
              </a>
            </li>
            <li class="list-inline-item">
              <a class="btn btn-outline-primary" href={`${base}/caricamento`}>
                {t('payments.bo.list.upload')}
              </a>
            </li>
            <li class="list-inline-item">
              <a class="btn btn-outline-primary" href={`${base}/servizi`}>
                {t('payments.bo.list.catalogue')}
              </a>
            </li>
            <li class="list-inline-item">
              <a class="btn btn-outline-primary" href={`${base}/configurazione`}>
                {t('payments.bo.list.config')}
              </a>
            </li>
          </ul>
        ) : null}

        <section aria-labelledby="filtri" class="mb-4">
          <h2 id="filtri" class="h4">
            {t('payments.bo.list.filters')}
          </h2>
          <form method="get" action={base} class="row g-3 align-items-end">
            <div class="col-md-4">
              <label for="filtro-testo" class="form-label">
                {t('payments.bo.list.q')}
              </label>
              <input type="search" id="filtro-testo" name="q" value={filters.q ?? ''} maxLength={200} class="form-control" />
            </div>
            <div class="col-md-2">
              <label for="filtro-stato" class="form-label">
                {t('payments.bo.list.status')}
              </label>
              <select id="filtro-stato" name="stato" class="form-select">
                <option value="">{t('payments.bo.list.allStatuses')}</option>
                {STATUSES.map((s) => (
                  <option value={s} selected={filters.status === s}>
                    {statusText(s)}
                  </option>
                ))}
              </select>
            </div>
            <div class="col-md-2">
              <label for="filtro-servizio" class="form-label">
                {t('payments.bo.list.service')}
              </label>
              <select id="filtro-servizio" name="servizio" class="form-select">
                <option value="">{t('payments.bo.list.allServices')}</option>
                {services.map((s) => (
                  <option value={s.code} selected={filters.service === s.code}>
                    {s.name}
                  </option>
                ))}
              </select>
            </div>
            <div class="col-md-2">
              <label for="filtro-dal" class="form-label">
                {t('payments.bo.list.dueFrom')}
              </label>
              <input type="date" id="filtro-dal" name="dal" value={filters.dueFrom ?? ''} class="form-control" />
            </div>
            <div class="col-md-2">
              <label for="filtro-al" class="form-label">
                {t('payments.bo.list.dueTo')}
              </label>
              <input type="date" id="filtro-al" name="al" value={filters.dueTo ?? ''} class="form-control" />
            </div>
            <div class="col-12 d-flex gap-2">
              <button type="submit" class="btn btn-primary">
                {t('payments.bo.list.apply')}
              </button>
              {filtered ? (
                <a class="btn btn-outline-secondary" href={base}>
                  {t('payments.bo.list.reset')}
                </a>
              ) : null}
            </div>
          </form>
        </section>

        <section aria-labelledby="riepilogo" class="mb-4">
          <h2 id="riepilogo" class="h4">
            {t('payments.bo.totals.title')}
          </h2>
          <TotalsList totals={sums} />
          <CollectionsChart id="incassi-mese" months={months} byMonth={byMonth} title={t('payments.bo.chart.title', { name: ente.name })} />
        </section>

        <section aria-labelledby="posizioni" class="mb-4">
          <h2 id="posizioni" class="h4">
            {t('payments.bo.list.positions')}
          </h2>
          <p role="status">{t('payments.bo.list.count', { count: formatNumber(page.total) })}</p>
          {page.items.length === 0 ? (
            <p>{t('payments.bo.list.empty')}</p>
          ) : (
            <div class="table-responsive">
              <table class="table align-middle">
                <caption>{t('payments.bo.list.caption', { name: ente.name })}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('payments.bo.col.debtor')}</th>
                    <th scope="col">{t('payments.bo.col.reason')}</th>
                    <th scope="col">{t('payments.bo.col.service')}</th>
                    <th scope="col" class="text-end">
                      {t('payments.bo.col.amount')}
                    </th>
                    <th scope="col">{t('payments.bo.col.due')}</th>
                    <th scope="col">{t('payments.bo.col.status')}</th>
                  </tr>
                </thead>
                <tbody>
                  {page.items.map((p) => (
                    <tr>
                      <th scope="row">
                        {p.debtorName}
                        <span class="d-block small">{p.debtorFiscalCode}</span>
                      </th>
                      <td>
                        <a href={`${base}/posizioni/${p.id}`}>{p.reason}</a>
                        {p.externalRef ? <span class="d-block small">{p.externalRef}</span> : null}
                      </td>
                      <td>{p.serviceCode}</td>
                      <td class="text-end">{euro(p.amountCents)}</td>
                      <td>{formatDate(p.firstDue)}</td>
                      <td>
                        <StatusBadge status={p.status} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <Pagination base={base} filters={filters} total={page.total} />
        </section>

        <section aria-labelledby="esporta" class="mb-5">
          <h2 id="esporta" class="h4">
            {t('payments.bo.export.title')}
          </h2>
          <p>{t('payments.bo.export.help')}</p>
          <ul class="list-inline d-flex gap-2">
            <li class="list-inline-item">
              <a class="btn btn-outline-primary" href={`${base}/posizioni.csv${queryOf(filters)}`} download>
                {t('payments.bo.export.csv')}
              </a>
            </li>
            <li class="list-inline-item">
              <a class="btn btn-outline-primary" href={`${base}/posizioni.xlsx${queryOf(filters)}`} download>
                {t('payments.bo.export.xlsx')}
              </a>
            </li>
          </ul>
        </section>
      </PaymentsLayout>,
    );
  });
}
