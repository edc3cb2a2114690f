// Phone numbers: the ways Italians write them, mobile vs landline, foreign numbers only when allowed, and
// clear Italian errors for everything else.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSmsCapable, normalizePhone, PhoneNumberError, type PhoneErrorCode } from './phone.js';

const mobile = { e164: '+393331234567', kind: 'mobile', smsCapable: true, country: 'IT' };

function rejects(input: string, code: PhoneErrorCode, message: RegExp, options = {}): void {
  assert.throws(
    () => normalizePhone(input, options),
    (e: unknown) => e instanceof PhoneNumberError && e.code === code && message.test(e.message) && e.input === input,
    `${JSON.stringify(input)} should fail with ${code}`,
  );
}

describe('Italian mobile numbers', () => {
  it('accepts the usual ways of writing one', () => {
    for (const input of [
      '+39 333 1234567',
      '+393331234567',
      '0039 333 1234567',
      '0039-333-1234567',
      '333-123 4567',
      '3331234567',
      ' 333.123.4567 ',
      '(333) 123 4567',
      '333/1234567',
      '+39\u00a0333\u00a01234567',
      '393331234567', // a "+" lost in a spreadsheet
    ]) {
      assert.deepEqual(normalizePhone(input), mobile, input);
    }
  });

  it('accepts 9 and 10 digits in all, not fewer or more', () => {
    assert.equal(normalizePhone('333 123456').e164, '+39333123456');
    assert.equal(normalizePhone('+39 313 1234567').kind, 'mobile');
    rejects('333 12345', 'too_short', /cellulare troppo corto: 8 cifre/);
    rejects('+39 333 12345678', 'too_long', /cellulare troppo lungo: 11 cifre/);
    rejects('333 1234 5678 9', 'too_long', /troppo lungo/);
  });

  it('reads 39 + 10 digits only as an international number when it cannot be a national one', () => {
    assert.equal(normalizePhone('3931234567').e164, '+393931234567'); // a 10-digit mobile starting 393
    assert.equal(normalizePhone('39333123456').e164, '+39333123456'); // 39 + 9-digit mobile
  });
});

describe('Italian landlines', () => {
  it('are kept with their 0, flagged as not SMS-capable', () => {
    assert.deepEqual(normalizePhone('0141 123456'), { e164: '+390141123456', kind: 'landline', smsCapable: false, country: 'IT' });
    assert.equal(normalizePhone('+39 06 12345678').e164, '+390612345678');
    assert.equal(normalizePhone('0039 011 1234567').kind, 'landline');
    assert.equal(normalizePhone('02 1234').e164, '+39021234'); // 6 digits in all
    assert.equal(normalizePhone('0141 1234567').e164, '+3901411234567'); // 11 digits
    assert.equal(isSmsCapable('0141 123456'), false);
  });

  it('have 6 to 11 digits', () => {
    rejects('0141 1', 'too_short', /rete fissa troppo corto: 5 cifre/);
    rejects('0141 12345678', 'too_long', /rete fissa troppo lungo: 12 cifre/);
  });
});

describe('other Italian ranges', () => {
  it('are refused: toll-free, premium, short numbers', () => {
    for (const input of ['800 123456', '+39 899 123456', '112', '4123456789', '+39 55 1234567']) {
      rejects(input, 'unsupported_range', /serve un cellulare \(inizia per 3\) o un fisso \(inizia per 0\)/);
    }
  });
});

describe('foreign numbers', () => {
  it('are refused unless allowed', () => {
    rejects('+44 7911 123456', 'foreign_not_allowed', /numeri esteri non sono ammessi \(\+447…\)/);
    rejects('0041 79 123 45 67', 'foreign_not_allowed', /numeri esteri/);
    assert.equal(isSmsCapable('+44 7911 123456'), false);
  });

  it('are checked per country when allowed', () => {
    const allowForeign = { allowForeign: true };
    assert.deepEqual(normalizePhone('+44 7400 123456', allowForeign), { e164: '+447400123456', kind: 'foreign', smsCapable: true, country: 'GB' });
    assert.deepEqual(normalizePhone('0041 79 123 45 67', allowForeign), { e164: '+41791234567', kind: 'foreign', smsCapable: true, country: 'CH' });
    const london = normalizePhone('+44 20 7946 0958', allowForeign);
    assert.equal(london.kind, 'foreign');
    assert.equal(london.smsCapable, false); // a fixed line
    assert.equal(normalizePhone('+378 66 12 34 56', allowForeign).country, 'SM'); // San Marino is abroad
    assert.equal(isSmsCapable('+44 7400 123456', allowForeign), true);
    // Italian numbers are unchanged by the option
    assert.deepEqual(normalizePhone('+39 333 1234567', allowForeign), mobile);
  });

  it('are refused when the country plan says they cannot exist', () => {
    rejects('+44 12', 'invalid_foreign', /Numero estero non valido/, { allowForeign: true });
    rejects('+1 555 0100', 'invalid_foreign', /Numero estero non valido/, { allowForeign: true });
    rejects('+999 1234567', 'invalid_foreign', /Numero estero non valido/, { allowForeign: true });
    rejects('+44 1234 5678 9012 3456', 'too_long', /al massimo 15 cifre/, { allowForeign: true });
  });
});

describe('malformed input', () => {
  it('gets a clear Italian error', () => {
    rejects('', 'empty', /mancante/);
    rejects('   ', 'empty', /mancante/);
    rejects('333 ABC 4567', 'invalid_characters', /solo cifre/);
    rejects('+39 333 1234567 int. 2', 'invalid_characters', /solo cifre/);
    rejects('39+3331234567', 'invalid_characters', /solo cifre/);
    rejects('++39 333 1234567', 'invalid_characters', /solo cifre/);
    rejects('+0 333 1234567', 'invalid_characters', /prefisso del paese/);
    rejects('+', 'invalid_characters', /solo cifre/);
    rejects('00', 'invalid_characters', /prefisso del paese/);
    assert.equal(isSmsCapable('non è un numero'), false);
  });
});
