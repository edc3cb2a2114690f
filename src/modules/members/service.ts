// members service: the network with each ente's adhesion state, recording adhesions and withdrawals, and the
// services each ente has activated. Other modules reach it only through index.ts.
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { recordAudit, recordAuditEvent, type Actor } from '../../platform/audit/index.js';
import { withCrossEnteRead, withEnte, type DB } from '../../platform/db/index.js';
import { conflict, notFound, unprocessable } from '../../platform/http/problem.js';
import { getCstEnte, isCurrent, todayInRome, type Ente, type EnteKind } from '../../platform/tenancy/index.js';
import {
  AdhesionRuleError,
  checkWithdrawal,
  classifyAdhesion,
  effectiveState,
  ownState,
  type AdhesionState,
  type AdhesionStatus,
} from './adhesion.js';
import * as store from './store.js';

export type { AdhesionState, AdhesionStatus } from './adhesion.js';
export type { Protocol, ServicePeriod } from './store.js';

export interface NetworkEntry {
  ente: Pick<Ente, 'id' | 'slug' | 'name' | 'kind' | 'istatCode' | 'fiscalCode' | 'ipaCode'>;
  /** Current unions / comunità montane of the ente. */
  associations: { id: string; slug: string; name: string; kind: EnteKind }[];
  adhesion: AdhesionState;
  via: { slug: string; name: string } | null;
}

async function requireProtocol(db: Kysely<DB>): Promise<store.Protocol> {
  const protocol = await store.currentProtocol(db);
  if (!protocol) throw notFound('Nessun protocollo registrato');
  return protocol;
}

/**
 * The whole network on date `on`: every valid ente with its associations and adhesion state. Adhesion events
 * and memberships are the CST's public register, so this reads no tenant data.
 */
export async function networkOn(db: Kysely<DB>, on = todayInRome()): Promise<{ protocol: store.Protocol; entries: NetworkEntry[] }> {
  const protocol = await requireProtocol(db);
  return { protocol, entries: await entriesOn(db, protocol, on) };
}

/** One ente's entry: reads only that ente, its unions and their events (the portal and the API card). */
export async function adhesionOf(db: Kysely<DB>, enteId: string, on = todayInRome()): Promise<NetworkEntry | undefined> {
  const protocol = await requireProtocol(db);
  return (await entriesOn(db, protocol, on, enteId))[0];
}

/** Entries of every ente valid on `on`, or of the single ente `only`. */
async function entriesOn(db: Kysely<DB>, protocol: store.Protocol, on: string, only?: string): Promise<NetworkEntry[]> {
  let entiQuery = db
    .selectFrom('ente')
    .select(['id', 'slug', 'name', 'kind', 'istat_code', 'fiscal_code', 'ipa_code'])
    .where((eb) => eb.or([eb('valid_from', 'is', null), eb('valid_from', '<=', on)]))
    .where((eb) => eb.or([eb('valid_to', 'is', null), eb('valid_to', '>', on)]))
    .orderBy('name');
  let membershipQuery = db
    .selectFrom('ente_membership as m')
    .innerJoin('ente as p', 'p.id', 'm.parent_id')
    .select(['m.ente_id', 'm.valid_from', 'm.valid_to', 'p.id', 'p.slug', 'p.name', 'p.kind'])
    .where('p.kind', 'in', ['unione', 'comunita_montana']);
  if (only) {
    entiQuery = entiQuery.where('id', '=', only);
    membershipQuery = membershipQuery.where('m.ente_id', '=', only);
  }
  const [enti, memberships] = await Promise.all([entiQuery.execute(), membershipQuery.execute()]);
  let eventsQuery = db.selectFrom('adhesion_event').selectAll().where('protocol_id', '=', protocol.id);
  if (only) eventsQuery = eventsQuery.where('ente_id', 'in', [only, ...memberships.map((m) => m.id)]);
  const events = await eventsQuery.orderBy('effective_on').orderBy('id').execute();

  const eventsByEnte = new Map<string, store.AdhesionEventRow[]>();
  for (const e of events) {
    const list = eventsByEnte.get(e.ente_id) ?? [];
    list.push({ id: e.id, enteId: e.ente_id, event: e.event, effectiveOn: e.effective_on, viaEnteId: e.via_ente_id, basis: e.basis, note: e.note, recordedAt: e.recorded_at, recordedBy: e.recorded_by });
    eventsByEnte.set(e.ente_id, list);
  }
  const own = (id: string) => ownState(eventsByEnte.get(id) ?? [], protocol, on);
  const names = new Map<string, { slug: string; name: string }>([...enti, ...memberships].map((e) => [e.id, { slug: e.slug, name: e.name }]));
  return enti.map((e): NetworkEntry => {
    const associations = memberships
      .filter((m) => m.ente_id === e.id && isCurrent({ validFrom: m.valid_from, validTo: m.valid_to }, on))
      .map((m) => ({ id: m.id, slug: m.slug, name: m.name, kind: m.kind, memberSince: m.valid_from }));
    const adhesion = effectiveState(own(e.id), associations.map((a) => ({ enteId: a.id, state: own(a.id), memberSince: a.memberSince })));
    return {
      ente: { id: e.id, slug: e.slug, name: e.name, kind: e.kind, istatCode: e.istat_code, fiscalCode: e.fiscal_code, ipaCode: e.ipa_code },
      associations: associations.map(({ memberSince: _, ...a }) => a),
      adhesion,
      via: (adhesion.viaEnteId && names.get(adhesion.viaEnteId)) || null,
    };
  });
}

