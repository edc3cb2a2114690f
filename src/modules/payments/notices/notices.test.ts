// Notices: the QR and Data Matrix strings field by field, the PDF (text read back, QR codes decoded from the
// vector drawing in the page content), the download routes and their isolation, and bulk runs — progress,
// the job enqueued with the run, and a crash mid-chunk resumed without duplicates.
import assert from 'node:assert/strict';
import { inflateSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import jsQRModule from 'jsqr';
import { extractText, getDocumentProxy } from 'unpdf';
import { startTestPlatform, type TestPlatform } from '../../../../test/support/platform.js';
import { login, postForm, type Browser } from '../../../../test/support/http.js';
import { buildApp, type App } from '../../../platform/http/app.js';
import { createSession } from '../../../platform/auth/sessions.js';
import { systemActor } from '../../../platform/audit/index.js';
import { addDays, todayInRome } from '../../../platform/calendar/index.js';
import { withEnte } from '../../../platform/db/index.js';
import { getEnteBySlug, type Ente } from '../../../platform/tenancy/index.js';
import { modules } from '../../index.js';
import { groupedNoticeNumber } from '../iuv.js';
import { cancelPosition, createPosition, type PositionView } from '../service.js';
import type { ConfigRow } from '../store.js';
import { DATA_MATRIX_LENGTH, darkRuns, dataMatrixModules, postalAccountOf, posteDataMatrixText, qrCodeText, qrModules, type ModuleMatrix } from './codes.js';
import { NOTICES_QUEUE, handleRunJob, processRun, startRun } from './bulk.js';
import { noticePdf } from './pdf.js';
import { noticesJobs, registerNotices } from './index.js';

// ------------------------------------------------------------------------------------------ PDF helpers

// jsqr is CommonJS: at run time the default import is the function itself (its types describe the namespace).
const jsQR = jsQRModule as unknown as typeof jsQRModule.default;

/** The page content streams of a pdfkit PDF, inflated. */
function contentStreams(pdf: Buffer): string[] {
  const out: string[] = [];
  const text = pdf.toString('latin1');
  const re = /stream\r?\n/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const start = m.index + m[0].length;
    const end = text.indexOf('endstream', start);
    try {
      out.push(inflateSync(pdf.subarray(start, end)).toString('latin1'));
    } catch {
      // not deflated (or not content): skip
    }
  }
  return out;
}

/** Every 2D symbol the notice draws (a translated, scaled group of unit-height rectangles), as module matrices. */
function drawnSymbols(pdf: Buffer): ModuleMatrix[] {
  const symbols: ModuleMatrix[] = [];
  for (const stream of contentStreams(pdf)) {
    for (const m of stream.matchAll(/q\n1 0 0 1 [\d.]+ [\d.]+ cm\n[\d.]+ 0 0 [\d.]+ 0 0 cm\n((?:\d+ \d+ \d+ 1 re\n)+)/g)) {
      const runs = [...m[1]!.matchAll(/(\d+) (\d+) (\d+) 1 re/g)].map((r) => [Number(r[1]), Number(r[2]), Number(r[3])] as const);
      const width = Math.max(...runs.map(([x, , l]) => x + l));
      const height = Math.max(...runs.map(([, y]) => y)) + 1;
      const dark = new Uint8Array(width * height);
      for (const [x, y, l] of runs) dark.fill(1, y * width + x, y * width + x + l);
      symbols.push({ width, height, dark });
    }
  }
  return symbols;
}

/** Decodes a module matrix as a QR code with jsQR (4 px per module, 4-module quiet zone); null when it is not one. */
function decodeQr(matrix: ModuleMatrix): string | null {
  const scale = 4;
  const quiet = 4;
  const w = (matrix.width + 2 * quiet) * scale;
  const h = (matrix.height + 2 * quiet) * scale;
  const rgba = new Uint8ClampedArray(w * h * 4).fill(255);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const mx = Math.floor(x / scale) - quiet;
      const my = Math.floor(y / scale) - quiet;
      if (mx >= 0 && my >= 0 && mx < matrix.width && my < matrix.height && matrix.dark[my * matrix.width + mx] === 1) {
        rgba.fill(0, (y * w + x) * 4, (y * w + x) * 4 + 3);
      }
    }
  }
  return jsQR(rgba, w, h)?.data ?? null;
}

