// Plans how a text goes out as SMS: which encoding (GSM-7, or UCS-2 when a character needs it), how many parts,
// and the bytes of each part for SMPP short_message.
//
// Limits per part (3GPP TS 23.040): 140 octets of user data. GSM-7: 160 septets alone, 153 in a concatenated
// message (the 6-octet UDH takes 7 septets). UCS-2: 70 UTF-16 code units alone, 67 with the UDH. Parts are cut so
// that an extension character (ESC + code) never straddles two parts, nor a surrogate pair (emoji) in UCS-2; a
// grapheme (e.g. an emoji with skin tone, a flag, CR LF) is kept whole too unless it alone exceeds a part.
//
// Payloads: GSM-7 as unpacked septets (one byte each, data_coding 0); UCS-2 as UTF-16 big-endian (data_coding 8;
// characters outside the BMP go as surrogate pairs, which is how handsets send and show emoji). A concatenated
// part is sent with esm_class UDHI (0x40) and short_message = UDH + payload (see shortMessage()).
import { encodeGsm7, gsm7CharSeptets, isGsm7, nonGsm7Characters, transliterate as toGsm7, type TransliterationResult } from './gsm7.js';

export type SmsEncoding = 'gsm7' | 'ucs2';

export const SINGLE_PART_UNITS: Readonly<Record<SmsEncoding, number>> = { gsm7: 160, ucs2: 70 };
export const MULTI_PART_UNITS: Readonly<Record<SmsEncoding, number>> = { gsm7: 153, ucs2: 67 };
/** SMPP data_coding for each encoding. */
export const DATA_CODING: Readonly<Record<SmsEncoding, number>> = { gsm7: 0x00, ucs2: 0x08 };
export const DEFAULT_MAX_PARTS = 10;
/** The UDH carries total and sequence in one octet each. */
export const ABSOLUTE_MAX_PARTS = 255;

export interface SmsPlanOptions {
  /** Use UCS-2 when the text has characters outside GSM-7 (default true). */
  allowUcs2?: boolean;
  /** Replace characters outside GSM-7 by their best approximation instead of switching to UCS-2 (default false). */
  transliterate?: boolean;
  /** Refuse texts that need more parts than this (default 10, at most 255). */
  maxParts?: number;
  /**
   * Concatenation reference (0–255) for the UDH of a multi-part message. The sender picks it so that two long
   * messages in flight to the same handset differ; without it the parts carry no UDH (udh: null).
   */
  reference?: number;
}

export interface SmsSegment {
  /** 1-based sequence number. */
  seq: number;
  text: string;
  /** Septets (GSM-7) or UTF-16 code units (UCS-2). */
  units: number;
  /** Unpacked septets (GSM-7) or UTF-16BE bytes (UCS-2), without UDH. */
  payload: Uint8Array;
  /** 05 00 03 ref total seq for a part of a concatenated message when a reference was given, else null. */
  udh: Uint8Array | null;
}

export interface SmsPlan {
  encoding: SmsEncoding;
  dataCoding: number;
  parts: number;
  /** Capacity of each part: 160/153 (GSM-7) or 70/67 (UCS-2). */
  perPart: number;
  /** Units used in each part. */
  unitsPerPart: number[];
  /** Units of the whole text. */
  units: number;
  /** User-perceived characters (graphemes) of the text sent. */
  characters: number;
  /** The text that is sent (NFC, after transliteration if it was applied). */
  text: string;
  /** What transliteration changed, when it was applied; null otherwise. */
  transliteration: TransliterationResult | null;
  segments: SmsSegment[];
}

export type SmsPlanErrorCode = 'empty' | 'unsupported_characters' | 'too_many_parts';

export class SmsPlanError extends Error {
  constructor(
    readonly code: SmsPlanErrorCode,
    message: string,
    readonly details: { parts?: number; maxParts?: number; encoding?: SmsEncoding; characters?: string[] } = {},
  ) {
    super(message);
    this.name = 'SmsPlanError';
  }
}

const graphemes = new Intl.Segmenter('it', { granularity: 'grapheme' });
const it = (n: number) => n.toLocaleString('it-IT', { useGrouping: 'always' }); // 2.000, not CLDR's 2000
const LABEL: Readonly<Record<SmsEncoding, string>> = { gsm7: 'GSM-7', ucs2: 'UCS-2' };

function unitsOf(encoding: SmsEncoding, s: string): number {
  if (encoding === 'ucs2') return s.length;
  let n = 0;
  for (const ch of s) n += gsm7CharSeptets(ch);
  return n;
}

/** Greedy split on grapheme boundaries; a grapheme larger than a part is split between code points. */
function split(encoding: SmsEncoding, text: string, perPart: number): { text: string; units: number }[] {
  const parts: { text: string; units: number }[] = [];
  let current = '';
  let used = 0;
  const push = (piece: string, cost: number) => {
    if (used + cost > perPart) {
      parts.push({ text: current, units: used });
      current = '';
      used = 0;
    }
    current += piece;
    used += cost;
  };
  for (const { segment } of graphemes.segment(text)) {
    const cost = unitsOf(encoding, segment);
    if (cost <= perPart) push(segment, cost);
    else for (const cp of segment) push(cp, unitsOf(encoding, cp));
  }
  if (current !== '') parts.push({ text: current, units: used });
  return parts;
}

function utf16be(s: string): Uint8Array {
  const out = new Uint8Array(s.length * 2);
  for (let i = 0; i < s.length; i++) {
    const u = s.charCodeAt(i);
    out[2 * i] = u >> 8;
    out[2 * i + 1] = u & 0xff;
  }
  return out;
}

