// The report arithmetic on a crafted year (2012: tickets at the year change, on the spring and autumn DST days,
// a merged duplicate, one opened the year before and solved in this one), its isolation (an ente's page, export
// and JSON hold only its rows; another ente's user gets 403, audited; the network read is audited), and the
// CSV/XLSX/SVG it hands out.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import ExcelJS from 'exceljs';
import { login, type Browser } from '../../../../test/support/http.js';
import { startTestPlatform, type TestPlatform } from '../../../../test/support/platform.js';
import { systemActor } from '../../../platform/audit/index.js';
import { getEnteBySlug } from '../../../platform/tenancy/index.js';
import { helpdeskReport, percentile } from './service.js';

const YEAR = 2012;

interface Crafted {
  ente: string;
  opened: string;
  category: string;
  channel?: 'phone' | 'web' | 'email';
  priority?: 'P1' | 'P2' | 'P3' | 'P4';
  firstResponse?: string;
  frMet?: boolean;
  solved?: string;
  resMet?: boolean;
  closed?: boolean;
  rating?: number;
  mergedInto?: string;
}

describe('helpdesk reports', () => {
  let t: TestPlatform;
  const ids: Record<string, string> = {};
  const numbers = new Map<string, number>();
  let cst: Browser;
  let canelliStaff: Browser;
  let astiAdmin: Browser;

  async function insert(name: string, c: Crafted) {
    const { owner } = t.platform.db;
    const ente = (await getEnteBySlug(owner, c.ente))!;
    const key = `${ente.id}:${c.opened.slice(0, 4)}`;
    const number = (numbers.get(key) ?? 900) + 1;
    numbers.set(key, number);
    const row = await owner
      .insertInto('ticket')
      .values({
        ente_id: ente.id,
        year: Number(c.opened.slice(0, 4)),
        number,
        channel: c.channel ?? 'phone',
        caller_name: 'Prova',
        caller_phone: '0141 000000',
        category_code: c.category,
        urgency: 2,
        impact: 2,
        priority: c.priority ?? 'P3',
        subject: `Ticket ${name}`,
        description: 'Ticket costruito per il test dei report',
        state: c.closed ? 'closed' : c.solved ? 'solved' : 'new',
        first_response_minutes: 240,
        resolution_minutes: 1440,
        opened_at: new Date(c.opened),
        first_response_at: c.firstResponse ? new Date(c.firstResponse) : null,
        solved_at: c.solved ? new Date(c.solved) : null,
        closed_at: c.closed ? new Date(c.solved!) : null,
        first_response_met: c.frMet ?? null,
        resolution_met: c.resMet ?? null,
        merged_into: c.mergedInto ? ids[c.mergedInto]! : null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    ids[name] = row.id;
    if (c.rating) {
      await owner.insertInto('ticket_survey').values({ ente_id: ente.id, ticket_id: row.id, rating: c.rating, comment: null, via: 'link', answered_by: null, answered_at: new Date(c.solved!) }).execute();
    }
  }

  before(async () => {
    t = await startTestPlatform();
    // Working minutes to first response on the CST calendar (Mon–Fri 8:30–13:00, 14:00–17:30, Rome):
    await insert('t1', { ente: 'asti', opened: '2012-01-09T08:00:00Z', firstResponse: '2012-01-09T08:30:00Z', frMet: true, solved: '2012-01-10T10:00:00Z', resMet: true, category: 'hardware_stampanti', rating: 5 }); // 30
    // 31 Dec 23:30 UTC = 1 Jan 00:30 in Rome: January 2012. First response Monday 2 Jan 09:30 CET.
    await insert('t2', { ente: 'asti', opened: '2011-12-31T23:30:00Z', firstResponse: '2012-01-02T08:30:00Z', frMet: false, category: 'software_tributi', channel: 'web', priority: 'P2' }); // 60
    // The Monday after the spring DST change: 09:00 → 11:00 CEST.
    await insert('t3', { ente: 'canelli', opened: '2012-03-26T07:00:00Z', firstResponse: '2012-03-26T09:00:00Z', frMet: true, solved: '2012-03-27T09:00:00Z', resMet: false, category: 'posta_pec', channel: 'email', rating: 2 }); // 120
    // 31 Mar 22:30 UTC = 1 Apr 00:30 CEST: April.
    await insert('t4', { ente: 'canelli', opened: '2012-03-31T22:30:00Z', category: 'posta_pec' });
    // 31 Oct 23:30 UTC = 1 Nov 00:30 CET (a holiday): November; first response Friday 2 Nov 09:00 CET.
    await insert('t5', { ente: 'nizza-monferrato', opened: '2012-10-31T23:30:00Z', firstResponse: '2012-11-02T08:00:00Z', frMet: true, solved: '2012-11-05T10:00:00Z', resMet: true, closed: true, category: 'rete_wifi', rating: 4 }); // 30
    // 31 Dec 22:59 UTC = 23:59 in Rome: still 2012; solved in 2013.
    await insert('t7', { ente: 'asti', opened: '2012-12-31T22:59:00Z', solved: '2013-01-02T09:00:00Z', resMet: true, category: 'hardware_postazioni', priority: 'P1' });
    // Not in 2012: 1 Jan 2013 00:00 in Rome; the year before (solved in February 2012); a merged duplicate of t1.
    await insert('t6', { ente: 'asti', opened: '2012-12-31T23:00:00Z', category: 'hardware_postazioni' });
    await insert('t0', { ente: 'asti', opened: '2011-06-01T08:00:00Z', firstResponse: '2011-06-01T09:00:00Z', frMet: true, solved: '2012-02-15T10:00:00Z', resMet: false, category: 'albo' });
    await insert('t8', { ente: 'asti', opened: '2012-01-09T08:05:00Z', category: 'hardware_stampanti', mergedInto: 't1' });
    [cst, canelliStaff, astiAdmin] = await Promise.all([login(t.app, 'admin@cst.demo'), login(t.app, 'segreteria@canelli.demo'), login(t.app, 'admin@asti.demo')]);
  });
  after(() => t.close());

  const get = (who: Browser | null, url: string) => t.app.inject({ method: 'GET', url, headers: who ? { cookie: who.cookie } : {} });

  it('counts the network by Rome month, category, ente, channel and priority', async () => {
    const r = await helpdeskReport(t.platform.db.app, systemActor, { year: YEAR });
    assert.equal(r.totals.opened, 6);
    assert.equal(r.totals.solved, 4, 't1, t3, t5 (closed), t7');
    assert.deepEqual(r.months.map((m) => m.opened), [2, 0, 1, 1, 0, 0, 0, 0, 0, 0, 1, 1]);
    assert.deepEqual(r.months.map((m) => m.solvedInMonth), [1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0], 'solved per month whenever opened (t0 in February)');
    assert.deepEqual(r.totals.firstResponse, { met: 3, decided: 4, rate: 0.75 });
    assert.deepEqual(r.totals.resolution, { met: 3, decided: 4, rate: 0.75 });
    assert.deepEqual(r.months[0]!.firstResponse, { met: 1, decided: 2, rate: 0.5 });
    assert.deepEqual(r.months[2]!.resolution, { met: 0, decided: 1, rate: 0 });
    const cat = Object.fromEntries(r.categories.map((c) => [c.code, c.opened]));
    assert.deepEqual(cat, { hardware: 2, hardware_postazioni: 1, hardware_stampanti: 1, software: 1, software_tributi: 1, rete: 1, rete_wifi: 1, posta: 2, posta_pec: 2 });
    assert.deepEqual(r.enti.map((e) => [e.slug, e.opened, e.solved]), [['asti', 3, 2], ['canelli', 2, 1], ['nizza-monferrato', 1, 1]]);
    assert.deepEqual(r.channels, [{ channel: 'phone', opened: 4 }, { channel: 'web', opened: 1 }, { channel: 'email', opened: 1 }]);
    assert.deepEqual(r.priorities.map((p) => p.opened), [1, 1, 4, 0]);
    // 30, 60, 120, 30 working minutes: median (30 + 60) / 2, p90 the largest of four
    assert.deepEqual(r.firstResponse, { unit: 'working_minutes', measured: 4, of: 4, median: 45, p90: 120 });
  });

  it('computes satisfaction per ente and per category with the response rate', async () => {
    const r = await helpdeskReport(t.platform.db.app, systemActor, { year: YEAR });
    const s = r.totals.satisfaction;
    assert.deepEqual(s.distribution, [0, 1, 0, 1, 1]);
    assert.equal(s.answers, 3);
    assert.equal(s.eligible, 4);
    assert.equal(s.responseRate, 0.75);
    assert.ok(Math.abs(s.average! - 11 / 3) < 1e-9);
    const asti = r.enti.find((e) => e.slug === 'asti')!.satisfaction;
    assert.deepEqual([asti.answers, asti.eligible, asti.average, asti.responseRate], [1, 2, 5, 0.5]);
    assert.equal(r.categories.find((c) => c.code === 'posta')!.satisfaction.average, 2);
    assert.equal(r.categories.find((c) => c.code === 'hardware')!.satisfaction.answers, 1);
  });

  it('filters by ente and by category (a top category includes its sub-categories)', async () => {
    const canelli = (await getEnteBySlug(t.platform.db.app, 'canelli'))!;
    const r = await helpdeskReport(t.platform.db.app, systemActor, { year: YEAR, ente: { id: canelli.id, slug: 'canelli', name: 'Canelli' } });
    assert.equal(r.scope, 'ente');
    assert.equal(r.totals.opened, 2);
    assert.deepEqual(r.enti, []);
    const hw = await helpdeskReport(t.platform.db.app, systemActor, { year: YEAR, category: { code: 'hardware', name: 'Hardware' } });
    assert.equal(hw.totals.opened, 2);
    assert.equal((await helpdeskReport(t.platform.db.app, systemActor, { year: 2013 })).totals.opened >= 1, true, 't6 is in 2013');
  });

  it('percentiles by nearest rank', () => {
    assert.equal(percentile([], 0.5), null);
    assert.equal(percentile([1, 2, 3], 0.5), 2);
    assert.equal(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9), 9);
  });

  it('shows the desk its report across enti with charts, audited as a cross-ente read', async () => {
    const page = await get(cst, `/backoffice/assistenza/report?anno=${YEAR}`);
    assert.equal(page.statusCode, 200, page.body.slice(0, 500));
    assert.match(page.body, /<svg role="img" aria-label="Ticket aperti e risolti per mese nel 2012: 6 aperti, 4 risolti\." id="grafico-mesi"/);
    assert.match(page.body, /<title>Ticket aperti e risolti per mese nel 2012/);
    assert.match(page.body, /<th scope="row">Canelli<\/th>/);
    assert.match(page.body, /45 min lavorative/);
    assert.match(page.body, /href="\/backoffice\/assistenza\/interventi[^"]*\?anno=2012"/, 'the on-site hours are linked, not recomputed');
    const audit = await t.platform.db.owner.selectFrom('audit_log').select(['after']).where('action', '=', 'cross_ente.read').execute();
    assert.ok(audit.some((a) => JSON.stringify(a.after).includes('report del help desk')));
    const one = await get(cst, `/backoffice/assistenza/report?anno=${YEAR}&ente=canelli&categoria=`);
    assert.equal(one.statusCode, 200);
    assert.doesNotMatch(one.body, /<th scope="row">Asti<\/th>/);
    assert.equal((await get(cst, `/backoffice/assistenza/report?anno=${YEAR}&categoria=inesistente`)).statusCode, 400);
    assert.equal((await get(cst, '/backoffice/assistenza/report?anno=12')).statusCode, 400);
  });

  it("keeps an ente's report, exports and JSON to its own rows; other users get 401/403, audited", async () => {
    const page = await get(canelliStaff, `/backoffice/enti/canelli/assistenza/report?anno=${YEAR}`);
    assert.equal(page.statusCode, 200);
    assert.doesNotMatch(page.body, /Ticket t1|Asti|Nizza/);
    assert.doesNotMatch(page.body, /name="ente"/, 'no ente filter for an ente');

    const csv = await get(canelliStaff, `/backoffice/enti/canelli/assistenza/report/mesi.csv?anno=${YEAR}`);
    assert.equal(csv.statusCode, 200);
    assert.match(String(csv.headers['content-type']), /^text\/csv; charset=utf-8/);
    assert.match(String(csv.headers['content-disposition']), /attachment; filename="assistenza-mesi-canelli-2012\.csv"/);
    assert.ok(csv.body.startsWith('\uFEFFMese;Aperti;Risolti nel mese;Prima risposta nei tempi;'));
    const lines = csv.body.slice(1).split('\r\n');
    assert.equal(lines.length, 14, 'header, 12 months, final CRLF');
    assert.equal(lines[3], 'marzo;1;1;100%;1;0%;1');
    assert.equal(lines[4], 'aprile;1;0;;0;;0');
    assert.equal((await get(canelliStaff, `/backoffice/enti/canelli/assistenza/report/enti.csv?anno=${YEAR}`)).statusCode, 404, 'no per-ente table for an ente');

    const xlsx = await get(canelliStaff, `/backoffice/enti/canelli/assistenza/report/tutto.xlsx?anno=${YEAR}`);
    assert.equal(xlsx.statusCode, 200);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
    assert.deepEqual(workbook.worksheets.map((s) => s.name), ['Mesi', 'Categorie', 'Canali', 'Priorità', 'Soddisfazione per categoria']);
    const months = workbook.getWorksheet('Mesi')!;
    assert.equal(months.getCell('B4').value, 1);
    assert.equal(months.getCell('D4').value, 1);
    assert.equal(months.getCell('D4').numFmt, '0.0%');

    const json = await get(canelliStaff, `/api/v1/helpdesk/report?year=${YEAR}`);
    assert.equal(json.statusCode, 200, json.body);
    const body = json.json();
    assert.equal(body.scope, 'ente');
    assert.equal(body.ente.slug, 'canelli');
    assert.equal(body.totals.opened, 2);
    assert.deepEqual(body.enti, []);

    const canelliId = (await getEnteBySlug(t.platform.db.owner, 'canelli'))!.id;
    for (const url of [`/backoffice/enti/canelli/assistenza/report?anno=${YEAR}`, `/backoffice/enti/canelli/assistenza/report/mesi.csv?anno=${YEAR}`, `/api/v1/helpdesk/report?year=${YEAR}&ente=canelli`]) {
      const res = await get(astiAdmin, url);
      assert.equal(res.statusCode, 403, url);
      assert.doesNotMatch(res.body, /marzo;1/);
    }
    const denied = await t.platform.db.owner.selectFrom('audit_log').select(['actor_label']).where('ente_id', '=', canelliId).where('action', '=', 'access.denied').execute();
    assert.ok(denied.filter((d) => d.actor_label === 'admin@asti.demo').length >= 3);
    assert.equal((await get(astiAdmin, '/backoffice/assistenza/report')).statusCode, 403, 'the network report is the desk’s');
    assert.equal((await get(null, '/backoffice/assistenza/report')).statusCode, 303);
    assert.equal((await get(null, '/backoffice/enti/canelli/assistenza/report/mesi.csv')).statusCode, 303);
    assert.equal((await get(null, '/api/v1/helpdesk/report')).statusCode, 401);
  });

  it('gives the desk the network or one ente as JSON', async () => {
    const all = (await get(cst, `/api/v1/helpdesk/report?year=${YEAR}`)).json();
    assert.equal(all.scope, 'network');
    assert.equal(all.totals.opened, 6);
    assert.equal(all.enti.length, 3);
    const one = (await get(cst, `/api/v1/helpdesk/report?year=${YEAR}&ente=asti&category=hardware`)).json();
    assert.equal(one.totals.opened, 2);
    assert.equal((await get(cst, `/api/v1/helpdesk/report?year=1999`)).statusCode, 400);
    assert.equal((await get(cst, `/api/v1/helpdesk/report?ente=inesistente`)).statusCode, 404);
  });
});
