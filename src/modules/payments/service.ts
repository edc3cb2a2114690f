// Debt positions: creation (API, back office, CSV, other modules through index.ts) with the IUV / notice number
// of each payment option from the ente's counter, publication, cancellation, payment of an option (called when a
// receipt arrives) and the status of a position as people read it. Every write is audited in its transaction.
import type { Kysely } from 'kysely';
import { recordAudit, type Actor } from '../../platform/audit/index.js';
import { addDays, isIsoDate, todayInRome } from '../../platform/calendar/index.js';
import { withEnte, type DB, type Trx } from '../../platform/db/index.js';
import { conflict, notFound, unprocessable } from '../../platform/http/problem.js';
import { isValidFiscalCode, normalizeFiscalCode } from '../../platform/identity/codice-fiscale.js';
import { isValidItalianIban, normalizeIban } from '../../platform/identity/iban.js';
import { isValidPartitaIva } from '../../platform/identity/partita-iva.js';
import { iuvOf, noticeNumberOf } from './iuv.js';
import * as store from './store.js';
import type { ConfigRow, OptionRow, PositionRow, PositionStatus, TransferRow } from './store.js';

export type { PositionStatus } from './store.js';

export const MAX_TRANSFERS = 5;
/** pagoPA taxonomy of a collection ("dati specifici di riscossione"), e.g. 9/0101108TS/. */
export const TAXONOMY = /^9\/[0-9]{7}[A-Z]{2}\/$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export interface TransferInput {
  /** Beneficiary ente's fiscal code; default the creditor ente. */
  beneficiaryFiscalCode?: string | undefined;
  /** Default: the IBAN of the service's kind (bank/postal) in the ente's configuration. */
  iban?: string | undefined;
  amountCents: number;
  /** Default: the taxonomy of the service. */
  taxonomy?: string | undefined;
  remittance?: string | undefined;
}

export interface PositionInput {
  serviceCode: string;
  debtor: { type?: 'F' | 'G'; fiscalCode: string; name: string; email?: string | null | undefined; address?: string | null | undefined };
  reason: string;
  amountCents: number;
  /** Due date of the single payment (ISO date). Required unless only instalments are offered. */
  dueDate?: string | undefined;
  /** Instalments (amounts summing to amountCents). With `payInFull` (default true) the single payment stays offered too. */
  instalments?: { amountCents: number; dueDate: string }[] | undefined;
  payInFull?: boolean | undefined;
  /** How the amount is split (at most 5; sums to amountCents). Default: one transfer to the ente. */
  transfers?: TransferInput[] | undefined;
  /** Days after the due date during which payment is still accepted. */
  retentionDays?: number | undefined;
  externalRef?: string | null | undefined;
  originModule?: string | undefined;
  originRef?: string | null | undefined;
}

export interface OptionView {
  id: string;
  instalment: number | null;
  iuv: string;
  noticeNumber: string;
  amountCents: number;
  dueDate: string;
  retentionDate: string | null;
  status: 'unpaid' | 'paid';
  paidAt: Date | null;
  /** Payable today: unpaid, not past its retention (or due) date, position valid or partially paid. */
  payable: boolean;
  transfers: { idx: number; beneficiaryFiscalCode: string; iban: string; amountCents: number; taxonomy: string; remittance: string }[];
}

export interface PositionView {
  id: string;
  enteId: string;
  externalRef: string | null;
  serviceCode: string;
  debtor: { type: 'F' | 'G'; fiscalCode: string; name: string; email: string | null; address: string | null };
  reason: string;
  amountCents: number;
  /** As people read it today: a valid position whose options are all past their dates is 'expired'. */
  status: PositionStatus;
  createdAt: Date;
  publishedAt: Date | null;
  cancelledAt: Date | null;
  paidAt: Date | null;
  originModule: string;
  originRef: string | null;
  options: OptionView[];
}

/** The last day an option can be paid: its retention date, or else its due date. */
export const lastPayableDay = (o: Pick<OptionRow, 'due_date' | 'retention_date'>) => o.retention_date ?? o.due_date;

