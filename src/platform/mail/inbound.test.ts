// The kernel's inbound SMTP listener with a recording handler, messages sent from a separate process: the
// message reaches the handler byte for byte and 250 comes only after the handler resolved; unknown recipients
// get 550; an oversized message gets 552 whether the client declared its SIZE or not, and never reaches the
// handler; a failing handler is a 451 (the sender retries); the MTA-pipe entry answers with sysexits codes.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { composeMail, smtpSendAll } from '../../../test/support/smtp-send.js';
import { ingestRawMessage, InboundRefusal, startInboundSmtp, type InboundMailHandler, type InboundMessage, type InboundSmtp } from './inbound.js';

const LIMIT = 64 * 1024;

describe('inbound SMTP listener', () => {
  const delivered: InboundMessage[] = [];
  let failNext = false;
  const handler: InboundMailHandler = {
    accepts: async (address) => /^desk(\+[a-z]+)?@example\.test$/.test(address),
    async deliver(message) {
      if (failNext) {
        failNext = false;
        throw new Error('disk full');
      }
      if (message.raw.includes('REFUSE-ME')) throw new InboundRefusal(550, '5.7.1 rifiutato');
      delivered.push(message);
    },
  };
  let smtp: InboundSmtp;
  before(async () => {
    smtp = await startInboundSmtp({ host: '127.0.0.1', port: 0, maxBytes: LIMIT, handlers: [handler], log: pino({ level: 'silent' }) });
  });
  after(() => smtp.close());

  it('accepts a message for a known recipient and hands over the exact bytes', async () => {
    const raw = await composeMail({ from: 'a@sender.test', to: 'desk@example.test', subject: 'Prova', text: 'Ciao', messageId: '<one@sender.test>' });
    const noise = await composeMail({ from: 'a@sender.test', to: 'nobody@example.test', subject: 'Nessuno', text: 'x' });
    const [ok, unknown, mixed] = await smtpSendAll({ host: '127.0.0.1', port: smtp.port }, [
      { from: 'a@sender.test', to: ['desk+asti@example.test'], raw },
      { from: 'a@sender.test', to: ['nobody@example.test'], raw: noise, client: 'raw' },
      { from: 'a@sender.test', to: ['desk@example.test', 'other@example.test'], raw },
    ]);
    assert.equal(ok!.accepted, true, ok!.response);
    assert.equal(ok!.code, 250);
    assert.equal(unknown!.accepted, false);
    assert.equal(unknown!.code, 550, unknown!.response);
    // a message for a known and an unknown recipient: delivered to the known one, the other refused
    assert.equal(mixed!.code, 250);
    assert.deepEqual(mixed!.rejected, ['other@example.test']);
    assert.deepEqual(delivered[1]?.rcptTo, ['desk@example.test']);
    const [first] = delivered;
    assert.ok(first);
    assert.equal(first.raw.toString(), raw.toString().replace(/\r?\n/g, '\r\n'));
    assert.deepEqual(first.rcptTo, ['desk+asti@example.test']);
    assert.equal(first.mailFrom, 'a@sender.test');
  });

  it('refuses an oversized message with 552, declared or not, and delivers nothing', async () => {
    const before = delivered.length;
    const big = await composeMail({ from: 'a@sender.test', to: 'desk@example.test', subject: 'Grande', text: 'x', attachments: [{ filename: 'big.bin', content: Buffer.alloc(LIMIT, 7) }] });
    const [declared, undeclared] = await smtpSendAll({ host: '127.0.0.1', port: smtp.port }, [
      { from: 'a@sender.test', to: ['desk@example.test'], raw: big },
      { from: 'a@sender.test', to: ['desk@example.test'], raw: big, client: 'raw' },
    ]);
    assert.equal(declared!.code, 552, declared!.response);
    assert.equal(undeclared!.code, 552, undeclared!.response);
    assert.equal(delivered.length, before);
  });

  it('answers 451 when the handler cannot store the message, and passes on its own refusals', async () => {
    failNext = true;
    const raw = await composeMail({ from: 'a@sender.test', to: 'desk@example.test', subject: 'Riprova', text: 'x' });
    const refused = await composeMail({ from: 'a@sender.test', to: 'desk@example.test', subject: 'REFUSE-ME', text: 'x' });
    const [temporary, retried, permanent] = await smtpSendAll({ host: '127.0.0.1', port: smtp.port }, [
      { from: 'a@sender.test', to: ['desk@example.test'], raw },
      { from: 'a@sender.test', to: ['desk@example.test'], raw },
      { from: 'a@sender.test', to: ['desk@example.test'], raw: refused },
    ]);
    assert.equal(temporary!.code, 451, temporary!.response);
    assert.equal(retried!.code, 250);
    assert.equal(permanent!.code, 550);
  });

  it('takes a piped message like the listener, with sysexits answers', async () => {
    const raw = Buffer.from('From: a@sender.test\r\nSubject: pipe\r\n\r\nx\r\n');
    assert.equal((await ingestRawMessage([handler], { raw, mailFrom: 'a@sender.test', rcptTo: ['desk@example.test'] }, LIMIT)).exitCode, 0);
    assert.equal(delivered.at(-1)!.raw.toString(), raw.toString());
    assert.equal((await ingestRawMessage([handler], { raw, mailFrom: 'a@sender.test', rcptTo: ['x@example.test'] }, LIMIT)).exitCode, 67);
    assert.equal((await ingestRawMessage([handler], { raw: Buffer.alloc(LIMIT + 1), mailFrom: null, rcptTo: ['desk@example.test'] }, LIMIT)).exitCode, 65);
    failNext = true;
    assert.equal((await ingestRawMessage([handler], { raw, mailFrom: null, rcptTo: ['desk@example.test'] }, LIMIT)).exitCode, 75);
  });
});
