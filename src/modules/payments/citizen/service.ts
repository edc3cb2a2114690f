// The citizen's side of payments: the positions of which the signed-in citizen is the debtor, at every ente
// of the network (a cross-ente read, audited on the CST with its reason), one of them at one ente, and the
// spontaneous payment of a catalogue item (a position and a notice created on the citizen's request).
import type { Kysely } from 'kysely';
import { recordAuditEvent, type Actor } from '../../../platform/audit/index.js';
import type { CitizenIdentity } from '../../../platform/auth/index.js';
import { addDays, todayInRome } from '../../../platform/calendar/index.js';
import { withCrossEnteRead, withEnte, type DB } from '../../../platform/db/index.js';
import { HttpProblem } from '../../../platform/http/problem.js';
import { getCstEnte } from '../../../platform/tenancy/index.js';
import { t } from '../../../platform/views/i18n/index.js';
import { AmountError, formatCents, parseEuroToCents } from '../amounts.js';
import { createPosition, positionView, type OptionView, type PositionView } from '../service.js';
import * as store from './store.js';
import type { EnteOfPosition } from './store.js';
import './messages.js';

export const citizenActor = (citizen: CitizenIdentity, ip?: string): Actor => ({ id: null, label: `cittadino:${citizen.fiscalCode}`, ip });
export const citizenName = (citizen: CitizenIdentity) => `${citizen.givenName} ${citizen.familyName}`;

export interface CitizenOption extends OptionView {
  /** Offered to the citizen now: payable, and not the single payment once an instalment has been paid. */
  offered: boolean;
  /** The single payment after an instalment was paid (paying it too would pay twice). */
  superseded: boolean;
  receiptIds: string[];
}

export interface CitizenPosition extends Omit<PositionView, 'options'> {
  ente: EnteOfPosition;
  instalments: number;
  options: CitizenOption[];
}

export interface EnteGroup {
  ente: EnteOfPosition;
  positions: CitizenPosition[];
}

function assemble(found: Awaited<ReturnType<typeof store.positionsOfDebtor>>, today: string): CitizenPosition[] {
  return found.positions.map((p) => {
    const options = found.options.filter((o) => o.ente_id === p.ente_id && o.position_id === p.id);
    const view = positionView(p, options, [], today);
    const instalmentPaid = view.options.some((o) => o.instalment !== null && o.status === 'paid');
    return {
      ...view,
      ente: found.enti.get(p.ente_id) ?? { id: p.ente_id, name: '', slug: '', fiscalCode: null },
      instalments: view.options.filter((o) => o.instalment !== null).length,
      options: view.options.map((o) => {
        const superseded = o.instalment === null && o.status === 'unpaid' && instalmentPaid;
        return { ...o, superseded, offered: o.payable && !superseded, receiptIds: found.receipts.filter((r) => r.optionId === o.id).map((r) => r.id) };
      }),
    };
  });
}

/**
 * Every published position of the citizen in the network, grouped by ente (by name). Crossing tenants is
 * audited on the CST's log before reading; the query is filtered by the citizen's own fiscal code.
 */
export async function myPayments(db: Kysely<DB>, citizen: CitizenIdentity, ip?: string, now = new Date()): Promise<EnteGroup[]> {
  const cst = await getCstEnte(db);
  if (cst) {
    await recordAuditEvent(db, {
      enteId: cst.id,
      actor: citizenActor(citizen, ip),
      action: 'cross_ente.read',
      entity: 'payment_position',
      after: { reason: 'il cittadino consulta i propri pagamenti in tutti gli enti della rete', debtor: citizen.fiscalCode },
    });
  }
  const found = await withCrossEnteRead(db, (trx) => store.positionsOfDebtor(trx, citizen.fiscalCode));
  const groups = new Map<string, EnteGroup>();
  for (const position of assemble(found, todayInRome(now))) {
    const group = groups.get(position.ente.id) ?? { ente: position.ente, positions: [] };
    group.positions.push(position);
    groups.set(position.ente.id, group);
  }
  return [...groups.values()].sort((a, b) => a.ente.name.localeCompare(b.ente.name, 'it'));
}

/** One position of the ente, only if the citizen is its debtor (anything else is "not found"). */
export async function myPosition(db: Kysely<DB>, enteId: string, citizen: CitizenIdentity, positionId: string, now = new Date()): Promise<CitizenPosition | undefined> {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(positionId)) return undefined;
  const found = await withEnte(db, enteId, (trx) => store.positionsOfDebtor(trx, citizen.fiscalCode, positionId));
  return assemble(found, todayInRome(now))[0];
}

export async function catalogue(db: Kysely<DB>, enteId: string) {
  return withEnte(db, enteId, (trx) => store.catalogueOf(trx));
}

