// The requests of paForNode.xsd (unmodified public schema by PagoPA S.p.A., see ../shared/specs/pagopa/SOURCE.md),
// transcribed as sequences checked in order: element names (unqualified children), occurrences, and the simple
// types' facets (lengths, patterns, enumerations). A request that fails here gets PAA_SINTASSI_XSD. Checking in
// code keeps the hot path free of a schema engine; the tests validate real messages with xmllint against the XSD.
import { isIsoDate } from '../../../platform/calendar/index.js';
import type { XmlElement } from './xml.js';

export class SchemaError extends Error {}

type Simple = (value: string) => boolean;
interface Field {
  name: string;
  min?: number;
  max?: number;
  type: Simple | Field[];
}
interface Choice {
  choice: Field[];
}
type Particle = Field | Choice;

const text = (min: number, max: number): Simple => (v) => v.length >= min && v.length <= max;
const pattern = (re: RegExp): Simple => (v) => re.test(v.trim());
const oneOf = (...values: string[]): Simple => (v) => values.includes(v.trim());

const t16 = text(1, 16);
const t20 = text(1, 20);
const t35 = text(1, 35);
const t70 = text(1, 70);
const t140 = text(1, 140);
const t210 = text(1, 210);
const anyString: Simple = () => true;
const fiscalCodePA = pattern(/^[0-9]{11}$/);
const noticeNumber = pattern(/^[0-9]{18}$/);
const MAX_AMOUNT = 999_999_999.99;
/** stAmount: \d+\.\d{2}, at most 999999999.99 (so 3 decimals are refused). */
const amount: Simple = (v) => /^\d+\.\d{2}$/.test(v.trim()) && Number(v) <= MAX_AMOUNT;
const amountNotZero: Simple = (v) => amount(v) && Number(v) >= 0.01;
const TZ = '(Z|[+-][0-9]{2}:[0-9]{2})?';
const isoDate: Simple = (v) => new RegExp(`^[0-9]{4}-[0-9]{2}-[0-9]{2}${TZ}$`).test(v.trim()) && isIsoDate(v.trim().slice(0, 10));
const isoDateTime: Simple = (v) =>
  new RegExp(`^[0-9]{4}-[0-9]{2}-[0-9]{2}T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]+)?${TZ}$`).test(v.trim()) && isIsoDate(v.trim().slice(0, 10));
const boolean = oneOf('true', 'false', '1', '0');
const base64 = pattern(/^[A-Za-z0-9+/\s]*={0,2}$/);
const email = (v: string) => /^[a-zA-Z0-9_.+-]+@[a-zA-Z0-9-]+(\.[a-zA-Z0-9-]+)*$/.test(v) && v.length <= 256;

const metadata: Field[] = [{ name: 'mapEntry', min: 1, max: 15, type: [{ name: 'key', type: t140 }, { name: 'value', type: t140 }] }];
const optional = (name: string, type: Simple | Field[]): Field => ({ name, min: 0, type });

const qrCode: Field[] = [{ name: 'fiscalCode', type: fiscalCodePA }, { name: 'noticeNumber', type: noticeNumber }];
const header: Field[] = [{ name: 'idPA', type: t35 }, { name: 'idBrokerPA', type: t35 }, { name: 'idStation', type: t35 }];

const subject: Field[] = [
  { name: 'uniqueIdentifier', type: [{ name: 'entityUniqueIdentifierType', type: oneOf('F', 'G') }, { name: 'entityUniqueIdentifierValue', type: text(2, 16) }] },
  { name: 'fullName', type: t70 },
  optional('streetName', t70),
  optional('civicNumber', t16),
  optional('postalCode', t16),
  optional('city', t35),
  optional('stateProvinceRegion', t35),
  optional('country', pattern(/^[A-Z]{2}$/)),
  optional('e-mail', email),
];

const transferBase = [{ name: 'idTransfer', type: oneOf('1', '2', '3', '4', '5') }, { name: 'transferAmount', type: amountNotZero }, { name: 'fiscalCodePA', type: fiscalCodePA }];
const transferTail = [{ name: 'remittanceInformation', type: t140 }, { name: 'transferCategory', type: t140 }, optional('metadata', metadata)];
const transferV1: Field[] = [...transferBase, { name: 'IBAN', type: text(1, 35) }, ...transferTail];
const transferReceiptV2: Particle[] = [...transferBase, optional('companyName', t140), { choice: [{ name: 'IBAN', type: text(1, 35) }, { name: 'MBDAttachment', type: base64 }] }, ...transferTail];

