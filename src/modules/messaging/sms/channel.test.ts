// The SMS channel against a real SMPP server in its own process (test/support/smpp-peer*.ts): what reaches the
// SMSC (GSM-7 and UCS-2, concatenation UDH, sender, receipts asked), delivery receipts, STOP, and the bad input
// of issue 5 — invalid numbers, emoji, 2,000 characters, a peer that drops the connection or answers throttled:
// automatic recovery, nothing lost, nothing twice.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { duplicateParts, startSmppPeer, type SmppPeer, type StoredSubmit } from '../../../../test/support/smpp-peer.js';
import { startTestPlatform, type TestPlatform } from '../../../../test/support/platform.js';
import { comuneWithoutSubscribers } from '../../../../test/support/subscribers.js';
import { systemActor } from '../../../platform/audit/index.js';
import { withEnte } from '../../../platform/db/index.js';
import { createMessage, sendMessage } from '../service.js';
import { subscribe } from '../consent.js';
import { smsRuntime } from './channel.js';
import { SmsPlanError } from './segments.js';

describe('SMS over SMPP against a real SMSC process', () => {
  let peer: SmppPeer;
  let p: TestPlatform;
  let ente: { id: string; slug: string };
  let nextPhone = 3_200_000_000;

  before(async () => {
    peer = await startSmppPeer({ receiptDelayMs: 10, receiptRetryMs: 200 });
    p = await startTestPlatform({ workers: true, env: { SMPP_URL: peer.url, SMPP_RATE: '400', SMPP_WINDOW: '5', SMPP_RECOVERY_GRACE_SECONDS: '1' } });
    // A comune without demo subscribers: every recipient here is one of this test's.
    ente = await comuneWithoutSubscribers(p.platform.db.owner);
    await p.platform.db.owner.updateTable('msg_settings').set({ sms_sender: 'ComuneTest' }).where('ente_id', '=', ente.id).execute();
  });
  after(async () => {
    await p?.close();
    await peer?.stop();
  });

  /** n new verified subscribers to `topic` (or the given phones); returns their E.164 numbers. */
  async function subscribers(topic: string, n: number, phones: string[] = []): Promise<string[]> {
    const all = [...phones, ...Array.from({ length: n }, () => `+39${nextPhone++}`)];
    await withEnte(p.platform.db.app, ente.id, async (trx) => {
      for (const phone of all) await subscribe(trx, ente.id, { phone, phoneVerifiedAt: new Date(), topics: [topic], consentText: 'ok', via: 'operator', source: 'operator' });
    });
    return all;
  }

  /** Sends an urgent SMS to the topic's subscribers and waits until no delivery is queued or in flight. */
  async function broadcast(topic: string, smsText: string, timeoutMs = 20_000) {
    const msg = await createMessage(p.platform.db.app, systemActor, ente.id, { title: 'Avviso', body: smsText, smsText, topics: [topic], targetEnteIds: [ente.id], channels: ['sms'], urgent: true });
    await sendMessage(p.platform.db.app, p.platform.jobs, systemActor, ente.id, msg.id);
    const deliveries = () =>
      p.platform.db.owner
        .selectFrom('msg_delivery as d')
        .innerJoin('msg_dispatch as x', (j) => j.onRef('x.ente_id', '=', 'd.ente_id').onRef('x.id', '=', 'd.dispatch_id'))
        .select(['d.id', 'd.address', 'd.state', 'd.error', 'd.provider_ref', 'd.sms_parts', 'x.state as dispatch_state'])
        .where('x.message_id', '=', msg.id)
        .execute();
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const rows = await deliveries();
      if (rows.length > 0 && rows.every((r) => !['queued', 'sending'].includes(r.state)) && rows[0]!.dispatch_state === 'done') return rows;
      if (Date.now() > deadline) throw new Error(`deliveries not settled: ${JSON.stringify(rows.filter((r) => ['queued', 'sending'].includes(r.state)).slice(0, 5))}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  const to = (phones: string[], all: StoredSubmit[]) => all.filter((s) => phones.includes(`+${s.dest}`));

  /** Every phone got every part exactly once. */
  function assertExactlyOnce(phones: string[], parts: number, all: StoredSubmit[]) {
    const mine = to(phones, all);
    assert.equal(duplicateParts(mine), 0, 'no part twice');
    for (const phone of phones) assert.equal(mine.filter((s) => `+${s.dest}` === phone).length, parts, `${phone}: ${parts} part(s)`);
  }

  async function settledReceipts(phones: string[]) {
    await peer.waitFor(() => true);
    for (let i = 0; i < 100 && (await peer.stats()).receiptsPending > 0; i++) await new Promise((r) => setTimeout(r, 50));
    const rows = await p.platform.db.owner.selectFrom('msg_delivery').select(['address', 'state', 'error']).where('address', 'in', phones).where('channel', '=', 'sms').execute();
    return rows;
  }

  it('GSM-7: one part, or concatenated parts of 153 with UDH (same reference, 1..n), sender TON 5, receipts asked; receipts → delivered', async () => {
    const phones = await subscribers('viabilita', 3);
    const long = 'Chiusura di via Roma per lavori: '.repeat(10).trim(); // 329 characters → 3 parts
    const rows = await broadcast('viabilita', long);
    assert.ok(rows.length === 3 && rows.every((r) => r.state === 'sent' || r.state === 'delivered'), JSON.stringify(rows));
    assert.ok(rows.every((r) => r.sms_parts === 3 && r.provider_ref!.split(',').length === 3));
    const all = await peer.waitFor((all) => to(phones, all).length === 9);
    assertExactlyOnce(phones, 3, all);
    for (const phone of phones) {
      const parts = to([phone], all).sort((a, b) => a.concat!.seq - b.concat!.seq);
      assert.deepEqual(parts.map((s) => [s.concat!.total, s.concat!.seq]), [[3, 1], [3, 2], [3, 3]]);
      assert.equal(new Set(parts.map((s) => s.concat!.ref)).size, 1, 'one reference per message');
      assert.equal(parts.map((s) => s.text).join(''), long);
      for (const s of parts) {
        assert.equal(s.esmClass & 0x40, 0x40);
        assert.equal(s.dataCoding, 0);
        assert.equal(s.registered, 1);
        assert.equal(s.source, 'ComuneTest');
        assert.equal(s.sourceTon, 5);
        assert.equal(s.destTon, 1);
        assert.ok(s.text.length <= 153);
      }
    }
    const stored = await p.platform.db.owner.selectFrom('msg_sms_part').select(['smsc_message_id', 'state']).where('smsc_message_id', 'in', to(phones, all).map((s) => s.id)).execute();
    assert.equal(stored.length, 9, 'every part recorded with its SMSC id');
    const after = await settledReceipts(phones);
    assert.ok(after.every((r) => r.state === 'delivered'), JSON.stringify(after));
  });

  it('an emoji switches to UCS-2 (data_coding 8, 67 per part) and arrives intact', async () => {
    const phones = await subscribers('eventi', 1);
    const text = 'Festa patronale stasera in piazza 🎉 '.repeat(3).trim();
    await broadcast('eventi', text);
    const all = await peer.waitFor((all) => to(phones, all).length >= 2);
    const parts = to(phones, all).sort((a, b) => a.concat!.seq - b.concat!.seq);
    assert.equal(parts.length, Math.ceil(text.length / 67));
    assert.ok(parts.every((s) => s.dataCoding === 8 && s.octets <= 140));
    assert.equal(parts.map((s) => s.text).join(''), text);
  });

  it('invalid and landline numbers never reach the SMSC: failed with an Italian reason; an SMSC refusal is a failure too', async () => {
    const bad = ['+391234567', '+390141123456'];
    const refused = '+393209999999';
    await peer.set({ rejectDestinations: [refused.slice(1)] });
    const good = await subscribers('scuola', 1, [refused]);
    await withEnte(p.platform.db.app, ente.id, async (trx) => {
      for (const phone of bad) await trx.insertInto('msg_subscriber').values({ ente_id: ente.id, phone, phone_verified_at: new Date(), source: 'operator' }).execute();
      const ids = await trx.selectFrom('msg_subscriber').select('id').where('phone', 'in', bad).execute();
      await trx.insertInto('msg_subscription').values(ids.map((s) => ({ ente_id: ente.id, subscriber_id: s.id, topic_code: 'scuola', consented_at: new Date() }))).execute();
    });
    const rows = await broadcast('scuola', 'Scuole chiuse domani per neve.');
    const byPhone = new Map(rows.map((r) => [r.address, r]));
    assert.match(byPhone.get('+391234567')!.error!, /Numero non valido: Numero italiano non ammesso/);
    assert.match(byPhone.get('+390141123456')!.error!, /non può ricevere SMS/);
    assert.equal(byPhone.get(refused)!.state, 'failed');
    assert.match(byPhone.get(refused)!.error!, /Rifiutato dal centro SMS: ESME_RINVDSTADR/);
    assert.notEqual(byPhone.get(good[1]!)!.state, 'failed');
    const all = peer.submits();
    assert.equal(all.filter((s) => s.dest === '391234567' || s.dest === '390141123456').length, 0);
  });

  it('a 2,000-character SMS is refused when the message is composed, with the parts it would need; at send time it fails, nothing sent', async () => {
    const text = 'a'.repeat(2000);
    await assert.rejects(
      createMessage(p.platform.db.app, systemActor, ente.id, { title: 'Lungo', body: text, smsText: text, topics: ['rifiuti'], targetEnteIds: [ente.id], channels: ['sms'], urgent: true }),
      (err: unknown) => err instanceof SmsPlanError && err.code === 'too_many_parts' && /2\.000 caratteri.*14 SMS concatenati.*massimo consentito è 10/.test(err.message),
    );
    // A text that got past composing (e.g. changed settings) fails at send time with the same reason.
    const phones = await subscribers('rifiuti', 1);
    const before = peer.submits().length;
    const msg = await createMessage(p.platform.db.app, systemActor, ente.id, { title: 'Lungo', body: 'x', smsText: 'breve', topics: ['rifiuti'], targetEnteIds: [ente.id], channels: ['sms'], urgent: true });
    await p.platform.db.owner.updateTable('msg_message').set({ sms_text: text }).where('id', '=', msg.id).execute();
    await sendMessage(p.platform.db.app, p.platform.jobs, systemActor, ente.id, msg.id);
    for (let i = 0; i < 200; i++) {
      const row = await p.platform.db.owner.selectFrom('msg_delivery').select(['state', 'error']).where('address', '=', phones[0]!).executeTakeFirst();
      if (row && row.state === 'failed') {
        assert.match(row.error!, /Messaggio troppo lungo/);
        break;
      }
      assert.ok(i < 199, 'the delivery fails');
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(peer.submits().length, before);
  });

  it('ESME_RTHROTTLED and ESME_RMSGQFUL: back-off and submit again — everyone once, nothing lost', async () => {
    const phones = await subscribers('protezione-civile', 20);
    await peer.set({ throttleNext: 6, queueFullNext: 3 });
    const before = await peer.stats();
    const rows = await broadcast('protezione-civile', 'Allerta meteo arancione: evitare i sottopassi.');
    assert.ok(rows.every((r) => r.state === 'sent' || r.state === 'delivered'), JSON.stringify(rows.filter((r) => r.state === 'failed')));
    const stats = await peer.stats();
    assert.equal(stats.throttled - before.throttled, 6);
    assert.equal(stats.queueFull - before.queueFull, 3);
    assertExactlyOnce(phones, 1, await peer.waitFor((all) => to(phones, all).length >= 20));
  });

  it('the peer drops the connection mid-send (once after accepting a part, once before): reconnects, no loss, no duplicate', async () => {
    const phones = await subscribers('viabilita', 40);
    const n = (await peer.stats()).submits;
    await peer.set({ dropAfterAccepting: [n + 8, n + 24], dropWithoutAccepting: [n + 16] });
    const binds = smsRuntime(p.platform)!.session.binds;
    const rows = await broadcast('viabilita', 'Lavori in corso: la viabilita cambia da lunedi in centro storico.', 40_000);
    const mine = rows.filter((r) => phones.includes(r.address));
    assert.equal(mine.length, 40);
    assert.ok(mine.every((r) => r.state === 'sent' || r.state === 'delivered'), JSON.stringify(mine.filter((r) => r.state !== 'sent' && r.state !== 'delivered')));
    assert.ok(smsRuntime(p.platform)!.session.binds >= binds + 3, 'reconnected after each drop');
    assertExactlyOnce(phones, 1, peer.submits());
  });

  it('an UNDELIV receipt fails the delivery with the reason', async () => {
    const [phone] = await subscribers('eventi', 1);
    await peer.set({ undeliverable: [phone!.slice(1)] });
    await broadcast('eventi', 'Concerto rinviato a domenica.');
    const rows = await settledReceipts([phone!]);
    const row = rows.find((r) => r.error?.includes('UNDELIV'));
    assert.ok(row && row.state === 'failed', JSON.stringify(rows));
  });

  it('STOP from a citizen (any case, spaces) opts the phone out in every ente and is recorded; other texts are ignored', async () => {
    const [phone] = await subscribers('rifiuti', 1);
    const other = (await p.platform.db.owner.selectFrom('ente').select('id').where('slug', '=', 'asti').executeTakeFirstOrThrow()).id;
    await withEnte(p.platform.db.app, other, (trx) => subscribe(trx, other, { phone: phone!, phoneVerifiedAt: new Date(), topics: ['rifiuti'], consentText: 'ok', via: 'operator', source: 'operator' }));
    assert.equal((await peer.mo(phone!.slice(1), '393400000000', 'ciao, grazie')).status, 0);
    let rows = await p.platform.db.owner.selectFrom('msg_subscriber').select('phone_opted_out_at').where('phone', '=', phone!).execute();
    assert.ok(rows.every((r) => r.phone_opted_out_at === null));
    assert.equal((await peer.mo(phone!.slice(1), '393400000000', '  stop ')).status, 0);
    rows = await p.platform.db.owner.selectFrom('msg_subscriber').select('phone_opted_out_at').where('phone', '=', phone!).execute();
    assert.equal(rows.length, 2);
    assert.ok(rows.every((r) => r.phone_opted_out_at !== null));
    const events = await p.platform.db.owner.selectFrom('msg_consent_event').select(['ente_id', 'via']).where('via', '=', 'sms_stop').where('ente_id', 'in', [ente.id, other]).execute();
    assert.equal(new Set(events.map((e) => e.ente_id)).size, 2);
  });
});
