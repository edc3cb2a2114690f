// GSM 03.38 (3GPP TS 23.038) 7-bit default alphabet with its extension table, for SMS over SMPP.
//
// The characters come from gsm0338-table.ts, generated from the Unicode Consortium mapping (see its header).
// Septets are handled *unpacked*, one byte per septet (0x00–0x7F): that is what SMPP short_message carries with
// data_coding 0 (the SMSC packs them for the air interface). An extension character is two septets: ESC (0x1B)
// followed by its code in the extension table, so it counts 2 towards the 160/153 limits.
//
// Pure functions, no I/O. Errors carry Italian messages because they reach the operator composing a message.
import { GSM7_COMMENTED_ALTERNATIVES, GSM7_DEFAULT_TABLE, GSM7_EXTENSION_TABLE } from './gsm0338-table.js';

export const GSM7_ESC = 0x1b;

/** Unicode code point → septet of the default alphabet. ESC (0x1B, which the table shows as NBSP) is left out. */
const DEFAULT_BY_CODE_POINT: ReadonlyMap<number, number> = new Map(
  GSM7_DEFAULT_TABLE.flatMap((cp, septet) => (septet === GSM7_ESC ? [] : [[cp, septet] as const])),
);
/** Unicode code point → septet that follows ESC. */
const EXTENSION_BY_CODE_POINT: ReadonlyMap<number, number> = new Map(GSM7_EXTENSION_TABLE.map(([septet, cp]) => [cp, septet]));
/** Septet after ESC → Unicode code point. */
const EXTENSION_BY_SEPTET: ReadonlyMap<number, number> = new Map(GSM7_EXTENSION_TABLE.map(([septet, cp]) => [septet, cp]));

/** Every character GSM-7 can send (default alphabet without ESC, then the extension table), in table order. */
export const GSM7_CHARACTERS: readonly string[] = [...DEFAULT_BY_CODE_POINT.keys(), ...EXTENSION_BY_CODE_POINT.keys()].map((cp) =>
  String.fromCodePoint(cp),
);
/** The characters that need ESC + code (2 septets): ^ { } \ [ ~ ] | € and form feed. */
export const GSM7_EXTENSION_CHARACTERS: readonly string[] = GSM7_EXTENSION_TABLE.map(([, cp]) => String.fromCodePoint(cp));

export class Gsm7Error extends Error {
  constructor(
    message: string,
    readonly character: string,
    readonly index: number,
  ) {
    super(message);
    this.name = 'Gsm7Error';
  }
}

const describe = (ch: string): string =>
  `«${ch}» (U+${(ch.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')})`;

/** Septets one character takes: 1 (default alphabet), 2 (extension table), 0 if it is not in GSM-7. */
export function gsm7CharSeptets(ch: string): 0 | 1 | 2 {
  const cp = ch.codePointAt(0);
  if (cp === undefined || ch.length !== String.fromCodePoint(cp).length) return 0;
  if (DEFAULT_BY_CODE_POINT.has(cp)) return 1;
  if (EXTENSION_BY_CODE_POINT.has(cp)) return 2;
  return 0;
}

/** True when every character of the text can be sent with data_coding 0 (GSM-7, with the extension table). */
export function isGsm7(text: string): boolean {
  for (const ch of text) if (gsm7CharSeptets(ch) === 0) return false;
  return true;
}

/** The distinct characters of the text that GSM-7 cannot send, in order of first appearance. */
export function nonGsm7Characters(text: string): string[] {
  const seen = new Set<string>();
  for (const ch of text) if (gsm7CharSeptets(ch) === 0) seen.add(ch);
  return [...seen];
}

function fail(text: string): never {
  let index = 0;
  for (const ch of text) {
    if (gsm7CharSeptets(ch) === 0) {
      throw new Gsm7Error(`Il carattere ${describe(ch)} in posizione ${index + 1} non è nell'alfabeto GSM-7.`, ch, index);
    }
    index += ch.length;
  }
  throw new Error('unreachable');
}

/** Number of septets the text takes (extension characters count 2). Throws Gsm7Error on a non-GSM-7 character. */
export function gsm7Septets(text: string): number {
  let n = 0;
  for (const ch of text) {
    const s = gsm7CharSeptets(ch);
    if (s === 0) fail(text);
    n += s;
  }
  return n;
}

