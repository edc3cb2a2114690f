// Exports of the adhesion list for the CST: CSV for Italian Excel and XLSX (kernel writers: views/table-export).
// The active services of every ente come through the audited cross-ente path (servicesAcrossNetwork).
import type { FastifyRequest } from 'fastify';
import { actorOf } from '../../../platform/auth/index.js';
import type { App } from '../../../platform/http/app.js';
import type { Platform } from '../../../platform/platform.js';
import { formatDate, t } from '../../../platform/views/i18n/index.js';
import { todayInRome } from '../../../platform/tenancy/index.js';
import { networkOn, serviceCatalogue, servicesAcrossNetwork, type NetworkEntry } from '../service.js';
import { FiltersQuery, filterEntries, parseFilters, requireCst } from './filters.js';
import { staffOrLogin } from './common.js';
import { sendTableExport, type ExportTable } from '../../../platform/views/table-export.js';

const columns = ['ente', 'kind', 'istat', 'fiscal', 'status', 'since', 'via', 'deadline', 'services'] as const;

export function exportHeader(): string[] {
  return columns.map((c) => t(`members.export.col.${c}`));
}

/** One row per ente, in the order of the page's list. */
export function exportRows(entries: NetworkEntry[], services: Map<string, string[]>, serviceNames: Map<string, string>): string[][] {
  return entries.map((e) => [
    e.ente.name,
    t(`kind.${e.ente.kind}`),
    e.ente.istatCode ?? '',
    e.ente.fiscalCode ?? '',
    t(`members.status.${e.adhesion.status}`),
    formatDate(e.adhesion.since),
    e.via?.name ?? '',
    e.adhesion.status === 'pending' ? formatDate(e.adhesion.deadline) : '',
    (services.get(e.ente.id) ?? []).map((code) => serviceNames.get(code) ?? code).join(', '),
  ]);
}

// The CSV/XLSX writers are the kernel's; re-exported for the module's tests.
export { csvCell, toCsv } from '../../../platform/views/table-export.js';

const widths = [36, 22, 12, 14, 14, 12, 36, 14, 60];

/** The adhesion list as an export table (one sheet in the XLSX). */
export const exportTable = (header: string[], rows: string[][]): ExportTable => ({
  sheet: t('members.export.sheet'),
  columns: header.map((h, i) => ({ header: h, width: widths[i] ?? 16 })),
  rows,
});

async function exportData(request: FastifyRequest, query: { stato?: string | undefined; q?: string | undefined }, platform: Platform, format: string) {
  const { db } = platform;
  const [{ entries }, catalogue, services] = await Promise.all([
    networkOn(db.app),
    serviceCatalogue(db.app),
    servicesAcrossNetwork(db.app, actorOf(request), t('members.export.reason', { format })),
  ]);
  const list = filterEntries(entries, parseFilters(query));
  return { header: exportHeader(), rows: exportRows(list, services, new Map(catalogue.map((c) => [c.code, c.name]))) };
}

export function registerExports(app: App, platform: Platform) {
  app.get('/backoffice/adesioni.csv', { schema: { hide: true, querystring: FiltersQuery } }, async (request, reply) => {
    if (!staffOrLogin(request, reply)) return reply;
    await requireCst(request, platform);
    const { header, rows } = await exportData(request, request.query, platform, 'csv');
    return sendTableExport(reply, 'csv', `adesioni-cst-${todayInRome()}`, exportTable(header, rows));
  });

  app.get('/backoffice/adesioni.xlsx', { schema: { hide: true, querystring: FiltersQuery } }, async (request, reply) => {
    if (!staffOrLogin(request, reply)) return reply;
    await requireCst(request, platform);
    const { header, rows } = await exportData(request, request.query, platform, 'xlsx');
    return sendTableExport(reply, 'xlsx', `adesioni-cst-${todayInRome()}`, exportTable(header, rows));
  });
}
