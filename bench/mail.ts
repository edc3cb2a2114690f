// An e-mail broadcast to BENCH_EMAIL subscribers (default 2,000) of one comune, through the whole path: plan →
// e-mail channel → kernel outbox → SMTP to the SMTP peer (its own process). Its own platform (workers on,
// SMTP_URL set) on a database cloned from the demo template. The baseline, taken in the same run against the
// same peer: nodemailer alone sending the same number of mails over the same pool of connections, no database.
// Reports mails/s both ways and their ratio, and duplicates at the peer (must be 0).
import nodemailer from 'nodemailer';
import { systemActor } from '../src/platform/audit/index.js';
import { createMessage, sendMessage } from '../src/modules/messaging/service.js';
import { startSmtpPeer } from '../test/support/smtp-peer.js';
import { startTestPlatform } from '../test/support/platform.js';
import { addBroadcastSubscribers, comuneWithoutSubscribers } from '../test/support/subscribers.js';

export interface MailBenchResult {
  recipients: number;
  /** nodemailer alone, 3 pooled connections, to the same peer. */
  bareMailsPerSecond: number;
  /** From sendMessage to the last mail accepted by the peer. */
  totalSeconds: number;
  mailsPerSecond: number;
  ratioToBare: number;
  duplicates: number;
  missing: number;
}

const DOMAIN = 'bench-mail.test';

export async function benchMail(n: number): Promise<MailBenchResult> {
  const peer = await startSmtpPeer();
  try {
    // Baseline: the SMTP client and server alone.
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: peer.port, secure: false, ignoreTLS: true, pool: true, maxConnections: 3 });
    const bareStarted = performance.now();
    const pending: Promise<unknown>[] = [];
    for (let i = 1; i <= n; i++) {
      pending.push(transport.sendMail({ from: `noreply@${DOMAIN}`, to: `bare${i}@${DOMAIN}`, subject: 'Allerta', text: 'Allerta arancione per temporali.' }));
    }
    await Promise.all(pending);
    const bareMailsPerSecond = n / ((performance.now() - bareStarted) / 1000);
    transport.close();
    process.stdout.write(`bare SMTP ${bareMailsPerSecond.toFixed(0)} mails/s; platform:`);

    const platform = await startTestPlatform({ workers: true, env: { SMTP_URL: peer.url, LOG_LEVEL: 'warn' } });
    try {
      const db = platform.platform.db.owner;
      const ente = await comuneWithoutSubscribers(db);
      await addBroadcastSubscribers(db, ente.id, n, { emailDomain: DOMAIN });
      const text = 'Protezione civile: allerta arancione per temporali dalle 18. Evitare sottopassi e zone alluvionabili.';
      const msg = await createMessage(platform.platform.db.app, systemActor, ente.id, { title: 'Allerta', body: text, topics: ['protezione-civile'], targetEnteIds: [ente.id], channels: ['email'], urgent: true });
      const started = performance.now();
      await sendMessage(platform.platform.db.app, platform.platform.jobs, systemActor, ente.id, msg.id);
      // The demo network's own queued mail (Asti's seeded alert) goes out too: ours are told by their address.
      const mine = async () => (await peer.messages()).flatMap((m) => m.rcptTo).filter((r) => r.startsWith('iscritto') && r.endsWith(`@${DOMAIN}`));
      let received = await mine();
      for (let shown = 0; new Set(received).size < n; received = await mine()) {
        const pct = Math.floor((new Set(received).size / n) * 10) * 10;
        if (pct > shown) process.stdout.write(` ${(shown = pct)}%`);
        await new Promise((r) => setTimeout(r, 200));
      }
      const totalSeconds = (performance.now() - started) / 1000;
      process.stdout.write(' done\n');
      const mailsPerSecond = n / totalSeconds;
      return {
        recipients: n,
        bareMailsPerSecond,
        totalSeconds,
        mailsPerSecond,
        ratioToBare: mailsPerSecond / bareMailsPerSecond,
        duplicates: received.length - new Set(received).size,
        missing: n - new Set(received).size,
      };
    } finally {
      await platform.close().catch(() => undefined);
    }
  } finally {
    await peer.stop().catch(() => undefined);
  }
}

export function mailSummary(r: MailBenchResult): string {
  const f = (x: number) => x.toLocaleString('en');
  return [
    `e-mail broadcast: ${f(r.recipients)} e-mail subscribers of one comune, through the outbox to the SMTP peer`,
    `  bare nodemailer to the same peer (3 pooled connections): ${r.bareMailsPerSecond.toFixed(0)} mails/s`,
    `  platform (plan, channel, outbox, SMTP): ${r.totalSeconds.toFixed(1)} s = ${r.mailsPerSecond.toFixed(0)} mails/s, ratio to bare ${r.ratioToBare.toFixed(3)}`,
    `  duplicates at the peer: ${r.duplicates}; missing: ${r.missing}`,
  ].join('\n');
}