/** The text as unpacked septets (one byte each, 0x00–0x7F; extension characters as 0x1B + code). */
export function encodeGsm7(text: string): Uint8Array {
  const out = new Uint8Array(gsm7Septets(text));
  let i = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    const basic = DEFAULT_BY_CODE_POINT.get(cp);
    if (basic !== undefined) out[i++] = basic;
    else {
      out[i++] = GSM7_ESC;
      out[i++] = EXTENSION_BY_CODE_POINT.get(cp)!;
    }
  }
  return out;
}

/**
 * Unpacked septets back to text. Following 3GPP TS 23.038: ESC followed by a code that is not in the extension
 * table shows the default-alphabet character of that code; ESC ESC (reserved) shows a space; a lone ESC at the
 * end is dropped. A value above 0x7F is not a septet and throws.
 */
export function decodeGsm7(septets: ArrayLike<number>): string {
  let out = '';
  for (let i = 0; i < septets.length; i++) {
    const s = septet(septets, i);
    if (s !== GSM7_ESC) {
      out += String.fromCodePoint(GSM7_DEFAULT_TABLE[s]!);
      continue;
    }
    if (i + 1 >= septets.length) break;
    const next = septet(septets, ++i);
    const ext = EXTENSION_BY_SEPTET.get(next);
    if (ext !== undefined) out += String.fromCodePoint(ext);
    else if (next === GSM7_ESC) out += ' ';
    else out += String.fromCodePoint(GSM7_DEFAULT_TABLE[next]!);
  }
  return out;
}

function septet(septets: ArrayLike<number>, i: number): number {
  const s = septets[i]!;
  if (!Number.isInteger(s) || s < 0 || s > 0x7f) {
    throw new RangeError(`Valore ${s} in posizione ${i + 1} non è un settetto GSM-7 (0–127).`);
  }
  return s;
}

// ——— Transliteration ————————————————————————————————————————————————————————————————————————————————————————

export type TransliterationReason =
  | 'normalisation' // a decomposed accent composed into a GSM-7 letter (e + ◌̀ → è)
  | 'accent' // an accent GSM-7 lacks, dropped or written the Italian way (á → a, È → E')
  | 'punctuation' // typographic quotes, dashes, ellipsis → ASCII
  | 'space' // no-break and other spaces, tab → space
  | 'invisible' // zero-width characters, soft hyphen: removed
  | 'symbol' // ©, ™, ½, °, ligatures … → letters
  | 'emoji' // removed
  | 'unsupported'; // no approximation: '?'

export interface TransliterationChange {
  /** UTF-16 offset of the replaced text in the input. */
  index: number;
  from: string;
  to: string;
  reason: TransliterationReason;
}

export interface TransliterationResult {
  /** The GSM-7 text (always passes isGsm7). */
  text: string;
  changes: TransliterationChange[];
  /** True when something was lost rather than approximated (emoji removed, '?' written). */
  lossy: boolean;
}

export interface TransliterationOptions {
  /**
   * Capitals with a grave accent that GSM-7 lacks (À È Ì Ò Ù) written the Italian typewriter way, with an
   * apostrophe: "È" → "E'", "CITTÀ" → "CITTA'". Default true; false writes the bare letter ("E").
   */
  italianApostrophe?: boolean;
}

const ITALIAN_CAPITALS: Readonly<Record<string, string>> = { À: "A'", È: "E'", Ì: "I'", Ò: "O'", Ù: "U'" };

const EXPLICIT: ReadonlyMap<string, readonly [string, TransliterationReason]> = new Map<string, readonly [string, TransliterationReason]>([
  // quotes and apostrophes («» are the usual Italian quotation marks)
  ...[...'‘’‚‛′´`‹›'].map((c) => [c, ["'", 'punctuation']] as const),
  ...[...'“”„‟″«»'].map((c) => [c, ['"', 'punctuation']] as const),
  // dashes, minus, bullets
  ...[...'‐‑‒–—―−⁃'].map((c) => [c, ['-', 'punctuation']] as const),
  ['…', ['...', 'punctuation']],
  ['•', ['-', 'punctuation']],
  ['·', ['.', 'punctuation']],
  ['⁄', ['/', 'punctuation']],
  // spaces
  ...[...'\t\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000'].map(
    (c) => [c, [' ', 'space']] as const,
  ),
  // invisible
  ...[...'\u200b\u200c\u200d\u2060\ufeff\u00ad'].map((c) => [c, ['', 'invisible']] as const),
  // symbols and letters without a decomposition
  ['°', ['o', 'symbol']],
  ['º', ['o', 'symbol']],
  ['ª', ['a', 'symbol']],
  ['©', ['(c)', 'symbol']],
  ['®', ['(R)', 'symbol']],
  ['™', ['TM', 'symbol']],
  ['×', ['x', 'symbol']],
  ['÷', [':', 'symbol']],
  ['±', ['+/-', 'symbol']],
  ['¢', ['c', 'symbol']],
  ['₤', ['£', 'symbol']],
  ['œ', ['oe', 'symbol']],
  ['Œ', ['OE', 'symbol']],
  ['ł', ['l', 'accent']],
  ['Ł', ['L', 'accent']],
  ['đ', ['d', 'accent']],
  ['Đ', ['D', 'accent']],
  ['ı', ['i', 'accent']],
  ['ħ', ['h', 'accent']],
  ['Ħ', ['H', 'accent']],
  // the table's commented alternatives: capital C-cedilla → ç (0x09), Greek capitals → the Latin look-alikes
  ...GSM7_COMMENTED_ALTERNATIVES.filter(([, cp]) => cp !== 0).map(
    ([septet, cp]) => [String.fromCodePoint(cp), [String.fromCodePoint(GSM7_DEFAULT_TABLE[septet]!), 'accent']] as const,
  ),
]);

