// The App IO channel against the local App IO peer process (requests validated against the official spec) and a
// real database: sent on IO to citizens who have it, SMS for the others, 429 / 500 recovered without loss or
// duplicates, content kept within the spec's limits, and deliveries left by a dead worker decided as documented.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { startAppIoPeer, type AppIoPeer, type PeerMessage } from '../../../../test/support/appio-peer.js';
import { startTestPlatform, type TestPlatform } from '../../../../test/support/platform.js';
import { systemActor } from '../../../platform/audit/index.js';
import { withEnte } from '../../../platform/db/index.js';
import { getEnteBySlug } from '../../../platform/tenancy/index.js';
import { claimDeliveries, planDispatch, runSendJob } from '../engine.js';
import { createMessage, sendMessage } from '../service.js';
import { subscribe } from '../consent.js';
import type { Channel } from '../store.js';
import { appioSender } from './channel.js';
import { buildContent } from './content.js';

const MARIO = 'RSSMRA80A01A479L'; // seeded, subscribed to every topic in Asti: IO allowed
const GIUSEPPE = 'VRDGPP75B12A479K'; // IO allowed
const CLARA = 'BNCLRA85M41A479Z'; // no IO profile
const LUCA = 'FRRLCU90C03A479S'; // IO profile, but this service disabled
const IO_CITIZENS = [MARIO, GIUSEPPE];
const senders = new Map([['appio', appioSender]] as [Channel, typeof appioSender][]);

