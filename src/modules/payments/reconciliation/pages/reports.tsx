// Anomalies and totals, for one ente (/backoffice/enti/{slug}/pagamenti/riconciliazione/…) and for the CST across
// enti (/backoffice/pagamenti/riconciliazione/…), each with its CSV/XLSX export; the CST's home lists the flows of
// every ente. Every CST page or export is a cross-ente read audited on the CST's log.
import { Type } from 'typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { actorOf } from '../../../../platform/auth/index.js';
import { addDays, daysInclusive, isIsoDate, todayInRome } from '../../../../platform/calendar/index.js';
import type { App } from '../../../../platform/http/app.js';
import { badRequest } from '../../../../platform/http/problem.js';
import type { Platform } from '../../../../platform/platform.js';
import type { Ente } from '../../../../platform/tenancy/index.js';
import { formatDate, formatNumber, t } from '../../../../platform/views/i18n/index.js';
import { sendTableExport } from '../../../../platform/views/table-export.js';
import { RECEIPT_WITHOUT_FLOW_DAYS, anomaliesIn, flowsIn, readScope, totalsIn, type Anomaly, type TotalRow } from '../reads.js';
import { anomaliesTable, totalsTable } from '../tables.js';
import { DataTable, ExportLinks, NETWORK_PATH, RecLayout, guard, recPath, requireNetworkReader, sendPage, staffOrLogin } from './common.js';
import { FlowsTable } from './flows.js';

const Params = Type.Object({ slug: Type.String({ maxLength: 100 }) });
const RangeQuery = Type.Object({ dal: Type.Optional(Type.String({ maxLength: 10 })), al: Type.Optional(Type.String({ maxLength: 10 })) });

/** The period of the totals: ?dal=&al= (ISO dates, at most a year); the last 31 days by default. */
export function rangeOf(query: { dal?: string | undefined; al?: string | undefined }, today = todayInRome()): { from: string; to: string } {
  const to = query.al || today;
  const from = query.dal || addDays(to, -30);
  if (!isIsoDate(from) || !isIsoDate(to) || from > to || daysInclusive(from, to) > 366) throw badRequest(t('payments.rec.totals.badRange'));
  return { from, to };
}

type Scope = { ente: Ente } | { network: true };

function scopeOf(request: FastifyRequest, scope: Scope, reason: string) {
  return 'ente' in scope ? { enteId: scope.ente.id } : { network: true as const, actor: actorOf(request), reason };
}

function AnomaliesBody({ anomalies, network, base }: { anomalies: Anomaly[]; network: boolean; base: string }) {
  const table = anomaliesTable(anomalies, network);
  const flowColumn = network ? 3 : 2;
  return (
    <>
      <p>{t('payments.rec.anomalies.intro', { days: RECEIPT_WITHOUT_FLOW_DAYS })}</p>
      <p role="status">{anomalies.length === 0 ? t('payments.rec.anomalies.none') : anomalies.length === 1 ? t('payments.rec.anomalies.count.one') : t('payments.rec.anomalies.count', { n: formatNumber(anomalies.length) })}</p>
      {anomalies.length > 0 ? (
        <DataTable
          table={table}
          caption={t('payments.rec.anomalies.caption')}
          id="anomalie"
          linkColumn={flowColumn}
          linkOf={(r) => {
            const a = anomalies[r]!;
            return a.fdrId ? `${recPath(a.enteSlug)}/flussi/${a.fdrId}` : undefined;
          }}
        />
      ) : null}
      <ExportLinks href={`${base}/anomalie`} />
    </>
  );
}

