// Contracted on-site hours per ente and year, and where each ente stands: remaining = contracted − minutes
// of the confirmed reports of that year (the Rome year of the visit). Reports awaiting confirmation and
// planned visits are shown beside it, but only confirmation consumes hours.
import type { Kysely } from 'kysely';
import { recordAudit, recordAuditEvent, type Actor } from '../../../platform/audit/index.js';
import { withCrossEnteRead, withEnte, type DB, type Trx } from '../../../platform/db/index.js';
import { unprocessable } from '../../../platform/http/problem.js';
import { getCstEnte } from '../../../platform/tenancy/index.js';
import * as store from './store.js';
import { romeYear } from './time.js';

/** Share of the contracted hours from which the desk and the ente are warned. */
export const WARNING_SHARE = 0.8;

export type HoursLevel = 'ok' | 'near' | 'exhausted' | 'over' | 'no_contract';

export interface HoursBalance {
  year: number;
  /** Null when the ente has no contract for the year (every minute is then extra). */
  contractedMinutes: number | null;
  confirmedMinutes: number;
  awaitingMinutes: number;
  disputedMinutes: number;
  plannedMinutes: number;
  /** contracted − confirmed, never below 0. */
  remainingMinutes: number;
  /** Confirmed minutes beyond the contract (fuori contratto). */
  extraMinutes: number;
  /** confirmed / contracted, 0–∞; null without a contract. */
  usedShare: number | null;
  level: HoursLevel;
}

/** The balance from its parts (pure). */
export function balanceOf(year: number, parts: { contracted: number | null; confirmed: number; awaiting: number; disputed: number; planned: number }): HoursBalance {
  const contracted = parts.contracted;
  const base = { year, contractedMinutes: contracted, confirmedMinutes: parts.confirmed, awaitingMinutes: parts.awaiting, disputedMinutes: parts.disputed, plannedMinutes: parts.planned };
  if (contracted === null || contracted === 0) {
    return { ...base, remainingMinutes: 0, extraMinutes: parts.confirmed, usedShare: null, level: contracted === null ? 'no_contract' : parts.confirmed > 0 ? 'over' : 'exhausted' };
  }
  const usedShare = parts.confirmed / contracted;
  const level: HoursLevel = parts.confirmed > contracted ? 'over' : parts.confirmed === contracted ? 'exhausted' : usedShare >= WARNING_SHARE ? 'near' : 'ok';
  return { ...base, remainingMinutes: Math.max(0, contracted - parts.confirmed), extraMinutes: Math.max(0, parts.confirmed - contracted), usedShare, level };
}

/** Minutes still free for new visits: remaining minus what is awaiting confirmation and already planned. */
export const availableForPlanning = (b: HoursBalance) => (b.contractedMinutes ?? 0) - b.confirmedMinutes - b.awaitingMinutes - b.plannedMinutes;

async function balancesIn(trx: Trx, year: number, enteId?: string): Promise<Map<string, HoursBalance>> {
  const span = romeYear(year);
  const [contracts, reports, planned] = await Promise.all([
    store.contracts(trx, year, enteId),
    store.reportMinutesByStatus(trx, year, enteId),
    store.plannedMinutes(trx, span.startsAt, span.endsAt, enteId ? { enteId } : {}),
  ]);
  const parts = new Map<string, { contracted: number | null; confirmed: number; awaiting: number; disputed: number; planned: number }>();
  const of = (id: string) => {
    let p = parts.get(id);
    if (!p) parts.set(id, (p = { contracted: null, confirmed: 0, awaiting: 0, disputed: 0, planned: 0 }));
    return p;
  };
  for (const c of contracts) of(c.ente_id).contracted = c.minutes;
  for (const r of reports) of(r.ente_id)[r.status] += Number(r.minutes);
  for (const p of planned) of(p.ente_id).planned += Number(p.minutes);
  return new Map([...parts].map(([id, p]) => [id, balanceOf(year, p)]));
}

