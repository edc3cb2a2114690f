// GSM-7: the generated table against the official mapping in ../shared, every character round-trips,
// extension characters take two septets, decoding follows TS 23.038, and Italian transliteration.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { GSM0338_SHA256, GSM7_COMMENTED_ALTERNATIVES, GSM7_DEFAULT_TABLE, GSM7_EXTENSION_TABLE } from './gsm0338-table.js';
import {
  decodeGsm7,
  encodeGsm7,
  Gsm7Error,
  GSM7_CHARACTERS,
  GSM7_EXTENSION_CHARACTERS,
  gsm7Septets,
  isGsm7,
  nonGsm7Characters,
  transliterate,
} from './gsm7.js';

const here = import.meta.dirname;
const tablePath = path.join(here, 'gsm0338-table.ts');
const specPath = path.resolve(here, '../../../../../shared/specs/gsm/GSM0338.TXT');

describe('gsm0338-table.ts', () => {
  it('is exactly what its own generator makes from ../shared/specs/gsm/GSM0338.TXT', () => {
    const table = fs.readFileSync(tablePath, 'utf8');
    const lines = table.split('\n');
    const start = lines.findIndex((l) => l.startsWith('// // >>> generator'));
    const end = lines.findIndex((l) => l.startsWith('// // <<< generator'));
    assert.ok(start > 0 && end > start, 'the generator block is in the header');
    const script = lines
      .slice(start, end + 1)
      .map((l) => l.replace(/^\/\/ ?/, ''))
      .join('\n');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gsm0338-'));
    try {
      const gen = path.join(dir, 'gsm0338-gen.mjs');
      fs.writeFileSync(gen, script + '\n');
      const run = spawnSync(process.execPath, [gen, specPath], { encoding: 'utf8' });
      assert.equal(run.status, 0, run.stderr);
      assert.equal(run.stdout, table);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('matches an independent reading of the mapping file', () => {
    const bytes = fs.readFileSync(specPath);
    assert.equal(GSM0338_SHA256, crypto.createHash('sha256').update(bytes).digest('hex'));
    const basic = new Map<number, number>();
    const ext = new Map<number, number>();
    const commented: [number, number][] = [];
    for (const line of bytes.toString('utf8').split('\n')) {
      const cols = line.split('\t');
      if (cols.length < 3 || !/^#?0x[0-9A-F]+$/i.test(cols[0]!)) continue;
      const isComment = cols[0]!.startsWith('#');
      const code = Number(cols[0]!.replace('#', ''));
      const cp = Number(cols[1]);
      if (isComment) commented.push([code, cp]);
      else if (code > 0xff) ext.set(code & 0xff, cp);
      else basic.set(code, cp);
    }
    assert.equal(basic.size, 128);
    assert.deepEqual([...GSM7_DEFAULT_TABLE], [...basic.keys()].sort((a, b) => a - b).map((k) => basic.get(k)));
    assert.deepEqual(
      GSM7_EXTENSION_TABLE.map(([s, cp]) => [s, cp]),
      [...ext.entries()],
    );
    assert.deepEqual(
      GSM7_COMMENTED_ALTERNATIVES.map(([s, cp]) => [s, cp]),
      commented,
    );
  });

  it('has the extension table the brief names: ^ { } \\ [ ~ ] | € and form feed', () => {
    assert.deepEqual([...GSM7_EXTENSION_CHARACTERS].sort(), ['\f', '[', '\\', ']', '^', '{', '|', '}', '~', '€'].sort());
  });
});

describe('GSM-7 encoding', () => {
  it('round-trips every character of the table, alone and all together', () => {
    assert.equal(GSM7_CHARACTERS.length, 127 + 10);
    for (const ch of GSM7_CHARACTERS) {
      assert.ok(isGsm7(ch), ch);
      const septets = encodeGsm7(ch);
      assert.equal(septets.length, gsm7Septets(ch));
      assert.ok(septets.every((s) => s <= 0x7f));
      assert.equal(decodeGsm7(septets), ch, `U+${ch.codePointAt(0)!.toString(16)}`);
    }
    const all = GSM7_CHARACTERS.join('');
    assert.equal(decodeGsm7(encodeGsm7(all)), all);
    assert.equal(gsm7Septets(all), 127 + 2 * 10);
  });

  it('maps each default septet to its own code and back', () => {
    for (let s = 0; s < 128; s++) {
      if (s === 0x1b) continue;
      const ch = String.fromCodePoint(GSM7_DEFAULT_TABLE[s]!);
      assert.deepEqual([...encodeGsm7(ch)], [s]);
    }
  });

  it('counts extension characters as 2 septets, ESC + code', () => {
    for (const ch of GSM7_EXTENSION_CHARACTERS) {
      assert.equal(gsm7Septets(ch), 2, ch);
      assert.equal(encodeGsm7(ch)[0], 0x1b);
    }
    assert.deepEqual([...encodeGsm7('€')], [0x1b, 0x65]);
    assert.deepEqual([...encodeGsm7('{x}')], [0x1b, 0x28, 0x78, 0x1b, 0x29]);
    assert.equal(gsm7Septets('Costo: 5 € [IVA inclusa]'), 24 + 3);
  });

  it('has the Italian lower-case accents and É, not the other capitals', () => {
    assert.ok(isGsm7('perché è già così, più però'));
    assert.deepEqual([...encodeGsm7('@£$èéùìòàÉ')], [0x00, 0x01, 0x02, 0x04, 0x05, 0x06, 0x07, 0x08, 0x7f, 0x1f]);
    for (const ch of ['È', 'À', 'Ì', 'Ò', 'Ù', 'á', 'ó', 'Ç', '`', '\u00a0', '\t', '😀', '’']) assert.equal(isGsm7(ch), false, ch);
    assert.equal(isGsm7(''), true);
  });

  it('refuses characters outside GSM-7 with their position', () => {
    assert.throws(
      () => gsm7Septets('Ciao È'),
      (e: unknown) => e instanceof Gsm7Error && e.index === 5 && e.character === 'È' && /«È» \(U\+00C8\) in posizione 6/.test(e.message),
    );
    assert.throws(() => encodeGsm7('ok 😀'), Gsm7Error);
    assert.deepEqual(nonGsm7Characters('È così “bello” 😀😀'), ['È', '“', '”', '😀']);
  });

  it('decodes as TS 23.038 says for unknown escapes and rejects non-septets', () => {
    assert.equal(decodeGsm7([0x1b, 0x41]), 'A'); // ESC + code not in the extension table: the default character
    assert.equal(decodeGsm7([0x1b, 0x1b, 0x41]), ' A'); // ESC ESC is reserved: a space
    assert.equal(decodeGsm7([0x41, 0x1b]), 'A'); // a lone ESC at the end is dropped
    assert.equal(decodeGsm7(new Uint8Array([0x00, 0x0a, 0x0d])), '@\n\r');
    assert.throws(() => decodeGsm7([0x80]), RangeError);
    assert.throws(() => decodeGsm7([-1]), RangeError);
  });
});

describe('transliteration', () => {
  it('leaves GSM-7 text as it is', () => {
    const text = 'Perché è già così: l\'ufficio è chiuso. Costo 5€ {x} [y] ~ | ^ \\';
    assert.deepEqual(transliterate(text), { text, changes: [], lossy: false });
  });

  it('writes Italian capitals with a grave accent with an apostrophe, or bare on request', () => {
    const r = transliterate('È chiusa la strada per CITTÀ');
    assert.equal(r.text, "E' chiusa la strada per CITTA'");
    assert.deepEqual(r.changes, [
      { index: 0, from: 'È', to: "E'", reason: 'accent' },
      { index: 27, from: 'À', to: "A'", reason: 'accent' },
    ]);
    assert.equal(r.lossy, false);
    assert.equal(transliterate('È PIÙ', { italianApostrophe: false }).text, 'E PIU');
  });

  it('drops accents GSM-7 lacks and composes decomposed ones', () => {
    assert.equal(transliterate('Martín, José, Ángela, côte, naïve, Øre').text, 'Martin, José, Angela, cote, naive, Øre');
    assert.equal(transliterate('á').text, 'a');
    const decomposed = transliterate('e\u0300 cosi\u0300');
    assert.equal(decomposed.text, 'è così');
    assert.deepEqual(decomposed.changes.map((c) => c.reason), ['normalisation', 'normalisation']);
    assert.equal(transliterate('Ça').text, 'ça'); // the table's own note: 0x09 is shown as capital C-cedilla
    assert.equal(transliterate('ΑΒΓ').text, 'ABΓ'); // Greek capitals: Latin look-alikes, Γ is in the table
  });

  it('turns typographic punctuation and spaces into ASCII', () => {
    const r = transliterate('“Avviso” – l’acqua tornerà… «presto»\u00a0—\tok\u200b');
    assert.equal(r.text, '"Avviso" - l\'acqua tornerà... "presto" - ok');
    assert.ok(r.changes.every((c) => ['punctuation', 'space', 'invisible'].includes(c.reason)));
    assert.equal(r.lossy, false);
    assert.equal(transliterate('n° 5, 2ª, 25°C, ½, x², ™, ©').text, 'no 5, 2a, 25oC, 1/2, x2, TM, (c)');
  });

  it('removes emoji (with the space they leave doubled) and reports it as lossy', () => {
    const r = transliterate('Ciao 👋 a tutti 👨‍👩‍👧 🇮🇹👍🏽!');
    assert.equal(r.text, 'Ciao a tutti !');
    assert.equal(r.lossy, true);
    assert.deepEqual(
      r.changes.map((c) => [c.from, c.reason]),
      [
        ['👋 ', 'emoji'],
        ['👨‍👩‍👧 ', 'emoji'],
        ['🇮🇹', 'emoji'],
        ['👍🏽', 'emoji'],
      ],
    );
    assert.equal(transliterate('👋 Ciao').text, 'Ciao');
    assert.equal(transliterate('❤️').text, '');
  });

  it('writes ? for what has no approximation', () => {
    const r = transliterate('Привет 中文 →');
    assert.equal(r.text, '?????? ?? ?');
    assert.equal(r.lossy, true);
    assert.ok(r.changes.every((c) => c.reason === 'unsupported'));
  });

  it('always returns GSM-7, whatever the input', () => {
    let seed = 42;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let n = 0; n < 300; n++) {
      let s = '';
      for (let i = 0; i < 20; i++) {
        const pick = rnd();
        const cp = pick < 0.4 ? 0x20 + Math.floor(rnd() * 0x60) : pick < 0.8 ? 0xa0 + Math.floor(rnd() * 0x2f60) : 0x1f300 + Math.floor(rnd() * 0x600);
        if (cp >= 0xd800 && cp <= 0xdfff) continue;
        s += String.fromCodePoint(cp);
      }
      const r = transliterate(s);
      assert.ok(isGsm7(r.text), JSON.stringify(s));
      // the changes account for every difference: rebuilding the output from the input gives the same text
      let rebuilt = '';
      let at = 0;
      for (const c of r.changes) {
        rebuilt += s.slice(at, c.index) + c.to;
        at = c.index + c.from.length;
      }
      assert.equal(rebuilt + s.slice(at), r.text, JSON.stringify(s));
    }
  });
});
