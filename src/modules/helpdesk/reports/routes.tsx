// Routes of the reports. Pages: /backoffice/assistenza/report (the desk: every ente, or one) and
// /backoffice/enti/{slug}/assistenza/report (an ente's requesters and readers: its own tickets only), each with
// /{table}.csv|xlsx and /tutto.xlsx under it. JSON: /api/v1/helpdesk/report. A report of one ente is read inside
// that ente's tenant; the network's is a cross-ente read audited on the CST's log (see service.ts).
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { actorOf, can, requireStaff, type StaffPrincipal } from '../../../platform/auth/access.js';
import { todayInRome } from '../../../platform/calendar/index.js';
import type { App } from '../../../platform/http/app.js';
import { badRequest, notFound } from '../../../platform/http/problem.js';
import type { Platform } from '../../../platform/platform.js';
import { getCstEnte, getEnteById, getEnteBySlug, listEnti, type Ente } from '../../../platform/tenancy/index.js';
import { t } from '../../../platform/views/i18n/index.js';
import { Layout, renderDocument } from '../../../platform/views/layout.js';
import { sendTableExport } from '../../../platform/views/table-export.js';
import { viewerOf } from '../../../platform/views/viewer.js';
import { isDesk, requireDesk, requireTicketReader } from '../access.js';
import { ReportPage } from './pages.js';
import { ReportJson, reportJson } from './json.js';
import { categoryOptions, helpdeskReport, type ReportRequest } from './service.js';
import { reportTables, tableKeys } from './tables.js';
import './messages.js';

const Slug = Type.String({ pattern: '^[a-z0-9-]{0,100}$' });
const PageQuery = Type.Object(
  { anno: Type.Optional(Type.String({ pattern: '^\\d{4}$' })), ente: Type.Optional(Slug), categoria: Type.Optional(Type.String({ pattern: '^[a-z_]{0,50}$' })) },
  { additionalProperties: false },
);
const FileParams = Type.Object({ file: Type.String({ maxLength: 60 }) });
const EnteFileParams = Type.Object({ slug: Type.String({ maxLength: 100 }), file: Type.String({ maxLength: 60 }) });
const Problem = Type.Object({ type: Type.String(), title: Type.String(), status: Type.Integer(), detail: Type.Optional(Type.String()) }, { additionalProperties: true });

const currentYear = () => Number(todayInRome().slice(0, 4));
const FILE = new RegExp(`^(${[...tableKeys, 'tutto'].join('|')})\\.(csv|xlsx)$`);

function loginRedirect(request: FastifyRequest, reply: FastifyReply): boolean {
  if (request.staff) return false;
  void reply.redirect(`/backoffice/login?next=${encodeURIComponent(request.url)}`, 303);
  return true;
}

