// The notification service other modules call, against a real database and a real SMTP server process: the
// channels chosen per person and ente, idempotency by key, opt-outs (and `requested` overriding them), the
// caller's transaction (rolled back: nothing left), tenant binding, and the e-mail extras (threading headers,
// HTML, sender) reaching the mail.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runSendJobs } from '../../../test/support/smtp-outbox.js';
import { startSmtpPeer, type SmtpPeer } from '../../../test/support/smtp-peer.js';
import { startTestPlatform, type TestPlatform } from '../../../test/support/platform.js';
import { sql, withEnte } from '../../platform/db/index.js';
import { getEnteBySlug } from '../../platform/tenancy/index.js';
import { emailSender } from './email/channel.js';
import { runSendJob, sendQueue, type ChannelSender } from './engine.js';
import { notify, type NotifyInput } from './notify.js';
import { MessagingError } from './service.js';
import { subscribe } from './consent.js';
import type { Channel } from './store.js';

const DOMAIN = 'cir.example.it';
const senders: ReadonlyMap<Channel, ChannelSender> = new Map([['email', emailSender]]);

describe('messaging notify', () => {
  let t: TestPlatform;
  let peer: SmtpPeer;
  let asti: string;
  let other: { id: string; slug: string };

  before(async () => {
    peer = await startSmtpPeer();
    t = await startTestPlatform({ env: { SMTP_URL: peer.url, PUBLIC_URL: `https://${DOMAIN}`, MAIL_RETRY_SECONDS: '0' } });
    asti = (await getEnteBySlug(t.platform.db.app, 'asti'))!.id;
    other = await t.platform.db.owner.selectFrom('ente').select(['id', 'slug']).where('kind', '=', 'comune').where('slug', 'not in', ['asti', 'nizza-monferrato', 'canelli']).orderBy('slug').executeTakeFirstOrThrow();
  });
  after(async () => {
    await t?.close();
    await peer?.stop();
  });

  const input = (extra: Partial<NotifyInput> & Pick<NotifyInput, 'key' | 'to'>): NotifyInput => ({ enteId: other.id, module: 'payments', title: 'Ricevuta di pagamento', body: 'Pagamento ricevuto.', ...extra });
  /** Runs the e-mail send job of a notification and the outbox; returns the mails with that subject. */
  async function deliver(enteId: string, messageId: string, subject: string) {
    const dispatch = await withEnte(t.platform.db.app, enteId, (trx) => trx.selectFrom('msg_dispatch').select('id').where('message_id', '=', messageId).executeTakeFirstOrThrow());
    await runSendJob(t.platform, senders, { enteId, dispatchId: dispatch.id, channel: 'email' });
    await runSendJobs(t.platform);
    return (await peer.waitFor((all) => all.some((m) => m.subject === subject))).filter((m) => m.subject === subject);
  }
  /** Send jobs of the e-mail channel ever enqueued (pg-boss keeps them as rows). */
  const emailJobs = async () => Number((await sql<{ n: string }>`select count(*) as n from pgboss.job where name = ${sendQueue('email')}`.execute(t.platform.db.owner)).rows[0]!.n);
  const count = async (table: 'msg_message' | 'msg_delivery', enteId: string) =>
    Number((await t.platform.db.owner.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).where('ente_id', '=', enteId).executeTakeFirstOrThrow()).n);

  it('mails with the caller’s threading headers, HTML and sender; the same key again sends nothing', async () => {
    const headers = { 'Message-ID': `<ticket.42.7@${DOMAIN}>`, 'In-Reply-To': `<ticket.42@${DOMAIN}>`, References: `<ticket.42@${DOMAIN}>`, 'Reply-To': `assistenza@${DOMAIN}` };
    const notice = input({ module: 'helpdesk', key: 'ticket-event:7:ced@example.org', to: { email: 'CED@example.org' }, title: '[CST #2026-42] Stampante', body: 'Risposta.', email: { headers, html: '<p>Risposta.</p>', from: `Centro Servizi <assistenza@${DOMAIN}>` } });
    const first = await notify(t.platform, notice);
    assert.equal(first.created, true);
    assert.deepEqual(first.deliveries, [{ channel: 'email', address: 'ced@example.org' }]);
    const [mail, ...more] = await deliver(other.id, first.messageId, '[CST #2026-42] Stampante');
    assert.equal(more.length, 0);
    assert.equal(mail!.messageId, `<ticket.42.7@${DOMAIN}>`);
    assert.equal(mail!.inReplyTo, `<ticket.42@${DOMAIN}>`);
    assert.deepEqual(mail!.references, [`<ticket.42@${DOMAIN}>`]);
    assert.equal(mail!.parsed.replyTo?.value[0]?.address, `assistenza@${DOMAIN}`);
    assert.equal(mail!.parsed.from?.value[0]?.name, 'Centro Servizi');
    assert.equal(mail!.parsed.html, '<p>Risposta.</p>');
    assert.equal(mail!.header('List-Unsubscribe'), undefined, 'not a subscriber: no unsubscribe link');

    const messages = await count('msg_message', other.id);
    const jobs = await emailJobs();
    const again = await notify(t.platform, notice);
    assert.deepEqual(again, { messageId: first.messageId, created: false, deliveries: first.deliveries, skipped: [] });
    assert.equal(await count('msg_message', other.id), messages);
    assert.equal(await emailJobs(), jobs, 'no send job for a known key');
    await runSendJobs(t.platform);
    assert.equal((await peer.messages()).filter((m) => m.subject === '[CST #2026-42] Stampante').length, 1);
  });

  it('App IO when the fiscal code is known and the ente has an IO service, SMS otherwise; channels restrict', async () => {
    const mario = await notify(t.platform, input({ enteId: asti, key: 'r-1', to: { fiscalCode: 'rssmra80a01a479l', phone: '333 1234567', email: 'mario.rossi@example.org' } }));
    assert.deepEqual(mario.deliveries, [
      { channel: 'appio', address: '+393331234567' },
      { channel: 'email', address: 'mario.rossi@example.org' },
    ]);
    const noIo = await notify(t.platform, input({ key: 'r-2', to: { fiscalCode: 'RSSMRA80A01A479L', phone: '+39 333 1234567' } }));
    assert.deepEqual(noIo.deliveries, [{ channel: 'sms', address: '+393331234567' }]);
    const smsOnly = await notify(t.platform, input({ enteId: asti, module: 'messaging', key: 'otp-1', channels: ['sms'], to: { fiscalCode: 'RSSMRA80A01A479L', phone: '3331234567', email: 'mario.rossi@example.org' } }));
    assert.deepEqual(smsOnly.deliveries, [{ channel: 'sms', address: '+393331234567' }]);
    const landline = await notify(t.platform, input({ key: 'r-3', to: { phone: '0141 123456', email: 'x@example.org' } }));
    assert.deepEqual(landline.deliveries, [{ channel: 'email', address: 'x@example.org' }]);
    assert.equal(landline.skipped[0]?.channel, 'sms');
  });

  it('a subscriber’s address carries the unsubscribe link; an opt-out blocks it unless the person asked for it', async () => {
    await withEnte(t.platform.db.app, other.id, (trx) => subscribe(trx, other.id, { email: 'iscritta@example.org', emailVerifiedAt: new Date(), phone: '+393401112222', phoneVerifiedAt: new Date(), topics: ['eventi'], consentText: 'ok', via: 'page', source: 'web' }));
    const subscribed = await notify(t.platform, input({ key: 'r-4', title: 'Ricevuta 4', to: { email: 'iscritta@example.org' } }));
    const [mail] = await deliver(other.id, subscribed.messageId, 'Ricevuta 4');
    assert.match(mail!.header('List-Unsubscribe') ?? '', new RegExp(`^<https://${DOMAIN}/${other.slug}/avvisi/disiscrizione/[0-9a-f]+>$`));
    assert.equal(mail!.header('List-Unsubscribe-Post'), 'List-Unsubscribe=One-Click');

    await withEnte(t.platform.db.app, other.id, (trx) => trx.updateTable('msg_subscriber').set({ email_opted_out_at: new Date(), phone_opted_out_at: new Date() }).where('email', '=', 'iscritta@example.org').execute());
    const blocked = await notify(t.platform, input({ key: 'r-5', to: { email: 'iscritta@example.org', phone: '+393401112222' } }));
    assert.deepEqual(blocked.deliveries, []);
    assert.deepEqual(blocked.skipped.map((s) => s.channel).sort(), ['email', 'sms']);
    const done = await withEnte(t.platform.db.app, other.id, (trx) => trx.selectFrom('msg_message').select('state').where('id', '=', blocked.messageId).executeTakeFirstOrThrow());
    assert.equal(done.state, 'sent', 'nothing to send: finished at once');
    const requested = await notify(t.platform, input({ module: 'messaging', key: 'otp-2', requested: true, title: 'Codice di conferma', to: { email: 'iscritta@example.org', phone: '+393401112222' } }));
    assert.deepEqual(requested.deliveries.map((d) => d.channel), ['sms', 'email']);
    // Another ente's opt-out does not count here.
    const elsewhere = await notify(t.platform, input({ enteId: asti, key: 'r-6', to: { email: 'iscritta@example.org' }, email: { outboxKey: 'payment-receipt:RT-6' } }));
    assert.deepEqual(elsewhere.deliveries.map((d) => d.channel), ['email']);
    // The e-mail is in the outbox at once, under the caller's own key, and its delivery is settled.
    const queued = await t.platform.db.owner.selectFrom('mail_outbox').select(['id', 'recipients']).where('ente_id', '=', asti).where('idempotency_key', '=', 'payment-receipt:RT-6').executeTakeFirstOrThrow();
    assert.deepEqual(queued.recipients, ['iscritta@example.org']);
    const delivery = await t.platform.db.owner.selectFrom('msg_delivery').select(['state', 'provider_ref']).where('ente_id', '=', asti).where('address', '=', 'iscritta@example.org').executeTakeFirstOrThrow();
    assert.deepEqual(delivery, { state: 'sent', provider_ref: queued.id });
  });

  it('inside the caller’s transaction: a rollback leaves nothing; another ente’s transaction is refused', async () => {
    const before = { messages: await count('msg_message', other.id), deliveries: await count('msg_delivery', other.id) };
    const jobs = await emailJobs();
    await assert.rejects(
      withEnte(t.platform.db.app, other.id, async (trx) => {
        const result = await notify(t.platform, input({ key: 'r-rollback', to: { email: 'rollback@example.org' }, trx }));
        assert.equal(result.created, true);
        throw new Error('the caller’s change fails');
      }),
      /the caller’s change fails/,
    );
    assert.deepEqual({ messages: await count('msg_message', other.id), deliveries: await count('msg_delivery', other.id) }, before);
    assert.equal(await emailJobs(), jobs, 'no send job survived the rollback');

    await assert.rejects(
      withEnte(t.platform.db.app, asti, (trx) => notify(t.platform, input({ key: 'r-cross', to: { email: 'x@example.org' }, trx }))),
      (err: unknown) => err instanceof MessagingError && err.status === 403,
    );
    assert.equal(await count('msg_message', other.id), before.messages);
    const crossInAsti = await t.platform.db.owner.selectFrom('msg_message').select('id').where('origin_key', '=', 'r-cross').execute();
    assert.equal(crossInAsti.length, 0);
  });

  it('bad input is a 422 with an Italian message', async () => {
    const bad = async (to: NotifyInput['to'], pattern: RegExp) =>
      assert.rejects(notify(t.platform, input({ key: `bad-${Math.random()}`, to })), (err: unknown) => err instanceof MessagingError && err.status === 422 && pattern.test(err.message));
    await bad({ phone: '12345' }, /numero|cifre/i);
    await bad({ phone: '+44 7700 900123' }, /esteri/);
    await bad({ email: 'non è una mail' }, /e-mail non valido/);
    await bad({ fiscalCode: 'ABC' }, /Codice fiscale/);
    await bad({}, /destinatari/);
    await assert.rejects(notify(t.platform, input({ key: 'bad-h', to: { email: 'a@example.org' }, email: { headers: { 'X-Evil': 'a\r\nBcc: b@example.org' } } })), /Intestazione/);
  });
});
