// Routes of notices: the notice PDF for staff (payments.read on the ente) and for the citizen who is the
// debtor (anyone else gets 404: a position's existence is not disclosed); bulk runs — pages for staff
// (start, follow, download the ZIP, resume) and the JSON API (start, list, progress).
import { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type, type Static } from 'typebox';
import { ZipFile } from 'yazl';
import { actorOf, can, csrfToken, requirePermission, type StaffPrincipal } from '../../../platform/auth/index.js';
import { withEnte } from '../../../platform/db/index.js';
import type { App } from '../../../platform/http/app.js';
import { contentDisposition, sendPrivateFile } from '../../../platform/http/download.js';
import { HttpProblem, conflict, notFound } from '../../../platform/http/problem.js';
import type { Platform } from '../../../platform/platform.js';
import { getEnteBySlug, type Ente } from '../../../platform/tenancy/index.js';
import { t } from '../../../platform/views/i18n/index.js';
import { renderDocument } from '../../../platform/views/layout.js';
import { todayInRome } from '../../../platform/calendar/index.js';
import { positionView } from '../service.js';
import * as store from '../store.js';
import { getRun, listRuns, resumeRun, runFiles, startRun, type RunView } from './bulk.js';
import { RunPage, RunsPage, runPath } from './pages.js';
import { noticePdf, printableOptions } from './pdf.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SLUG = '^[a-z0-9-]{1,100}$';
const Problem = Type.Object({ type: Type.String(), title: Type.String(), status: Type.Integer(), detail: Type.Optional(Type.String()) }, { additionalProperties: true });
const DateTime = Type.String({ format: 'date-time' });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);

const RunOut = Type.Object({
  id: Type.String({ format: 'uuid' }),
  serviceCode: Type.String(),
  year: Nullable(Type.Integer()),
  state: Type.Union([Type.Literal('queued'), Type.Literal('running'), Type.Literal('completed'), Type.Literal('failed')]),
  total: Type.Integer({ description: 'Posizioni incluse nell’elaborazione' }),
  done: Type.Integer({ description: 'Posizioni elaborate (avvisi generati più posizioni saltate)' }),
  generated: Type.Integer(),
  skipped: Type.Integer({ description: 'Posizioni pagate o annullate dopo l’avvio: nessun avviso' }),
  percent: Type.Integer({ minimum: 0, maximum: 100 }),
  error: Nullable(Type.String()),
  requestedBy: Type.String(),
  createdAt: DateTime,
  startedAt: Nullable(DateTime),
  finishedAt: Nullable(DateTime),
  href: Type.String(),
  bundle: Nullable(Type.String({ description: 'Lo ZIP con tutti gli avvisi, a elaborazione completata' })),
});

const iso = (d: Date | null) => (d ? d.toISOString() : null);
function runOut(slug: string, run: RunView): Static<typeof RunOut> {
  const { id, serviceCode, year, state, total, done, generated, skipped, percent, error, requestedBy } = run;
  return {
    ...{ id, serviceCode, year, state, total, done, generated, skipped, percent, error, requestedBy },
    createdAt: run.createdAt.toISOString(),
    startedAt: iso(run.startedAt),
    finishedAt: iso(run.finishedAt),
    href: `/api/v1/enti/${slug}/pagamenti/avvisi/lotti/${run.id}`,
    bundle: run.state === 'completed' && run.generated > 0 ? `${runPath(slug, run.id)}/avvisi.zip` : null,
  };
}

async function findEnte(platform: Platform, slug: string): Promise<Ente> {
  const ente = new RegExp(SLUG).test(slug) ? await getEnteBySlug(platform.db.app, slug) : undefined;
  if (!ente) throw notFound(t('payments.notices.error.enteNotFound'));
  return ente;
}

