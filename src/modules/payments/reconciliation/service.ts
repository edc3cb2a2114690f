// Reconciliation of an ente: import of reporting flows and treasury lines, the match of every flow line to a
// receipt and of every flow to its treasury credit, and the state of a flow (imported → matched / anomalies).
// Every write runs in the ente's transaction and is audited there.
import type { Kysely } from 'kysely';
import { recordAudit, type Actor } from '../../../platform/audit/index.js';
import { withEnte, type DB, type Trx } from '../../../platform/db/index.js';
import { badRequest, HttpProblem, notFound, unprocessable } from '../../../platform/http/problem.js';
import type { Platform } from '../../../platform/platform.js';
import { FdrError, parseFdr, type FlowDocument } from './fdr.js';
import { matchLine, type OptionCandidate, type ReceiptCandidate } from './matching.js';
import * as store from './store.js';
import { flowRefOf, lineKey, type TreasuryInput } from './treasury.js';

/** A refused document as a problem: 413 too large, 400 unsafe or malformed, 422 not an FdR. */
export function fdrProblem(err: FdrError): HttpProblem {
  if (err.kind === 'too_large') return new HttpProblem(413, 'Contenuto troppo grande', err.message);
  if (err.kind === 'invalid') return unprocessable(`Il file non è un flusso di rendicontazione valido (schemi FlussoRiversamento 1_0_4 e 1_0_5): ${err.message}`);
  return badRequest(err.message, { reason: err.kind });
}

async function configOf(trx: Trx) {
  const config = await trx.selectFrom('payment_config').select(['fiscal_code', 'business_name']).executeTakeFirst();
  if (!config) throw unprocessable("L'ente non ha configurato pagoPA: impossibile riconciliare");
  return config;
}

/**
 * Imports a reporting flow for the ente. The flow must be addressed to the ente (istitutoRicevente = its fiscal
 * code); the same flow (id and date/time) imported again returns the first import (created false).
 */
export async function importFlow(platform: Platform, actor: Actor, enteId: string, file: { bytes: Buffer; name: string }, now = new Date()): Promise<{ id: string; created: boolean; flow: FlowDocument }> {
  let flow: FlowDocument;
  try {
    flow = parseFdr(file.bytes);
  } catch (err) {
    if (err instanceof FdrError) throw fdrProblem(err);
    throw err;
  }
  return withEnte(platform.db.app, enteId, async (trx) => {
    const config = await configOf(trx);
    if (flow.receiver.code !== config.fiscal_code) {
      throw unprocessable(`Il flusso ${flow.flowId} è destinato all'ente con codice fiscale ${flow.receiver.code}${flow.receiver.name ? ` (${flow.receiver.name})` : ''}, non a ${config.business_name} (${config.fiscal_code}): non è stato importato`);
    }
    const existing = await findFlow(trx, flow);
    if (existing) return { id: existing.id, created: false, flow };
    const stored = await platform.files.put(trx, enteId, { bytes: file.bytes, mediaType: 'application/xml', originalName: file.name || `${flow.flowId}.xml`, createdBy: actor.id });
    const inserted = await trx
      .insertInto('payment_fdr')
      .values({
        ente_id: enteId,
        flow_id: flow.flowId,
        flow_date_time: flow.flowDateTime,
        schema_versions: flow.schemaVersions,
        settlement_id: flow.settlementId,
        settlement_date: flow.settlementDate,
        sender_type: flow.sender.type,
        sender_code: flow.sender.code,
        sender_name: flow.sender.name,
        bic: flow.bic,
        receiver_code: flow.receiver.code,
        receiver_name: flow.receiver.name,
        declared_count: flow.declaredCount,
        declared_total_cents: flow.declaredTotalCents,
        lines_count: flow.lines.length,
        lines_total_cents: flow.lines.reduce((s, l) => s + l.amountCents, 0),
        raw_sha256: stored.sha256,
        imported_at: now,
        imported_by: actor.label,
      })
      // A concurrent import of the same flow: the first one wins, this one returns it.
      .onConflict((oc) => oc.columns(['ente_id', 'flow_id', 'flow_date_time']).doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!inserted) return { id: (await findFlow(trx, flow))!.id, created: false, flow };
    for (let at = 0; at < flow.lines.length; at += 2000) {
      await trx
        .insertInto('payment_fdr_line')
        .values(
          flow.lines.slice(at, at + 2000).map((l, n) => ({
            ente_id: enteId,
            fdr_id: inserted.id,
            idx: at + n + 1,
            iuv: l.iuv,
            iur: l.iur,
            transfer_index: l.transferIndex,
            amount_cents: l.amountCents,
            outcome_code: l.outcomeCode,
            outcome_date: l.outcomeDate,
          })),
        )
        .execute();
    }
    await store.linkWaitingTreasuryLines(trx, inserted.id, flow.flowId);
    const result = await matchFlow(trx, inserted.id, config.fiscal_code, now);
    await recordAudit(trx, {
      enteId,
      actor,
      action: 'payment_fdr.import',
      entity: 'payment_fdr',
      entityId: inserted.id,
      after: { flowId: flow.flowId, flowDateTime: flow.flowDateTime, lines: flow.lines.length, totalCents: flow.declaredTotalCents, schema: flow.schemaVersions, status: result.status, anomalies: result.anomalies },
    });
    return { id: inserted.id, created: true, flow };
  });
}