export function countByStatus(entries: NetworkEntry[]): Record<AdhesionStatus, number> {
  const counts: Record<AdhesionStatus, number> = { signed: 0, pending: 0, excluded: 0, withdrawn: 0, not_adhering: 0 };
  for (const entry of entries) counts[entry.adhesion.status] += 1;
  return counts;
}

export async function adhesionHistory(db: Kysely<DB>, enteId: string): Promise<store.AdhesionEventRow[]> {
  const protocol = await requireProtocol(db);
  return withEnte(db, enteId, (trx) => store.adhesionEvents(trx, protocol.id)).then((events) => events.filter((e) => e.enteId === enteId));
}

// One writer at a time per ente for adhesion changes, so two clerks cannot both record an adhesion.
const lockEnte = (trx: Parameters<Parameters<typeof withEnte>[2]>[0], enteId: string) =>
  sql`select pg_advisory_xact_lock(hashtext('adhesion:' || ${enteId}))`.execute(trx);

function ruleError(err: unknown): never {
  if (err instanceof AdhesionRuleError) throw unprocessable(err.message);
  throw err;
}

export async function recordAdhesion(
  db: Kysely<DB>,
  actor: Actor,
  enteId: string,
  input: { date: string; basis?: string | null; note?: string | null },
): Promise<store.AdhesionEventKind> {
  const protocol = await requireProtocol(db);
  const today = todayInRome();
  return withEnte(db, enteId, async (trx) => {
    await lockEnte(trx, enteId);
    const current = await adhesionOf(trx as unknown as Kysely<DB>, enteId, today);
    if (!current) throw notFound('Ente non trovato');
    let kind: store.AdhesionEventKind;
    try {
      kind = classifyAdhesion(protocol, current.adhesion, input.date, today, input.basis ?? null);
    } catch (err) {
      ruleError(err);
    }
    const id = await store.insertAdhesionEvent(trx, { enteId, protocolId: protocol.id, event: kind, effectiveOn: input.date, basis: input.basis ?? null, note: input.note ?? null, recordedBy: actor.label });
    await recordAudit(trx, { enteId, actor, action: `adhesion.${kind}`, entity: 'adhesion_event', entityId: id, before: { status: current.adhesion.status }, after: { event: kind, date: input.date, basis: input.basis ?? null } });
    return kind;
  });
}

