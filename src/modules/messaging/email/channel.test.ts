// The e-mail channel against a real SMTP server in another process: a broadcast's e-mail delivery becomes one
// mail through the kernel outbox, with the ente's one-click unsubscribe link (RFC 8058) and the ente as sender;
// a delivery claimed twice (a worker whose lease ran out) is still one mail; an address that unsubscribed
// after planning is skipped.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runSendJobs } from '../../../../test/support/smtp-outbox.js';
import { startSmtpPeer, type SmtpPeer } from '../../../../test/support/smtp-peer.js';
import { startTestPlatform, type TestPlatform } from '../../../../test/support/platform.js';
import { systemActor } from '../../../platform/audit/index.js';
import { withEnte } from '../../../platform/db/index.js';
import { claimDeliveries, planDispatch, runSendJob, type ChannelSender } from '../engine.js';
import { createMessage, sendMessage } from '../service.js';
import { subscribe } from '../consent.js';
import type { Channel } from '../store.js';
import { emailSender, enteSender } from './channel.js';

const DOMAIN = 'cir.example.it';
const senders: ReadonlyMap<Channel, ChannelSender> = new Map([['email', emailSender]]);

describe('messaging e-mail channel', () => {
  let t: TestPlatform;
  let peer: SmtpPeer;
  let ente: { id: string; slug: string; name: string };

  before(async () => {
    peer = await startSmtpPeer();
    t = await startTestPlatform({ env: { SMTP_URL: peer.url, PUBLIC_URL: `https://${DOMAIN}`, MAIL_FROM: `Comuni in Rete <noreply@${DOMAIN}>`, MAIL_RETRY_SECONDS: '0' } });
    // A comune without demo subscribers, so a broadcast reaches only the ones made here.
    ente = await t.platform.db.owner
      .selectFrom('ente')
      .select(['id', 'slug', 'name'])
      .where('kind', '=', 'comune')
      .where('slug', 'not in', ['asti', 'nizza-monferrato', 'canelli'])
      .orderBy('slug')
      .executeTakeFirstOrThrow();
  });
  after(async () => {
    await t?.close();
    await peer?.stop();
  });

  const db = () => t.platform.db.app;
  async function subscriber(email: string, topic: string) {
    return withEnte(db(), ente.id, (trx) => subscribe(trx, ente.id, { email, emailVerifiedAt: new Date(), topics: [topic], consentText: 'Acconsento', via: 'page', source: 'web' }));
  }
  async function broadcast(topic: string, title: string) {
    const message = await createMessage(db(), systemActor, ente.id, { title, body: `Testo di ${title}.`, topics: [topic], targetEnteIds: [ente.id], channels: ['email'], urgent: true });
    await sendMessage(db(), t.platform.jobs, systemActor, ente.id, message.id);
    const dispatch = await withEnte(db(), ente.id, (trx) => trx.selectFrom('msg_dispatch').selectAll().where('message_id', '=', message.id).executeTakeFirstOrThrow());
    await planDispatch(t.platform, ente.id, dispatch.id);
    return { message, dispatch };
  }
  const deliveriesOf = (dispatchId: string) => withEnte(db(), ente.id, (trx) => trx.selectFrom('msg_delivery').selectAll().where('dispatch_id', '=', dispatchId).orderBy('address').execute());

  it('the sender shown is the ente, on the platform address', () => {
    assert.equal(enteSender('Comuni in Rete <noreply@cir.example.it>', 'Comune di Asti'), '"Comune di Asti" <noreply@cir.example.it>');
    assert.equal(enteSender('noreply@cir.example.it', 'Comunità "Montana"'), '"Comunità Montana" <noreply@cir.example.it>');
    assert.equal(emailSender.ready(t.platform), true, 'the outbox keeps mail queued without SMTP: always ready');
  });

  it('a broadcast e-mail arrives once, with List-Unsubscribe, one-click POST and the link in the footer', async () => {
    const sub = await subscriber('lettore.uno@example.org', 'rifiuti');
    const { message, dispatch } = await broadcast('rifiuti', 'Raccolta del vetro spostata');
    const [delivery] = await deliveriesOf(dispatch.id);
    assert.equal(delivery?.channel, 'email');
    await runSendJob(t.platform, senders, { enteId: ente.id, dispatchId: dispatch.id, channel: 'email' });
    await runSendJobs(t.platform);
    const mails = (await peer.waitFor((all) => all.some((m) => m.subject === 'Raccolta del vetro spostata'))).filter((m) => m.subject === 'Raccolta del vetro spostata');
    assert.equal(mails.length, 1);
    const mail = mails[0]!;
    const token = (await t.platform.db.owner.selectFrom('msg_subscriber').select('unsubscribe_token').where('ente_id', '=', ente.id).where('id', '=', sub.subscriberId).executeTakeFirstOrThrow()).unsubscribe_token;
    const link = `https://${DOMAIN}/${ente.slug}/avvisi/disiscrizione/${token}`;
    assert.deepEqual(mail.rcptTo, ['lettore.uno@example.org']);
    assert.equal(mail.header('List-Unsubscribe'), `<${link}>`);
    assert.equal(mail.header('List-Unsubscribe-Post'), 'List-Unsubscribe=One-Click');
    assert.ok(mail.text.includes(link), 'the footer carries the link');
    assert.ok(mail.text.startsWith('Testo di Raccolta del vetro spostata.'));
    assert.equal(mail.parsed.from?.value[0]?.name, ente.name);
    assert.equal(mail.parsed.from?.value[0]?.address, `noreply@${DOMAIN}`);

    const [sent] = await deliveriesOf(dispatch.id);
    assert.equal(sent?.state, 'sent');
    const outbox = await t.platform.db.owner.selectFrom('mail_outbox').select(['id', 'idempotency_key']).where('ente_id', '=', ente.id).where('id', '=', sent!.provider_ref!).executeTakeFirstOrThrow();
    assert.equal(outbox.idempotency_key, `msg-delivery:${sent!.id}`);
    // Nothing left: the dispatch and the message are done.
    const state = await withEnte(db(), ente.id, (trx) => trx.selectFrom('msg_message').select('state').where('id', '=', message.id).executeTakeFirstOrThrow());
    assert.equal(state.state, 'sent');
  });

  it('a delivery claimed again after its lease ran out is still one mail', async () => {
    await subscriber('lettore.due@example.org', 'scuola');
    const { dispatch } = await broadcast('scuola', 'Mensa chiusa giovedì');
    // Worker A claims with a lease that is over at once (it "died"); worker B claims the same delivery again.
    const first = await withEnte(db(), ente.id, (trx) => claimDeliveries(trx, dispatch.id, 'email', 10, 0, true));
    const second = await withEnte(db(), ente.id, (trx) => claimDeliveries(trx, dispatch.id, 'email', 10, 120, true));
    assert.equal(first.length, 1);
    assert.deepEqual(second.map((d) => d.id), first.map((d) => d.id));
    // Both workers go on to send their claim.
    await emailSender.send(t.platform, dispatch, second);
    await emailSender.send(t.platform, dispatch, first);
    await runSendJobs(t.platform);
    const outbox = await t.platform.db.owner.selectFrom('mail_outbox').select('id').where('ente_id', '=', ente.id).where('idempotency_key', '=', `msg-delivery:${first[0]!.id}`).execute();
    assert.equal(outbox.length, 1);
    await peer.waitFor((all) => all.some((m) => m.subject === 'Mensa chiusa giovedì'));
    await runSendJobs(t.platform);
    assert.equal((await peer.messages()).filter((m) => m.subject === 'Mensa chiusa giovedì').length, 1);
    const [delivery] = await deliveriesOf(dispatch.id);
    assert.equal(delivery?.state, 'sent');
    assert.equal(delivery?.attempts, 2);
  });

  it('an address that unsubscribed after planning is skipped; an invalid one fails alone', async () => {
    const leaving = await subscriber('lettore.tre@example.org', 'eventi');
    await subscriber('lettore.quattro@example.org', 'eventi');
    const { dispatch } = await broadcast('eventi', 'Sagra rinviata');
    await withEnte(db(), ente.id, (trx) => trx.updateTable('msg_subscriber').set({ email_opted_out_at: new Date() }).where('id', '=', leaving.subscriberId).execute());
    await withEnte(db(), ente.id, (trx) =>
      trx.insertInto('msg_delivery').values({ ente_id: ente.id, dispatch_id: dispatch.id, recipient_key: 'guasto:email', channel: 'email', address: 'non-un-indirizzo' }).execute(),
    );
    await runSendJob(t.platform, senders, { enteId: ente.id, dispatchId: dispatch.id, channel: 'email' });
    await runSendJobs(t.platform);
    const byAddress = Object.fromEntries((await deliveriesOf(dispatch.id)).map((d) => [d.address, d.state]));
    assert.deepEqual(byAddress, { 'lettore.tre@example.org': 'skipped', 'lettore.quattro@example.org': 'sent', 'non-un-indirizzo': 'failed' });
    const mails = (await peer.waitFor((all) => all.some((m) => m.subject === 'Sagra rinviata'))).filter((m) => m.subject === 'Sagra rinviata');
    assert.deepEqual(mails.flatMap((m) => m.rcptTo), ['lettore.quattro@example.org']);
  });
});
