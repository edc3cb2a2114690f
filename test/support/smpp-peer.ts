// A real SMSC for tests, in a separate process (smpp-peer-server.ts), so that what the platform sends really
// crosses a socket and an SMPP 3.4 dialogue. The test side reads the accepted parts and steers the peer.
//
//   const peer = await startSmppPeer({ throttleNext: 3 });
//   … start the platform with SMPP_URL: peer.url …
//   await peer.waitFor((parts) => parts.length === 2);
//   await peer.mo('393331234567', 'STOP');
//   await peer.stop();
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startPeerProcess, stopPeerProcess } from './peer-process.js';
import type { SmppPeerBehaviour, SmppPeerProcessOptions, StoredSubmit } from './smpp-peer-server.js';

export type { StoredSubmit };

export interface SmppPeerStats {
  binds: number;
  bindFailures: number;
  submits: number;
  accepted: number;
  throttled: number;
  queueFull: number;
  rejected: number;
  dropped: number;
  receiptsDelivered: number;
  receiptsRetried: number;
  receiptsPending: number;
  enquireLinks: number;
  unbinds: number;
  boundSessions: number;
  mo: number;
}

export interface SmppPeer {
  /** smpp://system_id:password@127.0.0.1:port, for SMPP_URL. */
  url: string;
  port: number;
  /** Every part accepted so far, in order. */
  submits(): StoredSubmit[];
  /** Polls until `predicate` holds for the parts accepted (rejects after `timeoutMs`). */
  waitFor(predicate: (submits: StoredSubmit[]) => boolean, timeoutMs?: number): Promise<StoredSubmit[]>;
  stats(): Promise<SmppPeerStats>;
  /** Changes how the peer behaves from now on. */
  set(behaviour: Partial<SmppPeerBehaviour>): Promise<void>;
  /** Cuts every bound connection now. */
  drop(): Promise<void>;
  /** A citizen's SMS to the platform (deliver_sm, not a receipt); the platform's deliver_sm_resp status. */
  mo(from: string, to: string, text: string): Promise<{ status: number }>;
  stop(): Promise<void>;
}


/** Key of one part of one message to one handset: a second part with the same key is a duplicate. */
export function partKey(s: StoredSubmit): string {
  return s.concat ? `${s.dest}|${s.concat.ref}|${s.concat.total}|${s.concat.seq}` : `${s.dest}|${s.text}`;
}

/** Parts received more than once (same handset, same concatenation reference and sequence, or same text). */
export function duplicateParts(submits: StoredSubmit[]): number {
  const seen = new Set<string>();
  let duplicates = 0;
  for (const s of submits) {
    const key = partKey(s);
    if (seen.has(key)) duplicates++;
    else seen.add(key);
  }
  return duplicates;
}

export async function startSmppPeer(behaviour: Partial<SmppPeerBehaviour> & { systemId?: string; password?: string } = {}): Promise<SmppPeer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cir-smpp-peer-'));
  const options: SmppPeerProcessOptions = {
    dir,
    systemId: behaviour.systemId ?? 'comuni',
    password: behaviour.password ?? 'segreta',
    throttleNext: behaviour.throttleNext ?? 0,
    queueFullNext: behaviour.queueFullNext ?? 0,
    dropAfterAccepting: behaviour.dropAfterAccepting ?? [],
    dropWithoutAccepting: behaviour.dropWithoutAccepting ?? [],
    rejectDestinations: behaviour.rejectDestinations ?? [],
    undeliverable: behaviour.undeliverable ?? [],
    receiptDelayMs: behaviour.receiptDelayMs ?? 20,
    receiptRetryMs: behaviour.receiptRetryMs ?? 300,
  };
  const { child, port, lines } = await startPeerProcess('SMPP', 'smpp-peer-server.ts', options);
  const waiting = new Map<number, { resolve: (v: any) => void; reject: (e: Error) => void }>();
  lines.on('line', (line) => {
    const message = JSON.parse(line) as { id: number; result?: unknown; error?: string };
    const w = waiting.get(message.id);
    waiting.delete(message.id);
    if (message.error) w?.reject(new Error(message.error));
    else w?.resolve(message.result);
  });
  let nextId = 1;
  const call = <T>(cmd: string, args: Record<string, unknown> = {}): Promise<T> =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      waiting.set(id, { resolve, reject });
      child.stdin!.write(`${JSON.stringify({ id, cmd, ...args })}\n`);
    });
  const file = path.join(dir, 'submits.jsonl');
  // Read incrementally: a benchmark's peer holds hundreds of thousands of parts.
  const cache: StoredSubmit[] = [];
  let offset = 0;
  let tail = '';
  const submits = () => {
    if (!fs.existsSync(file)) return cache;
    const size = fs.statSync(file).size;
    if (size > offset) {
      const fd = fs.openSync(file, 'r');
      const buffer = Buffer.alloc(size - offset);
      fs.readSync(fd, buffer, 0, buffer.length, offset);
      fs.closeSync(fd);
      offset = size;
      const text = tail + buffer.toString('utf8');
      const parts = text.split('\n');
      tail = parts.pop() ?? '';
      for (const line of parts) if (line) cache.push(JSON.parse(line) as StoredSubmit);
    }
    return cache;
  };
  return {
    url: `smpp://${options.systemId}:${options.password}@127.0.0.1:${port}`,
    port,
    submits,
    async waitFor(predicate, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const all = submits();
        if (predicate(all)) return all;
        if (Date.now() > deadline) throw new Error(`SMPP peer: condition not met within ${timeoutMs} ms; accepted ${all.length} parts; ${JSON.stringify(await call('stats'))}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    stats: () => call<SmppPeerStats>('stats'),
    set: async (b) => void (await call('set', { behaviour: b })),
    drop: async () => void (await call('drop')),
    mo: (from, to, text) => call<{ status: number }>('mo', { from, to, text }),
    async stop() {
      await stopPeerProcess(child);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