// ---------------------------------------------------------------------------------------------------------
// Spontaneous payment

/** Days a spontaneous notice stays payable. */
export const SPONTANEOUS_DAYS = 30;
/** A spontaneous payment is a fee or a small due, not a tax roll: a typo of a few zeros is refused. */
export const SPONTANEOUS_MAX_CENTS = 1_000_000;
export const REASON_MAX = 140;
const KEY = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface SpontaneousForm {
  amount: string;
  reason: string;
  /** One per form shown: a second submission of the same form finds the position of the first. */
  key: string;
}

export type FieldErrors = Partial<Record<'amount' | 'reason' | 'form', string>>;

/** A 422 carrying the field errors, for the page to show next to the fields. */
export class SpontaneousInvalid extends HttpProblem {
  constructor(readonly fields: FieldErrors) {
    super(422, 'Dati non accettabili', Object.values(fields).join(' '));
  }
}

export function spontaneousItem(services: store.CatalogueItem[], code: string | undefined, enteName: string) {
  const item = services.find((s) => s.code === code);
  if (!item) throw new HttpProblem(404, 'Non trovato', t('payments.citizen.new.unknown', { code: (code ?? '').slice(0, 40), name: enteName }));
  if (!item.spontaneous) throw new HttpProblem(422, 'Dati non accettabili', t('payments.citizen.new.notSpontaneous', { name: item.name }));
  return item;
}

function amountOf(item: store.CatalogueItem, typed: string): number {
  if (item.fixed_amount_cents) return Number(item.fixed_amount_cents);
  if (!typed.trim()) throw new SpontaneousInvalid({ amount: t('payments.citizen.new.amountRequired') });
  if (/^[0\s.,€]+$/.test(typed)) throw new SpontaneousInvalid({ amount: t('payments.citizen.new.amountZero') });
  let cents: number;
  try {
    cents = parseEuroToCents(typed);
  } catch (err) {
    if (!(err instanceof AmountError)) throw err;
    const decimals = /[.,]\d{3,}$/.test(typed.trim()) && !/^\d{1,3}(\.\d{3})+$/.test(typed.trim());
    throw new SpontaneousInvalid({ amount: t(decimals ? 'payments.citizen.new.amountDecimals' : 'payments.citizen.new.amountInvalid') });
  }
  if (cents > SPONTANEOUS_MAX_CENTS) throw new SpontaneousInvalid({ amount: t('payments.citizen.new.amountTooHigh', { max: formatCents(SPONTANEOUS_MAX_CENTS) }) });
  return cents;
}

const isUniqueViolation = (err: unknown) => typeof err === 'object' && err !== null && (err as { code?: unknown }).code === '23505';

/**
 * Creates (once per form key) the citizen's position for a spontaneous catalogue item: debtor the citizen,
 * due in 30 days, published at once. The external reference is the citizen's fiscal code and the form key,
 * so a double click — even two requests at the same moment — yields one position.
 */
export async function createSpontaneous(
  db: Kysely<DB>,
  citizen: CitizenIdentity,
  ip: string | undefined,
  enteId: string,
  item: store.CatalogueItem,
  form: SpontaneousForm,
  now = new Date(),
): Promise<{ position: PositionView; created: boolean }> {
  if (!KEY.test(form.key)) throw new SpontaneousInvalid({ form: t('payments.citizen.new.badKey') });
  const errors: FieldErrors = {};
  let amountCents = 0;
  try {
    amountCents = amountOf(item, form.amount);
  } catch (err) {
    if (!(err instanceof SpontaneousInvalid)) throw err;
    Object.assign(errors, err.fields);
  }
  const reason = form.reason.trim();
  if (!reason) errors.reason = t('payments.citizen.new.reasonRequired');
  else if (reason.length > REASON_MAX) errors.reason = t('payments.citizen.new.reasonLong');
  if (Object.keys(errors).length) throw new SpontaneousInvalid(errors);

  const create = () =>
    createPosition(
      db,
      citizenActor(citizen, ip),
      enteId,
      {
        serviceCode: item.code,
        debtor: { type: 'F', fiscalCode: citizen.fiscalCode, name: citizenName(citizen) },
        reason,
        amountCents,
        dueDate: addDays(todayInRome(now), SPONTANEOUS_DAYS),
        externalRef: `CIT-${citizen.fiscalCode}-${form.key}`,
        originModule: 'payments',
        originRef: 'spontaneo',
      },
      { now, publish: true },
    );
  try {
    return await create();
  } catch (err) {
    // Two submissions raced past the lookup of the reference: the loser finds the winner's position.
    if (isUniqueViolation(err)) return create();
    throw err;
  }
}
