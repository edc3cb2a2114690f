// SMS planning: encoding choice, part counts at the 160/153 and 70/67 limits, no extension pair or surrogate pair
// cut between parts, the UDH bytes, the refusal of over-long texts, and the cost estimate.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeGsm7 } from './gsm7.js';
import { estimateCost, planSms, shortMessage, SmsPlanError, udh, type SmsPlan } from './segments.js';

const CYR = 'Ж'; // one UTF-16 unit, not in GSM-7: forces UCS-2
const EMOJI = '😀'; // two UTF-16 units (a surrogate pair)
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function decodeUcs2(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 2) s += String.fromCharCode((bytes[i]! << 8) | bytes[i + 1]!);
  return s;
}

/** Checks that hold for every plan: parts within capacity, payloads that decode back to the text. */
function checkPlan(plan: SmsPlan): void {
  assert.equal(plan.segments.length, plan.parts);
  assert.deepEqual(plan.segments.map((s) => s.units), plan.unitsPerPart);
  assert.equal(plan.unitsPerPart.reduce((a, b) => a + b, 0), plan.units);
  assert.equal(plan.segments.map((s) => s.text).join(''), plan.text);
  for (const s of plan.segments) {
    assert.ok(s.units <= plan.perPart && s.units > 0);
    assert.ok(!LONE_SURROGATE.test(s.text), 'no lone surrogate in a part');
    if (plan.encoding === 'gsm7') {
      assert.equal(s.payload.length, s.units);
      assert.notEqual(s.payload[s.payload.length - 1], 0x1b, 'no ESC at the end of a part');
      assert.equal(decodeGsm7(s.payload), s.text);
    } else {
      assert.equal(s.payload.length, s.units * 2);
      assert.equal(decodeUcs2(s.payload), s.text);
    }
  }
}

describe('GSM-7 parts', () => {
  it('sends 160 characters in one part and 161 in two of 153 + 8', () => {
    const one = planSms('a'.repeat(160));
    assert.equal(one.encoding, 'gsm7');
    assert.equal(one.dataCoding, 0);
    assert.equal(one.parts, 1);
    assert.equal(one.perPart, 160);
    assert.deepEqual(one.unitsPerPart, [160]);
    checkPlan(one);

    const two = planSms('a'.repeat(161));
    assert.equal(two.parts, 2);
    assert.equal(two.perPart, 153);
    assert.deepEqual(two.unitsPerPart, [153, 8]);
    assert.equal(two.characters, 161);
    checkPlan(two);
  });

  it('counts extension characters as 2: 80 € fill one part, 81 need two', () => {
    assert.equal(planSms('€'.repeat(80)).parts, 1);
    const p = planSms('€'.repeat(81));
    assert.equal(p.units, 162);
    assert.equal(p.characters, 81);
    assert.deepEqual(p.unitsPerPart, [152, 10]); // 76 € = 152 septets; a 77th would need 154
    checkPlan(p);
  });

  it('moves a € that would straddle the 153rd septet to the next part', () => {
    const p = planSms('a'.repeat(152) + '€' + 'b'.repeat(10));
    assert.deepEqual(p.unitsPerPart, [152, 12]);
    assert.equal(p.segments[0]!.text, 'a'.repeat(152));
    assert.ok(p.segments[1]!.text.startsWith('€'));
    assert.deepEqual([...p.segments[1]!.payload.subarray(0, 2)], [0x1b, 0x65]);
    checkPlan(p);

    const fits = planSms('a'.repeat(151) + '€' + 'b'.repeat(10)); // ESC at 152, code at 153: still part 1
    assert.deepEqual(fits.unitsPerPart, [153, 10]);
    checkPlan(fits);
  });

  it('counts CR LF as two septets and keeps them together', () => {
    assert.equal(planSms('a'.repeat(158) + '\r\n').parts, 1);
    const p = planSms('a'.repeat(152) + '\r\n' + 'b'.repeat(10));
    assert.deepEqual(p.unitsPerPart, [152, 12]);
    assert.ok(p.segments[1]!.text.startsWith('\r\n'));
    checkPlan(p);
  });

  it('composes decomposed accents before choosing the encoding', () => {
    const p = planSms('Perche\u0301 e\u0300 cosi\u0300');
    assert.equal(p.encoding, 'gsm7');
    assert.equal(p.text, 'Perché è così');
    assert.equal(p.units, 13);
  });
});

