// Personal data that should not go online on the albo pretorio: codici fiscali of natural persons, IBANs and
// words that may reveal health or other special-category data (GDPR art. 9; health data may never be
// disseminated: art. 2-septies, comma 8, D.Lgs. 196/2003). The check is advisory: it warns the person who
// publishes, who confirms or obscures the document. Pure functions over the text layer of the documents.
import { isValidFiscalCode } from '../../platform/identity/codice-fiscale.js';
import { isValidItalianIban, normalizeIban } from '../../platform/identity/iban.js';

export type PrivacyFindingKind = 'codice_fiscale' | 'iban' | 'health';

export interface PrivacyFinding {
  kind: PrivacyFindingKind;
  /** What was found, masked for codici fiscali ('RSSMRA******479L') and IBANs ('IT60*******************3456'); for words, the word as written. */
  excerpt: string;
  /** Occurrences in the text (repeats of the same code, IBAN or list entry are grouped). */
  count: number;
  /** For 'health': the entry of SENSITIVE_TERMS that matched (e.g. 'sieropositiv*'). */
  term?: string;
  /** For 'health': the words around the first occurrence (codici fiscali and IBANs in it masked), to find it in the document. */
  context?: string;
}

/**
 * Words and phrases that may reveal data about health, disability, addictions or sexual life (GDPR art. 9).
 * The data protection officer (DPO) can extend this list: one entry a line; case and accents do not matter;
 * a trailing `*` matches any ending ('sieropositiv*': sieropositivo, sieropositiva, …); spaces match any
 * white space, also a line break; entries match whole words only.
 * Deliberately absent because they are too common in ordinary acts: 'salute' alone ("tutela della salute
 * pubblica"), 'invalidità' alone (invalidity of an act), 'referto' (our own "referto di pubblicazione"),
 * 'ASL' (an institution, not a person's data), 'trapianto' (of trees), 'infortuni' (safety plans).
 */
export const SENSITIVE_TERMS: readonly string[] = [
  // Health
  'diagnosi',
  'diagnosticat*',
  'patologi*',
  'malattia',
  'malattie',
  'malato',
  'malata',
  'malati',
  'malate',
  'HIV',
  'AIDS',
  'sieropositiv*',
  'epatite',
  'tumore',
  'tumori',
  'neoplasi*',
  'oncologic*',
  'chemioterapi*',
  'radioterapi*',
  'terapia',
  'terapie',
  'terapeutic*',
  'dialisi',
  'emodialisi',
  'diabete',
  'epilessia',
  'demenza',
  'Alzheimer',
  'Parkinson',
  'sclerosi',
  'autismo',
  'autistic*',
  'sindrome di Down',
  'cartella clinica',
  'cartelle cliniche',
  'certificato medico',
  'certificati medici',
  'certificazione medica',
  'referto medico',
  'referti medici',
  'ricovero',
  'ricoverat*',
  'degenza',
  'stato di salute',
  'condizioni di salute',
  'motivi di salute',
  'problemi di salute',
  'salute mentale',
  'psichiatric*',
  'disturbo psichico',
  'disturbi psichici',
  'trattamento sanitario obbligatorio',
  'TSO',
  'gravidanza',
  'gravidanze',
  'gestante',
  'interruzione volontaria di gravidanza',
  'aborto',
  'inabilità',
  'inidoneità fisica',
  // Disability
  'disabilità',
  'disabile',
  'disabili',
  'diversamente abil*',
  'handicap',
  'portatore di handicap',
  'invalidità civile',
  'invalido civile',
  'invalida civile',
  'invalidi civili',
  'invalidità permanente',
  'percentuale di invalidità',
  'grado di invalidità',
  'certificato di invalidità',
  'indennità di accompagnamento',
  'non autosufficien*',
  'non vedente',
  'non vedenti',
  'ipovedent*',
  'cecità',
  'sordità',
  'sordomut*',
  'L. 5 febbraio 1992, n. 104',
  'legge 5 febbraio 1992, n. 104',
  'L. 104/1992',
  'L. 104/92',
  'legge 104/1992',
  'legge 104/92',
  'legge n. 104/1992',
  'legge n. 104/92',
  'legge 104',
  // Addictions
  'tossicodipenden*',
  'tossicomani*',
  'alcoldipenden*',
  'alcolismo',
  'dipendenze patologiche',
  'ludopatia',
  "gioco d'azzardo patologico",
  'SERT',
  'SERD',
  // Sexual life
  'orientamento sessuale',
  'vita sessuale',
];