/** The status as of `today`: stored states, except that a valid position whose every unpaid option is past its last day is expired. */
export function effectiveStatus(position: Pick<PositionRow, 'status'>, options: readonly Pick<OptionRow, 'status' | 'due_date' | 'retention_date'>[], today: string): PositionStatus {
  if (position.status !== 'valid') return position.status;
  const unpaid = options.filter((o) => o.status === 'unpaid');
  return unpaid.length > 0 && unpaid.every((o) => lastPayableDay(o) < today) ? 'expired' : 'valid';
}

export function positionView(p: PositionRow, options: readonly OptionRow[], transfers: readonly TransferRow[], today = todayInRome()): PositionView {
  const status = effectiveStatus(p, options, today);
  // Once an instalment is paid, paying the whole amount would charge twice: only the other instalments remain.
  const instalmentPaid = options.some((o) => o.instalment !== null && o.status === 'paid');
  return {
    id: p.id,
    enteId: p.ente_id,
    externalRef: p.external_ref,
    serviceCode: p.service_code,
    debtor: { type: p.debtor_type, fiscalCode: p.debtor_fiscal_code, name: p.debtor_name, email: p.debtor_email, address: p.debtor_address },
    reason: p.reason,
    amountCents: Number(p.amount_cents),
    status,
    createdAt: p.created_at,
    publishedAt: p.published_at,
    cancelledAt: p.cancelled_at,
    paidAt: p.paid_at,
    originModule: p.origin_module,
    originRef: p.origin_ref,
    options: options.map((o) => ({
      id: o.id,
      instalment: o.instalment,
      iuv: o.iuv,
      noticeNumber: o.notice_number,
      amountCents: Number(o.amount_cents),
      dueDate: o.due_date,
      retentionDate: o.retention_date,
      status: o.status,
      paidAt: o.paid_at,
      payable: o.status === 'unpaid' && (p.status === 'valid' || p.status === 'partially_paid') && lastPayableDay(o) >= today && !(o.instalment === null && instalmentPaid),
      transfers: transfers
        .filter((t) => t.option_id === o.id)
        .map((t) => ({ idx: t.idx, beneficiaryFiscalCode: t.beneficiary_fiscal_code, iban: t.iban, amountCents: Number(t.amount_cents), taxonomy: t.taxonomy, remittance: t.remittance })),
    })),
  };
}

function validDebtorCode(type: 'F' | 'G', code: string): boolean {
  return type === 'F' ? isValidFiscalCode(code) || isValidPartitaIva(code) : isValidPartitaIva(code) || isValidFiscalCode(code);
}

function checkCents(cents: number, what: string): void {
  if (!Number.isSafeInteger(cents) || cents <= 0) throw unprocessable(`${what}: l'importo deve essere un numero intero di centesimi maggiore di zero`);
  if (cents > 99_999_999_999) throw unprocessable(`${what}: importo troppo alto`);
}

/** Splits `transfers` (summing to `total`) over an option of `amount`, proportionally; the rounding rest goes to the first. */
export function scaleTransfers<T extends { amountCents: number }>(transfers: readonly T[], total: number, amount: number): T[] {
  if (amount === total) return transfers.map((t) => ({ ...t }));
  const scaled = transfers.map((t) => ({ ...t, amountCents: Math.floor((t.amountCents * amount) / total) }));
  const rest = amount - scaled.reduce((s, t) => s + t.amountCents, 0);
  scaled[0]!.amountCents += rest;
  if (scaled.some((t) => t.amountCents <= 0)) throw unprocessable('Una rata è troppo piccola per essere ripartita tra i beneficiari');
  return scaled;
}

interface ResolvedTransfer {
  beneficiaryFiscalCode: string;
  iban: string;
  amountCents: number;
  taxonomy: string;
  remittance: string;
}

