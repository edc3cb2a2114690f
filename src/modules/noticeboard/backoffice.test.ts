// Back-office pages of the albo pretorio: who may see and write, the multipart forms (content checks, size
// limit, CSRF), publication with the register number, the personal-data confirmation, annulment and
// correction, immutability in the database, the register exports, service interruptions, and requests
// between a union and a member comune.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import ExcelJS from 'exceljs';
import { startTestPlatform, type TestPlatform } from '../../../test/support/platform.js';
import { form, login, postForm, type Browser } from '../../../test/support/http.js';
import { hashPassword } from '../../platform/auth/index.js';
import { withEnte } from '../../platform/db/index.js';
import { fiscalCodeCheckChar } from '../../platform/identity/codice-fiscale.js';
import { todayInRome } from '../../platform/tenancy/index.js';
import { romeLocalOf, romeLocalToDate } from './backoffice/common.js';
import { extractPdfText } from './documents.js';
import { createDraft, publish, staffDetail } from './service.js';
import { makePdf } from '../../../test/support/pdf.js';


interface Upload {
  field: string;
  bytes: Buffer;
  name: string;
  type?: string;
}

/** A multipart body as a browser sends it: the CSRF token first, then the fields, then the files. */
async function multipart(fields: Record<string, string>, files: Upload[]): Promise<{ payload: Buffer; contentType: string }> {
  const fd = new FormData();
  for (const [k, v] of Object.entries(fields)) fd.append(k, v);
  for (const f of files) fd.append(f.field, new Blob([new Uint8Array(f.bytes)], { type: f.type ?? 'application/pdf' }), f.name);
  const req = new Request('http://x', { method: 'POST', body: fd });
  return { payload: Buffer.from(await req.arrayBuffer()), contentType: req.headers.get('content-type')! };
}

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const year = Number(todayInRome().slice(0, 4));
/** A valid codice fiscale (check character computed). */
const fiscalCode = (() => {
  const first = 'RSSMRA85T10A562';
  return first + fiscalCodeCheckChar(first);
})();

