// Exports of the register of one year (/backoffice/enti/{slug}/albo/registro.csv|.xlsx|.pdf): every published
// act of that year in register order, the expired, annulled and corrected ones included. CSV for Italian Excel
// (UTF-8 with BOM, ';', CRLF, formula characters neutralised), XLSX (exceljs) and PDF (certificate.ts).
import ExcelJS from 'exceljs';
import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';
import type { App } from '../../../platform/http/app.js';
import type { Platform } from '../../../platform/platform.js';
import { formatDate, t } from '../../../platform/views/i18n/index.js';
import { todayInRome, type Ente } from '../../../platform/tenancy/index.js';
import { renderRegisterPdf, type RegisterRow, type RegisterStatus } from '../certificate.js';
import { enteTitle } from '../referto.js';
import { registerList, type NoticeView } from '../service.js';
import { contentDisposition, guard, stateText } from './common.js';

const columns = ['number', 'year', 'type', 'subject', 'office', 'act', 'requester', 'from', 'to', 'extension', 'state', 'annulledOn', 'annulReason', 'corrects', 'correctedBy'] as const;

/** Every published act of `year`, in register order (1, 2, 3 …). */
export async function registerOfYear(platform: Platform, enteId: string, year: number): Promise<NoticeView[]> {
  const out: NoticeView[] = [];
  const limit = 500;
  for (let offset = 0; ; offset += limit) {
    const page = await registerList(platform.db.app, enteId, { year, status: 'published', limit, offset });
    out.push(...page.items);
    if (page.items.length < limit || out.length >= page.total) break;
  }
  return out.sort((a, b) => a.register!.number - b.register!.number);
}

export function exportHeader(): string[] {
  return columns.map((c) => t(`noticeboard.bo.export.col.${c}`));
}

export function exportRows(acts: NoticeView[]): string[][] {
  return acts.map((n) => [
    String(n.register?.number ?? ''),
    String(n.register?.year ?? ''),
    n.actType.name,
    n.subject,
    n.office,
    [n.actNumber ? t('noticeboard.bo.detail.actNumber', { number: n.actNumber }) : '', n.actDate ? t('noticeboard.bo.detail.actDate', { date: formatDate(n.actDate) }) : ''].filter(Boolean).join(' '),
    n.requester?.name ?? '',
    formatDate(n.publishFrom),
    formatDate(n.effectiveTo),
    n.extensionDays > 0 ? String(n.extensionDays) : '',
    stateText(n),
    formatDate(n.annulment?.on),
    n.annulment?.reason ?? '',
    n.corrects?.label ?? '',
    n.correctedBy.map((c) => c.label).join(', '),
  ]);
}

/** The register status the PDF shows: annulled and corrected first, then expired, otherwise published. */
export function registerStatus(n: NoticeView): RegisterStatus {
  if (n.annulment) return 'annullato';
  if (n.correctedBy.length > 0) return 'rettificato';
  if (n.state === 'expired') return 'scaduto';
  return 'pubblicato';
}

export function registerRows(acts: NoticeView[]): RegisterRow[] {
  return acts.map((n) => ({
    number: n.register!.number,
    year: n.register!.year,
    actType: n.actType.name,
    subject: n.subject,
    from: n.publishFrom,
    to: n.effectiveTo,
    status: registerStatus(n),
    requester: n.requester?.name ?? null,
  }));
}

/** A CSV cell: quoted when needed; a leading formula character is neutralised (CSV injection). */
export function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[";\r\n]/.test(safe) || safe !== safe.trim() ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export const toCsv = (header: string[], rows: string[][]) => `\uFEFF${[header, ...rows].map((r) => r.map(csvCell).join(';')).join('\r\n')}\r\n`;

export async function toXlsx(ente: Ente, year: number, header: string[], rows: string[][]): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = t('app.name');
  workbook.created = new Date();
  workbook.title = t('noticeboard.bo.export.sheetTitle', { name: ente.name, year });
  const sheet = workbook.addWorksheet(t('noticeboard.bo.export.sheet', { year }), { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.addRow(header).font = { bold: true };
  for (const row of rows) {
    // number and year as numbers, so the sheet sorts them as numbers
    sheet.addRow(row.map((cell, i) => (i < 2 && /^\d+$/.test(cell) ? Number(cell) : cell)));
  }
  const widths = [8, 8, 28, 60, 28, 24, 28, 12, 12, 10, 28, 12, 40, 12, 16];
  sheet.columns.forEach((column, i) => {
    column.width = widths[i] ?? 16;
  });
  sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: header.length } };
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

const attachment = (reply: FastifyReply, name: string) => reply.header('content-disposition', contentDisposition('attachment', name)).header('cache-control', 'no-store');

const Params = Type.Object({ slug: Type.String({ maxLength: 200 }) });
const Query = Type.Object({ anno: Type.Optional(Type.String({ maxLength: 4 })) });
const yearOf = (value: string | undefined) => (value && /^\d{4}$/.test(value) ? Number(value) : Number(todayInRome().slice(0, 4)));

export function registerExports(app: App, platform: Platform) {
  app.get('/backoffice/enti/:slug/albo/registro.csv', { schema: { hide: true, params: Params, querystring: Query } }, async (request, reply) => {
    const g = await guard(request, reply, platform, request.params.slug, 'noticeboard.read');
    if (!g) return reply;
    const year = yearOf(request.query.anno);
    const acts = await registerOfYear(platform, g.ente.id, year);
    return attachment(reply, `registro-albo-${g.ente.slug}-${year}.csv`).type('text/csv; charset=utf-8').send(toCsv(exportHeader(), exportRows(acts)));
  });

  app.get('/backoffice/enti/:slug/albo/registro.xlsx', { schema: { hide: true, params: Params, querystring: Query } }, async (request, reply) => {
    const g = await guard(request, reply, platform, request.params.slug, 'noticeboard.read');
    if (!g) return reply;
    const year = yearOf(request.query.anno);
    const acts = await registerOfYear(platform, g.ente.id, year);
    return attachment(reply, `registro-albo-${g.ente.slug}-${year}.xlsx`)
      .type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
      .send(await toXlsx(g.ente, year, exportHeader(), exportRows(acts)));
  });

  app.get('/backoffice/enti/:slug/albo/registro.pdf', { schema: { hide: true, params: Params, querystring: Query } }, async (request, reply) => {
    const g = await guard(request, reply, platform, request.params.slug, 'noticeboard.read');
    if (!g) return reply;
    const year = yearOf(request.query.anno);
    const acts = await registerOfYear(platform, g.ente.id, year);
    const pdf = await renderRegisterPdf({ enteName: enteTitle(g.ente), year, generatedAt: new Date() }, registerRows(acts));
    return attachment(reply, `registro-albo-${g.ente.slug}-${year}.pdf`).type('application/pdf').send(pdf);
  });
}