function resolveInput(input: PositionInput, config: ConfigRow, service: store.ServiceRow, today: string) {
  const fiscalCode = normalizeFiscalCode(input.debtor?.fiscalCode ?? '');
  const type = input.debtor?.type ?? (/^[0-9]{11}$/.test(fiscalCode) ? 'G' : 'F');
  if (!validDebtorCode(type, fiscalCode)) throw unprocessable(`Codice fiscale del debitore non valido: ${input.debtor?.fiscalCode ?? ''}`);
  const name = input.debtor.name?.trim() ?? '';
  if (!name) throw unprocessable('Il nome del debitore è obbligatorio');
  const email = input.debtor.email?.trim().toLowerCase() || null;
  if (email && !EMAIL.test(email)) throw unprocessable("L'indirizzo e-mail del debitore non è valido");
  const reason = input.reason?.trim() ?? '';
  if (!reason) throw unprocessable('La causale è obbligatoria');
  if (reason.length > 140) throw unprocessable('La causale è troppo lunga (al massimo 140 caratteri)');
  checkCents(input.amountCents, 'Importo');
  const retentionDays = input.retentionDays ?? 0;
  if (!Number.isInteger(retentionDays) || retentionDays < 0 || retentionDays > 365) throw unprocessable('Giorni di tolleranza dopo la scadenza non validi (0–365)');

  const instalments = input.instalments ?? [];
  const payInFull = instalments.length === 0 || input.payInFull !== false;
  if (payInFull && !input.dueDate) throw unprocessable('La data di scadenza è obbligatoria');
  const dates = [...(payInFull ? [input.dueDate!] : []), ...instalments.map((i) => i.dueDate)];
  for (const d of dates) {
    if (!isIsoDate(d)) throw unprocessable(`Data di scadenza non valida: ${d}`);
    if (d < today) throw unprocessable(`La scadenza ${d} è già passata`);
  }
  if (instalments.length > 0) {
    if (instalments.length < 2) throw unprocessable('Le rate devono essere almeno due');
    instalments.forEach((i, n) => checkCents(i.amountCents, `Rata ${n + 1}`));
    const sum = instalments.reduce((s, i) => s + i.amountCents, 0);
    if (sum !== input.amountCents) throw unprocessable(`La somma delle rate (${sum} centesimi) non è uguale all'importo (${input.amountCents})`);
    for (let n = 1; n < instalments.length; n++) {
      if (instalments[n]!.dueDate < instalments[n - 1]!.dueDate) throw unprocessable('Le scadenze delle rate devono essere in ordine');
    }
  }

  const defaultIban = service.iban_kind === 'postal' ? config.postal_iban : config.bank_iban;
  const given = input.transfers?.length ? input.transfers : [{ amountCents: input.amountCents }];
  if (given.length > MAX_TRANSFERS) throw unprocessable(`Al massimo ${MAX_TRANSFERS} trasferimenti per posizione (ricevuti ${given.length})`);
  const transfers: ResolvedTransfer[] = given.map((t, n) => {
    checkCents(t.amountCents, `Trasferimento ${n + 1}`);
    const beneficiary = t.beneficiaryFiscalCode?.trim() || config.fiscal_code;
    if (!isValidPartitaIva(beneficiary)) throw unprocessable(`Trasferimento ${n + 1}: codice fiscale del beneficiario non valido`);
    const iban = normalizeIban(t.iban ?? defaultIban ?? '');
    if (!isValidItalianIban(iban)) throw unprocessable(`Trasferimento ${n + 1}: IBAN non valido o mancante`);
    const taxonomy = t.taxonomy?.trim() || service.taxonomy;
    if (!TAXONOMY.test(taxonomy)) throw unprocessable(`Trasferimento ${n + 1}: tassonomia pagoPA non valida (es. 9/0101108TS/)`);
    const remittance = (t.remittance?.trim() || reason).slice(0, 140);
    return { beneficiaryFiscalCode: beneficiary, iban, amountCents: t.amountCents, taxonomy, remittance };
  });
  if (transfers[0]!.beneficiaryFiscalCode !== config.fiscal_code) throw unprocessable('Il primo trasferimento deve essere a favore dell’ente creditore');
  const sum = transfers.reduce((s, t) => s + t.amountCents, 0);
  if (sum !== input.amountCents) throw unprocessable(`La somma dei trasferimenti (${sum} centesimi) non è uguale all'importo (${input.amountCents})`);
  const externalRef = input.externalRef?.trim() || null;
  if (externalRef && externalRef.length > 60) throw unprocessable('Riferimento interno troppo lungo (al massimo 60 caratteri)');
  return { debtor: { type, fiscalCode, name, email, address: input.debtor.address?.trim() || null }, reason, payInFull, instalments, transfers, retentionDays, externalRef };
}

/**
 * Creates a debt position with its options (the single payment and/or the instalments), each with the next IUV
 * of the ente. `publish` (default true) makes it payable at once; false keeps it as a draft. With an
 * `externalRef` already used by the ente, returns the existing position (idempotent for uploads and modules).
 */