describe('albo pretorio back office', () => {
  let t: TestPlatform;
  let nizza: Browser;
  let asti: Browser;
  let pdf: Buffer;
  let published: { id: string; label: string };
  let annulledId: string;

  const enteId = async (slug: string) => (await t.platform.db.owner.selectFrom('ente').select('id').where('slug', '=', slug).executeTakeFirstOrThrow()).id;
  const get = (browser: Browser | null, url: string) => t.app.inject({ method: 'GET', url, headers: browser ? { cookie: browser.cookie } : {} });
  const postFiles = async (browser: Browser, url: string, fields: Record<string, string>, files: Upload[], options: { csrf?: boolean } = {}) => {
    const body = await multipart({ ...(options.csrf === false ? {} : { _csrf: browser.csrf }), ...fields }, files);
    return t.app.inject({ method: 'POST', url, headers: { cookie: browser.cookie, 'content-type': body.contentType }, payload: body.payload });
  };
  const lastNumber = async (slug: string, y = year) =>
    (await t.platform.db.owner.selectFrom('notice_register').select('last_number').where('ente_id', '=', await enteId(slug)).where('year', '=', y).executeTakeFirst())?.last_number ?? 0;
  const noticeCount = async (slug: string) => Number((await t.platform.db.owner.selectFrom('notice').select((eb) => eb.fn.countAll<number>().as('n')).where('ente_id', '=', await enteId(slug)).executeTakeFirstOrThrow()).n);
  const idFrom = (location: string | undefined) => location?.match(new RegExp(`/albo/(${UUID})`))?.[1] ?? assert.fail(`no act id in ${location}`);
  const albo = '/backoffice/enti/nizza-monferrato/albo';

  /** Creates a draft through the form and returns its id. */
  const newDraft = async (browser: Browser, base: string, fields: Record<string, string>, file: Buffer) => {
    const res = await postFiles(browser, `${base}/nuovo`, fields, [{ field: 'main', bytes: file, name: 'atto.pdf' }]);
    assert.equal(res.statusCode, 303, res.body.slice(0, 2000));
    return idFrom(res.headers.location as string);
  };

  before(async () => {
    t = await startTestPlatform();
    [nizza, asti] = await Promise.all([login(t.app, 'operatore@nizza-monferrato.demo'), login(t.app, 'admin@asti.demo')]);
    pdf = await makePdf('Avviso: gli uffici comunali resteranno chiusi lunedì per la festa patronale.');
  });
  after(async () => {
    await t?.close();
  });

  test('wall-clock times of Rome become instants, summer time included', () => {
    assert.equal(romeLocalToDate('2026-01-15T10:00').toISOString(), '2026-01-15T09:00:00.000Z');
    assert.equal(romeLocalToDate('2026-07-15T10:00').toISOString(), '2026-07-15T08:00:00.000Z');
    // the last minute before summer time, and the first after
    assert.equal(romeLocalToDate('2026-03-29T01:59').toISOString(), '2026-03-29T00:59:00.000Z');
    assert.equal(romeLocalToDate('2026-03-29T03:00').toISOString(), '2026-03-29T01:00:00.000Z');
    assert.throws(() => romeLocalToDate('2026-03-29T02:30'), /non esiste in Italia/);
    // 02:30 happens twice on 25 October 2026: the first one (summer time) is taken
    assert.equal(romeLocalToDate('2026-10-25T02:30').toISOString(), '2026-10-25T00:30:00.000Z');
    assert.equal(romeLocalToDate('2026-10-25T03:30').toISOString(), '2026-10-25T02:30:00.000Z');
    assert.throws(() => romeLocalToDate('2026-02-30T10:00'), /Indicare data e ora/);
    assert.throws(() => romeLocalToDate('ieri'), /Indicare data e ora/);
    assert.equal(romeLocalOf(new Date('2026-07-15T08:00:00Z')), '2026-07-15T10:00');
  });

  test('anonymous visitors are sent to the login page', async () => {
    const res = await get(null, albo);
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, `/backoffice/login?next=${encodeURIComponent(albo)}`);
  });

  test('the Nizza operator creates a draft and publishes it with the next register number', async () => {
    const register = await get(nizza, albo);
    assert.equal(register.statusCode, 200);
    assert.equal(register.headers['cache-control'], 'no-store');
    assert.match(register.body, /<h1>Albo pretorio di Nizza Monferrato<\/h1>/);
    assert.match(register.body, new RegExp(`href="${albo}/nuovo"`));
    assert.match(register.body, new RegExp(`action="${albo}/registro.csv"`));

    const page = await get(nizza, `${albo}/nuovo`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /enctype="multipart\/form-data"/);
    assert.match(page.body, /<option value="deliberazione_giunta">Deliberazione di Giunta \(15 giorni\)<\/option>/);
    assert.match(page.body, /D\.P\.R\. 487\/1994 art\. 4/);
    assert.match(page.body, /<label for="atto-principale" class="form-label">Documento principale<\/label>/);

    const previous = await lastNumber('nizza-monferrato');
    const id = await newDraft(nizza, albo, { actType: 'avviso', subject: 'Chiusura degli uffici per la festa patronale', office: 'Segreteria generale', actNumber: '12', actDate: todayInRome() }, pdf);
    const draft = await get(nizza, `${albo}/${id}?esito=bozza-creata`);
    assert.equal(draft.statusCode, 200);
    assert.match(draft.body, /<h1>Bozza di atto<\/h1>/);
    assert.match(draft.body, /role="status">Bozza salvata\./);
    assert.match(draft.body, /<span class="badge bg-secondary">bozza<\/span>/);
    assert.match(draft.body, new RegExp(`action="${albo}/${id}/pubblica"`));
    assert.ok(!draft.body.includes('conferma-dati'), 'no personal data, no confirmation');
    assert.equal(await lastNumber('nizza-monferrato'), previous, 'a draft uses no number');

    const sha = draft.body.match(new RegExp(`${albo}/${id}/documenti/([0-9a-f]{64})`))?.[1];
    assert.ok(sha);
    const download = await get(nizza, `${albo}/${id}/documenti/${sha}`);
    assert.equal(download.statusCode, 200);
    assert.equal(download.headers['content-type'], 'application/pdf');
    assert.match(String(download.headers['content-disposition']), /^attachment; filename="atto.pdf"/);
    assert.deepEqual(download.rawPayload, pdf);

    const res = await postForm(t.app, nizza, `${albo}/${id}/pubblica`, {});
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, `${albo}/${id}?esito=pubblicato`);
    const label = `${previous + 1}/${year}`;
    const shown = await get(nizza, res.headers.location as string);
    assert.match(shown.body, new RegExp(`<h1>Atto n. ${label}</h1>`));
    assert.match(shown.body, new RegExp(`Atto pubblicato con il numero di registro ${label}\\.`));
    assert.match(shown.body, /<span class="badge bg-success">in pubblicazione<\/span>/);
    assert.match(shown.body, new RegExp(`href="${albo}/${id}/referto.pdf"`));
    assert.match(shown.body, new RegExp(`href="${albo}/nuovo\\?rettifica=${id}"`));
    assert.match(shown.body, new RegExp(`action="${albo}/${id}/annulla"`));
    assert.ok(!shown.body.includes(`${albo}/${id}/pubblica`));
    published = { id, label };

    const list = await get(nizza, `${albo}?stato=pubblicato&anno=${year}&q=festa+patronale`);
    assert.match(list.body, new RegExp(`<th scope="row">${label}</th>`));
    assert.match(list.body, /Chiusura degli uffici per la festa patronale/);

    const referto = await get(nizza, `${albo}/${id}/referto.pdf`);
    assert.equal(referto.statusCode, 200);
    assert.equal(referto.headers['content-type'], 'application/pdf');
    assert.match(String(referto.headers['content-disposition']), new RegExp(`referto-nizza-monferrato-${previous + 1}-${year}-provvisorio\\.pdf`));
    assert.equal(referto.rawPayload.subarray(0, 5).toString('latin1'), '%PDF-');
  });

  test("another ente's admin can neither open nor write Nizza's albo, and the denial is audited", async () => {
    const before = await noticeCount('nizza-monferrato');
    assert.equal((await get(asti, albo)).statusCode, 403);
    assert.equal((await get(asti, `${albo}/${published.id}`)).statusCode, 403);
    assert.equal((await get(asti, `${albo}/registro.csv`)).statusCode, 403);
    const create = await postFiles(asti, `${albo}/nuovo`, { actType: 'avviso', subject: 'Atto non autorizzato', office: 'Altro ente' }, [{ field: 'main', bytes: pdf, name: 'x.pdf' }]);
    assert.equal(create.statusCode, 403);
    assert.match(create.body, /Accesso negato/);
    const annul = await postForm(t.app, asti, `${albo}/${published.id}/annulla`, { reason: 'Tentativo da un altro ente' });
    assert.equal(annul.statusCode, 403);
    assert.equal(await noticeCount('nizza-monferrato'), before);
    const denied = await t.platform.db.owner
      .selectFrom('audit_log')
      .select(['entity_id', 'actor_label'])
      .where('ente_id', '=', await enteId('nizza-monferrato'))
      .where('action', '=', 'access.denied')
      .where('actor_label', '=', 'admin@asti.demo')
      .execute();
    assert.ok(denied.some((r) => r.entity_id === 'noticeboard.read'));
    assert.ok(denied.some((r) => r.entity_id === 'noticeboard.publish'));
    // the Asti admin runs the albo of Asti
    assert.equal((await get(asti, '/backoffice/enti/asti/albo')).statusCode, 200);
  });

  test('a JPEG renamed .pdf is refused with an Italian message, the fields are kept, nothing is created', async () => {
    const before = [await noticeCount('nizza-monferrato'), await lastNumber('nizza-monferrato')];
    const jpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]), Buffer.from('JFIF\0'), Buffer.alloc(2000, 7)]);
    const res = await postFiles(nizza, `${albo}/nuovo`, { actType: 'ordinanza', subject: 'Ordinanza di chiusura della strada', office: 'Polizia locale' }, [{ field: 'main', bytes: jpeg, name: 'ordinanza.pdf' }]);
    assert.equal(res.statusCode, 422);
    assert.match(res.body, /role="alert"/);
    assert.match(res.body, /Il file «ordinanza\.pdf» non è un PDF \(contenuto: immagine JPEG\)/);
    assert.match(res.body, /i file vanno selezionati di nuovo/);
    assert.match(res.body, />Ordinanza di chiusura della strada<\/textarea>/);
    assert.match(res.body, /<option value="ordinanza" selected/);
    assert.match(res.body, /name="office" value="Polizia locale"/);
    assert.deepEqual([await noticeCount('nizza-monferrato'), await lastNumber('nizza-monferrato')], before);

    const missing = await postFiles(nizza, `${albo}/nuovo`, { actType: 'ordinanza', subject: 'Ordinanza senza documento', office: 'Polizia locale' }, []);
    assert.equal(missing.statusCode, 422);
    assert.match(missing.body, /Il documento principale \(PDF\) è obbligatorio/);
    assert.equal(await noticeCount('nizza-monferrato'), before[0]);
  });

  test('a period shorter than the rule is refused', async () => {
    const res = await postFiles(nizza, `${albo}/nuovo`, { actType: 'deliberazione_giunta', subject: 'Approvazione del bilancio', office: 'Giunta comunale', days: '5' }, [{ field: 'main', bytes: pdf, name: 'delibera.pdf' }]);
    assert.equal(res.statusCode, 422);
    assert.match(res.body, /Per «Deliberazione di Giunta» la pubblicazione dura almeno 15 giorni consecutivi/);
    assert.match(res.body, /name="days" value="5"/);
    const past = await postFiles(nizza, `${albo}/nuovo`, { actType: 'avviso', subject: 'Avviso retrodatato', office: 'Segreteria', start: '2020-01-01' }, [{ field: 'main', bytes: pdf, name: 'avviso.pdf' }]);
    assert.equal(past.statusCode, 422);
    assert.match(past.body, /non può iniziare prima di oggi/);
  });

  test('a file over 20 MB gets a clear Italian 413 page with the fields kept', async () => {
    const before = await noticeCount('nizza-monferrato');
    const big = Buffer.concat([pdf.subarray(0, 100), Buffer.alloc(20 * 1024 * 1024 + 1 - 100, 0x20)]);
    const res = await postFiles(nizza, `${albo}/nuovo`, { actType: 'avviso', subject: 'Avviso con allegato enorme', office: 'Segreteria' }, [{ field: 'main', bytes: big, name: 'enorme.pdf' }]);
    assert.equal(res.statusCode, 413);
    assert.match(res.body, /Il file «enorme\.pdf» supera la dimensione massima consentita di 20 MB/);
    assert.match(res.body, />Avviso con allegato enorme<\/textarea>/);
    assert.equal(await noticeCount('nizza-monferrato'), before);

    // more files than a main document and 20 attachments: refused by the parser, in Italian
    const many = Array.from({ length: 22 }, (_, i) => ({ field: i === 0 ? 'main' : 'attachments', bytes: pdf, name: `allegato-${i}.pdf` }));
    const tooMany = await postFiles(nizza, `${albo}/nuovo`, { actType: 'avviso', subject: 'Avviso con troppi allegati', office: 'Segreteria' }, many);
    assert.equal(tooMany.statusCode, 413);
    assert.match(tooMany.body, /Troppi file: si possono caricare un documento principale e al massimo 20 allegati/);
    assert.equal(await noticeCount('nizza-monferrato'), before);
  });

  test('personal data: publication refused without the confirmation (422 listing it), accepted with it', async () => {
    const withCf = await makePdf(`Ordinanza di sgombero dell'immobile occupato dal sig. Mario Rossi, codice fiscale ${fiscalCode}.`);
    const res = await postFiles(nizza, `${albo}/nuovo`, { actType: 'ordinanza', subject: 'Ordinanza di sgombero di un immobile', office: 'Ufficio tecnico' }, [{ field: 'main', bytes: withCf, name: 'sgombero.pdf' }]);
    assert.equal(res.statusCode, 303);
    assert.match(res.headers.location as string, /\?esito=bozza-dati-personali$/);
    const id = idFrom(res.headers.location as string);
    const masked = `${fiscalCode.slice(0, 6)}\\*{6}${fiscalCode.slice(12)}`;
    const draft = await get(nizza, res.headers.location as string);
    assert.match(draft.body, /<h2 id="dati-personali" class="h4">Dati personali nei documenti<\/h2>/);
    assert.match(draft.body, new RegExp(`Il testo contiene il codice fiscale di una persona fisica: ${masked}`));
    assert.ok(!draft.body.includes(fiscalCode), 'the full code is never shown');
    assert.match(draft.body, /<label for="conferma-dati">Confermo che i dati evidenziati sono pubblicabili \(es\. necessari per l(’|&#39;|')efficacia dell(’|&#39;|')atto\)<\/label>/);
    assert.match(draft.body, new RegExp(`action="${albo}/${id}/documenti" enctype="multipart/form-data"`));
    assert.match(draft.body, /Oppure carica una copia oscurata/);

    const number = await lastNumber('nizza-monferrato');
    const refused = await postForm(t.app, nizza, `${albo}/${id}/pubblica`, {});
    assert.equal(refused.statusCode, 422);
    assert.match(refused.body, /role="alert"/);
    assert.match(refused.body, /contiene dati personali che potrebbero non essere pubblicabili/);
    assert.match(refused.body, new RegExp(masked));
    assert.equal(await lastNumber('nizza-monferrato'), number, 'a refused publication uses no number');

    const ok = await postForm(t.app, nizza, `${albo}/${id}/pubblica`, { confirmPrivacy: '1' });
    assert.equal(ok.statusCode, 303);
    const shown = await get(nizza, ok.headers.location as string);
    assert.match(shown.body, new RegExp(`<h1>Atto n. ${number + 1}/${year}</h1>`));
    assert.match(shown.body, /Dati personali confermati come pubblicabili da<\/dt><dd class="col-sm-8">operatore@nizza-monferrato\.demo/);
  });

  test('a redacted copy replaces the documents of a draft; a draft can be deleted', async () => {
    const withCf = await makePdf(`Contributo al sig. Mario Rossi, codice fiscale ${fiscalCode}.`);
    const id = await newDraft(nizza, albo, { actType: 'determinazione', subject: 'Concessione di un contributo economico', office: 'Servizi sociali' }, withCf);
    const redacted = await makePdf('Contributo al sig. [omissis], codice fiscale [omissis].');
    const res = await postFiles(nizza, `${albo}/${id}/documenti`, {}, [{ field: 'main', bytes: redacted, name: 'contributo-oscurato.pdf' }]);
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, `${albo}/${id}?esito=documenti-sostituiti`);
    const page = await get(nizza, res.headers.location as string);
    assert.ok(!page.body.includes('conferma-dati'));
    assert.match(page.body, /contributo-oscurato\.pdf/);

    const deleted = await postForm(t.app, nizza, `${albo}/${id}/elimina`, {});
    assert.equal(deleted.statusCode, 303);
    assert.equal(deleted.headers.location, `${albo}?esito=bozza-eliminata`);
    assert.equal((await get(nizza, `${albo}/${id}`)).statusCode, 404);
  });

  test('annulment stamps the act; a published act cannot be edited, not even in the database', async () => {
    const id = await newDraft(nizza, albo, { actType: 'avviso', subject: 'Avviso di asta pubblica da annullare', office: 'Patrimonio' }, pdf);
    assert.equal((await postForm(t.app, nizza, `${albo}/${id}/pubblica`, {})).statusCode, 303);

    const short = await postForm(t.app, nizza, `${albo}/${id}/annulla`, { reason: 'no' });
    assert.equal(short.statusCode, 422);
    assert.match(short.body, /Indicare il motivo dell(&#39;|'|’)annullamento/);
    assert.match(short.body, />no<\/textarea>/);

    const res = await postForm(t.app, nizza, `${albo}/${id}/annulla`, { reason: "Errore materiale nell'importo a base d'asta" });
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, `${albo}/${id}?esito=annullato`);
    const page = await get(nizza, res.headers.location as string);
    assert.match(page.body, /<span class="badge bg-danger">ANNULLATO<\/span>/);
    assert.match(page.body, new RegExp(`Annullato il ${todayInRome().split('-').reverse().join('/')}\\.`));
    assert.match(page.body, /Errore materiale nell(&#39;|')importo a base d(&#39;|')asta/);
    assert.ok(!page.body.includes(`action="${albo}/${id}/annulla"`), 'annulled once');
    annulledId = id;

    const again = await postForm(t.app, nizza, `${albo}/${id}/annulla`, { reason: 'Secondo annullamento' });
    assert.equal(again.statusCode, 409);
    assert.match(again.body, /è già stato annullato/);
    const remove = await postForm(t.app, nizza, `${albo}/${published.id}/elimina`, {});
    assert.equal(remove.statusCode, 409);
    assert.match(remove.body, /Un atto pubblicato non può essere eliminato/);
    // there is no edit route …
    assert.equal((await postForm(t.app, nizza, `${albo}/${published.id}/modifica`, { subject: 'Nuovo oggetto' })).statusCode, 404);
    // … and the database refuses the change whatever the application does
    const nizzaId = await enteId('nizza-monferrato');
    await assert.rejects(
      withEnte(t.platform.db.app, nizzaId, (trx) => trx.updateTable('notice').set({ subject: 'Oggetto cambiato dopo la pubblicazione' }).where('id', '=', published.id).execute()),
      /un atto pubblicato non può essere modificato/,
    );
    await assert.rejects(
      withEnte(t.platform.db.app, nizzaId, (trx) => trx.deleteFrom('notice_document').where('notice_id', '=', published.id).execute()),
      /i documenti di un atto pubblicato non possono essere modificati/,
    );
  });

  test('a correction is a new publication that points at the original', async () => {
    const form = await get(nizza, `${albo}/nuovo?rettifica=${published.id}`);
    assert.equal(form.statusCode, 200);
    assert.match(form.body, new RegExp(`<h1>Rettifica dell(’|&#39;)atto n. ${published.label}</h1>`));
    assert.match(form.body, new RegExp(`name="corrects" value="${published.id}"`));
    assert.match(form.body, />Chiusura degli uffici per la festa patronale<\/textarea>/);
    const res = await postFiles(nizza, `${albo}/nuovo`, { corrects: published.id, actType: 'avviso', subject: 'Chiusura degli uffici per la festa patronale (rettifica della data)', office: 'Segreteria generale' }, [
      { field: 'main', bytes: pdf, name: 'rettifica.pdf' },
    ]);
    assert.equal(res.statusCode, 303);
    const id = idFrom(res.headers.location as string);
    assert.equal((await postForm(t.app, nizza, `${albo}/${id}/pubblica`, {})).statusCode, 303);
    const correction = await get(nizza, `${albo}/${id}`);
    assert.match(correction.body, new RegExp(`Rettifica di</dt><dd class="col-sm-8"><a href="${albo}/${published.id}">atto n. ${published.label}</a>`));
    const original = await get(nizza, `${albo}/${published.id}`);
    assert.match(original.body, /<span class="badge bg-warning text-dark">rettificato<\/span>/);
    assert.equal((await get(nizza, `${albo}/nuovo?rettifica=00000000-0000-0000-0000-000000000000`)).statusCode, 422);
  });

  test('the register exports (CSV, XLSX, PDF) contain expired and annulled acts', async () => {
    // an act of last year, long expired
    const nizzaId = await enteId('nizza-monferrato');
    const actor = { id: null, label: 'test' };
    const draft = await createDraft(t.platform, actor, nizzaId, { actType: 'avviso', subject: 'Avviso di gara per lo sgombero neve scaduto', office: 'Lavori pubblici' }, [{ bytes: pdf, originalName: 'neve.pdf' }]);
    const old = await publish(t.platform, actor, nizzaId, draft.id, { now: new Date(`${year - 1}-03-03T09:00:00Z`) });
    assert.equal((await staffDetail(t.platform.db.app, nizzaId, draft.id))?.state, 'expired');

    const csvOld = await get(nizza, `${albo}/registro.csv?anno=${year - 1}`);
    assert.equal(csvOld.statusCode, 200);
    assert.match(String(csvOld.headers['content-type']), /^text\/csv/);
    assert.match(String(csvOld.headers['content-disposition']), new RegExp(`registro-albo-nizza-monferrato-${year - 1}\\.csv`));
    assert.ok(csvOld.body.startsWith('\uFEFFNumero;Anno;Tipo di atto;Oggetto'));
    const oldLine = csvOld.body.split('\r\n').find((l) => l.includes('sgombero neve scaduto'));
    assert.ok(oldLine, 'the expired act is in the register');
    assert.match(oldLine!, new RegExp(`^${old.register!.number};${year - 1};Avviso;`));
    assert.match(oldLine!, /;scaduto;/);

    const csv = await get(nizza, `${albo}/registro.csv?anno=${year}`);
    const annulledLine = csv.body.split('\r\n').find((l) => l.includes('asta pubblica da annullare'));
    assert.ok(annulledLine);
    assert.match(annulledLine!, /annullato/i);
    assert.match(annulledLine!, /Errore materiale/);
    const numbers = csv.body.split('\r\n').slice(1, -1).map((l) => Number(l.split(';')[0]));
    assert.deepEqual(numbers, [...numbers].sort((a, b) => a - b), 'register order');
    assert.equal(numbers.length, await lastNumber('nizza-monferrato'), 'every number of the year, none missing');

    const xlsx = await get(nizza, `${albo}/registro.xlsx?anno=${year - 1}`);
    assert.equal(xlsx.statusCode, 200);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
    const sheet = workbook.worksheets[0]!;
    assert.equal(sheet.getRow(1).getCell(4).value, 'Oggetto');
    const rows: unknown[][] = [];
    sheet.eachRow((row) => rows.push((row.values as unknown[]).slice(1)));
    const expired = rows.find((r) => r[3] === 'Avviso di gara per lo sgombero neve scaduto');
    assert.ok(expired);
    assert.equal(expired![0], old.register!.number);
    assert.equal(expired![10], 'scaduto');

    const pdfExport = await get(nizza, `${albo}/registro.pdf?anno=${year}`);
    assert.equal(pdfExport.statusCode, 200);
    assert.equal(pdfExport.headers['content-type'], 'application/pdf');
    const text = (await extractPdfText(pdfExport.rawPayload)).text;
    assert.match(text, /Registro delle pubblicazioni/);
    assert.match(text, /Comune di Nizza Monferrato/);
    assert.match(text, /Annullato/);
    assert.match(text, /Rettificato/);
    const pdfOld = await get(nizza, `${albo}/registro.pdf?anno=${year - 1}`);
    assert.match((await extractPdfText(pdfOld.rawPayload)).text, /Scaduto/);
    assert.ok(annulledId);
  });

  test('a declared interruption extends the acts in publication and shows in their page', async () => {
    const page = await get(nizza, `${albo}/interruzioni`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /<input type="datetime-local" id="interruzione-inizio" name="startsAt"/);

    const wrong = await postForm(t.app, nizza, `${albo}/interruzioni`, { startsAt: '2026-03-29T02:30', endsAt: '2026-03-29T04:00', reason: 'Prova' });
    assert.equal(wrong.statusCode, 422);
    assert.match(wrong.body, /non esiste in Italia/);
    assert.match(wrong.body, /name="startsAt" value="2026-03-29T02:30"/);
    const reversed = await postForm(t.app, nizza, `${albo}/interruzioni`, { startsAt: '2026-01-10T12:00', endsAt: '2026-01-10T11:00', reason: 'Prova' });
    assert.equal(reversed.statusCode, 422);
    assert.match(reversed.body, /deve seguire l(&#39;|')inizio/);

    const now = Date.now();
    const startsAt = romeLocalOf(new Date(now - 20 * 60_000));
    const endsAt = romeLocalOf(new Date(now - 60_000));
    const res = await postForm(t.app, nizza, `${albo}/interruzioni`, { startsAt, endsAt, reason: 'Guasto del server del fornitore' });
    assert.equal(res.statusCode, 303, res.body.slice(0, 1500));
    const extended = Number(new URL(res.headers.location as string, 'http://x').searchParams.get('prorogati'));
    assert.ok(extended >= 1);
    const list = await get(nizza, res.headers.location as string);
    assert.match(list.body, /Interruzione registrata: \d+ att(i|o) in pubblicazione/);
    assert.match(list.body, /Guasto del server del fornitore/);
    assert.match(list.body, new RegExp(`<th scope="row">${startsAt.slice(8, 10)}/${startsAt.slice(5, 7)}/${startsAt.slice(0, 4)}, ${startsAt.slice(11)}</th>`));

    const act = await get(nizza, `${albo}/${published.id}`);
    assert.match(act.body, /<h2 id="proroghe" class="h4">Proroghe per interruzione del servizio<\/h2>/);
    assert.match(act.body, /1 giorno per l(’|&#39;)interruzione dal .* \(Guasto del server del fornitore\)/);
    assert.match(act.body, /prorogato di 1 giorno per interruzione del servizio/);
  });

  test('a union asks a member comune to publish; the comune accepts and publishes; the union sees it published', async () => {
    const hash = await hashPassword('demo-password');
    const grant = async (email: string, slug: string) => {
      const user = await t.platform.db.owner.insertInto('staff_user').values({ email, display_name: email, password_hash: hash }).returning('id').executeTakeFirstOrThrow();
      await t.platform.db.owner.insertInto('role_grant').values({ ente_id: await enteId(slug), user_id: user.id, role: 'operator', module: 'noticeboard' }).execute();
    };
    await grant('albo@val-triversa.test', 'unione-val-triversa');
    await grant('albo@monale.test', 'monale');
    const [union, monale] = await Promise.all([login(t.app, 'albo@val-triversa.test'), login(t.app, 'albo@monale.test')]);
    const unionAlbo = '/backoffice/enti/unione-val-triversa/albo';
    const monaleAlbo = '/backoffice/enti/monale/albo';

    const form = await get(union, `${unionAlbo}/richieste/nuova`);
    assert.equal(form.statusCode, 200);
    assert.match(form.body, /<optgroup label="Comune sede e comuni aderenti">/);
    assert.match(form.body, /<option value="monale">Monale<\/option>/);
    // the comune's operator may not send requests in the union's name
    assert.equal((await get(monale, `${unionAlbo}/richieste/nuova`)).statusCode, 403);

    const noTarget = await postFiles(union, `${unionAlbo}/richieste/nuova`, { actType: 'deliberazione_consiglio', subject: 'Approvazione del rendiconto dell’Unione', office: 'Consiglio dell’Unione' }, [{ field: 'main', bytes: pdf, name: 'rendiconto.pdf' }]);
    assert.equal(noTarget.statusCode, 422);
    assert.match(noTarget.body, /Scegliere l(’|&#39;)ente sul cui albo pubblicare/);

    const sent = await postFiles(union, `${unionAlbo}/richieste/nuova`, { target: 'monale', actType: 'deliberazione_consiglio', subject: 'Approvazione del rendiconto dell’Unione', office: 'Consiglio dell’Unione', actNumber: '4' }, [
      { field: 'main', bytes: pdf, name: 'rendiconto.pdf' },
    ]);
    assert.equal(sent.statusCode, 303, sent.body.slice(0, 1500));
    assert.equal(sent.headers.location, `${unionAlbo}/richieste?esito=richiesta-inviata`);
    let mine = await get(union, sent.headers.location as string);
    assert.match(mine.body, /Richiesta di pubblicazione inviata\./);
    assert.match(mine.body, /<td>Monale<\/td>/);
    assert.match(mine.body, /<span class="badge bg-warning text-dark">in attesa<\/span>/);

    const incoming = await get(monale, `${monaleAlbo}/richieste`);
    assert.equal(incoming.statusCode, 200);
    assert.match(incoming.body, /Unione Val Triversa/);
    const requestId = incoming.body.match(new RegExp(`action="${monaleAlbo}/richieste/(\\d+)/accetta"`))?.[1];
    assert.ok(requestId);
    const docLink = incoming.body.match(new RegExp(`href="(${monaleAlbo}/richieste/${requestId}/documenti/[0-9a-f]{64})"`))?.[1];
    assert.ok(docLink);
    assert.deepEqual((await get(monale, docLink!)).rawPayload, pdf);

    const accepted = await postForm(t.app, monale, `${monaleAlbo}/richieste/${requestId}/accetta`, {});
    assert.equal(accepted.statusCode, 303);
    assert.match(accepted.headers.location as string, new RegExp(`^${monaleAlbo}/${UUID}\\?esito=richiesta-accettata$`));
    const draftId = idFrom(accepted.headers.location as string);
    const draft = await get(monale, accepted.headers.location as string);
    assert.match(draft.body, /Pubblicato per conto di<\/dt><dd class="col-sm-8">Unione Val Triversa/);
    const pub = await postForm(t.app, monale, `${monaleAlbo}/${draftId}/pubblica`, {});
    assert.equal(pub.statusCode, 303);

    mine = await get(union, `${unionAlbo}/richieste`);
    assert.match(mine.body, /<span class="badge bg-success">pubblicata<\/span>/);
    assert.match(mine.body, new RegExp(`href="${unionAlbo}/richieste/${requestId}/referto.pdf"`));
    const referto = await get(union, `${unionAlbo}/richieste/${requestId}/referto.pdf`);
    assert.equal(referto.statusCode, 200);
    assert.equal(referto.rawPayload.subarray(0, 5).toString('latin1'), '%PDF-');
    assert.match((await extractPdfText(referto.rawPayload)).text, /Monale/);

    // a second request, rejected with a reason the union sees
    const second = await postFiles(union, `${unionAlbo}/richieste/nuova`, { target: 'monale', actType: 'avviso', subject: 'Avviso da non pubblicare', office: 'Segreteria dell’Unione' }, [{ field: 'main', bytes: pdf, name: 'avviso.pdf' }]);
    assert.equal(second.statusCode, 303);
    const again = await get(monale, `${monaleAlbo}/richieste`);
    const secondId = [...again.body.matchAll(new RegExp(`action="${monaleAlbo}/richieste/(\\d+)/rifiuta"`, 'g'))].map((m) => m[1]).find((id) => id !== requestId);
    assert.ok(secondId);
    const tooShort = await postForm(t.app, monale, `${monaleAlbo}/richieste/${secondId}/rifiuta`, { reason: 'no' });
    assert.equal(tooShort.statusCode, 422);
    assert.match(tooShort.body, /Indicare il motivo del rifiuto/);
    const rejected = await postForm(t.app, monale, `${monaleAlbo}/richieste/${secondId}/rifiuta`, { reason: 'Atto di competenza di un altro comune' });
    assert.equal(rejected.statusCode, 303);
    mine = await get(union, `${unionAlbo}/richieste`);
    assert.match(mine.body, /<span class="badge bg-danger">rifiutata<\/span>/);
    assert.match(mine.body, /Rifiutata: Atto di competenza di un altro comune/);
  });

  test('form posts without the CSRF token are refused, multipart ones included', async () => {
    const before = await noticeCount('nizza-monferrato');
    const plain = await t.app.inject({
      method: 'POST',
      url: `${albo}/${published.id}/annulla`,
      headers: { cookie: nizza.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: form({ reason: 'Annullamento senza token' }),
    });
    assert.equal(plain.statusCode, 403);
    assert.match(plain.body, /Il modulo è scaduto o non è valido/);
    const upload = await postFiles(nizza, `${albo}/nuovo`, { actType: 'avviso', subject: 'Avviso senza token', office: 'Segreteria' }, [{ field: 'main', bytes: pdf, name: 'avviso.pdf' }], { csrf: false });
    assert.equal(upload.statusCode, 403);
    assert.match(upload.body, /Il modulo è scaduto o non è valido/);
    const forged = await postFiles({ ...nizza, csrf: 'token-falso' }, `${albo}/nuovo`, { actType: 'avviso', subject: 'Avviso con token falso', office: 'Segreteria' }, [{ field: 'main', bytes: pdf, name: 'avviso.pdf' }]);
    assert.equal(forged.statusCode, 403);
    assert.equal(await noticeCount('nizza-monferrato'), before);
    const page = await get(nizza, `${albo}/${published.id}`);
    assert.ok(!page.body.includes('Annullamento senza token'));
  });
});
