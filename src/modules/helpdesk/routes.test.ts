// The help desk API as staff use it: session cookie, permissions per ente (another ente's admin gets 403 and
// sees nothing), internal notes hidden from readers, the state machine's refusals as problem+json, and the
// CST queue across enti ordered by due time.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { login, type Browser } from '../../../test/support/http.js';
import { startTestPlatform, type TestPlatform } from '../../../test/support/platform.js';
import { hashPassword } from '../../platform/auth/passwords.js';
import { getEnteBySlug } from '../../platform/tenancy/index.js';

const ticketBody = (extra: Record<string, unknown> = {}) => ({
  channel: 'phone',
  callerName: 'Luca Bianchi',
  callerPhone: '0141 720111',
  category: 'posta_pec',
  urgency: 2,
  impact: 2,
  subject: 'La casella PEC non riceve messaggi',
  description: 'Da questa mattina nessun messaggio in arrivo sulla PEC istituzionale.',
  ...extra,
});

describe('helpdesk API', () => {
  let t: TestPlatform;
  let cst: Browser;
  let astiAdmin: Browser;
  let reader: Browser;
  before(async () => {
    t = await startTestPlatform();
    // a read-only user of Nizza Monferrato
    const nizza = (await getEnteBySlug(t.platform.db.owner, 'nizza-monferrato'))!;
    const user = await t.platform.db.owner
      .insertInto('staff_user')
      .values({ email: 'lettore@nizza-monferrato.demo', display_name: 'Lettore Nizza', password_hash: await hashPassword('demo-password') })
      .returning('id')
      .executeTakeFirstOrThrow();
    await t.platform.db.owner.insertInto('role_grant').values({ ente_id: nizza.id, user_id: user.id, role: 'reader', module: '' }).execute();
    cst = await login(t.app, 'admin@cst.demo');
    astiAdmin = await login(t.app, 'admin@asti.demo');
    reader = await login(t.app, 'lettore@nizza-monferrato.demo');
  });
  after(() => t.close());

  const get = (who: Browser | null, url: string) => t.app.inject({ method: 'GET', url, headers: who ? { cookie: who.cookie } : {} });
  const post = (who: Browser | null, url: string, payload: Record<string, unknown>) =>
    t.app.inject({ method: 'POST', url, payload, headers: who ? { cookie: who.cookie } : {} });

  it('opens a ticket with number, priority and SLA', async () => {
    const res = await post(cst, '/api/v1/enti/nizza-monferrato/tickets', ticketBody());
    assert.equal(res.statusCode, 201, res.body);
    const ticket = res.json();
    assert.match(ticket.label, /^\d+\/\d{4}$/);
    assert.equal(ticket.priority, 'P3');
    assert.equal(ticket.state, 'new');
    assert.equal(res.headers.location, ticket.href);
    assert.ok(Date.parse(ticket.sla.firstResponse.dueAt) > Date.parse(ticket.openedAt));
    const again = (await post(cst, '/api/v1/enti/nizza-monferrato/tickets', ticketBody())).json();
    assert.equal(again.number, ticket.number + 1);
  });

  it('refuses bad input as problem+json', async () => {
    const schema = await post(cst, '/api/v1/enti/asti/tickets', ticketBody({ urgency: 5 }));
    assert.equal(schema.statusCode, 400);
    assert.match(String(schema.headers['content-type']), /application\/problem\+json/);
    const rule = await post(cst, '/api/v1/enti/asti/tickets', ticketBody({ callerPhone: null }));
    assert.equal(rule.statusCode, 422);
    assert.match(rule.json().detail, /numero di telefono è obbligatorio/);
    const category = await post(cst, '/api/v1/enti/asti/tickets', ticketBody({ category: 'inesistente' }));
    assert.equal(category.statusCode, 422);
    assert.equal((await post(cst, '/api/v1/enti/nessun-ente/tickets', ticketBody())).statusCode, 404);
    assert.equal((await post(null, '/api/v1/enti/asti/tickets', ticketBody())).statusCode, 401);
    assert.equal((await get(null, '/api/v1/helpdesk/queue')).statusCode, 401);
  });

  it("keeps each ente's tickets to itself: Asti's admin gets 403 on Nizza Monferrato", async () => {
    const nizzaTicket = (await post(cst, '/api/v1/enti/nizza-monferrato/tickets', ticketBody({ subject: 'Riservato a Nizza' }))).json();
    const astiTicket = await post(astiAdmin, '/api/v1/enti/asti/tickets', ticketBody({ channel: 'web', subject: 'Problema di Asti' }));
    assert.equal(astiTicket.statusCode, 201, astiTicket.body);

    const list = await get(astiAdmin, '/api/v1/enti/nizza-monferrato/tickets');
    assert.equal(list.statusCode, 403);
    assert.doesNotMatch(list.body, /Riservato a Nizza/);
    const detail = await get(astiAdmin, `/api/v1/enti/nizza-monferrato/tickets/${nizzaTicket.id}`);
    assert.equal(detail.statusCode, 403);
    assert.doesNotMatch(detail.body, /Riservato a Nizza/);
    assert.equal((await post(astiAdmin, '/api/v1/enti/nizza-monferrato/tickets', ticketBody())).statusCode, 403);
    assert.equal((await post(astiAdmin, `/api/v1/enti/nizza-monferrato/tickets/${nizzaTicket.id}/replies`, { body: 'ciao' })).statusCode, 403);
    // Nizza's ticket id under Asti's slug: row-level security finds nothing
    assert.equal((await get(astiAdmin, `/api/v1/enti/asti/tickets/${nizzaTicket.id}`)).statusCode, 404);
    const own = (await get(astiAdmin, '/api/v1/enti/asti/tickets')).json();
    assert.ok(own.items.length >= 1);
    assert.ok(own.items.every((i: { subject: string }) => i.subject !== 'Riservato a Nizza'));
    // the queue is the CST's
    assert.equal((await get(astiAdmin, '/api/v1/helpdesk/queue')).statusCode, 403);
    // the attempts are security events in Nizza's audit log
    const nizza = (await getEnteBySlug(t.platform.db.owner, 'nizza-monferrato'))!;
    const denied = await t.platform.db.owner.selectFrom('audit_log').select('entity_id').where('ente_id', '=', nizza.id).where('action', '=', 'access.denied').execute();
    assert.ok(denied.length >= 4);
  });

  it('hides internal notes from readers, who cannot write', async () => {
    const ticket = (await post(cst, '/api/v1/enti/nizza-monferrato/tickets', ticketBody())).json();
    assert.equal((await post(cst, `${ticket.href}/replies`, { body: 'Il fornitore ha un disservizio', internal: true })).statusCode, 201);
    assert.equal((await post(cst, `${ticket.href}/replies`, { body: 'Stiamo verificando con il gestore PEC' })).statusCode, 201);

    const staffView = (await get(cst, ticket.href)).json();
    assert.deepEqual(staffView.events.map((e: { kind: string }) => e.kind), ['internal_note', 'public_reply']);
    assert.ok(staffView.firstResponseAt);

    const readerRes = await get(reader, ticket.href);
    assert.equal(readerRes.statusCode, 200);
    assert.deepEqual(readerRes.json().events.map((e: { kind: string }) => e.kind), ['public_reply']);
    assert.doesNotMatch(readerRes.body, /disservizio/);
    assert.equal((await get(reader, '/api/v1/enti/nizza-monferrato/tickets')).statusCode, 200);
    assert.equal((await post(reader, `${ticket.href}/replies`, { body: 'posso?' })).statusCode, 403);
    assert.equal((await post(reader, '/api/v1/enti/nizza-monferrato/tickets', ticketBody())).statusCode, 403);
  });

  it('refuses transitions the state machine does not allow', async () => {
    const ticket = (await post(cst, '/api/v1/enti/asti/tickets', ticketBody())).json();
    const closed = await post(cst, `${ticket.href}/state`, { state: 'closed' });
    assert.equal(closed.statusCode, 409);
    assert.match(closed.json().detail, /nuovo non può passare a chiuso/);
    assert.equal((await post(cst, `${ticket.href}/state`, { state: 'archiviato' })).statusCode, 400);
    assert.equal((await post(cst, `${ticket.href}/state`, { state: 'assigned' })).statusCode, 422);
    const solved = await post(cst, `${ticket.href}/state`, { state: 'solved', comment: 'Risolto riavviando il servizio' });
    assert.equal(solved.statusCode, 200, solved.body);
    assert.equal(solved.json().state, 'solved');
    assert.equal((await post(cst, `${ticket.href}/state`, { state: 'closed' })).statusCode, 200);
    assert.equal((await post(cst, `${ticket.href}/state`, { state: 'in_progress' })).statusCode, 409);
    assert.equal((await post(cst, `${ticket.href}/state`, { state: 'reopened' })).statusCode, 200);

    const filtered = (await get(cst, '/api/v1/enti/asti/tickets?state=reopened')).json();
    assert.deepEqual(filtered.items.map((i: { id: string }) => i.id), [ticket.id]);
  });

  it("assigns a ticket only to the CST's desk staff, and only the desk assigns", async () => {
    const ticket = (await post(cst, '/api/v1/enti/asti/tickets', ticketBody())).json();
    const userId = async (email: string) => (await t.platform.db.owner.selectFrom('staff_user').select('id').where('email', '=', email).executeTakeFirstOrThrow()).id;
    const res = await post(cst, `${ticket.href}/assignee`, { assigneeId: await userId('tecnico@cst.demo') });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().state, 'assigned');
    // the comune's own admin is a requester, not a technician of the desk
    assert.equal((await post(cst, `${ticket.href}/assignee`, { assigneeId: await userId('admin@asti.demo') })).statusCode, 422);
    assert.equal((await post(cst, `${ticket.href}/assignee`, { assigneeId: await userId('lettore@nizza-monferrato.demo') })).statusCode, 422);
    assert.equal((await post(astiAdmin, `${ticket.href}/assignee`, { assigneeId: await userId('tecnico@cst.demo') })).statusCode, 403);
  });

  it("lets the ente's staff follow their ticket: public replies resume a paused clock, notes and desk states are refused", async () => {
    const canelli = await login(t.app, 'segreteria@canelli.demo');
    const tecnico = await login(t.app, 'tecnico@cst.demo');
    assert.equal((await post(canelli, '/api/v1/enti/canelli/tickets', ticketBody())).statusCode, 422, 'the ente opens from the web only');
    const opened = await post(canelli, '/api/v1/enti/canelli/tickets', ticketBody({ channel: 'web', callerPhone: null }));
    assert.equal(opened.statusCode, 201, opened.body);
    const ticket = opened.json();
    // the desk's first public reply is the first response; the ente's own reply is not
    assert.equal((await post(canelli, `${ticket.href}/replies`, { body: 'Aggiungo che anche la PEC del sindaco non riceve' })).statusCode, 201);
    assert.equal((await get(canelli, ticket.href)).json().firstResponseAt, null);
    assert.equal((await post(canelli, `${ticket.href}/replies`, { body: 'nota', internal: true })).statusCode, 403);
    assert.equal((await post(tecnico, `${ticket.href}/replies`, { body: 'Ci serve il nome della casella' })).statusCode, 201);
    assert.ok((await get(canelli, ticket.href)).json().firstResponseAt);
    // waiting for the ente: the clock is paused and the ticket has no running due time in the queue
    assert.equal((await post(tecnico, `${ticket.href}/state`, { state: 'waiting_ente' })).statusCode, 200);
    const queued = (await get(tecnico, '/api/v1/helpdesk/queue?ente=canelli')).json().items.find((i: { id: string }) => i.id === ticket.id);
    assert.equal(queued.paused, true);
    assert.equal(queued.dueAt, null);
    assert.equal((await post(canelli, `${ticket.href}/state`, { state: 'in_progress' })).statusCode, 403);
    assert.equal((await post(canelli, `${ticket.href}/replies`, { body: 'La casella è protocollo@pec.comune.canelli.at.it' })).statusCode, 201);
    const resumed = (await get(canelli, ticket.href)).json();
    assert.equal(resumed.state, 'in_progress');
    assert.deepEqual(resumed.events.filter((e: { kind: string }) => e.kind === 'state_change').map((e: { toState: string }) => e.toState), ['waiting_ente', 'in_progress']);
    // solved by the desk, confirmed (closed) or reopened by the ente
    assert.equal((await post(tecnico, `${ticket.href}/state`, { state: 'solved' })).statusCode, 200);
    assert.equal((await post(canelli, `${ticket.href}/state`, { state: 'reopened' })).statusCode, 200);
    // Canelli's staff see nothing of Asti
    assert.equal((await get(canelli, '/api/v1/enti/asti/tickets')).statusCode, 403);
    assert.equal((await get(canelli, '/api/v1/helpdesk/queue')).statusCode, 403);
  });

  it('gives the CST one queue across enti, the nearest due time first, and audits it', async () => {
    const low = (await post(cst, '/api/v1/enti/asti/tickets', ticketBody({ urgency: 3, impact: 3, category: 'hardware_stampanti' }))).json();
    const urgent = (await post(cst, '/api/v1/enti/nizza-monferrato/tickets', ticketBody({ urgency: 1, impact: 1, category: 'pagopa' }))).json();
    assert.equal(low.priority, 'P4');
    assert.equal(urgent.priority, 'P1');

    const res = await get(cst, '/api/v1/helpdesk/queue');
    assert.equal(res.statusCode, 200, res.body);
    const items: { id: string; dueAt: string | null; state: string; ente: { slug: string } }[] = res.json().items.filter((i: { dueAt: string | null }) => i.dueAt !== null);
    const slugs = new Set(items.map((i) => i.ente.slug));
    assert.ok(slugs.has('asti') && slugs.has('nizza-monferrato'));
    const dues = items.map((i) => Date.parse(i.dueAt!));
    assert.deepEqual(dues, [...dues].sort((a, b) => a - b));
    assert.ok(items.findIndex((i) => i.id === urgent.id) < items.findIndex((i) => i.id === low.id));
    assert.ok(items.every((i) => i.state !== 'solved' && i.state !== 'closed'));

    const cstEnte = (await getEnteBySlug(t.platform.db.owner, 'provincia-di-asti'))!;
    const audit = await t.platform.db.owner.selectFrom('audit_log').select('action').where('ente_id', '=', cstEnte.id).where('entity', '=', 'ticket').execute();
    assert.ok(audit.some((a) => a.action === 'cross_ente.read'));
  });
});
