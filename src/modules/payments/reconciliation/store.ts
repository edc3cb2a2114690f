// Tables of the reconciliation (migration 005) for Kysely; SQL only, no rules.
import type { Generated, Selectable } from 'kysely';
import { sql, type DB, type Trx } from '../../../platform/db/index.js';

export type FlowStatus = 'imported' | 'matched' | 'anomalies';
export type LineMatchStatus = 'pending' | 'matched' | 'unknown_iuv' | 'amount_mismatch' | 'missing_receipt' | 'revoked';
export type TreasuryStatus = 'no_flow' | 'matched' | 'amount_mismatch';

declare module '../../../platform/db/schema.js' {
  interface DB {
    payment_fdr: {
      ente_id: string;
      id: Generated<string>;
      flow_id: string;
      flow_date_time: Date;
      schema_versions: string[];
      settlement_id: string;
      settlement_date: string;
      sender_type: string;
      sender_code: string;
      sender_name: string | null;
      bic: string | null;
      receiver_code: string;
      receiver_name: string | null;
      declared_count: number;
      declared_total_cents: number;
      lines_count: number;
      lines_total_cents: number;
      status: Generated<FlowStatus>;
      anomalies: Generated<number>;
      raw_sha256: string;
      imported_at: Date;
      imported_by: string;
      matched_at: Date | null;
    };
    payment_fdr_line: {
      ente_id: string;
      fdr_id: string;
      idx: number;
      iuv: string;
      iur: string;
      transfer_index: number | null;
      amount_cents: number;
      outcome_code: string;
      outcome_date: string;
      match_status: Generated<LineMatchStatus>;
      option_id: string | null;
      receipt_id: string | null;
      service_code: string | null;
      expected_cents: number | null;
    };
    payment_treasury_line: {
      ente_id: string;
      id: Generated<string>;
      line_key: string;
      value_date: string;
      amount_cents: number;
      remittance: string;
      reference: string | null;
      flow_ref: string | null;
      fdr_id: string | null;
      match_status: Generated<TreasuryStatus>;
      source: 'csv' | 'manual' | 'api';
      imported_at: Date;
      imported_by: string;
    };
  }
}

export type FlowRow = Selectable<DB['payment_fdr']>;
export type FlowLineRow = Selectable<DB['payment_fdr_line']>;
export type TreasuryRow = Selectable<DB['payment_treasury_line']>;

/** The latest flow whose id the treasury reference starts with (the reference may carry text after the id). */
export function flowForRef(trx: Trx, flowRef: string) {
  return trx
    .selectFrom('payment_fdr')
    .select(['id', 'flow_id'])
    .where(sql<boolean>`starts_with(${flowRef}, upper(flow_id))`)
    .orderBy(sql`length(flow_id)`, 'desc')
    .orderBy('flow_date_time', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** Links the treasury lines waiting for this flow (imported before it) to it. */
export function linkWaitingTreasuryLines(trx: Trx, fdrId: string, flowId: string) {
  return trx
    .updateTable('payment_treasury_line')
    .set({ fdr_id: fdrId })
    .where('fdr_id', 'is', null)
    .where('flow_ref', 'is not', null)
    .where(sql<boolean>`starts_with(flow_ref, ${flowId.toUpperCase()})`)
    .execute();
}

/** Stores the match of many lines in one statement. */
export async function saveLineMatches(
  trx: Trx,
  fdrId: string,
  rows: { idx: number; status: string; optionId: string | null; receiptId: string | null; serviceCode: string | null; expectedCents: number | null }[],
) {
  for (let at = 0; at < rows.length; at += 5000) {
    const chunk = rows.slice(at, at + 5000);
    await sql`
      update payment_fdr_line l
         set match_status = v.status, option_id = v.option_id, receipt_id = v.receipt_id, service_code = v.service_code, expected_cents = v.expected
        from unnest(${chunk.map((r) => r.idx)}::int[], ${chunk.map((r) => r.status)}::text[], ${chunk.map((r) => r.optionId)}::uuid[],
                    ${chunk.map((r) => r.receiptId)}::uuid[], ${chunk.map((r) => r.serviceCode)}::text[], ${chunk.map((r) => r.expectedCents)}::bigint[])
             as v(idx, status, option_id, receipt_id, service_code, expected)
       where l.fdr_id = ${fdrId} and l.idx = v.idx`.execute(trx);
  }
}
