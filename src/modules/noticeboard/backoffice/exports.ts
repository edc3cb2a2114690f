// Exports of the register of one year (/backoffice/enti/{slug}/albo/registro.csv|.xlsx|.pdf): every published
// act of that year in register order, the expired, annulled and corrected ones included. CSV for Italian Excel
// and XLSX through the kernel's writers (views/table-export), PDF through certificate.ts.
import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';
import type { App } from '../../../platform/http/app.js';
import type { Platform } from '../../../platform/platform.js';
import { formatDate, t } from '../../../platform/views/i18n/index.js';
import { todayInRome } from '../../../platform/tenancy/index.js';
import { sendTableExport, type ExportTable } from '../../../platform/views/table-export.js';
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

const widths = [8, 8, 28, 60, 28, 24, 28, 12, 12, 10, 28, 12, 40, 12, 16];

/** The register as an export table; number and year are numbers, so the sheet sorts them as numbers. */
export function registerTable(year: number, header: string[], rows: string[][]): ExportTable {
  return {
    sheet: t('noticeboard.bo.export.sheet', { year }),
    columns: header.map((h, i) => ({ header: h, width: widths[i] ?? 16, kind: i < 2 ? 'number' : 'text' })),
    rows: rows.map((row) => row.map((cell, i) => (i < 2 && /^\d+$/.test(cell) ? Number(cell) : cell))),
  };
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
    return sendTableExport(reply, 'csv', `registro-albo-${g.ente.slug}-${year}`, registerTable(year, exportHeader(), exportRows(acts)));
  });

  app.get('/backoffice/enti/:slug/albo/registro.xlsx', { schema: { hide: true, params: Params, querystring: Query } }, async (request, reply) => {
    const g = await guard(request, reply, platform, request.params.slug, 'noticeboard.read');
    if (!g) return reply;
    const year = yearOf(request.query.anno);
    const acts = await registerOfYear(platform, g.ente.id, year);
    return sendTableExport(reply, 'xlsx', `registro-albo-${g.ente.slug}-${year}`, registerTable(year, exportHeader(), exportRows(acts)), {
      title: t('noticeboard.bo.export.sheetTitle', { name: g.ente.name, year }),
    });
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
