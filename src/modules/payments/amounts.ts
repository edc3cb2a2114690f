// Money as integer euro cents everywhere; amounts typed by people ("12,50", "1.234,56", "12.5") are parsed here
// and anything with more than two decimals is refused rather than rounded.
export class AmountError extends Error {}

/** "1.234,56" / "1234.56" / "12,5" / 12.5 → cents; refuses 3 decimals, negatives, zero, and non-numbers. */
export function parseEuroToCents(value: string | number): number {
  let text = typeof value === 'number' ? String(value) : value.trim().replace(/\s|€/g, '');
  if (typeof value === 'number' && !Number.isFinite(value)) throw new AmountError('Importo non valido');
  // "1.234,56" groups thousands with dots; "12.505" alone could be either, so it is refused, not guessed.
  if (/^\d{1,3}(\.\d{3})+,\d+$/.test(text)) text = text.replace(/\./g, '');
  else if (/^\d{1,3}(\.\d{3})+$/.test(text)) throw new AmountError(`Importo ambiguo: "${String(value)}" (usa la virgola per i decimali, es. 12,50)`);
  text = text.replace(',', '.');
  const match = /^(\d{1,12})(?:\.(\d{1,}))?$/.exec(text);
  if (!match) throw new AmountError(`Importo non valido: "${String(value)}"`);
  const decimals = match[2] ?? '';
  if (decimals.length > 2) throw new AmountError(`Importo con più di due decimali: "${String(value)}"`);
  const cents = Number(match[1]) * 100 + Number(decimals.padEnd(2, '0') || '0');
  if (cents <= 0) throw new AmountError("L'importo deve essere maggiore di zero");
  return cents;
}

/** 123456 → "1.234,56" (Italian format, no currency sign). */
export function formatCents(cents: number): string {
  // Grouped by hand: Intl's it-IT leaves four-digit amounts ungrouped (1234), which bills never do.
  const euros = String(Math.floor(Math.abs(cents) / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, '.');
  return `${cents < 0 ? '-' : ''}${euros},${String(Math.abs(cents) % 100).padStart(2, '0')}`;
}

/** 1250 → "12.50" (the decimal form of the pagoPA XML and of the QR code's amount in cents' neighbours). */
export const centsToDecimal = (cents: number) => `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