const findFlow = (trx: Trx, flow: Pick<FlowDocument, 'flowId' | 'flowDateTime'>) =>
  trx.selectFrom('payment_fdr').select('id').where('flow_id', '=', flow.flowId).where('flow_date_time', '=', flow.flowDateTime).executeTakeFirst();

/**
 * Matches every line of a flow to the options and receipts of its IUVs, checks the flow's totals and its
 * treasury credit, and stores the outcome (lines, treasury lines, flow state).
 */
export async function matchFlow(trx: Trx, fdrId: string, enteFiscalCode: string, now = new Date()): Promise<{ status: store.FlowStatus; anomalies: number }> {
  const flow = await trx.selectFrom('payment_fdr').selectAll().where('id', '=', fdrId).forUpdate().executeTakeFirstOrThrow();
  const lines = await trx.selectFrom('payment_fdr_line').selectAll().where('fdr_id', '=', fdrId).orderBy('idx').execute();
  const iuvs = [...new Set(lines.map((l) => l.iuv))];
  const options = new Map<string, OptionCandidate>();
  const receipts = new Map<string, ReceiptCandidate[]>();
  for (let at = 0; at < iuvs.length; at += 5000) {
    const chunk = iuvs.slice(at, at + 5000);
    const optionRows = await trx
      .selectFrom('payment_option as o')
      .innerJoin('payment_position as p', (j) => j.onRef('p.ente_id', '=', 'o.ente_id').onRef('p.id', '=', 'o.position_id'))
      .select(['o.id', 'o.iuv', 'o.amount_cents', 'p.service_code'])
      .where('o.iuv', 'in', chunk)
      .execute();
    const transferRows = optionRows.length
      ? await trx.selectFrom('payment_transfer').select(['option_id', 'idx', 'beneficiary_fiscal_code', 'amount_cents']).where('option_id', 'in', optionRows.map((o) => o.id)).execute()
      : [];
    for (const o of optionRows) {
      const transfers = transferRows.filter((t) => t.option_id === o.id).map((t) => ({ idx: t.idx, fiscalCode: t.beneficiary_fiscal_code, amountCents: Number(t.amount_cents) }));
      options.set(o.iuv, { id: o.id, serviceCode: o.service_code, amountCents: Number(o.amount_cents), transfers });
    }
    const receiptRows = await trx
      .selectFrom('payment_receipt')
      .select(['id', 'iuv', 'receipt_id', 'amount_cents', 'duplicate_of', 'transfers'])
      .where('iuv', 'in', chunk)
      .where('outcome', '=', 'OK')
      .orderBy('received_at')
      .execute();
    for (const r of receiptRows) {
      const list = receipts.get(r.iuv) ?? [];
      list.push({ id: r.id, receiptId: r.receipt_id, amountCents: Number(r.amount_cents), duplicateOf: r.duplicate_of, transfers: r.transfers });
      receipts.set(r.iuv, list);
    }
  }
  const used = new Set<string>();
  const matches = lines.map((l) => ({
    idx: l.idx,
    ...matchLine({ iuv: l.iuv, iur: l.iur, transferIndex: l.transfer_index, amountCents: Number(l.amount_cents), outcomeCode: l.outcome_code }, options.get(l.iuv), receipts.get(l.iuv) ?? [], enteFiscalCode, used),
  }));
  await store.saveLineMatches(trx, fdrId, matches);

  const treasury = await trx.selectFrom('payment_treasury_line').select(['id', 'amount_cents']).where('fdr_id', '=', fdrId).execute();
  const treasuryTotal = treasury.reduce((s, t) => s + Number(t.amount_cents), 0);
  const treasuryOk = treasury.length > 0 && treasuryTotal === Number(flow.declared_total_cents);
  if (treasury.length > 0) {
    await trx.updateTable('payment_treasury_line').set({ match_status: treasuryOk ? 'matched' : 'amount_mismatch' }).where('fdr_id', '=', fdrId).execute();
  }
  const totalsOk = flow.declared_count === flow.lines_count && Number(flow.declared_total_cents) === Number(flow.lines_total_cents);
  const anomalies = matches.filter((m) => m.status !== 'matched').length + (totalsOk ? 0 : 1) + (treasuryOk ? 0 : 1);
  const status: store.FlowStatus = anomalies === 0 ? 'matched' : 'anomalies';
  await trx.updateTable('payment_fdr').set({ status, anomalies, matched_at: now }).where('id', '=', fdrId).execute();
  return { status, anomalies };
}

