// The satisfaction survey: the public link (every wrong part is the same 404), the anonymous CSRF form, one
// answer per ticket even under concurrent submissions, refusal before the ticket is solved, and the back-office
// answer of the ente's requesters (another ente's user and the desk refused, audited).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { csrfFrom, form, login, postForm, type Browser } from '../../../../test/support/http.js';
import { startTestPlatform, type TestPlatform } from '../../../../test/support/platform.js';
import { systemActor } from '../../../platform/audit/index.js';
import { getEnteBySlug } from '../../../platform/tenancy/index.js';
import { changeState, openTicket } from '../service.js';
import { surveyActionPath, surveyUrl } from './index.js';

describe('helpdesk satisfaction survey', () => {
  let t: TestPlatform;
  let canelli: string;
  let asti: string;
  let canelliStaff: Browser;
  let astiAdmin: Browser;
  let desk: Browser;

  before(async () => {
    t = await startTestPlatform();
    canelli = (await getEnteBySlug(t.platform.db.owner, 'canelli'))!.id;
    asti = (await getEnteBySlug(t.platform.db.owner, 'asti'))!.id;
    [canelliStaff, astiAdmin, desk] = await Promise.all([login(t.app, 'segreteria@canelli.demo'), login(t.app, 'admin@asti.demo'), login(t.app, 'admin@cst.demo')]);
  });
  after(() => t.close());

  async function ticket(enteId: string, solved = true) {
    const opened = await openTicket(t.platform.db.app, systemActor, enteId, {
      channel: 'phone',
      callerName: 'Giulia Rosso',
      callerPhone: '0141 820111',
      category: 'hardware_stampanti',
      urgency: 2,
      impact: 2,
      subject: 'La stampante dell’anagrafe non stampa',
      description: 'Errore di carta inceppata anche senza carta.',
    });
    if (solved) await changeState(t.platform.db.app, systemActor, enteId, opened.id, 'solved');
    return opened.id;
  }

  const path = (enteId: string, ticketId: string) => new URL(surveyUrl(t.platform, enteId, ticketId)).pathname;
  const get = (url: string, cookie = '') => t.app.inject({ method: 'GET', url, headers: cookie ? { cookie } : {} });
  const answers = (ticketId: string) => t.platform.db.owner.selectFrom('ticket_survey').selectAll().where('ticket_id', '=', ticketId).execute();

  /** Opens the public page like a browser: the anonymous CSRF cookie and the form's token. */
  async function openForm(url: string) {
    const page = await get(url);
    assert.equal(page.statusCode, 200, page.body.slice(0, 300));
    const cookie = [page.headers['set-cookie'] ?? []].flat().map((c) => c.split(';')[0]).join('; ');
    return { page, cookie, csrf: csrfFrom(page.body) };
  }
  const submit = (url: string, cookie: string, fields: Record<string, string>) =>
    t.app.inject({ method: 'POST', url, headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: form(fields) });

  it('answers 404 in Italian to every wrong link, revealing nothing', async () => {
    const a = await ticket(canelli);
    const b = await ticket(canelli);
    const good = path(canelli, a);
    const token = good.split('/').pop()!;
    const wrong = [
      good.replace(/[^/]+$/, 'x'.repeat(32)), // wrong token
      `/assistenza/valutazione/${canelli}/${b}/${token}`, // another ticket with this ticket's token
      `/assistenza/valutazione/${asti}/${a}/${token}`, // another ente
      `/assistenza/valutazione/non-un-ente/${a}/${token}`,
      `${good}x`,
      `/assistenza/valutazione/${canelli}/00000000-0000-4000-8000-000000000000/${path(canelli, '00000000-0000-4000-8000-000000000000').split('/').pop()}`, // valid token, no ticket
    ];
    for (const url of wrong) {
      const res = await get(url);
      assert.equal(res.statusCode, 404, url);
      assert.match(res.body, /Il link di valutazione non è valido/);
      assert.doesNotMatch(res.body, /stampante/i, 'the ticket is not revealed');
      assert.equal((await submit(url, '', { rating: '5' })).statusCode, 403, 'no CSRF cookie: refused before anything');
    }
  });

  it('records one answer from the public page, with the anonymous CSRF token; a second one is "già registrata"', async () => {
    const id = await ticket(canelli);
    const url = path(canelli, id);
    const { page, cookie, csrf } = await openForm(url);
    assert.match(page.body, /<fieldset[^>]*>\s*<legend[^>]*>Quanto sei soddisfatto/);
    assert.equal((page.body.match(/type="radio" name="rating"/g) ?? []).length, 5);
    assert.match(String(page.headers['referrer-policy']), /no-referrer/);
    assert.equal((await submit(url, cookie, { rating: '4', comment: 'ok' })).statusCode, 403, 'without the token');
    assert.equal((await submit(url, '', { rating: '4', _csrf: csrf })).statusCode, 403, 'without the cookie');

    const bad = await submit(url, cookie, { rating: '9', comment: 'ok', _csrf: csrf });
    assert.equal(bad.statusCode, 422);
    assert.match(bad.body, /Scegli un voto da 1/);
    assert.match(bad.body, />ok<\/textarea>/, 'the comment is kept');

    const done = await submit(url, cookie, { rating: '4', comment: '  Gentilissimi  ', _csrf: csrf });
    assert.equal(done.statusCode, 303);
    assert.equal(done.headers.location, `${url}?esito=grazie`);
    assert.match((await get(String(done.headers.location), cookie)).body, /Grazie per la valutazione/);
    const rows = await answers(id);
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.rating, 4);
    assert.equal(rows[0]!.comment, 'Gentilissimi');
    assert.equal(rows[0]!.via, 'link');

    const again = await submit(url, cookie, { rating: '1', _csrf: csrf });
    assert.equal(again.statusCode, 409);
    assert.match(again.body, /Valutazione già registrata/);
    assert.match((await get(url)).body, /già stata registrata il \d{2}\/\d{2}\/\d{4}/);
    assert.equal((await answers(id))[0]!.rating, 4, 'the first answer stands');
    const audit = await t.platform.db.owner.selectFrom('audit_log').select(['action', 'actor_label']).where('entity_id', '=', id).where('action', '=', 'helpdesk.survey.answer').execute();
    assert.deepEqual(audit, [{ action: 'helpdesk.survey.answer', actor_label: 'anonimo' }]);
  });

  it('keeps exactly one row when the same answer is submitted concurrently', async () => {
    const id = await ticket(canelli);
    const url = path(canelli, id);
    const { cookie, csrf } = await openForm(url);
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => submit(url, cookie, { rating: String((i % 5) + 1), _csrf: csrf })));
    const codes = results.map((r) => r.statusCode).sort();
    assert.deepEqual(codes, [303, 409, 409, 409, 409, 409]);
    assert.equal((await answers(id)).length, 1);
  });

  it('refuses a ticket that is not solved yet', async () => {
    const id = await ticket(canelli, false);
    const url = path(canelli, id);
    const page = await get(url);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Richiesta non ancora risolta/);
    assert.doesNotMatch(page.body, /name="rating"/);
    // a form opened on another survey page gives the cookie and token; the ticket still refuses
    const other = await openForm(path(canelli, await ticket(canelli)));
    const res = await submit(url, other.cookie, { rating: '5', _csrf: other.csrf });
    assert.equal(res.statusCode, 409);
    assert.equal((await answers(id)).length, 0);
    const bo = await postForm(t.app, canelliStaff, surveyActionPath('canelli', id), { rating: '5' });
    assert.equal(bo.statusCode, 409);
    assert.equal((await answers(id)).length, 0);
  });

  it("lets the ente's requesters answer from the back office, and nobody else", async () => {
    const id = await ticket(canelli);
    const action = surveyActionPath('canelli', id);
    assert.equal((await t.app.inject({ method: 'POST', url: action, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: form({ rating: '5' }) })).statusCode, 403, 'anonymous: no CSRF cookie');

    const foreign = await postForm(t.app, astiAdmin, action, { rating: '1' });
    assert.equal(foreign.statusCode, 403);
    assert.doesNotMatch(foreign.body, /stampante/i);
    const denied = await t.platform.db.owner.selectFrom('audit_log').select(['actor_label']).where('ente_id', '=', canelli).where('action', '=', 'access.denied').execute();
    assert.ok(denied.some((d) => d.actor_label === 'admin@asti.demo'), 'the refusal is audited on Canelli');
    assert.equal((await postForm(t.app, desk, action, { rating: '5' })).statusCode, 403, 'the desk does not rate itself');
    assert.equal((await answers(id)).length, 0);

    const res = await postForm(t.app, canelliStaff, action, { rating: '5', comment: 'Rapidi', next: `/backoffice/enti/canelli/assistenza/ticket/${id}` });
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, `/backoffice/enti/canelli/assistenza/ticket/${id}?esito=valutazione-registrata`);
    const again = await postForm(t.app, canelliStaff, action, { rating: '2', next: 'https://evil.example/' });
    assert.equal(again.headers.location, '/backoffice/enti/canelli/assistenza?esito=valutazione-gia-registrata', 'no open redirect');
    const rows = await answers(id);
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.via, 'backoffice');
    assert.equal(rows[0]!.rating, 5);

    const invalid = await postForm(t.app, canelliStaff, surveyActionPath('canelli', await ticket(canelli)), { rating: '' });
    assert.equal(invalid.statusCode, 422);
    assert.match(invalid.body, /Scegli un voto da 1/);
  });
});
