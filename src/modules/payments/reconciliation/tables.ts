// The reconciliation's tables as the pages show them and the CSV/XLSX exports hand them out (one definition for
// both): euro amounts as numbers with two decimals, dates as dates, Italian labels.
import { t } from '../../../platform/views/i18n/index.js';
import type { ExportTable } from '../../../platform/views/table-export.js';
import type { Anomaly, FlowDetail, TotalRow } from './reads.js';
import './messages.js';

const euros = (cents: number | null | undefined) => (cents === null || cents === undefined ? null : Number(cents) / 100);

export function anomalySubject(a: Anomaly): string {
  const parts = [a.flowId ? `flusso ${a.flowId}` : null, a.iuv ? `IUV ${a.iuv}` : null, a.reference ? `accredito ${a.reference}` : null];
  return parts.filter(Boolean).join(', ');
}

export function anomaliesTable(anomalies: Anomaly[], withEnte: boolean): ExportTable {
  return {
    sheet: 'Anomalie',
    columns: [
      ...(withEnte ? [{ header: t('payments.rec.col.ente') }] : []),
      { header: t('payments.rec.col.day'), kind: 'date' as const },
      { header: t('payments.rec.col.kind') },
      { header: t('payments.rec.col.flow') },
      { header: t('payments.rec.col.iuv') },
      { header: t('payments.rec.col.reference') },
      { header: t('payments.rec.col.expected'), kind: 'number' as const },
      { header: t('payments.rec.col.found'), kind: 'number' as const },
    ],
    rows: anomalies.map((a) => [...(withEnte ? [a.enteName] : []), a.day, t(`payments.rec.kind.${a.kind}`), a.flowId, a.iuv, a.reference, euros(a.expectedCents), euros(a.foundCents)]),
  };
}

export function totalsTable(rows: TotalRow[], withEnte: boolean): ExportTable {
  return {
    sheet: 'Totali',
    columns: [
      ...(withEnte ? [{ header: t('payments.rec.col.ente') }] : []),
      { header: t('payments.rec.col.day'), kind: 'date' as const },
      { header: t('payments.rec.col.service') },
      { header: t('payments.rec.col.receipts'), kind: 'number' as const },
      { header: t('payments.rec.col.paid'), kind: 'number' as const },
      { header: t('payments.rec.col.reported'), kind: 'number' as const },
      { header: t('payments.rec.col.reportedCents'), kind: 'number' as const },
      { header: t('payments.rec.col.anomalies'), kind: 'number' as const },
    ],
    rows: rows.map((r) => [
      ...(withEnte ? [r.enteName] : []),
      r.day,
      r.serviceName ?? r.serviceCode ?? t('payments.rec.service.unknown'),
      r.receipts,
      euros(r.paidCents),
      r.reported,
      euros(r.reportedCents),
      r.anomalies,
    ]),
  };
}

export function flowLinesTable(detail: FlowDetail): ExportTable {
  return {
    sheet: `Flusso ${detail.flow.flow_id}`.slice(0, 31),
    columns: [
      { header: t('payments.rec.col.idx'), kind: 'number' },
      { header: t('payments.rec.col.iuv') },
      { header: t('payments.rec.col.iur') },
      { header: t('payments.rec.col.transfer'), kind: 'number' },
      { header: t('payments.rec.col.amount'), kind: 'number' },
      { header: t('payments.rec.col.outcome') },
      { header: t('payments.rec.col.outcomeDate'), kind: 'date' },
      { header: t('payments.rec.col.service') },
      { header: t('payments.rec.col.receipt') },
      { header: t('payments.rec.col.expected'), kind: 'number' },
      { header: t('payments.rec.col.match') },
    ],
    rows: detail.lines.map((l) => [
      l.idx,
      l.iuv,
      l.iur,
      l.transfer_index,
      euros(l.amount_cents),
      t(`payments.rec.outcome.${l.outcome_code}`),
      l.outcome_date,
      l.service_name ?? l.service_code,
      l.receipt_id,
      euros(l.expected_cents),
      t(`payments.rec.match.${l.match_status}`),
    ]),
  };
}