function TotalsBody({ rows, network, base, range }: { rows: TotalRow[]; network: boolean; base: string; range: { from: string; to: string } }) {
  const qs = `?dal=${range.from}&al=${range.to}`;
  const sum = rows.reduce((s, r) => ({ receipts: s.receipts + r.receipts, paid: s.paid + r.paidCents, reported: s.reported + r.reported, reportedCents: s.reportedCents + r.reportedCents, anomalies: s.anomalies + r.anomalies }), { receipts: 0, paid: 0, reported: 0, reportedCents: 0, anomalies: 0 });
  return (
    <>
      <p>{t('payments.rec.totals.intro')}</p>
      <form method="get" action={`${base}/totali`} class="row g-3 align-items-end mb-4">
        <div class="col-sm-4 col-lg-3">
          <label for="dal" class="form-label">
            {t('payments.rec.totals.from')}
          </label>
          <input type="date" id="dal" name="dal" value={range.from} class="form-control" />
        </div>
        <div class="col-sm-4 col-lg-3">
          <label for="al" class="form-label">
            {t('payments.rec.totals.to')}
          </label>
          <input type="date" id="al" name="al" value={range.to} class="form-control" />
        </div>
        <div class="col-sm-4 col-lg-2">
          <button type="submit" class="btn btn-primary">
            {t('payments.rec.totals.apply')}
          </button>
        </div>
      </form>
      {rows.length === 0 ? (
        <p role="status">{t('payments.rec.totals.empty')}</p>
      ) : (
        <DataTable
          table={totalsTable(rows, network)}
          caption={t('payments.rec.totals.caption', { from: formatDate(range.from), to: formatDate(range.to) })}
          id="totali"
          foot={[...(network ? [t('payments.rec.totals.sum'), null] : [t('payments.rec.totals.sum')]), null, sum.receipts, sum.paid / 100, sum.reported, sum.reportedCents / 100, sum.anomalies]}
        />
      )}
      <ExportLinks href={`${base}/totali`} qs={qs} />
    </>
  );
}