function checkByte(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} deve essere un intero tra ${min} e ${max} (ricevuto ${String(value)}).`);
  }
}

/** User data header for one part of a concatenated SMS: IEI 0x00 (8-bit reference), length 3, ref, total, seq. */
export function udh(ref: number, total: number, seq: number): Uint8Array {
  checkByte('Il riferimento di concatenazione', ref, 0, 255);
  checkByte('Il numero di parti', total, 1, ABSOLUTE_MAX_PARTS);
  checkByte('Il numero di sequenza', seq, 1, total);
  return Uint8Array.of(0x05, 0x00, 0x03, ref, total, seq);
}

/** The SMPP short_message of a segment: UDH (if any) followed by the payload. */
export function shortMessage(segment: SmsSegment): Uint8Array {
  if (!segment.udh) return segment.payload;
  const out = new Uint8Array(segment.udh.length + segment.payload.length);
  out.set(segment.udh, 0);
  out.set(segment.payload, segment.udh.length);
  return out;
}

/**
 * How the text goes out as SMS. Throws SmsPlanError (Italian message) for an empty text, for characters outside
 * GSM-7 when neither UCS-2 nor transliteration is allowed, and when the text needs more than maxParts parts.
 */
export function planSms(input: string, options: SmsPlanOptions = {}): SmsPlan {
  const { allowUcs2 = true, transliterate = false, maxParts = DEFAULT_MAX_PARTS, reference } = options;
  checkByte('Il numero massimo di parti', maxParts, 1, ABSOLUTE_MAX_PARTS);
  if (reference !== undefined) checkByte('Il riferimento di concatenazione', reference, 0, 255);

  let text = input.normalize('NFC');
  let transliteration: TransliterationResult | null = null;
  let encoding: SmsEncoding = 'gsm7';
  if (text === '') throw new SmsPlanError('empty', 'Il testo del messaggio è vuoto.');
  if (!isGsm7(text)) {
    if (transliterate) {
      transliteration = toGsm7(text);
      text = transliteration.text;
      if (text === '') throw new SmsPlanError('empty', 'Dopo la traslitterazione il testo del messaggio è vuoto.');
    } else if (allowUcs2) {
      encoding = 'ucs2';
    } else {
      const characters = nonGsm7Characters(text);
      throw new SmsPlanError(
        'unsupported_characters',
        `Il testo contiene caratteri che l'alfabeto GSM-7 non ha (${characters.map((c) => `«${c}»`).join(' ')}): ` +
          'toglierli, oppure consentire la codifica UCS-2 o la traslitterazione.',
        { characters },
      );
    }
  }

  const units = unitsOf(encoding, text);
  const single = units <= SINGLE_PART_UNITS[encoding];
  const perPart = single ? SINGLE_PART_UNITS[encoding] : MULTI_PART_UNITS[encoding];
  const pieces = single ? [{ text, units }] : split(encoding, text, perPart);
  const characters = [...graphemes.segment(text)].length;
  if (pieces.length > maxParts) {
    throw new SmsPlanError(
      'too_many_parts',
      `Messaggio troppo lungo: ${it(characters)} caratteri in codifica ${LABEL[encoding]} richiederebbero ` +
        `${it(pieces.length)} SMS concatenati (${perPart} per parte), il massimo consentito è ${maxParts}. Accorciare il testo.`,
      { parts: pieces.length, maxParts, encoding },
    );
  }
  const total = pieces.length;
  const segments = pieces.map((p, i): SmsSegment => ({
    seq: i + 1,
    text: p.text,
    units: p.units,
    payload: encoding === 'gsm7' ? encodeGsm7(p.text) : utf16be(p.text),
    udh: total > 1 && reference !== undefined ? udh(reference, total, i + 1) : null,
  }));
  return {
    encoding,
    dataCoding: DATA_CODING[encoding],
    parts: total,
    perPart,
    unitsPerPart: pieces.map((p) => p.units),
    units,
    characters,
    text,
    transliteration,
    segments,
  };
}

export interface CostEstimate {
  /** parts × recipients */
  totalParts: number;
  /** Whole cents, rounded up (an estimate should not promise less than the bill). */
  cents: number;
  /** For people, in Italian format: "1.234,56 €". */
  formatted: string;
}

const euro = new Intl.NumberFormat('it-IT', { style: 'currency', currency: 'EUR', useGrouping: 'always' });

/** Estimated cost of sending a message of `parts` parts to `recipients` numbers at `centsPerPart` (may be fractional). */
export function estimateCost(parts: number, recipients: number, centsPerPart: number): CostEstimate {
  if (!Number.isInteger(parts) || parts < 0) throw new RangeError(`Numero di parti non valido: ${String(parts)}.`);
  if (!Number.isInteger(recipients) || recipients < 0) throw new RangeError(`Numero di destinatari non valido: ${String(recipients)}.`);
  if (!Number.isFinite(centsPerPart) || centsPerPart < 0) throw new RangeError(`Costo per parte non valido: ${String(centsPerPart)}.`);
  const totalParts = parts * recipients;
  // Tolerance so that e.g. 3 × 0.1 cents (0.30000000000000004) is not rounded up to 1 cent more than it is.
  const cents = Math.ceil(totalParts * centsPerPart - 1e-9);
  return { totalParts, cents: Math.max(0, cents), formatted: euro.format(Math.max(0, cents) / 100) };
}
