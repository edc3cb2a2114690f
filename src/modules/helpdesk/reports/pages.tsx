// The report page (the desk's across enti, or one ente's): filters, key figures, charts where a shape says more
// than numbers, every table with its CSV/XLSX download. The charts' figures are the tables right after them.
import { BarChart, ColumnChart, LineChart } from '../../../platform/views/chart.js';
import { formatNumber, t } from '../../../platform/views/i18n/index.js';
import { cellText, type Cell, type ExportColumn } from '../../../platform/views/table-export.js';
import type { HelpdeskReport } from './service.js';
import { reportTables, type ReportTable, type TableKey } from './tables.js';
import './messages.js';

export interface ReportPageProps {
  report: HelpdeskReport;
  /** Path of the page; exports are under `${base}/{table}.csv|xlsx`. */
  base: string;
  /** Query string of the filters ('' or '?anno=…'), appended to the export links. */
  qs: string;
  years: number[];
  categories: { code: string; name: string; top: boolean }[];
  /** The desk's filter of enti (absent on an ente's page). */
  enti?: { slug: string; name: string }[];
  /** Page of the on-site hours, when the on-site area has one. */
  onsiteHref?: string | undefined;
}

const percent = new Intl.NumberFormat('it-IT', { style: 'percent', maximumFractionDigits: 1 });
const decimal = new Intl.NumberFormat('it-IT', { maximumFractionDigits: 2 });

/** A cell as the page shows it: Italian numbers with grouping, percentages, a dash for no value. */
function shown(value: Cell, kind: ExportColumn['kind']): string {
  if (value === null || value === undefined || (typeof value === 'number' && !Number.isFinite(value))) return '—';
  if (typeof value === 'number') return kind === 'percent' ? percent.format(value) : Number.isInteger(value) ? formatNumber(value) : decimal.format(value);
  return cellText(value, kind);
}

export function duration(minutes: number | null): string {
  if (minutes === null) return t('helpdesk.report.kpi.none');
  const h = Math.floor(minutes / 60);
  const m = Math.round(minutes % 60);
  return h > 0 ? t('helpdesk.report.hm', { h, m }) : t('helpdesk.report.m', { m });
}

function ExportLinks({ base, qs, table }: { base: string; qs: string; table: ReportTable }) {
  return (
    <p class="small">
      {t('helpdesk.report.export.of', { what: table.title })}{' '}
      <a href={`${base}/${table.key}.csv${qs}`}>{t('helpdesk.report.export.csv')}</a> ·{' '}
      <a href={`${base}/${table.key}.xlsx${qs}`}>{t('helpdesk.report.export.xlsx')}</a>
    </p>
  );
}