export function registerReportPages(app: App, platform: Platform) {
  const ente = async (request: FastifyRequest, reply: FastifyReply) => (await guard(request, reply, platform, (request.params as { slug: string }).slug, 'payments.read'))?.ente;
  const network = async (request: FastifyRequest, reply: FastifyReply) => {
    if (!staffOrLogin(request, reply)) return null;
    await requireNetworkReader(request, platform);
    return { network: true as const };
  };

  // ---------------------------------------------------------------------------------------------- anomalies
  app.get('/backoffice/enti/:slug/pagamenti/riconciliazione/anomalie', { schema: { hide: true, params: Params } }, async (request, reply) => {
    const e = await ente(request, reply);
    if (!e) return reply;
    const anomalies = await readScope(platform.db.app, { enteId: e.id }, (trx) => anomaliesIn(trx));
    return sendPage(
      reply,
      <RecLayout request={request} ente={e} title={t('payments.rec.anomalies.title', { name: e.name })} current="anomalies" anomalies={anomalies.length}>
        <AnomaliesBody anomalies={anomalies} network={false} base={recPath(e.slug)} />
      </RecLayout>,
    );
  });
  app.get(NETWORK_PATH + '/anomalie', { schema: { hide: true } }, async (request, reply) => {
    if (!(await network(request, reply))) return reply;
    const anomalies = await readScope(platform.db.app, scopeOf(request, { network: true }, 'anomalie della riconciliazione pagoPA'), (trx) => anomaliesIn(trx));
    return sendPage(
      reply,
      <RecLayout request={request} ente={null} title={t('payments.rec.anomalies.titleNetwork')} current="anomalies" anomalies={anomalies.length}>
        <AnomaliesBody anomalies={anomalies} network base={NETWORK_PATH} />
      </RecLayout>,
    );
  });

  // ------------------------------------------------------------------------------------------------ totals
  app.get('/backoffice/enti/:slug/pagamenti/riconciliazione/totali', { schema: { hide: true, params: Params, querystring: RangeQuery } }, async (request, reply) => {
    const e = await ente(request, reply);
    if (!e) return reply;
    const range = rangeOf(request.query);
    const rows = await readScope(platform.db.app, { enteId: e.id }, (trx) => totalsIn(trx, range.from, range.to));
    return sendPage(
      reply,
      <RecLayout request={request} ente={e} title={t('payments.rec.totals.title', { name: e.name })} current="totals">
        <TotalsBody rows={rows} network={false} base={recPath(e.slug)} range={range} />
      </RecLayout>,
    );
  });
  app.get(NETWORK_PATH + '/totali', { schema: { hide: true, querystring: RangeQuery } }, async (request, reply) => {
    if (!(await network(request, reply))) return reply;
    const range = rangeOf(request.query);
    const rows = await readScope(platform.db.app, scopeOf(request, { network: true }, `totali della riconciliazione pagoPA ${range.from}–${range.to}`), (trx) => totalsIn(trx, range.from, range.to));
    return sendPage(
      reply,
      <RecLayout request={request} ente={null} title={t('payments.rec.totals.titleNetwork')} current="totals">
        <TotalsBody rows={rows} network base={NETWORK_PATH} range={range} />
      </RecLayout>,
    );
  });

  // ------------------------------------------------------------------------------------------------ exports
  for (const format of ['csv', 'xlsx'] as const) {
    app.get(`/backoffice/enti/:slug/pagamenti/riconciliazione/anomalie.${format}`, { schema: { hide: true, params: Params } }, async (request, reply) => {
      const e = await ente(request, reply);
      if (!e) return reply;
      const anomalies = await readScope(platform.db.app, { enteId: e.id }, (trx) => anomaliesIn(trx));
      return sendTableExport(reply, format, `anomalie-riconciliazione-${e.slug}-${todayInRome()}`, anomaliesTable(anomalies, false), { title: t('payments.rec.anomalies.title', { name: e.name }) });
    });
    app.get(`${NETWORK_PATH}/anomalie.${format}`, { schema: { hide: true } }, async (request, reply) => {
      if (!(await network(request, reply))) return reply;
      const anomalies = await readScope(platform.db.app, scopeOf(request, { network: true }, `export delle anomalie della riconciliazione pagoPA (${format})`), (trx) => anomaliesIn(trx));
      return sendTableExport(reply, format, `anomalie-riconciliazione-rete-${todayInRome()}`, anomaliesTable(anomalies, true), { title: t('payments.rec.anomalies.titleNetwork') });
    });
    app.get(`/backoffice/enti/:slug/pagamenti/riconciliazione/totali.${format}`, { schema: { hide: true, params: Params, querystring: RangeQuery } }, async (request, reply) => {
      const e = await ente(request, reply);
      if (!e) return reply;
      const range = rangeOf(request.query);
      const rows = await readScope(platform.db.app, { enteId: e.id }, (trx) => totalsIn(trx, range.from, range.to));
      return sendTableExport(reply, format, `totali-riconciliazione-${e.slug}-${range.from}-${range.to}`, totalsTable(rows, false), { title: t('payments.rec.totals.title', { name: e.name }) });
    });
    app.get(`${NETWORK_PATH}/totali.${format}`, { schema: { hide: true, querystring: RangeQuery } }, async (request, reply) => {
      if (!(await network(request, reply))) return reply;
      const range = rangeOf(request.query);
      const rows = await readScope(platform.db.app, scopeOf(request, { network: true }, `export dei totali della riconciliazione pagoPA ${range.from}–${range.to} (${format})`), (trx) => totalsIn(trx, range.from, range.to));
      return sendTableExport(reply, format, `totali-riconciliazione-rete-${range.from}-${range.to}`, totalsTable(rows, true), { title: t('payments.rec.totals.titleNetwork') });
    });
  }

  // -------------------------------------------------------------------------------------- the CST's home
  app.get(NETWORK_PATH, { schema: { hide: true } }, async (request, reply) => {
    if (!(await network(request, reply))) return reply;
    const { flows, anomalies } = await readScope(platform.db.app, scopeOf(request, { network: true }, 'flussi della riconciliazione pagoPA'), async (trx) => ({
      flows: await flowsIn(trx, { limit: 100, offset: 0 }),
      anomalies: (await anomaliesIn(trx)).length,
    }));
    return sendPage(
      reply,
      <RecLayout request={request} ente={null} title={t('payments.rec.network.title')} current="flows" anomalies={anomalies}>
        <p>{t('payments.rec.network.intro')}</p>
        <p role="status">{flows.total === 1 ? t('payments.rec.flows.count.one') : t('payments.rec.flows.count', { n: formatNumber(flows.total) })}</p>
        {flows.items.length > 0 ? <FlowsTable items={flows.items} caption={t('payments.rec.flows.captionNetwork')} network /> : <p>{t('payments.rec.flows.empty')}</p>}
      </RecLayout>,
    );
  });
}