/** The ente's balance for `year`, inside the ente's own transaction. */
export async function balanceIn(trx: Trx, enteId: string, year: number): Promise<HoursBalance> {
  return (await balancesIn(trx, year, enteId)).get(enteId) ?? balanceOf(year, { contracted: null, confirmed: 0, awaiting: 0, disputed: 0, planned: 0 });
}

export function enteBalance(db: Kysely<DB>, enteId: string, year: number): Promise<HoursBalance> {
  return withEnte(db, enteId, (trx) => balanceIn(trx, enteId, year));
}

export interface EnteHours extends HoursBalance {
  ente: { id: string; slug: string; name: string };
}

/**
 * Every ente with a contract or on-site activity in `year`, by name. Crosses tenants: audited on the CST's log.
 */
export async function balancesAcrossEnti(db: Kysely<DB>, actor: Actor, year: number, reason: string): Promise<EnteHours[]> {
  const cst = await getCstEnte(db);
  if (cst) await recordAuditEvent(db, { enteId: cst.id, actor, action: 'cross_ente.read', entity: 'onsite_report', after: { reason, year } });
  return withCrossEnteRead(db, async (trx) => {
    const balances = await balancesIn(trx, year);
    if (balances.size === 0) return [];
    const enti = await trx.selectFrom('ente').select(['id', 'slug', 'name']).where('id', 'in', [...balances.keys()]).orderBy('name').execute();
    return enti.map((e) => ({ ...balances.get(e.id)!, ente: e }));
  });
}

export interface ContractChange {
  year: number;
  beforeMinutes: number | null;
  afterMinutes: number;
  note: string | null;
  changedBy: string;
  changedAt: Date;
}

/** Sets the contracted minutes of the ente for `year` (desk); the change is kept in the history and audited. */
export async function setContract(db: Kysely<DB>, actor: Actor, enteId: string, year: number, minutes: number, note?: string | null, options: { now?: Date } = {}): Promise<void> {
  if (!Number.isInteger(year) || year < 2000 || year > 2999) throw unprocessable(`Anno non valido: ${year}`);
  if (!Number.isInteger(minutes) || minutes < 0 || minutes > 600_000) throw unprocessable('Le ore a contratto devono essere un numero tra 0 e 10.000');
  const text = note?.trim() || null;
  if (text && text.length > 500) throw unprocessable('La nota è troppo lunga (al massimo 500 caratteri)');
  const now = options.now ?? new Date();
  await withEnte(db, enteId, async (trx) => {
    const before = await trx.selectFrom('onsite_contract').select('minutes').where('year', '=', year).forUpdate().executeTakeFirst();
    await trx
      .insertInto('onsite_contract')
      .values({ ente_id: enteId, year, minutes, note: text, updated_by: actor.label, updated_at: now })
      .onConflict((oc) => oc.columns(['ente_id', 'year']).doUpdateSet({ minutes, note: text, updated_by: actor.label, updated_at: now }))
      .execute();
    await trx
      .insertInto('onsite_contract_change')
      .values({ ente_id: enteId, year, before_minutes: before?.minutes ?? null, after_minutes: minutes, note: text, changed_by: actor.label, changed_at: now })
      .execute();
    await recordAudit(trx, { enteId, actor, action: 'onsite.contract.set', entity: 'onsite_contract', entityId: year, before: before ? { minutes: before.minutes } : null, after: { minutes, note: text } });
  });
}

/** The history of the ente's contracts, newest first. */
export async function contractHistory(db: Kysely<DB>, enteId: string): Promise<ContractChange[]> {
  const rows = await withEnte(db, enteId, (trx) => store.contractChanges(trx));
  return rows.map((r) => ({ year: r.year, beforeMinutes: r.before_minutes, afterMinutes: r.after_minutes, note: r.note, changedBy: r.changed_by, changedAt: r.changed_at }));
}