async function pdfText(pdf: Buffer): Promise<string> {
  const doc = await getDocumentProxy(new Uint8Array(pdf));
  const { text } = await extractText(doc, { mergePages: true });
  return text;
}

// --------------------------------------------------------------------------------------- pure functions

describe('notice codes', () => {
  it('builds the QR string exactly, amount in cents without padding', () => {
    assert.equal(qrCodeText('301000000000012373', '00072360050', 31_500), 'PAGOPA|002|301000000000012373|00072360050|31500');
    assert.equal(qrCodeText('301000000000012373', '00072360050', 5), 'PAGOPA|002|301000000000012373|00072360050|5');
    assert.throws(() => qrCodeText('3010000000000123', '00072360050', 5));
    assert.throws(() => qrCodeText('301000000000012373', '0007236005', 5));
    assert.throws(() => qrCodeText('301000000000012373', '00072360050', 0));
  });

  it('encodes a QR code that a decoder reads back', () => {
    const text = qrCodeText('301000000000012373', '00072360050', 31_500);
    assert.equal(decodeQr(qrModules(text)), text);
    assert.ok(darkRuns(qrModules(text)).length > 0);
  });

  it('prints the notice number in groups of four', () => {
    assert.equal(groupedNoticeNumber('301000000000012373'), '3010 0000 0000 0123 73');
    assert.equal(groupedNoticeNumber('301000000000012373').length, 22, '22 characters with the spaces, as the guide says');
  });

  it('reads the 12-digit account from a postal IBAN', () => {
    assert.equal(postalAccountOf('IT60X0760110300000000002000'), '000000002000');
    assert.throws(() => postalAccountOf('IT60X0306910300000000002000'));
  });

  it('builds the 256-character Poste Data Matrix string with every field at its position', () => {
    const text = posteDataMatrixText({
      noticeNumber: '301000000000012373',
      postalAccount: '000000002000',
      amountCents: 31_500,
      enteFiscalCode: '00072360050',
      debtorFiscalCode: 'RSSMRA80A01A479L',
      debtorName: 'Mario Rossi',
      reason: 'TARI 2026 – utenza domestica (più € e città)',
    });
    assert.equal(text.length, DATA_MATRIX_LENGTH);
    assert.equal(text.slice(0, 13), 'codfase=NBPA;');
    assert.equal(text.slice(13, 15), '18');
    assert.equal(text.slice(15, 33), '301000000000012373');
    assert.equal(text.slice(33, 35), '12');
    assert.equal(text.slice(35, 47), '000000002000');
    assert.equal(text.slice(47, 49), '10');
    assert.equal(text.slice(49, 59), '0000031500');
    assert.equal(text.slice(59, 63), '3896');
    assert.equal(text.slice(63, 66), '1P1');
    assert.equal(text.slice(66, 77), '00072360050');
    assert.equal(text.slice(77, 93), 'RSSMRA80A01A479L');
    assert.equal(text.slice(93, 133), 'MARIO ROSSI'.padEnd(40));
    // Characters outside the Poste set become spaces, accents lose their mark.
    assert.equal(text.slice(133, 243), 'TARI 2026   utenza domestica  piu   e citta '.padEnd(110));
    assert.equal(text.slice(243, 255), ' '.repeat(12));
    assert.equal(text.slice(255), 'A');
    const long = posteDataMatrixText({ noticeNumber: '301000000000012373', postalAccount: '2000', amountCents: 1, enteFiscalCode: '00072360050', debtorFiscalCode: '00072360050', debtorName: 'X'.repeat(80), reason: 'Y'.repeat(140) });
    assert.equal(long.length, DATA_MATRIX_LENGTH);
    assert.equal(long.slice(35, 47), '000000002000');
    assert.equal(long.slice(77, 93), '00072360050     ');
    assert.equal(long.slice(93, 133), 'X'.repeat(40));
    assert.equal(long.slice(133, 243), 'Y'.repeat(110));
  });
});

// ------------------------------------------------------------------------------------------ with a database

