// What the reconciliation shows: flows, a flow with its lines, treasury lines, the anomalies and the totals per
// ente, service and day. One ente's reads run in its transaction; the CST's view crosses enti through
// withCrossEnteRead and is audited on the CST's log (the same queries: RLS or the cross reader decide the rows).
import type { Kysely } from 'kysely';
import { recordAuditEvent, type Actor } from '../../../platform/audit/index.js';
import { addDays, todayInRome } from '../../../platform/calendar/index.js';
import { sql, withCrossEnteRead, withEnte, type DB, type Trx } from '../../../platform/db/index.js';
import { getCstEnte } from '../../../platform/tenancy/index.js';

/** A receipt with no flow line after this many days is an anomaly (flows arrive within a few working days). */
export const RECEIPT_WITHOUT_FLOW_DAYS = 10;
const MAX_ROWS = 5000;

export type AnomalyKind =
  | 'unknown_iuv'
  | 'amount_mismatch'
  | 'missing_receipt'
  | 'revoked'
  | 'flow_total_mismatch'
  | 'flow_without_treasury'
  | 'treasury_amount_mismatch'
  | 'treasury_without_flow'
  | 'receipt_without_flow'
  | 'duplicate_receipt';

export interface Anomaly {
  kind: AnomalyKind;
  enteId: string;
  enteName: string;
  enteSlug: string;
  day: string;
  fdrId: string | null;
  flowId: string | null;
  iuv: string | null;
  treasuryLineId: string | null;
  reference: string | null;
  expectedCents: number | null;
  foundCents: number | null;
}

const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));

