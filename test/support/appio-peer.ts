// A local App IO services API for tests, in a separate process (appio-peer-server.ts) that validates every
// request against the official spec (../shared/specs/appio/index.yaml). The test reads what it received and
// the requests it found invalid, and can make it misbehave (429 with Retry-After, 500, no answer).
//
//   const peer = await startAppIoPeer({ keys: ['k'], profiles: { RSSMRA80A01A479L: true } });
//   … start the platform with APPIO_URL: peer.url …
//   assert.deepEqual((await peer.state()).invalid, []);
//   await peer.stop();
import { startPeerProcess, stopPeerProcess } from './peer-process.js';
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

export async function startAppIoPeer(config: Partial<AppIoPeerConfig> = {}): Promise<AppIoPeer> {
  const { child, port } = await startPeerProcess('App IO', 'appio-peer-server.ts', config);
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
    stop: () => stopPeerProcess(child),
  };
}
