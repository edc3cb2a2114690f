// Tenancy: the enti (tenants), their dated membership tree and slug resolution. Enti and memberships are
// the network's shared catalogue (readable by everyone, written by the CST through audited calls).
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { DB, Trx } from '../db/index.js';
import type { EnteKind } from '../db/schema.js';
import { todayInRome } from '../calendar/index.js';

export { todayInRome };

export type { EnteKind } from '../db/schema.js';
export const enteKinds: EnteKind[] = ['provincia', 'comune', 'unione', 'comunita_montana'];

export interface Ente {
  id: string;
  kind: EnteKind;
  name: string;
  slug: string;
  istatCode: string | null;
  fiscalCode: string | null;
  ipaCode: string | null;
  isCst: boolean;
  seatEnteId: string | null;
  validFrom: string | null;
  validTo: string | null;
}

export interface Membership {
  id: number;
  enteId: string;
  parent: { id: string; slug: string; name: string; kind: EnteKind };
  validFrom: string;
  validTo: string | null;
  source: string | null;
}

/** Path segments that can never be an ente slug (they are the platform's own URL space). */
export const reservedSlugs = new Set([
  'api', 'backoffice', 'assets', 'auth', 'dev-idp', 'healthz', 'readyz', 'metrics', 'pagopa', 'area-personale',
  'favicon.ico', 'robots.txt', 'sitemap.xml',
]);

/** 'Castell'Alfero' → 'castell-alfero'; 'Moransengo-Tonengo' → 'moransengo-tonengo'. */
export function slugify(name: string): string {
  return name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

interface EnteRow {
  id: string; kind: EnteKind; name: string; slug: string; istat_code: string | null; fiscal_code: string | null;
  ipa_code: string | null; is_cst: boolean; seat_ente_id: string | null; valid_from: string | null; valid_to: string | null;
}

const enteColumns = ['id', 'kind', 'name', 'slug', 'istat_code', 'fiscal_code', 'ipa_code', 'is_cst', 'seat_ente_id', 'valid_from', 'valid_to'] as const;

export function toEnte(row: EnteRow): Ente {
  return {
    id: row.id,
    kind: row.kind,
    name: row.name,
    slug: row.slug,
    istatCode: row.istat_code,
    fiscalCode: row.fiscal_code,
    ipaCode: row.ipa_code,
    isCst: row.is_cst,
    seatEnteId: row.seat_ente_id,
    validFrom: row.valid_from,
    validTo: row.valid_to,
  };
}

export async function getEnteBySlug(db: Kysely<DB> | Trx, slug: string): Promise<Ente | undefined> {
  const row = await db.selectFrom('ente').select(enteColumns).where('slug', '=', slug).executeTakeFirst();
  return row ? toEnte(row) : undefined;
}

export async function getEnteById(db: Kysely<DB> | Trx, id: string): Promise<Ente | undefined> {
  const row = await db.selectFrom('ente').select(enteColumns).where('id', '=', id).executeTakeFirst();
  return row ? toEnte(row) : undefined;
}

/** The ente that runs the CST (the provincia in the demo network). */
export async function getCstEnte(db: Kysely<DB> | Trx): Promise<Ente | undefined> {
  const row = await db.selectFrom('ente').select(enteColumns).where('is_cst', '=', true).executeTakeFirst();
  return row ? toEnte(row) : undefined;
}

export interface EnteQuery {
  kind?: EnteKind | undefined;
  /** Slug of a parent: enti that are members of it on `on`. */
  parent?: string | undefined;
  /** Free text on name, slug, ISTAT and IPA code. */
  q?: string | undefined;
  /** Reference date for memberships and validity (today when omitted). */
  on?: string | undefined;
  limit: number;
  offset: number;
}

export async function listEnti(db: Kysely<DB> | Trx, query: EnteQuery): Promise<{ total: number; items: Ente[] }> {
  const on = query.on ?? todayInRome();
  let base = db
    .selectFrom('ente')
    .where((eb) => eb.or([eb('valid_from', 'is', null), eb('valid_from', '<=', on)]))
    .where((eb) => eb.or([eb('valid_to', 'is', null), eb('valid_to', '>', on)]));
  if (query.kind) base = base.where('kind', '=', query.kind);
  if (query.q) {
    const like = `%${query.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    base = base.where((eb) =>
      eb.or([
        eb(sql`unaccent_simple(name)`, 'ilike', sql`unaccent_simple(${like})`),
        eb('slug', 'ilike', like),
        eb('istat_code', '=', query.q!),
        eb('ipa_code', '=', query.q!),
      ]),
    );
  }
  if (query.parent) {
    const parentSlug = query.parent;
    base = base.where('id', 'in', (eb) =>
      eb
        .selectFrom('ente_membership as m')
        .innerJoin('ente as p', 'p.id', 'm.parent_id')
        .select('m.ente_id')
        .where('p.slug', '=', parentSlug)
        .where('m.valid_from', '<=', on)
        .where((w) => w.or([w('m.valid_to', 'is', null), w('m.valid_to', '>', on)])),
    );
  }
  const [{ total }] = (await base.select((eb) => eb.fn.countAll<number>().as('total')).execute()) as [{ total: number }];
  const rows = await base.select(enteColumns).orderBy('name').orderBy('id').limit(query.limit).offset(query.offset).execute();
  return { total: Number(total), items: rows.map(toEnte) };
}

/** All memberships of an ente, current and past, newest first. */
export async function membershipsOf(db: Kysely<DB> | Trx, enteId: string): Promise<Membership[]> {
  const rows = await db
    .selectFrom('ente_membership as m')
    .innerJoin('ente as p', 'p.id', 'm.parent_id')
    .select(['m.id', 'm.ente_id', 'm.valid_from', 'm.valid_to', 'm.source', 'p.id as parent_id', 'p.slug as parent_slug', 'p.name as parent_name', 'p.kind as parent_kind'])
    .where('m.ente_id', '=', enteId)
    .orderBy('m.valid_from', 'desc')
    .orderBy('m.id', 'desc')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    enteId: r.ente_id,
    parent: { id: r.parent_id, slug: r.parent_slug, name: r.parent_name, kind: r.parent_kind },
    validFrom: r.valid_from,
    validTo: r.valid_to,
    source: r.source,
  }));
}

export const isCurrent = (m: { validFrom: string; validTo: string | null }, on = todayInRome()) =>
  m.validFrom <= on && (m.validTo === null || m.validTo > on);

/** Members of `parentId` on date `on`. */
export async function membersOf(db: Kysely<DB> | Trx, parentId: string, on = todayInRome()): Promise<Ente[]> {
  const rows = await db
    .selectFrom('ente_membership as m')
    .innerJoin('ente as e', 'e.id', 'm.ente_id')
    .select(enteColumns.map((c) => `e.${c}` as const))
    .where('m.parent_id', '=', parentId)
    .where('m.valid_from', '<=', on)
    .where((w) => w.or([w('m.valid_to', 'is', null), w('m.valid_to', '>', on)]))
    .orderBy('e.name')
    .execute();
  return rows.map(toEnte);
}


