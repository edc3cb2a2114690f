// The tables of the report, defined once: the page shows them, the CSV/XLSX exports hand them out. An ente's
// report has no per-ente tables (only its own rows exist in it anyway).
import type { ExportTable } from '../../../platform/views/table-export.js';
import { t } from '../../../platform/views/i18n/index.js';
import type { Compliance, HelpdeskReport, Satisfaction } from './service.js';
import './messages.js';

export const tableKeys = ['mesi', 'categorie', 'enti', 'canali', 'priorita', 'soddisfazione-enti', 'soddisfazione-categorie'] as const;
export type TableKey = (typeof tableKeys)[number];

export interface ReportTable extends ExportTable {
  key: TableKey;
  /** Caption on the page and title of the file. */
  title: string;
}

const col = (key: string, kind?: 'number' | 'percent', vars?: Record<string, string | number>) => ({ header: t(`helpdesk.report.col.${key}`, vars), kind });
const slaColumns = [col('frRate', 'percent'), col('frDecided', 'number'), col('resRate', 'percent'), col('resDecided', 'number')];
const slaCells = (c: Compliance) => [c.firstResponse.rate, c.firstResponse.decided, c.resolution.rate, c.resolution.decided];
const satisfactionColumns = [col('eligible', 'number'), col('answers', 'number'), col('responseRate', 'percent'), col('average', 'number'), ...[1, 2, 3, 4, 5].map((n) => col('rating', 'number', { n }))];
const round2 = (v: number | null) => (v === null ? null : Math.round(v * 100) / 100);
const satisfactionCells = (s: Satisfaction) => [s.eligible, s.answers, s.responseRate, round2(s.average), ...s.distribution];

export const monthName = (m: number) => t(`helpdesk.report.month.${m}`);

export function reportTables(report: HelpdeskReport): ReportTable[] {
  const network = report.scope === 'network';
  const title = (key: string) => t(`helpdesk.report.table.${key}`);
  const tables: ReportTable[] = [
    {
      key: 'mesi',
      title: title('months'),
      sheet: title('months'),
      columns: [{ header: t('helpdesk.report.col.month') }, col('opened', 'number'), col('solvedInMonth', 'number'), ...slaColumns],
      rows: report.months.map((m) => [monthName(m.month), m.opened, m.solvedInMonth, ...slaCells(m)]),
    },
    {
      key: 'categorie',
      title: title('categories'),
      sheet: title('categories'),
      columns: [{ header: t('helpdesk.report.col.category') }, { header: t('helpdesk.report.col.parent') }, col('opened', 'number'), col('solved', 'number'), ...slaColumns, col('answers', 'number'), col('average', 'number')],
      rows: report.categories.map((c) => [
        c.name,
        c.parentCode ? (report.categories.find((p) => p.code === c.parentCode)?.name ?? c.parentCode) : '',
        c.opened,
        c.solved,
        ...slaCells(c),
        c.satisfaction.answers,
        round2(c.satisfaction.average),
      ]),
    },
    {
      key: 'enti',
      title: title('enti'),
      sheet: title('enti'),
      columns: [{ header: t('helpdesk.report.col.ente') }, col('opened', 'number'), col('solved', 'number'), ...slaColumns],
      rows: report.enti.map((e) => [e.name, e.opened, e.solved, ...slaCells(e)]),
    },
    {
      key: 'canali',
      title: title('channels'),
      sheet: title('channels'),
      columns: [{ header: t('helpdesk.report.col.channel') }, col('opened', 'number'), col('share', 'percent')],
      rows: report.channels.map((c) => [t(`helpdesk.report.channel.${c.channel}`), c.opened, report.totals.opened > 0 ? c.opened / report.totals.opened : null]),
    },
    {
      key: 'priorita',
      title: title('priorities'),
      sheet: title('priorities'),
      columns: [{ header: t('helpdesk.report.col.priority') }, col('opened', 'number'), col('solved', 'number'), ...slaColumns],
      rows: report.priorities.map((p) => [p.priority, p.opened, p.solved, ...slaCells(p)]),
    },
    {
      key: 'soddisfazione-enti',
      title: title('satisfactionEnti'),
      sheet: title('satisfactionEnti'),
      columns: [{ header: t('helpdesk.report.col.ente') }, ...satisfactionColumns],
      rows: report.enti.map((e) => [e.name, ...satisfactionCells(e.satisfaction)]),
    },
    {
      key: 'soddisfazione-categorie',
      title: title('satisfactionCategories'),
      sheet: title('satisfactionCategories'),
      columns: [{ header: t('helpdesk.report.col.category') }, ...satisfactionColumns],
      rows: report.categories.map((c) => [c.parentCode ? `— ${c.name}` : c.name, ...satisfactionCells(c.satisfaction)]),
    },
  ];
  return network ? tables : tables.filter((table) => table.key !== 'enti' && table.key !== 'soddisfazione-enti');
}