export function registerReportRoutes(app: App, platform: Platform): void {
  const { db } = platform;

  async function enteBySlug(slug: string): Promise<Ente> {
    const ente = /^[a-z0-9-]{1,100}$/.test(slug) ? await getEnteBySlug(db.app, slug) : undefined;
    if (!ente) throw notFound(t('helpdesk.report.bad.ente', { slug }));
    return ente;
  }

  async function category(code: string | undefined) {
    if (!code) return undefined;
    const found = (await categoryOptions(db.app)).find((c) => c.code === code);
    if (!found) throw badRequest(t('helpdesk.report.bad.category', { code }));
    return { code: found.code, name: found.name };
  }

  function year(value: string | number | undefined): number {
    if (value === undefined || value === '') return currentYear();
    const y = Number(value);
    if (!Number.isInteger(y) || y < 2000 || y > 2999) throw badRequest(t('helpdesk.report.bad.year'));
    return y;
  }

  // The on-site area (another part of the help desk) may or may not have its hours page: link it when it does.
  const onsiteHref = (slug?: string) =>
    (slug ? [`/backoffice/enti/${slug}/assistenza/interventi/ore`, `/backoffice/enti/${slug}/assistenza/interventi`] : ['/backoffice/assistenza/interventi/ore', '/backoffice/assistenza/interventi']).find((url) =>
      app.hasRoute({ method: 'GET', url: slug ? url.replace(`/enti/${slug}/`, '/enti/:slug/') : url }),
    );

  async function render(request: FastifyRequest, reply: FastifyReply, req: ReportRequest, base: string, desk: boolean, reason: string) {
    const report = await helpdeskReport(db.app, actorOf(request), req, reason);
    const q = request.query as { anno?: string; ente?: string; categoria?: string };
    const params = new URLSearchParams(Object.entries({ anno: String(req.year), ente: desk ? (q.ente ?? '') : '', categoria: q.categoria ?? '' }).filter(([, v]) => v !== ''));
    const years = Array.from({ length: 6 }, (_, i) => currentYear() - i);
    if (!years.includes(req.year)) years.push(req.year);
    const title = req.ente && !desk ? t('helpdesk.report.title.ente', { name: req.ente.name }) : t('helpdesk.report.title');
    const crumbs = desk
      ? [{ label: t('app.name'), href: '/' }, { label: t('helpdesk.report.crumb.backoffice'), href: '/backoffice/' }, { label: title }]
      : [{ label: t('app.name'), href: '/' }, { label: t('helpdesk.report.crumb.backoffice'), href: '/backoffice/' }, { label: req.ente!.name, href: `/backoffice/enti/${req.ente!.slug}` }, { label: title }];
    const enti = desk ? (await listEnti(db.app, { limit: 1000, offset: 0 })).items.map((e) => ({ slug: e.slug, name: e.name })) : undefined;
    const html = renderDocument(
      <Layout title={title} viewer={viewerOf(request)} breadcrumbs={crumbs}>
        <h1>{title}</h1>
        <ReportPage report={report} base={base} qs={params.size > 0 ? `?${params}` : ''} years={years.sort((a, b) => b - a)} categories={await categoryOptions(db.app)} enti={enti} onsiteHref={onsiteHref(desk ? undefined : req.ente!.slug)} />
      </Layout>,
    );
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(html);
  }

  async function exportFile(request: FastifyRequest, reply: FastifyReply, req: ReportRequest, file: string, reason: string) {
    const match = FILE.exec(file);
    if (!match || (match[1] === 'tutto' && match[2] === 'csv')) throw notFound(t('helpdesk.report.bad.table'));
    const report = await helpdeskReport(db.app, actorOf(request), req, `${reason} (${file})`);
    const all = reportTables(report);
    const tables = match[1] === 'tutto' ? all : all.filter((tb) => tb.key === match[1]);
    if (tables.length === 0) throw notFound(t('helpdesk.report.bad.table'));
    const who = req.ente ? req.ente.slug : 'rete';
    const name = `assistenza-${match[1]}-${who}${req.category ? `-${req.category.code}` : ''}-${req.year}`;
    return sendTableExport(reply, match[2] as 'csv' | 'xlsx', name, tables, { title: `${t('helpdesk.report.title')} ${req.year}` });
  }

  /** The desk's request: one ente when the filter names it, otherwise the network. */
  async function deskRequest(query: { anno?: string | undefined; ente?: string | undefined; categoria?: string | undefined }): Promise<ReportRequest> {
    const ente = query.ente ? await enteBySlug(query.ente) : undefined;
    return { year: year(query.anno), ente: ente && { id: ente.id, slug: ente.slug, name: ente.name }, category: await category(query.categoria) };
  }

  async function enteRequest(request: FastifyRequest, slug: string, query: { anno?: string | undefined; categoria?: string | undefined }): Promise<ReportRequest> {
    const ente = await enteBySlug(slug);
    await requireTicketReader(request, db.app, ente.id);
    return { year: year(query.anno), ente: { id: ente.id, slug: ente.slug, name: ente.name }, category: await category(query.categoria) };
  }

  app.get('/backoffice/assistenza/report', { schema: { hide: true, querystring: PageQuery } }, async (request, reply) => {
    if (loginRedirect(request, reply)) return reply;
    await requireDesk(request, db.app);
    return render(request, reply, await deskRequest(request.query), '/backoffice/assistenza/report', true, 'report del help desk');
  });

  app.get('/backoffice/assistenza/report/:file', { schema: { hide: true, params: FileParams, querystring: PageQuery } }, async (request, reply) => {
    if (loginRedirect(request, reply)) return reply;
    await requireDesk(request, db.app);
    return exportFile(request, reply, await deskRequest(request.query), request.params.file, 'export del report del help desk');
  });

  app.get('/backoffice/enti/:slug/assistenza/report', { schema: { hide: true, params: Type.Object({ slug: Type.String({ maxLength: 100 }) }), querystring: PageQuery } }, async (request, reply) => {
    if (loginRedirect(request, reply)) return reply;
    const req = await enteRequest(request, request.params.slug, request.query);
    return render(request, reply, req, `/backoffice/enti/${req.ente!.slug}/assistenza/report`, false, 'report');
  });

  app.get('/backoffice/enti/:slug/assistenza/report/:file', { schema: { hide: true, params: EnteFileParams, querystring: PageQuery } }, async (request, reply) => {
    if (loginRedirect(request, reply)) return reply;
    return exportFile(request, reply, await enteRequest(request, request.params.slug, request.query), request.params.file, 'export del report');
  });

  app.get(
    '/api/v1/helpdesk/report',
    {
      schema: {
        tags: ['helpdesk'],
        summary: 'Report del help desk di un anno: ticket per mese, categoria, ente, canale e priorità, rispetto degli SLA, soddisfazione',
        description:
          "Il help desk del CST vede tutta la rete (lettura trasversale registrata nel registro di audit del CST) o un ente (parametro ente); il personale di un ente vede solo il proprio ente. Mesi secondo l'ora italiana; tempi di prima risposta in minuti lavorativi sul calendario del CST.",
        querystring: Type.Object(
          { year: Type.Optional(Type.Integer({ minimum: 2000, maximum: 2999 })), ente: Type.Optional(Type.String({ pattern: '^[a-z0-9-]{1,100}$' })), category: Type.Optional(Type.String({ pattern: '^[a-z_]{1,50}$' })) },
          { additionalProperties: false },
        ),
        response: { 200: ReportJson, 400: Problem, 401: Problem, 403: Problem, 404: Problem },
      },
    },
    async (request) => {
      const staff = requireStaff(request);
      const { ente: slug } = request.query;
      const desk = isDesk(staff, (await getCstEnte(db.app))?.id);
      let ente: Ente | undefined;
      if (slug) {
        ente = await enteBySlug(slug);
        await requireTicketReader(request, db.app, ente.id);
      } else if (!desk) {
        ente = await ownEnte(staff);
      }
      const report = await helpdeskReport(db.app, actorOf(request), { year: year(request.query.year), ente: ente && { id: ente.id, slug: ente.slug, name: ente.name }, category: await category(request.query.category) }, 'report del help desk (API)');
      return reportJson(report);
    },
  );

  /** The one ente whose tickets a non-desk user may read; 400 when there are several or none. */
  async function ownEnte(staff: StaffPrincipal): Promise<Ente> {
    const ids = [...new Set(staff.grants.map((g) => g.enteId))].filter((id) => can(staff, id, 'helpdesk.read'));
    const ente = ids.length === 1 ? await getEnteById(db.app, ids[0]!) : undefined;
    if (!ente) throw badRequest(t('helpdesk.report.bad.which'));
    return ente;
  }
}
