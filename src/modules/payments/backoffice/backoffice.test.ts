// The payments API and back office on the demo network: positions through the JSON API (validation as
// problem+json, 401/403 audited), the CSV upload (row report, good rows kept, idempotent re-upload, the job path
// resuming after a crash), the configuration (Italian errors, segregation clash), the totals and the monthly
// collections on crafted payments (Rome months across a year change), the exports, the CST network view.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import ExcelJS from 'exceljs';
import { login, postForm, type Browser } from '../../../../test/support/http.js';
import { startTestPlatform, type TestPlatform } from '../../../../test/support/platform.js';
import { systemActor } from '../../../platform/audit/index.js';
import { addDays, todayInRome } from '../../../platform/calendar/index.js';
import { withEnte } from '../../../platform/db/index.js';
import { getEnteBySlug } from '../../../platform/tenancy/index.js';
import { demoIban } from '../seed.js';
import { createPosition, markOptionPaid } from '../service.js';
import { collectionsByMonth, lastMonths, totals } from './queries.js';
import { BATCH_ROWS, processUpload } from './upload.js';

const API = '/api/v1/enti/asti/pagamenti/posizioni';
const due = addDays(todayInRome(), 40);

function multipart(browser: Browser, name: string, content: string) {
  const boundary = '----cirtest';
  const body = `--${boundary}\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${browser.csrf}\r\n--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\nContent-Type: text/csv\r\n\r\n${content}\r\n--${boundary}--\r\n`;
  return { headers: { cookie: browser.cookie, 'content-type': `multipart/form-data; boundary=${boundary}` }, payload: body };
}

