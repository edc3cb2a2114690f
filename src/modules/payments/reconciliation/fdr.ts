// The reporting flow (FlussoRiversamento) read safely and checked against the rules of the official schemas
// FlussoRiversamento_1_0_4.xsd and _1_0_5.xsd (pagoPA; an FdR is accepted when it validates against either).
// No DTD, no entity but the five predefined ones and character references, UTF-8 only, a size limit; then every
// element in the schemas' sequence and namespace, every value with the schemas' facets. The tests check the same
// documents with xmllint --schema against the official XSDs, so this reading and the schemas agree.
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { isIsoDate } from '../../../platform/calendar/index.js';
import { romeWallTimeToInstant } from './dates.js';

export const PAY_NS = 'http://www.digitpa.gov.it/schemas/2011/Pagamenti/';
export const MAX_FDR_BYTES = 10 * 1024 * 1024;
export const MAX_FDR_LINES = 50_000;

export type SchemaVersion = '1_0_4' | '1_0_5';
/** Outcome codes each schema allows for codiceEsitoSingoloPagamento. */
const OUTCOMES: Record<SchemaVersion, ReadonlySet<string>> = { '1_0_4': new Set(['0', '3', '9']), '1_0_5': new Set(['0', '4', '8', '9']) };

export interface FlowLine {
  iuv: string;
  iur: string;
  transferIndex: number | null;
  amountCents: number;
  outcomeCode: '0' | '3' | '4' | '8' | '9';
  outcomeDate: string;
}

export interface FlowDocument {
  schemaVersions: SchemaVersion[];
  objectVersion: string;
  flowId: string;
  flowDateTime: Date;
  settlementId: string;
  settlementDate: string;
  sender: { type: string; code: string; name: string | null };
  bic: string | null;
  receiver: { code: string; name: string | null };
  declaredCount: number;
  declaredTotalCents: number;
  lines: FlowLine[];
}

/** Why a document was refused: 'unsafe' (DTD/entities), 'malformed' (not XML), 'invalid' (not an FdR per the XSD). */
export class FdrError extends Error {
  constructor(
    readonly kind: 'unsafe' | 'malformed' | 'invalid' | 'too_large',
    message: string,
  ) {
    super(message);
  }
}

const invalid = (message: string) => new FdrError('invalid', message);

// ------------------------------------------------------------------------------------------- safe reading

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  // Only the predefined entities and character references remain possible once DOCTYPE is refused.
  processEntities: true,
  htmlEntities: false,
  trimValues: false,
  parseTagValue: false,
  parseAttributeValue: false,
  commentPropName: '#comment',
});

type OrderedNode = Record<string, unknown> & { ':@'?: Record<string, string> };