/** Every anomaly the transaction can see, newest day first. */
export async function anomaliesIn(trx: Trx, today = todayInRome()): Promise<Anomaly[]> {
  const lines = await trx
    .selectFrom('payment_fdr_line as l')
    .innerJoin('payment_fdr as f', (j) => j.onRef('f.ente_id', '=', 'l.ente_id').onRef('f.id', '=', 'l.fdr_id'))
    .innerJoin('ente as e', 'e.id', 'l.ente_id')
    .select(['l.match_status as kind', 'l.ente_id', 'e.name', 'e.slug', 'l.outcome_date as day', 'f.id as fdr_id', 'f.flow_id', 'l.iuv', 'l.expected_cents', 'l.amount_cents'])
    .where('l.match_status', 'in', ['unknown_iuv', 'amount_mismatch', 'missing_receipt', 'revoked'])
    .limit(MAX_ROWS)
    .execute();
  const flows = await trx
    .selectFrom('payment_fdr as f')
    .innerJoin('ente as e', 'e.id', 'f.ente_id')
    .leftJoin(
      (eb) => eb.selectFrom('payment_treasury_line').select(['ente_id', 'fdr_id', sql<number>`sum(amount_cents)`.as('total')]).where('fdr_id', 'is not', null).groupBy(['ente_id', 'fdr_id']).as('t'),
      (j) => j.onRef('t.ente_id', '=', 'f.ente_id').onRef('t.fdr_id', '=', 'f.id'),
    )
    .select(['f.ente_id', 'e.name', 'e.slug', 'f.id', 'f.flow_id', 'f.settlement_date', 'f.declared_count', 'f.lines_count', 'f.declared_total_cents', 'f.lines_total_cents', 't.total'])
    .where((eb) => eb.or([eb('f.declared_count', '<>', eb.ref('f.lines_count')), eb('f.declared_total_cents', '<>', eb.ref('f.lines_total_cents')), eb('t.total', 'is', null), eb('t.total', '<>', eb.ref('f.declared_total_cents'))]))
    .limit(MAX_ROWS)
    .execute();
  const treasury = await trx
    .selectFrom('payment_treasury_line as t')
    .innerJoin('ente as e', 'e.id', 't.ente_id')
    .select(['t.ente_id', 'e.name', 'e.slug', 't.id', 't.value_date', 't.amount_cents', 't.reference', 't.flow_ref'])
    .where('t.fdr_id', 'is', null)
    .limit(MAX_ROWS)
    .execute();
  const receiptDay = sql<string>`coalesce(r.application_date, (r.payment_date_time at time zone 'Europe/Rome')::date, (r.received_at at time zone 'Europe/Rome')::date)::text`;
  const receipts = await trx
    .selectFrom('payment_receipt as r')
    .innerJoin('ente as e', 'e.id', 'r.ente_id')
    .select(['r.ente_id', 'e.name', 'e.slug', 'r.iuv', 'r.amount_cents', 'r.duplicate_of', receiptDay.as('day')])
    .where('r.outcome', '=', 'OK')
    .where((eb) =>
      eb.or([
        eb('r.duplicate_of', 'is not', null),
        eb.and([
          eb(receiptDay, '<', addDays(today, -RECEIPT_WITHOUT_FLOW_DAYS)),
          eb.not(eb.exists(eb.selectFrom('payment_fdr_line as l').select(sql`1`.as('x')).whereRef('l.ente_id', '=', 'r.ente_id').whereRef('l.iuv', '=', 'r.iuv'))),
        ]),
      ]),
    )
    .limit(MAX_ROWS)
    .execute();

  const out: Anomaly[] = [];
  const none = { fdrId: null, flowId: null, iuv: null, treasuryLineId: null, reference: null, expectedCents: null, foundCents: null };
  for (const l of lines) {
    out.push({ ...none, kind: l.kind as AnomalyKind, enteId: l.ente_id, enteName: l.name, enteSlug: l.slug, day: l.day, fdrId: l.fdr_id, flowId: l.flow_id, iuv: l.iuv, expectedCents: num(l.expected_cents), foundCents: Number(l.amount_cents) });
  }
  for (const f of flows) {
    const base = { ...none, enteId: f.ente_id, enteName: f.name, enteSlug: f.slug, day: f.settlement_date, fdrId: f.id, flowId: f.flow_id };
    if (f.declared_count !== f.lines_count || Number(f.declared_total_cents) !== Number(f.lines_total_cents)) {
      out.push({ ...base, kind: 'flow_total_mismatch', expectedCents: Number(f.declared_total_cents), foundCents: Number(f.lines_total_cents) });
    }
    if (f.total === null) out.push({ ...base, kind: 'flow_without_treasury', expectedCents: Number(f.declared_total_cents) });
    else if (Number(f.total) !== Number(f.declared_total_cents)) out.push({ ...base, kind: 'treasury_amount_mismatch', expectedCents: Number(f.declared_total_cents), foundCents: Number(f.total) });
  }
  for (const t of treasury) {
    out.push({ ...none, kind: 'treasury_without_flow', enteId: t.ente_id, enteName: t.name, enteSlug: t.slug, day: t.value_date, treasuryLineId: t.id, reference: t.reference ?? t.flow_ref, foundCents: Number(t.amount_cents) });
  }
  for (const r of receipts) {
    out.push({ ...none, kind: r.duplicate_of ? 'duplicate_receipt' : 'receipt_without_flow', enteId: r.ente_id, enteName: r.name, enteSlug: r.slug, day: r.day, iuv: r.iuv, foundCents: Number(r.amount_cents) });
  }
  return out.sort((a, b) => (a.day === b.day ? a.kind.localeCompare(b.kind) : a.day < b.day ? 1 : -1));
}

export interface TotalRow {
  enteId: string;
  enteName: string;
  day: string;
  serviceCode: string | null;
  serviceName: string | null;
  receipts: number;
  paidCents: number;
  reported: number;
  reportedCents: number;
  anomalies: number;
}

/**
 * Per ente, day and service: receipts (RT) and the money paid, flow lines and the money reported, and the flow
 * lines in anomaly. The day is the receipt's application date (the line's outcome date when it has no receipt).
 */
