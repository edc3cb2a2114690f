// The desk's tools against a real database: stored due times (what the queue sorts on) across a pause, the
// escalation job (once per deadline, never for a paused ticket, exactly once under concurrent runs), observers
// and merges (same ente only, the people carried over, the merged ticket frozen), through the service and the API.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { login, type Browser } from '../../../test/support/http.js';
import { startTestPlatform, type TestPlatform } from '../../../test/support/platform.js';
import { systemActor } from '../../platform/audit/index.js';
import { HttpProblem } from '../../platform/http/problem.js';
import { getEnteBySlug } from '../../platform/tenancy/index.js';
import { addObserver, mergeTickets, observersOf } from './collaboration.js';
import { escalateDueTickets } from './escalation.js';
import { addReply, changeState, openTicket, ticketDetail, type OpenTicketInput } from './service.js';

const at = (iso: string) => new Date(iso);
const input = (extra: Partial<OpenTicketInput> = {}): OpenTicketInput => ({
  channel: 'phone',
  callerName: 'Paolo Gallo',
  callerPhone: '0141 111222',
  callerEmail: 'paolo.gallo@comune.asti.example',
  category: 'software_demografici',
  urgency: 2,
  impact: 2, // P3: first response 240 working minutes, resolution 1440
  subject: 'ANPR non risponde',
  description: 'Il collegamento ad ANPR va in errore.',
  ...extra,
});
const problem = (status: number) => (e: unknown) => e instanceof HttpProblem && e.status === status;