// ---------------------------------------------------------------------------------------------------------
// Codici fiscali and IBANs

/** Candidate codici fiscali as whole words, any case (validated afterwards with the check character). */
const FISCAL_CODE_CANDIDATE = /(?<![A-Za-z0-9])[A-Za-z]{6}[0-9LMNPQRSTUVlmnpqrstuv]{2}[ABCDEHLMPRSTabcdehlmprst][0-9LMNPQRSTUVlmnpqrstuv]{2}[A-Za-z][0-9LMNPQRSTUVlmnpqrstuv]{3}[A-Za-z](?![A-Za-z0-9])/g;
/** Candidate Italian IBANs, possibly printed in groups ('IT60 X054 2811 …'), validated with mod-97 afterwards. */
const IBAN_CANDIDATE = /(?<![A-Za-z0-9])[Ii][Tt][ \u00a0]?[0-9]{2}(?:[ \u00a0]?[A-Za-z0-9]){23}(?![A-Za-z0-9])/g;

/**
 * A codice fiscale found in text: well-formed, right check character, and at least one real digit. A code
 * with all seven digits replaced by omocodia letters does not occur in practice, while requiring a digit
 * rules out ordinary 16-letter words that happen to fit the pattern.
 */
function fiscalCodeIn(candidate: string): string | null {
  const code = candidate.toUpperCase();
  return /[0-9]/.test(code) && isValidFiscalCode(code) ? code : null;
}

export const maskFiscalCode = (code: string) => `${code.slice(0, 6)}******${code.slice(12)}`;
export const maskIban = (iban: string) => `${iban.slice(0, 4)}${'*'.repeat(Math.max(0, iban.length - 8))}${iban.slice(-4)}`;

/** The text with every valid codice fiscale and IBAN masked. */
export function maskPersonalData(text: string): string {
  return text
    .replace(FISCAL_CODE_CANDIDATE, (m) => {
      const code = fiscalCodeIn(m);
      return code ? maskFiscalCode(code) : m;
    })
    .replace(IBAN_CANDIDATE, (m) => (isValidItalianIban(m) ? maskIban(normalizeIban(m)) : m));
}

// ---------------------------------------------------------------------------------------------------------
// Sensitive words: matched on a folded copy of the text (lower case, no accents), mapped back to the original.

/** Lower case without diacritics, with the index in the original text of every folded code unit. */
function fold(text: string): { folded: string; origin: Int32Array } {
  const out: string[] = [];
  const origin: number[] = [];
  let i = 0;
  let previous = '';
  for (const ch of text) {
    const code = ch.charCodeAt(0);
    let f: string;
    if (code < 0x80) f = code >= 65 && code <= 90 ? String.fromCharCode(code + 32) : ch;
    else if (ch === '\u2019' || ch === '\u2018') f = "'";
    else f = ch.normalize('NFD').replace(/\p{M}+/gu, '').toLowerCase();
    // An apostrophe after a final vowel stands for its accent ("DISABILITA'", "E'"): drop it.
    if (f === "'" && /[aeiou]/.test(previous) && !/[\p{L}\p{N}]/u.test(text[i + ch.length] ?? '')) f = '';
    previous = f || previous;
    out.push(f);
    for (let k = 0; k < f.length; k++) origin.push(i);
    i += ch.length;
  }
  origin.push(i);
  return { folded: out.join(''), origin: Int32Array.from(origin) };
}

