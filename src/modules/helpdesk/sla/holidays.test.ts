// Italian national holidays: Easter by the Meeus/Jones/Butcher algorithm (known dates and an independent
// algorithm over the whole range), the fixed days, San Francesco from 2026, coinciding holidays.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { easterSunday, FIRST_YEAR, italianNationalHolidays, LAST_YEAR, nationalHolidayName, SAN_FRANCESCO_FROM_YEAR } from './holidays.js';

/** Easter by Knuth's algorithm (TAOCP vol. 1, 1.3.2 ex. 14): a second, independent derivation. */
function knuthEaster(year: number): string {
  const g = (year % 19) + 1;
  const c = Math.floor(year / 100) + 1;
  const x = Math.floor((3 * c) / 4) - 12;
  const z = Math.floor((8 * c + 5) / 25) - 5;
  const d = Math.floor((5 * year) / 4) - x - 10;
  let e = (11 * g + 20 + z - x) % 30;
  if ((e === 25 && g > 11) || e === 24) e++;
  let n = 44 - e;
  if (n < 21) n += 30;
  n = n + 7 - ((d + n) % 7);
  const [month, day] = n > 31 ? [4, n - 31] : [3, n];
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

describe('easterSunday', () => {
  it('gives the known dates, including the earliest and latest possible', () => {
    const known: Record<number, string> = {
      1818: '1818-03-22', 1943: '1943-04-25', 2000: '2000-04-23', 2008: '2008-03-23', 2011: '2011-04-24', 2019: '2019-04-21',
      2024: '2024-03-31', 2025: '2025-04-20', 2026: '2026-04-05', 2027: '2027-03-28', 2038: '2038-04-25', 2285: '2285-03-22',
    };
    for (const [year, date] of Object.entries(known)) assert.equal(easterSunday(Number(year)), date, year);
  });

  it('agrees with an independent algorithm and is always a Sunday between 22 March and 25 April', () => {
    for (let year = FIRST_YEAR; year <= 4099; year++) {
      const easter = easterSunday(year);
      assert.equal(easter, knuthEaster(year), String(year));
      assert.equal(new Date(`${easter}T00:00:00Z`).getUTCDay(), 0, easter);
      assert.ok(easter.slice(5) >= '03-22' && easter.slice(5) <= '04-25', easter);
    }
  });

  it('refuses years outside the Gregorian range', () => {
    assert.throws(() => easterSunday(1582), /Anno non valido: 1582/);
    assert.throws(() => easterSunday(LAST_YEAR + 1), RangeError);
    assert.throws(() => easterSunday(2026.5), RangeError);
  });
});

describe('italianNationalHolidays', () => {
  it('lists the 2026 holidays in date order, with Italian names', () => {
    assert.deepEqual(italianNationalHolidays(2026), [
      { date: '2026-01-01', name: 'Capodanno' },
      { date: '2026-01-06', name: 'Epifania' },
      { date: '2026-04-05', name: 'Pasqua' },
      { date: '2026-04-06', name: "Lunedì dell'Angelo" },
      { date: '2026-04-25', name: 'Festa della Liberazione' },
      { date: '2026-05-01', name: 'Festa del Lavoro' },
      { date: '2026-06-02', name: 'Festa della Repubblica' },
      { date: '2026-08-15', name: 'Assunzione di Maria (Ferragosto)' },
      { date: '2026-10-04', name: "San Francesco d'Assisi, patrono d'Italia" },
      { date: '2026-11-01', name: 'Ognissanti' },
      { date: '2026-12-08', name: 'Immacolata Concezione' },
      { date: '2026-12-25', name: 'Natale' },
      { date: '2026-12-26', name: 'Santo Stefano' },
    ]);
  });

  it('has 4 October only from 2026 (L. 151/2025)', () => {
    assert.equal(SAN_FRANCESCO_FROM_YEAR, 2026);
    assert.equal(nationalHolidayName('2025-10-04'), undefined);
    assert.equal(italianNationalHolidays(2025).length, 12);
    assert.equal(nationalHolidayName('2027-10-04'), "San Francesco d'Assisi, patrono d'Italia");
    assert.equal(italianNationalHolidays(2027).length, 13);
  });

  it('moves Easter Monday with Easter, across the month end', () => {
    assert.equal(nationalHolidayName('2024-04-01'), "Lunedì dell'Angelo"); // Easter 31 March 2024
    assert.equal(nationalHolidayName('2027-03-29'), "Lunedì dell'Angelo");
    assert.equal(nationalHolidayName('2026-04-13'), undefined);
  });

  it('keeps both names when two holidays share a date', () => {
    // Easter 2011 was 24 April: Easter Monday fell on Liberation Day (and again in 2038).
    const onThe25th = italianNationalHolidays(2011).filter((h) => h.date === '2011-04-25').map((h) => h.name);
    assert.deepEqual(onThe25th, ["Lunedì dell'Angelo", 'Festa della Liberazione']);
    assert.equal(nationalHolidayName('2011-04-25'), "Lunedì dell'Angelo e Festa della Liberazione");
    assert.equal(nationalHolidayName('2038-04-26'), "Lunedì dell'Angelo");
  });

  it('is undefined on ordinary days and throws on malformed dates', () => {
    assert.equal(nationalHolidayName('2026-03-02'), undefined);
    assert.equal(nationalHolidayName('2026-12-24'), undefined);
    assert.throws(() => nationalHolidayName('non-una-data'), RangeError);
  });
});
