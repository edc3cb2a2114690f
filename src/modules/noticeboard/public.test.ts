// The public albo over HTTP: list, detail, files, RSS feed and JSON API show exactly the acts online today;
// an act whose period is over answers 410 everywhere (decided on read, no scheduler), other enti's acts are
// invisible, every response says noindex/noarchive and none sets a cookie for an anonymous reader.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { startTestPlatform, type TestPlatform } from '../../../test/support/platform.js';
import { addDays, italianDate, todayInRome } from '../../platform/calendar/index.js';
import { getEnteBySlug } from '../../platform/tenancy/index.js';
import { contentDisposition } from './public/shared.js';
import { pageWindow } from './public/list.js';
import { rfc822RomeDay, xmlAttr, xmlText } from './feed.js';
import { annul, createDraft, publicDetail, publicList, publish, type DraftInput, type NoticeView } from './service.js';
import { makePdf } from '../../../test/support/pdf.js';

const actor = { id: null, label: 'test' };
const DAY = 86_400_000;


const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const robots = (res: { headers: Record<string, unknown> }) => assert.equal(res.headers['x-robots-tag'], 'noindex, noarchive');
const noCookie = (res: { headers: Record<string, unknown> }) => assert.equal(res.headers['set-cookie'], undefined);

describe('albo pretorio: public pages, files, feed and API', () => {
  let t: TestPlatform;
  let enteId: string;
  let otherId: string;
  let mainPdf: Buffer;
  let attachmentPdf: Buffer;
  let online: NoticeView;
  let expired: NoticeView;
  let annulled: NoticeView;
  let correction: NoticeView;
  let scheduled: NoticeView;
  let foreign: NoticeView;

  const get = (url: string, headers: Record<string, string> = {}) => t.app.inject({ method: 'GET', url, headers });
  const act = async (id: string, input: Partial<DraftInput> = {}, now?: Date, files?: { bytes: Buffer; originalName: string; title?: string }[]) => {
    const draft = await createDraft(
      t.platform,
      actor,
      id,
      { actType: 'avviso', subject: 'Avviso di chiusura degli uffici comunali', office: 'Segreteria', ...input },
      files ?? [{ bytes: mainPdf, originalName: 'avviso.pdf' }],
    );
    return publish(t.platform, actor, id, draft.id, { confirmPrivacy: true, ...(now ? { now } : {}) });
  };

  before(async () => {
    t = await startTestPlatform();
    enteId = (await getEnteBySlug(t.platform.db.app, 'mombercelli'))!.id;
    otherId = (await getEnteBySlug(t.platform.db.app, 'vinchio'))!.id;
    mainPdf = await makePdf('Determinazione: affidamento del lavoro di manutenzione della strada comunale.');
    attachmentPdf = await makePdf('Allegato A: computo metrico estimativo.');
    online = await act(
      enteId,
      {
        actType: 'determinazione',
        subject: 'Affidamento del lavoro di manutenzione & pulizia <strada> "Val Tiglione"',
        office: 'Ufficio tecnico',
        actNumber: '45',
        actDate: addDays(todayInRome(), -2),
      },
      undefined,
      [
        { bytes: mainPdf, originalName: 'Determina n. 45 – città.pdf', title: 'Determinazione n. 45' },
        { bytes: attachmentPdf, originalName: 'allegato-a.pdf', title: 'Allegato A' },
      ],
    );
    // Published 40 days ago for 15 days: its period ended weeks ago, and nothing ran to take it down.
    expired = await act(enteId, { subject: 'Ordinanza scaduta sulla viabilità di piazza Vittoria', actType: 'ordinanza' }, new Date(Date.now() - 40 * DAY), [
      { bytes: await makePdf('Ordinanza scaduta.'), originalName: 'ordinanza.pdf' },
    ]);
    annulled = await act(enteId, { subject: 'Convocazione del consiglio comunale in seduta ordinaria' });
    await annul(t.platform, actor, enteId, annulled.id, "Errore materiale nella data della seduta");
    correction = await act(enteId, { subject: 'Rettifica della determinazione di affidamento', actType: 'determinazione', correctsId: online.id }, undefined, [
      { bytes: await makePdf('Rettifica.'), originalName: 'rettifica.pdf' },
    ]);
    scheduled = await act(enteId, { subject: 'Avviso programmato per la settimana prossima', requestedStart: addDays(todayInRome(), 5) });
    foreign = await act(otherId, { subject: 'Avviso di un altro comune sui lavori di sgombero neve' }, undefined, [
      { bytes: await makePdf('Altro comune.'), originalName: 'altro.pdf' },
    ]);
  });
  after(() => t.close());

  it('lists the acts online today, with number, type, period and the annulment and correction marks', async () => {
    const res = await get('/mombercelli/albo');
    assert.equal(res.statusCode, 200);
    robots(res);
    noCookie(res);
    const html = res.body;
    assert.ok(html.includes('Affidamento del lavoro di manutenzione &amp; pulizia &lt;strada'), 'subject escaped');
    assert.ok(!html.includes('<strada>'));
    assert.ok(html.includes(`n. ${online.register!.label}`));
    assert.ok(html.includes('Determinazione'));
    assert.ok(html.includes(`dal ${italianDate(online.publishFrom!)} al ${italianDate(online.effectiveTo!)}`));
    assert.ok(html.includes(`href="/mombercelli/albo/${online.id}"`));
    assert.ok(html.includes('ANNULLATO'));
    assert.ok(html.includes(`rettifica dell’atto <a href="/mombercelli/albo/${online.id}">n. ${online.register!.label}</a>`));
    assert.ok(html.includes('rettificato'));
    assert.ok(html.includes('<link rel="alternate" type="application/rss+xml"'));
    assert.ok(html.includes('href="/mombercelli/albo/feed.xml"'));
    assert.ok(html.includes('3 atti in pubblicazione'), 'the online act, the annulled one and the correction');
    for (const absent of [expired, scheduled, foreign]) assert.ok(!html.includes(absent.subject), `${absent.subject} must not be listed`);
  });

  it('filters by type and year and searches the Italian full text (a stem: «lavori» finds «lavoro»)', async () => {
    const byType = await get('/mombercelli/albo?tipo=determinazione');
    assert.ok(byType.body.includes(online.id) && byType.body.includes(correction.id));
    assert.ok(!byType.body.includes(annulled.subject));
    assert.ok(byType.body.includes('<option value="determinazione" selected'));

    const search = await get('/mombercelli/albo?q=lavori');
    assert.equal(search.statusCode, 200);
    assert.ok(search.body.includes(online.id), 'lavori → lavoro');
    assert.ok(!search.body.includes(annulled.id));
    assert.ok(search.body.includes('1 atto trovato'));

    const gone = await get(`/mombercelli/albo?q=${encodeURIComponent('piazza Vittoria')}`);
    assert.ok(gone.body.includes('Nessun atto in pubblicazione corrisponde alla ricerca'), 'an expired act is not found by search');

    const year = online.register!.year;
    const byYear = await get(`/mombercelli/albo?anno=${year}`);
    assert.ok(byYear.body.includes(online.id));
    const otherYear = await get(`/mombercelli/albo?anno=${year - 2}`);
    assert.ok(!otherYear.body.includes(online.id));

    // Values a reader may have edited by hand are ignored, not an error.
    const odd = await get('/mombercelli/albo?tipo=%3Cscript%3E&anno=abc&pagina=-3');
    assert.equal(odd.statusCode, 200);
    assert.ok(odd.body.includes(online.id));
  });

  it('paginates 20 per page with an accessible navigation', async () => {
    const id = (await getEnteBySlug(t.platform.db.app, 'castel-boglione'))!.id;
    const drafts = await Promise.all(
      Array.from({ length: 22 }, (_, i) => createDraft(t.platform, actor, id, { actType: 'avviso', subject: `Avviso numero ${i + 1} ai cittadini`, office: 'Segreteria' }, [{ bytes: mainPdf, originalName: 'a.pdf' }])),
    );
    for (const d of drafts) await publish(t.platform, actor, id, d.id, { confirmPrivacy: true });
    const first = await get('/castel-boglione/albo');
    assert.equal((first.body.match(/<article /g) ?? []).length, 20);
    assert.ok(first.body.includes('aria-label="Pagine dei risultati"'));
    assert.ok(first.body.includes('aria-current="page"'));
    assert.ok(first.body.includes('href="/castel-boglione/albo?pagina=2"'));
    assert.ok(first.body.includes('Pagina 1 di 2'));
    const second = await get('/castel-boglione/albo?pagina=2');
    assert.equal((second.body.match(/<article /g) ?? []).length, 2);
    assert.ok(second.body.includes('Avviso numero 1 ai cittadini'), 'the oldest number is last');
    const past = await get('/castel-boglione/albo?pagina=99');
    assert.equal((past.body.match(/<article /g) ?? []).length, 2, 'a page past the end shows the last one');
    assert.deepEqual(pageWindow(1, 1), [1]);
    assert.deepEqual(pageWindow(6, 12), [1, null, 4, 5, 6, 7, 8, null, 12]);
  });

  it('shows an act with its documents, SHA-256, corrections both ways and the annulment stamp', async () => {
    const res = await get(`/mombercelli/albo/${online.id}`);
    assert.equal(res.statusCode, 200);
    robots(res);
    noCookie(res);
    const html = res.body;
    assert.ok(html.includes('Ufficio tecnico'));
    assert.ok(html.includes('Determina n. 45 – città.pdf'));
    assert.ok(html.includes(sha(mainPdf)) && html.includes(sha(attachmentPdf)));
    assert.ok(html.includes(`href="/mombercelli/albo/${online.id}/documenti/${sha(mainPdf)}"`));
    assert.ok(html.includes('kB') || html.includes('byte'));
    assert.ok(html.includes('Rettificato dall’atto'));
    assert.ok(html.includes(`href="/mombercelli/albo/${correction.id}"`));
    assert.ok(!html.includes('role="alert"'));

    const back = await get(`/mombercelli/albo/${correction.id}`);
    assert.ok(back.body.includes('Rettifica dell’atto') && back.body.includes(`href="/mombercelli/albo/${online.id}"`));

    const stamped = await get(`/mombercelli/albo/${annulled.id}`);
    assert.equal(stamped.statusCode, 200);
    assert.ok(stamped.body.includes(`ANNULLATO il ${italianDate(todayInRome())}`));
    assert.ok(stamped.body.includes('— motivo: Errore materiale nella data della seduta'));
    assert.ok(!stamped.body.includes('role="alert"'), 'a stamp is static content, not a live alert');
  });

  it('answers 410 for an expired act (page and file, even by direct address) and 404 for what was never public', async () => {
    const page = await get(`/mombercelli/albo/${expired.id}`);
    assert.equal(page.statusCode, 410);
    robots(page);
    noCookie(page);
    assert.match(page.headers['content-type'] as string, /text\/html/);
    assert.ok(page.body.includes('Atto non più pubblicato'));
    assert.ok(page.body.includes('diritto all’oblio'));
    const file = await get(`/mombercelli/albo/${expired.id}/documenti/${expired.documents[0]!.sha256}`);
    assert.equal(file.statusCode, 410);
    robots(file);

    for (const url of [
      `/mombercelli/albo/${scheduled.id}`,
      `/mombercelli/albo/00000000-0000-4000-8000-000000000000`,
      `/mombercelli/albo/non-un-id`,
      `/mombercelli/albo/${foreign.id}`, // another ente's act under this ente's address
      `/vinchio/albo/${online.id}`,
      `/ente-che-non-esiste/albo`,
      `/ente-che-non-esiste/albo/${online.id}`,
    ]) {
      const res = await get(url);
      assert.equal(res.statusCode, 404, url);
      robots(res);
      noCookie(res);
    }
    const unknown = await get('/ente-che-non-esiste/albo');
    assert.ok(unknown.body.includes('Nessun ente della rete ha l’indirizzo «ente-che-non-esiste»'));
  });

  it('serves a document inline with its name, type, ETag and a short private cache', async () => {
    const url = `/mombercelli/albo/${online.id}/documenti/${sha(mainPdf)}`;
    const res = await get(url);
    assert.equal(res.statusCode, 200);
    robots(res);
    noCookie(res);
    assert.equal(res.headers['content-type'], 'application/pdf');
    assert.equal(res.headers['content-disposition'], `inline; filename="Determina n. 45 _ citta.pdf"; filename*=UTF-8''Determina%20n.%2045%20%E2%80%93%20citt%C3%A0.pdf`);
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    assert.equal(res.headers['etag'], `"${sha(mainPdf)}"`);
    assert.equal(res.headers['cache-control'], 'private, max-age=300');
    assert.ok(res.rawPayload.equals(mainPdf));
    const again = await get(url, { 'if-none-match': `"${sha(mainPdf)}"` });
    assert.equal(again.statusCode, 304);

    for (const bad of [
      `/mombercelli/albo/${online.id}/documenti/${sha(Buffer.from('altro'))}`, // not a document of this act
      `/mombercelli/albo/${annulled.id}/documenti/${sha(attachmentPdf)}`, // a document of another act
      `/mombercelli/albo/${online.id}/documenti/zzz`,
      `/vinchio/albo/${online.id}/documenti/${sha(mainPdf)}`,
      `/mombercelli/albo/${foreign.id}/documenti/${foreign.documents[0]!.sha256}`,
    ]) {
      const r = await get(bad);
      assert.equal(r.statusCode, 404, bad);
      robots(r);
    }
    assert.equal(contentDisposition('attachment', 'a"b;c.pdf'), `attachment; filename="a_b_c.pdf"; filename*=UTF-8''a%22b%3Bc.pdf`);
  });

  it('publishes an RSS 2.0 feed with the AlboPOP categories, only for acts online now, properly escaped', async () => {
    const res = await get('/mombercelli/albo/feed.xml');
    assert.equal(res.statusCode, 200);
    robots(res);
    noCookie(res);
    assert.equal(res.headers['content-type'], 'application/rss+xml; charset=utf-8');
    const xml = res.body;
    assert.ok(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"'));
    assert.equal((xml.match(/<item>/g) ?? []).length, 3);
    assert.equal((xml.match(/<\/item>/g) ?? []).length, 3);
    assert.ok(xml.includes('<title>AlboPOP - Comune - Mombercelli</title>'));
    assert.ok(xml.includes('<category domain="http://albopop.it/specs#channel-category-name">Comune di Mombercelli</category>'));
    assert.ok(xml.includes('<category domain="http://albopop.it/specs#channel-category-uid">istat:005066</category>'));
    assert.ok(xml.includes('<category domain="http://albopop.it/specs#channel-category-province">Asti</category>'));
    assert.ok(xml.includes('<xhtml:meta name="robots" content="noindex"/>'));
    const base = t.platform.config.publicUrl;
    assert.ok(xml.includes(`<guid isPermaLink="true">${base}/mombercelli/albo/${online.id}</guid>`));
    assert.ok(xml.includes(`<link>${base}/mombercelli/albo/${online.id}</link>`));
    assert.ok(xml.includes(`<category domain="http://albopop.it/specs#item-category-uid">${online.register!.year}/${online.register!.number}</category>`));
    assert.ok(xml.includes('<category domain="http://albopop.it/specs#item-category-type">Determinazione</category>'));
    assert.ok(xml.includes(`<category domain="http://albopop.it/specs#item-category-pubEnd">${rfc822RomeDay(online.effectiveTo!, '23:59:59')}</category>`));
    assert.ok(xml.includes(`<enclosure url="${base}/mombercelli/albo/${online.id}/documenti/${sha(mainPdf)}"`));
    assert.ok(xml.includes('ANNULLATO il'));
    // Escaping: the subject's & < > and quotes never appear raw.
    assert.ok(xml.includes('<title>Affidamento del lavoro di manutenzione &amp; pulizia &lt;strada&gt; "Val Tiglione"</title>'));
    assert.ok(!xml.includes('<strada>'));
    assert.ok(!/&(?!amp;|lt;|gt;|quot;|apos;|#\d+;)/.test(xml), 'every & is an entity');
    for (const absent of [expired, scheduled, foreign]) assert.ok(!xml.includes(absent.id), `${absent.subject} must not be in the feed`);
    // Tags balanced (a cheap well-formedness check).
    const opened = (xml.match(/<(?!\?|\/)[a-zA-Z:]+(?:\s[^>]*)?(?<!\/)>/g) ?? []).length;
    const closed = (xml.match(/<\/[a-zA-Z:]+>/g) ?? []).length;
    assert.equal(opened, closed);

    assert.equal(xmlText('a & b < c > d \u0001'), 'a &amp; b &lt; c &gt; d ');
    assert.equal(xmlAttr(`"x" 'y'`), '&quot;x&quot; &apos;y&apos;');
    assert.equal(rfc822RomeDay('2026-01-15', '00:00:00'), 'Thu, 15 Jan 2026 00:00:00 +0100');
    assert.equal(rfc822RomeDay('2026-07-15', '23:59:59'), 'Wed, 15 Jul 2026 23:59:59 +0200');
    assert.equal((await get('/ente-che-non-esiste/albo/feed.xml')).statusCode, 404);
  });

  it('JSON API: the acts online today, one act, 410 after expiry, Italian problems', async () => {
    const list = await get('/api/v1/enti/mombercelli/albo');
    assert.equal(list.statusCode, 200);
    robots(list);
    noCookie(list);
    const body = list.json();
    assert.equal(body.total, 3);
    assert.deepEqual(body.items.map((i: { id: string }) => i.id).sort(), [online.id, annulled.id, correction.id].sort());
    const item = body.items.find((i: { id: string }) => i.id === online.id);
    assert.equal(item.register.label, online.register!.label);
    assert.equal(item.actType.code, 'determinazione');
    assert.equal(item.documents.length, 2);
    assert.equal(item.documents[0].sha256, sha(mainPdf));
    assert.equal(item.documents[0].href, `/mombercelli/albo/${online.id}/documenti/${sha(mainPdf)}`);
    assert.equal(item.correctedBy[0].id, correction.id);
    assert.equal(item.url, `/mombercelli/albo/${online.id}`);
    assert.equal(item.privacyFindings, undefined, 'no staff-only data');
    assert.equal(body.items.find((i: { id: string }) => i.id === annulled.id).annulment.reason, 'Errore materiale nella data della seduta');

    const search = (await get('/api/v1/enti/mombercelli/albo?q=lavori&limit=5')).json();
    assert.deepEqual(search.items.map((i: { id: string }) => i.id), [online.id]);
    assert.equal((await get('/api/v1/enti/mombercelli/albo?q=Vittoria')).json().total, 0);
    assert.equal((await get('/api/v1/enti/mombercelli/albo?type=ordinanza')).json().total, 0);
    const paged = (await get('/api/v1/enti/mombercelli/albo?limit=1&offset=1')).json();
    assert.equal(paged.items.length, 1);
    assert.equal(paged.total, 3);

    for (const bad of ['limit=0', 'limit=101', 'offset=-1', 'year=1999', 'type=NON%20VALIDO']) {
      const r = await get(`/api/v1/enti/mombercelli/albo?${bad}`);
      assert.equal(r.statusCode, 400, bad);
      assert.match(r.headers['content-type'] as string, /application\/problem\+json/);
      robots(r);
    }
    const unknown = await get('/api/v1/enti/ente-che-non-esiste/albo');
    assert.equal(unknown.statusCode, 404);
    assert.match(unknown.json().detail, /Nessun ente/);

    const one = await get(`/api/v1/enti/mombercelli/albo/${online.id}`);
    assert.equal(one.statusCode, 200);
    robots(one);
    assert.equal(one.json().subject, online.subject);

    const gone = await get(`/api/v1/enti/mombercelli/albo/${expired.id}`);
    assert.equal(gone.statusCode, 410);
    robots(gone);
    assert.match(gone.headers['content-type'] as string, /application\/problem\+json/);
    assert.equal(gone.json().status, 410);
    assert.match(gone.json().detail, /Atto non più pubblicato/);

    for (const id of [scheduled.id, foreign.id, 'non-un-id']) {
      const r = await get(`/api/v1/enti/mombercelli/albo/${id}`);
      assert.equal(r.statusCode, 404, id);
      robots(r);
    }

    const openapi = (await get('/api/openapi.json')).json();
    assert.deepEqual(openapi.paths['/api/v1/enti/{slug}/albo'].get.tags, ['albo']);
  });

  it('expiry is decided on read: the same act is online today and gone once its day has passed', async () => {
    const later = new Date(new Date(`${online.effectiveTo}T12:00:00Z`).getTime() + DAY);
    assert.notEqual(await publicDetail(t.platform.db.app, enteId, online.id), 'gone');
    assert.equal(await publicDetail(t.platform.db.app, enteId, online.id, later), 'gone');
    const now = await publicList(t.platform.db.app, enteId, { limit: 50, offset: 0 });
    const then = await publicList(t.platform.db.app, enteId, { limit: 50, offset: 0 }, later);
    assert.ok(now.items.some((n) => n.id === online.id));
    assert.ok(!then.items.some((n) => n.id === online.id));
    // The act published 40 days ago was never taken down by anything, yet it is not online.
    const before40 = new Date(Date.now() - 39 * DAY);
    assert.notEqual(await publicDetail(t.platform.db.app, enteId, expired.id, before40), 'gone');
  });
});