describe('UCS-2 parts', () => {
  it('sends 70 units in one part and 71 in two of 67 + 4', () => {
    const one = planSms(CYR.repeat(70));
    assert.equal(one.encoding, 'ucs2');
    assert.equal(one.dataCoding, 8);
    assert.equal(one.parts, 1);
    assert.equal(one.perPart, 70);
    checkPlan(one);

    const two = planSms(CYR.repeat(71));
    assert.equal(two.parts, 2);
    assert.equal(two.perPart, 67);
    assert.deepEqual(two.unitsPerPart, [67, 4]);
    checkPlan(two);
  });

  it('encodes UTF-16 big-endian, emoji as a surrogate pair', () => {
    const p = planSms('Ж😀');
    assert.deepEqual([...p.segments[0]!.payload], [0x04, 0x16, 0xd8, 0x3d, 0xde, 0x00]);
    assert.equal(p.units, 3);
    assert.equal(p.characters, 2);
  });

  it('moves an emoji that would straddle the 67th unit to the next part, whole', () => {
    const p = planSms(CYR.repeat(66) + EMOJI + CYR.repeat(5));
    assert.deepEqual(p.unitsPerPart, [66, 7]);
    assert.equal(p.segments[0]!.text, CYR.repeat(66));
    assert.ok(p.segments[1]!.text.startsWith(EMOJI));
    checkPlan(p);

    const fits = planSms(CYR.repeat(65) + EMOJI + CYR.repeat(5));
    assert.deepEqual(fits.unitsPerPart, [67, 5]);
    checkPlan(fits);
  });

  it('keeps a whole emoji sequence (ZWJ family, flag, skin tone) in one part', () => {
    const family = '👨‍👩‍👧'; // 8 units
    const p = planSms(CYR.repeat(62) + family + '🇮🇹👍🏽');
    assert.deepEqual(p.unitsPerPart, [62, 16]);
    assert.equal(p.segments[1]!.text, family + '🇮🇹👍🏽');
    checkPlan(p);
  });

  it('splits a grapheme longer than a part between code points, never inside a surrogate pair', () => {
    const zalgo = 'a' + '\u0301'.repeat(100) + EMOJI; // one grapheme of 101 units, then an emoji
    const p = planSms(zalgo);
    assert.equal(p.encoding, 'ucs2');
    checkPlan(p);
  });
});

describe('encoding choice', () => {
  it('switches to UCS-2 for an emoji unless transliteration is asked', () => {
    assert.equal(planSms('Allerta meteo 🌧️ domani').encoding, 'ucs2');
    const t = planSms('Allerta meteo 🌧️ domani', { transliterate: true });
    assert.equal(t.encoding, 'gsm7');
    assert.equal(t.text, 'Allerta meteo domani');
    assert.equal(t.transliteration?.lossy, true);
    assert.deepEqual(t.transliteration?.changes.map((c) => c.reason), ['emoji']);
  });

  it('keeps Italian text with è é à ò ù ì in GSM-7 and transliterates È only when asked', () => {
    assert.equal(planSms('Domani è prevista neve, più di 20 cm: è già così').encoding, 'gsm7');
    assert.equal(planSms('È prevista neve').encoding, 'ucs2');
    const t = planSms('È prevista neve', { transliterate: true });
    assert.equal(t.text, "E' prevista neve");
    assert.equal(t.transliteration?.lossy, false);
  });

  it('leaves the text alone when it is already GSM-7, even with transliterate', () => {
    const p = planSms('Tutto ok', { transliterate: true });
    assert.equal(p.transliteration, null);
    assert.equal(p.text, 'Tutto ok');
  });

  it('refuses characters outside GSM-7 when UCS-2 is not allowed', () => {
    assert.throws(
      () => planSms('Ciao 😀 “tutti”', { allowUcs2: false }),
      (e: unknown) =>
        e instanceof SmsPlanError &&
        e.code === 'unsupported_characters' &&
        e.message.includes('«😀»') &&
        JSON.stringify(e.details.characters) === JSON.stringify(['😀', '“', '”']),
    );
    assert.equal(planSms('Ciao 😀', { allowUcs2: false, transliterate: true }).encoding, 'gsm7');
  });

  it('refuses an empty text, also when transliteration empties it', () => {
    assert.throws(() => planSms(''), (e: unknown) => e instanceof SmsPlanError && e.code === 'empty');
    assert.throws(() => planSms('😀😀', { transliterate: true }), (e: unknown) => e instanceof SmsPlanError && e.code === 'empty');
  });
});