describe('App IO channel', () => {
  let p: TestPlatform;
  let peer: AppIoPeer;
  let asti: string;

  before(async () => {
    peer = await startAppIoPeer({ keys: ['demo-appio-key-asti'], profiles: { [MARIO]: true, [GIUSEPPE]: true, [LUCA]: false } });
    p = await startTestPlatform({ env: { APPIO_URL: peer.url } });
    asti = (await getEnteBySlug(p.platform.db.app, 'asti'))!.id;
    await withEnte(p.platform.db.app, asti, async (trx) => {
      for (const [i, fiscalCode] of [GIUSEPPE, CLARA, LUCA].entries()) {
        await subscribe(trx, asti, { phone: `+39347555000${i}`, phoneVerifiedAt: new Date(), fiscalCode, topics: ['eventi', 'protezione-civile'], consentText: 'ok', via: 'page', source: 'web' });
      }
    });
  });
  after(async () => {
    await p?.close();
    await peer?.stop();
  });

  /** Creates, sends and plans a message to Asti; returns its dispatch id. */
  async function dispatchOf(title: string, body: string, options: { urgent?: boolean; topic?: string } = {}): Promise<string> {
    const msg = await createMessage(p.platform.db.app, systemActor, asti, { title, body, smsText: title, topics: [options.topic ?? 'eventi'], targetEnteIds: [asti], channels: ['appio', 'sms'], urgent: options.urgent ?? false });
    await sendMessage(p.platform.db.app, p.platform.jobs, systemActor, asti, msg.id);
    const dispatch = await withEnte(p.platform.db.app, asti, (trx) => trx.selectFrom('msg_dispatch').select('id').where('message_id', '=', msg.id).executeTakeFirstOrThrow());
    await planDispatch(p.platform, asti, dispatch.id);
    return dispatch.id;
  }
  const run = (dispatchId: string) => runSendJob(p.platform, senders, { enteId: asti, dispatchId, channel: 'appio' });
  const deliveries = (dispatchId: string) =>
    withEnte(p.platform.db.app, asti, (trx) => trx.selectFrom('msg_delivery').selectAll().where('dispatch_id', '=', dispatchId).where('fiscal_code', 'is not', null).execute());
  const byCf = async (dispatchId: string) => new Map((await deliveries(dispatchId)).map((d) => [d.fiscal_code!, d]));
  /** What the peer received for a subject, per fiscal code. */
  const received = async (subject: string): Promise<Map<string, PeerMessage[]>> => {
    const out = new Map<string, PeerMessage[]>();
    for (const m of (await peer.state()).messages.filter((m) => m.subject === subject)) out.set(m.fiscalCode, [...(out.get(m.fiscalCode) ?? []), m]);
    return out;
  };
  /** Time passes: the deliveries' retry time has come. */
  const timePasses = (dispatchId: string) => sql`update msg_delivery set next_attempt_at = now() where dispatch_id = ${dispatchId} and state = 'queued'`.execute(p.platform.db.owner);

  it('sends on IO to citizens who have it; no profile or service disabled → SMS; every request valid', async () => {
    const title = 'Festa patronale di San Secondo';
    const id = await dispatchOf(title, 'Domenica la festa patronale: mercato in piazza Alfieri dalle 9 alle 19, concerto serale in piazza San Secondo.');
    await run(id);
    const d = await byCf(id);
    const got = await received(title);
    for (const cf of IO_CITIZENS) {
      assert.equal(d.get(cf)?.state, 'sent', cf);
      assert.equal(d.get(cf)?.channel, 'appio');
      assert.equal(got.get(cf)?.length, 1, `${cf} got one IO message`);
      assert.equal(d.get(cf)?.provider_ref, got.get(cf)![0]!.id);
      assert.equal(got.get(cf)![0]!.apiKey, 'demo-appio-key-asti');
    }
    for (const [cf, reason] of [[CLARA, /non ha un profilo App IO/], [LUCA, /disattivato su App IO/]] as const) {
      assert.equal(d.get(cf)?.channel, 'sms', cf);
      assert.equal(d.get(cf)?.fallback_from, 'appio');
      assert.equal(d.get(cf)?.state, 'queued');
      assert.match(d.get(cf)?.error ?? '', reason);
      assert.equal(got.get(cf), undefined);
    }
    const state = await peer.state();
    assert.deepEqual(state.invalid, []);
    // The profile is checked before every submit.
    assert.ok(state.calls.filter((c) => c.operationId === 'getProfileByPOST').length >= 4);
  });

  it('429 twice: waits for Retry-After without counting attempts, then sends each message once', async () => {
    const title = 'Chiusura temporanea della biblioteca';
    const id = await dispatchOf(title, 'La biblioteca civica resterà chiusa lunedì per la manutenzione straordinaria dell’impianto elettrico.');
    await peer.configure({ fail429First: 2, retryAfter: 30 });
    for (let round = 0; round < 2; round++) {
      await run(id);
      for (const cf of IO_CITIZENS) {
        const delivery = (await byCf(id)).get(cf)!;
        assert.equal(delivery.state, 'queued', `round ${round} ${cf}`);
        const wait = delivery.next_attempt_at.getTime() - Date.now();
        assert.ok(wait > 25_000 && wait <= 31_000, `waits for Retry-After (${wait} ms)`);
      }
      assert.ok([...(await byCf(id)).values()].some((d) => /troppe richieste, riprovare tra 30 secondi/.test(d.error ?? '')));
      await timePasses(id);
    }
    await run(id);
    const d = await byCf(id);
    const got = await received(title);
    for (const cf of IO_CITIZENS) {
      assert.equal(d.get(cf)?.state, 'sent');
      assert.equal(d.get(cf)?.attempts, 1, 'throttling is not an attempt');
      assert.equal(got.get(cf)?.length, 1, `${cf}: exactly one message`);
    }
    assert.deepEqual((await peer.state()).invalid, []);
  });

  it('500 → retried with back-off, then sent once', async () => {
    const title = 'Raccolta rifiuti spostata a martedì';
    const id = await dispatchOf(title, 'Per la festività la raccolta porta a porta di lunedì è spostata a martedì, con gli stessi orari di esposizione.');
    await peer.configure({ fail500First: 1 });
    await run(id);
    const first = (await deliveries(id)).filter((d) => d.channel === 'appio' || d.fallback_from === 'appio');
    const retried = first.find((d) => d.state === 'queued' && d.channel === 'appio');
    assert.ok(retried, 'one delivery waits for a retry');
    assert.match(retried.error ?? '', /temporaneamente non disponibile.*HTTP 500/);
    const wait = retried.next_attempt_at.getTime() - Date.now();
    assert.ok(wait > 10_000 && wait <= 15_000, `back-off ${wait} ms`);
    await timePasses(id);
    await run(id);
    const got = await received(title);
    for (const cf of IO_CITIZENS) {
      assert.equal((await byCf(id)).get(cf)?.state, 'sent');
      assert.equal(got.get(cf)?.length, 1);
    }
  });

  it('keeps subject and markdown within the spec: a short title gets the sender, a long body is shortened', async () => {
    // 10,000 characters (the most a message may have) that grow past IO's limit once escaped as Markdown.
    const body = 'Attenzione: *strada* chiusa [km 12] #viabilità_nord\n'.repeat(200).slice(0, 10_000);
    const id = await dispatchOf('Lavori', body);
    await run(id);
    const dispatch = await withEnte(p.platform.db.app, asti, (trx) => trx.selectFrom('msg_dispatch').selectAll().where('id', '=', id).executeTakeFirstOrThrow());
    const expected = buildContent(dispatch);
    assert.equal(expected.subject, `${dispatch.sender_name}: Lavori`);
    const got = (await received(expected.subject)).get(MARIO)?.[0];
    assert.ok(got);
    assert.equal(got.markdown, expected.markdown);
    assert.ok(got.markdown.length <= 10_000);
    assert.match(got.markdown, /Testo abbreviato per App IO/);
    assert.deepEqual((await peer.state()).invalid, []);
  });

  it('a worker that died: not yet submitting → sent; submitting → uncertain, or sent again when urgent', async () => {
    const crash = async (id: string) => {
      // A worker claimed the deliveries, marked Mario's submit as started, and died.
      const claimed = await withEnte(p.platform.db.app, asti, (trx) => claimDeliveries(trx, id, 'appio', 50, 60, false));
      assert.ok(claimed.length >= 2);
      await sql`update msg_delivery set lease_until = now() - interval '1 second', appio_submit_at = case when fiscal_code = ${MARIO} then now() end where dispatch_id = ${id}`.execute(p.platform.db.owner);
    };
    const ordinary = 'Iscrizioni ai centri estivi aperte';
    const id = await dispatchOf(ordinary, 'Da oggi sono aperte le iscrizioni ai centri estivi comunali per i bambini dai 3 ai 14 anni, fino al 30 aprile.');
    await crash(id);
    await run(id);
    let d = await byCf(id);
    assert.equal(d.get(MARIO)?.state, 'uncertain');
    assert.match(d.get(MARIO)?.error ?? '', /esito sconosciuto/);
    assert.equal(d.get(GIUSEPPE)?.state, 'sent');
    let got = await received(ordinary);
    assert.equal(got.get(MARIO), undefined);
    assert.equal(got.get(GIUSEPPE)?.length, 1);

    const urgent = 'Allerta meteo rossa per piogge intense';
    const urgentId = await dispatchOf(urgent, 'Allerta rossa dalle 14 di oggi: evitare i sottopassi, non sostare lungo il Tanaro e il Borbore, seguire le indicazioni della protezione civile.', { urgent: true, topic: 'protezione-civile' });
    await crash(urgentId);
    await run(urgentId);
    await timePasses(urgentId); // the re-send waits for the back-off
    await run(urgentId);
    d = await byCf(urgentId);
    got = await received(urgent);
    for (const cf of IO_CITIZENS) {
      assert.equal(d.get(cf)?.state, 'sent', cf);
      assert.equal(got.get(cf)?.length, 1);
    }
    assert.deepEqual((await peer.state()).invalid, []);
  });
});
