// The ticket core against a real database: priority matrix, gapless numbers per ente and year, SLA due times
// on the CST calendar (lunch break, weekend, San Secondo), waiting_ente pausing the clock, the state machine.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestPlatform, type TestPlatform } from '../../../test/support/platform.js';
import { systemActor } from '../../platform/audit/index.js';
import { HttpProblem } from '../../platform/http/problem.js';
import { getEnteBySlug } from '../../platform/tenancy/index.js';
import { addNote, addReply, changeState, openTicket, priorityOf, ticketDetail, type OpenTicketInput } from './service.js';

const at = (iso: string) => new Date(iso);
const input = (extra: Partial<OpenTicketInput> = {}): OpenTicketInput => ({
  channel: 'phone',
  callerName: 'Maria Rossi',
  callerPhone: '0141 399111',
  category: 'software_demografici',
  urgency: 2,
  impact: 2, // P3: first response 240 working minutes, resolution 1440
  subject: "Non si stampano i certificati anagrafici",
  description: "Dalle 12 la stampa dei certificati dà errore.",
  ...extra,
});

describe('priorityOf', () => {
  it('follows the urgency × impact matrix', () => {
    const matrix = [1, 2, 3].map((u) => [1, 2, 3].map((i) => priorityOf(u, i)));
    assert.deepEqual(matrix, [
      ['P1', 'P2', 'P3'],
      ['P2', 'P3', 'P4'],
      ['P3', 'P4', 'P4'],
    ]);
  });
  it('refuses levels outside 1–3 with an Italian message', () => {
    assert.throws(() => priorityOf(0, 1), (e: unknown) => e instanceof HttpProblem && e.status === 422 && /urgenza/.test(e.message));
    assert.throws(() => priorityOf(1, 4), (e: unknown) => e instanceof HttpProblem && e.status === 422 && /impatto/.test(e.message));
  });
});

