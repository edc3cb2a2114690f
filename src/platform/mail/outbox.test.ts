// The outbox against real PostgreSQL and a real SMTP server in another process: a mail is queued with the
// write that causes it, sent once, retried on temporary errors with the same Message-ID, failed with the reason.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { runSendJobs as runJobs } from '../../../test/support/smtp-outbox.js';
import { startSmtpPeer, type SmtpPeer } from '../../../test/support/smtp-peer.js';
import { startTestPlatform, type TestPlatform } from '../../../test/support/platform.js';
import { withEnte } from '../db/index.js';
import { deliverMail, Mailer, mailJobs, sweepOutbox, SEND_QUEUE, type SendJobData } from './outbound.js';
import { retryDelaySeconds, type MailInput } from './outbox.js';

type Delivery = Parameters<typeof deliverMail>[0];

describe('mail outbox', () => {
  let t: TestPlatform;
  let peer: SmtpPeer;
  let ente: string;
  let otherEnte: string;

  before(async () => {
    // The peer cuts the connection after the data of the first message, then answers 451 to the next two.
    peer = await startSmtpPeer({ dropFirst: 1, fail451First: 2, rejectRecipients: ['sconosciuto@example.org'] });
    t = await startTestPlatform({ seed: 'empty', env: { SMTP_URL: peer.url, MAIL_RETRY_SECONDS: '0', MAIL_MAX_ATTEMPTS: '4', PUBLIC_URL: 'https://cir.example.it' } });
    const rows = await t.platform.db.owner
      .insertInto('ente')
      .values([
        { kind: 'comune', name: 'Posta A', slug: 'posta-a', istat_code: '999301' },
        { kind: 'comune', name: 'Posta B', slug: 'posta-b', istat_code: '999302' },
      ])
      .returning('id')
      .execute();
    [ente, otherEnte] = rows.map((r) => r.id) as [string, string];
  });
  after(async () => {
    await t?.close();
    await peer?.stop();
  });

  const mail = (key: string, extra: Partial<MailInput> = {}): MailInput => ({ enteId: ente, key, to: 'ufficio@comune.example.it', subject: `Prova ${key}`, text: `Testo di ${key}`, ...extra });
  const queue = (input: MailInput) => withEnte(t.platform.db.app, input.enteId, (trx) => t.platform.mail.queue(trx, input));
  const row = (id: string, enteId = ente) => withEnte(t.platform.db.app, enteId, (trx) => trx.selectFrom('mail_outbox').selectAll().where('id', '=', id).executeTakeFirstOrThrow());

  const runSendJobs = (delivery: Delivery = t.platform) => runJobs(t.platform, delivery);

  const mailerWith = (smtpUrl: string | undefined, retrySeconds = 0, log: { info: (msg: string) => void } = { info: () => {} }) =>
    new Mailer({ ...t.platform.config, smtpUrl, mailRetrySeconds: retrySeconds }, t.platform.jobs, log);

  it('retries after a dropped connection and 451 answers, then delivers exactly once with the same Message-ID', async () => {
    const queued = await queue(mail('retry'));
    assert.match(queued.messageId, /^<[0-9a-f-]{36}@cir\.example\.it>$/);
    assert.deepEqual(await runSendJobs(), ['queued', 'queued', 'queued', 'sent']);
    const received = await peer.messages();
    assert.equal(received.length, 1);
    assert.equal(received[0]!.messageId, queued.messageId);
    assert.deepEqual(received[0]!.rcptTo, ['ufficio@comune.example.it']);
    assert.match(received[0]!.parsed.from?.text ?? '', /noreply@cir\.example\.it/);
    const sent = await row(queued.id);
    assert.equal(sent.state, 'sent');
    assert.equal(sent.attempts, 4);
    assert.match(sent.last_error ?? '', /451/);
    assert.match(sent.smtp_response ?? '', /^250 /);

    // A re-delivered job for a mail already sent sends nothing.
    await t.platform.jobs.send(SEND_QUEUE, { enteId: ente, mailId: queued.id });
    assert.deepEqual(await runSendJobs(), ['skipped']);
    assert.equal((await peer.messages()).length, 1);
  });

  it('the same idempotency key twice is one mail', async () => {
    const first = await queue(mail('once', { headers: { 'Message-ID': '<fisso.1@cir.example.it>' } }));
    const second = await queue(mail('once', { subject: 'Altro oggetto' }));
    assert.equal(first.created, true);
    assert.equal(second.created, false);
    assert.equal(second.id, first.id);
    assert.deepEqual(await runSendJobs(), ['sent']);
    const received = (await peer.messages()).filter((m) => m.subject === 'Prova once' || m.subject === 'Altro oggetto');
    assert.equal(received.length, 1);
    assert.equal(received[0]!.messageId, '<fisso.1@cir.example.it>');
    // The same key in another ente is another mail (keys are per ente).
    const elsewhere = await queue(mail('once', { enteId: otherEnte }));
    assert.equal(elsewhere.created, true);
    assert.deepEqual(await runSendJobs(), ['sent']);
  });

  it('a mail queued in a rolled-back write does not exist and is never sent', async () => {
    const before = (await peer.messages()).length;
    await assert.rejects(
      withEnte(t.platform.db.app, ente, async (trx) => {
        await t.platform.mail.queue(trx, mail('rolled-back'));
        throw new Error('the write fails');
      }),
      /the write fails/,
    );
    assert.deepEqual(await runSendJobs(), []);
    const rows = await withEnte(t.platform.db.app, ente, (trx) => trx.selectFrom('mail_outbox').select('id').where('idempotency_key', '=', 'rolled-back').execute());
    assert.equal(rows.length, 0);
    assert.equal((await peer.messages()).length, before);
  });

  it('keeps the threading headers and refuses header injection', async () => {
    const headers = {
      'In-Reply-To': '<ticket.1@cir.example.it>',
      References: '<ticket.1@cir.example.it>',
      'Reply-To': 'Assistenza <assistenza@cir.example.it>',
      'Auto-Submitted': 'auto-generated',
      'List-Unsubscribe': '<https://cir.example.it/disiscrizione/abc>',
    };
    const queued = await queue(mail('headers', { headers, text: 'Già è così: àèìòù €', html: '<p>Già</p>' }));
    assert.deepEqual(await runSendJobs(), ['sent']);
    const [got] = (await peer.messages()).filter((m) => m.messageId === queued.messageId);
    assert.equal(got!.inReplyTo, '<ticket.1@cir.example.it>');
    assert.deepEqual(got!.references, ['<ticket.1@cir.example.it>']);
    assert.equal(got!.parsed.replyTo?.value[0]?.address, 'assistenza@cir.example.it');
    assert.equal(got!.header('Auto-Submitted'), 'auto-generated');
    assert.equal(got!.header('List-Unsubscribe'), '<https://cir.example.it/disiscrizione/abc>');
    assert.equal(got!.text.trim(), 'Già è così: àèìòù €');
    await assert.rejects(queue(mail('injected', { subject: 'Ciao\r\nBcc: tutti@example.org' })), /Oggetto della mail non valido/);
    await assert.rejects(queue(mail('injected', { headers: { 'X-Test': 'a\nBcc: tutti@example.org' } })), /Intestazione della mail non valida/);
    await assert.rejects(queue(mail('injected', { to: 'non un indirizzo' })), /Indirizzo e-mail non valido/);
  });

  it('a permanent refusal (550) fails the mail at once with the reason', async () => {
    const queued = await queue(mail('refused', { to: 'sconosciuto@example.org' }));
    assert.deepEqual(await runSendJobs(), ['failed']);
    const failed = await row(queued.id);
    assert.equal(failed.state, 'failed');
    assert.equal(failed.attempts, 1);
    assert.match(failed.last_error ?? '', /550/);
  });

  it('a refused connection is retried and the mail fails after the last attempt, with the reason, audited', async () => {
    const closedPort = await freeClosedPort();
    const delivery = { ...t.platform, mail: mailerWith(`smtp://127.0.0.1:${closedPort}`) };
    const queued = await queue(mail('unreachable'));
    assert.deepEqual(await runSendJobs(delivery), ['queued', 'queued', 'queued', 'failed']);
    const failed = await row(queued.id);
    assert.equal(failed.state, 'failed');
    assert.equal(failed.attempts, 4);
    assert.match(failed.last_error ?? '', /ECONNECTION|ECONNREFUSED/);
    const audit = await withEnte(t.platform.db.app, ente, (trx) => trx.selectFrom('audit_log').select('action').where('entity_id', '=', queued.id).execute());
    assert.deepEqual(audit.map((a) => a.action).sort(), ['mail.failed', 'mail.queue']);
  });

  it('waits longer after each failure (back-off) and sends nothing before its turn', async () => {
    assert.deepEqual([1, 2, 3, 4].map((n) => retryDelaySeconds(n, 60)), [60, 120, 240, 480]);
    assert.equal(retryDelaySeconds(12, 60), 3600);
    const closedPort = await freeClosedPort();
    const delivery = { ...t.platform, mail: mailerWith(`smtp://127.0.0.1:${closedPort}`, 60) };
    const queued = await queue(mail('backoff'));
    const [job] = await t.platform.jobs.boss.fetch<SendJobData>(SEND_QUEUE);
    assert.equal(await deliverMail(delivery, job!.data), 'queued');
    await t.platform.jobs.boss.complete(SEND_QUEUE, job!.id);
    const waiting = await row(queued.id);
    const wait = (waiting.next_attempt_at.getTime() - waiting.last_attempt_at!.getTime()) / 1000;
    assert.ok(wait >= 59 && wait <= 61, `retry in ${wait} s`);
    // The retry job exists, deferred to the mail's turn; an early delivery does nothing.
    const [retry] = await t.platform.jobs.boss.findJobs<SendJobData>(SEND_QUEUE, { data: { mailId: queued.id }, queued: true });
    assert.ok(retry && retry.startAfter.getTime() - Date.now() > 50_000);
    assert.equal(await deliverMail(delivery, { enteId: ente, mailId: queued.id }), 'skipped');
    assert.equal((await row(queued.id)).attempts, 1);
    await t.platform.jobs.boss.cancel(SEND_QUEUE, retry.id);
  });

  it('without SMTP the mail stays queued (logged); a start with SMTP configured sends it through the sweep', async () => {
    const logged: string[] = [];
    const info = (first: unknown, msg?: string) => void logged.push(typeof first === 'string' ? first : (msg ?? ''));
    const unconfigured = { ...t.platform, log: { info } as unknown as typeof t.platform.log, mail: mailerWith(undefined, 0, { info }) };
    const queued = await queue(mail('demo'));
    assert.deepEqual(await runSendJobs(unconfigured), ['skipped']);
    assert.ok(logged.some((l) => /SMTP is not configured/.test(l)));
    const waiting = await row(queued.id);
    assert.equal(waiting.state, 'queued');
    assert.equal(waiting.attempts, 0);
    assert.equal(await sweepOutbox(unconfigured, { olderThanSeconds: 0 }), 0);

    // Later, with SMTP configured: the sweep finds it (it is overdue) and the send job delivers it.
    const count = await sweepOutbox(t.platform, { olderThanSeconds: 0 });
    assert.ok(count >= 1);
    await runSendJobs();
    assert.equal((await row(queued.id)).state, 'sent');
    assert.equal((await peer.messages()).filter((m) => m.messageId === queued.messageId).length, 1);
  });

  it('the job workers send what is queued', async () => {
    await t.platform.jobs.register(mailJobs(t.platform), true);
    const queued = await queue(mail('worker', { to: ['uno@comune.example.it', 'due@comune.example.it'] }));
    const [got] = (await peer.waitFor((all) => all.some((m) => m.messageId === queued.messageId))).filter((m) => m.messageId === queued.messageId);
    assert.deepEqual(got!.rcptTo.sort(), ['due@comune.example.it', 'uno@comune.example.it']);
    const deadline = Date.now() + 10_000;
    while ((await row(queued.id)).state !== 'sent' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.equal((await row(queued.id)).state, 'sent');
  });
});

/** A local port nobody listens on (connection refused). */
async function freeClosedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((r) => server.close(r));
  return port;
}
