// SQL of the help desk reports: counts grouped by one dimension at a time, on the tickets visible in `trx`
// (one ente under withEnte, every ente under withCrossEnteRead). Months are those of Europe/Rome.
import { sql, type RawBuilder } from 'kysely';
import type { Trx } from '../../../platform/db/index.js';

export interface ReportFilter {
  /** [from, to): the Rome calendar year as instants. */
  from: Date;
  to: Date;
  enteId?: string | undefined;
  /** A category code: the tickets of it and of its sub-categories. */
  category?: string | undefined;
}

/** Counts of a group of tickets; the *_known are the tickets whose target is decided (met or missed). */
export interface CountRow {
  key: string;
  opened: number;
  solved: number;
  fr_met: number;
  fr_known: number;
  res_met: number;
  res_known: number;
}

/** Tickets of the filter whose `column` falls in the year; merged duplicates are left out (their original counts). */
function tickets(trx: Trx, filter: ReportFilter, column: 'opened_at' | 'solved_at' = 'opened_at') {
  let query = trx
    .selectFrom('ticket as t')
    .innerJoin('ticket_category as c', 'c.code', 't.category_code')
    .where(`t.${column}`, '>=', filter.from)
    .where(`t.${column}`, '<', filter.to)
    .where('t.merged_into', 'is', null);
  if (filter.enteId) query = query.where('t.ente_id', '=', filter.enteId);
  if (filter.category) {
    const code = filter.category;
    query = query.where((eb) => eb.or([eb('t.category_code', '=', code), eb('c.parent_code', '=', code)]));
  }
  return query;
}

export const romeMonth = (column: 'opened_at' | 'solved_at') => sql<number>`extract(month from ${sql.ref(`t.${column}`)} at time zone 'Europe/Rome')::int`;

/** Opened tickets of the year grouped by `key`, with how many are solved and how their SLA targets went. */
export async function countsBy(trx: Trx, filter: ReportFilter, key: RawBuilder<unknown>): Promise<CountRow[]> {
  const rows = await tickets(trx, filter)
    .select([
      sql<string>`${key}::text`.as('key'),
      sql<number>`count(*)::int`.as('opened'),
      sql<number>`(count(*) filter (where t.state in ('solved', 'closed')))::int`.as('solved'),
      sql<number>`(count(*) filter (where t.first_response_met))::int`.as('fr_met'),
      sql<number>`count(t.first_response_met)::int`.as('fr_known'),
      sql<number>`(count(*) filter (where t.resolution_met))::int`.as('res_met'),
      sql<number>`count(t.resolution_met)::int`.as('res_known'),
    ])
    .groupBy(sql`1`)
    .execute();
  return rows as CountRow[];
}

/** Tickets solved in each Rome month of the year (whenever they were opened). */
export async function solvedByMonth(trx: Trx, filter: ReportFilter): Promise<Map<number, number>> {
  const rows = await tickets(trx, filter, 'solved_at')
    .select([romeMonth('solved_at').as('month'), sql<number>`count(*)::int`.as('n')])
    .groupBy(sql`1`)
    .execute();
  return new Map(rows.map((r) => [Number(r.month), Number(r.n)]));
}

/** Survey answers of the year's tickets: per ente, leaf category and rating. */
export async function ratings(trx: Trx, filter: ReportFilter) {
  const rows = await tickets(trx, filter)
    .innerJoin('ticket_survey as s', (j) => j.onRef('s.ente_id', '=', 't.ente_id').onRef('s.ticket_id', '=', 't.id'))
    .select(['t.ente_id as enteId', 't.category_code as category', 's.rating', sql<number>`count(*)::int`.as('n')])
    .groupBy(['t.ente_id', 't.category_code', 's.rating'])
    .execute();
  return rows.map((r) => ({ enteId: r.enteId, category: r.category, rating: r.rating, n: Number(r.n) }));
}

/**
 * Opening and first-response instants of the answered tickets of the year: all of them, or at most `limit`
 * evenly spaced in opening order (a deterministic sample) when there are more.
 */
export async function firstResponses(trx: Trx, filter: ReportFilter, limit: number): Promise<{ total: number; rows: { opened_at: Date; first_response_at: Date }[] }> {
  const inner = tickets(trx, filter)
    .where('t.first_response_at', 'is not', null)
    .select([
      't.opened_at',
      't.first_response_at',
      sql<number>`row_number() over (order by t.opened_at, t.id)`.as('rn'),
      sql<number>`count(*) over ()`.as('total'),
    ]);
  const rows = await trx
    .selectFrom(inner.as('x'))
    .select(['x.opened_at', 'x.first_response_at', 'x.total'])
    .where(sql<boolean>`(x.rn * ${limit}) / x.total <> ((x.rn - 1) * ${limit}) / x.total`)
    .orderBy('x.rn')
    .execute();
  return { total: Number(rows[0]?.total ?? 0), rows: rows.map((r) => ({ opened_at: r.opened_at, first_response_at: r.first_response_at! })) };
}

/** Names of the enti in `ids`. */
export async function enteNames(trx: Trx, ids: string[]) {
  if (ids.length === 0) return [];
  return trx.selectFrom('ente').select(['id', 'slug', 'name']).where('id', 'in', ids).execute();
}
