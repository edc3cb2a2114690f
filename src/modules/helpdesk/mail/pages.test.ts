// The desk's "Posta da smistare": desk only (login redirect for visitors, 403 audited for an ente's staff), the
// list and the page of a message, the raw .eml, and the three actions (ticket in a chosen ente, reply to a
// ticket, discard with a reason) with their refusals shown on the page; forms need the CSRF token.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { login, postForm, type Browser } from '../../../../test/support/http.js';
import { startTestPlatform, type TestPlatform } from '../../../../test/support/platform.js';
import { systemActor } from '../../../platform/audit/index.js';
import { getCstEnte, getEnteBySlug } from '../../../platform/tenancy/index.js';
import { openTicket, ticketDetail } from '../service.js';
import { receiveMail } from './intake.js';

const POSTA = '/backoffice/assistenza/posta';

describe('help desk: Posta da smistare', () => {
  let t: TestPlatform;
  let desk: Browser;
  let astiAdmin: Browser;
  let n = 0;

  before(async () => {
    t = await startTestPlatform();
    [desk, astiAdmin] = await Promise.all([login(t.app, 'tecnico@cst.demo'), login(t.app, 'admin@asti.demo')]);
  });
  after(() => t.close());

  const get = (who: Browser | null, url: string) => t.app.inject({ method: 'GET', url, headers: who ? { cookie: who.cookie } : {} });

  /** A quarantined message from an unknown sender, received in-process (the SMTP path is covered by intake.test.ts). */
  async function quarantined(subject: string) {
    // a new address each time: once a ticket is opened for an address, its next mail goes to that ente by itself
    const from = `sconosciuto${n}@esterno.example`;
    const raw = Buffer.from(`From: Paolo Neri <${from}>\r\nTo: assistenza@cst.demo\r\nSubject: ${subject}\r\nMessage-ID: <page-${++n}@esterno.example>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nTesto di ${subject}\r\n`);
    const row = await receiveMail(t.platform, { raw, mailFrom: from, rcptTo: ['assistenza@cst.demo'], remoteAddress: null, receivedAt: new Date() });
    const stored = await t.platform.db.owner.selectFrom('inbound_mail').selectAll().where('id', '=', row!.id).executeTakeFirstOrThrow();
    assert.equal(stored.state, 'quarantined');
    return { row: stored, raw };
  }

  it('is for the desk only: login for visitors, 403 (audited) for an ente', async () => {
    const anonymous = await get(null, POSTA);
    assert.equal(anonymous.statusCode, 303);
    assert.match(String(anonymous.headers.location), /^\/backoffice\/login\?next=/);
    const { row } = await quarantined('Solo il CST');
    for (const url of [POSTA, `${POSTA}/${row.id}`, `${POSTA}/${row.id}/messaggio.eml`]) {
      const denied = await get(astiAdmin, url);
      assert.equal(denied.statusCode, 403, url);
      assert.doesNotMatch(denied.body, /Solo il CST|sconosciuto@esterno/);
    }
    const cst = (await getCstEnte(t.platform.db.owner))!;
    const audited = await t.platform.db.owner.selectFrom('audit_log').select('id').where('ente_id', '=', cst.id).where('action', '=', 'access.denied').where('actor_label', '=', 'admin@asti.demo').execute();
    assert.ok(audited.length >= 3);
    const denied = await postForm(t.app, astiAdmin, `${POSTA}/${row.id}/scarta`, { reason: 'non mio' });
    assert.equal(denied.statusCode, 403);
  });

  it('lists the quarantined messages with reason, and the demo ones; the discarded only under "tutti"', async () => {
    const page = await get(desk, POSTA);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /<h1[^>]*>Posta da smistare<\/h1>/);
    assert.match(page.body, /Richiesta di accesso al portale/); // demo: unknown sender
    assert.match(page.body, /Mittente sconosciuto: mario\.rossi@esempio\.it/);
    assert.match(page.body, /Stampante del protocollo guasta/); // demo: ente not verified
    assert.doesNotMatch(page.body, /fuori sede/);
    const all = await get(desk, `${POSTA}?stato=tutti`);
    assert.match(all.body, /Risposta automatica: fuori sede/);
  });

  it('shows a message and its raw .eml', async () => {
    const { row, raw } = await quarantined('Da leggere');
    const page = await get(desk, `${POSTA}/${row.id}`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Testo di Da leggere/);
    assert.match(page.body, /name="_csrf"/);
    const eml = await get(desk, `${POSTA}/${row.id}/messaggio.eml`);
    assert.equal(eml.statusCode, 200);
    assert.match(String(eml.headers['content-type']), /^message\/rfc822/);
    assert.ok(eml.rawPayload.equals(raw));
    assert.equal((await get(desk, `${POSTA}/00000000-0000-4000-8000-000000000000`)).statusCode, 404);
    assert.equal((await get(desk, `${POSTA}/niente`)).statusCode, 404);
  });

  it('opens a ticket in the chosen ente; a second action on the same message is refused on the page', async () => {
    const { row } = await quarantined('Stampante di Canelli');
    const done = await postForm(t.app, desk, `${POSTA}/${row.id}/ticket`, { ente: 'canelli' });
    assert.equal(done.statusCode, 303, done.body.slice(0, 500));
    assert.equal(done.headers.location, `${POSTA}/${row.id}?esito=ticket`);
    const after = await t.platform.db.owner.selectFrom('inbound_mail').selectAll().where('id', '=', row.id).executeTakeFirstOrThrow();
    assert.equal(after.state, 'ticket_created');
    assert.equal(after.handled_by, 'tecnico@cst.demo');
    const canelli = (await getEnteBySlug(t.platform.db.owner, 'canelli'))!;
    const ticket = await t.platform.db.owner.selectFrom('ticket').selectAll().where('id', '=', after.ticket_id!).executeTakeFirstOrThrow();
    assert.equal(ticket.ente_id, canelli.id);
    assert.equal(ticket.caller_email, after.from_address);
    assert.equal(ticket.channel, 'email');
    const shown = await get(desk, done.headers.location as string);
    assert.match(shown.body, new RegExp(`Ticket ${ticket.number}/${ticket.year} aperto dal messaggio`));

    const again = await postForm(t.app, desk, `${POSTA}/${row.id}/ticket`, { ente: 'asti' });
    assert.equal(again.statusCode, 409);
    assert.match(again.body, /già stato smistato/);
  });

  it('adds a message as reply to a ticket, with refusals for a bad or unknown number', async () => {
    const canelli = (await getEnteBySlug(t.platform.db.owner, 'canelli'))!;
    const target = await openTicket(t.platform.db.app, systemActor, canelli.id, { channel: 'phone', callerName: 'Giulia', callerPhone: '0141 3', category: 'altro', urgency: 2, impact: 2, subject: 'Bersaglio', description: 'x' });
    const { row } = await quarantined('Seguito bersaglio');
    const bad = await postForm(t.app, desk, `${POSTA}/${row.id}/risposta`, { ente: 'canelli', ticket: 'dodici' });
    assert.equal(bad.statusCode, 422);
    assert.match(bad.body, /numero\/anno/);
    assert.match(bad.body, /value="dodici"/);
    const unknown = await postForm(t.app, desk, `${POSTA}/${row.id}/risposta`, { ente: 'canelli', ticket: `99999/${target.year}` });
    assert.equal(unknown.statusCode, 422);
    assert.match(unknown.body, /non esiste per/);
    const done = await postForm(t.app, desk, `${POSTA}/${row.id}/risposta`, { ente: 'canelli', ticket: target.label });
    assert.equal(done.statusCode, 303, done.body.slice(0, 500));
    const detail = await ticketDetail(t.platform.db.app, canelli.id, target.id, { withInternalNotes: false });
    assert.equal(detail!.events.find((e) => e.kind === 'public_reply')?.body, 'Testo di Seguito bersaglio');
    const after = await t.platform.db.owner.selectFrom('inbound_mail').select(['state', 'ticket_id']).where('id', '=', row.id).executeTakeFirstOrThrow();
    assert.deepEqual(after, { state: 'reply_threaded', ticket_id: target.id });
  });

  it('discards with a reason (required), and refuses a form without its CSRF token', async () => {
    const { row } = await quarantined('Pubblicità');
    const empty = await postForm(t.app, desk, `${POSTA}/${row.id}/scarta`, { reason: ' ' });
    assert.equal(empty.statusCode, 422);
    assert.match(empty.body, /Indica il motivo/);
    const forged = await t.app.inject({ method: 'POST', url: `${POSTA}/${row.id}/scarta`, headers: { cookie: desk.cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: 'reason=spam' });
    assert.equal(forged.statusCode, 403);
    const done = await postForm(t.app, desk, `${POSTA}/${row.id}/scarta`, { reason: 'Pubblicità indesiderata' });
    assert.equal(done.statusCode, 303);
    const after = await t.platform.db.owner.selectFrom('inbound_mail').select(['state', 'reason']).where('id', '=', row.id).executeTakeFirstOrThrow();
    assert.equal(after.state, 'discarded');
    assert.equal(after.reason, 'Scartato da tecnico@cst.demo: Pubblicità indesiderata');
    assert.doesNotMatch((await get(desk, POSTA)).body, /Pubblicità/);
  });
});
