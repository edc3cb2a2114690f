// Codice fiscale and IBAN checks of the identity kernel (pure functions, no database).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fiscalCodeCheckChar, fiscalCodeProblem, isValidFiscalCode, normalizeFiscalCode, oddEvenCheckChar } from './codice-fiscale.js';
import { ibanChecksumValid, isValidItalianIban, italianCinCheckChar, normalizeIban } from './iban.js';

describe('codice fiscale', () => {
  test('computes the official check character', () => {
    assert.equal(fiscalCodeCheckChar('RSSMRA85T10A562'), 'S');
    assert.equal(fiscalCodeCheckChar('RSSMRA80A01H501'), 'U');
    assert.equal(fiscalCodeCheckChar('rssmra80a01a479'), 'L');
    assert.throws(() => fiscalCodeCheckChar('RSSMRA80A01'));
    assert.throws(() => fiscalCodeCheckChar('RSSMRA80A01A47-'));
  });

  test('validates format, omocodia and check character', () => {
    for (const code of ['RSSMRA80A01A479L', 'BNCGLI85C55A479Q', 'FRRLCU72S20F902J', 'GLLNNA90L44B594D', 'RSSMRA85T10A562S']) {
      assert.equal(fiscalCodeProblem(code), null, code);
      assert.ok(isValidFiscalCode(code));
    }
    // Omocodia: digits replaced by LMNPQRSTUV from the right, each with its own check character.
    for (const first15 of ['RSSMRA85T10A56N', 'RSSMRA85T10A5RN', 'RSSMRAURTMLARSN']) {
      assert.equal(fiscalCodeProblem(first15 + fiscalCodeCheckChar(first15)), null, first15);
    }
    assert.equal(fiscalCodeProblem('RSSMRA85T10A562T'), 'check');
    assert.equal(fiscalCodeProblem('RSSMRA85T10A562'), 'format');
    assert.equal(fiscalCodeProblem('RSSMRA85X10A562S'), 'format'); // X is no month
    assert.equal(fiscalCodeProblem('RSSMRA85T10A5W2S'), 'format'); // W is no omocodia letter
    assert.equal(fiscalCodeProblem('rssmra85t10a562s'), 'format'); // callers normalise first
    assert.equal(fiscalCodeProblem('12345678901'), 'format'); // numeric codes of legal persons are another thing
    assert.ok(isValidFiscalCode(normalizeFiscalCode(' rssmra85t10a562s ')));
  });

  test('the odd/even check works on any length (it is also the bank CIN)', () => {
    assert.equal(oddEvenCheckChar('RSSMRA85T10A562'), 'S');
    assert.throws(() => oddEvenCheckChar('àè'));
  });
});

/** Builds a valid IBAN from country and BBAN by computing the check digits (ISO 7064 mod 97-10). */
function withCheckDigits(country: string, bban: string): string {
  const digits = (bban + country + '00').replace(/[A-Z]/g, (c) => String(c.charCodeAt(0) - 55));
  const check = 98 - Number(BigInt(digits) % 97n);
  return `${country}${String(check).padStart(2, '0')}${bban}`;
}

describe('IBAN', () => {
  test('accepts valid Italian IBANs, with spaces and in lower case', () => {
    assert.ok(isValidItalianIban('IT60X0542811101000000123456'));
    assert.ok(isValidItalianIban('IT60 X054 2811 1010 0000 0123 456'));
    assert.ok(isValidItalianIban('it60x0542811101000000123456'));
    const bban = `${italianCinCheckChar('0306909606100000063713')}0306909606100000063713`;
    assert.ok(isValidItalianIban(withCheckDigits('IT', bban)));
    const posteAccount = '0760103300' + '0CC001234567'; // ABI + CAB + an account with letters
    const lettersInAccount = withCheckDigits('IT', italianCinCheckChar(posteAccount) + posteAccount);
    assert.ok(isValidItalianIban(lettersInAccount), lettersInAccount);
  });

  test('rejects wrong check digits, wrong structure and other countries', () => {
    assert.equal(isValidItalianIban('IT61X0542811101000000123456'), false);
    assert.equal(isValidItalianIban('IT60X0542811101000000123465'), false); // two digits swapped
    assert.equal(isValidItalianIban('IT60X054281110100000012345'), false); // too short
    assert.equal(isValidItalianIban('IT6000542811101000000123456'), false); // no CIN letter
    assert.equal(isValidItalianIban('DE89370400440532013000'), false);
    assert.ok(ibanChecksumValid('DE89 3704 0044 0532 0130 00'));
    assert.equal(ibanChecksumValid('DE88370400440532013000'), false);
    assert.equal(isValidItalianIban(''), false);
  });

  test('the CIN of a known IBAN and normalisation', () => {
    assert.equal(italianCinCheckChar('0542811101000000123456'), 'X');
    assert.throws(() => italianCinCheckChar('05428'));
    assert.equal(normalizeIban('it60 x054\u00a02811'), 'IT60X0542811');
  });
});