function readXml(bytes: Buffer): OrderedNode[] {
  if (bytes.length > MAX_FDR_BYTES) throw new FdrError('too_large', `Il file supera il limite di ${MAX_FDR_BYTES / 1024 / 1024} MB`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new FdrError('malformed', 'Il file non è testo UTF-8');
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  // A DTD can define entities (billion laughs, external files): refused outright, as pagoPA documents have none.
  if (/<!DOCTYPE/i.test(text) || /<!ENTITY/i.test(text)) throw new FdrError('unsafe', 'Il documento contiene una DTD o delle entità: non è accettato');
  if (/&(?!(?:amp|lt|gt|quot|apos|#[0-9]{1,7}|#x[0-9a-fA-F]{1,6});)/.test(text)) throw new FdrError('unsafe', 'Il documento contiene riferimenti a entità non ammessi');
  const declaration = /^\s*<\?xml\s[^?]*encoding\s*=\s*["']([^"']+)["']/.exec(text);
  if (declaration && declaration[1]!.toLowerCase() !== 'utf-8') throw new FdrError('malformed', `Codifica non supportata: ${declaration[1]} (solo UTF-8)`);
  const wellFormed = XMLValidator.validate(text);
  if (wellFormed !== true) throw new FdrError('malformed', `XML non ben formato (riga ${wellFormed.err.line}): ${wellFormed.err.msg}`);
  return parser.parse(text) as OrderedNode[];
}

// ----------------------------------------------------------------------------- elements with namespaces

interface El {
  ns: string | undefined;
  local: string;
  children: El[];
  /** Character data directly inside (comments and processing instructions left out). */
  text: string;
}

const nameOf = (node: OrderedNode) => Object.keys(node).find((k) => k !== ':@');

function toElement(node: OrderedNode, scope: Map<string, string>): El {
  const qname = nameOf(node)!;
  const attributes = node[':@'] ?? {};
  const inner = new Map(scope);
  for (const [name, value] of Object.entries(attributes)) {
    if (name === 'xmlns') inner.set('', value);
    else if (name.startsWith('xmlns:')) inner.set(name.slice(6), value);
  }
  for (const name of Object.keys(attributes)) {
    // The schemas declare no attribute; namespace declarations and xsi:* are allowed on any element.
    if (name === 'xmlns' || name.startsWith('xmlns:')) continue;
    const prefix = name.includes(':') ? name.slice(0, name.indexOf(':')) : '';
    if (prefix && inner.get(prefix) === 'http://www.w3.org/2001/XMLSchema-instance') continue;
    throw invalid(`Attributo non previsto "${name}" sull'elemento ${qname}`);
  }
  const colon = qname.indexOf(':');
  const prefix = colon >= 0 ? qname.slice(0, colon) : '';
  if (prefix && !inner.has(prefix)) throw new FdrError('malformed', `Prefisso di namespace non dichiarato: ${prefix}`);
  const el: El = { ns: inner.get(prefix) || undefined, local: colon >= 0 ? qname.slice(colon + 1) : qname, children: [], text: '' };
  for (const child of (node[qname] as OrderedNode[]) ?? []) {
    const childName = nameOf(child);
    if (childName === '#text') el.text += String(child['#text']);
    else if (childName === '#comment' || childName?.startsWith('?')) continue;
    else if (childName) el.children.push(toElement(child, inner));
  }
  return el;
}

// ---------------------------------------------------------------------------------- simple types (facets)

/** Length in characters as XSD counts them (code points). */
const length = (s: string) => [...s].length;
/** XSD whitespace "collapse" (decimals, dates): leading/trailing white space does not count. */
const collapse = (s: string) => s.replace(/[\t\n\r ]+/g, ' ').trim();

function text(el: El, path: string): string {
  if (el.children.length > 0) throw invalid(`${path}: deve contenere solo testo`);
  return el.text;
}

function textOfLength(el: El, path: string, min: number, max: number): string {
  const value = text(el, path);
  if (length(value) < min || length(value) > max) throw invalid(`${path}: lunghezza fuori dai limiti (${min}–${max} caratteri)`);
  return value;
}

const XSD_DATE = /^(-?\d{4,})-(\d{2})-(\d{2})(Z|[+-](?:(?:0\d|1[0-3]):[0-5]\d|14:00))?$/;
const XSD_DATETIME = /^(-?\d{4,}-\d{2}-\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-](?:(?:0\d|1[0-3]):[0-5]\d|14:00))?$/;

function xsdDate(el: El, path: string): string {
  const value = collapse(text(el, path));
  const m = XSD_DATE.exec(value);
  if (!m || !isIsoDate(`${m[1]}-${m[2]}-${m[3]}`)) throw invalid(`${path}: data non valida (${value})`);
  return `${m[1]}-${m[2]}-${m[3]}`;
}

function xsdDateTime(el: El, path: string): Date {
  const value = collapse(text(el, path));
  const m = XSD_DATETIME.exec(value);
  const [hh, mm, ss] = [Number(m?.[2]), Number(m?.[3]), Number(m?.[4])];
  if (!m || !isIsoDate(m[1]!) || !((hh < 24 && mm < 60 && ss < 60) || (hh === 24 && mm === 0 && ss === 0 && !/[1-9]/.test(m[5] ?? '')))) {
    throw invalid(`${path}: data e ora non valide (${value})`);
  }
  const wall = `${m[1]}T${m[2]}:${m[3]}:${m[4]}${(m[5] ?? '').slice(0, 4)}`;
  // Without a zone the node means Italian time.
  if (!m[6]) return romeWallTimeToInstant(wall);
  return new Date(`${wall}${m[6] === 'Z' ? 'Z' : m[6]}`);
}

/** stImporto / stImportoTotalePagamenti: pattern \d+\.\d{2}, at most 999999999.99 (and at least min). */
function amountCents(el: El, path: string, min: number): number {
  const value = collapse(text(el, path));
  if (!/^\d+\.\d{2}$/.test(value)) throw invalid(`${path}: importo non valido (${value}): servono le cifre e due decimali, es. 12.50`);
  const cents = Number(value.replace('.', ''));
  if (!Number.isSafeInteger(cents) || cents > 99_999_999_999 || cents < min) throw invalid(`${path}: importo fuori dai limiti (${value})`);
  return cents;
}

/** An xsd:decimal / xsd:integer lexical form with no fractional value, within [min, max] and totalDigits. */
function wholeNumber(el: El, path: string, min: number, max: number, integerType: boolean, totalDigits = 15): number {
  const value = collapse(text(el, path));
  const m = (integerType ? /^[+-]?(\d+)$/ : /^[+-]?(\d*)(?:\.(\d*))?$/).exec(value);
  if (!m || (!m[1] && !m[2]) || /[1-9]/.test(m[2] ?? '')) throw invalid(`${path}: numero intero non valido (${value})`);
  const digits = (m[1] ?? '').replace(/^0+/, '');
  const n = value.startsWith('-') ? -Number(m[1] || 0) : Number(m[1] || 0);
  if (digits.length > totalDigits || n < min || n > max) throw invalid(`${path}: valore fuori dai limiti (${value})`);
  return n;
}

function oneOf<T extends string>(el: El, path: string, allowed: readonly T[]): T {
  const value = text(el, path);
  if (!(allowed as readonly string[]).includes(value)) throw invalid(`${path}: valore non ammesso "${value}" (ammessi: ${allowed.join(', ')})`);
  return value as T;
}

// ----------------------------------------------------------------------------------- complex types (sequences)

interface Slot {
  name: string;
  min: 0 | 1;
  max: 1 | 'unbounded';
}

/** Groups the children of `parent` by the schema's sequence: right names, namespace, order and occurrences. */
function sequence(parent: El, path: string, slots: Slot[]): Map<string, El[]> {
  if (parent.text.trim() !== '') throw invalid(`${path}: testo non previsto tra gli elementi`);
  const found = new Map<string, El[]>(slots.map((s) => [s.name, []]));
  let i = 0;
  for (const slot of slots) {
    while (i < parent.children.length && parent.children[i]!.local === slot.name && parent.children[i]!.ns === PAY_NS) {
      const list = found.get(slot.name)!;
      if (slot.max === 1 && list.length === 1) break;
      list.push(parent.children[i]!);
      i++;
    }
    if (found.get(slot.name)!.length < slot.min) throw invalid(`${path}: manca l'elemento obbligatorio ${slot.name}${i < parent.children.length ? ` (trovato ${parent.children[i]!.local})` : ''}`);
  }
  if (i < parent.children.length) {
    const extra = parent.children[i]!;
    throw invalid(`${path}: elemento non previsto ${extra.local}${extra.ns !== PAY_NS ? ` nel namespace ${extra.ns ?? '(nessuno)'}` : ''}`);
  }
  return found;
}

const one = (m: Map<string, El[]>, name: string) => m.get(name)![0]!;
const maybe = (m: Map<string, El[]>, name: string) => m.get(name)![0];
const req = (name: string): Slot => ({ name, min: 1, max: 1 });
const opt = (name: string): Slot => ({ name, min: 0, max: 1 });

function identifier(el: El, path: string, types: readonly string[]) {
  const s = sequence(el, path, [req('tipoIdentificativoUnivoco'), req('codiceIdentificativoUnivoco')]);
  return { type: oneOf(one(s, 'tipoIdentificativoUnivoco'), `${path}/tipoIdentificativoUnivoco`, types), code: textOfLength(one(s, 'codiceIdentificativoUnivoco'), `${path}/codiceIdentificativoUnivoco`, 1, 35) };
}

function line(el: El, path: string): FlowLine & { outcome: string } {
  const s = sequence(el, path, [req('identificativoUnivocoVersamento'), req('identificativoUnivocoRiscossione'), opt('indiceDatiSingoloPagamento'), req('singoloImportoPagato'), req('codiceEsitoSingoloPagamento'), req('dataEsitoSingoloPagamento')]);
  const index = maybe(s, 'indiceDatiSingoloPagamento');
  const outcome = text(one(s, 'codiceEsitoSingoloPagamento'), `${path}/codiceEsitoSingoloPagamento`);
  if (!/^[0-9]$/.test(outcome) || !['0', '3', '4', '8', '9'].includes(outcome)) throw invalid(`${path}/codiceEsitoSingoloPagamento: esito non ammesso "${outcome}"`);
  return {
    iuv: textOfLength(one(s, 'identificativoUnivocoVersamento'), `${path}/identificativoUnivocoVersamento`, 1, 35),
    iur: textOfLength(one(s, 'identificativoUnivocoRiscossione'), `${path}/identificativoUnivocoRiscossione`, 1, 35),
    transferIndex: index ? wholeNumber(index, `${path}/indiceDatiSingoloPagamento`, 1, 5, true) : null,
    amountCents: amountCents(one(s, 'singoloImportoPagato'), `${path}/singoloImportoPagato`, 1),
    outcomeCode: outcome as FlowLine['outcomeCode'],
    outcome,
    outcomeDate: xsdDate(one(s, 'dataEsitoSingoloPagamento'), `${path}/dataEsitoSingoloPagamento`),
  };
}

/**
 * Reads an FdR: throws FdrError when it is unsafe, malformed or valid against neither schema; otherwise the flow
 * with its lines and the schema versions it validates against.
 */
export function parseFdr(bytes: Buffer): FlowDocument {
  const nodes = readXml(bytes);
  const roots = nodes.filter((n) => {
    const name = nameOf(n);
    return name && name !== '#comment' && !name.startsWith('?') && name !== '#text';
  });
  if (roots.length !== 1) throw new FdrError('malformed', 'Il documento deve avere un solo elemento radice');
  const root = toElement(roots[0]!, new Map());
  if (root.local !== 'FlussoRiversamento' || root.ns !== PAY_NS) throw invalid(`L'elemento radice deve essere FlussoRiversamento nel namespace ${PAY_NS}`);
  const s = sequence(root, 'FlussoRiversamento', [
    req('versioneOggetto'),
    req('identificativoFlusso'),
    req('dataOraFlusso'),
    req('identificativoUnivocoRegolamento'),
    req('dataRegolamento'),
    req('istitutoMittente'),
    opt('codiceBicBancaDiRiversamento'),
    req('istitutoRicevente'),
    req('numeroTotalePagamenti'),
    req('importoTotalePagamenti'),
    { name: 'datiSingoliPagamenti', min: 1, max: 'unbounded' },
  ]);
  const flowId = textOfLength(one(s, 'identificativoFlusso'), 'identificativoFlusso', 1, 35);
  if (!/^[a-zA-Z0-9\-_]{1,35}$/.test(flowId)) throw invalid(`identificativoFlusso: formato non valido (${flowId})`);
  const sender = sequence(one(s, 'istitutoMittente'), 'istitutoMittente', [req('identificativoUnivocoMittente'), opt('denominazioneMittente')]);
  const receiver = sequence(one(s, 'istitutoRicevente'), 'istitutoRicevente', [req('identificativoUnivocoRicevente'), opt('denominazioneRicevente')]);
  const senderName = maybe(sender, 'denominazioneMittente');
  const receiverName = maybe(receiver, 'denominazioneRicevente');
  const bic = maybe(s, 'codiceBicBancaDiRiversamento');
  const lineEls = s.get('datiSingoliPagamenti')!;
  if (lineEls.length > MAX_FDR_LINES) throw new FdrError('too_large', `Il flusso ha più di ${MAX_FDR_LINES} pagamenti`);
  const lines = lineEls.map((el, n) => line(el, `datiSingoliPagamenti[${n + 1}]`));
  const codes = new Set(lines.map((l) => l.outcome));
  const schemaVersions = (['1_0_4', '1_0_5'] as const).filter((v) => [...codes].every((c) => OUTCOMES[v].has(c)));
  if (schemaVersions.length === 0) throw invalid('Gli esiti dei pagamenti mescolano il codice 3 (schema 1_0_4) con 4 o 8 (schema 1_0_5): il flusso non è valido per nessuno dei due schemi');
  return {
    schemaVersions,
    objectVersion: oneOf(one(s, 'versioneOggetto'), 'versioneOggetto', ['1.0', '1.1']),
    flowId,
    flowDateTime: xsdDateTime(one(s, 'dataOraFlusso'), 'dataOraFlusso'),
    settlementId: textOfLength(one(s, 'identificativoUnivocoRegolamento'), 'identificativoUnivocoRegolamento', 1, 35),
    settlementDate: xsdDate(one(s, 'dataRegolamento'), 'dataRegolamento'),
    sender: {
      ...identifier(one(sender, 'identificativoUnivocoMittente'), 'istitutoMittente/identificativoUnivocoMittente', ['G', 'A', 'B']),
      name: senderName ? textOfLength(senderName, 'istitutoMittente/denominazioneMittente', 3, 70) : null,
    },
    bic: bic ? textOfLength(bic, 'codiceBicBancaDiRiversamento', 1, 35) : null,
    receiver: {
      code: identifier(one(receiver, 'identificativoUnivocoRicevente'), 'istitutoRicevente/identificativoUnivocoRicevente', ['G']).code,
      name: receiverName ? textOfLength(receiverName, 'istitutoRicevente/denominazioneRicevente', 1, 140) : null,
    },
    declaredCount: wholeNumber(one(s, 'numeroTotalePagamenti'), 'numeroTotalePagamenti', 1, Number.MAX_SAFE_INTEGER, false),
    declaredTotalCents: amountCents(one(s, 'importoTotalePagamenti'), 'importoTotalePagamenti', 0),
    lines: lines.map(({ outcome: _outcome, ...l }) => l),
  };
}
