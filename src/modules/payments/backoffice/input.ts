// What people type (the creation form, a row of the CSV upload) turned into a PositionInput for
// service.createPosition: Italian or dot decimals, dates as AAAA-MM-GG or GG/MM/AAAA, instalments as
// "importo@scadenza|importo@scadenza", an optional second transfer (e.g. the TEFA share to the Provincia).
// Refusals are 422 problems with an Italian message, as the service's own.
import { isIsoDate } from '../../../platform/calendar/index.js';
import { unprocessable } from '../../../platform/http/problem.js';
import { AmountError, parseEuroToCents } from '../amounts.js';
import type { PositionInput, TransferInput } from '../service.js';

export function amountOf(value: string, what: string): number {
  try {
    return parseEuroToCents(value);
  } catch (err) {
    if (err instanceof AmountError) throw unprocessable(`${what}: ${err.message}`);
    throw err;
  }
}

/** 'AAAA-MM-GG' or 'GG/MM/AAAA' → ISO date. */
export function dateOf(value: string, what: string): string {
  const text = value.trim();
  const dmy = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(text);
  const iso = dmy ? `${dmy[3]}-${dmy[2]!.padStart(2, '0')}-${dmy[1]!.padStart(2, '0')}` : text;
  if (!isIsoDate(iso)) throw unprocessable(`${what}: data non valida «${text}» (usa AAAA-MM-GG o GG/MM/AAAA)`);
  return iso;
}

/** "105,00@2026-03-31|105,00@30/06/2026" → instalments. */
export function instalmentsOf(value: string): { amountCents: number; dueDate: string }[] {
  return value
    .split('|')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((part, n) => {
      const [amount, due, extra] = part.split('@');
      if (!amount || !due || extra !== undefined) throw unprocessable(`Rata ${n + 1}: scrivi «importo@scadenza» (es. 105,00@2026-03-31)`);
      return { amountCents: amountOf(amount, `Rata ${n + 1}`), dueDate: dateOf(due, `Rata ${n + 1}`) };
    });
}

export interface TypedPosition {
  reference?: string | undefined;
  service: string;
  debtorFiscalCode: string;
  debtorName: string;
  email?: string | undefined;
  reason: string;
  amount: string;
  /** Due date of the single payment; empty with instalments means only instalments are offered. */
  dueDate?: string | undefined;
  instalments?: { amountCents: number; dueDate: string }[] | undefined;
  second?: { fiscalCode?: string | undefined; iban?: string | undefined; amount?: string | undefined; remittance?: string | undefined } | undefined;
}

export function positionInputOf(typed: TypedPosition): PositionInput {
  const amountCents = amountOf(typed.amount ?? '', 'Importo');
  const instalments = typed.instalments?.length ? typed.instalments : undefined;
  const dueDate = typed.dueDate ? dateOf(typed.dueDate, 'Scadenza') : undefined;
  if (!dueDate && !instalments) throw unprocessable('La data di scadenza è obbligatoria');
  let transfers: TransferInput[] | undefined;
  const second = typed.second;
  if (second && (second.fiscalCode || second.iban || second.amount)) {
    if (!second.fiscalCode || !second.iban || !second.amount) throw unprocessable('Secondo beneficiario: servono codice fiscale, IBAN e importo');
    const secondCents = amountOf(second.amount, 'Importo del secondo beneficiario');
    if (secondCents >= amountCents) throw unprocessable("L'importo del secondo beneficiario deve essere minore dell'importo totale");
    transfers = [
      { amountCents: amountCents - secondCents },
      { amountCents: secondCents, beneficiaryFiscalCode: second.fiscalCode, iban: second.iban, remittance: second.remittance || undefined },
    ];
  }
  return {
    serviceCode: typed.service,
    debtor: { fiscalCode: typed.debtorFiscalCode, name: typed.debtorName, email: typed.email || null },
    reason: typed.reason,
    amountCents,
    dueDate,
    instalments,
    payInFull: instalments ? Boolean(dueDate) : undefined,
    transfers,
    externalRef: typed.reference || null,
  };
}
