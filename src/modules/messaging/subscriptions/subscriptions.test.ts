// Subscriptions end to end through the HTTP pages (real PostgreSQL): one-time codes (hash, expiry, attempts,
// rate limit), subscribing in several comuni with the consent text shown, concurrent confirmations,
// unsubscribing by page and by the e-mail link (RFC 8058 one-click), and the operators' list, export and
// import — with another ente's operator refused (403, audited, nothing leaked) and anonymous visitors sent to login.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { startTestPlatform, type TestPlatform } from '../../../../test/support/platform.js';
import { csrfFrom, form, login, type Browser } from '../../../../test/support/http.js';
import { otpHash, OTP_MAX_ATTEMPTS } from './otp.js';
import { consentText, unsubscribeByToken } from './service.js';
import { importSubscribers } from './import.js';
import type { Ente } from '../../../platform/tenancy/index.js';
import { getEnteBySlug } from '../../../platform/tenancy/index.js';

let tp: TestPlatform;
let asti: Ente;
let canelli: Ente;
let nizza: Ente;

/** An anonymous visitor: the CSRF cookie and token of the page. */
async function visitor(url: string, ip = '10.0.0.1'): Promise<Browser & { ip: string }> {
  const res = await tp.app.inject({ method: 'GET', url, remoteAddress: ip });
  assert.equal(res.statusCode, 200, res.body.slice(0, 300));
  const cookie = [res.headers['set-cookie'] ?? []].flat().map((c) => c.split(';')[0]).join('; ');
  return { cookie, csrf: csrfFrom(res.body), ip };
}

const post = (b: Browser & { ip: string }, url: string, fields: Record<string, string | string[]>) => {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...fields, _csrf: b.csrf })) for (const x of [v].flat()) params.append(k, x);
  return tp.app.inject({ method: 'POST', url, remoteAddress: b.ip, headers: { cookie: b.cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: params.toString() });
};

const owner = () => tp.platform.db.owner;
const byFlow = (flow: string) => sql<boolean>`request ->> 'flow' = ${flow}`;

/** The code sent for a flow on a channel, read from the notification queued by notify(). */
async function codeOf(flow: string, channel: 'sms' | 'email'): Promise<string> {
  const otp = await owner().selectFrom('msg_otp').select('id').where(byFlow(flow)).where('channel', '=', channel).executeTakeFirstOrThrow();
  const message = await owner().selectFrom('msg_message').select(['sms_text', 'body']).where('origin_module', '=', 'messaging').where('origin_key', '=', `otp:${otp.id}`).executeTakeFirstOrThrow();
  return /\b(\d{6})\b/.exec(channel === 'sms' ? message.sms_text! : message.body)![1]!;
}

const flowOf = (location: string | undefined) => /conferma\/([0-9a-f-]{36})$/.exec(location ?? '')![1]!;

async function subscribeRequest(phone: string, email: string, extra: Record<string, string | string[]> = {}, ip = '10.0.0.1') {
  const b = await visitor('/asti/avvisi', ip);
  const res = await post(b, '/asti/avvisi', { telefono: phone, email, argomenti: ['protezione-civile', 'rifiuti'], consenso: 'si', azione: 'invia', ...extra });
  return { b, res };
}

before(async () => {
  tp = await startTestPlatform();
  asti = (await getEnteBySlug(tp.platform.db.app, 'asti'))!;
  canelli = (await getEnteBySlug(tp.platform.db.app, 'canelli'))!;
  nizza = (await getEnteBySlug(tp.platform.db.app, 'nizza-monferrato'))!;
});
after(async () => tp?.close());