/** Matches a flow again (receipts or treasury lines may have arrived since): audited. */
export async function rematchFlow(db: Kysely<DB>, actor: Actor, enteId: string, fdrId: string, now = new Date()) {
  return withEnte(db, enteId, async (trx) => {
    const config = await configOf(trx);
    const flow = await trx.selectFrom('payment_fdr').select(['id', 'status', 'anomalies']).where('id', '=', fdrId).executeTakeFirst();
    if (!flow) throw notFound('Flusso di rendicontazione inesistente');
    const result = await matchFlow(trx, fdrId, config.fiscal_code, now);
    await recordAudit(trx, { enteId, actor, action: 'payment_fdr.rematch', entity: 'payment_fdr', entityId: fdrId, before: { status: flow.status, anomalies: flow.anomalies }, after: result });
    return result;
  });
}

export interface TreasuryImport {
  created: number;
  duplicates: number;
  /** Of the created lines, those that found their flow. */
  linked: number;
  lineIds: string[];
}

/**
 * Records treasury lines (a statement's pagoPA credits, or one typed by hand); a line already recorded (same
 * bank reference, or same date, amount and remittance) is skipped. Each line is matched to its flow now, or
 * when the flow is imported later.
 */
export async function addTreasuryLines(db: Kysely<DB>, actor: Actor, enteId: string, inputs: TreasuryInput[], source: 'csv' | 'manual' | 'api', now = new Date()): Promise<TreasuryImport> {
  for (const input of inputs) {
    if (!Number.isSafeInteger(input.amountCents) || input.amountCents <= 0) throw unprocessable("L'importo dell'accredito deve essere maggiore di zero");
    if (!input.remittance.trim() || input.remittance.length > 500) throw unprocessable('La causale è obbligatoria (al massimo 500 caratteri)');
    if (input.reference && input.reference.length > 100) throw unprocessable('Il riferimento è troppo lungo (al massimo 100 caratteri)');
  }
  return withEnte(db, enteId, async (trx) => {
    const config = await configOf(trx);
    const result: TreasuryImport = { created: 0, duplicates: 0, linked: 0, lineIds: [] };
    const touched = new Set<string>();
    for (const input of inputs) {
      const flowRef = flowRefOf(input.remittance) ?? null;
      const flow = flowRef ? await store.flowForRef(trx, flowRef) : undefined;
      const row = await trx
        .insertInto('payment_treasury_line')
        .values({
          ente_id: enteId,
          line_key: lineKey(input),
          value_date: input.valueDate,
          amount_cents: input.amountCents,
          remittance: input.remittance.trim(),
          reference: input.reference?.trim() || null,
          flow_ref: flowRef,
          fdr_id: flow?.id ?? null,
          source,
          imported_at: now,
          imported_by: actor.label,
        })
        .onConflict((oc) => oc.columns(['ente_id', 'line_key']).doNothing())
        .returning('id')
        .executeTakeFirst();
      if (!row) {
        result.duplicates++;
        continue;
      }
      result.created++;
      result.lineIds.push(row.id);
      if (flow) {
        result.linked++;
        touched.add(flow.id);
      }
    }
    for (const fdrId of touched) await matchFlow(trx, fdrId, config.fiscal_code, now);
    if (result.created > 0) {
      await recordAudit(trx, { enteId, actor, action: 'payment_treasury_line.import', entity: 'payment_treasury_line', entityId: result.lineIds.length === 1 ? result.lineIds[0]! : null, after: { source, created: result.created, duplicates: result.duplicates, linked: result.linked } });
    }
    return result;
  });
}