export async function totalsIn(trx: Trx, from: string, to: string): Promise<TotalRow[]> {
  const receiptDay = sql<string>`coalesce(r.application_date, (r.payment_date_time at time zone 'Europe/Rome')::date, (r.received_at at time zone 'Europe/Rome')::date)`;
  const receipts = await trx
    .selectFrom('payment_receipt as r')
    .innerJoin('payment_option as o', (j) => j.onRef('o.ente_id', '=', 'r.ente_id').onRef('o.id', '=', 'r.option_id'))
    .innerJoin('payment_position as p', (j) => j.onRef('p.ente_id', '=', 'o.ente_id').onRef('p.id', '=', 'o.position_id'))
    .select(['r.ente_id', sql<string>`${receiptDay}::text`.as('day'), 'p.service_code', sql<number>`count(*)::int`.as('n'), sql<number>`sum(r.amount_cents)`.as('cents')])
    .where('r.outcome', '=', 'OK')
    .where(receiptDay, '>=', sql<string>`${from}::date`)
    .where(receiptDay, '<=', sql<string>`${to}::date`)
    .groupBy(['r.ente_id', 'day', 'p.service_code'])
    .execute();
  const lineDay = sql<string>`coalesce(r.application_date, (r.payment_date_time at time zone 'Europe/Rome')::date, l.outcome_date)`;
  const lines = await trx
    .selectFrom('payment_fdr_line as l')
    .leftJoin('payment_receipt as r', (j) => j.onRef('r.ente_id', '=', 'l.ente_id').onRef('r.id', '=', 'l.receipt_id'))
    .select([
      'l.ente_id',
      sql<string>`${lineDay}::text`.as('day'),
      'l.service_code',
      sql<number>`count(*) filter (where l.outcome_code <> '3')::int`.as('n'),
      sql<number>`coalesce(sum(l.amount_cents) filter (where l.outcome_code <> '3'), 0)`.as('cents'),
      sql<number>`count(*) filter (where l.match_status not in ('matched', 'pending'))::int`.as('anomalies'),
    ])
    .where(lineDay, '>=', sql<string>`${from}::date`)
    .where(lineDay, '<=', sql<string>`${to}::date`)
    .groupBy(['l.ente_id', 'day', 'l.service_code'])
    .execute();
  const services = await trx.selectFrom('payment_service as s').innerJoin('ente as e', 'e.id', 's.ente_id').select(['s.ente_id', 's.code', 's.name', 'e.name as ente_name']).execute();
  const enti = await trx.selectFrom('ente').select(['id', 'name']).where('id', 'in', [...new Set([...receipts, ...lines].map((r) => r.ente_id)), '00000000-0000-0000-0000-000000000000']).execute();
  const rows = new Map<string, TotalRow>();
  const row = (enteId: string, day: string, serviceCode: string | null) => {
    const key = `${enteId}|${day}|${serviceCode ?? ''}`;
    let r = rows.get(key);
    if (!r) {
      r = {
        enteId,
        enteName: enti.find((e) => e.id === enteId)?.name ?? '',
        day,
        serviceCode,
        serviceName: services.find((s) => s.ente_id === enteId && s.code === serviceCode)?.name ?? null,
        receipts: 0,
        paidCents: 0,
        reported: 0,
        reportedCents: 0,
        anomalies: 0,
      };
      rows.set(key, r);
    }
    return r;
  };
  for (const r of receipts) Object.assign(row(r.ente_id, r.day, r.service_code), { receipts: r.n, paidCents: Number(r.cents) });
  for (const l of lines) Object.assign(row(l.ente_id, l.day, l.service_code), { reported: l.n, reportedCents: Number(l.cents), anomalies: l.anomalies });
  return [...rows.values()].sort((a, b) => (a.day !== b.day ? (a.day < b.day ? 1 : -1) : a.enteName !== b.enteName ? a.enteName.localeCompare(b.enteName, 'it') : (a.serviceName ?? '~').localeCompare(b.serviceName ?? '~', 'it')));
}

