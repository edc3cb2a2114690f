// CAdES (.p7m) structure: a minimal, defensive BER/DER reader of CMS SignedData. Every length is checked against
// the bytes that are really there, nesting is bounded, every step moves forward: garbage is refused, never looped on.

const MAX_DEPTH = 32;
const OID_SIGNED_DATA = Buffer.from([0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02]); // 1.2.840.113549.1.7.2

export class Asn1Error extends Error {}

interface Tlv {
  tagClass: number; // 0 universal, 1 application, 2 context-specific, 3 private
  constructed: boolean;
  tagNumber: number;
  contentStart: number;
  /** End of the content (for indefinite lengths: where the end-of-contents octets start). */
  contentEnd: number;
  /** End of the whole element. */
  end: number;
}

/** Reads the element starting at `pos`, which must end by `limit`. */
function readTlv(buf: Buffer, pos: number, limit: number, depth: number): Tlv {
  if (depth > MAX_DEPTH) throw new Asn1Error('struttura annidata troppo in profondità');
  if (pos + 2 > limit) throw new Asn1Error('dati troncati');
  const id = buf[pos]!;
  let p = pos + 1;
  const tagClass = id >> 6;
  const constructed = (id & 0x20) !== 0;
  let tagNumber = id & 0x1f;
  if (tagNumber === 0x1f) {
    // High tag number form: base 128, at most 4 bytes (no real CMS tag needs more).
    tagNumber = 0;
    for (let i = 0; ; i++) {
      if (p >= limit || i >= 4) throw new Asn1Error('etichetta non valida');
      const b = buf[p++]!;
      tagNumber = tagNumber * 128 + (b & 0x7f);
      if ((b & 0x80) === 0) break;
    }
  }
  if (p >= limit) throw new Asn1Error('dati troncati');
  const first = buf[p++]!;
  if (first === 0x80) {
    // Indefinite length (BER, as streaming signers produce): children up to the end-of-contents octets.
    if (!constructed) throw new Asn1Error('lunghezza indefinita su un valore semplice');
    let q = p;
    for (;;) {
      if (q + 2 > limit) throw new Asn1Error('fine dei contenuti mancante');
      if (buf[q] === 0 && buf[q + 1] === 0) return { tagClass, constructed, tagNumber, contentStart: p, contentEnd: q, end: q + 2 };
      q = readTlv(buf, q, limit, depth + 1).end;
    }
  }
  let length = first;
  if (first > 0x80) {
    const n = first & 0x7f;
    if (n > 4) throw new Asn1Error('lunghezza non valida');
    if (p + n > limit) throw new Asn1Error('dati troncati');
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + buf[p++]!;
  }
  if (length > limit - p) throw new Asn1Error('lunghezza oltre la fine del file');
  return { tagClass, constructed, tagNumber, contentStart: p, contentEnd: p + length, end: p + length };
}

function childrenOf(buf: Buffer, tlv: Tlv, depth: number): Tlv[] {
  if (!tlv.constructed) throw new Asn1Error('struttura inattesa');
  const out: Tlv[] = [];
  for (let p = tlv.contentStart; p < tlv.contentEnd; ) {
    const child = readTlv(buf, p, tlv.contentEnd, depth + 1);
    out.push(child);
    p = child.end;
  }
  return out;
}

const isUniversal = (t: Tlv | undefined, tagNumber: number, constructed: boolean): t is Tlv =>
  t !== undefined && t.tagClass === 0 && t.tagNumber === tagNumber && t.constructed === constructed;
const isContext = (t: Tlv | undefined, tagNumber: number): t is Tlv => t !== undefined && t.tagClass === 2 && t.tagNumber === tagNumber && t.constructed;
const SEQUENCE = 16;
const SET = 17;

/** The bytes of an OCTET STRING, joining the chunks of a constructed one. */
function octetString(buf: Buffer, tlv: Tlv, depth: number, out: Buffer[]): void {
  if (tlv.tagClass !== 0 || tlv.tagNumber !== 4) throw new Asn1Error('contenuto firmato non valido');
  if (!tlv.constructed) {
    out.push(buf.subarray(tlv.contentStart, tlv.contentEnd));
    return;
  }
  if (depth > MAX_DEPTH) throw new Asn1Error('struttura annidata troppo in profondità');
  for (const chunk of childrenOf(buf, tlv, depth)) octetString(buf, chunk, depth + 1, out);
}

export type SignedContent = { kind: 'content'; bytes: Buffer } | { kind: 'detached' } | { kind: 'not_signed_data' };

