// Demo network of Provincia di Asti: the provincia (which runs the CST), its 117 comuni (ISTAT), the unions
// and the comunità montana with their dated members, the 2010 CST protocol with signatures, exclusions and
// invitations, some activated services, and the demo staff accounts. Source files: ./seed/ (see SOURCE.md).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import type { Kysely } from 'kysely';
import { hashPassword } from '../../platform/auth/index.js';
import { partitaIvaCheckDigit } from '../../platform/identity/partita-iva.js';
import type { DB } from '../../platform/db/index.js';
import type { EnteKind } from '../../platform/tenancy/index.js';
import { slugify } from '../../platform/tenancy/index.js';
import { TERRITORY_SOURCE } from '../../platform/tenancy/import.js';
import type { Platform } from '../../platform/platform.js';

const seedDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'seed');
const readCsv = (file: string) => parse(fs.readFileSync(path.join(seedDir, file)), { columns: true, skip_empty_lines: true }) as Record<string, string>[];

/** Not in the sources: the day the 2010 protocol was signed. The CST can correct it. */
export const PROTOCOL_SIGNED_ON = '2010-05-20';
export const DEMO_PASSWORD = 'demo-password';
const SYSTEM = 'seed';

/**
 * The data sets carry no fiscal codes of enti: the demo builds well-formed placeholders from the ISTAT code
 * (prefix 8 = public body), which the CST replaces with the real ones from the IPA index.
 */
export function demoFiscalCode(seed: string): string {
  const first10 = `8${seed.padStart(9, '0').slice(-9)}`;
  return `${first10}${partitaIvaCheckDigit(first10)}`;
}

/** Protocol names say 'Unione Comunità Collinare X', the unions file 'Comunità Collinare X': same key. */
const unionKey = (name: string) => slugify(name).replace(/^unione-/, '');

function yearStart(asOf: string): { date: string; note: string | null } {
  if (/^\d{4}$/.test(asOf)) return { date: `${asOf}-01-01`, note: null };
  // 'before dissolution': the union existed when the protocol was signed; its end date is not in the sources.
  return { date: '2010-01-01', note: `as found: ${asOf}` };
}

async function audit(db: Kysely<DB>, enteId: string, action: string, entity: string, entityId: string | number, after?: unknown) {
  await db
    .insertInto('audit_log')
    .values({ ente_id: enteId, actor_label: SYSTEM, action, entity, entity_id: String(entityId), after: after === undefined ? null : JSON.stringify(after) })
    .execute();
}

export async function seedDemoNetwork(platform: Platform): Promise<void> {
  // The owner connection seeds: it owns the tables, so row-level security does not apply to it.
  await platform.db.owner.transaction().execute(async (db) => {
    const insertEnte = async (e: { kind: EnteKind; name: string; slug: string; istat?: string | null; fiscal: string; validFrom?: string | null; isCst?: boolean }) => {
      const row = await db
        .insertInto('ente')
        .values({ kind: e.kind, name: e.name, slug: e.slug, istat_code: e.istat ?? null, fiscal_code: e.fiscal, valid_from: e.validFrom ?? null, is_cst: e.isCst ?? false })
        .returning('id')
        .executeTakeFirstOrThrow();
      await audit(db, row.id, 'ente.create', 'ente', row.id, { slug: e.slug });
      return row.id;
    };
    const member = (enteId: string, parentId: string, validFrom: string, source: string | null) =>
      db.insertInto('ente_membership').values({ ente_id: enteId, parent_id: parentId, valid_from: validFrom, source }).execute();

    const provincia = await insertEnte({ kind: 'provincia', name: 'Provincia di Asti', slug: 'provincia-di-asti', istat: '005', fiscal: demoFiscalCode('5'), validFrom: '1935-04-15', isCst: true });

    const comuni = new Map<string, string>(); // slug → id
    for (const row of readCsv('comuni.csv')) {
      const slug = slugify(row.name!);
      const id = await insertEnte({ kind: 'comune', name: row.name!, slug, istat: row.istat_code!, fiscal: demoFiscalCode(`1${row.istat_code}`), validFrom: row.valid_from! });
      await member(id, provincia, row.valid_from!, TERRITORY_SOURCE);
      comuni.set(slug, id);
    }
    const comuneId = (name: string) => {
      const id = comuni.get(slugify(name));
      if (!id) throw new Error(`seed: unknown comune ${name}`);
      return id;
    };

    // Unions and the comunità montana: named as in the protocol, members from unions.csv.
    const unionRows = readCsv('unions.csv');
    const protocolRows = readCsv('protocol-2010.csv');
    const unions = new Map<string, { id: string; name: string }>(); // unionKey → ente
    let seq = 0;
    for (const row of protocolRows.filter((r) => r.kind === 'unione' || r.kind === 'comunita_montana')) {
      const name = row.signatory!;
      const members = unionRows.filter((u) => unionKey(u.union!) === unionKey(name));
      const seat = members.find((m) => m.seat)?.seat;
      const id = await insertEnte({ kind: row.kind as EnteKind, name, slug: slugify(name), fiscal: demoFiscalCode(`9005${String(++seq).padStart(3, '0')}`) });
      if (seat) await db.updateTable('ente').set({ seat_ente_id: comuneId(seat) }).where('id', '=', id).execute();
      await member(id, provincia, '2000-01-01', null);
      for (const m of members) {
        const since = yearStart(m.as_of!);
        await member(comuneId(m.member!), id, since.date, [m.source, since.note].filter(Boolean).join(' · ') || null);
      }
      unions.set(unionKey(name), { id, name });
    }

    // The 2010 protocol: signatures, exclusions (a comune left out of its union's signature), invitations.
    const protocol = await db
      .insertInto('protocol')
      .values({ title: "Protocollo d'intesa per il Centro Servizi Territoriale della Provincia di Asti", signed_on: PROTOCOL_SIGNED_ON, late_adhesion_days: 15 })
      .returning('id')
      .executeTakeFirstOrThrow();
    const signatoryId = (name: string, kind: string) => {
      if (kind === 'provincia') return provincia;
      if (kind === 'comune') return comuneId(name.replace(/^Comune di /, ''));
      const union = unions.get(unionKey(name));
      if (!union) throw new Error(`seed: unknown union ${name}`);
      return union.id;
    };
    for (const row of protocolRows) {
      const id = signatoryId(row.signatory!, row.kind!);
      const event = row.signed === 'yes' ? 'signed' : 'invited';
      await db.insertInto('adhesion_event').values({ ente_id: id, protocol_id: protocol.id, event, effective_on: PROTOCOL_SIGNED_ON, note: row.note || null, recorded_by: SYSTEM }).execute();
      for (const excluded of (row.exclusions ?? '').split(';').map((s) => s.trim()).filter(Boolean)) {
        await db
          .insertInto('adhesion_event')
          .values({ ente_id: comuneId(excluded), protocol_id: protocol.id, event: 'exclusion', effective_on: PROTOCOL_SIGNED_ON, via_ente_id: id, note: row.note || null, recorded_by: SYSTEM })
          .execute();
      }
    }
  });

  await seedDemoServicesAndAccounts(platform);
}

