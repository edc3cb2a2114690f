// Small reads the pages need besides the service: the desk's staff (for assignment and names), the enti for the
// pickers, the category tree as groups, and the label of a ticket by id. One query each, never one per row.
import type { Kysely } from 'kysely';
import { staffOfModule } from '../../../platform/auth/index.js';
import { withEnte, type DB } from '../../../platform/db/index.js';
import { listEnti, type Ente } from '../../../platform/tenancy/index.js';
import { ticketLabel } from '../service.js';
import * as store from '../store.js';

export interface StaffOption {
  id: string;
  name: string;
  email: string;
}

/** Staff who work on the desk: a cst_admin or ente_admin grant, or helpdesk operator, on the CST ente (see isDesk). */
export async function deskStaff(db: Kysely<DB>, cstEnteId: string): Promise<StaffOption[]> {
  return staffOfModule(db, cstEnteId, 'helpdesk');
}

/** Display names of staff members by id (one query for a whole page). */
export async function staffNames(db: Kysely<DB>, ids: (string | null)[]): Promise<Map<string, string>> {
  const wanted = [...new Set(ids.filter((id): id is string => !!id))];
  if (wanted.length === 0) return new Map();
  const rows = await db.selectFrom('staff_user').select(['id', 'display_name']).where('id', 'in', wanted).execute();
  return new Map(rows.map((r) => [r.id, r.display_name]));
}

/** Every current ente, by name (the 131 of the network: small enough for a select or a datalist). */
export async function allEnti(db: Kysely<DB>): Promise<Ente[]> {
  return (await listEnti(db, { limit: 10_000, offset: 0 })).items;
}

/** The ente typed in the picker: its exact name (any case) or its slug. */
export function enteByName(enti: Ente[], typed: string): Ente | undefined {
  const wanted = typed.trim().toLocaleLowerCase('it');
  if (!wanted) return undefined;
  return enti.find((e) => e.name.toLocaleLowerCase('it') === wanted) ?? enti.find((e) => e.slug === wanted);
}

export interface CategoryGroup {
  code: string;
  name: string;
  children: { code: string; name: string }[];
}

/** The category tree as root categories with their children (two levels, as the catalogue has). */
export async function categoryGroups(db: Kysely<DB>): Promise<CategoryGroup[]> {
  const rows = await store.categories(db);
  const roots = rows.filter((c) => !c.parentCode).map((c) => ({ code: c.code, name: c.name, children: [] as { code: string; name: string }[] }));
  for (const c of rows) if (c.parentCode) roots.find((r) => r.code === c.parentCode)?.children.push({ code: c.code, name: c.name });
  return roots;
}

export const categoryName = (groups: CategoryGroup[], code: string) => {
  for (const g of groups) {
    if (g.code === code) return g.name;
    const child = g.children.find((c) => c.code === code);
    if (child) return `${g.name} › ${child.name}`;
  }
  return code;
};

/** The label (n/yyyy) of a ticket of the ente, for links such as "merged into". */
export async function labelOf(db: Kysely<DB>, enteId: string, ticketId: string): Promise<string | undefined> {
  return withEnte(db, enteId, async (trx) => {
    const row = await store.ticketById(trx, ticketId);
    return row ? ticketLabel(row) : undefined;
  });
}
