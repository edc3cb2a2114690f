// The CST's view of payments across the network (/backoffice/pagamenti, CST admins only): totals per ente,
// collections per month of the whole network, links to each ente's positions. A cross-ente read, audited on the
// CST ente.
import type { FastifyRequest } from 'fastify';
import { actorOf, requirePermission } from '../../../platform/auth/index.js';
import { recordAuditEvent } from '../../../platform/audit/index.js';
import { todayInRome } from '../../../platform/calendar/index.js';
import { withCrossEnteRead } from '../../../platform/db/index.js';
import type { App } from '../../../platform/http/app.js';
import { notFound } from '../../../platform/http/problem.js';
import type { Platform } from '../../../platform/platform.js';
import { getCstEnte } from '../../../platform/tenancy/index.js';
import { formatNumber, t } from '../../../platform/views/i18n/index.js';
import { Layout } from '../../../platform/views/layout.js';
import { viewerOf } from '../../../platform/views/viewer.js';
import { euro, paymentsPath, sendPage, staffOrLogin } from './common.js';
import { CollectionsChart, TotalsList } from './list.js';
import { collectionsByMonth, emptyTotals, lastMonths, totalsByEnte, type Totals } from './queries.js';

export interface NetworkRow {
  slug: string;
  name: string;
  totals: Totals;
}

/** Totals per ente that has payments configured, the network's sum, and the network's collections per month. */
export async function networkReport(platform: Platform, today: string) {
  const months = lastMonths(today, 12);
  const { enti, byEnte, byMonth } = await withCrossEnteRead(platform.db.app, async (trx) => ({
    enti: await trx.selectFrom('payment_config as c').innerJoin('ente as e', 'e.id', 'c.ente_id').select(['e.id', 'e.slug', 'e.name']).orderBy('e.name').execute(),
    byEnte: await totalsByEnte(trx, {}, today),
    byMonth: await collectionsByMonth(trx, {}, months, today),
  }));
  const rows: NetworkRow[] = enti.map((e) => ({ slug: e.slug, name: e.name, totals: byEnte.get(e.id) ?? emptyTotals() }));
  const sum = emptyTotals();
  for (const r of rows) {
    sum.positions += r.totals.positions;
    sum.dueCents += r.totals.dueCents;
    sum.paidCents += r.totals.paidCents;
    sum.expiredCents += r.totals.expiredCents;
  }
  return { rows, sum, months, byMonth };
}

export function registerNetworkPage(app: App, platform: Platform) {
  app.get('/backoffice/pagamenti', { schema: { hide: true } }, async (request: FastifyRequest, reply) => {
    const staff = staffOrLogin(request, reply);
    if (!staff) return reply;
    const cst = await getCstEnte(platform.db.app);
    if (!cst) throw notFound();
    // Only CST admins pass 'cst.*' permissions; a refusal is audited on the CST ente.
    await requirePermission(request, platform.db.app, cst.id, 'cst.payments');
    const report = await networkReport(platform, todayInRome());
    await recordAuditEvent(platform.db.app, { enteId: cst.id, actor: actorOf(request), action: 'cross_ente_read', entity: 'payment_position', after: { purpose: 'payments_network_report', enti: report.rows.length } });
    const title = t('payments.bo.network.title');
    return sendPage(
      reply,
      <Layout title={title} viewer={viewerOf(request)} breadcrumbs={[{ label: t('app.name'), href: '/' }, { label: t('payments.bo.crumb.backoffice'), href: '/backoffice/' }, { label: title }]}>
        <h1>{title}</h1>
        <p>{t('payments.bo.network.intro')}</p>
        <h2 class="h4">{t('payments.bo.totals.title')}</h2>
        <TotalsList totals={report.sum} />
        <CollectionsChart id="incassi-rete" months={report.months} byMonth={report.byMonth} title={t('payments.bo.network.chart')} />
        <div class="table-responsive">
          <table class="table align-middle">
            <caption>{t('payments.bo.network.caption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('payments.bo.network.ente')}</th>
                <th scope="col" class="text-end">
                  {t('payments.bo.totals.positions')}
                </th>
                <th scope="col" class="text-end">
                  {t('payments.bo.totals.due')}
                </th>
                <th scope="col" class="text-end">
                  {t('payments.bo.totals.paid')}
                </th>
                <th scope="col" class="text-end">
                  {t('payments.bo.totals.expired')}
                </th>
              </tr>
            </thead>
            <tbody>
              {report.rows.map((r) => (
                <tr>
                  <th scope="row">
                    <a href={paymentsPath(r.slug)}>{r.name}</a>
                  </th>
                  <td class="text-end">{formatNumber(r.totals.positions)}</td>
                  <td class="text-end">{euro(r.totals.dueCents)}</td>
                  <td class="text-end">{euro(r.totals.paidCents)}</td>
                  <td class="text-end">{euro(r.totals.expiredCents)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </Layout>,
    );
  });
}