const foldTerm = (term: string) => fold(term.trim()).folded;

/** One regular expression for the whole list; capture group k+1 is the entry k. */
function compileTerms(terms: readonly string[]): RegExp {
  const alternatives = terms.map((term) => {
    const words = foldTerm(term).split(/\s+/).filter(Boolean);
    let source = '';
    words.forEach((word, i) => {
      if (i > 0) source += /[\p{L}\p{N}]$/u.test(words[i - 1]!) && /^[\p{L}\p{N}]/u.test(word) ? '\\s+' : '\\s*';
      const wildcard = word.endsWith('*');
      const literal = wildcard ? word.slice(0, -1) : word;
      source += literal.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&').replace(/'/g, "'\\s*") + (wildcard ? '[\\p{L}\\p{N}]*' : '');
    });
    return `(${source})`;
  });
  return new RegExp(`(?<![\\p{L}\\p{N}])(?:${alternatives.join('|')})(?![\\p{L}\\p{N}])`, 'gu');
}

const compiled = new WeakMap<readonly string[], RegExp>();

function termsRegExp(terms: readonly string[]): RegExp {
  let re = compiled.get(terms);
  if (!re) {
    re = compileTerms(terms);
    compiled.set(terms, re);
  }
  return new RegExp(re.source, re.flags); // a fresh lastIndex for every scan
}

const CONTEXT_CHARS = 40;

/** Where a valid codice fiscale or IBAN is in the text, and its masked form. */
interface Masked {
  start: number;
  end: number;
  mask: string;
}

/** The words around [start, end), never cutting a code in half, with every code in it masked. */
function contextAround(text: string, start: number, end: number, masked: readonly Masked[]): string {
  let from = Math.max(0, start - CONTEXT_CHARS);
  let to = Math.min(text.length, end + CONTEXT_CHARS);
  for (const m of masked) {
    if (m.start < from && m.end > from) from = m.start;
    if (m.start < to && m.end > to) to = m.end;
  }
  let snippet = '';
  let p = from;
  for (const m of masked) {
    if (m.end <= from || m.start >= to) continue;
    snippet += text.slice(p, m.start) + m.mask;
    p = m.end;
  }
  snippet += text.slice(p, to);
  return `${from > 0 ? '…' : ''}${snippet.replace(/\s+/g, ' ').trim()}${to < text.length ? '…' : ''}`;
}

// ---------------------------------------------------------------------------------------------------------

/**
 * Looks for personal data in text: valid codici fiscali (check character), valid Italian IBANs (mod-97,
 * spaces allowed) and the words of `terms` (SENSITIVE_TERMS by default). Repeats are grouped with a count;
 * findings come by kind (codici fiscali, IBANs, words), each in order of first appearance.
 */
export function scanForPersonalData(text: string, terms: readonly string[] = SENSITIVE_TERMS): PrivacyFinding[] {
  const masked: Masked[] = [];
  const fiscalCodes = new Map<string, PrivacyFinding>();
  for (const m of text.matchAll(FISCAL_CODE_CANDIDATE)) {
    const code = fiscalCodeIn(m[0]);
    if (!code) continue;
    masked.push({ start: m.index, end: m.index + m[0].length, mask: maskFiscalCode(code) });
    const found = fiscalCodes.get(code);
    if (found) found.count++;
    else fiscalCodes.set(code, { kind: 'codice_fiscale', excerpt: maskFiscalCode(code), count: 1 });
  }

  const ibans = new Map<string, PrivacyFinding>();
  for (const m of text.matchAll(IBAN_CANDIDATE)) {
    if (!isValidItalianIban(m[0])) continue;
    const iban = normalizeIban(m[0]);
    masked.push({ start: m.index, end: m.index + m[0].length, mask: maskIban(iban) });
    const found = ibans.get(iban);
    if (found) found.count++;
    else ibans.set(iban, { kind: 'iban', excerpt: maskIban(iban), count: 1 });
  }

  masked.sort((a, b) => a.start - b.start);
  const words = new Map<number, PrivacyFinding>();
  if (terms.length > 0) {
    const { folded, origin } = fold(text);
    for (const m of folded.matchAll(termsRegExp(terms))) {
      const entry = m.findIndex((group, i) => i > 0 && group !== undefined) - 1;
      if (entry < 0) continue;
      const found = words.get(entry);
      if (found) {
        found.count++;
        continue;
      }
      const start = origin[m.index]!;
      const end = origin[m.index + m[0].length]!;
      words.set(entry, {
        kind: 'health',
        excerpt: text.slice(start, end).replace(/\s+/g, ' '),
        count: 1,
        term: terms[entry]!,
        context: contextAround(text, start, end, masked),
      });
    }
  }
  return [...fiscalCodes.values(), ...ibans.values(), ...words.values()];
}

