// On-site interventions: the time rules (Rome wall time, DST, h:mm), the hours arithmetic per year, and the
// API as the desk and the enti use it — overlaps refused, another ente's tickets refused without a trace,
// confirmation only by the ente's representative (others 403 and audited), the exports and the PDFs.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import ExcelJS from 'exceljs';
import { extractText, getDocumentProxy } from 'unpdf';
import { login, type Browser } from '../../../../test/support/http.js';
import { startTestPlatform, type TestPlatform } from '../../../../test/support/platform.js';
import { getEnteBySlug } from '../../../platform/tenancy/index.js';
import { balanceOf } from './hours.js';
import { hoursText, parseHours, reportMinutes, slotOf } from './time.js';

async function pdfText(bytes: Buffer): Promise<string> {
  const { text } = await extractText(await getDocumentProxy(new Uint8Array(bytes)), { mergePages: true });
  return text.replace(/\s+/g, ' ');
}

describe('onsite time rules', () => {
  it('takes slots in Rome wall time, also on DST days', () => {
    const winter = slotOf('2026-01-15', '09:00', '11:30');
    assert.equal(winter.startsAt.toISOString(), '2026-01-15T08:00:00.000Z');
    const summer = slotOf('2026-07-15', '09:00', '11:30');
    assert.equal(summer.startsAt.toISOString(), '2026-07-15T07:00:00.000Z');
    // 29 March 2026: 02:00 → 03:00, so 01:30–03:30 lasts one hour; 25 October: 03:00 → 02:00, three hours.
    const spring = slotOf('2026-03-29', '01:30', '03:30');
    assert.equal((spring.endsAt.getTime() - spring.startsAt.getTime()) / 60_000, 60);
    const autumn = slotOf('2026-10-25', '01:30', '03:30');
    assert.equal((autumn.endsAt.getTime() - autumn.startsAt.getTime()) / 60_000, 180);
    assert.throws(() => slotOf('2026-03-29', '02:30', '04:00'), /non esistono.*ora legale/);
    assert.throws(() => slotOf('2026-01-15', '11:00', '09:00'), /successiva all'ora di inizio/);
    assert.throws(() => slotOf('2026-02-30', '09:00', '10:00'), /Data non valida/);
    assert.throws(() => slotOf('2026-01-15', '25:00', '26:00'), /Ora non valida/);
  });

  it('counts the minutes of a report: actual times or minutes, positive, at most 12 hours', () => {
    assert.equal(reportMinutes({ date: '2026-03-29', start: '01:00', end: '04:00' }).minutes, 120);
    assert.equal(reportMinutes({ date: '2026-01-15', minutes: 90 }).minutes, 90);
    assert.throws(() => reportMinutes({ date: '2026-01-15', minutes: 0 }), /positivo/);
    assert.throws(() => reportMinutes({ date: '2026-01-15', minutes: 721 }), /12 ore/);
    assert.throws(() => reportMinutes({ date: '2026-01-15', start: '09:00' }), /sia l'ora di inizio sia/);
    assert.throws(() => reportMinutes({ date: '2026-01-15' }), /Indica il tempo/);
  });

  it('reads and writes hours as h:mm', () => {
    assert.equal(hoursText(0), '0:00');
    assert.equal(hoursText(2400), '40:00');
    assert.equal(hoursText(95), '1:35');
    assert.equal(parseHours('40'), 2400);
    assert.equal(parseHours('40:30'), 2430);
    assert.equal(parseHours('16,5'), 990);
    assert.equal(parseHours('dieci'), undefined);
    assert.equal(parseHours('1:75'), undefined);
  });

  it('warns from 80% of the contract and counts what goes beyond as extra', () => {
    const parts = { awaiting: 0, disputed: 0, planned: 0 };
    assert.equal(balanceOf(2026, { ...parts, contracted: 600, confirmed: 479 }).level, 'ok');
    assert.equal(balanceOf(2026, { ...parts, contracted: 600, confirmed: 480 }).level, 'near');
    assert.equal(balanceOf(2026, { ...parts, contracted: 600, confirmed: 600 }).level, 'exhausted');
    const over = balanceOf(2026, { ...parts, contracted: 600, confirmed: 700 });
    assert.deepEqual([over.level, over.remainingMinutes, over.extraMinutes], ['over', 0, 100]);
    const none = balanceOf(2026, { ...parts, contracted: null, confirmed: 60 });
    assert.deepEqual([none.level, none.extraMinutes], ['no_contract', 60]);
  });
});

describe('onsite API and pages', () => {
  let t: TestPlatform;
  let cst: Browser;
  let astiAdmin: Browser;
  let canelli: Browser;
  let technicianId: string;
  let astiTicket: string;
  let canelliTicket: string;

  const get = (who: Browser | null, url: string) => t.app.inject({ method: 'GET', url, headers: who ? { cookie: who.cookie } : {} });
  const send = (who: Browser | null, method: 'POST' | 'PUT', url: string, payload: Record<string, unknown> = {}) => t.app.inject({ method, url, payload, headers: who ? { cookie: who.cookie } : {} });
  const plan = (who: Browser | null, slug: string, body: Record<string, unknown>) => send(who, 'POST', `/api/v1/helpdesk/enti/${slug}/visits`, { technicianId, ...body });
  const ticket = async (slug: string, subject: string) =>
    (
      await send(cst, 'POST', `/api/v1/enti/${slug}/tickets`, { channel: 'phone', callerName: 'Mario Rossi', callerPhone: '0141 100200', category: 'rete', urgency: 2, impact: 2, subject, description: 'Descrizione' })
    ).json().id as string;

  before(async () => {
    t = await startTestPlatform();
    [cst, astiAdmin, canelli] = await Promise.all([login(t.app, 'admin@cst.demo'), login(t.app, 'admin@asti.demo'), login(t.app, 'segreteria@canelli.demo')]);
    technicianId = (await t.platform.db.owner.selectFrom('staff_user').select('id').where('email', '=', 'tecnico@cst.demo').executeTakeFirstOrThrow()).id;
    astiTicket = await ticket('asti', 'Switch guasto al piano terra');
    canelliTicket = await ticket('canelli', 'Riservato a Canelli: stampante');
  });
  after(() => t.close());

  it('seeds contracts and the technician visits for the demo', async () => {
    const hours = (await get(cst, '/api/v1/helpdesk/hours')).json();
    const asti = hours.items.find((i: { ente: { slug: string } }) => i.ente.slug === 'asti');
    assert.equal(asti.contractedMinutes, 40 * 60);
    assert.equal(asti.confirmedMinutes, 170);
    assert.ok(hours.items.length >= 10);
    const canelliHours = (await get(canelli, '/api/v1/helpdesk/enti/canelli/hours')).json();
    assert.equal(canelliHours.contractedMinutes, 16 * 60);
    assert.equal(canelliHours.awaitingMinutes, 110);
  });

  it('plans a visit, refuses an overlap of the technician at another ente with 409', async () => {
    const res = await plan(cst, 'asti', { date: '2030-06-10', start: '09:00', end: '11:00', ticketIds: [astiTicket], notes: 'Portare lo switch di scorta' });
    assert.equal(res.statusCode, 201, res.body);
    const visit = res.json();
    assert.equal(visit.startsAt, '2030-06-10T07:00:00.000Z');
    assert.deepEqual(visit.tickets.map((x: { subject: string }) => x.subject), ['Switch guasto al piano terra']);
    assert.equal(res.headers.location, visit.href);
    const clash = await plan(cst, 'canelli', { date: '2030-06-10', start: '10:30', end: '12:00' });
    assert.equal(clash.statusCode, 409);
    assert.match(clash.json().detail, /Il tecnico ha già un intervento il 10\/06\/2030 dalle 09:00 alle 11:00 presso .*Asti/);
    assert.equal((await plan(cst, 'canelli', { date: '2030-06-10', start: '11:00', end: '12:00' })).statusCode, 201);
    // rescheduling onto another visit is refused the same way; history is kept
    const moved = await send(cst, 'POST', `${visit.href}/reschedule`, { date: '2030-06-10', start: '11:30', end: '12:30' });
    assert.equal(moved.statusCode, 409);
    const ok = await send(cst, 'POST', `${visit.href}/reschedule`, { date: '2030-06-11', start: '09:00', end: '10:00', reason: 'Richiesta del comune' });
    assert.equal(ok.statusCode, 200, ok.body);
    assert.equal(ok.json().date, '2030-06-11');
    const audit = await t.platform.db.owner.selectFrom('audit_log').select('action').where('entity_id', '=', visit.id).execute();
    assert.deepEqual(audit.map((a) => a.action).sort(), ['onsite.visit.plan', 'onsite.visit.reschedule']);
  });

  it("refuses another ente's ticket without revealing it, and bad slots as 422", async () => {
    const res = await plan(cst, 'asti', { date: '2030-06-12', start: '09:00', end: '10:00', ticketIds: [canelliTicket] });
    assert.equal(res.statusCode, 422);
    assert.doesNotMatch(res.body, /Canelli|stampante/);
    assert.equal((await plan(cst, 'asti', { date: '2030-06-12', start: '10:00', end: '09:00' })).statusCode, 422);
    assert.equal((await plan(cst, 'asti', { date: '2030-03-31', start: '02:15', end: '04:00' })).statusCode, 422);
    const notDesk = await send(cst, 'POST', '/api/v1/helpdesk/enti/asti/visits', { technicianId: (await t.platform.db.owner.selectFrom('staff_user').select('id').where('email', '=', 'admin@asti.demo').executeTakeFirstOrThrow()).id, date: '2030-06-12', start: '09:00', end: '10:00' });
    assert.equal(notDesk.statusCode, 422);
  });

  it('counts a visit on 31 December for that year, against the contract of each year', async () => {
    await send(cst, 'PUT', '/api/v1/helpdesk/enti/nizza-monferrato/contracts/2024', { minutes: 600, note: 'Convenzione 2024' });
    await send(cst, 'PUT', '/api/v1/helpdesk/enti/nizza-monferrato/contracts/2025', { minutes: 1200 });
    const visit = (await plan(cst, 'nizza-monferrato', { date: '2024-12-31', start: '22:00', end: '23:59' })).json();
    const report = await send(cst, 'PUT', `${visit.href}/report`, { start: '22:00', end: '23:30', activities: 'Ripristino del server di posta' });
    assert.equal(report.statusCode, 200, report.body);
    assert.equal(report.json().report.minutes, 90);
    const nizza = await login(t.app, 'operatore@nizza-monferrato.demo');
    // the noticeboard operator of Nizza is not a requester of the help desk
    assert.equal((await send(nizza, 'POST', `${visit.href}/report/confirmation`)).statusCode, 403);
    // the desk confirms nothing for the ente
    assert.equal((await send(cst, 'POST', `${visit.href}/report/confirmation`)).statusCode, 403);
    // until confirmed, nothing is consumed
    assert.equal((await get(cst, '/api/v1/helpdesk/enti/nizza-monferrato/hours?year=2024')).json().confirmedMinutes, 0);
    const ente = (await getEnteBySlug(t.platform.db.owner, 'nizza-monferrato'))!;
    await t.platform.db.owner.insertInto('role_grant').values({ ente_id: ente.id, user_id: (await t.platform.db.owner.selectFrom('staff_user').select('id').where('email', '=', 'operatore@nizza-monferrato.demo').executeTakeFirstOrThrow()).id, role: 'operator', module: 'helpdesk' }).execute();
    const rep = await login(t.app, 'operatore@nizza-monferrato.demo');
    assert.equal((await send(rep, 'POST', `${visit.href}/report/confirmation`)).statusCode, 200);
    const y2024 = (await get(cst, '/api/v1/helpdesk/enti/nizza-monferrato/hours?year=2024')).json();
    assert.deepEqual([y2024.contractedMinutes, y2024.confirmedMinutes, y2024.remainingMinutes], [600, 90, 510]);
    const y2025 = (await get(cst, '/api/v1/helpdesk/enti/nizza-monferrato/hours?year=2025')).json();
    assert.deepEqual([y2025.contractedMinutes, y2025.confirmedMinutes, y2025.remainingMinutes], [1200, 0, 1200]);
  });

  it("lets only the ente's representative confirm; another ente's gets 403, audited; twice is 409", async () => {
    const visit = (await plan(cst, 'asti', { date: '2025-05-06', start: '09:00', end: '12:00', ticketIds: [astiTicket] })).json();
    assert.equal((await send(cst, 'PUT', `${visit.href}/report`, { minutes: 0, activities: 'x' })).statusCode, 400);
    assert.equal((await send(cst, 'PUT', `${visit.href}/report`, { minutes: 200, activities: '   ' })).statusCode, 422);
    const rec = await send(cst, 'PUT', `${visit.href}/report`, { minutes: 200, activities: 'Cablaggio', outcomes: { [astiTicket]: 'Risolto sul posto' } });
    assert.equal(rec.statusCode, 200, rec.body);
    assert.equal(rec.json().tickets[0].outcome, 'Risolto sul posto');
    // the ente side never records reports
    assert.equal((await send(astiAdmin, 'PUT', `${visit.href}/report`, { minutes: 10, activities: 'x' })).statusCode, 403);

    const denied = await send(canelli, 'POST', `${visit.href}/report/confirmation`);
    assert.equal(denied.statusCode, 403);
    assert.doesNotMatch(denied.body, /Cablaggio/);
    assert.equal((await get(canelli, visit.href)).statusCode, 403);
    const asti = (await getEnteBySlug(t.platform.db.owner, 'asti'))!;
    const audited = await t.platform.db.owner.selectFrom('audit_log').select(['actor_label', 'after']).where('ente_id', '=', asti.id).where('action', '=', 'access.denied').execute();
    assert.ok(audited.some((a) => a.actor_label === 'segreteria@canelli.demo' && JSON.stringify(a.after).includes('/confirmation')));

    const before = (await get(astiAdmin, '/api/v1/helpdesk/enti/asti/hours?year=2025')).json();
    const ok = await send(astiAdmin, 'POST', `${visit.href}/report/confirmation`);
    assert.equal(ok.statusCode, 200, ok.body);
    assert.equal(ok.json().report.decidedBy, 'admin@asti.demo');
    const afterHours = (await get(astiAdmin, '/api/v1/helpdesk/enti/asti/hours?year=2025')).json();
    assert.equal(afterHours.confirmedMinutes - before.confirmedMinutes, 200);
    assert.equal((await send(astiAdmin, 'POST', `${visit.href}/report/confirmation`)).statusCode, 409);
    assert.equal((await send(cst, 'PUT', `${visit.href}/report`, { minutes: 10, activities: 'Modifica' })).statusCode, 409);
    assert.equal((await send(cst, 'POST', `${visit.href}/cancel`, { reason: 'x' })).statusCode, 409);
  });

  it('a disputed report is corrected by the desk and confirmed again; a future visit has no report yet', async () => {
    const visit = (await plan(cst, 'canelli', { date: '2025-05-07', start: '14:00', end: '15:00' })).json();
    await send(cst, 'PUT', `${visit.href}/report`, { minutes: 300, activities: 'Formazione' });
    assert.equal((await send(canelli, 'POST', `${visit.href}/report/dispute`, { reason: '  ' })).statusCode, 422);
    const disputed = await send(canelli, 'POST', `${visit.href}/report/dispute`, { reason: 'Il tecnico è rimasto un’ora, non cinque' });
    assert.equal(disputed.json().report.status, 'disputed');
    assert.equal((await send(canelli, 'POST', `${visit.href}/report/confirmation`)).statusCode, 409);
    const fixed = await send(cst, 'PUT', `${visit.href}/report`, { minutes: 60, activities: 'Formazione' });
    assert.equal(fixed.json().report.status, 'awaiting');
    assert.equal((await send(canelli, 'POST', `${visit.href}/report/confirmation`)).json().report.status, 'confirmed');
    const future = (await plan(cst, 'canelli', { date: '2030-07-01', start: '09:00', end: '10:00' })).json();
    assert.equal((await send(cst, 'PUT', `${future.href}/report`, { minutes: 60, activities: 'x' })).statusCode, 409);
    assert.equal((await send(cst, 'POST', `${future.href}/cancel`, { reason: 'Sciopero' })).json().state, 'cancelled');
  });

  it('answers 401 without a session and 403 to the ente side on desk routes', async () => {
    for (const url of ['/api/v1/helpdesk/visits?date=2030-06-10', '/api/v1/helpdesk/hours', '/api/v1/helpdesk/enti/asti/hours', '/api/v1/helpdesk/enti/asti/visits']) {
      assert.equal((await get(null, url)).statusCode, 401, url);
    }
    assert.equal((await plan(null, 'asti', { date: '2030-06-10', start: '09:00', end: '10:00' })).statusCode, 401);
    assert.equal((await get(astiAdmin, '/api/v1/helpdesk/hours')).statusCode, 403);
    assert.equal((await get(astiAdmin, '/api/v1/helpdesk/visits?date=2030-06-10')).statusCode, 403);
    assert.equal((await plan(astiAdmin, 'asti', { date: '2030-06-20', start: '09:00', end: '10:00' })).statusCode, 403);
    assert.equal((await send(astiAdmin, 'PUT', '/api/v1/helpdesk/enti/asti/contracts/2030', { minutes: 99_999 })).statusCode, 403);
    assert.equal((await get(canelli, '/api/v1/helpdesk/enti/asti/hours')).statusCode, 403);
    const own = (await get(canelli, '/api/v1/helpdesk/enti/canelli/visits?year=2030')).json();
    assert.ok(own.items.every((v: { ente: { slug: string } }) => v.ente.slug === 'canelli'));
    for (const url of ['/backoffice/assistenza/interventi', '/backoffice/assistenza/interventi/ore', '/backoffice/enti/asti/assistenza/interventi']) {
      const res = await get(null, url);
      assert.equal(res.statusCode, 303, url);
      assert.match(String(res.headers.location), /^\/backoffice\/login\?next=/);
    }
    assert.equal((await get(astiAdmin, '/backoffice/assistenza/interventi')).statusCode, 403);
    assert.equal((await get(canelli, '/backoffice/enti/asti/assistenza/interventi')).statusCode, 403);
  });

  it('groups the day plan by ente and prints it; prints the report with who confirmed it', async () => {
    const day = (await get(cst, `/api/v1/helpdesk/visits?date=2030-06-10&technician=${technicianId}`)).json();
    assert.deepEqual(day.groups.map((g: { ente: { slug: string } }) => g.ente.slug), ['canelli']);
    const page = await get(cst, `/backoffice/assistenza/interventi?giorno=2030-06-11&tecnico=${technicianId}`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Switch guasto al piano terra/);
    const pdf = await get(cst, `/backoffice/assistenza/interventi/giornata.pdf?giorno=2030-06-11&tecnico=${technicianId}`);
    assert.equal(pdf.headers['content-type'], 'application/pdf');
    const dayText = await pdfText(pdf.rawPayload);
    assert.match(dayText, /Piano di giornata del 11\/06\/2030/);
    assert.match(dayText, /Switch guasto al piano terra/);
    const visits = (await get(astiAdmin, '/api/v1/helpdesk/enti/asti/visits?year=2025')).json();
    const confirmed = visits.items.find((v: { report: { status: string } | null }) => v.report?.status === 'confirmed');
    const report = await get(astiAdmin, `/backoffice/enti/asti/assistenza/interventi/${confirmed.id}/rapporto.pdf`);
    assert.equal(report.statusCode, 200);
    const text = await pdfText(report.rawPayload);
    assert.match(text, /Confermato da admin@asti\.demo/);
    assert.match(text, /Cablaggio/);
    assert.equal((await get(canelli, `/backoffice/enti/asti/assistenza/interventi/${confirmed.id}/rapporto.pdf`)).statusCode, 403);
  });

  it('exports hours per ente as CSV (BOM, ;, CRLF) and XLSX', async () => {
    await send(cst, 'PUT', '/api/v1/helpdesk/enti/canelli/contracts/2025', { minutes: 960 });
    const csv = await get(cst, '/backoffice/assistenza/interventi/ore.csv?anno=2025');
    assert.equal(csv.statusCode, 200);
    assert.match(String(csv.headers['content-disposition']), /attachment; filename="ore-interventi-in-sede-2025.csv"/);
    assert.ok(csv.body.startsWith('\uFEFFEnte;Ore a contratto;'));
    assert.ok(csv.body.endsWith('\r\n'));
    const canelliLine = csv.body.split('\r\n').find((l) => l.includes('Canelli'))!;
    assert.match(canelliLine, /;16;1;15;0;0;0;6,3%;15:00$/);
    const xlsx = await get(cst, '/backoffice/assistenza/interventi/ore.xlsx?anno=2025');
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
    const sheet = book.worksheets[0]!;
    assert.equal(sheet.getRow(1).getCell(1).value, 'Ente');
    const rows = sheet.getSheetValues().filter(Boolean) as unknown[][];
    const row = rows.find((r) => String(r[1]).includes('Canelli'))!;
    assert.equal(row[2], 16);
    assert.equal((await get(astiAdmin, '/backoffice/assistenza/interventi/ore.csv')).statusCode, 403);
  });

  it('confirms through the ente page form and shows the remaining hours', async () => {
    const visit = (await plan(cst, 'canelli', { date: '2025-05-08', start: '09:00', end: '10:00' })).json();
    await send(cst, 'PUT', `${visit.href}/report`, { minutes: 45, activities: 'Verifica della rete' });
    const page = await get(canelli, '/backoffice/enti/canelli/assistenza/interventi?anno=2025');
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Verifica della rete/);
    assert.match(page.body, new RegExp(`/interventi/${visit.id}/conferma`));
    const { postForm } = await import('../../../../test/support/http.js');
    const res = await postForm(t.app, canelli, `/backoffice/enti/canelli/assistenza/interventi/${visit.id}/conferma`, {});
    assert.equal(res.statusCode, 303);
    const again = await postForm(t.app, canelli, `/backoffice/enti/canelli/assistenza/interventi/${visit.id}/conferma`, {});
    assert.equal(again.statusCode, 409);
    assert.match(again.body, /già stato confermato/);
    assert.equal((await postForm(t.app, astiAdmin, `/backoffice/enti/canelli/assistenza/interventi/${visit.id}/conferma`, {})).statusCode, 403);
  });
});
