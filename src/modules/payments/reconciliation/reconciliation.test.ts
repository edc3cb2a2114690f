// Reconciliation on a real database through the HTTP API and the pages: a flow whose lines all match their
// receipts but one (amount), matched to its treasury credit by the remittance (the one anomaly); unknown IUVs,
// a missing receipt resolved by a later match, a flow for another ente refused, a duplicate import that changes
// nothing, unsafe and malformed XML refused with nothing stored; who may do what (403 audited, 401, the CST's
// cross-ente view audited); totals per service and day; CSV and XLSX exports; the demo data and the daily job.
import assert from 'node:assert/strict';
import ExcelJS from 'exceljs';
import { after, before, describe, it } from 'node:test';
import { hashPassword } from '../../../platform/auth/passwords.js';
import { systemActor } from '../../../platform/audit/index.js';
import { todayInRome } from '../../../platform/calendar/index.js';
import { withEnte } from '../../../platform/db/index.js';
import { startTestPlatform, type TestPlatform } from '../../../../test/support/platform.js';
import { login, postForm, type Browser } from '../../../../test/support/http.js';
import { demoIban } from '../seed.js';
import { createPosition, type PositionInput } from '../service.js';
import { fdrXml, treasuryRemittance } from './fdr-xml.js';
import { fixture, xmllintVersions } from './fixtures/xmllint.js';
import { rematchOpenFlows } from './jobs.js';
import { recordReceipt } from './seed.js';

const today = todayInRome();
const NIZZA = 'nizza-monferrato';
const api = (slug: string) => `/api/v1/payments/enti/${slug}`;
const pages = (slug: string) => `/backoffice/enti/${slug}/pagamenti/riconciliazione`;

async function multipart(fields: Record<string, string>, file: { field: string; bytes: Buffer; name: string; type: string }) {
  const fd = new FormData();
  for (const [k, v] of Object.entries(fields)) fd.append(k, v);
  fd.append(file.field, new Blob([new Uint8Array(file.bytes)], { type: file.type }), file.name);
  const req = new Request('http://x', { method: 'POST', body: fd });
  return { payload: Buffer.from(await req.arrayBuffer()), contentType: req.headers.get('content-type')! };
}

