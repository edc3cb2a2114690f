// The flows of an ente (list, upload of a new FdR) and the page of one flow: its data, its lines with their
// match to the receipts, its treasury credit, a new match on request and the lines as CSV/XLSX.
import { Type } from 'typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { actorOf, csrfToken } from '../../../../platform/auth/index.js';
import { withEnte } from '../../../../platform/db/index.js';
import type { App } from '../../../../platform/http/app.js';
import { notFound } from '../../../../platform/http/problem.js';
import type { Platform } from '../../../../platform/platform.js';
import type { Ente } from '../../../../platform/tenancy/index.js';
import { formatDate, formatDateTime, formatNumber, t } from '../../../../platform/views/i18n/index.js';
import { CsrfField } from '../../../../platform/views/layout.js';
import { sendTableExport } from '../../../../platform/views/table-export.js';
import { anomaliesIn, flowDetailIn, flowsIn, type FlowDetail, type FlowListItem } from '../reads.js';
import { importFlow, rematchFlow } from '../service.js';
import { flowLinesTable } from '../tables.js';
import { DataTable, ErrorAlert, ExportLinks, Outcome, RecLayout, UUID, euro, guard, isFormProblem, recPath, sendPage } from './common.js';
import { fileOf } from './upload.js';

const Params = Type.Object({ slug: Type.String({ maxLength: 100 }) });
const FlowParams = Type.Object({ slug: Type.String({ maxLength: 100 }), id: Type.String({ maxLength: 40 }) });
const FileParams = Type.Object({ slug: Type.String({ maxLength: 100 }), id: Type.String({ maxLength: 40 }), file: Type.String({ maxLength: 20 }) });
const Query = Type.Object({ esito: Type.Optional(Type.String({ maxLength: 40 })), pagina: Type.Optional(Type.String({ maxLength: 6 })) });
const PAGE_SIZE = 50;

export function FlowState({ status, anomalies }: { status: string; anomalies: number }) {
  const badge = status === 'matched' ? 'bg-success' : status === 'anomalies' ? 'bg-danger' : 'bg-secondary';
  return <span class={`badge ${badge}`}>{t(`payments.rec.state.${status}`, { n: anomalies })}</span>;
}