const MARKS = /\p{M}/gu;
const EMOJI = /\p{Extended_Pictographic}|\p{Regional_Indicator}|[\u{1F3FB}-\u{1F3FF}]/u;
const graphemes = new Intl.Segmenter('it', { granularity: 'grapheme' });

/** One character (not a whole grapheme) through the explicit map, else nothing. */
function explicit(ch: string, apostrophe: boolean): readonly [string, TransliterationReason] | undefined {
  const italian = ITALIAN_CAPITALS[ch];
  if (italian !== undefined) return apostrophe ? [italian, 'accent'] : [ch.normalize('NFD').replace(MARKS, ''), 'accent'];
  return EXPLICIT.get(ch);
}

function approximate(g: string, apostrophe: boolean): readonly [string, TransliterationReason] {
  const nfc = g.normalize('NFC');
  if (isGsm7(nfc)) return [nfc, 'normalisation'];
  const direct = explicit(nfc, apostrophe);
  if (direct) return direct;
  // Compatibility decomposition without marks (á → a, ê → e, ² → 2, ﬁ → fi, full-width letters → ASCII), then
  // the explicit map for what is left, one character at a time.
  const stripped = g.normalize('NFKD').replace(MARKS, '').normalize('NFC');
  let out = '';
  let reason: TransliterationReason = stripped === g.normalize('NFD').replace(MARKS, '').normalize('NFC') ? 'accent' : 'symbol';
  for (const ch of stripped) {
    if (gsm7CharSeptets(ch) !== 0) out += ch;
    else {
      const e = explicit(ch, apostrophe);
      if (!e) {
        out = '';
        reason = 'unsupported';
        break;
      }
      out += e[0];
      if (e[1] !== 'accent') reason = e[1];
    }
  }
  if (reason !== 'unsupported' && out !== '') return [out, reason];
  if (EMOJI.test(g)) return ['', 'emoji'];
  if (stripped === '' && g !== '') return ['', 'invisible']; // only marks, variation selectors …
  return ['?', 'unsupported'];
}

/**
 * The best GSM-7 approximation of a text, for Italian: characters already in GSM-7 are kept as they are (è é à
 * ò ù ì É are in the table); other accents are dropped or written the Italian way (see options); typographic
 * punctuation becomes ASCII; emoji are removed (with the space they leave doubled); anything else becomes '?'.
 * Returns the text with the list of what changed, by grapheme, with offsets into the input.
 */
export function transliterate(text: string, options: TransliterationOptions = {}): TransliterationResult {
  const apostrophe = options.italianApostrophe ?? true;
  const changes: TransliterationChange[] = [];
  let out = '';
  let lossy = false;
  let removedEmoji = false;
  for (const { segment: g, index } of graphemes.segment(text)) {
    if (isGsm7(g)) {
      if (removedEmoji && g === ' ' && (out === '' || out.endsWith(' '))) {
        const last = changes[changes.length - 1]!;
        last.from += ' '; // the emoji took its space with it
      } else out += g;
      removedEmoji = false;
      continue;
    }
    const [to, reason] = approximate(g, apostrophe);
    removedEmoji = reason === 'emoji';
    if (reason === 'emoji' || reason === 'unsupported') lossy = true;
    changes.push({ index, from: g, to, reason });
    out += to;
  }
  return { text: out, changes, lossy };
}