function receipt(v2: boolean): Particle[] {
  return [
    { name: 'receiptId', type: anyString },
    { name: 'noticeNumber', type: noticeNumber },
    { name: 'fiscalCode', type: fiscalCodePA },
    { name: 'outcome', type: oneOf('OK', 'KO') },
    { name: 'creditorReferenceId', type: t35 },
    { name: 'paymentAmount', type: amount },
    { name: 'description', type: t140 },
    { name: 'companyName', type: t140 },
    optional('officeName', t140),
    { name: 'debtor', type: subject },
    { name: 'transferList', type: [{ name: 'transfer', max: 5, type: (v2 ? transferReceiptV2 : transferV1) as Field[] }] },
    { name: 'idPSP', type: t35 },
    optional('pspFiscalCode', t70),
    optional('pspPartitaIVA', t20),
    { name: 'PSPCompanyName', type: t70 },
    { name: 'idChannel', type: t35 },
    { name: 'channelDescription', type: t35 },
    optional('payer', subject),
    optional('paymentMethod', t35),
    ...(v2 ? [optional('paymentNote', t210)] : []),
    optional('fee', amount),
    ...(v2 ? [optional('primaryCiIncurredFee', amount), optional('idBundle', t70), optional('idCiBundle', t70)] : []),
    optional('paymentDateTime', isoDateTime),
    optional('applicationDate', isoDate),
    optional('transferDate', isoDate),
    optional('metadata', metadata),
    optional('standIn', boolean),
  ];
}

const getPayment: Field[] = [
  ...header,
  { name: 'qrCode', type: qrCode },
  optional('amount', amount),
  optional('paymentNote', t210),
  optional('transferType', oneOf('POSTAL', 'PAGOPA')),
  optional('dueDate', isoDate),
];

/** The request wrapper elements this endpoint serves, by local name, with their operation. */
export const REQUESTS = {
  paVerifyPaymentNoticeReq: { operation: 'paVerifyPaymentNotice', response: 'paVerifyPaymentNoticeRes', fields: [...header, { name: 'qrCode', type: qrCode }] as Particle[] },
  paGetPaymentReq: { operation: 'paGetPayment', response: 'paGetPaymentRes', fields: getPayment as Particle[] },
  paGetPaymentV2Request: { operation: 'paGetPaymentV2', response: 'paGetPaymentV2Response', fields: getPayment as Particle[] },
  paSendRTReq: { operation: 'paSendRT', response: 'paSendRTRes', fields: [...header, { name: 'receipt', type: receipt(false) as Field[] }] as Particle[] },
  paSendRTV2Request: { operation: 'paSendRTV2', response: 'paSendRTV2Response', fields: [...header, { name: 'receipt', type: receipt(true) as Field[] }] as Particle[] },
} as const;

export type RequestName = keyof typeof REQUESTS;
export type Operation = (typeof REQUESTS)[RequestName]['operation'];

function checkElement(element: XmlElement, field: Field, path: string): void {
  if (element.ns !== '') throw new SchemaError(`${path}: gli elementi interni non sono qualificati (namespace ${element.ns})`);
  if (typeof field.type === 'function') {
    if (element.children.length > 0) throw new SchemaError(`${path}: atteso un valore semplice`);
    if (!field.type(element.text)) throw new SchemaError(`${path}: valore non valido`);
  } else {
    if (element.text.trim() !== '') throw new SchemaError(`${path}: testo non ammesso`);
    checkSequence(element.children, field.type as Particle[], path);
  }
}

function checkSequence(children: readonly XmlElement[], particles: readonly Particle[], path: string): void {
  let i = 0;
  for (const particle of particles) {
    const options = 'choice' in particle ? particle.choice : [particle];
    const min = 'choice' in particle ? 1 : (particle.min ?? 1);
    const max = 'choice' in particle ? 1 : (particle.max ?? 1);
    let count = 0;
    while (count < max && i < children.length) {
      const match = options.find((f) => f.name === children[i]!.name);
      if (!match) break;
      checkElement(children[i]!, match, `${path}/${match.name}`);
      i++;
      count++;
    }
    if (count < min) throw new SchemaError(`${path}: manca ${options.map((f) => f.name).join(' o ')}`);
  }
  if (i < children.length) throw new SchemaError(`${path}: elemento inatteso ${children[i]!.name}`);
}

/** Throws SchemaError unless the wrapper's children follow the request type of `name`. */
export function checkRequest(wrapper: XmlElement, name: RequestName): void {
  if (wrapper.text.trim() !== '') throw new SchemaError(`${name}: testo non ammesso`);
  checkSequence(wrapper.children, REQUESTS[name].fields, name);
}

/** The child `name` of `element` (unqualified), if present. */
export const child = (element: XmlElement | undefined, name: string) => element?.children.find((c) => c.name === name);
export const childText = (element: XmlElement | undefined, name: string) => child(element, name)?.text;
export const childrenNamed = (element: XmlElement | undefined, name: string) => element?.children.filter((c) => c.name === name) ?? [];

/** "12.50" (already checked against stAmount) → 1250 cents, exactly (no floating point). */
export function decimalToCents(value: string): number {
  const [units, decimals] = value.trim().split('.') as [string, string];
  return Number(units) * 100 + Number(decimals);
}