describe('notices on the platform', () => {
  let t: TestPlatform;
  let app: App;
  let ownApp: App | undefined;
  let asti: Ente;
  let canelli: Ente;
  let config: ConfigRow;
  let tari: PositionView; // Mario Rossi: single payment + 3 instalments (seed)
  let staffAsti: Browser;
  let staffNizza: Browser;
  const today = todayInRome();

  const citizenCookie = async (fiscalCode: string, givenName: string, familyName: string) => {
    const session = await createSession(t.platform.db.app, { kind: 'citizen', citizen: { fiscalCode, givenName, familyName, provider: 'dev' } }, 30);
    return `cir_sid=${session.token}`;
  };

  before(async () => {
    t = await startTestPlatform();
    // Until ../index.ts wires this area, build an app with its routes (same boot code, plus registerNotices).
    const wired = t.app.hasRoute({ method: 'GET', url: '/backoffice/enti/:slug/pagamenti/posizioni/:id/avviso.pdf' });
    if (!wired) ownApp = await buildApp(t.platform, [...modules, { name: 'payments-notices', routes: (a, p) => registerNotices(a, p) }]);
    app = ownApp ?? t.app;
    await t.platform.jobs.register(noticesJobs(t.platform), false);
    asti = (await getEnteBySlug(t.platform.db.app, 'asti'))!;
    canelli = (await getEnteBySlug(t.platform.db.app, 'canelli'))!;
    const found = await withEnte(t.platform.db.app, asti.id, async (trx) => ({
      config: await trx.selectFrom('payment_config').selectAll().executeTakeFirstOrThrow(),
      id: (await trx.selectFrom('payment_position').select('id').where('external_ref', '=', 'TARI-2026-000001').executeTakeFirstOrThrow()).id,
    }));
    config = found.config;
    const { getPosition } = await import('../service.js');
    tari = (await getPosition(t.platform.db.app, asti.id, found.id))!;
    staffAsti = await login(app, 'admin@asti.demo');
    staffNizza = await login(app, 'operatore@nizza-monferrato.demo');
  });
  after(async () => {
    await ownApp?.close();
    await t?.close();
  });

  it('draws single payment and instalments as separate blocks, each with its QR code and Data Matrix', async () => {
    assert.equal(tari.options.length, 4);
    const pdf = await noticePdf(tari, config, asti);
    assert.equal(pdf.subarray(0, 5).toString(), '%PDF-');
    const text = await pdfText(pdf);
    for (const expected of ['AVVISO DI PAGAMENTO', 'UNICA SOLUZIONE', 'PAGAMENTO IN RATE', 'RATA UNICA', 'RATA 1 di 3', 'RATA 2 di 3', 'RATA 3 di 3', 'DOVE PAGARE?', 'BOLLETTINO POSTALE PA', 'Codice CBILL', 'AST01', 'Mario Rossi', 'RSSMRA80A01A479L', config.fiscal_code, '315,00 Euro']) {
      assert.ok(text.includes(expected), `missing "${expected}"`);
    }
    for (const option of tari.options) assert.ok(text.includes(groupedNoticeNumber(option.noticeNumber)), `notice number of instalment ${option.instalment}`);
    const symbols = drawnSymbols(pdf);
    const qrs = symbols.map(decodeQr).filter((s): s is string => s !== null);
    assert.deepEqual(qrs, tari.options.map((o) => qrCodeText(o.noticeNumber, config.fiscal_code, o.amountCents)));
    const dataMatrices = symbols.filter((s) => decodeQr(s) === null);
    assert.equal(dataMatrices.length, 4, 'one Data Matrix per option');
    // No Data Matrix decoder here: the drawn symbols must be exactly the encoder's for each option's string.
    const expected = tari.options.map((o) =>
      dataMatrixModules(posteDataMatrixText({ noticeNumber: o.noticeNumber, postalAccount: postalAccountOf(config.postal_iban!), amountCents: o.amountCents, enteFiscalCode: config.fiscal_code, debtorFiscalCode: 'RSSMRA80A01A479L', debtorName: 'Mario Rossi', reason: tari.reason })),
    );
    assert.deepEqual(dataMatrices.map((m) => [m.width, m.height, Array.from(m.dark).join('')]), expected.map((m) => [m.width, m.height, Array.from(m.dark).join('')]));
    // The same position and date give the same bytes (a re-run chunk stores the same file).
    assert.deepEqual(await noticePdf(tari, config, asti), pdf);
  });

  it('has no postal part without a postal IBAN, and no CBILL line without a CBILL code', async () => {
    const pdf = await noticePdf(tari, { ...config, postal_iban: null, cbill_code: null }, asti);
    const text = await pdfText(pdf);
    assert.ok(!text.includes('BOLLETTINO POSTALE PA'));
    assert.ok(!text.includes('Codice CBILL'));
    const symbols = drawnSymbols(pdf);
    assert.equal(symbols.length, 4, 'QR codes only');
    assert.ok(symbols.every((s) => decodeQr(s) !== null));
  });

  it('offers only the instalments left once one is paid', async () => {
    const paid = { ...tari, status: 'partially_paid' as const, options: tari.options.map((o) => (o.instalment === 1 ? { ...o, status: 'paid' as const } : o)) };
    const text = await pdfText(await noticePdf(paid, config, asti));
    assert.ok(!text.includes('RATA UNICA') && !text.includes('RATA 1 di 3'));
    assert.ok(text.includes('RATA 2 di 3') && text.includes('RATA 3 di 3'));
  });

  it('staff download: the ente’s reader gets the PDF, another ente’s staff 403 (audited), anonymous → login', async () => {
    const url = `/backoffice/enti/asti/pagamenti/posizioni/${tari.id}/avviso.pdf`;
    const ok = await app.inject({ method: 'GET', url, headers: { cookie: staffAsti.cookie } });
    assert.equal(ok.statusCode, 200);
    assert.equal(ok.headers['content-type'], 'application/pdf');
    assert.match(String(ok.headers['content-disposition']), /attachment; filename="avviso-pagopa-3\d{17}\.pdf"/);
    const denied = await app.inject({ method: 'GET', url, headers: { cookie: staffNizza.cookie } });
    assert.equal(denied.statusCode, 403);
    assert.ok(!denied.body.includes('Mario Rossi'));
    const audit = await withEnte(t.platform.db.app, asti.id, (trx) => trx.selectFrom('audit_log').select('entity_id').where('action', '=', 'access.denied').where('actor_label', '=', 'operatore@nizza-monferrato.demo').execute());
    assert.ok(audit.some((a) => a.entity_id === 'payments.read'));
    const anonymous = await app.inject({ method: 'GET', url });
    assert.equal(anonymous.statusCode, 303);
    assert.match(String(anonymous.headers.location), /^\/backoffice\/login\?next=/);
    const unknown = await app.inject({ method: 'GET', url: `/backoffice/enti/asti/pagamenti/posizioni/00000000-0000-4000-8000-000000000000/avviso.pdf`, headers: { cookie: staffAsti.cookie } });
    assert.equal(unknown.statusCode, 404);
    // Asti's position through Canelli's URL (Canelli's CST admin would see it: Asti's admin may not even ask).
    const crossEnte = await app.inject({ method: 'GET', url: `/backoffice/enti/canelli/pagamenti/posizioni/${tari.id}/avviso.pdf`, headers: { cookie: staffAsti.cookie } });
    assert.equal(crossEnte.statusCode, 403);
  });

  it('citizen download: only the debtor, else 404; anonymous → citizen login', async () => {
    const url = `/asti/pagamenti/posizioni/${tari.id}/avviso.pdf`;
    const mario = await citizenCookie('RSSMRA80A01A479L', 'Mario', 'Rossi');
    const ok = await app.inject({ method: 'GET', url, headers: { cookie: mario } });
    assert.equal(ok.statusCode, 200);
    assert.equal(ok.headers['content-type'], 'application/pdf');
    const giulia = await citizenCookie('BNCGLI85C55A479Q', 'Giulia', 'Bianchi');
    const other = await app.inject({ method: 'GET', url, headers: { cookie: giulia, accept: 'text/html' } });
    assert.equal(other.statusCode, 404);
    assert.ok(!other.body.includes('Mario Rossi'));
    const wrongEnte = await app.inject({ method: 'GET', url: `/canelli/pagamenti/posizioni/${tari.id}/avviso.pdf`, headers: { cookie: mario } });
    assert.equal(wrongEnte.statusCode, 404);
    const anonymous = await app.inject({ method: 'GET', url });
    assert.equal(anonymous.statusCode, 303);
    assert.equal(anonymous.headers.location, `/auth/citizen/login?next=${encodeURIComponent(url)}`);
  });

  it('refuses a draft and a cancelled position with a 409, never a 5xx', async () => {
    const { position: draft } = await createPosition(t.platform.db.app, systemActor, asti.id, { serviceCode: 'mensa', reason: 'Bozza', amountCents: 1000, dueDate: addDays(today, 10), debtor: { fiscalCode: 'RSSMRA80A01A479L', name: 'Mario Rossi' } }, { publish: false });
    const res = await app.inject({ method: 'GET', url: `/backoffice/enti/asti/pagamenti/posizioni/${draft.id}/avviso.pdf`, headers: { cookie: staffAsti.cookie, accept: 'application/json' } });
    assert.equal(res.statusCode, 409);
    assert.match(res.json().detail, /bozza/);
    const citizen = await app.inject({ method: 'GET', url: `/asti/pagamenti/posizioni/${draft.id}/avviso.pdf`, headers: { cookie: await citizenCookie('RSSMRA80A01A479L', 'Mario', 'Rossi') } });
    assert.equal(citizen.statusCode, 404, 'a draft does not exist for the citizen');
    const { position: open } = await createPosition(t.platform.db.app, systemActor, asti.id, { serviceCode: 'mensa', reason: 'Da annullare', amountCents: 1000, dueDate: addDays(today, 10), debtor: { fiscalCode: 'RSSMRA80A01A479L', name: 'Mario Rossi' } });
    await cancelPosition(t.platform.db.app, systemActor, asti.id, open.id, 'Errore di emissione');
    const cancelled = await app.inject({ method: 'GET', url: `/asti/pagamenti/posizioni/${open.id}/avviso.pdf`, headers: { cookie: await citizenCookie('RSSMRA80A01A479L', 'Mario', 'Rossi'), accept: 'application/json' } });
    assert.equal(cancelled.statusCode, 409);
    assert.match(cancelled.json().detail, /annullata/);
  });

  it('bulk API: start (manage), progress (read), another ente 403, anonymous 401; the job is enqueued with the run', async () => {
    const start = await app.inject({ method: 'POST', url: '/api/v1/enti/asti/pagamenti/avvisi/lotti', headers: { cookie: staffAsti.cookie }, payload: { serviceCode: 'mensa' } });
    assert.equal(start.statusCode, 202, start.body);
    const run = start.json();
    assert.equal(run.state, 'queued');
    assert.ok(run.total >= 1);
    // The demo seed's own (already completed) run left a job in the queue too: pick ours.
    const jobs = await t.platform.jobs.boss.fetch<{ enteId: string; runId: string }>(NOTICES_QUEUE, { batchSize: 10 });
    const job = jobs.find((j) => j.data.runId === run.id);
    assert.ok(job, 'job enqueued in the run’s transaction');
    assert.deepEqual(job.data, { enteId: asti.id, runId: run.id });
    await handleRunJob(t.platform, job.data);
    await t.platform.jobs.boss.complete(NOTICES_QUEUE, job.id);
    const progress = await app.inject({ method: 'GET', url: run.href, headers: { cookie: staffAsti.cookie } });
    assert.equal(progress.statusCode, 200);
    assert.equal(progress.json().state, 'completed');
    assert.equal(progress.json().done, run.total);
    assert.equal(progress.json().percent, 100);
    assert.equal((await app.inject({ method: 'GET', url: run.href, headers: { cookie: staffNizza.cookie } })).statusCode, 403);
    assert.equal((await app.inject({ method: 'POST', url: '/api/v1/enti/asti/pagamenti/avvisi/lotti', headers: { cookie: staffNizza.cookie }, payload: { serviceCode: 'mensa' } })).statusCode, 403);
    const anonymous = await app.inject({ method: 'GET', url: run.href });
    assert.equal(anonymous.statusCode, 401);
    assert.equal(anonymous.headers['content-type'], 'application/problem+json; charset=utf-8');
    const unknownService = await app.inject({ method: 'POST', url: '/api/v1/enti/asti/pagamenti/avvisi/lotti', headers: { cookie: staffAsti.cookie }, payload: { serviceCode: 'nessuno' } });
    assert.equal(unknownService.statusCode, 422);
    const badYear = await app.inject({ method: 'POST', url: '/api/v1/enti/asti/pagamenti/avvisi/lotti', headers: { cookie: staffAsti.cookie }, payload: { serviceCode: 'mensa', year: 1999 } });
    assert.equal(badYear.statusCode, 400);
    const empty = await app.inject({ method: 'POST', url: '/api/v1/enti/asti/pagamenti/avvisi/lotti', headers: { cookie: staffAsti.cookie }, payload: { serviceCode: 'mensa', year: 2001 } });
    assert.equal(empty.statusCode, 422);
  });

  it('resumes after a crash mid-chunk from the cursor: every position gets exactly one notice', async () => {
    const total = 12;
    for (let i = 0; i < total; i++) {
      await createPosition(t.platform.db.app, systemActor, canelli.id, {
        serviceCode: 'imu',
        reason: `IMU ${today.slice(0, 4)} n. ${i + 1}`,
        amountCents: 10_000 + i,
        dueDate: addDays(today, 30),
        ...(i % 4 === 0 ? { instalments: [{ amountCents: 5_000 + i, dueDate: addDays(today, 30) }, { amountCents: 5_000, dueDate: addDays(today, 60) }] } : {}),
        debtor: { fiscalCode: i % 2 ? 'RSSMRA80A01A479L' : 'BNCGLI85C55A479Q', name: `Contribuente ${i + 1}` },
      });
    }
    const run = await startRun(t.platform, systemActor, canelli.id, { serviceCode: 'imu', year: Number(today.slice(0, 4)) });
    assert.equal(run.total, total);
    // The worker dies while rendering the 8th notice: the second chunk (6–10) is rolled back.
    await assert.rejects(
      processRun(t.platform, { enteId: canelli.id, runId: run.id }, { chunkSize: 5, beforeItem: (seq) => { if (seq === 8) throw new Error('worker killed'); } }),
      /worker killed/,
    );
    const state = async () =>
      withEnte(t.platform.db.app, canelli.id, async (trx) => ({
        run: await trx.selectFrom('payment_notice_run').selectAll().where('id', '=', run.id).executeTakeFirstOrThrow(),
        items: await trx.selectFrom('payment_notice_item').selectAll().where('run_id', '=', run.id).orderBy('seq').execute(),
      }));
    const crashed = await state();
    assert.equal(crashed.run.cursor, 5);
    assert.equal(crashed.run.generated, 5);
    assert.deepEqual(crashed.items.filter((i) => i.outcome).map((i) => i.seq), [1, 2, 3, 4, 5]);
    // A restarted worker carries on from the cursor.
    assert.equal(await processRun(t.platform, { enteId: canelli.id, runId: run.id }, { chunkSize: 5 }), 'finished');
    const done = await state();
    assert.equal(done.run.state, 'completed');
    assert.equal(done.run.cursor, total);
    assert.equal(done.run.generated, total);
    assert.equal(done.items.length, total);
    assert.equal(new Set(done.items.map((i) => i.position_id)).size, total, 'each position once');
    assert.ok(done.items.every((i) => i.outcome === 'generated' && i.sha256));
    assert.equal(new Set(done.items.map((i) => i.sha256)).size, total, 'one distinct notice per position');
    const stored = await withEnte(t.platform.db.app, canelli.id, (trx) => trx.selectFrom('stored_file').select('sha256').where('sha256', 'in', done.items.map((i) => i.sha256!)).execute());
    assert.equal(stored.length, total);
    // Running it again changes nothing.
    assert.equal(await processRun(t.platform, { enteId: canelli.id, runId: run.id }), 'finished');
    assert.equal((await state()).items.filter((i) => i.outcome === 'generated').length, total);

    // The ZIP holds every notice once; Canelli's run is not Asti's business.
    const canelliAdmin = await login(app, 'admin@cst.demo');
    const zip = await app.inject({ method: 'GET', url: `/backoffice/enti/canelli/pagamenti/avvisi/${run.id}/avvisi.zip`, headers: { cookie: canelliAdmin.cookie } });
    assert.equal(zip.statusCode, 200);
    assert.equal(zip.headers['content-type'], 'application/zip');
    const names = [...zip.rawPayload.toString('latin1').matchAll(/PK\x03\x04[\s\S]{26}(\d{6}-[A-Z0-9]{16}-3\d{17}\.pdf)/g)].map((m) => m[1]);
    assert.equal(names.length, total);
    assert.equal(new Set(names).size, total);
    assert.equal((await app.inject({ method: 'GET', url: `/backoffice/enti/canelli/pagamenti/avvisi/${run.id}/avvisi.zip`, headers: { cookie: staffAsti.cookie } })).statusCode, 403);
    assert.equal((await app.inject({ method: 'GET', url: `/backoffice/enti/asti/pagamenti/avvisi/${run.id}/avvisi.zip`, headers: { cookie: staffAsti.cookie } })).statusCode, 404);
  });

  it('a run that fails on an error is shown as interrupted and resumed from the page', async () => {
    const run = await startRun(t.platform, systemActor, asti.id, { serviceCode: 'tari' });
    await handleRunJob(t.platform, { enteId: asti.id, runId: run.id }, { beforeItem: () => { throw new Error('disco pieno'); } });
    const page = await app.inject({ method: 'GET', url: `/backoffice/enti/asti/pagamenti/avvisi/${run.id}`, headers: { cookie: staffAsti.cookie } });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Interrotta/);
    assert.match(page.body, /disco pieno/);
    assert.equal(page.headers.refresh, undefined, 'no auto refresh once stopped');
    const denied = await postForm(app, staffNizza, `/backoffice/enti/asti/pagamenti/avvisi/${run.id}/riprendi`, {});
    assert.equal(denied.statusCode, 403);
    const resumed = await postForm(app, staffAsti, `/backoffice/enti/asti/pagamenti/avvisi/${run.id}/riprendi`, {});
    assert.equal(resumed.statusCode, 303);
    const again = await app.inject({ method: 'GET', url: String(resumed.headers.location), headers: { cookie: staffAsti.cookie } });
    assert.match(again.body, /In coda/);
    assert.match(String(again.headers.refresh), /^5; url=/);
    const manual = await app.inject({ method: 'GET', url: `/backoffice/enti/asti/pagamenti/avvisi/${run.id}?auto=0`, headers: { cookie: staffAsti.cookie } });
    assert.equal(manual.headers.refresh, undefined);
    await processRun(t.platform, { enteId: asti.id, runId: run.id });
    const finished = await app.inject({ method: 'GET', url: `/backoffice/enti/asti/pagamenti/avvisi/${run.id}`, headers: { cookie: staffAsti.cookie } });
    assert.match(finished.body, /Completata/);
    assert.match(finished.body, /avvisi\.zip/);
  });

  it('bulk pages: start from the form, Italian message on bad input, isolation', async () => {
    const list = await app.inject({ method: 'GET', url: '/backoffice/enti/asti/pagamenti/avvisi', headers: { cookie: staffAsti.cookie } });
    assert.equal(list.statusCode, 200);
    assert.match(list.body, /Stampa massiva degli avvisi/);
    const bad = await postForm(app, staffAsti, '/backoffice/enti/asti/pagamenti/avvisi', { serviceCode: 'tari', year: '26' });
    assert.equal(bad.statusCode, 422);
    assert.match(bad.body, /Anno non valido/);
    const started = await postForm(app, staffAsti, '/backoffice/enti/asti/pagamenti/avvisi', { serviceCode: 'tari', year: today.slice(0, 4) });
    assert.equal(started.statusCode, 303);
    const page = await app.inject({ method: 'GET', url: String(started.headers.location), headers: { cookie: staffAsti.cookie } });
    assert.match(page.body, /Elaborazione avviata/);
    assert.match(page.body, /role="progressbar"/);
    assert.equal((await app.inject({ method: 'GET', url: '/backoffice/enti/asti/pagamenti/avvisi', headers: { cookie: staffNizza.cookie } })).statusCode, 403);
    assert.equal((await postForm(app, staffNizza, '/backoffice/enti/asti/pagamenti/avvisi', { serviceCode: 'tari' })).statusCode, 403);
    const anonymous = await app.inject({ method: 'GET', url: '/backoffice/enti/asti/pagamenti/avvisi' });
    assert.equal(anonymous.statusCode, 303);
    assert.match(String(anonymous.headers.location), /^\/backoffice\/login/);
  });
});