describe('helpdesk service', () => {
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

  it('numbers tickets per ente and per year, without gaps', async () => {
    const now = at('2026-11-20T09:00:00Z');
    const counter = async (ente: string) =>
      (await t.platform.db.owner.selectFrom('ticket_counter').select('last_number').where('ente_id', '=', ente).where('year', '=', 2026).executeTakeFirst())?.last_number ?? 0;
    const [astiBefore, nizzaBefore] = [await counter(asti), await counter(nizza)];
    const a1 = await openTicket(db(), systemActor, asti, input(), { now });
    const n1 = await openTicket(db(), systemActor, nizza, input(), { now });
    const a2 = await openTicket(db(), systemActor, asti, input(), { now });
    await assert.rejects(openTicket(db(), systemActor, asti, input({ category: 'nessuna' }), { now }), /Categoria sconosciuta/);
    const a3 = await openTicket(db(), systemActor, asti, input(), { now });
    // the demo seed may have opened tickets already: numbers continue them, each ente on its own
    assert.deepEqual([a1.label, a2.label, a3.label, n1.label], [1, 2, 3].map((n) => `${astiBefore + n}/2026`).concat(`${nizzaBefore + 1}/2026`));
    // the year is Rome's: 23:30 on 31 December in Rome is still 2026
    const lastOfYear = await openTicket(db(), systemActor, nizza, input(), { now: at('2026-12-31T22:30:00Z') });
    const firstOfNext = await openTicket(db(), systemActor, nizza, input(), { now: at('2026-12-31T23:30:00Z') });
    assert.deepEqual([lastOfYear.label, firstOfNext.label], [`${n1.number + 1}/2026`, '1/2027']);
  });

  it('validates the opening with Italian messages', async () => {
    await assert.rejects(openTicket(db(), systemActor, asti, input({ callerPhone: null })), /numero di telefono è obbligatorio/);
    await assert.rejects(openTicket(db(), systemActor, asti, input({ channel: 'email', callerEmail: 'non-una-mail' })), /e-mail non valido/);
    await assert.rejects(openTicket(db(), systemActor, asti, input({ subject: ' x ' })), /oggetto/);
    await assert.rejects(openTicket(db(), systemActor, asti, input({ description: '  ' })), /descrizione/);
  });

  it('computes the due times on the CST calendar: Friday 13:00 + 4 working hours is Monday 9:00', async () => {
    // Friday 20 November 2026, 13:00 in Rome (lunch break): the clock starts at 14:00, runs 3h30 to 17:30,
    // skips the weekend and needs 30 more minutes on Monday.
    const ticket = await openTicket(db(), systemActor, asti, input(), { now: at('2026-11-20T12:00:00Z') });
    assert.equal(ticket.priority, 'P3');
    assert.equal(ticket.sla.firstResponse.dueAt.toISOString(), '2026-11-23T08:00:00.000Z'); // Monday 09:00
    assert.equal(ticket.sla.firstResponse.state, 'ok');
    // 1440 minutes = three working days of 8 hours: Friday 210, Monday 480, Tuesday 480, Wednesday 8:30–13:00
    assert.equal(ticket.sla.resolution.dueAt.toISOString(), '2026-11-25T12:00:00.000Z');
    // the first public reply stops the first-response clock; a note does not
    await addNote(db(), systemActor, asti, ticket.id, 'Verificare la coda di stampa', { now: at('2026-11-23T07:45:00Z') });
    let detail = (await ticketDetail(db(), asti, ticket.id, { withInternalNotes: true, now: at('2026-11-23T10:00:00Z') }))!;
    assert.equal(detail.firstResponseAt, null);
    assert.equal(detail.sla.firstResponse.state, 'breached');
    await addReply(db(), systemActor, asti, ticket.id, 'Stiamo verificando', { now: at('2026-11-23T07:50:00Z') });
    detail = (await ticketDetail(db(), asti, ticket.id, { withInternalNotes: true, now: at('2026-11-23T10:00:00Z') }))!;
    assert.equal(detail.firstResponseAt?.toISOString(), '2026-11-23T07:50:00.000Z');
    assert.equal(detail.sla.firstResponse.state, 'warning'); // met after 80% of the target, before the due time
  });

  it('is closed on San Secondo, the first Tuesday of May', async () => {
    // Monday 4 May 2026 17:00 in Rome: 30 minutes that day, Tuesday 5 May closed, Wednesday 8:30 + 3h30 = 12:00
    const ticket = await openTicket(db(), systemActor, asti, input(), { now: at('2026-05-04T15:00:00Z') });
    assert.equal(ticket.sla.firstResponse.dueAt.toISOString(), '2026-05-06T10:00:00.000Z');
  });

  it('stops the clock while the ticket waits for the ente', async () => {
    // Monday 23 November 2026 09:00 in Rome; without pauses the first response is due at 13:00.
    const ticket = await openTicket(db(), systemActor, nizza, input(), { now: at('2026-11-23T08:00:00Z') });
    assert.equal(ticket.sla.firstResponse.dueAt.toISOString(), '2026-11-23T12:00:00.000Z');
    await changeState(db(), systemActor, nizza, ticket.id, 'waiting_ente', { now: at('2026-11-23T09:00:00Z') }); // 10:00
    // still waiting at 10:30: the due time is "if the clock restarted now" (180 minutes left: 10:30–13:00, 14:00–14:30)
    let detail = (await ticketDetail(db(), nizza, ticket.id, { withInternalNotes: false, now: at('2026-11-23T09:30:00Z') }))!;
    assert.equal(detail.sla.firstResponse.elapsedMinutes, 60);
    assert.equal(detail.sla.firstResponse.dueAt.toISOString(), '2026-11-23T13:30:00.000Z');
    await changeState(db(), systemActor, nizza, ticket.id, 'in_progress', { now: at('2026-11-23T10:00:00Z') }); // 11:00
    detail = (await ticketDetail(db(), nizza, ticket.id, { withInternalNotes: false, now: at('2026-11-23T11:00:00Z') }))!;
    // one hour of pause: 9–10, 11–13, 14–15 → 15:00 in Rome
    assert.equal(detail.sla.firstResponse.dueAt.toISOString(), '2026-11-23T14:00:00.000Z');
    assert.equal(detail.sla.firstResponse.elapsedMinutes, 120);
  });

  it('allows only the transitions of the state machine', async () => {
    const ticket = await openTicket(db(), systemActor, asti, input());
    const refused = async (to: Parameters<typeof changeState>[4], pattern: RegExp) =>
      assert.rejects(changeState(db(), systemActor, asti, ticket.id, to), (e: unknown) => e instanceof HttpProblem && e.status === 409 && pattern.test(e.message));
    await refused('closed', /nuovo non può passare a chiuso/);
    await assert.rejects(changeState(db(), systemActor, asti, ticket.id, 'assigned'), (e: unknown) => e instanceof HttpProblem && e.status === 422);
    await changeState(db(), systemActor, asti, ticket.id, 'in_progress');
    await changeState(db(), systemActor, asti, ticket.id, 'solved');
    await refused('in_progress', /risolto non può passare/);
    await changeState(db(), systemActor, asti, ticket.id, 'closed');
    await refused('solved', /chiuso non può passare a risolto/);
    await assert.rejects(addReply(db(), systemActor, asti, ticket.id, 'ancora?'), (e: unknown) => e instanceof HttpProblem && e.status === 409);
    await changeState(db(), systemActor, asti, ticket.id, 'reopened');
    const detail = (await ticketDetail(db(), asti, ticket.id, { withInternalNotes: true }))!;
    assert.equal(detail.state, 'reopened');
    assert.equal(detail.solvedAt, null);
    assert.deepEqual(detail.events.map((e) => e.toState), ['in_progress', 'solved', 'closed', 'reopened']);
    // every write is audited
    const audit = await t.platform.db.owner.selectFrom('audit_log').select('action').where('entity_id', '=', ticket.id).orderBy('id').execute();
    assert.deepEqual(audit.map((a) => a.action), ['ticket.open', 'ticket.state', 'ticket.state', 'ticket.state', 'ticket.state']);
  });
});
