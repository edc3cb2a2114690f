// Codice fiscale of natural persons (DM 23/12/1976): format, omocodia substitutions and the check character.
// Kernel code shared by citizen login (SPID/CIE claims) and by the modules that look for personal data
// (e.g. the albo pretorio privacy check). Pure functions, no I/O.

/** Values of the characters in odd positions (1st, 3rd, …): index 0-25 for both '0'-'9' and 'A'-'Z'. */
const ODD_VALUES = [1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23];

/** Surname, name, year, month, day (+40 for women), place, check; digits may be replaced by LMNPQRSTUV (omocodia). */
export const FISCAL_CODE_FORMAT = /^[A-Z]{6}[0-9LMNPQRSTUV]{2}[ABCDEHLMPRST][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]$/;

const charValue = (c: string) => (c >= '0' && c <= '9' ? c.charCodeAt(0) - 48 : c.charCodeAt(0) - 65);

/**
 * The check character of alphanumeric characters with the codice fiscale weighting: odd positions (1st, 3rd, …)
 * through the official table, even positions by value, sum modulo 26 as a letter. The same algorithm gives the
 * CIN of an Italian bank account (see iban.ts).
 */
export function oddEvenCheckChar(chars: string): string {
  const s = chars.toUpperCase();
  if (!/^[A-Z0-9]+$/.test(s)) throw new Error('expected letters and digits only');
  let sum = 0;
  for (let i = 0; i < s.length; i++) {
    const v = charValue(s[i]!);
    sum += i % 2 === 0 ? ODD_VALUES[v]! : v;
  }
  return String.fromCharCode(65 + (sum % 26));
}

/** The check character of the first 15 characters of a codice fiscale (official algorithm). */
export function fiscalCodeCheckChar(first15: string): string {
  if (!/^[A-Z0-9]{15}$/i.test(first15)) throw new Error('expected the first 15 characters of a codice fiscale');
  return oddEvenCheckChar(first15);
}

/** Why a (normalised, upper-case) codice fiscale is not valid, or null when it is. */
export function fiscalCodeProblem(code: string): 'format' | 'check' | null {
  if (!FISCAL_CODE_FORMAT.test(code)) return 'format';
  return fiscalCodeCheckChar(code.slice(0, 15)) === code[15] ? null : 'check';
}

/** True for a well-formed codice fiscale with the right check character (upper case, no spaces). */
export const isValidFiscalCode = (code: string) => fiscalCodeProblem(code) === null;

/** Upper case without spaces, for comparing what people type or what documents contain. */
export const normalizeFiscalCode = (code: string) => code.replace(/\s+/g, '').toUpperCase();