describe('subscribe page and one-time codes', () => {
  test('the page shows topics (protezione civile highlighted), other comuni and the consent text', async () => {
    const res = await tp.app.inject({ method: 'GET', url: '/asti/avvisi' });
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /Protezione civile[\s\S]*Urgente/);
    assert.ok(res.body.includes(consentText(asti).replace(/’/g, '’')));
    assert.match(res.body, /value="canelli"/);
    assert.ok(!res.body.includes('value="asti"'), 'the page ente is not among the others');
    const filtered = await post(await visitor('/asti/avvisi'), '/asti/avvisi', { cerca: 'canel', comuni: 'nizza-monferrato', azione: 'filtra' });
    assert.equal(filtered.statusCode, 200);
    assert.match(filtered.body, /id="comune-canelli"/);
    assert.match(filtered.body, /id="comune-nizza-monferrato"[^>]*checked/);
    assert.ok(!filtered.body.includes('id="comune-costigliole-d-asti"'));
  });

  test('the informativa names the two-way number to reply STOP to, when the CST has one (SMS_REPLY_NUMBER)', async () => {
    assert.match((await tp.app.inject({ method: 'GET', url: '/asti/avvisi' })).body, /rispondendo STOP a un SMS/);
    const withNumber = await startTestPlatform({ env: { SMS_REPLY_NUMBER: '+39 320 000 0000' } });
    try {
      const res = await withNumber.app.inject({ method: 'GET', url: '/asti/avvisi' });
      assert.match(res.body, /rispondendo STOP al numero \+39 320 000 0000/);
    } finally {
      await withNumber.close();
    }
  });

  test('bad input: Italian errors, no code sent', async () => {
    const { res } = await subscribeRequest('0141 123456', 'non-una-mail', { consenso: '' });
    assert.equal(res.statusCode, 422);
    assert.match(res.body, /Serve un numero di cellulare/);
    assert.match(res.body, /Indirizzo e-mail non valido/);
    assert.match(res.body, /consenso/);
    const short = await subscribeRequest('333 12', '');
    assert.match(short.res.body, /troppo corto/);
    const none = await subscribeRequest('', '', { argomenti: [] });
    assert.match(none.res.body, /Indica un numero di cellulare o un indirizzo e-mail/);
    assert.match(none.res.body, /Scegli almeno un argomento/);
  });

  test('codes: stored as HMAC only; wrong code counts, right one subscribes in every chosen comune with the consent text', async () => {
    const { res } = await subscribeRequest('333 765 4321', 'Anna.Verdi@Example.org', { comuni: ['canelli', 'nizza-monferrato'] });
    assert.equal(res.statusCode, 303);
    const flow = flowOf(res.headers.location);
    const rows = await owner().selectFrom('msg_otp').selectAll().where(byFlow(flow)).execute();
    assert.equal(rows.length, 2);
    const sms = await codeOf(flow, 'sms');
    const email = await codeOf(flow, 'email');
    const smsRow = rows.find((r) => r.channel === 'sms')!;
    assert.equal(smsRow.code_hash, otpHash(tp.platform.secrets.cookie, smsRow.id, sms));
    assert.ok(!JSON.stringify(rows).includes(`"${sms}"`), 'the code itself is not stored');
    assert.ok(smsRow.expires_at.getTime() - smsRow.created_at.getTime() === 10 * 60_000);

    const b = await visitor(res.headers.location!);
    const wrong = await post(b, res.headers.location!, { 'codice-sms': sms === '000000' ? '111111' : '000000', 'codice-email': email });
    assert.equal(wrong.statusCode, 422);
    assert.match(wrong.body, /Codice errato/);
    assert.equal((await owner().selectFrom('msg_otp').select('attempts').where('id', '=', smsRow.id).executeTakeFirstOrThrow()).attempts, 1);

    const ok = await post(b, res.headers.location!, { 'codice-sms': sms, 'codice-email': email });
    assert.equal(ok.statusCode, 200, ok.body.slice(0, 500));
    assert.match(ok.body, /Iscrizione confermata/);
    const subs = await owner().selectFrom('msg_subscriber').selectAll().where('phone', '=', '+393337654321').execute();
    assert.deepEqual(subs.map((s) => s.ente_id).sort(), [asti.id, canelli.id, nizza.id].sort());
    for (const s of subs) {
      assert.equal(s.email, 'anna.verdi@example.org');
      assert.ok(s.phone_verified_at && s.email_verified_at);
      const events = await owner().selectFrom('msg_consent_event').selectAll().where('subscriber_id', '=', s.id).execute();
      assert.deepEqual(events.map((e) => e.topic_code).sort(), ['protezione-civile', 'rifiuti']);
      assert.ok(events.every((e) => e.consent_text === consentText(asti) && e.via === 'page' && e.action === 'grant'));
    }
    const again = await post(b, res.headers.location!, { 'codice-sms': sms, 'codice-email': email });
    assert.match(again.body, /già stata confermata/);
  });

  test('concurrent confirmations of the same code give one subscriber', async () => {
    const { res } = await subscribeRequest('3401112233', '');
    const url = res.headers.location!;
    const code = await codeOf(flowOf(url), 'sms');
    const b = await visitor(url);
    const answers = await Promise.all([1, 2, 3].map(() => post(b, url, { 'codice-sms': code })));
    assert.deepEqual(answers.map((a) => a.statusCode), [200, 200, 200]);
    const subs = await owner().selectFrom('msg_subscriber').select('id').where('phone', '=', '+393401112233').execute();
    assert.equal(subs.length, 1);
    const grants = await owner().selectFrom('msg_consent_event').select('id').where('subscriber_id', '=', subs[0]!.id).execute();
    assert.equal(grants.length, 2);
  });

  test('expired code: clear message; five wrong tries kill the code', async () => {
    const { res } = await subscribeRequest('3402223344', '');
    const url = res.headers.location!;
    const flow = flowOf(url);
    const code = await codeOf(flow, 'sms');
    const b = await visitor(url);
    for (let i = 0; i < OTP_MAX_ATTEMPTS - 1; i++) assert.match((await post(b, url, { 'codice-sms': code === '999999' ? '999998' : '999999' })).body, /Codice errato/);
    const last = await post(b, url, { 'codice-sms': '123' === code ? '1' : code.split('').reverse().join('') === code ? '000001' : code.split('').reverse().join('') });
    assert.match(last.body, /Troppi tentativi/);
    assert.match((await post(b, url, { 'codice-sms': code })).body, /Troppi tentativi/, 'even the right code is refused now');

    const second = await subscribeRequest('3403334455', '');
    const url2 = second.res.headers.location!;
    await owner().updateTable('msg_otp').set({ expires_at: new Date(Date.now() - 1000) }).where(byFlow(flowOf(url2))).execute();
    const expired = await post(b, url2, { 'codice-sms': await codeOf(flowOf(url2), 'sms') });
    assert.equal(expired.statusCode, 410);
    assert.match(expired.body, /scaduto/);
    assert.equal((await owner().selectFrom('msg_subscriber').select('id').where('phone', '=', '+393403334455').execute()).length, 0);
  });

  test('rate limit: a fourth code for the same address within 10 minutes is refused (429)', async () => {
    for (let i = 0; i < 3; i++) assert.equal((await subscribeRequest('3404445566', '', {}, `10.1.0.${i}`)).res.statusCode, 303);
    const fourth = await subscribeRequest('3404445566', '', {}, '10.1.0.9');
    assert.equal(fourth.res.statusCode, 429);
    assert.match(fourth.res.body, /troppi codici/);
  });
});

