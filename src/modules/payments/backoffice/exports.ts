// The positions matching the list's filters as CSV or XLSX (one row per position: amounts in euro as numbers,
// Italian status names), through the platform's table-export helpers.
import { Type } from 'typebox';
import { todayInRome } from '../../../platform/calendar/index.js';
import { withEnte } from '../../../platform/db/index.js';
import type { App } from '../../../platform/http/app.js';
import type { Platform } from '../../../platform/platform.js';
import { t } from '../../../platform/views/i18n/index.js';
import { sendTableExport, type ExportTable } from '../../../platform/views/table-export.js';
import { guard, statusText } from './common.js';
import { ListQuery, filtersOf } from './list.js';
import { listPositions, type PositionSummary } from './queries.js';

/** More than any ente's yearly roll; the export says nothing is cut by refusing bigger sets. */
export const MAX_EXPORT_ROWS = 100_000;

export function positionsTable(items: PositionSummary[]): ExportTable {
  return {
    sheet: t('payments.bo.export.sheet'),
    columns: [
      { header: t('payments.bo.export.col.ref') },
      { header: t('payments.bo.export.col.service') },
      { header: t('payments.bo.export.col.debtorCode') },
      { header: t('payments.bo.export.col.debtor') },
      { header: t('payments.bo.export.col.reason') },
      { header: t('payments.bo.export.col.amount'), kind: 'number' },
      { header: t('payments.bo.export.col.paid'), kind: 'number' },
      { header: t('payments.bo.export.col.due'), kind: 'date' },
      { header: t('payments.bo.export.col.status') },
      { header: t('payments.bo.export.col.created'), kind: 'datetime' },
      { header: t('payments.bo.export.col.id') },
    ],
    rows: items.map((p) => [p.externalRef, p.serviceCode, p.debtorFiscalCode, p.debtorName, p.reason, p.amountCents / 100, p.paidCents / 100, p.firstDue, statusText(p.status), p.createdAt, p.id]),
  };
}

export function registerExports(app: App, platform: Platform) {
  for (const format of ['csv', 'xlsx'] as const) {
    app.get(`/backoffice/enti/:slug/pagamenti/posizioni.${format}`, { schema: { hide: true, params: Type.Object({ slug: Type.String({ maxLength: 200 }) }), querystring: ListQuery } }, async (request, reply) => {
      const g = await guard(request, reply, platform, request.params.slug, 'payments.read');
      if (!g) return reply;
      const filters = filtersOf(request.query);
      const page = await withEnte(platform.db.app, g.ente.id, (trx) => listPositions(trx, filters, { limit: MAX_EXPORT_ROWS, offset: 0 }, todayInRome()));
      return sendTableExport(reply, format, `posizioni-${g.ente.slug}-${todayInRome()}`, positionsTable(page.items), { title: t('payments.bo.list.title', { name: g.ente.name }) });
    });
  }
}