export async function recordWithdrawal(
  db: Kysely<DB>,
  actor: Actor,
  enteId: string,
  input: { date: string; basis: string | null; note?: string | null },
): Promise<void> {
  const protocol = await requireProtocol(db);
  const today = todayInRome();
  await withEnte(db, enteId, async (trx) => {
    await lockEnte(trx, enteId);
    const current = await adhesionOf(trx as unknown as Kysely<DB>, enteId, today);
    if (!current) throw notFound('Ente non trovato');
    try {
      checkWithdrawal(protocol, current.adhesion, input.date, today, input.basis);
    } catch (err) {
      ruleError(err);
    }
    const id = await store.insertAdhesionEvent(trx, { enteId, protocolId: protocol.id, event: 'withdrawal', effectiveOn: input.date, basis: input.basis, note: input.note ?? null, recordedBy: actor.label });
    await recordAudit(trx, { enteId, actor, action: 'adhesion.withdrawal', entity: 'adhesion_event', entityId: id, before: { status: current.adhesion.status }, after: { date: input.date, basis: input.basis } });
  });
}

export const serviceCatalogue = (db: Kysely<DB>) => store.serviceCatalogue(db);
export const currentProtocol = (db: Kysely<DB>) => requireProtocol(db);

/** Service periods of one ente (its own tenant data, read under its row-level security). */
export async function servicesOf(db: Kysely<DB>, enteId: string): Promise<{ current: store.ServicePeriod[]; past: store.ServicePeriod[] }> {
  const periods = await withEnte(db, enteId, (trx) => store.servicePeriods(trx));
  const today = todayInRome();
  return {
    current: periods.filter((p) => p.activeFrom <= today && (p.activeTo === null || p.activeTo > today)),
    past: periods.filter((p) => !(p.activeFrom <= today && (p.activeTo === null || p.activeTo > today))),
  };
}

export async function activateService(db: Kysely<DB>, actor: Actor, enteId: string, code: string, from: string): Promise<void> {
  const catalogue = await store.serviceCatalogue(db);
  const service = catalogue.find((s) => s.code === code);
  if (!service) throw unprocessable(`Servizio sconosciuto: ${code}`);
  const entry = await adhesionOf(db, enteId, from <= todayInRome() ? todayInRome() : from);
  if (!entry) throw notFound('Ente non trovato');
  if (entry.adhesion.status !== 'signed') throw unprocessable(`${entry.ente.name} non aderisce al protocollo del CST: non può attivare servizi`);
  await withEnte(db, enteId, async (trx) => {
    try {
      const id = await store.insertServicePeriod(trx, enteId, code, from);
      await recordAudit(trx, { enteId, actor, action: 'service.activate', entity: 'ente_service', entityId: id, after: { service: code, from } });
    } catch (err) {
      if ((err as { code?: string }).code === '23P01') throw conflict(`Il servizio «${service.name}» è già attivo in quel periodo`);
      if ((err as { code?: string }).code === '22007' || (err as { code?: string }).code === '22008') throw unprocessable('Data non valida');
      throw err;
    }
  });
}

export async function deactivateService(db: Kysely<DB>, actor: Actor, enteId: string, code: string, to: string): Promise<void> {
  await withEnte(db, enteId, async (trx) => {
    const periods = await store.servicePeriods(trx);
    const open = periods.find((p) => p.code === code && p.activeTo === null);
    if (!open) throw notFound('Il servizio non è attivo');
    if (to <= open.activeFrom) throw unprocessable('La data di disattivazione deve seguire la data di attivazione');
    await store.closeServicePeriod(trx, open.id, to);
    await recordAudit(trx, { enteId, actor, action: 'service.deactivate', entity: 'ente_service', entityId: open.id, before: { to: null }, after: { to } });
  });
}

/**
 * Active services of every ente, for the CST's dashboards and exports: the explicit cross-ente path,
 * audited on the CST's own log with the reason.
 */
export async function servicesAcrossNetwork(db: Kysely<DB>, actor: Actor, reason: string): Promise<Map<string, string[]>> {
  const cst = await getCstEnte(db);
  if (cst) await recordAuditEvent(db, { enteId: cst.id, actor, action: 'cross_ente.read', entity: 'ente_service', after: { reason } });
  const periods = await withCrossEnteRead(db, (trx) => store.servicePeriods(trx));
  const today = todayInRome();
  const result = new Map<string, string[]>();
  for (const p of periods) {
    if (p.activeFrom <= today && (p.activeTo === null || p.activeTo > today)) {
      result.set(p.enteId, [...(result.get(p.enteId) ?? []), p.code]);
    }
  }
  return result;
}