describe('unsubscribing', () => {
  test('by page: code, then leave everything in one comune and a topic in another', async () => {
    const { res } = await subscribeRequest('3475556677', '', { comuni: ['canelli'] });
    const b = await visitor(res.headers.location!);
    await post(b, res.headers.location!, { 'codice-sms': await codeOf(flowOf(res.headers.location), 'sms') });

    const lb = await visitor('/asti/avvisi/disiscrizione');
    const asked = await post(lb, '/asti/avvisi/disiscrizione', { telefono: '347 555 6677', email: '' });
    assert.equal(asked.statusCode, 303);
    const confirmed = await post(lb, asked.headers.location!, { 'codice-sms': await codeOf(flowOf(asked.headers.location), 'sms') });
    assert.equal(confirmed.statusCode, 303);
    const manage = await tp.app.inject({ method: 'GET', url: confirmed.headers.location!, headers: { cookie: lb.cookie } });
    assert.equal(manage.statusCode, 200);
    assert.match(manage.body, /Comune di Canelli|Canelli/);
    const done = await post(lb, confirmed.headers.location!, { tutto: canelli.id, lascia: `${asti.id}:rifiuti` });
    assert.equal(done.statusCode, 200, done.body.slice(0, 400));
    const rows = await owner().selectFrom('msg_subscriber as s').innerJoin('msg_subscription as x', (j) => j.onRef('x.subscriber_id', '=', 's.id').onRef('x.ente_id', '=', 's.ente_id')).select(['s.ente_id', 'x.topic_code', 'x.revoked_at', 's.phone_opted_out_at']).where('s.phone', '=', '+393475556677').execute();
    assert.ok(rows.filter((r) => r.ente_id === canelli.id).every((r) => r.revoked_at && r.phone_opted_out_at));
    assert.deepEqual(rows.filter((r) => r.ente_id === asti.id && !r.revoked_at).map((r) => r.topic_code), ['protezione-civile']);
    const revokes = await owner().selectFrom('msg_consent_event').select(['via', 'action']).where('action', '=', 'revoke').where('subscriber_id', 'in', owner().selectFrom('msg_subscriber').select('id').where('phone', '=', '+393475556677')).execute();
    assert.ok(revokes.length >= 3 && revokes.every((r) => r.via === 'page'));
  });

  test('by the e-mail link: confirm page, then POST; RFC 8058 one-click works without cookie or CSRF', async () => {
    const mario = await owner().selectFrom('msg_subscriber').selectAll().where('ente_id', '=', asti.id).where('email', '=', 'mario.rossi@example.org').executeTakeFirstOrThrow();
    const page = await tp.app.inject({ method: 'GET', url: `/asti/avvisi/disiscrizione/${mario.unsubscribe_token}` });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /non inviatemi più e-mail/);
    assert.equal((await tp.app.inject({ method: 'GET', url: `/asti/avvisi/disiscrizione/${'0'.repeat(64)}` })).statusCode, 404);
    assert.equal((await tp.app.inject({ method: 'GET', url: `/canelli/avvisi/disiscrizione/${mario.unsubscribe_token}` })).statusCode, 404, 'the token belongs to its ente');

    const oneClick = await tp.app.inject({ method: 'POST', url: `/asti/avvisi/disiscrizione/${mario.unsubscribe_token}`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'List-Unsubscribe=One-Click' });
    assert.equal(oneClick.statusCode, 200, oneClick.body);
    const after1 = await owner().selectFrom('msg_subscriber').selectAll().where('id', '=', mario.id).executeTakeFirstOrThrow();
    assert.ok(after1.email_opted_out_at);
    assert.equal(after1.phone_opted_out_at, null, 'the phone still gets the alerts');
    const events = await owner().selectFrom('msg_consent_event').selectAll().where('subscriber_id', '=', mario.id).where('via', '=', 'email_link').execute();
    assert.equal(events.length, 1);
    assert.equal(events[0]!.channel, 'email');
    // A plain form post without the CSRF token is refused; the one-click body is the only exemption.
    const forged = await tp.app.inject({ method: 'POST', url: `/asti/avvisi/disiscrizione/${mario.unsubscribe_token}`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'x=1' });
    assert.equal(forged.statusCode, 403);
    assert.equal(await unsubscribeByToken(tp.platform, asti, mario.unsubscribe_token, null), true, 'idempotent');
  });
});

