// The help desk report of one Rome calendar year: tickets per month, category, ente, channel and priority; SLA
// compliance from the outcomes stored on each ticket (first_response_met / resolution_met, set when the target
// is met or missed, pauses included); time to first response in working minutes on the CST calendar; survey
// results. One ente's report reads inside withEnte; the network's crosses tenants through withCrossEnteRead and
// is audited on the CST's log.
//
// Definitions (shown on the page too): every figure is about the tickets OPENED in the year (Rome time), except
// "risolti nel mese", which counts the tickets SOLVED in each month whatever their opening. Merged duplicates are
// left out. A compliance rate is met / decided: a ticket whose target is still running does not count yet.
import type { Kysely } from 'kysely';
import { recordAuditEvent, type Actor } from '../../../platform/audit/index.js';
import { sql, withCrossEnteRead, withEnte, type DB, type Trx } from '../../../platform/db/index.js';
import { getCstEnte } from '../../../platform/tenancy/index.js';
import { cstCalendar } from '../due.js';
import { romeWallTimeToInstant } from '../sla/calendar.js';
import { workingMinutesBetween } from '../sla/clock.js';
import type { Channel, Priority } from '../store.js';
import * as store from './store.js';

export interface Compliance {
  opened: number;
  /** Opened in the year and now solved or closed. */
  solved: number;
  firstResponse: { met: number; decided: number; rate: number | null };
  resolution: { met: number; decided: number; rate: number | null };
}

export interface Satisfaction {
  /** Solved tickets that could be rated. */
  eligible: number;
  answers: number;
  responseRate: number | null;
  average: number | null;
  /** Answers per rating 1..5. */
  distribution: [number, number, number, number, number];
}

export interface EnteRef {
  id: string;
  slug: string;
  name: string;
}

export interface HelpdeskReport {
  year: number;
  scope: 'network' | 'ente';
  ente: EnteRef | null;
  category: { code: string; name: string } | null;
  totals: Compliance & { satisfaction: Satisfaction };
  months: (Compliance & { month: number; solvedInMonth: number })[];
  categories: (Compliance & { code: string; name: string; parentCode: string | null; satisfaction: Satisfaction })[];
  enti: (Compliance & EnteRef & { satisfaction: Satisfaction })[];
  channels: { channel: Channel; opened: number }[];
  priorities: (Compliance & { priority: Priority })[];
  firstResponse: { unit: 'working_minutes'; measured: number; of: number; median: number | null; p90: number | null };
}

/** Above this many answered tickets the times to first response are measured on an evenly spaced sample. */
export const FIRST_RESPONSE_SAMPLE = 20_000;

const rate = (met: number, of: number) => (of > 0 ? met / of : null);

function compliance(row: store.CountRow | undefined): Compliance {
  const r = row ?? { key: '', opened: 0, solved: 0, fr_met: 0, fr_known: 0, res_met: 0, res_known: 0 };
  return {
    opened: r.opened,
    solved: r.solved,
    firstResponse: { met: r.fr_met, decided: r.fr_known, rate: rate(r.fr_met, r.fr_known) },
    resolution: { met: r.res_met, decided: r.res_known, rate: rate(r.res_met, r.res_known) },
  };
}

function sumRows(rows: store.CountRow[]): store.CountRow {
  const total = { key: '', opened: 0, solved: 0, fr_met: 0, fr_known: 0, res_met: 0, res_known: 0 };
  for (const r of rows) for (const k of ['opened', 'solved', 'fr_met', 'fr_known', 'res_met', 'res_known'] as const) total[k] += r[k];
  return total;
}

function satisfaction(eligible: number, answers: { rating: number; n: number }[]): Satisfaction {
  const distribution: Satisfaction['distribution'] = [0, 0, 0, 0, 0];
  for (const a of answers) distribution[a.rating - 1]! += a.n;
  const count = distribution.reduce((s, n) => s + n, 0);
  const sum = distribution.reduce((s, n, i) => s + n * (i + 1), 0);
  return { eligible, answers: count, responseRate: rate(count, eligible), average: count > 0 ? sum / count : null, distribution };
}

/** Nearest-rank percentile of sorted values (p in 0..1); the median of an even count is the mean of the middle two. */
export function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  if (p === 0.5 && sorted.length % 2 === 0) return (sorted[sorted.length / 2 - 1]! + sorted[sorted.length / 2]!) / 2;
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]!;
}

/** The instants that bound the Rome calendar year. */
export const yearBounds = (year: number) => ({ from: romeWallTimeToInstant(`${year}-01-01`, '00:00'), to: romeWallTimeToInstant(`${year + 1}-01-01`, '00:00') });