describe('payments reconciliation', () => {
  let t: TestPlatform;
  let nizza: { id: string; fiscalCode: string; name: string };
  let cstId: string;
  let provinciaFiscalCode: string;
  let staff: Browser; // operator of payments at Nizza
  let astiAdmin: Browser;
  let cstAdmin: Browser;
  let canelliHelpdesk: Browser;
  const iuvs: Record<string, string> = {};
  let flowId: string;
  let flowUuid: string;

  const owner = () => t.platform.db.owner;
  const inject = (browser: Browser | null, method: 'GET' | 'POST', url: string, body?: { payload: string | Buffer; type: string }) =>
    t.app.inject({ method, url, headers: { ...(browser ? { cookie: browser.cookie } : {}), ...(body ? { 'content-type': body.type } : {}) }, ...(body ? { payload: body.payload } : {}) });
  const postXml = (browser: Browser | null, slug: string, xml: string) => inject(browser, 'POST', `${api(slug)}/reporting-flows`, { payload: xml, type: 'application/xml' });
  const count = async (table: 'payment_fdr' | 'payment_fdr_line' | 'stored_file' | 'payment_treasury_line', enteId: string) =>
    Number((await owner().selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).where('ente_id', '=', enteId).executeTakeFirstOrThrow()).n);
  const audits = (enteId: string, action: string) => owner().selectFrom('audit_log').selectAll().where('ente_id', '=', enteId).where('action', '=', action).execute();

  /** A published position of Nizza paid now, with its receipt as the node records it. */
  async function paid(key: string, input: Omit<PositionInput, 'debtor' | 'dueDate'>, transfers?: { idx: number; amountCents: number; fiscalCode: string }[]) {
    const { position } = await createPosition(t.platform.db.app, systemActor, nizza.id, { ...input, debtor: { fiscalCode: 'RSSMRA80A01A479L', name: 'Mario Rossi' }, dueDate: today });
    const option = position.options[0]!;
    iuvs[key] = option.iuv;
    await withEnte(t.platform.db.app, nizza.id, async (trx) => {
      const row = await trx.selectFrom('payment_option').selectAll().where('id', '=', option.id).executeTakeFirstOrThrow();
      await recordReceipt(t.platform, trx, nizza.id, row, { receiptId: `RT-${option.iuv}`, applicationDate: today, paidAt: new Date(), payerName: 'Mario Rossi', ...(transfers ? { transfers } : {}) });
    });
    return option.iuv;
  }

  const flowOf = (id: string, lines: { iuv: string; amountCents: number; transferIndex?: number; outcome?: string }[], extra: Partial<Parameters<typeof fdrXml>[0]> = {}) =>
    fdrXml({
      flowId: id,
      flowDateTime: `${today}T08:00:00`,
      settlementId: `SCT-${id}`.slice(0, 35),
      settlementDate: today,
      psp: { code: 'ABI03069', name: 'Intesa Sanpaolo S.p.A.' },
      receiver: { fiscalCode: nizza.fiscalCode, name: nizza.name },
      lines: lines.map((l) => ({ ...l, iur: `RT-${l.iuv}`, date: today })),
      ...extra,
    });

  before(async () => {
    t = await startTestPlatform();
    const ente = await owner().selectFrom('ente').select(['id', 'name']).where('slug', '=', NIZZA).executeTakeFirstOrThrow();
    const config = await owner().selectFrom('payment_config').select(['fiscal_code', 'business_name']).where('ente_id', '=', ente.id).executeTakeFirstOrThrow();
    nizza = { id: ente.id, fiscalCode: config.fiscal_code, name: config.business_name };
    const cst = await owner().selectFrom('ente').select(['id', 'fiscal_code']).where('is_cst', '=', true).executeTakeFirstOrThrow();
    cstId = cst.id;
    provinciaFiscalCode = cst.fiscal_code!;
    const user = await owner().insertInto('staff_user').values({ email: 'pagamenti@nizza-monferrato.demo', display_name: 'Ufficio ragioneria Nizza', password_hash: await hashPassword('demo-password') }).returning('id').executeTakeFirstOrThrow();
    await owner().insertInto('role_grant').values({ ente_id: nizza.id, user_id: user.id, role: 'operator', module: 'payments' }).execute();
    staff = await login(t.app, 'pagamenti@nizza-monferrato.demo');
    astiAdmin = await login(t.app, 'admin@asti.demo');
    cstAdmin = await login(t.app, 'admin@cst.demo');
    canelliHelpdesk = await login(t.app, 'segreteria@canelli.demo');
  });
  after(() => t?.close());

  it('reconciles a flow with exactly one anomaly, matching its treasury credit by the remittance', async () => {
    await paid('mensa', { serviceCode: 'mensa', reason: 'Mensa novembre', amountCents: 8_640 });
    await paid('tari', { serviceCode: 'tari', reason: 'TARI 2026', amountCents: 31_500, transfers: [{ amountCents: 30_000 }, { amountCents: 1_500, beneficiaryFiscalCode: provinciaFiscalCode, iban: demoIban('03069', '10300', '9000'), remittance: 'TEFA 2026' }] }, [
      { idx: 1, amountCents: 30_000, fiscalCode: nizza.fiscalCode },
      { idx: 2, amountCents: 1_500, fiscalCode: provinciaFiscalCode },
    ]);
    await paid('diritti', { serviceCode: 'diritti_segreteria', reason: 'Diritti di segreteria', amountCents: 1_600 });
    flowId = `${today}ABI03069-S900001`;
    // The TARI line carries only the comune's transfer (index 1): the TEFA share is in the Provincia's flow.
    const xml = flowOf(flowId, [
      { iuv: iuvs.mensa!, amountCents: 8_640 },
      { iuv: iuvs.tari!, amountCents: 30_000, transferIndex: 1 },
      { iuv: iuvs.diritti!, amountCents: 1_500 },
    ]);
    assert.deepEqual(xmllintVersions(xml), ['1_0_4', '1_0_5'], 'the flow is valid for the official schemas');

    const imported = await postXml(staff, NIZZA, xml);
    assert.equal(imported.statusCode, 201, imported.body);
    const body = imported.json();
    flowUuid = body.id;
    // before its treasury credit: the amount and the missing credit
    assert.deepEqual({ created: body.created, status: body.status, anomalies: body.anomalies, versions: body.schemaVersions }, { created: true, status: 'anomalies', anomalies: 2, versions: ['1_0_4', '1_0_5'] });

    const statement = [
      'Data valuta;Importo;Causale;Riferimento',
      `${today.split('-').reverse().join('/')};-12,00;Commissioni tenuta conto;TRN-1`,
      `${today.split('-').reverse().join('/')};250,00;Bonifico da privato;TRN-2`,
      `${today.split('-').reverse().join('/')};401,40;bonifico /pur/lgpe-riversamento/uri/ ${flowId.toLowerCase().slice(0, 12)} ${flowId.toLowerCase().slice(12)} pagopa;TRN-3`,
    ].join('\r\n');
    const credited = await inject(staff, 'POST', `${api(NIZZA)}/treasury-statements`, { payload: statement, type: 'text/csv' });
    assert.equal(credited.statusCode, 200, credited.body);
    assert.deepEqual(
      { ...(credited.json() as object), lineIds: undefined },
      { created: 1, duplicates: 0, linked: 1, lineIds: undefined, rows: [{ line: 2, outcome: 'ignored', message: 'addebito' }, { line: 3, outcome: 'ignored', message: 'non è un riversamento pagoPA' }, { line: 4, outcome: 'ok' }] },
    );
    const again = await inject(staff, 'POST', `${api(NIZZA)}/treasury-statements`, { payload: statement, type: 'text/csv' });
    assert.equal(again.json().duplicates, 1, 'the same statement twice adds nothing');

    const anomalies = (await inject(staff, 'GET', `${api(NIZZA)}/reconciliation/anomalies`)).json();
    assert.equal(anomalies.total, 1, JSON.stringify(anomalies.items));
    assert.deepEqual(
      (({ kind, iuv, flowId: f, expectedCents, foundCents }) => ({ kind, iuv, flowId: f, expectedCents, foundCents }))(anomalies.items[0]),
      { kind: 'amount_mismatch', iuv: iuvs.diritti, flowId, expectedCents: 1_600, foundCents: 1_500 },
    );
    const flow = (await inject(staff, 'GET', `${api(NIZZA)}/reporting-flows/${flowUuid}`)).json();
    assert.equal(flow.status, 'anomalies');
    assert.equal(flow.anomalies, 1);
    assert.deepEqual(flow.lines.map((l: { match: string; expectedCents: number }) => [l.match, l.expectedCents]), [['matched', 8_640], ['matched', 30_000], ['amount_mismatch', 1_600]]);
    assert.deepEqual(flow.treasury.map((l: { amountCents: number; match: string }) => [l.amountCents, l.match]), [[40_140, 'matched']]);
    assert.equal((await audits(nizza.id, 'payment_fdr.import')).length, 1);
    assert.equal((await audits(nizza.id, 'payment_treasury_line.import')).length, 1);
  });

  it('gives totals per service and day, as JSON, CSV and XLSX', async () => {
    const totals = (await inject(staff, 'GET', `${api(NIZZA)}/reconciliation/totals?from=${today}&to=${today}`)).json();
    const pick = (code: string) => totals.items.find((r: { serviceCode: string }) => r.serviceCode === code);
    assert.deepEqual((({ receipts, paidCents, reported, reportedCents, anomalies, day }) => ({ receipts, paidCents, reported, reportedCents, anomalies, day }))(pick('tari')), { receipts: 1, paidCents: 31_500, reported: 1, reportedCents: 30_000, anomalies: 0, day: today });
    assert.equal(pick('diritti_segreteria').anomalies, 1);
    assert.equal(pick('mensa').reportedCents, 8_640);

    const csv = await inject(staff, 'GET', `${pages(NIZZA)}/totali.csv?dal=${today}&al=${today}`);
    assert.equal(csv.statusCode, 200);
    assert.match(csv.headers['content-disposition'] as string, /totali-riconciliazione-nizza-monferrato/);
    const text = csv.body;
    assert.ok(text.startsWith('\uFEFFGiorno;Servizio;Ricevute;Pagato (€);Rendicontati;Rendicontato (€);Anomalie\r\n'), text.slice(0, 120));
    const day = today.split('-').reverse().join('/');
    assert.ok(text.includes(`\r\n${day};TARI – Tassa sui rifiuti;1;315;1;300;0\r\n`), text);
    assert.ok(text.includes(`\r\n${day};Diritti di segreteria;1;16;1;15;1\r\n`), text);

    const anomaliesCsv = await inject(staff, 'GET', `${pages(NIZZA)}/anomalie.csv`);
    assert.ok(anomaliesCsv.body.includes(`${day};Importo diverso da quello della ricevuta;${flowId};${iuvs.diritti};;16;15\r\n`), anomaliesCsv.body);

    const xlsx = await inject(staff, 'GET', `${pages(NIZZA)}/totali.xlsx?dal=${today}&al=${today}`);
    assert.equal(xlsx.statusCode, 200);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
    const sheet = book.getWorksheet('Totali')!;
    assert.deepEqual((sheet.getRow(1).values as unknown[]).slice(1), ['Giorno', 'Servizio', 'Ricevute', 'Pagato (€)', 'Rendicontati', 'Rendicontato (€)', 'Anomalie']);
    const rows = Array.from({ length: sheet.rowCount - 1 }, (_, i) => (sheet.getRow(i + 2).values as unknown[]).slice(2));
    assert.ok(rows.some((r) => JSON.stringify(r) === JSON.stringify(['TARI – Tassa sui rifiuti', 1, 315, 1, 300, 0])), JSON.stringify(rows));

    const lines = await inject(staff, 'GET', `${pages(NIZZA)}/flussi/${flowUuid}/righe.csv`);
    assert.match(lines.body, new RegExp(`\\r\\n3;${iuvs.diritti};RT-${iuvs.diritti};;15;0 – eseguito;${day};Diritti di segreteria;RT-${iuvs.diritti};16;importo diverso\\r\\n`));
  });

  it('imports the same flow once', async () => {
    const before = { flows: await count('payment_fdr', nizza.id), lines: await count('payment_fdr_line', nizza.id) };
    const xml = flowOf(flowId, [
      { iuv: iuvs.mensa!, amountCents: 8_640 },
      { iuv: iuvs.tari!, amountCents: 30_000, transferIndex: 1 },
      { iuv: iuvs.diritti!, amountCents: 1_500 },
    ]);
    const res = await postXml(staff, NIZZA, xml);
    assert.equal(res.statusCode, 200);
    assert.deepEqual([res.json().id, res.json().created], [flowUuid, false]);
    assert.deepEqual({ flows: await count('payment_fdr', nizza.id), lines: await count('payment_fdr_line', nizza.id) }, before);
    // the page says so too
    const body = await multipart({ _csrf: staff.csrf }, { field: 'flusso', bytes: Buffer.from(xml), name: 'flusso.xml', type: 'text/xml' });
    const page = await t.app.inject({ method: 'POST', url: `${pages(NIZZA)}/flussi`, headers: { cookie: staff.cookie, 'content-type': body.contentType }, payload: body.payload });
    assert.equal(page.statusCode, 303);
    assert.equal(page.headers.location, `${pages(NIZZA)}/flussi/${flowUuid}?esito=already`);
  });

  it('flags unknown IUVs and a missing receipt; a later match resolves the receipt', async () => {
    const { position } = await createPosition(t.platform.db.app, systemActor, nizza.id, { serviceCode: 'imu', reason: 'IMU acconto', amountCents: 50_000, debtor: { fiscalCode: 'BNCGLI85C55A479Q', name: 'Giulia Bianchi' }, dueDate: today });
    const option = position.options[0]!;
    const id = `${today}ABI03069-S900002`;
    const xml = flowOf(id, [
      { iuv: option.iuv, amountCents: 50_000 },
      { iuv: '03999999999999999', amountCents: 700, outcome: '9' },
    ]);
    const res = await postXml(staff, NIZZA, xml);
    assert.equal(res.statusCode, 201);
    const detail = (await inject(staff, 'GET', `${api(NIZZA)}/reporting-flows/${res.json().id}`)).json();
    assert.deepEqual(detail.lines.map((l: { match: string }) => l.match), ['missing_receipt', 'unknown_iuv']);
    const kinds = (await inject(staff, 'GET', `${api(NIZZA)}/reconciliation/anomalies`)).json().items.filter((a: { flowId: string }) => a.flowId === id).map((a: { kind: string }) => a.kind).sort();
    assert.deepEqual(kinds, ['flow_without_treasury', 'missing_receipt', 'unknown_iuv']);

    // the receipt arrives, then the credit typed by hand, then a new match from the flow's page
    await withEnte(t.platform.db.app, nizza.id, async (trx) => {
      const row = await trx.selectFrom('payment_option').selectAll().where('id', '=', option.id).executeTakeFirstOrThrow();
      await recordReceipt(t.platform, trx, nizza.id, row, { receiptId: `RT-${option.iuv}`, applicationDate: today, paidAt: new Date() });
    });
    const typed = await postForm(t.app, staff, `${pages(NIZZA)}/tesoreria`, { data: today, importo: '507,00', causale: treasuryRemittance(id), riferimento: 'TRN-MANUALE-1' });
    assert.equal(typed.statusCode, 200, typed.body.slice(0, 500));
    assert.match(typed.body, /Accrediti registrati: 1 nuovi, 0 già presenti, 1 abbinati a un flusso/);
    const rematch = await postForm(t.app, staff, `${pages(NIZZA)}/flussi/${res.json().id}/abbina`, {});
    assert.equal(rematch.statusCode, 303);
    const after = (await inject(staff, 'GET', `${api(NIZZA)}/reporting-flows/${res.json().id}`)).json();
    assert.deepEqual([after.lines.map((l: { match: string }) => l.match), after.anomalies], [['matched', 'unknown_iuv'], 1]);
    assert.equal((await audits(nizza.id, 'payment_fdr.rematch')).length, 1);
  });

  it('links a credit recorded before its flow when the flow arrives', async () => {
    const iuv = await paid('cie', { serviceCode: 'cie', reason: "Carta d'identità", amountCents: 2_221 });
    const id = `${today}ABI03069-S900003`;
    const early = await inject(staff, 'POST', `${api(NIZZA)}/treasury-lines`, { payload: JSON.stringify({ valueDate: today, amountCents: 2_221, remittance: treasuryRemittance(id) }), type: 'application/json' });
    assert.equal(early.statusCode, 201);
    assert.equal(early.json().linked, 0);
    const waiting = (await inject(staff, 'GET', `${api(NIZZA)}/reconciliation/anomalies`)).json().items.map((a: { kind: string }) => a.kind);
    assert.ok(waiting.includes('treasury_without_flow'));
    const res = await postXml(staff, NIZZA, flowOf(id, [{ iuv, amountCents: 2_221 }]));
    assert.deepEqual([res.json().status, res.json().anomalies], ['matched', 0]);
  });

  it('refuses a flow addressed to another ente, and unsafe or malformed XML, storing nothing', async () => {
    const stored = { flows: await count('payment_fdr', nizza.id), files: await count('stored_file', nizza.id) };
    const asti = fixture('fdr-1_0_4.xml');
    const other = await postXml(staff, NIZZA, asti);
    assert.equal(other.statusCode, 422);
    assert.match(other.json().detail, /destinato all'ente con codice fiscale 80010050054 .*non a .*Nizza Monferrato/);
    const cases: [string, number][] = [
      [asti.replace('<FlussoRiversamento', '<!DOCTYPE FlussoRiversamento [<!ENTITY x "boom">]><FlussoRiversamento').replace('RT-104-0001', '&x;'), 400],
      ['<?xml version="1.0"?><!DOCTYPE a [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><a>&xxe;</a>', 400],
      [asti.replace('</istitutoRicevente>', ''), 400],
      ['non è XML', 400],
      [asti.replaceAll('http://www.digitpa.gov.it/schemas/2011/Pagamenti/', 'urn:altro'), 422],
      [asti.replace('<singoloImportoPagato>100.00', '<singoloImportoPagato>100.001'), 422],
    ];
    for (const [xml, status] of cases) {
      const res = await postXml(staff, NIZZA, xml);
      assert.equal(res.statusCode, status, `${xml.slice(0, 80)} → ${res.body}`);
      assert.match(res.headers['content-type'] as string, /^application\/problem\+json/);
    }
    const big = await postXml(staff, NIZZA, `<a>${' '.repeat(10 * 1024 * 1024)}</a>`);
    assert.equal(big.statusCode, 413);
    // the same refusals on the page, in Italian, next to the form
    const body = await multipart({ _csrf: staff.csrf }, { field: 'flusso', bytes: Buffer.from(cases[0]![0]), name: 'flusso.xml', type: 'text/xml' });
    const page = await t.app.inject({ method: 'POST', url: `${pages(NIZZA)}/flussi`, headers: { cookie: staff.cookie, 'content-type': body.contentType }, payload: body.payload });
    assert.equal(page.statusCode, 400);
    assert.match(page.body, /Il documento contiene una DTD o delle entità: non è accettato/);
    assert.deepEqual({ flows: await count('payment_fdr', nizza.id), files: await count('stored_file', nizza.id) }, stored);
  });

  it('imports a flow from the page (CSRF required) and shows it', async () => {
    const iuv = await paid('canone', { serviceCode: 'canone_unico', reason: 'Canone unico', amountCents: 9_900 });
    const id = `${today}ABI03069-S900004`;
    const file = { field: 'flusso', bytes: Buffer.from(flowOf(id, [{ iuv, amountCents: 9_900 }])), name: `${id}.xml`, type: 'application/xml' };
    const forged = await multipart({}, file);
    const refused = await t.app.inject({ method: 'POST', url: `${pages(NIZZA)}/flussi`, headers: { cookie: staff.cookie, 'content-type': forged.contentType }, payload: forged.payload });
    assert.equal(refused.statusCode, 403);
    const body = await multipart({ _csrf: staff.csrf }, file);
    const res = await t.app.inject({ method: 'POST', url: `${pages(NIZZA)}/flussi`, headers: { cookie: staff.cookie, 'content-type': body.contentType }, payload: body.payload });
    assert.equal(res.statusCode, 303, res.body.slice(0, 500));
    assert.match(res.headers.location as string, /\/flussi\/[0-9a-f-]{36}\?esito=imported$/);
    const detail = await inject(staff, 'GET', res.headers.location as string);
    assert.equal(detail.statusCode, 200);
    assert.match(detail.body, /Flusso importato e abbinato/);
    assert.match(detail.body, new RegExp(`Flusso ${id}`));
    const list = await inject(staff, 'GET', pages(NIZZA));
    assert.match(list.body, new RegExp(`>${id}</a>`));
  });

  it("keeps each ente's reconciliation to its own staff (403 audited, 401 and login redirects)", async () => {
    const deniedBefore = (await audits(nizza.id, 'access.denied')).length;
    const xml = flowOf(`${today}ABI03069-S900099`, [{ iuv: iuvs.mensa!, amountCents: 8_640 }]);
    assert.equal((await postXml(canelliHelpdesk, NIZZA, xml)).statusCode, 403);
    assert.equal((await postXml(astiAdmin, NIZZA, xml)).statusCode, 403);
    for (const url of [`${api(NIZZA)}/reporting-flows`, `${api(NIZZA)}/reporting-flows/${flowUuid}`, `${api(NIZZA)}/reconciliation/anomalies`, `${api(NIZZA)}/reconciliation/totals`, pages(NIZZA), `${pages(NIZZA)}/flussi/${flowUuid}`, `${pages(NIZZA)}/tesoreria`, `${pages(NIZZA)}/anomalie`, `${pages(NIZZA)}/anomalie.csv`, `${pages(NIZZA)}/totali.xlsx`, `${pages(NIZZA)}/flussi/${flowUuid}/righe.csv`]) {
      const res = await inject(astiAdmin, 'GET', url);
      assert.equal(res.statusCode, 403, url);
      assert.ok(!res.body.includes(flowId), `${url} leaks the flow`);
    }
    const form = await postForm(t.app, astiAdmin, `${pages(NIZZA)}/tesoreria`, { data: today, importo: '1,00', causale: 'x' });
    assert.equal(form.statusCode, 403);
    const denied = await audits(nizza.id, 'access.denied');
    assert.ok(denied.length >= deniedBefore + 14, `denials audited: ${denied.length - deniedBefore}`);
    assert.ok(denied.some((d) => d.entity_id === 'payments.manage' && d.actor_label === 'segreteria@canelli.demo'));
    // Asti's own reconciliation does not know Nizza's flow
    assert.equal((await inject(astiAdmin, 'GET', `${api('asti')}/reporting-flows/${flowUuid}`)).statusCode, 404);
    assert.equal((await inject(astiAdmin, 'GET', `${pages('asti')}/flussi/${flowUuid}`)).statusCode, 404);
    assert.equal((await inject(astiAdmin, 'GET', pages('asti'))).statusCode, 200);
    // anonymous: 401 on the API, the login page for pages
    assert.equal((await postXml(null, NIZZA, xml)).statusCode, 401);
    assert.equal((await inject(null, 'GET', `${api(NIZZA)}/reconciliation/anomalies`)).statusCode, 401);
    assert.equal((await inject(null, 'GET', '/api/v1/payments/reconciliation/totals')).statusCode, 401);
    for (const url of [pages(NIZZA), `${pages(NIZZA)}/totali`, '/backoffice/pagamenti/riconciliazione']) {
      const res = await inject(null, 'GET', url);
      assert.equal(res.statusCode, 303, url);
      assert.match(res.headers.location as string, /^\/backoffice\/login\?next=/);
    }
  });

  it("gives the CST the network's view, audited on the CST's log; others get 403", async () => {
    const crossBefore = (await audits(cstId, 'cross_ente.read')).length;
    const totals = await inject(cstAdmin, 'GET', `/api/v1/payments/reconciliation/totals?from=${today}&to=${today}`);
    assert.equal(totals.statusCode, 200);
    assert.ok(totals.json().items.some((r: { enteId: string; serviceCode: string }) => r.enteId === nizza.id && r.serviceCode === 'tari'));
    const anomalies = (await inject(cstAdmin, 'GET', '/api/v1/payments/reconciliation/anomalies')).json();
    assert.ok(anomalies.items.some((a: { enteId: string; kind: string }) => a.enteId === nizza.id && a.kind === 'amount_mismatch'));
    for (const url of ['/backoffice/pagamenti/riconciliazione', '/backoffice/pagamenti/riconciliazione/anomalie', `/backoffice/pagamenti/riconciliazione/totali?dal=${today}&al=${today}`, '/backoffice/pagamenti/riconciliazione/anomalie.xlsx']) {
      assert.equal((await inject(cstAdmin, 'GET', url)).statusCode, 200, url);
    }
    const network = await inject(cstAdmin, 'GET', `/backoffice/pagamenti/riconciliazione/totali.csv?dal=${today}&al=${today}`);
    assert.ok(network.body.startsWith('\uFEFFEnte;Giorno;Servizio;'));
    assert.ok(network.body.includes('\r\nNizza Monferrato;'));
    const cross = await audits(cstId, 'cross_ente.read');
    assert.equal(cross.length, crossBefore + 7);
    assert.equal(cross.filter((c) => c.entity === 'payment_reconciliation' && c.actor_label === 'admin@cst.demo').length, 7);

    const deniedBefore = (await audits(cstId, 'access.denied')).length;
    assert.equal((await inject(astiAdmin, 'GET', '/api/v1/payments/reconciliation/totals')).statusCode, 403);
    assert.equal((await inject(staff, 'GET', '/backoffice/pagamenti/riconciliazione')).statusCode, 403);
    assert.equal((await audits(cstId, 'access.denied')).length, deniedBefore + 2);
    assert.equal((await audits(cstId, 'cross_ente.read')).length, crossBefore + 7, 'a refused request reads nothing');
  });

  it('rejects bad input on the other routes with 4xx', async () => {
    const bad: [string, 'GET' | 'POST', { payload: string; type: string } | undefined, number][] = [
      [`${api(NIZZA)}/reconciliation/totals?from=2026-13-01`, 'GET', undefined, 400],
      [`${api(NIZZA)}/reconciliation/totals?from=2026-12-01&to=2026-01-01`, 'GET', undefined, 400],
      [`${api(NIZZA)}/reporting-flows/not-a-uuid`, 'GET', undefined, 404],
      [`${api(NIZZA)}/treasury-lines`, 'POST', { payload: JSON.stringify({ valueDate: today, amountCents: 0, remittance: 'x' }), type: 'application/json' }, 400],
      [`${api(NIZZA)}/treasury-statements`, 'POST', { payload: 'a;b\n1;2\n', type: 'text/csv' }, 422],
      [`${api('non-esiste')}/reporting-flows`, 'GET', undefined, 404],
    ];
    for (const [url, method, body, status] of bad) assert.equal((await inject(staff, method, url, body)).statusCode, status, url);
    assert.equal((await inject(staff, 'GET', `${pages(NIZZA)}/totali?dal=2026-02-30`)).statusCode, 400);
    const typo = await postForm(t.app, staff, `${pages(NIZZA)}/tesoreria`, { data: today, importo: '12,345', causale: treasuryRemittance('X') });
    assert.equal(typo.statusCode, 422);
    assert.match(typo.body, /più di due decimali/);
    assert.match(typo.body, /value="12,345"/, 'the form keeps what was typed');
  });

  it('seeds the demo flow of Canelli with its one anomaly, and the daily job matches open flows again', async () => {
    const canelli = await owner().selectFrom('ente').select('id').where('slug', '=', 'canelli').executeTakeFirstOrThrow();
    const flows = await owner().selectFrom('payment_fdr').select(['status', 'anomalies', 'id']).where('ente_id', '=', canelli.id).execute();
    assert.deepEqual(flows.map((f) => [f.status, f.anomalies]), [['anomalies', 1]]);
    const lines = await owner().selectFrom('payment_fdr_line').select('match_status').where('fdr_id', '=', flows[0]!.id).orderBy('idx').execute();
    assert.deepEqual(lines.map((l) => l.match_status), ['matched', 'matched', 'amount_mismatch']);
    const treasury = await owner().selectFrom('payment_treasury_line').select('match_status').where('ente_id', '=', canelli.id).execute();
    assert.deepEqual(treasury.map((l) => l.match_status), ['matched']);
    const matched = await rematchOpenFlows(t.platform);
    assert.ok(matched >= 3, `open flows matched again: ${matched}`);
  });
});
