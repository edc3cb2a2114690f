// Safe XML in and out for the SOAP interface. Parsing: fast-xml-parser (pure JS, no native code, no network or
// file access), wrapped so that anything beyond plain elements and text is refused before it is parsed: a DTD
// (<!DOCTYPE …>, <!ENTITY …>, so no entity bombs and no external entities), undefined entity references, more
// than one root, or text that is not well formed. The parser's own entity processing is off; the five predefined
// entities and character references are decoded here in one pass. Namespaces are resolved here too (the parser
// keeps prefixes as written), so callers see { ns, name } of every element. Building: escaped strings only.
import { XMLParser, XMLValidator } from 'fast-xml-parser';

export interface XmlElement {
  /** Namespace URI ('' when the element is unqualified). */
  ns: string;
  /** Local name. */
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  /** Concatenated text content (direct children only). */
  text: string;
}

export class XmlSyntaxError extends Error {}

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  processEntities: false,
  htmlEntities: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  cdataPropName: '__cdata',
});

const FORBIDDEN = /<!DOCTYPE|<!ENTITY|<!ELEMENT|<!ATTLIST|<!NOTATION/i;
// An '&' must start one of the predefined entities or a character reference; nothing else is defined here.
const BAD_AMPERSAND = /&(?!(?:amp|lt|gt|quot|apos|#[0-9]{1,7}|#x[0-9a-fA-F]{1,6});)/;
const ENTITY = /&(amp|lt|gt|quot|apos|#[0-9]{1,7}|#x[0-9a-fA-F]{1,6});/g;
const PREDEFINED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const MAX_DEPTH = 32;

function decodeEntities(text: string): string {
  return text.replace(ENTITY, (_m, ref: string) => {
    if (!ref.startsWith('#')) return PREDEFINED[ref]!;
    const code = ref[1] === 'x' ? Number.parseInt(ref.slice(2), 16) : Number.parseInt(ref.slice(1), 10);
    if (code > 0x10ffff || code === 0 || (code >= 0xd800 && code <= 0xdfff)) throw new XmlSyntaxError('riferimento a carattere non valido');
    return String.fromCodePoint(code);
  });
}

type Node = Record<string, unknown>;

function toElement(node: Node, scope: Record<string, string>, depth: number): XmlElement {
  if (depth > MAX_DEPTH) throw new XmlSyntaxError('annidamento troppo profondo');
  const qname = Object.keys(node).find((k) => k !== ':@')!;
  const raw = (node[':@'] ?? {}) as Record<string, string>;
  const attributes: Record<string, string> = {};
  const inScope = { ...scope };
  for (const [key, value] of Object.entries(raw)) {
    const decoded = decodeEntities(String(value));
    if (key === 'xmlns') inScope[''] = decoded;
    else if (key.startsWith('xmlns:')) inScope[key.slice(6)] = decoded;
    else attributes[key] = decoded;
  }
  const colon = qname.indexOf(':');
  const prefix = colon >= 0 ? qname.slice(0, colon) : '';
  const name = colon >= 0 ? qname.slice(colon + 1) : qname;
  const ns = inScope[prefix];
  if (ns === undefined) throw new XmlSyntaxError(`prefisso di namespace non dichiarato: ${prefix}`);
  const children: XmlElement[] = [];
  let text = '';
  for (const child of (node[qname] as Node[]) ?? []) {
    if ('#text' in child) text += decodeEntities(String(child['#text']));
    else if ('__cdata' in child) text += ((child.__cdata as Node[]) ?? []).map((c) => String(c['#text'] ?? '')).join('');
    else children.push(toElement(child, inScope, depth + 1));
  }
  return { ns, name, attributes, children, text };
}

/** Parses a whole document into its root element; throws XmlSyntaxError for anything not plain, well-formed XML. */
export function parseXml(xml: string): XmlElement {
  if (FORBIDDEN.test(xml)) throw new XmlSyntaxError('DTD ed entità non sono ammesse');
  if (BAD_AMPERSAND.test(xml)) throw new XmlSyntaxError('riferimento a entità non definita');
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new XmlSyntaxError(`XML non ben formato (riga ${valid.err.line})`);
  const top = (parser.parse(xml) as Node[]).filter((n) => !('#text' in n && String(n['#text']).trim() === ''));
  if (top.length !== 1 || '#text' in top[0]! || '__cdata' in top[0]!) throw new XmlSyntaxError('il documento deve avere un solo elemento radice');
  // The xml prefix is bound by definition.
  return toElement(top[0]!, { '': '', xml: 'http://www.w3.org/XML/1998/namespace' }, 0);
}

/** Text escaped for element content and attribute values. */
export function escapeXml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/** A child for `el`: a string (escaped text), nested children, or nothing (left out: optional elements). */
export type XmlContent = string | number | boolean | XmlNode[] | null | undefined;
export interface XmlNode {
  name: string;
  content: XmlContent;
}

export const el = (name: string, content: XmlContent): XmlNode => ({ name, content });

/** Serialises nodes; null/undefined content leaves the element out (how optional XSD elements are skipped). */
export function renderNodes(nodes: readonly XmlNode[]): string {
  let out = '';
  for (const { name, content } of nodes) {
    if (content === null || content === undefined) continue;
    const inner = Array.isArray(content) ? renderNodes(content) : escapeXml(String(content));
    out += `<${name}>${inner}</${name}>`;
  }
  return out;
}
