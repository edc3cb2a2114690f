import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { groupedNoticeNumber, isValidNoticeNumber, iuvOf, noticeNumberOf } from './iuv.js';

describe('IUV (aux digit 3)', () => {
  it('matches the test vector of the issue', () => {
    const iuv = iuvOf('01', '0000000000123');
    assert.equal(iuv, '01000000000012373');
    assert.equal(noticeNumberOf(iuv), '301000000000012373');
    assert.equal(iuvOf('01', 123), iuv);
  });
  it('validates notice numbers by their check digits', () => {
    assert.ok(isValidNoticeNumber('301000000000012373'));
    assert.ok(!isValidNoticeNumber('301000000000012374'));
    assert.ok(!isValidNoticeNumber('001000000000012373'));
    assert.ok(!isValidNoticeNumber('30100000000001237'));
  });
  it('keeps every base distinct and check digits on two digits, at the edges of the range', () => {
    for (const base of [1, 92, 93, 9_999_999_999_999]) {
      const iuv = iuvOf('47', base);
      assert.equal(iuv.length, 17);
      assert.ok(isValidNoticeNumber(noticeNumberOf(iuv)));
    }
    assert.throws(() => iuvOf('47', 0));
    assert.throws(() => iuvOf('47', '10000000000000'));
    assert.throws(() => iuvOf('4', 1));
  });
  it('prints the notice number in groups of four', () => {
    assert.equal(groupedNoticeNumber('301000000000012373'), '3010 0000 0000 0123 73');
  });
});
