// The privacy check of albo documents: codici fiscali, IBANs and special-category words in the text layer.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fiscalCodeCheckChar } from '../../platform/identity/codice-fiscale.js';
import { SENSITIVE_TERMS, maskPersonalData, scanForPersonalData, summarizeFindings, type PrivacyFinding } from './privacy.js';

const kinds = (findings: PrivacyFinding[], kind: PrivacyFinding['kind']) => findings.filter((f) => f.kind === kind);

describe('codici fiscali', () => {
  test('finds valid codes, masked and grouped, in any case', () => {
    const text = 'Richiedente: Mario Rossi (C.F. RSSMRA80A01A479L), delegato BNCGLI85C55A479Q; di nuovo rssmra80a01a479l.';
    const found = kinds(scanForPersonalData(text), 'codice_fiscale');
    assert.deepEqual(found, [
      { kind: 'codice_fiscale', excerpt: 'RSSMRA******479L', count: 2 },
      { kind: 'codice_fiscale', excerpt: 'BNCGLI******479Q', count: 1 },
    ]);
  });

  test('finds omocodia codes', () => {
    const first15 = 'RSSMRA85T10A56N';
    const found = scanForPersonalData(`CF ${first15}${fiscalCodeCheckChar(first15)}.`);
    assert.equal(found.length, 1);
    assert.equal(found[0]!.excerpt, `RSSMRA******56N${fiscalCodeCheckChar(first15)}`);
  });

  test('ignores wrong check characters, codes inside longer words and ordinary words', () => {
    assert.deepEqual(scanForPersonalData('RSSMRA80A01A479X e XRSSMRA80A01A479L e RSSMRA80A01A479L9'), []);
    const words =
      'Responsabilmente AMMINISTRATIVAMENTE CONTEMPORANEAMENTE particolareggiato PROPORZIONALMENTE regolamentazione ' +
      'INTERCOMUNALITÀ sovracomunalmente TRASPARENTEMENTE rappresentativita';
    assert.deepEqual(scanForPersonalData(words), []);
  });

  test('no false positives on random 16-character words that fit the pattern', () => {
    // Letters only, built to fit the format (omocodia letters where digits go): none may be reported.
    let seed = 7;
    const random = (chars: string) => chars[(seed = (seed * 48271) % 2147483647) % chars.length]!;
    const L = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
    const O = 'LMNPQRSTUV';
    for (let i = 0; i < 2000; i++) {
      const pattern = [L, L, L, L, L, L, O, O, 'ABCDEHLMPRST', O, O, L, O, O, O, L];
      const word = pattern.map(random).join('');
      assert.deepEqual(scanForPersonalData(`parola ${word} e ${word.toLowerCase()}`), [], word);
    }
  });
});

describe('IBAN', () => {
  test('finds valid Italian IBANs, with or without spaces', () => {
    const text = 'Accredito su IBAN IT60 X054 2811 1010 0000 0123 456 intestato al beneficiario; conferma IT60X0542811101000000123456.';
    assert.deepEqual(kinds(scanForPersonalData(text), 'iban'), [{ kind: 'iban', excerpt: 'IT60*******************3456', count: 2 }]);
  });

  test('ignores IBANs with wrong check digits and other numbers', () => {
    assert.deepEqual(scanForPersonalData('IBAN IT61 X054 2811 1010 0000 0123 456; protocollo IT2025000123456789012345678'), []);
  });

  test('masks codes and IBANs in text', () => {
    assert.equal(maskPersonalData('CF RSSMRA80A01A479L, IBAN IT60 X054 2811 1010 0000 0123 456.'), 'CF RSSMRA******479L, IBAN IT60*******************3456.');
  });
});

