// Reads of the back office and of the JSON API: positions filtered and paged, the totals of a filtered set, the
// collections per month (paid options by the Rome month of their payment) and the same figures per ente across
// the network. The `trx` is ente-bound (withEnte) or a cross-ente read (withCrossEnteRead): the SQL is the same.
import { sql, type Expression, type SqlBool } from 'kysely';
import type { Trx } from '../../../platform/db/index.js';
import { isIsoDate } from '../../../platform/calendar/index.js';
import type { PositionStatus } from '../store.js';

export const STATUSES: PositionStatus[] = ['draft', 'valid', 'partially_paid', 'paid', 'expired', 'cancelled'];

export interface PositionFilters {
  status?: PositionStatus | undefined;
  service?: string | undefined;
  /** Exact fiscal code of the debtor. */
  debtor?: string | undefined;
  /** Free text: debtor name or code, reason, own reference, notice number or IUV. */
  q?: string | undefined;
  /** Positions with an option due in [dueFrom, dueTo] (Rome calendar days). */
  dueFrom?: string | undefined;
  dueTo?: string | undefined;
}

/**
 * The status as people read it today, in SQL (mirrors service.effectiveStatus): a valid position whose unpaid
 * options are all past their last payable day is expired.
 */
export const effectiveStatusSql = (today: string) => sql<PositionStatus>`case when p.status = 'valid'
  and exists (select 1 from payment_option o where o.ente_id = p.ente_id and o.position_id = p.id and o.status = 'unpaid')
  and not exists (select 1 from payment_option o where o.ente_id = p.ente_id and o.position_id = p.id and o.status = 'unpaid'
    and coalesce(o.retention_date, o.due_date) >= ${today}::date)
  then 'expired' else p.status end`;

/** What has been paid of a position: the sum of its paid options. */
const paidSql = sql<number>`coalesce((select sum(o.amount_cents) from payment_option o where o.ente_id = p.ente_id and o.position_id = p.id and o.status = 'paid'), 0)`;

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

function where(filters: PositionFilters, today: string): Expression<SqlBool>[] {
  const out: Expression<SqlBool>[] = [];
  if (filters.status) out.push(sql<SqlBool>`${effectiveStatusSql(today)} = ${filters.status}`);
  if (filters.service) out.push(sql<SqlBool>`p.service_code = ${filters.service}`);
  if (filters.debtor) out.push(sql<SqlBool>`p.debtor_fiscal_code = ${filters.debtor.toUpperCase()}`);
  if (filters.q) {
    const like = `%${escapeLike(filters.q)}%`;
    const digits = filters.q.replace(/\s+/g, '');
    out.push(sql<SqlBool>`(p.debtor_name ilike ${like} or p.debtor_fiscal_code ilike ${like} or p.reason ilike ${like} or p.external_ref ilike ${like}
      or exists (select 1 from payment_option o where o.ente_id = p.ente_id and o.position_id = p.id and (o.notice_number = ${digits} or o.iuv = ${digits})))`);
  }
  if (filters.dueFrom && isIsoDate(filters.dueFrom)) {
    out.push(sql<SqlBool>`exists (select 1 from payment_option o where o.ente_id = p.ente_id and o.position_id = p.id and o.due_date >= ${filters.dueFrom}::date)`);
  }
  if (filters.dueTo && isIsoDate(filters.dueTo)) {
    out.push(sql<SqlBool>`exists (select 1 from payment_option o where o.ente_id = p.ente_id and o.position_id = p.id and o.due_date <= ${filters.dueTo}::date)`);
  }
  return out;
}

const base = (trx: Trx, filters: PositionFilters, today: string) =>
  trx.selectFrom('payment_position as p').where((eb) => eb.and(where(filters, today)));

export interface PositionSummary {
  id: string;
  externalRef: string | null;
  serviceCode: string;
  debtorFiscalCode: string;
  debtorName: string;
  reason: string;
  amountCents: number;
  paidCents: number;
  status: PositionStatus;
  createdAt: Date;
  /** First due date of its options. */
  firstDue: string | null;
}

