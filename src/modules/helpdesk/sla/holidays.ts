// Italian national public holidays (giorni festivi, art. 2 L. 27 maggio 1949 n. 260 as amended), for the
// working calendar of the help-desk SLA clock. Dates are 'YYYY-MM-DD' strings of the Europe/Rome calendar.
//
// The list is the one in force today, applied to every year: it does not model the holidays abolished in
// 1977 (L. 54/1977) and restored later (Epifania from 1986, DPR 792/1985). The one dated rule is
// San Francesco d'Assisi on 4 October: a national holiday again from 2026, by L. 8 ottobre 2025 n. 151
// ("Istituzione della festa nazionale di San Francesco d'Assisi", GU n. 236 del 10/10/2025, in force from
// 1/1/2026), which adds it to art. 2 of L. 260/1949.

/** A national public holiday: its date and its Italian name. */
export interface NationalHoliday {
  readonly date: string;
  readonly name: string;
}

/** First year in which 4 October (San Francesco d'Assisi) is a national holiday again (L. 151/2025). */
export const SAN_FRANCESCO_FROM_YEAR = 2026;

/** Years for which the Gregorian Easter computation is defined (and that 'YYYY' can write). */
export const FIRST_YEAR = 1583;
export const LAST_YEAR = 9999;

const pad = (n: number) => String(n).padStart(2, '0');

function checkYear(year: number): void {
  if (!Number.isInteger(year) || year < FIRST_YEAR || year > LAST_YEAR) {
    throw new RangeError(`Anno non valido: ${year} (ammessi gli anni dal ${FIRST_YEAR} al ${LAST_YEAR})`);
  }
}

/** Easter Sunday of `year` (Gregorian calendar), by the anonymous algorithm (Meeus/Jones/Butcher). */
export function easterSunday(year: number): string {
  checkYear(year);
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return `${year}-${pad(month)}-${pad(day)}`;
}

// Pure memo (same input, same output): computing a year once is enough; bounded by the year range.
const byYear = new Map<number, readonly NationalHoliday[]>();
const byDate = new Map<string, string>();

/** The national public holidays of `year`, sorted by date (two may share a date: 2011-04-25). */
export function italianNationalHolidays(year: number): readonly NationalHoliday[] {
  checkYear(year);
  const cached = byYear.get(year);
  if (cached) return cached;
  const fixed = (mmdd: string, name: string): NationalHoliday => ({ date: `${year}-${mmdd}`, name });
  const easter = easterSunday(year);
  const easterMonday = new Date(`${easter}T00:00:00Z`);
  easterMonday.setUTCDate(easterMonday.getUTCDate() + 1);
  const list: NationalHoliday[] = [
    fixed('01-01', 'Capodanno'),
    fixed('01-06', 'Epifania'),
    { date: easter, name: 'Pasqua' },
    { date: easterMonday.toISOString().slice(0, 10), name: "Lunedì dell'Angelo" },
    fixed('04-25', 'Festa della Liberazione'),
    fixed('05-01', 'Festa del Lavoro'),
    fixed('06-02', 'Festa della Repubblica'),
    fixed('08-15', 'Assunzione di Maria (Ferragosto)'),
    ...(year >= SAN_FRANCESCO_FROM_YEAR ? [fixed('10-04', "San Francesco d'Assisi, patrono d'Italia")] : []),
    fixed('11-01', 'Ognissanti'),
    fixed('12-08', 'Immacolata Concezione'),
    fixed('12-25', 'Natale'),
    fixed('12-26', 'Santo Stefano'),
  ];
  // Stable sort: on a shared date the legal order of the list above is kept.
  const sorted = Object.freeze(list.sort((x, y) => (x.date < y.date ? -1 : x.date > y.date ? 1 : 0)));
  byYear.set(year, sorted);
  for (const h of sorted) {
    const other = byDate.get(h.date);
    byDate.set(h.date, other ? `${other} e ${h.name}` : h.name);
  }
  return sorted;
}

/** The name of the national holiday on `date` ('YYYY-MM-DD'), or undefined on an ordinary day. */
export function nationalHolidayName(date: string): string | undefined {
  italianNationalHolidays(Number(date.slice(0, 4)));
  return byDate.get(date);
}
