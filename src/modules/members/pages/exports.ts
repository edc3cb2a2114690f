// Exports of the adhesion list for the CST: CSV for Italian Excel (UTF-8 with BOM, ';', CRLF) and XLSX.
// The active services of every ente come through the audited cross-ente path (servicesAcrossNetwork).
import ExcelJS from 'exceljs';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { actorOf } from '../../../platform/auth/index.js';
import type { App } from '../../../platform/http/app.js';
import type { Platform } from '../../../platform/platform.js';
import { formatDate, t } from '../../../platform/views/i18n/index.js';
import { todayInRome } from '../../../platform/tenancy/index.js';
import { networkOn, serviceCatalogue, servicesAcrossNetwork, type NetworkEntry } from '../service.js';
import { FiltersQuery, filterEntries, parseFilters, requireCst } from './filters.js';
import { staffOrLogin } from './common.js';
import { contentDisposition } from '../../../platform/http/download.js';

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

/** A CSV cell: quoted when needed; a leading formula character is neutralised (CSV injection). */
export function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[";\r\n]/.test(safe) || safe !== safe.trim() ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function toCsv(header: string[], rows: string[][]): string {
  return `\uFEFF${[header, ...rows].map((r) => r.map(csvCell).join(';')).join('\r\n')}\r\n`;
}

export async function toXlsx(header: string[], rows: string[][]): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = t('app.name');
  workbook.created = new Date();
  const sheet = workbook.addWorksheet(t('members.export.sheet'), { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.addRow(header).font = { bold: true };
  for (const row of rows) sheet.addRow(row);
  const widths = [36, 22, 12, 14, 14, 12, 36, 14, 60];
  sheet.columns.forEach((column, i) => {
    column.width = widths[i] ?? 16;
  });
  sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: header.length } };
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

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

const attachment = (reply: FastifyReply, name: string) =>
  reply.header('content-disposition', contentDisposition('attachment', name)).header('cache-control', 'no-store');

export function registerExports(app: App, platform: Platform) {
  app.get('/backoffice/adesioni.csv', { schema: { hide: true, querystring: FiltersQuery } }, async (request, reply) => {
    if (!staffOrLogin(request, reply)) return reply;
    await requireCst(request, platform);
    const { header, rows } = await exportData(request, request.query, platform, 'csv');
    return attachment(reply, `adesioni-cst-${todayInRome()}.csv`).type('text/csv; charset=utf-8').send(toCsv(header, rows));
  });

  app.get('/backoffice/adesioni.xlsx', { schema: { hide: true, querystring: FiltersQuery } }, async (request, reply) => {
    if (!staffOrLogin(request, reply)) return reply;
    await requireCst(request, platform);
    const { header, rows } = await exportData(request, request.query, platform, 'xlsx');
    return attachment(reply, `adesioni-cst-${todayInRome()}.xlsx`)
      .type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
      .send(await toXlsx(header, rows));
  });
}
