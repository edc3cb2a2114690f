// The albo pretorio in a real browser: the public list of Nizza Monferrato (filters by type and by text, the RSS
// link, X-Robots-Tag), the page of an act with the SHA-256 of its document checked against the downloaded bytes,
// an annulled act, a correction linked both ways, an expired act answering 410, and no cookie for an anonymous
// reader; the back office of the Nizza operator (register, new act with an uploaded PDF, draft, publication with
// the register number, annulment, interruptions, requests, the referto PDF, a JPEG renamed .pdf refused) and the
// 403 page for the administrator of Asti. Every page: 0 axe-core WCAG 2.1 A/AA violations, no asset or script errors.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { before, describe, it } from 'node:test';
import PDFDocument from 'pdfkit';
import type { Page } from '../support/browser.js';
import { getEnteBySlug } from '../../src/platform/tenancy/index.js';
import { todayInRome } from '../../src/platform/calendar/index.js';
import { annul, createDraft, publish } from '../../src/modules/noticeboard/service.js';
import { assertAccessible, browserSuite, download, freshPage, staffPage, tabIn, texts, visit } from './kit.js';

const SLUG = 'nizza-monferrato';
const PUBLIC = `/${SLUG}/albo`;
const BACKOFFICE = `/backoffice/enti/${SLUG}/albo`;
const actor = { id: null, label: 'test e2e albo' };

/** A small real PDF (one page of text), as an office would upload it. */
function makePdf(text: string): Promise<Buffer> {
  const doc = new PDFDocument({ size: 'A4' });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve) => doc.on('end', () => resolve(Buffer.concat(chunks))));
  doc.font('Helvetica').fontSize(12).text(text);
  doc.end();
  return done;
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

// Subjects with words the demo seed does not use, so searches and lists can be checked whatever the seed adds.
const SUBJECTS = {
  avviso: 'Avviso di restauro della meridiana sulla facciata del municipio',
  ordinanza: 'Ordinanza di chiusura temporanea del sottopasso per la posa del pluviometro',
  annulled: 'Determinazione di acquisto di un tosaerba per i giardini pubblici',
  original: "Avviso di apertura straordinaria dell'ecocentro comunale",
  correction: "Rettifica dell'avviso di apertura straordinaria dell'ecocentro comunale: orario corretto",
  expired: 'Avviso di potatura dei platani del viale alberato',
  created: 'Avviso di pulizia delle caditoie stradali nel centro storico',
} as const;

interface Act {
  id: string;
  label: string;
}

/** The subjects listed on the public list page as it is now. */
const listedSubjects = (page: Page) => texts(page, 'section[aria-labelledby="atti"] article h3');

/** Submits the public filter form and waits for the list it leads to. */
async function submitPublicFilters(page: Page, check: (url: URL) => boolean): Promise<void> {
  await Promise.all([page.waitForURL((url) => url.pathname === PUBLIC && check(url), { waitUntil: 'load' }), page.click('form[role="search"] button[type="submit"]')]);
}

/** Chromium reports the navigation it turns into a download as an aborted request: not a load problem. */
function forgetAbortedDownload(problems: string[], path: string): void {
  const kept = problems.filter((p) => !(p.includes(path) && p.endsWith('(net::ERR_ABORTED)')));
  problems.splice(0, problems.length, ...kept);
}