describe('payments back office and API', () => {
  let t: TestPlatform;
  let asti: Browser;
  let cst: Browser;
  let canelliStaff: Browser;
  let astiId: string;
  const body = (over: Record<string, unknown> = {}) => ({ serviceCode: 'imu', debtor: { fiscalCode: 'RSSMRA80A01A479L', name: 'Mario Rossi' }, reason: 'IMU acconto', amountCents: 12_345, dueDate: due, ...over });

  before(async () => {
    t = await startTestPlatform();
    asti = await login(t.app, 'admin@asti.demo');
    cst = await login(t.app, 'admin@cst.demo');
    canelliStaff = await login(t.app, 'segreteria@canelli.demo');
    astiId = (await getEnteBySlug(t.platform.db.owner, 'asti'))!.id;
  });
  after(async () => t?.close());

  const api = (who: Browser | null, method: 'GET' | 'POST', url: string, payload?: unknown) =>
    t.app.inject({ method, url, headers: { ...(who ? { cookie: who.cookie } : {}), ...(method === 'POST' ? { 'content-type': 'application/json' } : {}) }, ...(method === 'POST' ? { payload: JSON.stringify(payload ?? {}) } : {}) });

  it('creates, lists, reads, publishes and cancels positions through the API', async () => {
    const created = await api(asti, 'POST', API, body({ amount: '150.50', amountCents: undefined, publish: false, externalRef: 'API-1' }));
    assert.equal(created.statusCode, 201, created.body);
    const p = created.json();
    assert.equal(p.amountCents, 15_050);
    assert.equal(p.status, 'draft');
    assert.match(p.options[0].noticeNumber, /^301\d{15}$/);
    assert.equal(created.headers.location, `${API}/${p.id}`);
    const again = await api(asti, 'POST', API, body({ amount: '150.50', amountCents: undefined, externalRef: 'API-1' }));
    assert.equal(again.statusCode, 200, 'same externalRef: the existing position');
    assert.equal(again.json().id, p.id);

    const list = await api(asti, 'GET', `${API}?status=draft&q=IMU`);
    assert.equal(list.statusCode, 200);
    assert.deepEqual(list.json().items.map((i: { id: string }) => i.id), [p.id]);
    assert.equal(list.json().totals.positions, 1);
    const byDebtor = await api(asti, 'GET', `${API}?debtor=RSSMRA80A01A479L&service=imu&limit=1&offset=0`);
    assert.equal(byDebtor.json().total, 1);

    const published = await api(asti, 'POST', `${API}/${p.id}/pubblica`);
    assert.equal(published.statusCode, 200, published.body);
    assert.equal(published.json().status, 'valid');
    assert.equal((await api(asti, 'POST', `${API}/${p.id}/pubblica`)).statusCode, 409);
    const read = await api(asti, 'GET', `${API}/${p.id}`);
    assert.equal(read.json().options[0].payable, true);
    const cancelled = await api(asti, 'POST', `${API}/${p.id}/annulla`, { reason: 'Errore di emissione' });
    assert.equal(cancelled.statusCode, 200, cancelled.body);
    assert.equal(cancelled.json().status, 'cancelled');
    assert.equal((await api(asti, 'GET', `${API}/00000000-0000-4000-8000-000000000000`)).statusCode, 404);
  });

  it('refuses bad input as problem+json without creating anything', async () => {
    const before = (await api(asti, 'GET', API)).json().total;
    const cases: [string, Record<string, unknown>, number[], RegExp][] = [
      ['3 decimals', { amount: '12.505', amountCents: undefined }, [400, 422], /decimal|importo/i],
      ['cents not integer', { amountCents: 12.5 }, [400], /amountCents/],
      ['6 transfers', { amountCents: 600, transfers: Array.from({ length: 6 }, () => ({ amountCents: 100 })) }, [422], /Al massimo 5/],
      ['bad debtor code', { debtor: { fiscalCode: 'RSSMRA80A01A479X', name: 'Mario' } }, [422], /Codice fiscale del debitore/],
      ['bad beneficiary code', { amountCents: 300, transfers: [{ amountCents: 200 }, { amountCents: 100, beneficiaryFiscalCode: '12345678901', iban: demoIban('03069', '10300', '9') }] }, [422], /beneficiario/],
      ['bad IBAN', { amountCents: 300, transfers: [{ amountCents: 200 }, { amountCents: 100, beneficiaryFiscalCode: '00000000000', iban: 'IT00X0306910300000000000009' }] }, [422], /IBAN/],
      ['unknown service', { serviceCode: 'nope' }, [422], /Servizio/],
      ['past due date', { dueDate: '2020-01-01' }, [422], /già passata/],
    ];
    for (const [label, over, statuses, detail] of cases) {
      const res = await api(asti, 'POST', API, body(over));
      assert.ok(statuses.includes(res.statusCode), `${label}: ${res.statusCode} ${res.body}`);
      assert.match(res.headers['content-type'] ?? '', /application\/problem\+json/, label);
      assert.match(JSON.stringify(res.json()), detail, label);
    }
    assert.equal((await api(asti, 'GET', API)).json().total, before, 'nothing created');
  });

  it('answers 401 without a session and 403 (audited) to another ente\'s staff', async () => {
    assert.equal((await api(null, 'GET', API)).statusCode, 401);
    assert.equal((await api(null, 'POST', API, body())).statusCode, 401);
    const res = await api(canelliStaff, 'GET', API);
    assert.equal(res.statusCode, 403);
    assert.match(res.headers['content-type'] ?? '', /problem\+json/);
    assert.doesNotMatch(res.body, /Rossi|TARI/);
    const denied = await api(asti, 'POST', '/api/v1/enti/canelli/pagamenti/posizioni', body());
    assert.equal(denied.statusCode, 403);
    const audit = await t.platform.db.owner.selectFrom('audit_log').select(['actor_label', 'entity_id']).where('action', '=', 'access.denied').where('actor_label', 'in', ['segreteria@canelli.demo', 'admin@asti.demo']).execute();
    assert.ok(audit.some((a) => a.actor_label === 'segreteria@canelli.demo' && a.entity_id === 'payments.read'));
    assert.ok(audit.some((a) => a.actor_label === 'admin@asti.demo' && a.entity_id === 'payments.manage'));
    for (const url of ['/backoffice/enti/asti/pagamenti', '/backoffice/enti/asti/pagamenti/configurazione', '/backoffice/enti/asti/pagamenti/caricamento', '/backoffice/enti/asti/pagamenti/posizioni.csv', '/backoffice/pagamenti']) {
      const anon = await t.app.inject({ method: 'GET', url });
      assert.equal(anon.statusCode, 303, url);
      assert.match(anon.headers.location ?? '', /^\/backoffice\/login/);
      const other = await t.app.inject({ method: 'GET', url, headers: { cookie: canelliStaff.cookie } });
      assert.equal(other.statusCode, 403, url);
      assert.doesNotMatch(other.body, /Mario Rossi/);
    }
  });

  it('uploads a CSV: reports every bad row with its reason, keeps the good ones, and a re-upload creates nothing twice', async () => {
    const csv = [
      'riferimento;servizio;cf_debitore;nome_debitore;email;causale;importo;scadenza;rate;cf_secondo;iban_secondo;importo_secondo',
      `CSV-1;tari;RSSMRA80A01A479L;Mario Rossi;;TARI 2026;315,00;${due};;;;`,
      `CSV-2;tari;BNCGLI85C55A479Q;Giulia Bianchi;;TARI 2026 rate;1.200,00;;600,00@${due}|600,00@${addDays(due, 60)};;;`,
      `CSV-3;tari;RSSMRA80A01A479L;Mario Rossi;;TARI;10,505;${due};;;;`,
      `CSV-4;nope;RSSMRA80A01A479L;Mario Rossi;;X;10,00;${due};;;;`,
      `CSV-5;tari;RSSMRA80A01A479L;Mario Rossi;;X;10,00;31/02/2030;;;;`,
      `;tari;RSSMRA80A01A479L;Mario Rossi;;X;10,00;${due};;;;`,
    ].join('\r\n');
    const first = await t.app.inject({ method: 'POST', url: '/backoffice/enti/asti/pagamenti/caricamento', ...multipart(asti, 'tari.csv', csv) });
    assert.equal(first.statusCode, 303, first.body.slice(0, 500));
    const report = await t.app.inject({ method: 'GET', url: first.headers.location!, headers: { cookie: asti.cookie } });
    assert.equal(report.statusCode, 200);
    const upload = await withEnte(t.platform.db.app, astiId, (trx) => trx.selectFrom('payment_upload').selectAll().orderBy('created_at', 'desc').executeTakeFirstOrThrow());
    assert.deepEqual([upload.status, upload.total_rows, upload.created_count, upload.existing_count, upload.rejected_count], ['done', 6, 2, 0, 4]);
    const rejections = await withEnte(t.platform.db.app, astiId, (trx) => trx.selectFrom('payment_upload_rejection').select(['line', 'reason']).where('upload_id', '=', upload.id).orderBy('line').execute());
    assert.deepEqual(rejections.map((r) => r.line), [4, 5, 6, 7]);
    assert.match(rejections[0]!.reason, /due decimali/);
    assert.match(rejections[1]!.reason, /Servizio/);
    assert.match(rejections[2]!.reason, /data non valida/);
    assert.match(rejections[3]!.reason, /riferimento/);
    for (const r of rejections) assert.ok(report.body.includes(r.reason.replace(/'/g, '&#39;').slice(0, 20)) || report.body.includes(String(r.line)), `report lists line ${r.line}`);
    const rejectedCsv = await t.app.inject({ method: 'GET', url: `${first.headers.location}/scartate.csv`, headers: { cookie: asti.cookie } });
    assert.match(rejectedCsv.body, /^\uFEFFriga;motivo;riferimento/);
    assert.match(rejectedCsv.body, /CSV-4/);
    const instalments = (await api(asti, 'GET', `${API}?q=CSV-2`)).json().items[0];
    const detail = (await api(asti, 'GET', instalments.href)).json();
    assert.deepEqual(detail.options.map((o: { instalment: number | null }) => o.instalment), [1, 2], 'only instalments offered');

    const second = await t.app.inject({ method: 'POST', url: '/backoffice/enti/asti/pagamenti/caricamento', ...multipart(asti, 'tari.csv', csv) });
    const again = await t.app.inject({ method: 'GET', url: second.headers.location!, headers: { cookie: asti.cookie } });
    assert.match(again.body, /Già presenti/);
    const upload2 = await withEnte(t.platform.db.app, astiId, (trx) => trx.selectFrom('payment_upload').selectAll().orderBy('created_at', 'desc').executeTakeFirstOrThrow());
    assert.deepEqual([upload2.created_count, upload2.existing_count, upload2.rejected_count], [0, 2, 4]);
    assert.equal((await api(asti, 'GET', `${API}?q=CSV-`)).json().total, 2);
  });

  it('works a large upload in batches and resumes after a crash without duplicates (comma-separated, dot decimals)', async () => {
    const rows = BATCH_ROWS + 20;
    const lines = ['riferimento,servizio,cf_debitore,nome_debitore,causale,importo,scadenza'];
    for (let i = 1; i <= rows; i++) lines.push(`BIG-${i},mensa,RSSMRA80A01A479L,Mario Rossi,Mensa ${i},12.50,${due}`);
    const bytes = Buffer.from(lines.join('\n'));
    // A crash after the first batch: rows 1..BATCH_ROWS saved, then the job starts again.
    const uploadId = await withEnte(t.platform.db.app, astiId, async (trx) => {
      const stored = await t.platform.files.put(trx, astiId, { bytes, mediaType: 'text/csv', originalName: 'big.csv' });
      return (await trx.insertInto('payment_upload').values({ ente_id: astiId, file_sha256: stored.sha256, file_name: 'big.csv', total_rows: rows, created_by: 'admin@asti.demo' }).returning('id').executeTakeFirstOrThrow()).id;
    });
    for (let i = 1; i <= 5; i++) await createPosition(t.platform.db.app, systemActor, astiId, { serviceCode: 'mensa', debtor: { fiscalCode: 'RSSMRA80A01A479L', name: 'Mario Rossi' }, reason: `Mensa ${i}`, amountCents: 1250, dueDate: due, externalRef: `BIG-${i}` });
    await processUpload(t.platform, astiId, uploadId);
    const done = await withEnte(t.platform.db.app, astiId, (trx) => trx.selectFrom('payment_upload').selectAll().where('id', '=', uploadId).executeTakeFirstOrThrow());
    assert.deepEqual([done.status, done.processed_rows, done.created_count, done.existing_count, done.rejected_count], ['done', rows, rows - 5, 5, 0]);
    assert.equal((await api(asti, 'GET', `${API}?q=BIG-&limit=1`)).json().total, rows);
  });

  it('validates the configuration in Italian, next to the fields, and refuses a segregation code another ente uses', async () => {
    const page = await t.app.inject({ method: 'GET', url: '/backoffice/enti/canelli/pagamenti/configurazione', headers: { cookie: cst.cookie } });
    assert.equal(page.statusCode, 200);
    const fields = { business_name: 'Comune di Canelli', fiscal_code: '12345678901', segregation_code: '1', bank_iban: 'IT00X0000000000000000000000', postal_iban: '', postal_account_holder: '', postal_auth_code: '', cbill_code: 'abc', broker_id: '', station_id: 'x', help_text: '' };
    const bad = await postForm(t.app, cst, '/backoffice/enti/canelli/pagamenti/configurazione', fields);
    assert.equal(bad.statusCode, 422);
    for (const text of ['Codice fiscale non valido', 'Il codice di segregazione è di due cifre', 'IBAN non valido', 'Il codice CBILL']) assert.ok(bad.body.includes(text), text);
    assert.match(bad.body, /id="config-fiscal_code-errore"/);
    const broker = (await getEnteBySlug(t.platform.db.owner, 'provincia-di-asti'))!.fiscalCode!;
    const canelli = (await getEnteBySlug(t.platform.db.owner, 'canelli'))!;
    const good = { ...fields, fiscal_code: canelli.fiscalCode!, segregation_code: '01', bank_iban: demoIban('03069', '10300', '5555'), cbill_code: 'CNL02', broker_id: broker, station_id: `${broker}_01` };
    const clash = await postForm(t.app, cst, '/backoffice/enti/canelli/pagamenti/configurazione', good);
    assert.equal(clash.statusCode, 422);
    assert.match(clash.body, /già usato da Comune di Asti|già usato da Asti/);
    const audited = await t.platform.db.owner.selectFrom('audit_log').select('after').where('action', '=', 'cross_ente_read').where('entity', '=', 'payment_config').execute();
    assert.ok(audited.length > 0, 'the cross-ente check is audited');
    const saved = await postForm(t.app, cst, '/backoffice/enti/canelli/pagamenti/configurazione', { ...good, segregation_code: '12' });
    assert.equal(saved.statusCode, 303);
    const row = await withEnte(t.platform.db.app, canelli.id, (trx) => trx.selectFrom('payment_config').selectAll().executeTakeFirstOrThrow());
    assert.equal(row.segregation_code, '12');
    const catalogue = await postForm(t.app, cst, '/backoffice/enti/canelli/pagamenti/servizi', { code: 'tari', name: 'Doppione', taxonomy: '9/0101108TS/', iban_kind: 'bank', fixed_amount: '' });
    assert.equal(catalogue.statusCode, 422);
    assert.match(catalogue.body, /Esiste già un servizio con questo codice/);
    const badTax = await postForm(t.app, cst, '/backoffice/enti/canelli/pagamenti/servizi', { code: 'passi_carrai', name: 'Passi carrai', taxonomy: '9/01', iban_kind: 'postal', fixed_amount: '1,234' });
    assert.equal(badTax.statusCode, 422);
    for (const text of ['Tassonomia non valida', 'IBAN postale nella configurazione', 'Importo fisso non valido']) assert.ok(badTax.body.includes(text), text);
    const added = await postForm(t.app, cst, '/backoffice/enti/canelli/pagamenti/servizi', { code: 'passi_carrai', name: 'Passi carrai', taxonomy: '9/0101103AP/', iban_kind: 'bank', spontaneous: 'si', fixed_amount: '25,00' });
    assert.equal(added.statusCode, 303);
    const off = await postForm(t.app, cst, '/backoffice/enti/canelli/pagamenti/servizi/passi_carrai/stato', { active: 'no' });
    assert.equal(off.statusCode, 303);
    const item = await withEnte(t.platform.db.app, canelli.id, (trx) => trx.selectFrom('payment_service').selectAll().where('code', '=', 'passi_carrai').executeTakeFirstOrThrow());
    assert.deepEqual([item.active, item.spontaneous, Number(item.fixed_amount_cents)], [false, true, 2500]);
  });

  it('adds up totals and collections per Rome month (year change at midnight in Rome), and exports them', async () => {
    const nizza = (await getEnteBySlug(t.platform.db.owner, 'nizza-monferrato'))!.id;
    const make = (amountCents: number, instalments?: { amountCents: number; dueDate: string }[]) =>
      createPosition(t.platform.db.app, systemActor, nizza, { serviceCode: 'imu', debtor: { fiscalCode: 'RSSMRA80A01A479L', name: 'Mario Rossi' }, reason: 'IMU', amountCents, dueDate: due, instalments });
    const a = await make(10_000);
    const b = await make(30_000, [{ amountCents: 10_000, dueDate: due }, { amountCents: 20_000, dueDate: addDays(due, 30) }]);
    await make(5_000);
    // An expired one: created with a due date in the future, then its clock moved back.
    const c = await make(7_000);
    await withEnte(t.platform.db.app, nizza, async (trx) => {
      await trx.updateTable('payment_option').set({ due_date: '2024-01-10' }).where('position_id', '=', c.position.id).execute();
      const optA = await trx.selectFrom('payment_option').selectAll().where('position_id', '=', a.position.id).executeTakeFirstOrThrow();
      // 31/12/2025 23:30 UTC = 01/01/2026 00:30 in Rome: January, not December.
      await markOptionPaid(trx, optA, new Date('2025-12-31T23:30:00Z'));
      const optB1 = await trx.selectFrom('payment_option').selectAll().where('position_id', '=', b.position.id).where('instalment', '=', 1).executeTakeFirstOrThrow();
      await markOptionPaid(trx, optB1, new Date('2025-12-31T22:30:00Z'));
    });
    const today = '2026-02-15';
    const { sums, byMonth } = await withEnte(t.platform.db.app, nizza, async (trx) => ({ sums: await totals(trx, nizza, {}, today), byMonth: await collectionsByMonth(trx, {}, lastMonths(today, 3), today) }));
    assert.equal(sums.positions, 4);
    assert.equal(sums.paidCents, 20_000);
    assert.equal(sums.dueCents, 20_000 + 5_000, 'B rest + the untouched one');
    assert.equal(sums.expiredCents, 7_000);
    assert.deepEqual([sums.byStatus.paid, sums.byStatus.partially_paid, sums.byStatus.valid, sums.byStatus.expired], [1, 1, 1, 1]);
    assert.deepEqual(lastMonths(today, 3), ['2025-12', '2026-01', '2026-02']);
    assert.deepEqual([...byMonth.entries()].sort(), [['2025-12', 10_000], ['2026-01', 10_000]], '31 Dec 23:30 UTC is January in Rome (CET = UTC+1); 22:30 UTC is still December');

    const csv = await t.app.inject({ method: 'GET', url: '/backoffice/enti/nizza-monferrato/pagamenti/posizioni.csv?stato=partially_paid', headers: { cookie: cst.cookie } });
    assert.equal(csv.statusCode, 200);
    const lines = csv.body.replace(/^\uFEFF/, '').trim().split('\r\n');
    assert.equal(lines.length, 2);
    assert.match(lines[0]!, /^Riferimento;Servizio;Codice fiscale debitore/);
    assert.match(lines[1]!, /;300;100;/);
    assert.match(lines[1]!, /Pagata in parte/);
    const xlsx = await t.app.inject({ method: 'GET', url: '/backoffice/enti/nizza-monferrato/pagamenti/posizioni.xlsx', headers: { cookie: cst.cookie } });
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
    const sheet = book.worksheets[0]!;
    assert.equal(sheet.rowCount, 5);
    const amounts = [2, 3, 4, 5].map((r) => sheet.getRow(r).getCell(6).value as number).sort((x, y) => x - y);
    assert.deepEqual(amounts, [50, 70, 100, 300]);

    const network = await t.app.inject({ method: 'GET', url: '/backoffice/pagamenti', headers: { cookie: cst.cookie } });
    assert.equal(network.statusCode, 200);
    assert.match(network.body, /Nizza Monferrato/);
    assert.match(network.body, /role="img"/);
    const crossRead = await t.platform.db.owner.selectFrom('audit_log').select('after').where('action', '=', 'cross_ente_read').where('entity', '=', 'payment_position').execute();
    assert.equal(crossRead.length, 1);
    assert.equal((await t.app.inject({ method: 'GET', url: '/backoffice/pagamenti', headers: { cookie: asti.cookie } })).statusCode, 403);
  });

  it('creates a position from the form with a TEFA share, and shows the form again with the error when refused', async () => {
    const provincia = (await getEnteBySlug(t.platform.db.owner, 'provincia-di-asti'))!.fiscalCode!;
    const fields = { servizio: 'tari', causale: 'TARI 2026', importo: '210,00', riferimento: 'FORM-1', cf_debitore: 'BNCGLI85C55A479Q', nome_debitore: 'Giulia Bianchi', email: '', scadenza: due, rata_1_importo: '105,00', rata_1_scadenza: due, rata_2_importo: '105,00', rata_2_scadenza: addDays(due, 30), cf_secondo: provincia, iban_secondo: demoIban('03069', '10300', '9000'), importo_secondo: '10,00', causale_secondo: 'TEFA' };
    const res = await postForm(t.app, asti, '/backoffice/enti/asti/pagamenti/posizioni/nuova', fields);
    assert.equal(res.statusCode, 303, res.body.slice(0, 400));
    const page = await t.app.inject({ method: 'GET', url: res.headers.location!, headers: { cookie: asti.cookie } });
    assert.match(page.body, /Posizione debitoria creata/);
    assert.match(page.body, /3010 \d{4} \d{4} \d{4} \d{2}/, 'notice number in groups of four');
    assert.match(page.body, /avviso\.pdf/);
    const view = (await api(asti, 'GET', `${API}?q=FORM-1`)).json().items[0];
    const detail = (await api(asti, 'GET', view.href)).json();
    assert.equal(detail.options.length, 3);
    assert.deepEqual(detail.options[0].transfers.map((x: { amountCents: number }) => x.amountCents), [20_000, 1_000]);
    const refused = await postForm(t.app, asti, '/backoffice/enti/asti/pagamenti/posizioni/nuova', { ...fields, riferimento: 'FORM-2', importo: '10,123' });
    assert.equal(refused.statusCode, 422);
    assert.match(refused.body, /più di due decimali/);
    assert.match(refused.body, /value="FORM-2"/);
  });
});