describe('length limit', () => {
  it('refuses a 2,000-character SMS with the number of parts it would need', () => {
    assert.throws(
      () => planSms('a'.repeat(2000)),
      (e: unknown) =>
        e instanceof SmsPlanError &&
        e.code === 'too_many_parts' &&
        e.details.parts === 14 &&
        e.details.maxParts === 10 &&
        e.message.includes('14 SMS') &&
        e.message.includes('2.000 caratteri') &&
        e.message.includes('massimo consentito è 10'),
    );
    assert.throws(() => planSms(CYR.repeat(2000)), (e: unknown) => e instanceof SmsPlanError && e.details.parts === 30);
  });

  it('takes the maximum from the options', () => {
    assert.equal(planSms('a'.repeat(2000), { maxParts: 14 }).parts, 14);
    assert.throws(() => planSms('a'.repeat(307), { maxParts: 2 }), SmsPlanError); // 3 parts
    assert.equal(planSms('a'.repeat(306), { maxParts: 2 }).parts, 2);
    assert.throws(() => planSms('a', { maxParts: 0 }), RangeError);
    assert.throws(() => planSms('a', { maxParts: 256 }), RangeError);
  });
});

describe('UDH', () => {
  it('is 05 00 03 ref total seq', () => {
    assert.deepEqual([...udh(0x2a, 3, 1)], [0x05, 0x00, 0x03, 0x2a, 0x03, 0x01]);
    assert.deepEqual([...udh(0, 2, 2)], [0x05, 0x00, 0x03, 0x00, 0x02, 0x02]);
    assert.deepEqual([...udh(255, 255, 255)], [0x05, 0x00, 0x03, 0xff, 0xff, 0xff]);
  });

  it('refuses values that do not fit', () => {
    assert.throws(() => udh(256, 2, 1), RangeError);
    assert.throws(() => udh(-1, 2, 1), RangeError);
    assert.throws(() => udh(1, 0, 1), RangeError);
    assert.throws(() => udh(1, 2, 3), RangeError);
    assert.throws(() => udh(1, 2, 0), RangeError);
    assert.throws(() => udh(1.5, 2, 1), RangeError);
  });

  it('goes in front of each part of a concatenated message when a reference is given', () => {
    const p = planSms('a'.repeat(161), { reference: 7 });
    assert.deepEqual(p.segments.map((s) => [...s.udh!]), [
      [5, 0, 3, 7, 2, 1],
      [5, 0, 3, 7, 2, 2],
    ]);
    const first = shortMessage(p.segments[0]!);
    assert.equal(first.length, 6 + 153);
    assert.deepEqual([...first.subarray(0, 6)], [5, 0, 3, 7, 2, 1]);
    assert.equal(planSms('a'.repeat(161)).segments[0]!.udh, null);
    assert.equal(planSms('breve', { reference: 7 }).segments[0]!.udh, null); // one part: no UDH
    assert.equal(shortMessage(planSms('breve').segments[0]!).length, 5);
    assert.throws(() => planSms('a', { reference: 300 }), RangeError);
  });
});

describe('random texts', () => {
  it('always split into valid parts that rebuild the text', () => {
    const alphabet = ['a', 'è', '€', '{', ' ', '\n', CYR, EMOJI, '👨‍👩‍👧', 'e\u0301'];
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let n = 0; n < 400; n++) {
      const len = 1 + Math.floor(rnd() * 600);
      const pool = rnd() < 0.5 ? alphabet.slice(0, 6) : alphabet;
      let s = '';
      for (let i = 0; i < len; i++) s += pool[Math.floor(rnd() * pool.length)];
      const p = planSms(s, { maxParts: 255 });
      checkPlan(p);
      const cap = p.encoding === 'gsm7' ? 153 : 67;
      if (p.parts > 1) assert.ok(p.unitsPerPart.slice(0, -1).every((u) => u > cap - 8), 'parts are filled greedily');
    }
  });
});

describe('cost estimate', () => {
  it('multiplies parts, recipients and the price per part', () => {
    assert.deepEqual(estimateCost(2, 1000, 4.5), { totalParts: 2000, cents: 9000, formatted: '90,00\u00a0€' });
    assert.equal(estimateCost(3, 1, 0.1).cents, 1); // 0.3 cents rounded up, not 2 from float noise
    assert.equal(estimateCost(1, 200_000, 3).formatted, '6.000,00\u00a0€');
    assert.equal(estimateCost(4, 0, 5).cents, 0);
  });

  it('refuses nonsense', () => {
    assert.throws(() => estimateCost(-1, 10, 5), RangeError);
    assert.throws(() => estimateCost(1.5, 10, 5), RangeError);
    assert.throws(() => estimateCost(1, 10, Number.NaN), RangeError);
    assert.throws(() => estimateCost(1, 10, -2), RangeError);
  });
});
