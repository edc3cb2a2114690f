// Slugs and the legal calendar day: the day in Europe/Rome, across year change, leap day and DST changes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { reservedSlugs, slugify, todayInRome } from './index.js';

describe('slugify', () => {
  it('makes URL-safe slugs from Italian names', () => {
    assert.equal(slugify("Castell'Alfero"), 'castell-alfero');
    assert.equal(slugify("Costigliole d'Asti"), 'costigliole-d-asti');
    assert.equal(slugify('Piovà Massaia'), 'piova-massaia');
    assert.equal(slugify('Moransengo-Tonengo'), 'moransengo-tonengo');
    assert.equal(slugify('  Unione  Comunità Collinare  '), 'unione-comunita-collinare');
  });
  it('keeps platform paths out of the slug space', () => {
    for (const path of ['api', 'backoffice', 'assets', 'healthz', 'pagopa']) assert.ok(reservedSlugs.has(path));
  });
});

describe('todayInRome', () => {
  const cases: [string, string, string][] = [
    ['2025-12-31T22:59:59Z', '2025-12-31', 'last second of the year in Rome (CET, UTC+1)'],
    ['2025-12-31T23:00:00Z', '2026-01-01', 'new year in Rome while still 31 December in UTC'],
    ['2024-02-28T23:30:00Z', '2024-02-29', 'leap day'],
    ['2024-03-30T23:30:00Z', '2024-03-31', 'night of the change to summer time'],
    ['2024-03-31T22:30:00Z', '2024-04-01', 'first night of summer time (UTC+2)'],
    ['2024-10-26T22:30:00Z', '2024-10-27', 'last night of summer time'],
    ['2024-10-27T22:30:00Z', '2024-10-27', 'first night of winter time (UTC+1): still the 27th'],
  ];
  for (const [instant, expected, why] of cases) {
    it(`${instant} is ${expected} (${why})`, () => assert.equal(todayInRome(new Date(instant)), expected));
  }
});
