// Phone numbers of subscribers: normalisation to E.164 and validation, Italian first.
//
// Italian numbers follow the national plan with explicit rules (they decide who can get an SMS, so they are kept
// readable here): mobile = 3 followed by 8 or 9 digits (9–10 digits in all); landline = 0 followed by 5 to 10
// digits (6–11 in all), kept but flagged as not SMS-capable; other ranges (numeri verdi 80x, a sovrapprezzo 89x,
// brevi 1xx, 4xx, 7xx …) are refused. The leading 0 of a landline stays in E.164 (+39 0141 …).
//
// Foreign numbers are refused unless allowed; when allowed they are checked with libphonenumber-js (Google's
// libphonenumber metadata, per country lengths and ranges, refreshed with each release): a plain "+ and 8–15
// digits" check would let through numbers the aggregator rejects, and the number type tells whether an SMS can
// reach it.
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

export type PhoneKind = 'mobile' | 'landline' | 'foreign';

export interface PhoneNumber {
  /** +393331234567 */
  e164: string;
  kind: PhoneKind;
  /** Can receive SMS: Italian mobiles; foreign numbers of mobile (or mobile-or-fixed) type. */
  smsCapable: boolean;
  /** ISO 3166-1 alpha-2 country ('IT' for Italian numbers); undefined for a foreign number shared by several countries' plan. */
  country: string | undefined;
}

export interface PhoneOptions {
  /** Accept numbers outside Italy (default false). */
  allowForeign?: boolean;
}

export type PhoneErrorCode =
  | 'empty'
  | 'invalid_characters'
  | 'too_short'
  | 'too_long'
  | 'unsupported_range'
  | 'foreign_not_allowed'
  | 'invalid_foreign';

export class PhoneNumberError extends Error {
  constructor(
    readonly code: PhoneErrorCode,
    message: string,
    readonly input: string,
  ) {
    super(message);
    this.name = 'PhoneNumberError';
  }
}

/** Separators people write inside numbers: spaces (incl. no-break), dashes, dots, slashes, parentheses. */
const SEPARATORS = /[\s\u00a0\u202f\-‐‑–—./()]/gu;

function italian(national: string, input: string): PhoneNumber {
  const fail = (code: PhoneErrorCode, message: string) => new PhoneNumberError(code, message, input);
  const n = national.length;
  if (national.startsWith('3')) {
    if (n < 9) throw fail('too_short', `Numero di cellulare troppo corto: ${n} cifre, ne servono 9 o 10 (es. 333 1234567).`);
    if (n > 10) throw fail('too_long', `Numero di cellulare troppo lungo: ${n} cifre, ne servono 9 o 10 (es. 333 1234567).`);
    return { e164: `+39${national}`, kind: 'mobile', smsCapable: true, country: 'IT' };
  }
  if (national.startsWith('0')) {
    if (n < 6) throw fail('too_short', `Numero di rete fissa troppo corto: ${n} cifre, ne servono da 6 a 11 (prefisso compreso).`);
    if (n > 11) throw fail('too_long', `Numero di rete fissa troppo lungo: ${n} cifre, ne servono da 6 a 11 (prefisso compreso).`);
    return { e164: `+39${national}`, kind: 'landline', smsCapable: false, country: 'IT' };
  }
  throw fail(
    'unsupported_range',
    'Numero italiano non ammesso: serve un cellulare (inizia per 3) o un fisso (inizia per 0); ' +
      'numeri verdi, a sovrapprezzo e numeri brevi non si possono usare.',
  );
}

/**
 * Normalises a number as people write it ("+39 333 1234567", "0039 333…", "333-123 4567", "3331234567",
 * "0141 123456") to E.164 and says what it is. Without an international prefix the number is Italian; "39"
 * followed by an Italian mobile number of 11–12 digits in all (a "+" lost in a spreadsheet) is read as +39.
 * Throws PhoneNumberError with an Italian message.
 */
export function normalizePhone(input: string, options: PhoneOptions = {}): PhoneNumber {
  const fail = (code: PhoneErrorCode, message: string) => new PhoneNumberError(code, message, input);
  const compact = input.trim().replace(SEPARATORS, '');
  if (compact === '') throw fail('empty', 'Numero di telefono mancante.');
  if (!/^(\+|00)?\d+$/.test(compact)) {
    throw fail('invalid_characters', 'Il numero di telefono può contenere solo cifre, spazi, trattini e un "+" iniziale.');
  }
  let international: string | null = null;
  if (compact.startsWith('+')) international = compact.slice(1);
  else if (compact.startsWith('00')) international = compact.slice(2);
  else if (/^393\d{8,9}$/.test(compact)) international = compact;

  if (international === null) return italian(compact, input);
  if (international.startsWith('39')) return italian(international.slice(2), input);

  if (international === '' || international.startsWith('0')) {
    throw fail('invalid_characters', 'Prefisso internazionale non valido: dopo "+" o "00" deve venire il prefisso del paese.');
  }
  if (international.length > 15) throw fail('too_long', 'Numero internazionale troppo lungo: al massimo 15 cifre (E.164).');
  if (!options.allowForeign) {
    throw fail('foreign_not_allowed', `I numeri esteri non sono ammessi (+${international.slice(0, 3)}…): serve un numero italiano.`);
  }
  const parsed = parsePhoneNumberFromString(`+${international}`);
  if (!parsed || !parsed.isValid()) {
    const where = parsed?.country ?? parsed?.countryCallingCode;
    throw fail('invalid_foreign', `Numero estero non valido${where ? ` per il paese ${where}` : ''}: controllare prefisso e cifre.`);
  }
  const type = parsed.getType();
  return {
    e164: parsed.number,
    kind: 'foreign',
    smsCapable: type === 'MOBILE' || type === 'FIXED_LINE_OR_MOBILE',
    country: parsed.country,
  };
}

/** True when the input normalises to a number that can receive SMS (foreign numbers only when allowed). */
export function isSmsCapable(input: string, options: PhoneOptions = {}): boolean {
  try {
    return normalizePhone(input, options).smsCapable;
  } catch (e) {
    if (e instanceof PhoneNumberError) return false;
    throw e;
  }
}