/** Runs `read` for one ente, or across enti for the CST (audited on the CST's log with the reason). */
export async function readScope<T>(db: Kysely<DB>, scope: { enteId: string } | { network: true; actor: Actor; reason: string }, read: (trx: Trx) => Promise<T>): Promise<T> {
  if ('enteId' in scope) return withEnte(db, scope.enteId, read);
  const cst = await getCstEnte(db);
  if (cst) await recordAuditEvent(db, { enteId: cst.id, actor: scope.actor, action: 'cross_ente.read', entity: 'payment_reconciliation', after: { reason: scope.reason } });
  return withCrossEnteRead(db, read);
}

export async function flowsIn(trx: Trx, options: { limit: number; offset: number }) {
  const rows = await trx
    .selectFrom('payment_fdr as f')
    .innerJoin('ente as e', 'e.id', 'f.ente_id')
    .leftJoin(
      (eb) => eb.selectFrom('payment_treasury_line').select(['ente_id', 'fdr_id', sql<number>`count(*)::int`.as('n')]).where('fdr_id', 'is not', null).groupBy(['ente_id', 'fdr_id']).as('t'),
      (j) => j.onRef('t.ente_id', '=', 'f.ente_id').onRef('t.fdr_id', '=', 'f.id'),
    )
    .select(['f.id', 'f.ente_id', 'e.name as ente_name', 'e.slug as ente_slug', 'f.flow_id', 'f.flow_date_time', 'f.settlement_date', 'f.sender_name', 'f.sender_code', 'f.lines_count', 'f.declared_total_cents', 'f.status', 'f.anomalies', 'f.schema_versions', 't.n as treasury_lines'])
    .orderBy('f.settlement_date', 'desc')
    .orderBy('f.flow_date_time', 'desc')
    .limit(options.limit)
    .offset(options.offset)
    .execute();
  const total = await trx.selectFrom('payment_fdr').select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow();
  return { total: total.n, items: rows };
}

export type FlowListItem = Awaited<ReturnType<typeof flowsIn>>['items'][number];

export async function flowDetailIn(trx: Trx, fdrId: string) {
  const flow = await trx.selectFrom('payment_fdr').selectAll().where('id', '=', fdrId).executeTakeFirst();
  if (!flow) return undefined;
  const lines = await trx
    .selectFrom('payment_fdr_line as l')
    .leftJoin('payment_receipt as r', (j) => j.onRef('r.ente_id', '=', 'l.ente_id').onRef('r.id', '=', 'l.receipt_id'))
    .leftJoin('payment_service as s', (j) => j.onRef('s.ente_id', '=', 'l.ente_id').onRef('s.code', '=', 'l.service_code'))
    .select(['l.idx', 'l.iuv', 'l.iur', 'l.transfer_index', 'l.amount_cents', 'l.outcome_code', 'l.outcome_date', 'l.match_status', 'l.expected_cents', 'l.service_code', 's.name as service_name', 'r.receipt_id', 'r.payer_name', 'r.application_date'])
    .where('l.fdr_id', '=', fdrId)
    .orderBy('l.idx')
    .execute();
  const treasury = await trx.selectFrom('payment_treasury_line').selectAll().where('fdr_id', '=', fdrId).orderBy('value_date').execute();
  return { flow, lines, treasury };
}

export type FlowDetail = NonNullable<Awaited<ReturnType<typeof flowDetailIn>>>;

export function treasuryIn(trx: Trx, options: { limit: number }) {
  return trx
    .selectFrom('payment_treasury_line as t')
    .leftJoin('payment_fdr as f', (j) => j.onRef('f.ente_id', '=', 't.ente_id').onRef('f.id', '=', 't.fdr_id'))
    .select(['t.id', 't.value_date', 't.amount_cents', 't.remittance', 't.reference', 't.match_status', 't.source', 't.fdr_id', 'f.flow_id', 'f.declared_total_cents'])
    .orderBy('t.value_date', 'desc')
    .orderBy('t.imported_at', 'desc')
    .limit(options.limit)
    .execute();
}

export type TreasuryItem = Awaited<ReturnType<typeof treasuryIn>>[number];
