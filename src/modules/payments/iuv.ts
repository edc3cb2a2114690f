// IUV and notice number for aux digit 3 (the broker's own IUV generation with a segregation code), from the
// pagoPA specifications (SANP, "Il numero avviso e l'archivio dei pagamenti in attesa"):
//   IUV           = segregation code (2) + IUV base (13) + check digits (2)            17 digits
//   notice number = 3 + IUV                                                              18 digits
//   check digits  = (3 · segregation code · IUV base, read as one number) mod 93, on 2 digits
// Pure functions; the base comes from the ente's counter (see service.ts).

export const AUX_DIGIT = '3';
export const MAX_IUV_BASE = 9_999_999_999_999;

export class IuvError extends Error {}

/** Remainder modulo 93 of a long decimal string, computed digit by digit (no precision loss). */
function mod93(digits: string): number {
  let r = 0;
  for (const c of digits) r = (r * 10 + (c.charCodeAt(0) - 48)) % 93;
  return r;
}

export function iuvCheckDigits(segregationCode: string, base: string): string {
  return String(mod93(`${AUX_DIGIT}${segregationCode}${base}`)).padStart(2, '0');
}

/** The IUV for base number `base` (1 … 9,999,999,999,999) and segregation code `segregationCode` ('00'–'99'). */
export function iuvOf(segregationCode: string, base: number | bigint | string): string {
  if (!/^[0-9]{2}$/.test(segregationCode)) throw new IuvError(`codice di segregazione non valido: ${segregationCode}`);
  const text = String(base);
  if (!/^[0-9]{1,13}$/.test(text) || BigInt(text) < 1n) throw new IuvError(`base IUV non valida: ${text}`);
  const padded = text.padStart(13, '0');
  return `${segregationCode}${padded}${iuvCheckDigits(segregationCode, padded)}`;
}

export const noticeNumberOf = (iuv: string) => `${AUX_DIGIT}${iuv}`;

/** Whether an 18-digit notice number is well formed for aux digit 3 (check digits included). */
export function isValidNoticeNumber(noticeNumber: string): boolean {
  if (!/^3[0-9]{17}$/.test(noticeNumber)) return false;
  const segregation = noticeNumber.slice(1, 3);
  const base = noticeNumber.slice(3, 16);
  return noticeNumber.slice(16) === iuvCheckDigits(segregation, base);
}

/** "3010 0000 0000 1237 3" → how the number is printed on the notice (groups of four). */
export const groupedNoticeNumber = (noticeNumber: string) => noticeNumber.replace(/(.{4})/g, '$1 ').trim();
