// A local App IO services API for tests, in a separate process (appio-peer-server.ts) that validates every
// request against the official spec (../shared/specs/appio/index.yaml). The test reads what it received and
// the requests it found invalid, and can make it misbehave (429 with Retry-After, 500, no answer).
//
//   const peer = await startAppIoPeer({ keys: ['k'], profiles: { RSSMRA80A01A479L: true } });
//   … start the platform with APPIO_URL: peer.url …
//   assert.deepEqual((await peer.state()).invalid, []);
//   await peer.stop();
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { AppIoPeerConfig, PeerCall, PeerInvalid, PeerMessage } from './appio-peer-server.js';

export type { AppIoPeerConfig, PeerCall, PeerInvalid, PeerMessage };

export interface AppIoPeerState {
  calls: PeerCall[];
  messages: PeerMessage[];
  /** Requests that did not satisfy the spec, with the validator's errors. */
  invalid: PeerInvalid[];
}

export interface AppIoPeer {
  /** http://127.0.0.1:port/api/v1, for APPIO_URL. */
  url: string;
  state(): Promise<AppIoPeerState>;
  /** Changes the behaviour from the next call on (counters such as fail429First start again). */
  configure(change: Partial<AppIoPeerConfig>): Promise<void>;
  stop(): Promise<void>;
}

const serverScript = path.join(import.meta.dirname, 'appio-peer-server.ts');
const root = path.resolve(import.meta.dirname, '..', '..');

async function readPort(child: ChildProcess): Promise<number> {
  const lines = createInterface({ input: child.stdout! });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the App IO peer did not start within 20 s')), 20_000);
    child.once('exit', (code) => reject(new Error(`the App IO peer exited with code ${code}`)));
    lines.once('line', (line) => {
      clearTimeout(timer);
      resolve((JSON.parse(line) as { port: number }).port);
    });
  });
}

export async function startAppIoPeer(config: Partial<AppIoPeerConfig> = {}): Promise<AppIoPeer> {
  const child = spawn(process.execPath, ['--import', 'tsx', serverScript, JSON.stringify(config)], { cwd: root, stdio: ['pipe', 'pipe', 'inherit'] });
  const port = await readPort(child).catch((err) => {
    child.kill();
    throw err;
  });
  const control = `http://127.0.0.1:${port}/__peer`;
  return {
    url: `http://127.0.0.1:${port}/api/v1`,
    async state() {
      return (await (await fetch(`${control}/state`)).json()) as AppIoPeerState;
    },
    async configure(change) {
      const response = await fetch(`${control}/config`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(change) });
      if (!response.ok) throw new Error(`App IO peer: configure failed with ${response.status}`);
    },
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.stdin?.end();
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}