/** Reads a CMS ContentInfo holding SignedData and returns its encapsulated content. */
export function readSignedData(buf: Buffer): SignedContent {
  const root = readTlv(buf, 0, buf.length, 0);
  if (!isUniversal(root, SEQUENCE, true)) return { kind: 'not_signed_data' };
  const [contentType, explicit] = childrenOf(buf, root, 0);
  if (!isUniversal(contentType, 6, false) || !buf.subarray(contentType.contentStart, contentType.contentEnd).equals(OID_SIGNED_DATA)) {
    return { kind: 'not_signed_data' };
  }
  if (!isContext(explicit, 0)) throw new Asn1Error('contenuto mancante');
  const [signedData] = childrenOf(buf, explicit, 1);
  if (!isUniversal(signedData, SEQUENCE, true)) throw new Asn1Error('SignedData non valido');
  // SignedData ::= SEQUENCE { version, digestAlgorithms SET, encapContentInfo, [0] certificates, [1] crls, signerInfos SET }
  const parts = childrenOf(buf, signedData, 2);
  const [version, digestAlgorithms, encap] = parts;
  const signerInfos = parts[parts.length - 1];
  if (parts.length < 4 || !isUniversal(version, 2, false) || !isUniversal(digestAlgorithms, SET, true) || !isUniversal(encap, SEQUENCE, true)) {
    throw new Asn1Error('SignedData non valido');
  }
  if (!isUniversal(signerInfos, SET, true) || childrenOf(buf, signerInfos, 3).length === 0) throw new Asn1Error('nessuna firma presente');
  // EncapsulatedContentInfo ::= SEQUENCE { eContentType OID, eContent [0] EXPLICIT OCTET STRING OPTIONAL }
  const [eContentType, eContent] = childrenOf(buf, encap, 3);
  if (!isUniversal(eContentType, 6, false)) throw new Asn1Error('tipo di contenuto mancante');
  if (eContent === undefined) return { kind: 'detached' };
  if (!isContext(eContent, 0)) throw new Asn1Error('contenuto firmato non valido');
  const [octets] = childrenOf(buf, eContent, 4);
  if (octets === undefined) throw new Asn1Error('contenuto firmato non valido');
  const chunks: Buffer[] = [];
  octetString(buf, octets, 5, chunks);
  return { kind: 'content', bytes: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks) };
}

/**
 * The DER/BER bytes to read as a signed file: the file itself, or its base64 decoding (with or without PEM
 * lines), when they start like a CMS SignedData: a SEQUENCE whose first element is the OID 1.2.840.113549.1.7.2.
 * Anything that starts like that and then breaks is a damaged signed file; anything else is not one at all.
 */
export function signedDataCandidate(bytes: Buffer): Buffer | null {
  if (startsLikeSignedData(bytes)) return bytes;
  const decoded = base64Payload(bytes);
  return decoded && startsLikeSignedData(decoded) ? decoded : null;
}

function startsLikeSignedData(b: Buffer): boolean {
  if (b.length < 2 + 2 + OID_SIGNED_DATA.length || b[0] !== 0x30) return false;
  const first = b[1]!;
  const header = first < 0x80 || first === 0x80 ? 2 : first <= 0x84 ? 2 + (first & 0x7f) : -1;
  if (header < 0) return false;
  return b[header] === 0x06 && b[header + 1] === OID_SIGNED_DATA.length && b.subarray(header + 2, header + 2 + OID_SIGNED_DATA.length).equals(OID_SIGNED_DATA);
}

function base64Payload(bytes: Buffer): Buffer | null {
  const first = bytes[0]!;
  const base64Start = (first >= 0x41 && first <= 0x5a) || (first >= 0x61 && first <= 0x7a) || (first >= 0x30 && first <= 0x39) || first === 0x2b || first === 0x2f;
  const pemStart = first === 0x2d; // '-----BEGIN …'
  if (!base64Start && !pemStart) return null;
  // Cheap look at the start before turning a large file into a string.
  if (!/^(?:-----BEGIN [A-Z0-9 ]{1,40}-----\r?\n)?[A-Za-z0-9+/=\s]*(?:-[-A-Z0-9 ]*\s*)?$/.test(bytes.subarray(0, 4096).toString('latin1'))) return null;
  let text = bytes.toString('latin1');
  if (pemStart) {
    const pem = /^-----BEGIN [A-Z0-9 ]{1,40}-----\r?\n([A-Za-z0-9+/=\s]+)-----END [A-Z0-9 ]{1,40}-----\s*$/.exec(text);
    if (!pem) return null;
    text = pem[1]!;
  }
  const body = text.replace(/\s+/g, '');
  if (body.length < 16 || body.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(body)) return null;
  return Buffer.from(body, 'base64');
}