describe('albo pretorio (browser)', () => {
  const suite = browserSuite();
  let anon: Page; // one anonymous context for every public page: it must end without cookies
  let nizza: Page; // operatore@nizza-monferrato.demo
  let asti: Page; // admin@asti.demo
  let pdf: Buffer;
  const acts = {} as Record<'avviso' | 'ordinanza' | 'annulled' | 'original' | 'correction' | 'expired', Act>;

  before(async () => {
    const enteId = (await getEnteBySlug(suite.t.platform.db.app, SLUG))!.id;
    pdf = await makePdf('Comune di Nizza Monferrato. Avviso alla cittadinanza: gli uffici comunali comunicano le date dei lavori.');
    const put = async (actType: string, subject: string, extra: { correctsId?: string; now?: Date } = {}): Promise<Act> => {
      const draft = await createDraft(
        suite.t.platform,
        actor,
        enteId,
        { actType, subject, office: 'Segreteria generale', correctsId: extra.correctsId ?? null },
        [{ bytes: pdf, originalName: `${actType}.pdf` }],
        extra.now ? { now: extra.now } : {},
      );
      const view = await publish(suite.t.platform, actor, enteId, draft.id, { confirmPrivacy: true, ...(extra.now ? { now: extra.now } : {}) });
      return { id: view.id, label: view.register!.label };
    };
    // The expired act first: published 40 days ago, its 15 days are long over.
    acts.expired = await put('avviso', SUBJECTS.expired, { now: new Date(Date.now() - 40 * 86_400_000) });
    acts.avviso = await put('avviso', SUBJECTS.avviso);
    acts.ordinanza = await put('ordinanza', SUBJECTS.ordinanza);
    acts.annulled = await put('determinazione', SUBJECTS.annulled);
    await annul(suite.t.platform, actor, enteId, acts.annulled.id, "Errore materiale nell'importo della spesa");
    acts.original = await put('avviso', SUBJECTS.original);
    acts.correction = await put('avviso', SUBJECTS.correction, { correctsId: acts.original.id });

    const login = async (email: string) => (await staffPage(suite.pages, suite.t.url, email)).page;
    [anon, nizza, asti] = await Promise.all([freshPage(suite.pages).then((p) => p.page), login(`operatore@${SLUG}.demo`), login('admin@asti.demo')]);
  });

  describe('public albo (anonymous)', () => {
    it('the list shows the acts online today, not the expired one, with the RSS link and X-Robots-Tag, accessibly', async () => {
      const { page, problems } = await tabIn(anon, suite.pages);
      const response = await page.goto(new URL(PUBLIC, suite.t.url).toString(), { waitUntil: 'load' });
      assert.equal(response?.status(), 200);
      assert.equal(response?.headers()['x-robots-tag'], 'noindex, noarchive');
      assert.equal(await page.textContent('h1'), 'Albo pretorio online');

      const listed = await listedSubjects(page);
      for (const key of ['avviso', 'ordinanza', 'annulled', 'original', 'correction'] as const) {
        assert.ok(listed.includes(SUBJECTS[key]), `the online act «${SUBJECTS[key]}» is not listed:\n${listed.join('\n')}`);
      }
      assert.ok(!listed.includes(SUBJECTS.expired), 'the expired act is still listed');
      assert.match((await page.textContent('section[aria-labelledby="atti"] [role="status"]')) ?? '', /\d+ atti in pubblicazione\./);

      // The annulled act stays in the list with its mark; the correction and the original point at each other.
      const item = (subject: string) => page.locator('section[aria-labelledby="atti"] article').filter({ has: page.getByRole('heading', { name: subject, exact: true }) });
      assert.equal(((await item(SUBJECTS.annulled).locator('.badge').textContent()) ?? '').trim(), 'ANNULLATO');
      assert.equal(await item(SUBJECTS.correction).locator(`a[href="${PUBLIC}/${acts.original.id}"]`).count(), 1);
      assert.equal(await item(SUBJECTS.original).locator(`a[href="${PUBLIC}/${acts.correction.id}"]`).count(), 1);
      assert.match((await item(SUBJECTS.avviso).textContent()) ?? '', new RegExp(`n\\. ${acts.avviso.label} · Avviso · dal \\d{2}/\\d{2}/\\d{4} al \\d{2}/\\d{2}/\\d{4}`));

      const feed = page.locator(`main a[href="${PUBLIC}/feed.xml"]`);
      assert.equal(await feed.count(), 1, 'no visible link to the RSS feed');
      assert.ok(await feed.isVisible());
      assert.equal(await page.locator(`head link[rel="alternate"][type="application/rss+xml"][href="${PUBLIC}/feed.xml"]`).count(), 1);
      const rss = await page.request.get(new URL(`${PUBLIC}/feed.xml`, suite.t.url).toString());
      assert.equal(rss.status(), 200);
      assert.match(rss.headers()['content-type'] ?? '', /^application\/rss\+xml/);
      assert.ok((await rss.text()).includes(SUBJECTS.avviso), 'the feed lacks an act online today');

      assert.deepEqual(problems, []);
      await assertAccessible(page, `GET ${PUBLIC}`);
    });

    it('the filter by type (form) lists only ordinanze, accessibly', async () => {
      const { page, problems } = await tabIn(anon, suite.pages);
      await visit(page, suite.t.url, PUBLIC);
      await page.selectOption('#tipo', 'ordinanza');
      await submitPublicFilters(page, (url) => url.searchParams.get('tipo') === 'ordinanza');
      assert.equal(await page.inputValue('#tipo'), 'ordinanza', 'the filter lost its value');
      const listed = await listedSubjects(page);
      assert.ok(listed.includes(SUBJECTS.ordinanza), 'the ordinanza is not listed');
      assert.ok(!listed.includes(SUBJECTS.avviso), 'an avviso is listed under the ordinanze');
      for (const line of await texts(page, 'section[aria-labelledby="atti"] article > p:first-of-type')) assert.match(line, / · Ordinanza · /);
      assert.match((await page.textContent('section[aria-labelledby="atti"] [role="status"]')) ?? '', /^\s*\d+ att[oi] trovat[oi]\./);
      assert.ok(await page.isVisible(`a.btn[href="${PUBLIC}"]`), 'no way to clear the filters');
      assert.deepEqual(problems, []);
      await assertAccessible(page, `GET ${PUBLIC}?tipo=ordinanza`);
    });

    it('the text search (form) finds the act by a word of its subject, and not the expired one', async () => {
      const { page, problems } = await tabIn(anon, suite.pages);
      await visit(page, suite.t.url, PUBLIC);
      await page.fill('#q', 'meridiana');
      await submitPublicFilters(page, (url) => url.searchParams.get('q') === 'meridiana');
      assert.deepEqual(await listedSubjects(page), [SUBJECTS.avviso]);
      assert.equal(((await page.textContent('section[aria-labelledby="atti"] [role="status"]')) ?? '').trim(), '1 atto trovato.');
      assert.equal(await page.inputValue('#q'), 'meridiana');
      assert.deepEqual(problems, []);
      await assertAccessible(page, `GET ${PUBLIC}?q=meridiana`);

      await page.fill('#q', 'platani');
      await submitPublicFilters(page, (url) => url.searchParams.get('q') === 'platani');
      assert.deepEqual(await listedSubjects(page), []);
      assert.equal(((await page.textContent('section[aria-labelledby="atti"] [role="status"]')) ?? '').trim(), 'Nessun atto in pubblicazione corrisponde alla ricerca.');
      assert.deepEqual(problems, []);
      await assertAccessible(page, `GET ${PUBLIC}?q=platani (no result)`);
    });

    it('the page of an act shows the SHA-256 of its document, which matches the downloaded bytes', async () => {
      const { page, problems } = await tabIn(anon, suite.pages);
      await visit(page, suite.t.url, PUBLIC);
      await Promise.all([page.waitForURL((url) => url.pathname === `${PUBLIC}/${acts.avviso.id}`, { waitUntil: 'load' }), page.click(`a[href="${PUBLIC}/${acts.avviso.id}"]`)]);
      assert.equal(await page.textContent('h1'), SUBJECTS.avviso);
      assert.match((await page.textContent('main')) ?? '', new RegExp(`n\\. ${acts.avviso.label}`));
      assert.equal(await page.locator('#annullamento').count(), 0, 'an act never annulled carries the annulment stamp');

      const shown = ((await page.textContent('section[aria-labelledby="documenti"] table tbody code')) ?? '').trim();
      assert.match(shown, /^[0-9a-f]{64}$/, `no SHA-256 shown: «${shown}»`);
      assert.equal(shown, sha256(pdf));
      const link = `section[aria-labelledby="documenti"] a[href="${PUBLIC}/${acts.avviso.id}/documenti/${shown}"]`;
      assert.equal(await page.locator(link).getAttribute('type'), 'application/pdf');
      assert.deepEqual(problems, []);
      await assertAccessible(page, `GET ${PUBLIC}/{id} (act online)`);

      // The document is served inline: following the link opens it in Chromium's PDF viewer, whose page is not the
      // file, so the bytes are fetched again through the same context (same cookies: none) to be hashed.
      const href = (await page.locator(link).getAttribute('href'))!;
      const [response] = await Promise.all([page.waitForResponse((r) => new URL(r.url()).pathname === href), page.click(link)]);
      assert.equal(response.status(), 200);
      assert.equal(response.headers()['content-type'], 'application/pdf');
      assert.match(response.headers()['content-disposition'] ?? '', /^inline; filename="avviso\.pdf"/);
      assert.equal(response.headers()['x-robots-tag'], 'noindex, noarchive');
      const file = await page.request.get(new URL(href, suite.t.url).toString());
      assert.equal(file.status(), 200);
      const bytes = await file.body();
      assert.ok(bytes.subarray(0, 5).equals(Buffer.from('%PDF-')), 'the document is not a PDF');
      assert.equal(sha256(bytes), shown, 'the downloaded bytes do not match the SHA-256 shown on the page');
      assert.deepEqual(problems, []);
    });

    it('an annulled act shows ANNULLATO with date and reason, accessibly', async () => {
      const { page, problems } = await tabIn(anon, suite.pages);
      await visit(page, suite.t.url, `${PUBLIC}/${acts.annulled.id}`);
      const stamp = page.locator('section#annullamento, section[aria-labelledby="annullamento"]');
      assert.ok(await stamp.isVisible(), 'no annulment stamp');
      assert.match((await page.textContent('#annullamento')) ?? '', /^\s*ANNULLATO il \d{2}\/\d{2}\/\d{4}\s*$/);
      assert.match((await stamp.textContent()) ?? '', /motivo: Errore materiale nell'importo della spesa/);
      assert.deepEqual(problems, []);
      await assertAccessible(page, `GET ${PUBLIC}/{id} (annulled)`);
    });

    it('a correction and its original link to each other, accessibly', async () => {
      const { page, problems } = await tabIn(anon, suite.pages);
      await visit(page, suite.t.url, `${PUBLIC}/${acts.correction.id}`);
      const toOriginal = page.locator(`section[aria-labelledby="dati"] a[href="${PUBLIC}/${acts.original.id}"]`);
      assert.equal(((await toOriginal.textContent()) ?? '').trim(), `n. ${acts.original.label}`);
      assert.deepEqual(problems, []);
      await assertAccessible(page, `GET ${PUBLIC}/{id} (correction)`);

      await Promise.all([page.waitForURL((url) => url.pathname === `${PUBLIC}/${acts.original.id}`, { waitUntil: 'load' }), toOriginal.click()]);
      assert.equal(await page.textContent('h1'), SUBJECTS.original);
      const toCorrection = page.locator(`section[aria-labelledby="dati"] a[href="${PUBLIC}/${acts.correction.id}"]`);
      assert.equal(((await toCorrection.textContent()) ?? '').trim(), `n. ${acts.correction.label}`);
      assert.match((await page.textContent('section[aria-labelledby="dati"]')) ?? '', /Rettificato dall’atto/);
      assert.deepEqual(problems, []);
      await assertAccessible(page, `GET ${PUBLIC}/{id} (corrected original)`);

      await Promise.all([page.waitForURL((url) => url.pathname === `${PUBLIC}/${acts.correction.id}`, { waitUntil: 'load' }), toCorrection.click()]);
      assert.equal(await page.textContent('h1'), SUBJECTS.correction);
    });

    it('the address of an expired act is an Italian 410 page, accessible', async () => {
      const { page, problems } = await tabIn(anon, suite.pages);
      const response = await page.goto(new URL(`${PUBLIC}/${acts.expired.id}`, suite.t.url).toString(), { waitUntil: 'load' });
      assert.equal(response?.status(), 410);
      assert.equal(response?.headers()['x-robots-tag'], 'noindex, noarchive');
      assert.match(response?.headers()['content-type'] ?? '', /^text\/html/);
      assert.equal(((await page.textContent('h1')) ?? '').trim(), 'Contenuto non più disponibile');
      assert.match((await page.textContent('[role="alert"]')) ?? '', /Atto non più pubblicato: il periodo di pubblicazione all’albo pretorio è terminato/);
      assert.doesNotMatch((await page.textContent('main')) ?? '', /platani/, 'the 410 page shows the subject of the expired act');
      const document = await page.request.get(new URL(`${PUBLIC}/${acts.expired.id}/documenti/${sha256(pdf)}`, suite.t.url).toString());
      assert.equal(document.status(), 410, 'the document of an expired act is still served');
      assert.deepEqual(problems, []);
      await assertAccessible(page, `GET ${PUBLIC}/{id} (expired, 410)`);
    });

    it('no public albo page set a cookie', async () => {
      assert.deepEqual(await anon.context().cookies(), []);
    });
  });

  describe('back office as the operator of Nizza Monferrato', () => {
    it('the register lists the acts and is accessible', async () => {
      const { page, problems } = await tabIn(nizza, suite.pages);
      await visit(page, suite.t.url, BACKOFFICE);
      assert.equal(await page.textContent('h1'), 'Albo pretorio di Nizza Monferrato');
      const subjects = await texts(page, 'section[aria-labelledby="registro"] tbody td a');
      assert.ok(subjects.includes(SUBJECTS.expired), 'the register does not list the expired act');
      assert.ok(subjects.includes(SUBJECTS.annulled), 'the register does not list the annulled act');
      assert.ok(await page.isVisible(`a.btn[href="${BACKOFFICE}/nuovo"]`), 'no "Nuovo atto" button');
      assert.deepEqual(problems, []);
      await assertAccessible(page, `GET ${BACKOFFICE}`);
    });

    it('a new act: form, PDF upload, draft, publication with the register number, annulment, referto', async () => {
      const { page, problems } = await tabIn(nizza, suite.pages);
      await visit(page, suite.t.url, BACKOFFICE);
      await Promise.all([page.waitForURL((url) => url.pathname === `${BACKOFFICE}/nuovo`, { waitUntil: 'load' }), page.click(`a.btn[href="${BACKOFFICE}/nuovo"]`)]);
      assert.equal(await page.textContent('h1'), 'Nuovo atto da pubblicare');
      assert.deepEqual(problems, []);
      await assertAccessible(page, `GET ${BACKOFFICE}/nuovo`);

      await page.selectOption('#atto-tipo', 'avviso');
      await page.fill('#atto-oggetto', SUBJECTS.created);
      await page.fill('#atto-ufficio', 'Ufficio tecnico');
      await page.fill('#atto-numero', '41');
      await page.fill('#atto-data', todayInRome());
      await page.setInputFiles('#atto-principale', { name: 'caditoie.pdf', mimeType: 'application/pdf', buffer: pdf });
      await Promise.all([
        page.waitForURL((url) => url.searchParams.get('esito') === 'bozza-creata', { waitUntil: 'load' }),
        page.click(`form[action="${BACKOFFICE}/nuovo"] button[type="submit"]`),
      ]);
      const id = new URL(page.url()).pathname.split('/').pop()!;
      assert.match(id, /^[0-9a-f-]{36}$/);
      assert.equal(await page.textContent('h1'), 'Bozza di atto');
      assert.match((await page.textContent('[role="status"].alert-success')) ?? '', /Bozza salvata/);
      assert.match((await page.textContent('section[aria-labelledby="dati"]')) ?? '', /bozza/);
      assert.equal(await page.locator('section[aria-labelledby="documenti"] tbody tr').count(), 1);
      assert.ok(await page.isVisible('#modulo-pubblica'), 'no publish form on the draft');
      assert.deepEqual(problems, []);
      await assertAccessible(page, `GET ${BACKOFFICE}/{id} (draft)`);

      await Promise.all([page.waitForURL((url) => url.searchParams.get('esito') === 'pubblicato', { waitUntil: 'load' }), page.click('#modulo-pubblica button[type="submit"]')]);
      const year = Number(todayInRome().slice(0, 4));
      const enteId = (await getEnteBySlug(suite.t.platform.db.app, SLUG))!.id;
      const last = (await suite.t.platform.db.owner.selectFrom('notice_register').select('last_number').where('ente_id', '=', enteId).where('year', '=', year).executeTakeFirstOrThrow()).last_number;
      const label = `${last}/${year}`;
      assert.equal(await page.textContent('h1'), `Atto n. ${label}`);
      assert.equal(((await page.textContent('[role="status"].alert-success')) ?? '').trim(), `Atto pubblicato con il numero di registro ${label}.`);
      assert.match((await page.textContent('section[aria-labelledby="dati"]')) ?? '', /in pubblicazione/);
      assert.equal(await page.locator('#modulo-pubblica').count(), 0, 'a published act still offers the publish form');
      assert.deepEqual(problems, []);
      await assertAccessible(page, `GET ${BACKOFFICE}/{id} (published)`);

      const referto = await download(page, `a[href="${BACKOFFICE}/${id}/referto.pdf"]`);
      forgetAbortedDownload(problems, `${BACKOFFICE}/${id}/referto.pdf`);
      assert.match(referto.name, new RegExp(`^referto-${SLUG}-${last}-${year}(-provvisorio)?\\.pdf$`));
      assert.ok(referto.bytes.subarray(0, 5).equals(Buffer.from('%PDF-')), 'the referto is not a PDF');

      await page.fill('#annulla-motivo', 'Avviso pubblicato per errore: i lavori sono rinviati');
      await Promise.all([page.waitForURL((url) => url.searchParams.get('esito') === 'annullato', { waitUntil: 'load' }), page.click('#modulo-annulla button[type="submit"]')]);
      assert.equal(await page.textContent('h1'), `Atto n. ${label}`);
      const badges = await page.locator('section[aria-labelledby="dati"] .badge').allInnerTexts();
      assert.ok(badges.some((b) => b.trim().toUpperCase() === 'ANNULLATO'), `no annulled badge: ${JSON.stringify(badges)}`);
      assert.match((await page.textContent('section[aria-labelledby="dati"]')) ?? '', /Annullato il \d{2}\/\d{2}\/\d{4}\. Avviso pubblicato per errore/);
      assert.equal(await page.locator('#modulo-annulla').count(), 0, 'an annulled act still offers the annul form');
      assert.deepEqual(problems, []);
      await assertAccessible(page, `GET ${BACKOFFICE}/{id} (annulled)`);

      // The public page says so too, to anyone.
      const { page: reader, problems: readerProblems } = await freshPage(suite.pages);
      await visit(reader, suite.t.url, `${PUBLIC}/${id}`);
      assert.match((await reader.textContent('#annullamento')) ?? '', /^\s*ANNULLATO il /);
      assert.deepEqual(readerProblems, []);
      assert.deepEqual(await reader.context().cookies(), []);
    });

    it('the interruptions page is accessible', async () => {
      const { page, problems } = await tabIn(nizza, suite.pages);
      await visit(page, suite.t.url, BACKOFFICE);
      await Promise.all([page.waitForURL((url) => url.pathname === `${BACKOFFICE}/interruzioni`, { waitUntil: 'load' }), page.click(`a.btn[href="${BACKOFFICE}/interruzioni"]`)]);
      assert.equal(await page.textContent('h1'), 'Interruzioni del servizio');
      assert.ok(await page.isVisible('#interruzione-inizio'), 'the operator has no form to declare an interruption');
      assert.deepEqual(problems, []);
      await assertAccessible(page, `GET ${BACKOFFICE}/interruzioni`);

      // Two hours yesterday (Rome wall-clock time): every act online yesterday gets one more day.
      const yesterday = new Date(Date.now() - 86_400_000).toLocaleDateString('en-CA', { timeZone: 'Europe/Rome' });
      await page.fill('#interruzione-inizio', `${yesterday}T10:00`);
      await page.fill('#interruzione-fine', `${yesterday}T12:00`);
      await page.fill('#interruzione-causa', 'Guasto del server del fornitore');
      await Promise.all([
        page.waitForURL((url) => url.pathname === `${BACKOFFICE}/interruzioni` && (url.searchParams.get('esito') ?? '').startsWith('interruzione'), { waitUntil: 'load' }),
        page.click(`form[action="${BACKOFFICE}/interruzioni"] button[type="submit"]`),
      ]);
      assert.match((await page.textContent('[role="status"].alert-success')) ?? '', /^\s*Interruzione registrata: /);
      assert.deepEqual(await texts(page, 'section[aria-labelledby="elenco"] tbody td:nth-child(3)'), ['Guasto del server del fornitore']);
      assert.deepEqual(problems, []);
      await assertAccessible(page, `GET ${BACKOFFICE}/interruzioni?esito=… (one interruption)`);
    });

    it('the requests page is accessible', async () => {
      const { page, problems } = await tabIn(nizza, suite.pages);
      await visit(page, suite.t.url, BACKOFFICE);
      await Promise.all([page.waitForURL((url) => url.pathname === `${BACKOFFICE}/richieste`, { waitUntil: 'load' }), page.click(`a.btn[href="${BACKOFFICE}/richieste"]`)]);
      assert.equal(await page.textContent('h1'), 'Richieste di pubblicazione');
      assert.deepEqual(problems, []);
      await assertAccessible(page, `GET ${BACKOFFICE}/richieste`);

      await Promise.all([page.waitForURL((url) => url.pathname === `${BACKOFFICE}/richieste/nuova`, { waitUntil: 'load' }), page.click(`a.btn[href="${BACKOFFICE}/richieste/nuova"]`)]);
      assert.ok(await page.isVisible('#richiesta-destinatario'), 'the new request form has no recipient');
      assert.deepEqual(problems, []);
      await assertAccessible(page, `GET ${BACKOFFICE}/richieste/nuova`);
    });

    it('a draft with personal data asks for a confirmation before publication, accessibly', async () => {
      const { page, problems } = await tabIn(nizza, suite.pages);
      const enteId = (await getEnteBySlug(suite.t.platform.db.app, SLUG))!.id;
      const sensitive = await makePdf('Contributo economico a una famiglia residente: la diagnosi della malattia del figlio è allegata alla domanda.');
      const { id, findings } = await createDraft(suite.t.platform, actor, enteId, { actType: 'determinazione', subject: 'Concessione di un contributo economico straordinario', office: 'Servizi sociali' }, [
        { bytes: sensitive, originalName: 'contributo.pdf' },
      ]);
      assert.ok(findings.length > 0, 'the scan found no personal data in the document');
      await visit(page, suite.t.url, `${BACKOFFICE}/${id}`);
      assert.ok(await page.isVisible('section[aria-labelledby="dati-personali"]'), 'no personal-data section on the draft');
      assert.ok(await page.isVisible('#conferma-dati'), 'no confirmation checkbox');
      assert.deepEqual(problems, []);
      await assertAccessible(page, `GET ${BACKOFFICE}/{id} (draft with personal data)`);

      const refused = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === `${BACKOFFICE}/${id}/pubblica`);
      await page.click('#modulo-pubblica button[type="submit"]');
      assert.equal((await refused).status(), 422);
      await page.waitForLoadState('load');
      assert.match((await page.textContent('[role="alert"]')) ?? '', /Il testo contiene dati personali che potrebbero non essere pubblicabili/);
      assert.equal(await page.textContent('h1'), 'Bozza di atto');
      assert.deepEqual(problems, []);
      await assertAccessible(page, `POST ${BACKOFFICE}/{id}/pubblica (not confirmed, 422)`);

      // Bootstrap Italia draws the box on the label (the input itself is transparent under it): click it as a person does.
      await page.click('label[for="conferma-dati"]');
      assert.ok(await page.isChecked('#conferma-dati'), 'clicking the label did not tick the confirmation');
      await Promise.all([page.waitForURL((url) => url.searchParams.get('esito') === 'pubblicato', { waitUntil: 'load' }), page.click('#modulo-pubblica button[type="submit"]')]);
      assert.match((await page.textContent('h1')) ?? '', /^Atto n\. \d+\/\d{4}$/);
      assert.deepEqual(problems, []);
      await assertAccessible(page, `GET ${BACKOFFICE}/{id} (published after confirmation)`);
    });

    it('a JPEG renamed .pdf is refused with an Italian alert, the fields are kept, and the page is accessible', async () => {
      const { page, problems } = await tabIn(nizza, suite.pages);
      await visit(page, suite.t.url, `${BACKOFFICE}/nuovo`);
      const jpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]), Buffer.from('JFIF\0'), Buffer.alloc(2000, 7), Buffer.from([0xff, 0xd9])]);
      await page.selectOption('#atto-tipo', 'ordinanza');
      await page.fill('#atto-oggetto', 'Ordinanza di chiusura della strada vicinale');
      await page.fill('#atto-ufficio', 'Polizia locale');
      await page.setInputFiles('#atto-principale', { name: 'ordinanza.pdf', mimeType: 'application/pdf', buffer: jpeg });
      const refused = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === `${BACKOFFICE}/nuovo`);
      await page.click(`form[action="${BACKOFFICE}/nuovo"] button[type="submit"]`);
      assert.equal((await refused).status(), 422);
      await page.waitForLoadState('load');
      const alert = page.locator('[role="alert"]');
      assert.equal(await alert.count(), 1);
      assert.ok(await alert.isVisible());
      const message = ((await alert.textContent()) ?? '').replace(/\s+/g, ' ').trim();
      assert.match(message, /L'operazione non è stata eseguita/);
      assert.match(message, /Il file «ordinanza\.pdf» non è un PDF \(contenuto: immagine JPEG\)/);
      assert.equal(await page.inputValue('#atto-tipo'), 'ordinanza');
      assert.equal(await page.inputValue('#atto-oggetto'), 'Ordinanza di chiusura della strada vicinale');
      assert.equal(await page.inputValue('#atto-ufficio'), 'Polizia locale');
      assert.deepEqual(problems, []);
      await assertAccessible(page, `POST ${BACKOFFICE}/nuovo (JPEG renamed .pdf, 422)`);
    });
  });

  describe('as the administrator of Asti', () => {
    it('the albo of Nizza Monferrato is an Italian 403 page, accessible', async () => {
      const { page, problems } = await tabIn(asti, suite.pages);
      await visit(page, suite.t.url, BACKOFFICE, 403);
      assert.equal(await page.textContent('h1'), 'Accesso negato');
      assert.ok(await page.isVisible('[role="alert"]'));
      assert.doesNotMatch((await page.textContent('main')) ?? '', /Albo pretorio di Nizza Monferrato/);
      assert.deepEqual(problems, []);
      await assertAccessible(page, `GET ${BACKOFFICE} (admin@asti.demo, 403)`);
    });
  });
});
