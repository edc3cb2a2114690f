// The read operations of the node: which ente a request is for (idPA, broker, station), paVerifyPaymentNotice
// (what is due for a notice number) and paGetPayment[V2] (the payment data with its transfers). Both are pure
// reads of the current state, so the same request retried gets the same answer. One short transaction each.
import { todayInRome } from '../../../platform/calendar/index.js';
import { withCrossEnteRead, withEnte, type Trx } from '../../../platform/db/index.js';
import type { Platform } from '../../../platform/platform.js';
import { centsToDecimal } from '../amounts.js';
import { lastPayableDay } from '../service.js';
import type { ConfigRow, OptionRow, PositionRow, TransferRow } from '../store.js';
import { NodeFault } from './faults.js';
import { childText, type Operation } from './schema.js';
import { el, type XmlElement, type XmlNode } from './xml.js';

export interface StationContext {
  enteId: string;
  config: ConfigRow;
}

/**
 * The ente whose pagoPA fiscal code is idPA, reached through this broker and station. The lookup crosses enti
 * (the node names the ente only by fiscal code) and reads only the routing data of payment_config; it is not
 * audited per call (it is the node's every request, and no personal data is read); the work is then done in
 * the ente's own transaction.
 */
export async function resolveStation(platform: Platform, ids: { idPA: string; idBrokerPA: string; idStation: string }): Promise<StationContext> {
  const configs = await withCrossEnteRead(platform.db.app, (trx) => trx.selectFrom('payment_config').selectAll().where('fiscal_code', '=', ids.idPA).execute());
  if (configs.length === 0) throw new NodeFault('PAA_ID_DOMINIO_ERRATO', `L'ente ${ids.idPA} non è servito da questa stazione`);
  const brokered = configs.filter((c) => c.broker_id === ids.idBrokerPA);
  if (brokered.length === 0) throw new NodeFault('PAA_ID_INTERMEDIARIO_ERRATO', `L'intermediario ${ids.idBrokerPA} non è quello dell'ente ${ids.idPA}`);
  const config = brokered.find((c) => c.station_id === ids.idStation);
  if (!config) throw new NodeFault('PAA_STAZIONE_INT_ERRATA', `La stazione ${ids.idStation} non è quella dell'ente ${ids.idPA}`);
  return { enteId: config.ente_id, config };
}

export interface NoticeState {
  position: PositionRow;
  option: OptionRow;
  options: OptionRow[];
  transfers: TransferRow[];
}

/** The option of a notice number with its position, siblings and transfers; undefined when unknown. */
export async function loadNotice(trx: Trx, noticeNumber: string, lockPosition = false): Promise<NoticeState | undefined> {
  const found = await trx.selectFrom('payment_option').select('position_id').where('notice_number', '=', noticeNumber).executeTakeFirst();
  if (!found) return undefined;
  let q = trx.selectFrom('payment_position').selectAll().where('id', '=', found.position_id);
  if (lockPosition) q = q.forUpdate();
  const position = await q.executeTakeFirstOrThrow();
  const options = await trx.selectFrom('payment_option').selectAll().where('position_id', '=', position.id).execute();
  const option = options.find((o) => o.notice_number === noticeNumber)!;
  const transfers = await trx.selectFrom('payment_transfer').selectAll().where('option_id', '=', option.id).orderBy('idx').execute();
  return { position, option, options, transfers };
}

/** Throws the fault that keeps this option from being paid today, if any. */
export function assertPayable(state: NoticeState | undefined, today: string): asserts state is NoticeState {
  if (!state || state.position.status === 'draft') throw new NodeFault('PAA_PAGAMENTO_SCONOSCIUTO', 'Numero avviso sconosciuto');
  const { position, option } = state;
  if (position.status === 'cancelled') throw new NodeFault('PAA_PAGAMENTO_ANNULLATO', 'La posizione debitoria è stata annullata');
  if (option.status === 'paid' || position.status === 'paid') throw new NodeFault('PAA_PAGAMENTO_DUPLICATO', 'Il pagamento risulta già eseguito');
  // Once an instalment is paid, only the remaining instalments can be paid, not the whole amount again.
  if (option.instalment === null && position.status === 'partially_paid') {
    throw new NodeFault('PAA_PAGAMENTO_DUPLICATO', 'Parte delle rate risulta già pagata: pagare le rate rimanenti');
  }
  if (position.status === 'expired' || lastPayableDay(option) < today) throw new NodeFault('PAA_PAGAMENTO_SCADUTO', `Il termine di pagamento era il ${lastPayableDay(option)}`);
}