export function FlowsTable({ items, caption, network }: { items: FlowListItem[]; caption: string; network: boolean }) {
  return (
    <div class="table-responsive">
      <table class="table align-middle" id="flussi">
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{t('payments.rec.col.flow')}</th>
            {network ? <th scope="col">{t('payments.rec.col.ente')}</th> : null}
            <th scope="col">{t('payments.rec.col.settlement')}</th>
            <th scope="col">{t('payments.rec.col.psp')}</th>
            <th scope="col" class="text-end">
              {t('payments.rec.col.payments')}
            </th>
            <th scope="col" class="text-end">
              {t('payments.rec.col.total')}
            </th>
            <th scope="col">{t('payments.rec.col.treasury')}</th>
            <th scope="col">{t('payments.rec.col.state')}</th>
          </tr>
        </thead>
        <tbody>
          {items.map((f) => (
            <tr>
              <th scope="row">
                <a href={`${recPath(f.ente_slug)}/flussi/${f.id}`}>{f.flow_id}</a>
              </th>
              {network ? <td>{f.ente_name}</td> : null}
              <td>{formatDate(f.settlement_date)}</td>
              <td>{f.sender_name ?? f.sender_code}</td>
              <td class="text-end">{formatNumber(f.lines_count)}</td>
              <td class="text-end">{euro(f.declared_total_cents).replace(' €', '')}</td>
              <td>{f.treasury_lines ? t('payments.rec.treasury.yes') : t('payments.rec.treasury.no')}</td>
              <td>
                <FlowState status={f.status} anomalies={f.anomalies} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

async function renderHome(request: FastifyRequest, reply: FastifyReply, platform: Platform, ente: Ente, error?: string, status = 200) {
  const q = request.query as { esito?: string; pagina?: string };
  const page = q.pagina && /^\d{1,5}$/.test(q.pagina) ? Math.max(1, Number(q.pagina)) : 1;
  const { flows, anomalies } = await withEnte(platform.db.app, ente.id, async (trx) => ({ flows: await flowsIn(trx, { limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE }), anomalies: (await anomaliesIn(trx)).length }));
  const base = recPath(ente.slug);
  const pages = Math.max(1, Math.ceil(flows.total / PAGE_SIZE));
  return sendPage(
    reply,
    <RecLayout request={request} ente={ente} title={t('payments.rec.home.title', { name: ente.name })} current="flows" anomalies={anomalies}>
      <p>{t('payments.rec.home.intro')}</p>
      {error ? <ErrorAlert>{error}</ErrorAlert> : <Outcome esito={q.esito} />}
      <section aria-labelledby="importa" class="mb-5">
        <h2 id="importa" class="h4">
          {t('payments.rec.upload.title')}
        </h2>
        <form method="post" action={`${base}/flussi`} enctype="multipart/form-data" class="row g-3 align-items-end">
          <CsrfField token={csrfToken(request, reply)} />
          <div class="col-md-8">
            <label for="flusso" class="form-label">
              {t('payments.rec.upload.file')}
            </label>
            <input type="file" id="flusso" name="flusso" accept=".xml,application/xml,text/xml" class="form-control" required aria-describedby="flusso-aiuto" />
            <p id="flusso-aiuto" class="form-text">
              {t('payments.rec.upload.help')}
            </p>
          </div>
          <div class="col-md-4">
            <button type="submit" class="btn btn-primary">
              {t('payments.rec.upload.submit')}
            </button>
          </div>
        </form>
      </section>
      <section aria-labelledby="elenco" class="mb-5">
        <h2 id="elenco" class="h4">
          {t('payments.rec.flows.title')}
        </h2>
        <p role="status">{flows.total === 1 ? t('payments.rec.flows.count.one') : t('payments.rec.flows.count', { n: formatNumber(flows.total) })}</p>
        {flows.items.length > 0 ? <FlowsTable items={flows.items} caption={t('payments.rec.flows.caption', { name: ente.name })} network={false} /> : <p>{t('payments.rec.flows.empty')}</p>}
        {pages > 1 ? (
          <nav aria-label={t('payments.rec.flows.title')}>
            <ul class="pagination">
              {Array.from({ length: Math.min(pages, 20) }, (_, i) => i + 1).map((p) => (
                <li class={`page-item${p === page ? ' active' : ''}`}>
                  <a class="page-link" href={`${base}?pagina=${p}`} aria-current={p === page ? 'page' : undefined}>
                    {p}
                  </a>
                </li>
              ))}
            </ul>
          </nav>
        ) : null}
      </section>
    </RecLayout>,
    status,
  );
}

function FlowFacts({ detail }: { detail: FlowDetail }) {
  const f = detail.flow;
  const facts: [string, string][] = [
    [t('payments.rec.flow.dateTime'), formatDateTime(f.flow_date_time)],
    [t('payments.rec.col.settlement'), formatDate(f.settlement_date)],
    [t('payments.rec.flow.settlementId'), f.settlement_id],
    [t('payments.rec.flow.sender'), `${f.sender_name ?? ''} (${f.sender_type} ${f.sender_code})`.trim()],
    ...(f.bic ? ([[t('payments.rec.flow.bic'), f.bic]] as [string, string][]) : []),
    [t('payments.rec.flow.receiver'), `${f.receiver_name ?? ''} (${f.receiver_code})`.trim()],
    [t('payments.rec.flow.declared'), t('payments.rec.flow.declaredValue', { count: formatNumber(f.declared_count), total: euro(f.declared_total_cents).replace(' €', '') })],
    [t('payments.rec.flow.found'), t('payments.rec.flow.declaredValue', { count: formatNumber(f.lines_count), total: euro(f.lines_total_cents).replace(' €', '') })],
    [t('payments.rec.flow.schema'), f.schema_versions.map((v) => `FlussoRiversamento ${v}`).join(', ')],
    [t('payments.rec.flow.imported'), t('payments.rec.flow.importedValue', { when: formatDateTime(f.imported_at), who: f.imported_by })],
  ];
  return (
    <dl class="row">
      {facts.map(([k, v]) => (
        <>
          <dt class="col-md-4">{k}</dt>
          <dd class="col-md-8">{v}</dd>
        </>
      ))}
    </dl>
  );
}

async function loadDetail(platform: Platform, ente: Ente, id: string) {
  if (!UUID.test(id)) throw notFound(t('payments.rec.flowNotFound'));
  const detail = await withEnte(platform.db.app, ente.id, (trx) => flowDetailIn(trx, id));
  if (!detail) throw notFound(t('payments.rec.flowNotFound'));
  return detail;
}

export function registerFlowPages(app: App, platform: Platform) {
  app.get('/backoffice/enti/:slug/pagamenti/riconciliazione', { schema: { hide: true, params: Params, querystring: Query } }, async (request, reply) => {
    const g = await guard(request, reply, platform, request.params.slug, 'payments.read');
    if (!g) return reply;
    return renderHome(request, reply, platform, g.ente);
  });

  app.post('/backoffice/enti/:slug/pagamenti/riconciliazione/flussi', { schema: { hide: true, params: Params } }, async (request, reply) => {
    const g = await guard(request, reply, platform, request.params.slug, 'payments.manage');
    if (!g) return reply;
    try {
      const file = fileOf(request, 'flusso', t('payments.rec.upload.missing'));
      const result = await importFlow(platform, actorOf(request), g.ente.id, file);
      return reply.redirect(`${recPath(g.ente.slug)}/flussi/${result.id}?esito=${result.created ? 'imported' : 'already'}`, 303);
    } catch (err) {
      if (isFormProblem(err)) return renderHome(request, reply, platform, g.ente, err.detail ?? err.title, err.status);
      throw err;
    }
  });

  app.get('/backoffice/enti/:slug/pagamenti/riconciliazione/flussi/:id', { schema: { hide: true, params: FlowParams, querystring: Query } }, async (request, reply) => {
    const g = await guard(request, reply, platform, request.params.slug, 'payments.read');
    if (!g) return reply;
    const detail = await loadDetail(platform, g.ente, request.params.id);
    const base = `${recPath(g.ente.slug)}/flussi/${detail.flow.id}`;
    const title = t('payments.rec.flow.title', { flowId: detail.flow.flow_id });
    const lines = flowLinesTable(detail);
    return sendPage(
      reply,
      <RecLayout request={request} ente={g.ente} title={title} current="flows" crumbs={[{ label: detail.flow.flow_id }]}>
        <Outcome esito={request.query.esito} />
        <p>
          <FlowState status={detail.flow.status} anomalies={detail.flow.anomalies} />
        </p>
        <section aria-labelledby="dati" class="mb-4">
          <h2 id="dati" class="h4">
            {t('payments.rec.flow.data')}
          </h2>
          <FlowFacts detail={detail} />
        </section>
        <section aria-labelledby="tesoreria" class="mb-4">
          <h2 id="tesoreria" class="h4">
            {t('payments.rec.flow.treasury')}
          </h2>
          {detail.treasury.length === 0 ? (
            <p>{t('payments.rec.flow.noTreasury', { flowId: detail.flow.flow_id })}</p>
          ) : (
            <ul>
              {detail.treasury.map((tl) => (
                <li>
                  {formatDate(tl.value_date)} · {euro(tl.amount_cents)} · {tl.remittance} {tl.reference ? `· ${tl.reference}` : ''} — {t(`payments.rec.tstate.${tl.match_status}`)}
                </li>
              ))}
            </ul>
          )}
        </section>
        <section aria-labelledby="righe" class="mb-4">
          <h2 id="righe" class="h4">
            {t('payments.rec.flow.lines')}
          </h2>
          <DataTable table={lines} caption={t('payments.rec.flow.linesCaption', { flowId: detail.flow.flow_id })} id="righe-flusso" rowClass={(r) => (detail.lines[r]!.match_status === 'matched' ? undefined : 'table-warning')} />
          <ExportLinks href={`${base}/righe`} />
        </section>
        <form method="post" action={`${base}/abbina`} class="mb-5">
          <CsrfField token={csrfToken(request, reply)} />
          <p id="abbina-aiuto" class="small">
            {t('payments.rec.flow.rematchHelp')}
          </p>
          <button type="submit" class="btn btn-outline-primary" aria-describedby="abbina-aiuto">
            {t('payments.rec.flow.rematch')}
          </button>
        </form>
      </RecLayout>,
    );
  });

  app.get('/backoffice/enti/:slug/pagamenti/riconciliazione/flussi/:id/:file', { schema: { hide: true, params: FileParams } }, async (request, reply) => {
    const g = await guard(request, reply, platform, request.params.slug, 'payments.read');
    if (!g) return reply;
    const format = /^righe\.(csv|xlsx)$/.exec(request.params.file)?.[1] as 'csv' | 'xlsx' | undefined;
    if (!format) throw notFound();
    const detail = await loadDetail(platform, g.ente, request.params.id);
    return sendTableExport(reply, format, `flusso-${detail.flow.flow_id}`, flowLinesTable(detail), { title: t('payments.rec.flow.title', { flowId: detail.flow.flow_id }) });
  });

  app.post('/backoffice/enti/:slug/pagamenti/riconciliazione/flussi/:id/abbina', { schema: { hide: true, params: FlowParams } }, async (request, reply) => {
    const g = await guard(request, reply, platform, request.params.slug, 'payments.manage');
    if (!g) return reply;
    if (!UUID.test(request.params.id)) throw notFound(t('payments.rec.flowNotFound'));
    await rematchFlow(platform.db.app, actorOf(request), g.ente.id, request.params.id);
    return reply.redirect(`${recPath(g.ente.slug)}/flussi/${request.params.id}?esito=rematched`, 303);
  });
}

