// The SMTP peer stands in for a real MTA in the tests that kill the platform mid-send (messaging/crash.test.ts):
// a client that vanishes in the middle of a transaction must not take the server down for the clients after it.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import nodemailer from 'nodemailer';
import { startSmtpPeer, type SmtpPeer } from './smtp-peer.js';

/** Reads the server's replies until one starts with `code`. */
async function reply(socket: net.Socket, code: string): Promise<void> {
  let seen = '';
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      seen += chunk.toString('utf8');
      if (seen.split('\r\n').some((line) => line.startsWith(`${code} `))) {
        socket.off('data', onData);
        resolve();
      }
    };
    socket.on('data', onData);
    socket.once('error', reject);
  });
}

describe('SMTP peer', () => {
  let peer: SmtpPeer;
  before(async () => {
    peer = await startSmtpPeer();
  });
  after(async () => {
    await peer?.stop();
  });

  it('keeps serving after a client resets its connection in the middle of DATA', async () => {
    const socket = net.connect(peer.port, '127.0.0.1');
    await reply(socket, '220');
    socket.write('EHLO killed.test\r\n');
    await reply(socket, '250');
    socket.write('MAIL FROM:<noreply@killed.test>\r\n');
    await reply(socket, '250');
    socket.write('RCPT TO:<someone@killed.test>\r\n');
    await reply(socket, '250');
    socket.write('DATA\r\n');
    await reply(socket, '354');
    socket.write('Subject: half a message\r\n\r\nThe sender dies here');
    socket.resetAndDestroy(); // what the kernel does for a process killed with SIGKILL and unread data
    await new Promise((r) => setTimeout(r, 300));

    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: peer.port, secure: false, ignoreTLS: true });
    try {
      await transport.sendMail({ from: 'noreply@next.test', to: 'citizen@next.test', subject: 'after the reset', text: 'still here' });
    } finally {
      transport.close();
    }
    const received = await peer.waitFor((all) => all.some((m) => m.subject === 'after the reset'));
    assert.ok(received.every((m) => m.subject !== 'half a message'), 'the cut message was not stored');
  });
});
