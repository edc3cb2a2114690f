// Requests as the pagoPA node sends them (paForNode.xsd): used by the development PSP simulator and by the
// benchmark. Tests use their own independent peer (test/support/psp-node.ts).
import { centsToDecimal } from '../amounts.js';
import { PAFN_NS, SOAP_NS } from './soap.js';
import { el, renderNodes, type XmlNode } from './xml.js';

export interface StationIds {
  idPA: string;
  idBrokerPA: string;
  idStation: string;
}

export function requestEnvelope(wrapper: string, nodes: readonly XmlNode[]): string {
  return `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="${SOAP_NS}" xmlns:pafn="${PAFN_NS}"><soapenv:Header/><soapenv:Body><pafn:${wrapper}>${renderNodes(nodes)}</pafn:${wrapper}></soapenv:Body></soapenv:Envelope>`;
}

const header = (ids: StationIds) => [el('idPA', ids.idPA), el('idBrokerPA', ids.idBrokerPA), el('idStation', ids.idStation)];
const qrCode = (ids: StationIds, noticeNumber: string) => el('qrCode', [el('fiscalCode', ids.idPA), el('noticeNumber', noticeNumber)]);

/** A paVerifyPaymentNotice request body (SOAPAction: paVerifyPaymentNotice). */
export function verifyRequestBody(ids: StationIds, noticeNumber: string): string {
  return requestEnvelope('paVerifyPaymentNoticeReq', [...header(ids), qrCode(ids, noticeNumber)]);
}

export function getPaymentV2RequestBody(ids: StationIds, noticeNumber: string, amountCents?: number): string {
  return requestEnvelope('paGetPaymentV2Request', [...header(ids), qrCode(ids, noticeNumber), el('amount', amountCents === undefined ? null : centsToDecimal(amountCents))]);
}

export interface ReceiptInput {
  receiptId: string;
  noticeNumber: string;
  creditorReferenceId: string;
  amountCents: number;
  description: string;
  companyName: string;
  debtor: { type: 'F' | 'G'; fiscalCode: string; name: string };
  payer?: { type: 'F' | 'G'; fiscalCode: string; name: string } | undefined;
  transfers: { idTransfer: number; amountCents: number; fiscalCodePA: string; iban: string; remittance: string; category: string }[];
  psp: { id: string; name: string; channelId: string; channelDescription: string; fiscalCode?: string };
  paymentMethod: string;
  feeCents: number;
  /** Rome wall time, YYYY-MM-DDTHH:MM:SS. */
  paymentDateTime: string;
  applicationDate: string;
}

const subject = (s: { type: 'F' | 'G'; fiscalCode: string; name: string }) => [
  el('uniqueIdentifier', [el('entityUniqueIdentifierType', s.type), el('entityUniqueIdentifierValue', s.fiscalCode)]),
  el('fullName', s.name.slice(0, 70)),
];

export function sendRTV2RequestBody(ids: StationIds, r: ReceiptInput): string {
  return requestEnvelope('paSendRTV2Request', [
    ...header(ids),
    el('receipt', [
      el('receiptId', r.receiptId),
      el('noticeNumber', r.noticeNumber),
      el('fiscalCode', ids.idPA),
      el('outcome', 'OK'),
      el('creditorReferenceId', r.creditorReferenceId),
      el('paymentAmount', centsToDecimal(r.amountCents)),
      el('description', r.description.slice(0, 140)),
      el('companyName', r.companyName.slice(0, 140)),
      el('debtor', subject(r.debtor)),
      el('transferList', r.transfers.map((t) => el('transfer', [
        el('idTransfer', t.idTransfer),
        el('transferAmount', centsToDecimal(t.amountCents)),
        el('fiscalCodePA', t.fiscalCodePA),
        el('IBAN', t.iban),
        el('remittanceInformation', t.remittance),
        el('transferCategory', t.category),
      ]))),
      el('idPSP', r.psp.id),
      el('pspFiscalCode', r.psp.fiscalCode ?? null),
      el('PSPCompanyName', r.psp.name),
      el('idChannel', r.psp.channelId),
      el('channelDescription', r.psp.channelDescription),
      el('payer', r.payer ? subject(r.payer) : null),
      el('paymentMethod', r.paymentMethod),
      el('fee', centsToDecimal(r.feeCents)),
      el('paymentDateTime', r.paymentDateTime),
      el('applicationDate', r.applicationDate),
      el('transferDate', r.applicationDate),
    ]),
  ]);
}