export async function listPositions(trx: Trx, filters: PositionFilters, page: { limit: number; offset: number }, today: string): Promise<{ total: number; items: PositionSummary[] }> {
  const [count, rows] = await Promise.all([
    base(trx, filters, today).select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow(),
    base(trx, filters, today)
      .select([
        'p.id',
        'p.external_ref',
        'p.service_code',
        'p.debtor_fiscal_code',
        'p.debtor_name',
        'p.reason',
        'p.amount_cents',
        'p.created_at',
        paidSql.as('paid_cents'),
        effectiveStatusSql(today).as('status'),
        sql<string | null>`(select min(o.due_date)::text from payment_option o where o.ente_id = p.ente_id and o.position_id = p.id)`.as('first_due'),
      ])
      .orderBy('p.created_at', 'desc')
      .orderBy('p.id')
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
  ]);
  return {
    total: count.n,
    items: rows.map((r) => ({
      id: r.id,
      externalRef: r.external_ref,
      serviceCode: r.service_code,
      debtorFiscalCode: r.debtor_fiscal_code,
      debtorName: r.debtor_name,
      reason: r.reason,
      amountCents: Number(r.amount_cents),
      paidCents: Number(r.paid_cents),
      status: r.status,
      createdAt: r.created_at,
      firstDue: r.first_due,
    })),
  };
}

export interface Totals {
  positions: number;
  /** Still to collect on payable positions (valid, partially paid): amount minus what was paid. */
  dueCents: number;
  /** Collected: every paid option. */
  paidCents: number;
  /** Not collected on positions past their dates (expired). */
  expiredCents: number;
  byStatus: Record<PositionStatus, number>;
}

export const emptyTotals = (): Totals => ({ positions: 0, dueCents: 0, paidCents: 0, expiredCents: 0, byStatus: Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<PositionStatus, number> });

/** Totals per ente (one entry per ente present in `trx`'s view) of the positions matching `filters`. */
export async function totalsByEnte(trx: Trx, filters: PositionFilters, today: string): Promise<Map<string, Totals>> {
  const inner = base(trx, filters, today).select(['p.ente_id', 'p.amount_cents', paidSql.as('paid'), effectiveStatusSql(today).as('status')]);
  const rows = await trx
    .selectFrom(inner.as('x'))
    .select([
      'x.ente_id',
      'x.status',
      sql<number>`count(*)::int`.as('n'),
      sql<number>`coalesce(sum(x.amount_cents - x.paid), 0)::bigint`.as('unpaid'),
      sql<number>`coalesce(sum(x.paid), 0)::bigint`.as('paid'),
    ])
    .groupBy(['x.ente_id', 'x.status'])
    .execute();
  const out = new Map<string, Totals>();
  for (const r of rows) {
    const totals = out.get(r.ente_id) ?? emptyTotals();
    out.set(r.ente_id, totals);
    totals.positions += r.n;
    totals.byStatus[r.status] += r.n;
    totals.paidCents += Number(r.paid);
    if (r.status === 'valid' || r.status === 'partially_paid') totals.dueCents += Number(r.unpaid);
    if (r.status === 'expired') totals.expiredCents += Number(r.unpaid);
  }
  return out;
}

export async function totals(trx: Trx, enteId: string, filters: PositionFilters, today: string): Promise<Totals> {
  return (await totalsByEnte(trx, filters, today)).get(enteId) ?? emptyTotals();
}

/** The last `count` months up to the one of `today`, as 'YYYY-MM' (oldest first). */
export function lastMonths(today: string, count: number): string[] {
  const year = Number(today.slice(0, 4));
  const month = Number(today.slice(5, 7)) - 1;
  return Array.from({ length: count }, (_, i) => {
    const m = year * 12 + month - (count - 1 - i);
    return `${Math.floor(m / 12)}-${String((m % 12) + 1).padStart(2, '0')}`;
  });
}

/** Paid amounts per Rome month of payment ('YYYY-MM' → cents) for the months given, of positions matching `filters`. */
export async function collectionsByMonth(trx: Trx, filters: PositionFilters, months: string[], today: string): Promise<Map<string, number>> {
  const first = months[0];
  if (!first) return new Map();
  const ids = base(trx, filters, today).select(['p.ente_id', 'p.id']);
  const month = sql<string>`to_char(o.paid_at at time zone 'Europe/Rome', 'YYYY-MM')`;
  const rows = await trx
    .selectFrom('payment_option as o')
    .innerJoin(ids.as('f'), (join) => join.onRef('f.ente_id', '=', 'o.ente_id').onRef('f.id', '=', 'o.position_id'))
    .select([month.as('month'), sql<number>`sum(o.amount_cents)::bigint`.as('cents')])
    .where('o.status', '=', 'paid')
    .where(sql<SqlBool>`(o.paid_at at time zone 'Europe/Rome') >= ${`${first}-01`}::timestamp`)
    .groupBy(month)
    .execute();
  return new Map(rows.filter((r) => months.includes(r.month)).map((r) => [r.month, Number(r.cents)]));
}