/** Services for the adhering enti (a deterministic demo mix) and the three demo accounts. */
async function seedDemoServicesAndAccounts(platform: Platform): Promise<void> {
  const { networkOn } = await import('./service.js');
  const { entries } = await networkOn(platform.db.owner);
  const base = ['helpdesk', 'training', 'noticeboard', 'payments'];
  await platform.db.owner.transaction().execute(async (db) => {
    for (const [i, entry] of entries.entries()) {
      if (entry.adhesion.status !== 'signed') continue;
      const codes = [...base, ...(i % 3 === 0 ? ['messaging'] : []), ...(i % 4 === 0 ? ['library'] : []), ...(entry.ente.kind === 'comune' ? ['building'] : [])];
      for (const code of codes) {
        await db.insertInto('ente_service').values({ ente_id: entry.ente.id, service_code: code, active_from: '2011-01-01' }).execute();
      }
      await audit(db, entry.ente.id, 'service.activate', 'ente_service', entry.ente.id, { services: codes, from: '2011-01-01' });
    }
    const passwordHash = await hashPassword(DEMO_PASSWORD);
    const accounts: { email: string; name: string; ente: string; role: 'cst_admin' | 'ente_admin' | 'operator'; module?: string }[] = [
      { email: 'admin@cst.demo', name: 'Amministratore CST', ente: 'provincia-di-asti', role: 'cst_admin' },
      { email: 'admin@asti.demo', name: 'Amministratore Comune di Asti', ente: 'asti', role: 'ente_admin' },
      { email: 'operatore@nizza-monferrato.demo', name: 'Operatore Nizza Monferrato', ente: 'nizza-monferrato', role: 'operator', module: 'noticeboard' },
      // The CST's help desk technician, and the staff member of a comune who opens tickets for it.
      { email: 'tecnico@cst.demo', name: 'Marco Ferrero (tecnico CST)', ente: 'provincia-di-asti', role: 'operator', module: 'helpdesk' },
      { email: 'segreteria@canelli.demo', name: 'Giulia Rosso (segreteria Canelli)', ente: 'canelli', role: 'operator', module: 'helpdesk' },
    ];
    for (const account of accounts) {
      const ente = await db.selectFrom('ente').select('id').where('slug', '=', account.ente).executeTakeFirstOrThrow();
      const user = await db.insertInto('staff_user').values({ email: account.email, display_name: account.name, password_hash: passwordHash }).returning('id').executeTakeFirstOrThrow();
      await db.insertInto('role_grant').values({ ente_id: ente.id, user_id: user.id, role: account.role, module: account.module ?? '' }).execute();
      await audit(db, ente.id, 'staff_user.create', 'staff_user', user.id, { email: account.email });
      await audit(db, ente.id, 'role_grant.create', 'role_grant', user.id, { email: account.email, role: account.role, module: account.module ?? null });
    }
  });
}
