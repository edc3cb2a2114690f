// SQL of payments (no rules here: see service.ts). Tenant functions take an ente-bound transaction (withEnte).
import type { Generated, Selectable } from 'kysely';
import { sql } from 'kysely';
import type { DB, Trx } from '../../platform/db/index.js';

export type PositionStatus = 'draft' | 'valid' | 'paid' | 'partially_paid' | 'expired' | 'cancelled';

declare module '../../platform/db/schema.js' {
  interface DB {
    payment_config: {
      ente_id: string;
      fiscal_code: string;
      business_name: string;
      segregation_code: string;
      bank_iban: string | null;
      postal_iban: string | null;
      postal_account_holder: string | null;
      postal_auth_code: string | null;
      cbill_code: string | null;
      broker_id: string;
      station_id: string;
      application_code: string | null;
      help_text: string | null;
      updated_at: Generated<Date>;
    };
    payment_service: {
      ente_id: string;
      code: string;
      name: string;
      taxonomy: string;
      iban_kind: Generated<'bank' | 'postal'>;
      spontaneous: Generated<boolean>;
      fixed_amount_cents: number | null;
      active: Generated<boolean>;
    };
    payment_iuv_counter: { ente_id: string; segregation_code: string; last_base: number };
    payment_position: {
      ente_id: string;
      id: Generated<string>;
      external_ref: string | null;
      service_code: string;
      debtor_type: 'F' | 'G';
      debtor_fiscal_code: string;
      debtor_name: string;
      debtor_email: string | null;
      debtor_address: string | null;
      reason: string;
      amount_cents: number;
      status: Generated<PositionStatus>;
      created_at: Date;
      published_at: Date | null;
      cancelled_at: Date | null;
      cancel_reason: string | null;
      paid_at: Date | null;
      created_by: string;
      origin_module: Generated<string>;
      origin_ref: string | null;
    };
    payment_option: {
      ente_id: string;
      id: Generated<string>;
      position_id: string;
      instalment: number | null;
      iuv: string;
      notice_number: string;
      amount_cents: number;
      due_date: string;
      retention_date: string | null;
      status: Generated<'unpaid' | 'paid'>;
      paid_at: Date | null;
    };
    payment_receipt: {
      ente_id: string;
      id: Generated<string>;
      receipt_id: string;
      option_id: string;
      notice_number: string;
      iuv: string;
      outcome: 'OK' | 'KO';
      amount_cents: number;
      fee_cents: number | null;
      psp_id: string;
      psp_name: string | null;
      psp_fiscal_code: string | null;
      channel_id: string | null;
      payment_method: string | null;
      payer_fiscal_code: string | null;
      payer_name: string | null;
      payment_date_time: Date | null;
      application_date: string | null;
      transfer_date: string | null;
      transfers: unknown;
      raw_sha256: string;
      duplicate_of: string | null;
      received_at: Date;
    };
    payment_transfer: {
      ente_id: string;
      option_id: string;
      idx: number;
      beneficiary_fiscal_code: string;
      iban: string;
      amount_cents: number;
      taxonomy: string;
      remittance: string;
    };
  }
}

export type ConfigRow = Selectable<DB['payment_config']>;
export type ServiceRow = Selectable<DB['payment_service']>;
export type PositionRow = Selectable<DB['payment_position']>;
export type OptionRow = Selectable<DB['payment_option']>;
export type TransferRow = Selectable<DB['payment_transfer']>;
export type ReceiptRow = Selectable<DB['payment_receipt']>;

/** The next IUV base of the ente for a segregation code: row-locked increment, rolled back with a failed creation. */
export async function nextIuvBase(trx: Trx, enteId: string, segregationCode: string): Promise<number> {
  const row = await trx
    .insertInto('payment_iuv_counter')
    .values({ ente_id: enteId, segregation_code: segregationCode, last_base: 1 })
    .onConflict((oc) => oc.columns(['ente_id', 'segregation_code']).doUpdateSet({ last_base: sql`payment_iuv_counter.last_base + 1` }))
    .returning('last_base')
    .executeTakeFirstOrThrow();
  return Number(row.last_base);
}

export const configOf = (trx: Trx) => trx.selectFrom('payment_config').selectAll().executeTakeFirst();

export async function positionWithOptions(trx: Trx, positionId: string, forUpdate = false) {
  let q = trx.selectFrom('payment_position').selectAll().where('id', '=', positionId);
  if (forUpdate) q = q.forUpdate();
  const position = await q.executeTakeFirst();
  if (!position) return undefined;
  const options = await trx.selectFrom('payment_option').selectAll().where('position_id', '=', positionId).orderBy('instalment', (ob) => ob.asc().nullsFirst()).execute();
  const transfers = options.length
    ? await trx.selectFrom('payment_transfer').selectAll().where('option_id', 'in', options.map((o) => o.id)).orderBy('idx').execute()
    : [];
  return { position, options, transfers };
}

export async function optionByNoticeNumber(trx: Trx, noticeNumber: string, forUpdate = false) {
  let q = trx.selectFrom('payment_option').selectAll().where('notice_number', '=', noticeNumber);
  if (forUpdate) q = q.forUpdate();
  return q.executeTakeFirst();
}