describe('helpdesk desk tools', () => {
  let t: TestPlatform;
  let asti: string;
  let nizza: string;
  before(async () => {
    t = await startTestPlatform();
    asti = (await getEnteBySlug(t.platform.db.app, 'asti'))!.id;
    nizza = (await getEnteBySlug(t.platform.db.app, 'nizza-monferrato'))!.id;
  });
  after(() => t.close());
  const db = () => t.platform.db.app;
  const stored = (id: string) => t.platform.db.owner.selectFrom('ticket').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const escalations = async (id: string) =>
    (await t.platform.db.owner.selectFrom('ticket_event').select('body').where('ticket_id', '=', id).where('kind', '=', 'escalation').execute()).map((e) => e.body);

  it('stores the running deadline, clears it during a pause and moves it by the paused working time', async () => {
    // Monday 2 March 2026, 09:00 in Rome (UTC+1): first response due at 13:00, warning at 80% = 12:12.
    const ticket = await openTicket(db(), systemActor, asti, input(), { now: at('2026-03-02T08:00:00Z') });
    let row = await stored(ticket.id);
    assert.equal(row.due_at?.toISOString(), '2026-03-02T12:00:00.000Z');
    assert.equal(row.warn_at?.toISOString(), '2026-03-02T11:12:00.000Z');
    assert.equal(row.first_response_met, null);

    // the first response in time: the running deadline becomes the resolution (Thursday 09:00)
    await addReply(db(), systemActor, asti, ticket.id, 'Stiamo verificando', { now: at('2026-03-02T11:30:00Z') });
    row = await stored(ticket.id);
    assert.equal(row.first_response_met, true);
    assert.equal(row.due_at?.toISOString(), '2026-03-05T08:00:00.000Z');

    // waiting for the ente from Tuesday 09:00 to Wednesday 09:00: no running deadline, then one working day later
    await changeState(db(), systemActor, asti, ticket.id, 'waiting_ente', { now: at('2026-03-03T08:00:00Z') });
    row = await stored(ticket.id);
    assert.equal(row.due_at, null);
    assert.equal(row.warn_at, null);
    await changeState(db(), systemActor, asti, ticket.id, 'in_progress', { now: at('2026-03-04T08:00:00Z') });
    row = await stored(ticket.id);
    assert.equal(row.due_at?.toISOString(), '2026-03-06T08:00:00.000Z');

    // solved late (after Friday 09:00): the outcome is stored, the deadline is gone
    await changeState(db(), systemActor, asti, ticket.id, 'solved', { now: at('2026-03-06T10:00:00Z') });
    row = await stored(ticket.id);
    assert.equal(row.resolution_met, false);
    assert.equal(row.due_at, null);
  });

  it('escalates once per deadline, at the warning time, and again for the next deadline', async () => {
    const ticket = await openTicket(db(), systemActor, nizza, input(), { now: at('2026-04-13T07:00:00Z') }); // Mon 09:00 CEST
    const warnAt = (await stored(ticket.id)).warn_at!;
    assert.equal(warnAt.toISOString(), '2026-04-13T10:12:00.000Z');
    const mine = (r: Awaited<ReturnType<typeof escalateDueTickets>>) => r.escalated.filter((e) => e.ticketId === ticket.id);

    assert.deepEqual(mine(await escalateDueTickets(db(), { now: new Date(warnAt.getTime() - 60_000) })), []);
    const first = mine(await escalateDueTickets(db(), { now: warnAt, mail: t.platform.mail }));
    assert.equal(first.length, 1);
    assert.equal(first[0]!.breached, false);
    // nobody has the ticket yet: the whole desk is told, by a mail queued with the escalation
    const mails = await t.platform.db.owner.selectFrom('mail_outbox').selectAll().where('ente_id', '=', nizza).where('idempotency_key', 'like', 'ticket-escalation:%').execute();
    assert.equal(mails.length, 1);
    assert.match(JSON.stringify(mails[0]), /tecnico@cst\.demo/);
    assert.match(JSON.stringify(mails[0]), /In scadenza/);
    assert.deepEqual(mine(await escalateDueTickets(db(), { now: at('2026-04-13T11:00:00Z') })), [], 'the same deadline escalates once');
    assert.equal((await escalations(ticket.id)).length, 1);
    assert.match((await escalations(ticket.id))[0]!, /In scadenza: presa in carico prevista entro 13\/04\/2026,? 13:00/);

    // late first response: a new deadline (resolution), which escalates again when its warning comes
    await addReply(db(), systemActor, nizza, ticket.id, 'Eccoci', { now: at('2026-04-13T11:30:00Z') });
    const row = await stored(ticket.id);
    assert.equal(row.first_response_met, false);
    assert.equal(row.escalated_at, null);
    const second = mine(await escalateDueTickets(db(), { now: at('2026-04-20T07:00:00Z') }));
    assert.equal(second.length, 1);
    assert.equal(second[0]!.breached, true);
    assert.match((await escalations(ticket.id))[1]!, /Scadenza superata: risoluzione/);
    // the escalation is internal: the ente does not see it
    const enteView = await ticketDetail(db(), nizza, ticket.id, { withInternalNotes: false });
    assert.ok(enteView!.events.every((e) => e.kind !== 'escalation' && e.kind !== 'internal_note'));
  });

  it('never escalates a paused ticket, and escalates exactly once under concurrent runs', async () => {
    const paused = await openTicket(db(), systemActor, asti, input(), { now: at('2026-05-04T07:00:00Z') });
    await changeState(db(), systemActor, asti, paused.id, 'waiting_ente', { now: at('2026-05-04T07:30:00Z') });
    const running = await openTicket(db(), systemActor, asti, input(), { now: at('2026-05-04T07:00:00Z') });
    const now = at('2026-05-04T12:00:00Z');
    const runs = await Promise.all([1, 2, 3, 4].map(() => escalateDueTickets(db(), { now })));
    const hits = runs.flatMap((r) => r.escalated).filter((e) => e.ticketId === running.id);
    assert.equal(hits.length, 1);
    assert.equal((await escalations(running.id)).length, 1);
    assert.equal((await escalations(paused.id)).length, 0);
  });

  it('adds observers once, validates them, and keeps them per ente', async () => {
    const ticket = await openTicket(db(), systemActor, asti, input());
    await addObserver(db(), systemActor, asti, ticket.id, { email: 'Sindaco@Comune.Asti.example', name: 'Sindaco' });
    await addObserver(db(), systemActor, asti, ticket.id, { email: 'sindaco@comune.asti.example' });
    assert.deepEqual((await observersOf(db(), asti, ticket.id)).map((o) => o.email), ['sindaco@comune.asti.example']);
    await assert.rejects(addObserver(db(), systemActor, asti, ticket.id, { email: 'non valida' }), problem(422));
    // the same ticket id under another ente: row-level security finds nothing
    await assert.rejects(addObserver(db(), systemActor, nizza, ticket.id, { email: 'x@y.example' }), problem(404));
    assert.deepEqual(await observersOf(db(), nizza, ticket.id), []);
  });

  it('merges a duplicate into the ticket that carries on: closed, pointer, people carried over, frozen', async () => {
    const keep = await openTicket(db(), systemActor, asti, input({ subject: 'Stampante ufficio anagrafe guasta' }));
    const dup = await openTicket(db(), systemActor, asti, input({ subject: 'La stampante non va', callerEmail: 'ufficio.anagrafe@comune.asti.example' }));
    await addObserver(db(), systemActor, asti, dup.id, { email: 'vicesindaco@comune.asti.example' });
    await mergeTickets(db(), systemActor, asti, dup.id, keep.id);

    const merged = await stored(dup.id);
    assert.equal(merged.state, 'closed');
    assert.equal(merged.merged_into, keep.id);
    assert.deepEqual((await observersOf(db(), asti, keep.id)).map((o) => o.email).sort(), ['ufficio.anagrafe@comune.asti.example', 'vicesindaco@comune.asti.example']);
    const keepView = await ticketDetail(db(), asti, keep.id, { withInternalNotes: true });
    assert.ok(keepView!.events.some((e) => e.kind === 'merge' && e.body!.includes(dup.label)));
    await assert.rejects(addReply(db(), systemActor, asti, dup.id, 'ancora?'), problem(409));
    await assert.rejects(changeState(db(), systemActor, asti, dup.id, 'reopened'), problem(409));
    await assert.rejects(mergeTickets(db(), systemActor, asti, dup.id, keep.id), problem(409));
    await assert.rejects(mergeTickets(db(), systemActor, asti, keep.id, keep.id), problem(422));
    // a ticket of another ente cannot be the target, nor be found
    const other = await openTicket(db(), systemActor, nizza, input());
    await assert.rejects(mergeTickets(db(), systemActor, asti, keep.id, other.id), problem(404));
  });

  describe('API', () => {
    let cst: Browser;
    let canelli: Browser;
    let astiAdmin: Browser;
    before(async () => {
      cst = await login(t.app, 'tecnico@cst.demo');
      canelli = await login(t.app, 'segreteria@canelli.demo');
      astiAdmin = await login(t.app, 'admin@asti.demo');
    });
    const call = (who: Browser | null, method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object) =>
      t.app.inject({ method, url, ...(payload ? { payload } : {}), headers: who ? { cookie: who.cookie } : {} });

    it('observers: the ente adds colleagues to its own tickets; another ente gets 403 and sees nothing', async () => {
      const open = await call(canelli, 'POST', '/api/v1/enti/canelli/tickets', { ...input({ channel: 'web', callerPhone: null }), subject: 'PEC di Canelli piena' });
      assert.equal(open.statusCode, 201, open.body);
      const href = open.json().href as string;
      const added = await call(canelli, 'POST', `${href}/observers`, { email: 'ragioneria@comune.canelli.example', name: 'Ragioneria' });
      assert.equal(added.statusCode, 200, added.body);
      assert.deepEqual(added.json().items.map((o: { email: string }) => o.email), ['ragioneria@comune.canelli.example']);
      assert.equal((await call(canelli, 'POST', `${href}/observers`, { email: 'x' })).statusCode, 422);
      const denied = await call(astiAdmin, 'GET', `${href}/observers`);
      assert.equal(denied.statusCode, 403);
      assert.doesNotMatch(denied.body, /ragioneria/);
      assert.equal((await call(astiAdmin, 'POST', `${href}/observers`, { email: 'spia@asti.example' })).statusCode, 403);
      assert.equal((await call(null, 'GET', `${href}/observers`)).statusCode, 401);
      assert.equal((await call(canelli, 'DELETE', `${href}/observers/ragioneria@comune.canelli.example`)).statusCode, 200);
      assert.equal((await call(canelli, 'DELETE', `${href}/observers/ragioneria@comune.canelli.example`)).statusCode, 404);
    });

    it('merge: desk only, by number n/yyyy, within the ente', async () => {
      const a = (await call(cst, 'POST', '/api/v1/enti/canelli/tickets', input())).json();
      const b = (await call(cst, 'POST', '/api/v1/enti/canelli/tickets', input())).json();
      assert.equal((await call(canelli, 'POST', `${b.href}/merge`, { into: a.label })).statusCode, 403);
      assert.equal((await call(cst, 'POST', `${b.href}/merge`, { into: '99999/2026' })).statusCode, 422);
      const res = await call(cst, 'POST', `${b.href}/merge`, { into: a.label });
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.json().mergedInto, a.id);
      const after = (await call(canelli, 'GET', b.href)).json();
      assert.equal(after.state, 'closed');
      assert.equal(after.mergedInto, a.id);
      // Asti's ticket id named from Canelli's ticket: not found, nothing merged
      const astiTicket = (await call(cst, 'POST', '/api/v1/enti/asti/tickets', input())).json();
      assert.equal((await call(cst, 'POST', `${a.href}/merge`, { into: astiTicket.id })).statusCode, 404);
    });
  });
});
