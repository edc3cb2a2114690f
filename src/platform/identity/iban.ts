// IBAN (ISO 13616) checks: the mod-97 check digits for any country, and the Italian structure
// (IT + 2 check digits + CIN + ABI 5 + CAB 5 + account 12). Pure functions, no I/O.
import { oddEvenCheckChar } from './codice-fiscale.js';

/** Upper case without spaces (IBANs are printed in groups of four: "IT60 X054 2811 …"). */
export const normalizeIban = (s: string) => s.replace(/[\s\u00a0]+/g, '').toUpperCase();

/** Italian IBAN: IT, check digits, CIN letter, ABI (5 digits), CAB (5 digits), account (12 letters or digits). */
export const ITALIAN_IBAN_FORMAT = /^IT[0-9]{2}[A-Z][0-9]{5}[0-9]{5}[0-9A-Z]{12}$/;

/**
 * ISO 13616 / ISO 7064 mod 97-10: move the first four characters to the end, letters become 10-35, and the
 * number must leave remainder 1 when divided by 97. Computed piecewise, so any length is fine.
 */
export function ibanChecksumValid(iban: string): boolean {
  const s = normalizeIban(iban);
  if (!/^[A-Z]{2}[0-9]{2}[0-9A-Z]{1,30}$/.test(s)) return false;
  const rearranged = s.slice(4) + s.slice(0, 4);
  let remainder = 0;
  for (const c of rearranged) {
    const value = c >= 'A' ? c.charCodeAt(0) - 55 : c.charCodeAt(0) - 48;
    remainder = value > 9 ? (remainder * 100 + value) % 97 : (remainder * 10 + value) % 97;
  }
  return remainder === 1;
}

/** An Italian IBAN with the right structure and mod-97 check digits (spaces and lower case are tolerated). */
export function isValidItalianIban(s: string): boolean {
  const iban = normalizeIban(s);
  return ITALIAN_IBAN_FORMAT.test(iban) && ibanChecksumValid(iban);
}

/**
 * The CIN (Italian national check character) of ABI + CAB + account (22 characters): the codice fiscale
 * odd/even algorithm. Not needed by isValidItalianIban (mod-97 already covers the whole IBAN); exported for
 * callers that compose an IBAN from its parts.
 */
export function italianCinCheckChar(abiCabAccount: string): string {
  if (!/^[0-9]{10}[0-9A-Z]{12}$/i.test(abiCabAccount)) throw new Error('expected ABI (5) + CAB (5) + account (12)');
  return oddEvenCheckChar(abiCabAccount);
}
