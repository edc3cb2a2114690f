// Writes to the dated membership tree. A change never deletes history: leaving closes a period (valid_to),
// joining opens a new one; overlapping periods with the same parent are refused by the database.
import type { Kysely } from 'kysely';
import { recordAudit, type Actor } from '../audit/index.js';
import { withEnte, type DB } from '../db/index.js';
import { conflict, notFound, unprocessable } from '../http/problem.js';
import { getEnteById } from './index.js';
import { isIsoDate } from '../calendar/index.js';

function assertDate(value: string, field: string): void {
  if (!isIsoDate(value)) throw unprocessable(`Data non valida: ${field}`);
}

/** Kinds that may hold members, and what they may hold. */
const allowedChildren: Record<string, string[]> = {
  provincia: ['comune', 'unione', 'comunita_montana'],
  unione: ['comune'],
  comunita_montana: ['comune'],
  comune: [],
};

export async function joinParent(
  db: Kysely<DB>,
  actor: Actor,
  input: { enteId: string; parentId: string; validFrom: string; source?: string | null },
): Promise<number> {
  assertDate(input.validFrom, 'valid_from');
  const [ente, parent] = await Promise.all([getEnteById(db, input.enteId), getEnteById(db, input.parentId)]);
  if (!ente || !parent) throw notFound('Ente non trovato');
  if (!allowedChildren[parent.kind]?.includes(ente.kind)) {
    throw unprocessable(`Un ente di tipo ${ente.kind} non può far parte di un ente di tipo ${parent.kind}`);
  }
  return withEnte(db, ente.id, async (trx) => {
    try {
      const row = await trx
        .insertInto('ente_membership')
        .values({ ente_id: ente.id, parent_id: parent.id, valid_from: input.validFrom, source: input.source ?? null })
        .returning('id')
        .executeTakeFirstOrThrow();
      await recordAudit(trx, { enteId: ente.id, actor, action: 'membership.join', entity: 'ente_membership', entityId: row.id, after: { parent: parent.slug, validFrom: input.validFrom } });
      return row.id;
    } catch (err) {
      if ((err as { code?: string }).code === '23P01') throw conflict(`${ente.name} fa già parte di ${parent.name} in quel periodo`);
      throw err;
    }
  });
}

export async function leaveParent(
  db: Kysely<DB>,
  actor: Actor,
  input: { enteId: string; parentId: string; validTo: string },
): Promise<void> {
  assertDate(input.validTo, 'valid_to');
  await withEnte(db, input.enteId, async (trx) => {
    const open = await trx
      .selectFrom('ente_membership')
      .select(['id', 'valid_from'])
      .where('ente_id', '=', input.enteId)
      .where('parent_id', '=', input.parentId)
      .where('valid_to', 'is', null)
      .forUpdate()
      .executeTakeFirst();
    if (!open) throw notFound("Nessuna appartenenza in corso a quell'ente");
    if (input.validTo <= open.valid_from) throw unprocessable("La data di uscita deve seguire la data di ingresso");
    await trx.updateTable('ente_membership').set({ valid_to: input.validTo }).where('ente_id', '=', input.enteId).where('id', '=', open.id).execute();
    await recordAudit(trx, { enteId: input.enteId, actor, action: 'membership.leave', entity: 'ente_membership', entityId: open.id, before: { validTo: null }, after: { validTo: input.validTo } });
  });
}
