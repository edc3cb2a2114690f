// Issue 5, point 9: a broadcast to BENCH_BROADCAST subscribers (default 200,000) of one comune by SMS, against the
// SMPP peer (its own process) at a configured rate (BENCH_SMPP_RATE, default 2000 submit_sm/s; BENCH_SMPP_WINDOW,
// default 20). Its own platform (workers on, SMPP_URL set) on a database cloned from the demo template.
// Measures: time to enqueue (the plan job turning subscribers into deliveries), achieved messages/s over the
// sending (first to last submit_sm accepted at the peer) as a share of the configured rate, duplicates at the
// peer (must be 0) and recipients skipped (must be 0).
import { sql } from 'kysely';
import { systemActor } from '../src/platform/audit/index.js';
import { createMessage, sendMessage } from '../src/modules/messaging/service.js';
import { duplicateParts, startSmppPeer } from '../test/support/smpp-peer.js';
import { startTestPlatform } from '../test/support/platform.js';
import { addBroadcastSubscribers, comuneWithoutSubscribers } from '../test/support/subscribers.js';

export interface MessagingBenchResult {
  recipients: number;
  configuredRate: number;
  window: number;
  setupSeconds: number;
  enqueueSeconds: number;
  sendSeconds: number;
  totalSeconds: number;
  messagesPerSecond: number;
  ratioToRate: number;
  partsAtPeer: number;
  duplicates: number;
  skipped: number;
  failed: number;
  throttledByPeer: number;
}

const PREFIX = '39321'; // the bench's numbers: +39321NNNNNNN (the demo network's own messages go to others)

export async function benchMessaging(n: number, rate: number, window: number): Promise<MessagingBenchResult> {
  const peer = await startSmppPeer({ receiptDelayMs: 50 });
  const platform = await startTestPlatform({ workers: true, env: { SMPP_URL: peer.url, SMPP_RATE: String(rate), SMPP_WINDOW: String(window), LOG_LEVEL: 'warn' } });
  try {
    const db = platform.platform.db.owner;
    const ente = await comuneWithoutSubscribers(db);
    const setupStarted = performance.now();
    await addBroadcastSubscribers(db, ente.id, n, { phonePrefix: PREFIX });
    await sql`analyze msg_subscriber`.execute(db);
    await sql`analyze msg_subscription`.execute(db);
    const setupSeconds = (performance.now() - setupStarted) / 1000;

    const text = 'Protezione civile: allerta arancione per temporali dalle 18. Evitare sottopassi e zone alluvionabili.';
    const msg = await createMessage(platform.platform.db.app, systemActor, ente.id, { title: 'Allerta', body: text, smsText: text, topics: ['protezione-civile'], targetEnteIds: [ente.id], channels: ['sms'], urgent: true });
    const started = performance.now();
    await sendMessage(platform.platform.db.app, platform.platform.jobs, systemActor, ente.id, msg.id);
    const dispatch = () => db.selectFrom('msg_dispatch').select(['id', 'state', 'planned']).where('message_id', '=', msg.id).executeTakeFirstOrThrow();
    let enqueueSeconds = 0;
    for (;;) {
      const d = await dispatch();
      if (d.state !== 'planning') {
        enqueueSeconds = (performance.now() - started) / 1000;
        break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    process.stdout.write(`enqueued in ${enqueueSeconds.toFixed(1)} s; sending:`);
    let shown = 0;
    for (;;) {
      const row = await db.selectFrom('msg_message').select('state').where('id', '=', msg.id).executeTakeFirstOrThrow();
      if (row.state === 'sent') break;
      const at = peer.submits().length;
      const pct = Math.floor((at / n) * 10) * 10;
      if (pct > shown) process.stdout.write(` ${(shown = pct)}%`);
      await new Promise((r) => setTimeout(r, 500));
    }
    const totalSeconds = (performance.now() - started) / 1000;
    const mine = peer.submits().filter((s) => s.dest.startsWith(PREFIX));
    const first = Date.parse(mine[0]!.at);
    const last = Date.parse(mine[mine.length - 1]!.at);
    const sendSeconds = Math.max(1e-3, (last - first) / 1000);
    const states = await db.selectFrom('msg_delivery').select(['state', (eb) => eb.fn.countAll<number>().as('n')]).where('ente_id', '=', ente.id).groupBy('state').execute();
    const count = (s: string) => Number(states.find((x) => x.state === s)?.n ?? 0);
    const reached = new Set(mine.map((s) => s.dest)).size;
    const stats = await peer.stats();
    const messagesPerSecond = mine.length / sendSeconds;
    process.stdout.write(' done\n');
    return {
      recipients: n,
      configuredRate: rate,
      window,
      setupSeconds,
      enqueueSeconds,
      sendSeconds,
      totalSeconds,
      messagesPerSecond,
      ratioToRate: messagesPerSecond / rate,
      partsAtPeer: mine.length,
      duplicates: duplicateParts(mine),
      skipped: n - reached,
      failed: count('failed') + count('skipped'),
      throttledByPeer: stats.throttled,
    };
  } finally {
    await platform.close().catch(() => undefined);
    await peer.stop().catch(() => undefined);
  }
}

export function messagingSummary(r: MessagingBenchResult): string {
  const f = (x: number) => x.toLocaleString('en');
  return [
    `messaging broadcast: ${f(r.recipients)} SMS subscribers of one comune, SMPP peer at a configured ${f(r.configuredRate)} msg/s (window ${r.window})`,
    `  setup (subscribers inserted, not timed): ${r.setupSeconds.toFixed(1)} s`,
    `  time to enqueue (plan all deliveries): ${r.enqueueSeconds.toFixed(1)} s (${f(Math.round(r.recipients / Math.max(r.enqueueSeconds, 1e-3)))} deliveries/s)`,
    `  sending: ${f(r.partsAtPeer)} submit_sm accepted in ${r.sendSeconds.toFixed(1)} s = ${r.messagesPerSecond.toFixed(0)} msg/s, ${(r.ratioToRate * 100).toFixed(1)}% of the configured rate; whole broadcast ${r.totalSeconds.toFixed(1)} s`,
    `  duplicates at the peer: ${r.duplicates}; skipped: ${r.skipped}; failed or skipped deliveries: ${r.failed}`,
  ].join('\n');
}