async function compute(trx: Trx, year: number, filter: store.ReportFilter, scope: HelpdeskReport['scope']): Promise<Omit<HelpdeskReport, 'ente' | 'category'>> {
  const [byMonth, solved, byLeaf, byEnte, byChannel, byPriority, answers, responses, catalogue] = await Promise.all([
    store.countsBy(trx, filter, store.romeMonth('opened_at')),
    store.solvedByMonth(trx, filter),
    store.countsBy(trx, filter, sql.ref('t.category_code')),
    store.countsBy(trx, filter, sql.ref('t.ente_id')),
    store.countsBy(trx, filter, sql.ref('t.channel')),
    store.countsBy(trx, filter, sql.ref('t.priority')),
    store.ratings(trx, filter),
    store.firstResponses(trx, filter, FIRST_RESPONSE_SAMPLE),
    trx.selectFrom('ticket_category').select(['code', 'name', 'parent_code']).orderBy('sort_order').execute(),
  ]);
  const names = scope === 'network' ? await store.enteNames(trx, byEnte.map((r) => r.key)) : [];

  const parentOf = new Map(catalogue.map((c) => [c.code, c.parent_code]));
  const topOf = (code: string) => parentOf.get(code) ?? code;
  const leafRows = new Map(byLeaf.map((r) => [r.key, r]));
  const answersWhere = (keep: (a: (typeof answers)[number]) => boolean) => answers.filter(keep);

  const categories: HelpdeskReport['categories'] = [];
  for (const c of catalogue) {
    const top = c.parent_code === null;
    const rows = top ? byLeaf.filter((r) => topOf(r.key) === c.code) : [leafRows.get(c.code)].filter((r) => r !== undefined);
    const counts = sumRows(rows);
    if (counts.opened === 0) continue;
    const rated = answersWhere((a) => (top ? topOf(a.category) === c.code : a.category === c.code));
    categories.push({ code: c.code, name: c.name, parentCode: c.parent_code, ...compliance(counts), satisfaction: satisfaction(counts.solved, rated) });
  }

  const enti = byEnte
    .map((r) => {
      const ente = names.find((n) => n.id === r.key);
      return ente ? { ...ente, ...compliance(r), satisfaction: satisfaction(r.solved, answersWhere((a) => a.enteId === r.key)) } : undefined;
    })
    .filter((e) => e !== undefined)
    .sort((a, b) => b.opened - a.opened || a.name.localeCompare(b.name, 'it'));

  const minutes = responses.rows.map((r) => workingMinutesBetween(r.opened_at, r.first_response_at, cstCalendar)).sort((a, b) => a - b);
  const round = (v: number | null) => (v === null ? null : Math.round(v));
  const total = sumRows(byLeaf);
  return {
    year,
    scope,
    totals: { ...compliance(total), satisfaction: satisfaction(total.solved, answers) },
    months: Array.from({ length: 12 }, (_, i) => ({ month: i + 1, ...compliance(byMonth.find((r) => Number(r.key) === i + 1)), solvedInMonth: solved.get(i + 1) ?? 0 })),
    categories,
    enti: scope === 'network' ? enti : [],
    channels: (['phone', 'web', 'email'] as const).map((channel) => ({ channel, opened: byChannel.find((r) => r.key === channel)?.opened ?? 0 })),
    priorities: (['P1', 'P2', 'P3', 'P4'] as const).map((priority) => ({ priority, ...compliance(byPriority.find((r) => r.key === priority)) })),
    firstResponse: { unit: 'working_minutes', measured: minutes.length, of: responses.total, median: round(percentile(minutes, 0.5)), p90: round(percentile(minutes, 0.9)) },
  };
}

export interface ReportRequest {
  year: number;
  /** One ente (read inside its tenant), or undefined for the whole network (desk only: the caller checks). */
  ente?: EnteRef | undefined;
  category?: { code: string; name: string } | undefined;
}

/**
 * The report of one ente, or of the whole network (a cross-ente read, audited on the CST's log with `reason`).
 * Access is the caller's business (requireDesk / requireTicketReader).
 */
export async function helpdeskReport(db: Kysely<DB>, actor: Actor, request: ReportRequest, reason = 'report del help desk'): Promise<HelpdeskReport> {
  const filter: store.ReportFilter = { ...yearBounds(request.year), category: request.category?.code };
  const meta = { ente: request.ente ?? null, category: request.category ?? null };
  if (request.ente) {
    const ente = request.ente;
    return { ...(await withEnte(db, ente.id, (trx) => compute(trx, request.year, { ...filter, enteId: ente.id }, 'ente'))), ...meta };
  }
  const cst = await getCstEnte(db);
  if (cst) {
    await recordAuditEvent(db, { enteId: cst.id, actor, action: 'cross_ente.read', entity: 'ticket', after: { reason, year: request.year, category: request.category?.code ?? null } });
  }
  return { ...(await withCrossEnteRead(db, (trx) => compute(trx, request.year, filter, 'network'))), ...meta };
}

/** The categories of the catalogue for the filter (top level first, each followed by its sub-categories). */
export async function categoryOptions(db: Kysely<DB>) {
  const rows = await db.selectFrom('ticket_category').select(['code', 'name', 'parent_code']).orderBy('sort_order').execute();
  return rows.map((r) => ({ code: r.code, name: r.name, top: r.parent_code === null }));
}