describe('health and other special-category words', () => {
  test('whole words, any case, with or without accents, stems and phrases across lines', () => {
    const text =
      'Il dipendente, affetto da grave PATOLOGIA cronica e sieropositiva, ha presentato certificato\nmedico. ' +
      "Beneficiario della L. 104/1992 e della legge 5 febbraio 1992, n. 104. Riconosciuta l'INVALIDITA' CIVILE e la disabilita.";
    const found = kinds(scanForPersonalData(text), 'health');
    const byTerm = Object.fromEntries(found.map((f) => [f.term, f]));
    assert.equal(byTerm['patologi*']?.excerpt, 'PATOLOGIA');
    assert.equal(byTerm['sieropositiv*']?.excerpt, 'sieropositiva');
    assert.equal(byTerm['certificato medico']?.excerpt, 'certificato medico');
    assert.equal(byTerm['L. 104/1992']?.excerpt, 'L. 104/1992');
    assert.equal(byTerm['legge 5 febbraio 1992, n. 104']?.count, 1);
    assert.equal(byTerm['invalidità civile']?.excerpt, "INVALIDITA' CIVILE");
    assert.equal(byTerm['disabilità']?.excerpt, 'disabilita');
    assert.match(byTerm['patologi*']!.context!, /affetto da grave PATOLOGIA cronica/);
  });

  test('groups repeats and keeps the first form found', () => {
    const found = scanForPersonalData('Diagnosi: x. La diagnosi è stata confermata. DIAGNOSI.');
    assert.deepEqual(
      found.map(({ term, excerpt, count }) => ({ term, excerpt, count })),
      [{ term: 'diagnosi', excerpt: 'Diagnosi', count: 3 }],
    );
  });

  test('no match inside other words or on the ordinary words left out on purpose', () => {
    const text =
      "Inserto tecnico; Malatesta; fisioterapista; l'invalidità dell'atto; tutela della salute pubblica; " +
      'Referto di pubblicazione n. 12/2025; convenzione con l’ASL; ricoverare gli attrezzi? no: rimessa.';
    assert.deepEqual(scanForPersonalData(text), []);
  });

  test('the context never shows a code that the finding masks', () => {
    const text = 'Sig. Bianchi BNCGLI85C55A479Q, IBAN IT60 X054 2811 1010 0000 0123 456, in terapia dal 2020.';
    const [word] = kinds(scanForPersonalData(text), 'health');
    assert.ok(word);
    assert.doesNotMatch(word.context!, /85C55|0123 456|X054/);
    assert.match(word.context!, /IT60\*+3456, in terapia dal 2020/);
  });

  test('the list can be extended (the DPO adds entries)', () => {
    const terms = [...SENSITIVE_TERMS, 'fecondazione assistit*'];
    const found = scanForPersonalData('Accesso alla fecondazione assistita.', terms);
    assert.equal(found[0]?.term, 'fecondazione assistit*');
    assert.deepEqual(scanForPersonalData('diagnosi', []), []);
  });

  test('scans a large text quickly', () => {
    const page = 'Il responsabile del servizio, vista la determinazione, approva la spesa per la manutenzione delle strade. ';
    const text = page.repeat(20_000) + ' diagnosi RSSMRA80A01A479L';
    const started = Date.now();
    const found = scanForPersonalData(text);
    assert.equal(found.length, 2);
    assert.ok(Date.now() - started < 5000, `${Date.now() - started} ms`);
  });
});

describe('summarizeFindings', () => {
  test('nothing found, nothing to say', () => {
    assert.deepEqual(summarizeFindings([]), []);
  });

  test('Italian sentences, singular and plural', () => {
    const one = summarizeFindings(scanForPersonalData('CF RSSMRA80A01A479L RSSMRA80A01A479L, IBAN IT60X0542811101000000123456, diagnosi.'));
    assert.deepEqual(one.slice(0, 2), [
      'Il testo contiene il codice fiscale di una persona fisica: RSSMRA******479L (2 volte).',
      'Il testo contiene un codice IBAN: IT60*******************3456.',
    ]);
    assert.match(one[2]!, /^Il testo contiene un’espressione che può rivelare dati sulla salute .*art\. 9.*art\. 2-septies.*: «diagnosi»\.$/);
    assert.match(one[3]!, /Prima di pubblicare/);

    const many = summarizeFindings(scanForPersonalData('RSSMRA80A01A479L BNCGLI85C55A479Q diagnosi terapia HIV dialisi diabete epilessia demenza'));
    assert.equal(many[0], 'Il testo contiene 2 codici fiscali di persone fisiche: RSSMRA******479L e BNCGLI******479Q.');
    assert.match(many[1]!, /espressioni che possono rivelare.*«diagnosi», «terapia», «HIV», «dialisi», «diabete» e altre 2\.$/);
  });
});
