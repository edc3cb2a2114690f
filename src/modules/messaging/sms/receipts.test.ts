// Pure parts of the SMS channel: reading delivery receipts (SMPP 3.4 Appendix B text and TLVs), telling them
// from a citizen's SMS, matching a receipt's quoted text to a part (recovery), and the pace of the token bucket.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PDU } from 'smpp';
import { TokenBucket, ThrottleBackoff } from './rate.js';
import { isReceipt, parseReceipt } from './receipts.js';
import { matchPart } from './recovery.js';
import { planSms } from './segments.js';
import { parseSmppUrl } from './smpp-session.js';

const pdu = (fields: Record<string, unknown>) => fields as unknown as PDU;

describe('SMS receipts and pacing', () => {
  it('reads the receipt text format and prefers the TLVs when present', () => {
    const text = 'id:1A2B3C sub:001 dlvr:001 submit date:2611231200 done date:2611231201 stat:DELIVRD err:000 text:Allerta meteo arancio';
    const r = parseReceipt(pdu({ esm_class: 0x04, source_addr_ton: 1, source_addr: '393331234567', short_message: { message: text } }));
    assert.deepEqual(r, { id: '1A2B3C', stat: 'DELIVRD', err: '000', phone: '+393331234567', text: 'Allerta meteo arancio' });
    const tlv = parseReceipt(pdu({ esm_class: 0x04, source_addr_ton: 1, source_addr: '393331234567', short_message: { message: '' }, receipted_message_id: 'FF01', message_state: 5 }));
    assert.equal(tlv?.id, 'FF01');
    assert.equal(tlv?.stat, 'UNDELIV');
    assert.equal(parseReceipt(pdu({ esm_class: 0x04, short_message: { message: 'no id here' } })), null);
  });

  it('tells receipts (esm_class 0x04) from a citizen\'s SMS', () => {
    assert.equal(isReceipt(pdu({ esm_class: 0x04 })), true);
    assert.equal(isReceipt(pdu({ esm_class: 0x00 })), false);
    assert.equal(isReceipt(pdu({ esm_class: 0x40 })), false);
  });

  it('matches a quoted text to the part it starts, skipping parts already known; lossy quotes of UCS-2 too', () => {
    const plan = planSms('Prima parte del messaggio. '.repeat(5) + 'Seconda parte diversa dalla prima. '.repeat(3));
    assert.equal(plan.parts, 2);
    assert.equal(matchPart(plan, plan.segments[0]!.text.slice(0, 20), new Set()), 1);
    assert.equal(matchPart(plan, plan.segments[1]!.text.slice(0, 20), new Set()), 2);
    assert.equal(matchPart(plan, plan.segments[0]!.text.slice(0, 20), new Set([1])), null);
    const ucs2 = planSms('Festa stasera 🎉 in piazza');
    assert.equal(matchPart(ucs2, 'Festa stasera   in p', new Set()), 1);
    assert.equal(matchPart(ucs2, 'Tutt\'altro testo', new Set()), null);
  });

  it('paces at the configured rate and pauses as a whole on throttling, without doubling within one episode', async () => {
    const bucket = new TokenBucket(500, 1);
    const started = performance.now();
    for (let i = 0; i < 26; i++) await bucket.take();
    assert.ok(performance.now() - started >= 45, 'about 2 ms apart'); // 25 intervals of 2 ms
    const backoff = new ThrottleBackoff(bucket, 50, 1000);
    assert.equal(backoff.throttled(), 50);
    assert.equal(backoff.throttled(), 0, 'already paused: same episode');
    const before = performance.now();
    await bucket.take();
    assert.ok(performance.now() - before >= 45, 'waited out the pause');
  });

  it('reads system_id and password from SMPP_URL', () => {
    assert.deepEqual(parseSmppUrl('smpp://comuni:s%40greta@smsc.example.it:2775'), { host: 'smsc.example.it', port: 2775, systemId: 'comuni', password: 's@greta' });
  });
});