export async function createPosition(
  db: Kysely<DB>,
  actor: Actor,
  enteId: string,
  input: PositionInput,
  options: { now?: Date; publish?: boolean } = {},
): Promise<{ position: PositionView; created: boolean }> {
  const now = options.now ?? new Date();
  const today = todayInRome(now);
  return withEnte(db, enteId, async (trx) => {
    const config = await store.configOf(trx);
    if (!config) throw unprocessable("L'ente non ha ancora configurato pagoPA (codice fiscale, codice di segregazione, IBAN)");
    const service = await trx.selectFrom('payment_service').selectAll().where('code', '=', input.serviceCode ?? '').executeTakeFirst();
    if (!service || !service.active) throw unprocessable(`Servizio di incasso sconosciuto o non attivo: ${input.serviceCode}`);
    const resolved = resolveInput(input, config, service, today);
    if (resolved.externalRef) {
      const existing = await trx.selectFrom('payment_position').select('id').where('external_ref', '=', resolved.externalRef).executeTakeFirst();
      if (existing) return { position: (await loadView(trx, existing.id, today))!, created: false };
    }
    const publish = options.publish ?? true;
    const inserted = await trx
      .insertInto('payment_position')
      .values({
        ente_id: enteId,
        external_ref: resolved.externalRef,
        service_code: service.code,
        debtor_type: resolved.debtor.type,
        debtor_fiscal_code: resolved.debtor.fiscalCode,
        debtor_name: resolved.debtor.name,
        debtor_email: resolved.debtor.email,
        debtor_address: resolved.debtor.address,
        reason: resolved.reason,
        amount_cents: input.amountCents,
        status: publish ? 'valid' : 'draft',
        created_at: now,
        published_at: publish ? now : null,
        created_by: actor.label,
        origin_module: input.originModule ?? 'payments',
        origin_ref: input.originRef ?? null,
      })
      // A concurrent creation with the same reference won the race: return its position (same as above).
      .onConflict((oc) => oc.columns(['ente_id', 'external_ref']).doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!inserted) {
      const winner = await trx.selectFrom('payment_position').select('id').where('external_ref', '=', resolved.externalRef).executeTakeFirstOrThrow();
      return { position: (await loadView(trx, winner.id, today))!, created: false };
    }
    const position = inserted;
    const plan = [
      ...(resolved.payInFull ? [{ instalment: null as number | null, amountCents: input.amountCents, dueDate: input.dueDate! }] : []),
      ...resolved.instalments.map((i, n) => ({ instalment: n + 1 as number | null, amountCents: i.amountCents, dueDate: i.dueDate })),
    ];
    for (const option of plan) {
      const iuv = iuvOf(config.segregation_code, await store.nextIuvBase(trx, enteId, config.segregation_code));
      const row = await trx
        .insertInto('payment_option')
        .values({
          ente_id: enteId,
          position_id: position.id,
          instalment: option.instalment,
          iuv,
          notice_number: noticeNumberOf(iuv),
          amount_cents: option.amountCents,
          due_date: option.dueDate,
          retention_date: resolved.retentionDays > 0 ? addDays(option.dueDate, resolved.retentionDays) : null,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      const split = scaleTransfers(resolved.transfers, input.amountCents, option.amountCents);
      await trx
        .insertInto('payment_transfer')
        .values(split.map((t, n) => ({ ente_id: enteId, option_id: row.id, idx: n + 1, beneficiary_fiscal_code: t.beneficiaryFiscalCode, iban: t.iban, amount_cents: t.amountCents, taxonomy: t.taxonomy, remittance: t.remittance })))
        .execute();
    }
    await recordAudit(trx, {
      enteId,
      actor,
      action: 'payment_position.create',
      entity: 'payment_position',
      entityId: position.id,
      after: { service: service.code, amountCents: input.amountCents, options: plan.length, status: publish ? 'valid' : 'draft', origin: input.originModule ?? 'payments' },
    });
    return { position: (await loadView(trx, position.id, today))!, created: true };
  });
}

async function loadView(trx: Trx, positionId: string, today: string): Promise<PositionView | undefined> {
  const found = await store.positionWithOptions(trx, positionId);
  return found ? positionView(found.position, found.options, found.transfers, today) : undefined;
}

export async function getPosition(db: Kysely<DB>, enteId: string, positionId: string, options: { now?: Date } = {}): Promise<PositionView | undefined> {
  return withEnte(db, enteId, (trx) => loadView(trx, positionId, todayInRome(options.now ?? new Date())));
}

/** A draft becomes payable. */
export async function publishPosition(db: Kysely<DB>, actor: Actor, enteId: string, positionId: string, options: { now?: Date } = {}): Promise<PositionView> {
  const now = options.now ?? new Date();
  return withEnte(db, enteId, async (trx) => {
    const found = await store.positionWithOptions(trx, positionId, true);
    if (!found) throw notFound('Posizione debitoria inesistente');
    if (found.position.status !== 'draft') throw conflict('Solo una bozza può essere pubblicata');
    if (found.options.some((o) => o.due_date < todayInRome(now))) throw conflict('Una scadenza è già passata: correggi la posizione prima di pubblicarla');
    await trx.updateTable('payment_position').set({ status: 'valid', published_at: now }).where('id', '=', positionId).execute();
    await recordAudit(trx, { enteId, actor, action: 'payment_position.publish', entity: 'payment_position', entityId: positionId });
    return (await loadView(trx, positionId, todayInRome(now)))!;
  });
}

/** Cancels a position nobody has paid anything of (a paid instalment makes it final). */
export async function cancelPosition(db: Kysely<DB>, actor: Actor, enteId: string, positionId: string, reason: string, options: { now?: Date } = {}): Promise<PositionView> {
  const now = options.now ?? new Date();
  const why = reason?.trim() ?? '';
  if (!why) throw unprocessable("Il motivo dell'annullamento è obbligatorio");
  return withEnte(db, enteId, async (trx) => {
    const found = await store.positionWithOptions(trx, positionId, true);
    if (!found) throw notFound('Posizione debitoria inesistente');
    if (found.position.status === 'cancelled') throw conflict('La posizione è già annullata');
    if (found.options.some((o) => o.status === 'paid')) throw conflict('La posizione è stata pagata, anche in parte: non può essere annullata');
    await trx.updateTable('payment_position').set({ status: 'cancelled', cancelled_at: now, cancel_reason: why }).where('id', '=', positionId).execute();
    await recordAudit(trx, { enteId, actor, action: 'payment_position.cancel', entity: 'payment_position', entityId: positionId, before: { status: found.position.status }, after: { reason: why } });
    return (await loadView(trx, positionId, todayInRome(now)))!;
  });
}

/**
 * Records the payment of one option inside the caller's transaction (the receipt's): the option becomes paid,
 * and the position paid (the single payment, or every instalment) or partially paid. Returns false when the
 * option was already paid (a repeated receipt changes nothing).
 */
export async function markOptionPaid(trx: Trx, option: OptionRow, paidAt: Date): Promise<boolean> {
  // The position first, then the option: two instalments paid at the same moment serialise here, so the
  // second sees the first as paid and the position ends up paid, not partially paid.
  const position = await trx.selectFrom('payment_position').select('status').where('id', '=', option.position_id).forUpdate().executeTakeFirstOrThrow();
  const locked = await trx.selectFrom('payment_option').selectAll().where('id', '=', option.id).forUpdate().executeTakeFirstOrThrow();
  if (locked.status === 'paid') return false;
  // Money for a cancelled position is kept as a receipt (reconciliation shows it, the ente refunds) but the
  // cancelled position stays cancelled.
  if (position.status === 'cancelled') return false;
  await trx.updateTable('payment_option').set({ status: 'paid', paid_at: paidAt }).where('id', '=', option.id).execute();
  const siblings = await trx.selectFrom('payment_option').select(['instalment', 'status']).where('position_id', '=', option.position_id).execute();
  const instalments = siblings.filter((o) => o.instalment !== null);
  const fullyPaid = locked.instalment === null || (instalments.length > 0 && instalments.every((o) => o.status === 'paid'));
  await trx
    .updateTable('payment_position')
    .set(fullyPaid ? { status: 'paid', paid_at: paidAt } : { status: 'partially_paid' })
    .where('id', '=', option.position_id)
    .execute();
  return true;
}