function DataTable({ table, base, qs }: { table: ReportTable; base: string; qs: string }) {
  return (
    <>
      <div class="table-responsive">
        <table class="table table-sm" id={`tabella-${table.key}`}>
          <caption>{table.title}</caption>
          <thead>
            <tr>
              {table.columns.map((c, i) => (
                <th scope="col" class={i > 0 && c.kind ? 'text-end' : undefined}>
                  {c.header}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {table.rows.map((row) => (
              <tr>
                {table.columns.map((c, i) =>
                  i === 0 ? (
                    <th scope="row">{shown(row[0], c.kind)}</th>
                  ) : (
                    <td class={c.kind ? 'text-end' : undefined}>{shown(row[i], c.kind)}</td>
                  ),
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <ExportLinks base={base} qs={qs} table={table} />
    </>
  );
}

function Filters({ report, years, categories, enti, base }: Pick<ReportPageProps, 'report' | 'years' | 'categories' | 'enti' | 'base'>) {
  return (
    <form method="get" action={base} class="row g-3 align-items-end mb-4" aria-labelledby="filtri">
      <h2 id="filtri" class="visually-hidden">
        {t('helpdesk.report.filters')}
      </h2>
      <div class="col-sm-3 col-lg-2">
        <label for="anno" class="form-label">
          {t('helpdesk.report.filter.year')}
        </label>
        <select id="anno" name="anno" class="form-select">
          {years.map((y) => (
            <option value={String(y)} selected={y === report.year}>
              {y}
            </option>
          ))}
        </select>
      </div>
      {enti ? (
        <div class="col-sm-9 col-lg-4">
          <label for="ente" class="form-label">
            {t('helpdesk.report.filter.ente')}
          </label>
          <select id="ente" name="ente" class="form-select">
            <option value="">{t('helpdesk.report.filter.ente.all')}</option>
            {enti.map((e) => (
              <option value={e.slug} selected={report.ente?.slug === e.slug}>
                {e.name}
              </option>
            ))}
          </select>
        </div>
      ) : null}
      <div class="col-sm-9 col-lg-4">
        <label for="categoria" class="form-label">
          {t('helpdesk.report.filter.category')}
        </label>
        <select id="categoria" name="categoria" class="form-select">
          <option value="">{t('helpdesk.report.filter.category.all')}</option>
          {categories.map((c) => (
            <option value={c.code} selected={report.category?.code === c.code}>
              {c.top ? c.name : `— ${c.name}`}
            </option>
          ))}
        </select>
      </div>
      <div class="col-sm-3 col-lg-2">
        <button type="submit" class="btn btn-primary">
          {t('helpdesk.report.filter.submit')}
        </button>
      </div>
    </form>
  );
}

function Kpis({ report }: { report: HelpdeskReport }) {
  const { totals, firstResponse } = report;
  const pct = (v: number | null) => (v === null ? t('helpdesk.report.kpi.none') : percent.format(v));
  const items: [string, string][] = [
    [t('helpdesk.report.kpi.opened'), formatNumber(totals.opened)],
    [t('helpdesk.report.kpi.solved'), formatNumber(totals.solved)],
    [t('helpdesk.report.kpi.fr'), pct(totals.firstResponse.rate)],
    [t('helpdesk.report.kpi.res'), pct(totals.resolution.rate)],
    [t('helpdesk.report.kpi.frMedian'), firstResponse.median === null ? t('helpdesk.report.kpi.none') : t('helpdesk.report.kpi.minutes', { time: duration(firstResponse.median) })],
    [t('helpdesk.report.kpi.frP90'), firstResponse.p90 === null ? t('helpdesk.report.kpi.none') : t('helpdesk.report.kpi.minutes', { time: duration(firstResponse.p90) })],
    [t('helpdesk.report.kpi.rating'), totals.satisfaction.average === null ? t('helpdesk.report.kpi.none') : `${decimal.format(totals.satisfaction.average)} / 5`],
    [t('helpdesk.report.kpi.responseRate'), pct(totals.satisfaction.responseRate)],
  ];
  return (
    <section aria-labelledby="riepilogo" class="mb-5">
      <h2 id="riepilogo">{t('helpdesk.report.summary', { year: report.year })}</h2>
      <dl class="row" id="kpi">
        {items.map(([label, value]) => (
          <div class="col-6 col-md-3 mb-3">
            <dt class="small fw-normal">{label}</dt>
            <dd class="h4 mb-0">{value}</dd>
          </div>
        ))}
      </dl>
      <p class="small mb-0">
        {t('helpdesk.report.kpi.workingNote')}{' '}
        {firstResponse.measured < firstResponse.of ? t('helpdesk.report.kpi.sampled', { measured: formatNumber(firstResponse.measured), of: formatNumber(firstResponse.of) }) : null}
      </p>
    </section>
  );
}

export function ReportPage(props: ReportPageProps) {
  const { report, base, qs } = props;
  const tables = new Map(reportTables(report).map((tb) => [tb.key, tb]));
  const table = (key: TableKey) => {
    const tb = tables.get(key);
    return tb ? <DataTable table={tb} base={base} qs={qs} /> : null;
  };
  const months = report.months.map((m) => t(`helpdesk.report.monthShort.${m.month}`));
  const seeTable = t('helpdesk.report.chart.seeTable');
  const pctFormat = (v: number) => `${formatNumber(Math.round(v))}%`;
  const tops = report.categories.filter((c) => c.parentCode === null);
  const topEnti = report.enti.slice(0, 15);
  const sat = report.totals.satisfaction;
  return (
    <>
      <p>{t('helpdesk.report.intro')}</p>
      <Filters {...props} />
      <Kpis report={report} />
      {report.totals.opened === 0 && report.months.every((m) => m.solvedInMonth === 0) ? (
        <p class="alert alert-info" role="status">
          {t('helpdesk.report.empty')}
        </p>
      ) : null}
      <section aria-labelledby="sezione-mesi" class="mb-5">
        <h2 id="sezione-mesi">{t('helpdesk.report.section.months')}</h2>
        <ColumnChart
          id="grafico-mesi"
          title={t('helpdesk.report.chart.months', { year: report.year, opened: formatNumber(report.totals.opened), solved: formatNumber(report.months.reduce((s, m) => s + m.solvedInMonth, 0)) })}
          description={seeTable}
          dataTable={false}
          categories={months}
          series={[
            { name: t('helpdesk.report.series.opened'), values: report.months.map((m) => m.opened) },
            { name: t('helpdesk.report.series.solved'), values: report.months.map((m) => m.solvedInMonth) },
          ]}
        />
        <h3 class="h5" id="sezione-sla">
          {t('helpdesk.report.section.sla')}
        </h3>
        <LineChart
          id="grafico-sla"
          title={t('helpdesk.report.chart.sla', { year: report.year })}
          description={seeTable}
          dataTable={false}
          max={100}
          format={pctFormat}
          categories={months}
          series={[
            { name: t('helpdesk.report.series.fr'), values: report.months.map((m) => (m.firstResponse.rate === null ? null : m.firstResponse.rate * 100)) },
            { name: t('helpdesk.report.series.res'), values: report.months.map((m) => (m.resolution.rate === null ? null : m.resolution.rate * 100)) },
          ]}
        />
        {table('mesi')}
      </section>
      <section aria-labelledby="sezione-categorie" class="mb-5">
        <h2 id="sezione-categorie">{t('helpdesk.report.section.categories')}</h2>
        {tops.length > 0 ? (
          <BarChart id="grafico-categorie" title={t('helpdesk.report.chart.categories', { year: report.year })} description={seeTable} dataTable={false} items={tops.map((c) => ({ label: c.name, value: c.opened }))} />
        ) : null}
        {table('categorie')}
      </section>
      {tables.has('enti') ? (
        <section aria-labelledby="sezione-enti" class="mb-5">
          <h2 id="sezione-enti">{t('helpdesk.report.section.enti')}</h2>
          {topEnti.length > 0 ? (
            <BarChart id="grafico-enti" title={t('helpdesk.report.chart.enti', { n: topEnti.length, year: report.year })} description={seeTable} dataTable={false} items={topEnti.map((e) => ({ label: e.name, value: e.opened }))} />
          ) : null}
          {table('enti')}
        </section>
      ) : null}
      <section aria-labelledby="sezione-canali" class="mb-5">
        <h2 id="sezione-canali">{t('helpdesk.report.section.channels')}</h2>
        {table('canali')}
        {table('priorita')}
      </section>
      <section aria-labelledby="sezione-soddisfazione" class="mb-5">
        <h2 id="sezione-soddisfazione">{t('helpdesk.report.section.satisfaction')}</h2>
        <BarChart
          id="grafico-voti"
          title={t('helpdesk.report.chart.ratings', { year: report.year, answers: formatNumber(sat.answers), average: sat.average === null ? t('helpdesk.report.kpi.none') : decimal.format(sat.average) })}
          items={sat.distribution.map((n, i) => ({ label: t('helpdesk.report.rating', { n: i + 1 }), value: n }))}
          colour="#006644"
        />
        {table('soddisfazione-enti')}
        {table('soddisfazione-categorie')}
      </section>
      <section aria-labelledby="sezione-onsite" class="mb-5">
        <h2 id="sezione-onsite">{t('helpdesk.report.section.onsite')}</h2>
        <p>{t('helpdesk.report.onsite.text')}</p>
        {props.onsiteHref ? (
          <p>
            <a href={`${props.onsiteHref}?anno=${report.year}`}>{t('helpdesk.report.onsite.link')}</a>
          </p>
        ) : null}
      </section>
      <section aria-labelledby="sezione-scarica" class="mb-5">
        <h2 id="sezione-scarica">{t('helpdesk.report.section.exports')}</h2>
        <p>
          <a href={`${base}/tutto.xlsx${qs}`} class="btn btn-outline-primary">
            {t('helpdesk.report.export.all')}
          </a>
        </p>
      </section>
    </>
  );
}