function checkQrCode(station: StationContext, qrCode: XmlElement): string {
  if (childText(qrCode, 'fiscalCode')!.trim() !== station.config.fiscal_code) throw new NodeFault('PAA_ID_DOMINIO_ERRATO', 'Il codice fiscale del QR code non è quello dell’ente indicato in idPA');
  return childText(qrCode, 'noticeNumber')!.trim();
}

const clip = (value: string, max: number) => value.trim().slice(0, max);
const isPostal = (iban: string) => iban.slice(5, 10) === '07601';
const EMAIL = /^[a-zA-Z0-9_.+-]+@[a-zA-Z0-9-]+(\.[a-zA-Z0-9-]+)*$/;

export async function verifyNotice(platform: Platform, station: StationContext, qrCode: XmlElement): Promise<XmlNode[]> {
  const noticeNumber = checkQrCode(station, qrCode);
  const state = await withEnte(platform.db.app, station.enteId, (trx) => loadNotice(trx, noticeNumber));
  assertPayable(state, todayInRome());
  const { position, option, transfers } = state;
  return [
    el('outcome', 'OK'),
    el('paymentList', [
      el('paymentOptionDescription', [
        el('amount', centsToDecimal(Number(option.amount_cents))),
        el('options', 'EQ'),
        el('dueDate', option.due_date),
        el('detailDescription', clip(position.reason, 140)),
        el('allCCP', transfers.length > 0 && transfers.every((t) => isPostal(t.iban))),
      ]),
    ]),
    el('paymentDescription', clip(position.reason, 140)),
    el('fiscalCodePA', station.config.fiscal_code),
    el('companyName', clip(station.config.business_name, 140)),
  ];
}

function subject(position: PositionRow): XmlNode[] {
  const email = position.debtor_email?.trim();
  return [
    el('uniqueIdentifier', [el('entityUniqueIdentifierType', position.debtor_type), el('entityUniqueIdentifierValue', position.debtor_fiscal_code)]),
    el('fullName', clip(position.debtor_name, 70)),
    el('streetName', position.debtor_address?.trim() ? clip(position.debtor_address, 70) : null),
    el('e-mail', email && EMAIL.test(email) && email.length <= 256 ? email : null),
  ];
}

export async function getPayment(platform: Platform, station: StationContext, request: XmlElement, v2: boolean): Promise<XmlNode[]> {
  const noticeNumber = checkQrCode(station, childOf(request, 'qrCode'));
  const state = await withEnte(platform.db.app, station.enteId, (trx) => loadNotice(trx, noticeNumber));
  assertPayable(state, todayInRome());
  const { position, option, transfers } = state;
  const { config } = station;
  // A Poste PSP asks for postal accounts (transferType POSTAL): the ente's own share goes to its postal IBAN.
  const postal = childText(request, 'transferType')?.trim() === 'POSTAL' && config.postal_iban ? config.postal_iban : null;
  const transferNodes = transfers.map((t) => [
    el('idTransfer', t.idx),
    el('transferAmount', centsToDecimal(Number(t.amount_cents))),
    el('fiscalCodePA', t.beneficiary_fiscal_code),
    ...(v2 && t.beneficiary_fiscal_code === config.fiscal_code ? [el('companyName', clip(config.business_name, 140))] : []),
    el('IBAN', postal && t.beneficiary_fiscal_code === config.fiscal_code ? postal : t.iban),
    el('remittanceInformation', clip(t.remittance, 140)),
    el('transferCategory', t.taxonomy),
  ]);
  const retention = option.retention_date ? `${option.retention_date}T23:59:59` : null;
  return [
    el('outcome', 'OK'),
    el('data', [
      el('creditorReferenceId', option.iuv),
      el('paymentAmount', centsToDecimal(Number(option.amount_cents))),
      el('dueDate', option.due_date),
      el('retentionDate', retention),
      el('description', clip(position.reason, 140)),
      el('companyName', clip(config.business_name, 140)),
      el('debtor', subject(position)),
      el('transferList', transferNodes.map((t) => el('transfer', t))),
      el('metadata', v2 ? [el('mapEntry', [el('key', 'codiceServizio'), el('value', position.service_code)])] : null),
    ]),
  ];
}

function childOf(element: XmlElement, name: string): XmlElement {
  return element.children.find((c) => c.name === name)!;
}

export type { Operation };