describe('operators', () => {
  let astiAdmin: Browser;
  before(async () => {
    astiAdmin = await login(tp.app, 'admin@asti.demo');
  });
  const get = (b: Browser | null, url: string) => tp.app.inject({ method: 'GET', url, headers: b ? { cookie: b.cookie } : {} });

  test('anonymous visitors go to the login page', async () => {
    for (const url of ['/backoffice/avvisi/iscritti', '/backoffice/enti/asti/avvisi/iscritti', '/backoffice/enti/asti/avvisi/iscritti.csv', '/backoffice/enti/asti/avvisi/iscritti/importa']) {
      const res = await get(null, url);
      assert.equal(res.statusCode, 303, url);
      assert.match(res.headers.location!, /^\/backoffice\/login/);
    }
  });

  test('another ente’s operator: 403, audited, nothing leaked', async () => {
    for (const email of ['segreteria@canelli.demo', 'operatore@nizza-monferrato.demo']) {
      const other = await login(tp.app, email);
      for (const url of ['/backoffice/enti/asti/avvisi/iscritti', '/backoffice/enti/asti/avvisi/iscritti.csv', '/backoffice/enti/asti/avvisi/iscritti/importa']) {
        const res = await get(other, url);
        assert.equal(res.statusCode, 403, `${email} ${url}`);
        assert.ok(!res.body.includes('+39') && !res.body.includes('@example.org'));
      }
      const audit = await owner().selectFrom('audit_log').select('after').where('ente_id', '=', asti.id).where('action', '=', 'access.denied').where('actor_label', '=', email).execute();
      assert.ok(audit.length >= 3);
    }
    const segreteria = await login(tp.app, 'segreteria@canelli.demo');
    assert.match((await get(segreteria, '/backoffice/avvisi/iscritti')).body, /Non hai accesso/);
  });

  test('list with masked phones, search, consent history, export', async () => {
    const picker = await get(astiAdmin, '/backoffice/avvisi/iscritti');
    assert.match(picker.body, /<option value="asti">/);
    const list = await get(astiAdmin, '/backoffice/enti/asti/avvisi/iscritti?q=333%20765%204321');
    assert.equal(list.statusCode, 200);
    assert.match(list.body, /\+39 333 \*\*\*4321/);
    assert.ok(!list.body.includes('+393337654321'));
    const id = /iscritti\/([0-9a-f-]{36})"/.exec(list.body)![1]!;
    const detail = await get(astiAdmin, `/backoffice/enti/asti/avvisi/iscritti/${id}`);
    assert.match(detail.body, /Storico dei consensi/);
    assert.ok(detail.body.includes(consentText(asti)), 'the consent text as shown');
    const csv = await get(astiAdmin, '/backoffice/enti/asti/avvisi/iscritti.csv?argomento=protezione-civile');
    assert.equal(csv.statusCode, 200);
    assert.match(csv.headers['content-type'] as string, /text\/csv/);
    assert.ok(csv.body.split('\r\n').length > 50);
    const xlsx = await get(astiAdmin, '/backoffice/enti/asti/avvisi/iscritti.xlsx');
    assert.equal(xlsx.statusCode, 200);
    assert.ok((await owner().selectFrom('audit_log').select('id').where('action', '=', 'messaging.subscribers.export').execute()).length >= 2);
  });

  test('import: consent basis required, rejected rows reported, good rows kept, re-import idempotent', async () => {
    const csv = Buffer.from([
      'telefono;email;argomenti;data_consenso',
      '333 900 0001;;protezione-civile|rifiuti;15/03/2024',
      '0141 123456;;rifiuti;15/03/2024',
      ';imp2@example.org;Viabilità;2024-03-16',
      '333 900 0003;;astronomia;15/03/2024',
      '333 900 0001;;eventi;15/03/2024',
      '333 900 0004;;eventi;31/02/2024',
      ';;eventi;15/03/2024',
    ].join('\r\n'));
    const actor = { id: null, label: 'test' };
    await assert.rejects(importSubscribers(tp.platform, asti.id, actor, csv, '  '), /base del consenso/);
    const report = await importSubscribers(tp.platform, asti.id, actor, csv, 'Moduli cartacei firmati, prot. 123/2024');
    assert.equal(report.created, 2);
    assert.deepEqual(report.rejected.map((r) => r.line), [3, 5, 6, 7, 8]);
    assert.match(report.rejected.find((r) => r.line === 5)!.reason, /Argomento sconosciuto: astronomia/);
    assert.match(report.rejected.find((r) => r.line === 6)!.reason, /Duplicato della riga 2/);
    const sub = await owner().selectFrom('msg_subscriber').selectAll().where('ente_id', '=', asti.id).where('phone', '=', '+393339000001').executeTakeFirstOrThrow();
    assert.equal(sub.source, 'import');
    assert.equal(sub.consent_basis, 'Moduli cartacei firmati, prot. 123/2024');
    const events = await owner().selectFrom('msg_consent_event').selectAll().where('subscriber_id', '=', sub.id).execute();
    assert.ok(events.every((e) => e.via === 'import' && e.consent_text!.includes('prot. 123/2024')));
    const consented = await owner().selectFrom('msg_subscription').select('consented_at').where('subscriber_id', '=', sub.id).execute();
    assert.ok(consented.every((c) => c.consented_at.toISOString().startsWith('2024-03-15')));
    const again = await importSubscribers(tp.platform, asti.id, actor, csv, 'Moduli cartacei firmati, prot. 123/2024');
    assert.equal(again.created, 0);
    assert.equal(again.unchanged, 2);
    assert.equal((await owner().selectFrom('msg_consent_event').select('id').where('subscriber_id', '=', sub.id).execute()).length, events.length);
  });

  test('import page: multipart with CSRF; report rendered; missing basis is an Italian error', async () => {
    const page = await get(astiAdmin, '/backoffice/enti/asti/avvisi/iscritti/importa');
    assert.equal(page.statusCode, 200);
    const send = async (basis: string) => {
      const fd = new FormData();
      fd.append('_csrf', astiAdmin.csrf);
      fd.append('base', basis);
      fd.append('file', new Blob(['telefono;argomenti;data_consenso\r\n3339000099;eventi;01/02/2025\r\nxx;eventi;01/02/2025\r\n'], { type: 'text/csv' }), 'lista.csv');
      const req = new Request('http://x', { method: 'POST', body: fd });
      return tp.app.inject({ method: 'POST', url: '/backoffice/enti/asti/avvisi/iscritti/importa', headers: { cookie: astiAdmin.cookie, 'content-type': req.headers.get('content-type')! }, payload: Buffer.from(await req.arrayBuffer()) });
    };
    const noBasis = await send('');
    assert.equal(noBasis.statusCode, 422);
    assert.match(noBasis.body, /Indica la base del consenso/);
    const ok = await send('Elenco firmato allo sportello, prot. 55/2025');
    assert.equal(ok.statusCode, 200, ok.body.slice(0, 500));
    assert.match(ok.body, /nuovi iscritti: 1/);
    assert.match(ok.body, /id="scartate"/);
    const nizzaOp = await login(tp.app, 'operatore@nizza-monferrato.demo');
    const forged = await tp.app.inject({ method: 'POST', url: '/backoffice/enti/asti/avvisi/iscritti/importa', headers: { cookie: nizzaOp.cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: form({ _csrf: nizzaOp.csrf, base: 'x' }) });
    assert.equal(forged.statusCode, 403);
  });
});
