// The App IO client against the local peer process, which validates every request against the official spec.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import { startAppIoPeer, type AppIoPeer } from '../../../../test/support/appio-peer.js';
import { AppIoClient, AppIoError, parseRetryAfter } from './client.js';

const ALLOWED = 'RSSMRA80A01A479L';
const BLOCKED = 'VRDGPP75B12A479K';
const NO_IO = 'BNCLRA85M41A479Z';

describe('App IO client', () => {
  let peer: AppIoPeer;
  let client: AppIoClient;
  before(async () => {
    peer = await startAppIoPeer({ keys: ['chiave-servizio'], profiles: { [ALLOWED]: true, [BLOCKED]: false } });
    client = new AppIoClient({ baseUrl: peer.url, apiKey: 'chiave-servizio', timeoutMs: 500 });
  });
  beforeEach(async () => peer.configure({ fail429First: 0, fail500First: 0, hangFirst: 0 }));
  after(async () => peer?.stop());

  const failure = async (work: Promise<unknown>): Promise<AppIoError> => {
    const err = await work.then(() => null, (e: unknown) => e);
    assert.ok(err instanceof AppIoError, `expected an AppIoError, got ${String(err)}`);
    return err;
  };

  it('checks the profile: allowed, disabled by the citizen, no IO profile', async () => {
    assert.deepEqual(await client.getProfile(ALLOWED), { senderAllowed: true });
    assert.deepEqual(await client.getProfile(BLOCKED), { senderAllowed: false });
    assert.equal(await client.getProfile(NO_IO), null);
  });

  it('submits a message with the key in the header and returns the id IO gave it; every request valid', async () => {
    const id = await client.submitMessage({ fiscalCode: ALLOWED, subject: 'Chiusura di via Roma', markdown: 'Domani **via Roma** resterà chiusa dalle 8 alle 18 per lavori alla rete del gas. Seguire la segnaletica.' });
    const state = await peer.state();
    const message = state.messages.find((m) => m.id === id);
    assert.ok(message);
    assert.equal(message.fiscalCode, ALLOWED);
    assert.equal(message.apiKey, 'chiave-servizio');
    assert.equal(state.calls.at(-1)?.operationId, 'submitMessageforUserWithFiscalCodeInBody');
    assert.deepEqual(state.invalid, []);
  });

  it('a request outside the spec is refused by the peer with the validation errors (kind invalid)', async () => {
    const err = await failure(client.submitMessage({ fiscalCode: ALLOWED, subject: 'Breve', markdown: 'corto' }));
    assert.equal(err.kind, 'invalid');
    assert.match(err.message, /non valida.*minimum length of 10/s);
    const state = await peer.state();
    assert.equal(state.invalid.length, 1);
    await peer.configure({}); // nothing else: later tests assert no further invalid request
  });

  it('429 → throttled with the Retry-After delay; 500 → unavailable; no answer → timeout; wrong key → unauthorized', async () => {
    await peer.configure({ fail429First: 1, retryAfter: 42 });
    const throttled = await failure(client.getProfile(ALLOWED));
    assert.equal(throttled.kind, 'throttled');
    assert.equal(throttled.retryAfterMs, 42_000);
    assert.match(throttled.message, /troppe richieste, riprovare tra 42 secondi/);

    await peer.configure({ fail500First: 1 });
    assert.equal((await failure(client.submitMessage({ fiscalCode: ALLOWED, subject: 'Oggetto valido', markdown: 'x'.repeat(80) }))).kind, 'unavailable');

    await peer.configure({ hangFirst: 1 });
    const timeout = await failure(client.getProfile(ALLOWED));
    assert.equal(timeout.kind, 'timeout');
    assert.match(timeout.message, /non ha risposto entro 0,5 secondi \(verifica del profilo\)/);

    const wrongKey = new AppIoClient({ baseUrl: peer.url, apiKey: 'chiave-sbagliata' });
    assert.equal((await failure(wrongKey.getProfile(ALLOWED))).kind, 'unauthorized');

    const closed = net.createServer().listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const closedPort = (closed.address() as net.AddressInfo).port;
    closed.close();
    await once(closed, 'close');
    const nobody = new AppIoClient({ baseUrl: `http://127.0.0.1:${closedPort}/api/v1`, apiKey: 'x' });
    assert.equal((await failure(nobody.getProfile(ALLOWED))).kind, 'unavailable');
    assert.equal((await peer.state()).invalid.length, 1); // only the deliberate one above
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2026-11-23T10:00:00Z');
    assert.equal(parseRetryAfter('120', now), 120_000);
    assert.equal(parseRetryAfter('Mon, 23 Nov 2026 10:00:30 GMT', now), 30_000);
    assert.equal(parseRetryAfter('Mon, 23 Nov 2026 09:00:00 GMT', now), 0);
    assert.equal(parseRetryAfter('presto', now), null);
    assert.equal(parseRetryAfter(null, now), null);
  });
});