/** Staff with `permission` on the ente; anonymous visitors are sent to the login page (null: reply sent). */
async function staffGuard(request: FastifyRequest, reply: FastifyReply, platform: Platform, slug: string, permission: string): Promise<{ staff: StaffPrincipal; ente: Ente } | null> {
  if (!request.staff) {
    void reply.redirect(`/backoffice/login?next=${encodeURIComponent(request.url)}`, 303);
    return null;
  }
  const ente = await findEnte(platform, slug);
  const staff = await requirePermission(request, platform.db.app, ente.id, permission);
  return { staff, ente };
}

/** The notice of a position as PDF; with `debtor`, only if that fiscal code is the position's debtor (else 404). */
async function renderNotice(platform: Platform, ente: Ente, positionId: string, debtor?: string) {
  if (!UUID.test(positionId)) throw notFound(t('payments.notices.error.positionNotFound'));
  const found = await withEnte(platform.db.app, ente.id, async (trx) => ({ config: await store.configOf(trx), data: await store.positionWithOptions(trx, positionId) }));
  const position = found.data?.position;
  if (!found.data || !position || (debtor !== undefined && (position.debtor_fiscal_code !== debtor || position.status === 'draft'))) {
    throw notFound(t('payments.notices.error.positionNotFound'));
  }
  if (!found.config) throw conflict(t('payments.notices.error.config'));
  if (position.status === 'draft') throw conflict(t('payments.notices.error.draft'));
  const view = positionView(position, found.data.options, found.data.transfers, todayInRome());
  const printable = printableOptions(view);
  if (printable.length === 0) throw conflict(t('payments.notices.error.nothingToPay'));
  const bytes = await noticePdf(view, found.config, ente);
  return { name: `avviso-pagopa-${printable[0]!.noticeNumber}.pdf`, mediaType: 'application/pdf', bytes };
}

