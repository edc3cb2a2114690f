// Italian VAT number / numeric fiscal code of legal persons and enti (11 digits): the last digit is a Luhn-like
// check over the first ten (odd positions as they are, even positions doubled with 9 subtracted above 9).
export function partitaIvaCheckDigit(first10: string): number {
  if (!/^[0-9]{10}$/.test(first10)) throw new Error('expected 10 digits');
  let sum = 0;
  for (let i = 0; i < 10; i++) {
    let d = first10.charCodeAt(i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return (10 - (sum % 10)) % 10;
}

export const isValidPartitaIva = (value: string) => /^[0-9]{11}$/.test(value) && partitaIvaCheckDigit(value.slice(0, 10)) === value.charCodeAt(10) - 48;