// ---------------------------------------------------------------------------------------------------------
// Sentences for the page that asks the publisher to confirm

const LISTED = 5;

function listOf(items: string[], more: (n: number) => string): string {
  const shown = items.slice(0, LISTED);
  const rest = items.length - shown.length;
  if (rest > 0) return `${shown.join(', ')} ${more(rest)}`;
  return shown.length > 1 ? `${shown.slice(0, -1).join(', ')} e ${shown[shown.length - 1]}` : (shown[0] ?? '');
}

const moreMasculine = (n: number) => (n === 1 ? 'e un altro' : `e altri ${n}`);
const moreFeminine = (n: number) => (n === 1 ? 'e un’altra' : `e altre ${n}`);

const times = (n: number) => (n === 1 ? '' : ` (${n} volte)`);

/** Italian sentences describing the findings, for the UI; [] when there is nothing to report. */
export function summarizeFindings(findings: readonly PrivacyFinding[]): string[] {
  const sentences: string[] = [];
  const codes = findings.filter((f) => f.kind === 'codice_fiscale');
  const ibans = findings.filter((f) => f.kind === 'iban');
  const words = findings.filter((f) => f.kind === 'health');

  if (codes.length === 1) {
    sentences.push(`Il testo contiene il codice fiscale di una persona fisica: ${codes[0]!.excerpt}${times(codes[0]!.count)}.`);
  } else if (codes.length > 1) {
    sentences.push(`Il testo contiene ${codes.length} codici fiscali di persone fisiche: ${listOf(codes.map((f) => f.excerpt + times(f.count)), moreMasculine)}.`);
  }
  if (ibans.length === 1) {
    sentences.push(`Il testo contiene un codice IBAN: ${ibans[0]!.excerpt}${times(ibans[0]!.count)}.`);
  } else if (ibans.length > 1) {
    sentences.push(`Il testo contiene ${ibans.length} codici IBAN: ${listOf(ibans.map((f) => f.excerpt + times(f.count)), moreMasculine)}.`);
  }
  if (words.length > 0) {
    sentences.push(
      `Il testo contiene ${words.length === 1 ? 'un’espressione che può' : 'espressioni che possono'} rivelare dati sulla salute o altri dati particolari ` +
        `(art. 9 del Regolamento UE 2016/679), che non possono essere diffusi (art. 2-septies, comma 8, D.Lgs. 196/2003): ` +
        `${listOf(words.map((f) => `«${f.excerpt}»${times(f.count)}`), moreFeminine)}.`,
    );
  }
  if (sentences.length > 0) {
    sentences.push(
      'Prima di pubblicare verificare che questi dati siano necessari e pertinenti alla finalità della pubblicazione; ' +
        'altrimenti oscurarli nel documento (Linee guida del Garante per la protezione dei dati personali, provvedimento n. 243 del 15 maggio 2014).',
    );
  }
  return sentences;
}