function sendHtml(reply: FastifyReply, node: preact.VNode, status = 200) {
  return reply.status(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(renderDocument(node));
}

async function serviceNames(platform: Platform, enteId: string) {
  return withEnte(platform.db.app, enteId, (trx) => trx.selectFrom('payment_service').select(['code', 'name']).where('active', '=', true).orderBy('name').execute());
}

const formProblem = (err: unknown): err is HttpProblem => err instanceof HttpProblem && err.status >= 400 && err.status < 500 && err.status !== 401 && err.status !== 403;

export function registerNoticeRoutes(app: App, platform: Platform): void {
  const { db } = platform;
  const hide = { schema: { hide: true } };

  // ------------------------------------------------------------------------------------ notice downloads
  app.get<{ Params: { slug: string; id: string } }>('/backoffice/enti/:slug/pagamenti/posizioni/:id/avviso.pdf', hide, async (request, reply) => {
    const g = await staffGuard(request, reply, platform, request.params.slug, 'payments.read');
    if (!g) return reply;
    return sendPrivateFile(reply, await renderNotice(platform, g.ente, request.params.id));
  });

  app.get<{ Params: { slug: string; id: string } }>('/:slug/pagamenti/posizioni/:id/avviso.pdf', hide, async (request, reply) => {
    if (!request.citizen) return reply.redirect(`/auth/citizen/login?next=${encodeURIComponent(request.url)}`, 303);
    const ente = await findEnte(platform, request.params.slug);
    return sendPrivateFile(reply, await renderNotice(platform, ente, request.params.id, request.citizen.fiscalCode));
  });

  // -------------------------------------------------------------------------------------- bulk: pages
  async function runsPage(request: FastifyRequest, reply: FastifyReply, g: { staff: StaffPrincipal; ente: Ente }, feedback: { error?: string; values?: { serviceCode?: string; year?: string } } = {}, status = 200) {
    const [runs, services] = await Promise.all([listRuns(db.app, g.ente.id), serviceNames(platform, g.ente.id)]);
    const canManage = can(g.staff, g.ente.id, 'payments.manage');
    return sendHtml(reply, <RunsPage request={request} ente={g.ente} runs={runs} services={services} canManage={canManage} csrf={csrfToken(request, reply)} error={feedback.error} values={feedback.values} />, status);
  }

  app.get<{ Params: { slug: string } }>('/backoffice/enti/:slug/pagamenti/avvisi', hide, async (request, reply) => {
    const g = await staffGuard(request, reply, platform, request.params.slug, 'payments.read');
    return g ? runsPage(request, reply, g) : reply;
  });

  app.post<{ Params: { slug: string }; Body: Record<string, unknown> }>('/backoffice/enti/:slug/pagamenti/avvisi', hide, async (request, reply) => {
    const g = await staffGuard(request, reply, platform, request.params.slug, 'payments.manage');
    if (!g) return reply;
    const serviceCode = String(request.body?.serviceCode ?? '').trim();
    const yearText = String(request.body?.year ?? '').trim();
    try {
      if (yearText && !/^[0-9]{4}$/.test(yearText)) throw new HttpProblem(422, 'Dati non accettabili', t('payments.notices.bulk.error.year'));
      const run = await startRun(platform, actorOf(request), g.ente.id, { serviceCode, year: yearText ? Number(yearText) : null });
      return reply.redirect(`${runPath(g.ente.slug, run.id)}?esito=started`, 303);
    } catch (err) {
      if (!formProblem(err)) throw err;
      return runsPage(request, reply, g, { error: err.detail ?? err.title, values: { serviceCode, year: yearText } }, 422);
    }
  });

  async function runFor(g: { ente: Ente }, runId: string): Promise<RunView> {
    const run = UUID.test(runId) ? await getRun(db.app, g.ente.id, runId) : undefined;
    if (!run) throw notFound(t('payments.notices.bulk.error.notFound'));
    return run;
  }

  app.get<{ Params: { slug: string; runId: string }; Querystring: { auto?: string; esito?: string } }>('/backoffice/enti/:slug/pagamenti/avvisi/:runId', hide, async (request, reply) => {
    const g = await staffGuard(request, reply, platform, request.params.slug, 'payments.read');
    if (!g) return reply;
    const run = await runFor(g, request.params.runId);
    const services = await serviceNames(platform, g.ente.id);
    const autoRefresh = request.query.auto !== '0';
    // Progress without JavaScript: the browser reloads the page while the run goes on (the link turns it off).
    if (autoRefresh && (run.state === 'queued' || run.state === 'running')) reply.header('refresh', `5; url=${runPath(g.ente.slug, run.id)}`);
    const page = (
      <RunPage
        request={request}
        ente={g.ente}
        run={run}
        serviceName={services.find((s) => s.code === run.serviceCode)?.name ?? run.serviceCode}
        canManage={can(g.staff, g.ente.id, 'payments.manage')}
        csrf={csrfToken(request, reply)}
        autoRefresh={autoRefresh}
        esito={request.query.esito}
      />
    );
    return sendHtml(reply, page);
  });

  app.post<{ Params: { slug: string; runId: string } }>('/backoffice/enti/:slug/pagamenti/avvisi/:runId/riprendi', hide, async (request, reply) => {
    const g = await staffGuard(request, reply, platform, request.params.slug, 'payments.manage');
    if (!g) return reply;
    const run = await runFor(g, request.params.runId);
    await resumeRun(platform, actorOf(request), g.ente.id, run.id);
    return reply.redirect(`${runPath(g.ente.slug, run.id)}?esito=resumed`, 303);
  });

  // The bundle is streamed, not stored: each PDF is read from the file store when the ZIP reaches it, so a
  // roll of 100,000 notices never sits in memory (yazl pulls one entry at a time, with backpressure).
  app.get<{ Params: { slug: string; runId: string } }>('/backoffice/enti/:slug/pagamenti/avvisi/:runId/avvisi.zip', hide, async (request, reply) => {
    const g = await staffGuard(request, reply, platform, request.params.slug, 'payments.read');
    if (!g) return reply;
    const run = await runFor(g, request.params.runId);
    if (run.state !== 'completed') throw conflict(t('payments.notices.bulk.error.notFinished'));
    const files = await runFiles(db.app, g.ente.id, run.id);
    const zip = new ZipFile();
    for (const file of files) {
      zip.addReadStreamLazy(file.file_name!, { mtime: run.createdAt, compress: false }, (cb) => {
        withEnte(db.app, g.ente.id, (trx) => platform.files.get(trx, file.sha256!)).then(
          (stored) => (stored ? cb(null, Readable.from([stored.bytes])) : cb(new Error(`missing file ${file.sha256}`), Readable.from([]))),
          (err: unknown) => cb(err, Readable.from([])),
        );
      });
    }
    zip.end();
    const name = `avvisi-${g.ente.slug}-${run.serviceCode}${run.year ? `-${run.year}` : ''}.zip`;
    return reply
      .header('cache-control', 'no-store')
      .header('content-disposition', contentDisposition('attachment', name))
      .header('x-content-type-options', 'nosniff')
      .type('application/zip')
      .send(zip.outputStream);
  });

  // ----------------------------------------------------------------------------------------- bulk: API
  const tags = ['payments'];
  const SlugParams = Type.Object({ slug: Type.String({ pattern: SLUG }) });
  const RunParams = Type.Object({ slug: Type.String({ pattern: SLUG }), runId: Type.String({ format: 'uuid' }) });

  app.post(
    '/api/v1/enti/:slug/pagamenti/avvisi/lotti',
    {
      schema: {
        tags,
        summary: 'Avvia la generazione massiva degli avvisi pagoPA di un ruolo',
        description: 'Include le posizioni da pagare (valide o pagate in parte) del servizio, facoltativamente solo quelle emesse in un anno. Richiede payments.manage. Il lavoro continua in background: segui l’avanzamento con GET sul collegamento restituito.',
        params: SlugParams,
        body: Type.Object({ serviceCode: Type.String({ pattern: '^[a-z0-9_]{2,40}$' }), year: Type.Optional(Nullable(Type.Integer({ minimum: 2000, maximum: 2999 }))) }, { additionalProperties: false }),
        response: { 202: RunOut, 400: Problem, 401: Problem, 403: Problem, 404: Problem, 422: Problem },
      },
    },
    async (request, reply) => {
      const ente = await findEnte(platform, request.params.slug);
      await requirePermission(request, db.app, ente.id, 'payments.manage');
      const run = await startRun(platform, actorOf(request), ente.id, request.body);
      reply.code(202).header('location', `/api/v1/enti/${ente.slug}/pagamenti/avvisi/lotti/${run.id}`);
      return runOut(ente.slug, run);
    },
  );

  app.get(
    '/api/v1/enti/:slug/pagamenti/avvisi/lotti',
    { schema: { tags, summary: 'Le ultime elaborazioni di avvisi dell’ente', params: SlugParams, response: { 200: Type.Object({ items: Type.Array(RunOut) }), 400: Problem, 401: Problem, 403: Problem, 404: Problem } } },
    async (request) => {
      const ente = await findEnte(platform, request.params.slug);
      await requirePermission(request, db.app, ente.id, 'payments.read');
      return { items: (await listRuns(db.app, ente.id)).map((run) => runOut(ente.slug, run)) };
    },
  );

  app.get(
    '/api/v1/enti/:slug/pagamenti/avvisi/lotti/:runId',
    { schema: { tags, summary: 'Avanzamento di un’elaborazione di avvisi', params: RunParams, response: { 200: RunOut, 400: Problem, 401: Problem, 403: Problem, 404: Problem } } },
    async (request) => {
      const ente = await findEnte(platform, request.params.slug);
      await requirePermission(request, db.app, ente.id, 'payments.read');
      return runOut(ente.slug, await runFor({ ente }, request.params.runId));
    },
  );
}
