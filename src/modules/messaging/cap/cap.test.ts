// CAP 1.2 export: real documents validate against the OASIS schema with xmllint (text needing escaping
// included: & < " à), times carry the Rome offset on both sides of DST, and invalid CAP fields are refused.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { XMLParser } from 'fast-xml-parser';
import { MessagingError } from '../service.js';
import { assertValidCap } from './fixtures/xmllint.js';
import { buildCapAlert, capDateTime, validateCap, type CapAlertInput } from './cap.js';

const sample = (over: Partial<CapAlertInput> = {}): CapAlertInput => ({
  identifier: 'cir.example.asti.6f1c',
  sender: 'asti@cir.example',
  sent: new Date('2026-11-24T13:30:05Z'),
  senderName: 'Comune di Asti',
  headline: 'Allerta "arancione" & neve < 10 cm: città',
  description: 'Evitare spostamenti <script>alert(1)</script> & sottopassi; è già «chiusa» via Roma.\u0001',
  web: 'https://cir.example/asti/avvisi',
  cap: { category: 'Met', event: 'Neve & gelo', urgency: 'Expected', severity: 'Severe', certainty: 'Likely', expires: '2026-11-25T22:59:00.000Z', areaDesc: "Asti, Castell'Alfero & Montechiaro d'Asti" },
  areas: [
    { name: 'Asti', istatCode: '005005' },
    { name: "Castell'Alfero", istatCode: '005021' },
    { name: 'Unione', istatCode: null },
  ],
  ...over,
});

describe('CAP 1.2 export', () => {
  it('validates against CAP-v1.2.xsd, with escaped text that reads back unchanged', () => {
    const xml = buildCapAlert(sample());
    assertValidCap(xml);
    assert.match(xml, /&amp; neve &lt; 10 cm/);
    const alert = new XMLParser({ parseTagValue: false }).parse(xml).alert;
    assert.equal(alert.status, 'Actual');
    assert.equal(alert.msgType, 'Alert');
    assert.equal(alert.scope, 'Public');
    assert.equal(alert.sent, '2026-11-24T14:30:05+01:00');
    assert.equal(alert.info.language, 'it-IT');
    assert.equal(alert.info.headline, 'Allerta "arancione" & neve < 10 cm: città');
    assert.equal(alert.info.description, 'Evitare spostamenti <script>alert(1)</script> & sottopassi; è già «chiusa» via Roma.', 'control characters dropped');
    assert.equal(alert.info.expires, '2026-11-25T23:59:00+01:00');
    assert.deepEqual(alert.info.area.geocode, [{ valueName: 'ISTAT', value: '005005' }, { valueName: 'ISTAT', value: '005021' }]);
  });

  it('identifier and sender carry no spaces, commas, < or &; optional parts may be absent', () => {
    const xml = buildCapAlert(sample({ identifier: 'a b,c<d&e', sender: 'x y', web: null, areas: [], cap: { ...sample().cap, expires: null } }));
    assertValidCap(xml);
    const alert = new XMLParser({ parseTagValue: false }).parse(xml).alert;
    assert.equal(alert.identifier, 'a-b-c-d-e');
    assert.equal(alert.sender, 'x-y');
    assert.equal(alert.info.expires, undefined);
  });

  it('writes the Rome offset in summer and winter', () => {
    assert.equal(capDateTime(new Date('2026-07-01T10:00:00Z')), '2026-07-01T12:00:00+02:00');
    assert.equal(capDateTime(new Date('2026-10-25T00:30:00Z')), '2026-10-25T02:30:00+02:00');
    assert.equal(capDateTime(new Date('2026-10-25T01:30:00Z')), '2026-10-25T02:30:00+01:00');
    assert.equal(capDateTime(new Date('2026-12-31T23:00:00Z')), '2027-01-01T00:00:00+01:00');
  });

  it('refuses invalid fields in Italian', () => {
    const now = new Date('2026-11-24T12:00:00Z');
    const ok = { category: 'Met', event: 'Neve', urgency: 'Expected', severity: 'Severe', certainty: 'Likely', areaDesc: 'Asti' };
    assert.equal(validateCap(ok, now).expires, null);
    assert.throws(() => validateCap({ ...ok, category: 'Weather' }, now), (e: unknown) => e instanceof MessagingError && /categoria non valida/.test(e.message));
    assert.throws(() => validateCap({ ...ok, event: ' ' }, now), /evento/);
    assert.throws(() => validateCap({ ...ok, expires: '2026-11-24T11:00:00Z' }, now), /nel futuro/);
    assert.throws(() => validateCap({ ...ok, expires: 'domani' }, now), /scadenza non valida/);
  });
});
