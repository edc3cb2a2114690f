// SQL of the citizen area. `trx` is either a cross-ente read (withCrossEnteRead: the citizen's positions at
// every ente of the network) or an ente-bound transaction (withEnte: one ente's position); every query is
// filtered by the debtor's fiscal code, so a citizen never reaches another citizen's rows.
import type { Trx } from '../../../platform/db/index.js';
import type { OptionRow, PositionRow, ServiceRow } from '../store.js';

export type CatalogueItem = ServiceRow;

/** At most this many positions are listed (a citizen with more reaches them per ente). */
export const MAX_LISTED = 300;

export interface EnteOfPosition {
  id: string;
  name: string;
  slug: string;
  fiscalCode: string | null;
}

export interface ReceiptLink {
  id: string;
  optionId: string;
}

/** The published positions (drafts are the ente's work in progress) whose debtor is `fiscalCode`. */
export async function positionsOfDebtor(trx: Trx, fiscalCode: string, positionId?: string) {
  let q = trx
    .selectFrom('payment_position')
    .selectAll()
    .where('debtor_fiscal_code', '=', fiscalCode)
    .where('status', '!=', 'draft')
    .orderBy('created_at', 'desc')
    .limit(MAX_LISTED);
  if (positionId) q = q.where('id', '=', positionId);
  const positions: PositionRow[] = await q.execute();
  if (positions.length === 0) return { positions, options: [] as OptionRow[], receipts: [] as ReceiptLink[], enti: new Map<string, EnteOfPosition>() };
  const positionIds = positions.map((p) => p.id);
  const enteIds = [...new Set(positions.map((p) => p.ente_id))];
  const [options, enti] = await Promise.all([
    trx
      .selectFrom('payment_option')
      .selectAll()
      .where('ente_id', 'in', enteIds)
      .where('position_id', 'in', positionIds)
      .orderBy('instalment', (ob) => ob.asc().nullsFirst())
      .execute(),
    trx
      .selectFrom('ente')
      .leftJoin('payment_config', 'payment_config.ente_id', 'ente.id')
      .select(['ente.id', 'ente.name', 'ente.slug', 'payment_config.fiscal_code'])
      .where('ente.id', 'in', enteIds)
      .execute(),
  ]);
  const paid = options.filter((o) => o.status === 'paid');
  // The receipt that paid each option: an OK receipt that is not a duplicate of an earlier one.
  const receipts = paid.length
    ? await trx
        .selectFrom('payment_receipt')
        .select(['id', 'option_id as optionId'])
        .where('ente_id', 'in', enteIds)
        .where('option_id', 'in', paid.map((o) => o.id))
        .where('outcome', '=', 'OK')
        .where('duplicate_of', 'is', null)
        .orderBy('received_at')
        .execute()
    : [];
  return {
    positions,
    options,
    receipts,
    enti: new Map(enti.map((e) => [e.id, { id: e.id, name: e.name, slug: e.slug, fiscalCode: e.fiscal_code }])),
  };
}

/** The catalogue of the ente bound to `trx`, as citizens see it (active items), with whether pagoPA is set up. */
export async function catalogueOf(trx: Trx) {
  const [configured, services] = await Promise.all([
    trx.selectFrom('payment_config').select('fiscal_code').executeTakeFirst(),
    trx.selectFrom('payment_service').selectAll().where('active', '=', true).orderBy('name').execute(),
  ]);
  return { configured: Boolean(configured), services };
}
