// The knowledge base against real PostgreSQL: Italian full-text search (stemming, accents, ranking, snippets that
// escape HTML, misspellings), the visibility matrix for every way of reaching an article (list, search,
// suggestion, direct URL, ticket links), the desk's editor with its revisions and audit, links from tickets
// (desk only, audited) and votes.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { login, postForm, type Browser } from '../../../../test/support/http.js';
import { startTestPlatform, type TestPlatform } from '../../../../test/support/platform.js';
import { getEnteBySlug } from '../../../platform/tenancy/index.js';
import { openTicket } from '../service.js';
import { createArticle, searchArticles, suggestArticles, updateArticle, type ArticleInput } from './service.js';

const desk = { id: null, label: 'test kb' };
const article = (extra: Partial<ArticleInput>): ArticleInput => ({
  title: 'Articolo di prova',
  body: 'Testo di prova.',
  category: null,
  keywords: [],
  state: 'published',
  visibility: 'all',
  audienceEnteIds: [],
  ...extra,
});

describe('helpdesk knowledge base', () => {
  let t: TestPlatform;
  let cst: Browser; // admin@cst.demo: the desk
  let asti: Browser; // admin@asti.demo: requester of Asti
  let canelli: Browser; // segreteria@canelli.demo: requester of Canelli
  let nizzaAlbo: Browser; // operatore@nizza-monferrato.demo: no help desk permission
  const ids = { asti: '', canelli: '', nizza: '', cst: '' };
  // one article per visibility case, with a word no seed article uses
  const a = { all: '', cst: '', canelli: '', draft: '', archived: '' };
  let canelliTicket = '';
  let astiTicket = '';

  before(async () => {
    t = await startTestPlatform();
    const db = t.platform.db.app;
    for (const [key, slug] of [['asti', 'asti'], ['canelli', 'canelli'], ['nizza', 'nizza-monferrato'], ['cst', 'provincia-di-asti']] as const) ids[key] = (await getEnteBySlug(db, slug))!.id;
    cst = await login(t.app, 'admin@cst.demo');
    asti = await login(t.app, 'admin@asti.demo');
    canelli = await login(t.app, 'segreteria@canelli.demo');
    nizzaAlbo = await login(t.app, 'operatore@nizza-monferrato.demo');
    const make = async (title: string, extra: Partial<ArticleInput>) => (await createArticle(db, desk, article({ title, body: `Protocollo girasole: ${title}.`, ...extra }))).id;
    a.all = await make('Girasole per tutti', {});
    a.cst = await make('Girasole riservato al CST', { visibility: 'cst' });
    a.canelli = await make('Girasole per Canelli', { visibility: 'enti', audienceEnteIds: [ids.canelli] });
    a.draft = await make('Girasole in bozza', { state: 'draft' });
    a.archived = await make('Girasole archiviato', { state: 'archived' });
    const ticket = { channel: 'phone' as const, callerName: 'Giulia Rosso', callerPhone: '0141 000000', category: 'altro', urgency: 2, impact: 2, subject: 'Richiesta di prova', description: 'Prova.' };
    canelliTicket = (await openTicket(db, desk, ids.canelli, ticket)).id;
    astiTicket = (await openTicket(db, desk, ids.asti, ticket)).id;
  });
  after(() => t.close());

  const get = (who: Browser | null, url: string) => t.app.inject({ method: 'GET', url, headers: who ? { cookie: who.cookie } : {} });
  const send = (who: Browser | null, method: 'POST' | 'PUT' | 'DELETE', url: string, payload?: Record<string, unknown>) =>
    t.app.inject({ method, url, ...(payload ? { payload } : {}), headers: who ? { cookie: who.cookie } : {} });
  const auditCount = async (enteId: string, action: string, entityId?: string) => {
    let q = t.platform.db.owner.selectFrom('audit_log').select((eb) => eb.fn.countAll<number>().as('n')).where('ente_id', '=', enteId).where('action', '=', action);
    if (entityId) q = q.where('entity_id', '=', entityId);
    return Number((await q.executeTakeFirstOrThrow()).n);
  };
  const titles = (items: { title: string }[]) => items.map((i) => i.title);

  describe('Italian full-text search', () => {
    it('stems Italian words: "stampanti" finds the article on the printer, "PEC non riceve" the full mailbox', async () => {
      const reader = { desk: false as const, enteId: ids.asti };
      const printers = await searchArticles(t.platform.db.app, reader, 'stampanti', { limit: 10, offset: 0 });
      assert.equal(printers.mode, 'all');
      assert.ok(titles(printers.items).includes('Stampante di rete non stampa o risulta offline'), titles(printers.items).join(' | '));
      const pec = await searchArticles(t.platform.db.app, reader, 'PEC non riceve', { limit: 10, offset: 0 });
      assert.equal(pec.items[0]?.title, 'Casella PEC piena: non riceve più messaggi');
      assert.ok(pec.items[0]!.snippet.some((p) => p.match && /ricev/i.test(p.text)), JSON.stringify(pec.items[0]!.snippet));
      // the desk's own procedure on PEC quotas is not for the enti
      assert.ok(!titles(pec.items).some((x) => x.startsWith('Procedura interna')));
      const deskPec = await searchArticles(t.platform.db.app, { desk: true }, 'PEC quota', { limit: 10, offset: 0 });
      assert.ok(titles(deskPec.items).some((x) => x.startsWith('Procedura interna')));
    });

    it('ignores accents, ranks a title match above a body match, and falls back for misspellings', async () => {
      const db = t.platform.db.app;
      await createArticle(db, desk, article({ title: 'Pergamena digitale dei verbali', body: 'Come conservare i verbali.' }));
      await createArticle(db, desk, article({ title: 'Conservazione dei verbali', body: 'Il verbale diventa una pergamena digitale firmata; perché la città lo richiede.' }));
      const reader = { desk: false as const, enteId: ids.nizza };
      const ranked = await searchArticles(db, reader, 'pergamena', { limit: 10, offset: 0 });
      assert.deepEqual(titles(ranked.items), ['Pergamena digitale dei verbali', 'Conservazione dei verbali']);
      assert.ok(ranked.items[0]!.rank > ranked.items[1]!.rank);
      const accents = await searchArticles(db, reader, 'perche citta', { limit: 10, offset: 0 });
      assert.deepEqual(titles(accents.items), ['Conservazione dei verbali']);
      const typo = await searchArticles(db, reader, 'stampnte', { limit: 10, offset: 0 });
      assert.equal(typo.mode, 'similar');
      assert.ok(titles(typo.items).includes('Stampante di rete non stampa o risulta offline'), titles(typo.items).join(' | '));
    });

    it('suggests up to 5 published articles from any of the words typed in a ticket', async () => {
      const items = await suggestArticles(t.platform.db.app, { desk: false, enteId: ids.asti }, 'Buongiorno, la nostra casella PEC da ieri non riceve niente e la stampante è offline');
      assert.ok(items.length > 0 && items.length <= 5);
      assert.ok(titles(items).includes('Casella PEC piena: non riceve più messaggi'));
      assert.ok(items.every((i) => i.state === 'published' && i.visibility !== 'cst'));
      assert.deepEqual(await suggestArticles(t.platform.db.app, { desk: false, enteId: ids.asti }, '  ?! '), []);
    });

    it('shows a body with <script> escaped, in snippets and on the article page', async () => {
      const evil = await createArticle(t.platform.db.app, desk, article({ title: 'Zanzara tigre nel server', body: 'Attenzione: <script>alert("zanzara")</script> e <img src=x onerror=alert(1)> [clic](javascript:alert(2))' }));
      const res = await get(asti, '/backoffice/enti/asti/assistenza/guida?q=zanzara');
      assert.equal(res.statusCode, 200);
      assert.ok(!res.body.includes('<script>alert'), 'a raw script tag reached the page');
      assert.match(res.body, /&lt;script>alert\(&quot;<mark>zanzara<\/mark>&quot;\)&lt;\/script>/);
      const page = await get(asti, `/backoffice/enti/asti/assistenza/guida/${evil.id}`);
      assert.equal(page.statusCode, 200);
      assert.ok(!page.body.includes('<script>alert') && !page.body.includes('<img src=x'), 'raw HTML of the body reached the page');
      assert.ok(!page.body.includes('href="javascript:'), 'a javascript: link was rendered');
      assert.match(page.body, /&lt;script&gt;alert\(&quot;zanzara&quot;\)&lt;\/script&gt;/);
      const api = (await get(asti, `/api/v1/helpdesk/kb/suggest?ente=asti&q=zanzara`)).json();
      assert.ok(api.items[0].snippet.some((p: { text: string }) => p.text.includes('<script>')), 'the snippet keeps the text as text');
    });
  });

  describe('visibility', () => {
    const visibleIds = (items: { id: string }[]) => new Set(items.map((i) => i.id));

    it('an ente sees published articles for all enti or for itself by name, in lists, searches and suggestions', async () => {
      const expect = { asti: [a.all], canelli: [a.all, a.canelli] } as const;
      for (const [slug, who] of [['asti', asti], ['canelli', canelli]] as const) {
        const search = await get(who, `/api/v1/helpdesk/kb/articles?ente=${slug}&q=girasole`);
        assert.equal(search.statusCode, 200, search.body);
        assert.deepEqual(visibleIds(search.json().items), new Set(expect[slug]), `search of ${slug}`);
        const suggest = await get(who, `/api/v1/helpdesk/kb/suggest?ente=${slug}&q=girasole`);
        assert.deepEqual(visibleIds(suggest.json().items), new Set(expect[slug]), `suggestions of ${slug}`);
        const page = await get(who, `/backoffice/enti/${slug}/assistenza/guida?q=girasole`);
        assert.equal(page.statusCode, 200);
        for (const [key, id] of Object.entries(a)) assert.equal(page.body.includes(id), (expect[slug] as readonly string[]).includes(id), `${key} on the guide page of ${slug}`);
        const list = await get(who, `/api/v1/helpdesk/kb/articles?ente=${slug}&limit=100`);
        for (const [key, id] of Object.entries(a)) assert.equal(visibleIds(list.json().items).has(id), (expect[slug] as readonly string[]).includes(id), `${key} in the list of ${slug}`);
        assert.ok(!list.json().items.some((i: { audience?: unknown }) => 'audience' in i), 'the audience is only for the desk');
      }
    });

    it('an article not visible to the ente answers 404 by direct URL, page and API alike', async () => {
      for (const id of [a.cst, a.canelli, a.draft, a.archived]) {
        const api = await get(asti, `/api/v1/helpdesk/kb/articles/${id}?ente=asti`);
        assert.equal(api.statusCode, 404, `API ${id}`);
        assert.ok(!api.body.includes('Girasole'));
        const page = await get(asti, `/backoffice/enti/asti/assistenza/guida/${id}`);
        assert.equal(page.statusCode, 404);
        assert.ok(!page.body.includes('Girasole'));
      }
      assert.equal((await get(canelli, `/backoffice/enti/canelli/assistenza/guida/${a.canelli}`)).statusCode, 200);
      assert.equal((await get(canelli, `/api/v1/helpdesk/kb/articles/${a.all}?ente=canelli`)).statusCode, 200);
      // an id that is no article, or not a uuid
      assert.equal((await get(asti, '/backoffice/enti/asti/assistenza/guida/00000000-0000-4000-8000-000000000000')).statusCode, 404);
      assert.equal((await get(asti, '/backoffice/enti/asti/assistenza/guida/non-un-id')).statusCode, 404);
    });

    it("another ente's staff get 403 (audited) and anonymous visitors 401 or the login page", async () => {
      const before = await auditCount(ids.canelli, 'access.denied');
      const api = await get(asti, `/api/v1/helpdesk/kb/articles/${a.canelli}?ente=canelli`);
      assert.equal(api.statusCode, 403);
      assert.ok(!api.body.includes('Girasole'));
      assert.equal((await get(asti, '/api/v1/helpdesk/kb/suggest?ente=canelli&q=girasole')).statusCode, 403);
      assert.equal((await get(asti, `/backoffice/enti/canelli/assistenza/guida/${a.canelli}`)).statusCode, 403);
      assert.equal((await get(nizzaAlbo, '/backoffice/enti/nizza-monferrato/assistenza/guida')).statusCode, 403);
      assert.equal(await auditCount(ids.canelli, 'access.denied'), before + 3);
      for (const url of ['/api/v1/helpdesk/kb/suggest?ente=asti&q=pec', '/api/v1/helpdesk/kb/articles?ente=asti', `/api/v1/helpdesk/kb/articles/${a.all}?ente=asti`, '/api/v1/helpdesk/kb/articles']) {
        assert.equal((await get(null, url)).statusCode, 401, url);
      }
      const page = await get(null, '/backoffice/enti/asti/assistenza/guida');
      assert.equal(page.statusCode, 303);
      assert.match(String(page.headers.location), /^\/backoffice\/login\?next=/);
      assert.equal((await get(null, '/backoffice/assistenza/guida')).statusCode, 303);
      // the whole catalogue (drafts included) is the desk's
      assert.equal((await get(asti, '/api/v1/helpdesk/kb/articles')).statusCode, 403);
      assert.equal((await get(asti, '/backoffice/assistenza/guida')).statusCode, 403);
      const all = await get(cst, '/api/v1/helpdesk/kb/articles?q=girasole');
      assert.deepEqual(visibleIds(all.json().items), new Set(Object.values(a)));
    });
  });

  describe('links from tickets', () => {
    const linkUrl = (slug: string, ticket: string) => `/api/v1/enti/${slug}/tickets/${ticket}/kb`;

    it('the desk links articles visible to the ticket’s ente, counted and audited', async () => {
      const before = await auditCount(ids.canelli, 'kb.link.add', canelliTicket);
      const first = await send(cst, 'POST', linkUrl('canelli', canelliTicket), { articleId: a.canelli });
      assert.equal(first.statusCode, 201, first.body);
      assert.equal((await send(cst, 'POST', linkUrl('canelli', canelliTicket), { articleId: a.canelli })).statusCode, 200);
      assert.equal((await send(cst, 'POST', linkUrl('canelli', canelliTicket), { articleId: a.all })).statusCode, 201);
      assert.equal(await auditCount(ids.canelli, 'kb.link.add', canelliTicket), before + 2);
      // not visible to the ticket's ente: refused
      for (const [slug, ticket, id] of [['asti', astiTicket, a.canelli], ['canelli', canelliTicket, a.cst], ['canelli', canelliTicket, a.draft]] as const) {
        assert.equal((await send(cst, 'POST', linkUrl(slug, ticket), { articleId: id })).statusCode, 422);
      }
      // the ticket under another ente's slug does not exist there
      assert.equal((await send(cst, 'POST', linkUrl('asti', canelliTicket), { articleId: a.all })).statusCode, 404);
      const detail = (await get(cst, `/api/v1/helpdesk/kb/articles/${a.canelli}`)).json();
      assert.equal(detail.linkedCount, 1);
    });

    it('requesters cannot link or unlink (403, audited); anonymous 401', async () => {
      const before = await auditCount(ids.cst, 'access.denied');
      assert.equal((await send(canelli, 'POST', linkUrl('canelli', canelliTicket), { articleId: a.all })).statusCode, 403);
      assert.equal((await send(canelli, 'DELETE', `${linkUrl('canelli', canelliTicket)}/${a.all}`)).statusCode, 403);
      assert.equal((await postForm(t.app, canelli, `/backoffice/enti/canelli/assistenza/guida/ticket/${canelliTicket}/collega`, { articleId: a.all })).statusCode, 403);
      assert.equal((await get(canelli, `/backoffice/enti/canelli/assistenza/guida/ticket/${canelliTicket}`)).statusCode, 403);
      assert.equal(await auditCount(ids.cst, 'access.denied'), before + 4);
      assert.equal((await send(null, 'POST', linkUrl('canelli', canelliTicket), { articleId: a.all })).statusCode, 401);
      assert.equal((await get(null, linkUrl('canelli', canelliTicket))).statusCode, 401);
      assert.equal((await get(asti, linkUrl('canelli', canelliTicket))).statusCode, 403);
    });

    it('the ente sees only the linked articles it may read; the desk sees all, flagged', async () => {
      const seen = async (who: Browser) => (await get(who, linkUrl('canelli', canelliTicket))).json().items as { article: { id: string }; visibleToEnte: boolean }[];
      assert.deepEqual(new Set((await seen(canelli)).map((l) => l.article.id)), new Set([a.canelli, a.all]));
      // narrowed to Nizza Monferrato after the link: gone for Canelli, flagged for the desk
      const current = (await get(cst, `/api/v1/helpdesk/kb/articles/${a.canelli}`)).json();
      await updateArticle(t.platform.db.app, desk, a.canelli, article({ title: current.title, body: current.body, visibility: 'enti', audienceEnteIds: [ids.nizza] }));
      assert.deepEqual((await seen(canelli)).map((l) => l.article.id), [a.all]);
      const forDesk = await seen(cst);
      assert.equal(forDesk.find((l) => l.article.id === a.canelli)?.visibleToEnte, false);
      const page = await get(canelli, `/backoffice/enti/canelli/assistenza/guida/${a.canelli}`);
      assert.equal(page.statusCode, 404);
    });

    it('the desk unlinks through the form, audited, and comes back where it was sent', async () => {
      const back = `/backoffice/enti/canelli/assistenza/guida/ticket/${canelliTicket}?q=girasole`;
      const res = await postForm(t.app, cst, `/backoffice/enti/canelli/assistenza/guida/ticket/${canelliTicket}/scollega`, { articleId: a.canelli, torna: back });
      assert.equal(res.statusCode, 303);
      assert.equal(res.headers.location, `${back}&esito=scollegato`);
      assert.equal(await auditCount(ids.canelli, 'kb.link.remove', canelliTicket), 1);
      assert.equal((await get(cst, `/api/v1/helpdesk/kb/articles/${a.canelli}`)).json().linkedCount, 0);
      assert.equal((await send(cst, 'DELETE', `${linkUrl('canelli', canelliTicket)}/${a.canelli}`)).statusCode, 404);
      // a foreign return address is ignored
      const offsite = await postForm(t.app, cst, `/backoffice/enti/canelli/assistenza/guida/ticket/${canelliTicket}/collega`, { articleId: a.all, torna: 'https://evil.example/' });
      assert.match(String(offsite.headers.location), /^\/backoffice\/enti\/canelli\/assistenza\/guida\/ticket\//);
      const linkPage = await get(cst, back);
      assert.equal(linkPage.statusCode, 200);
      assert.match(linkPage.body, /Girasole per tutti/);
    });
  });

  describe('the desk editor', () => {
    it('creates, previews without saving, saves revisions, refuses a stale save, audited on the CST', async () => {
      const count = async () => Number((await t.platform.db.owner.selectFrom('kb_article').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
      const fields = { title: 'Rinnovo del dominio del sito comunale', body: 'Il dominio si rinnova **ogni anno**.', category: 'rete_internet', keywords: 'dominio, sito, DNS', visibility: 'enti', audience: ids.asti, state: 'published' };
      const n = await count();
      const preview = await postForm(t.app, cst, '/backoffice/assistenza/guida/nuovo', { ...fields, azione: 'anteprima' });
      assert.equal(preview.statusCode, 200);
      assert.match(preview.body, /<strong>ogni anno<\/strong>/);
      assert.equal(await count(), n);
      const created = await postForm(t.app, cst, '/backoffice/assistenza/guida/nuovo', { ...fields, azione: 'salva' });
      assert.equal(created.statusCode, 303, created.body.slice(0, 500));
      const id = String(created.headers.location).match(/guida\/([0-9a-f-]{36})\?esito=creato$/)![1]!;
      assert.equal(await auditCount(ids.cst, 'kb.article.create', id), 1);
      const saved = await postForm(t.app, cst, `/backoffice/assistenza/guida/${id}`, { ...fields, body: 'Il dominio si rinnova ogni anno entro la scadenza.', revision: '1', azione: 'salva' });
      assert.equal(saved.headers.location, `/backoffice/assistenza/guida/${id}?esito=salvato`);
      const stale = await postForm(t.app, cst, `/backoffice/assistenza/guida/${id}`, { ...fields, title: 'Titolo di chi non ha ricaricato', revision: '1', azione: 'salva' });
      assert.equal(stale.statusCode, 409);
      assert.match(stale.body, /Nel frattempo qualcuno ha salvato/);
      const invalid = await postForm(t.app, cst, `/backoffice/assistenza/guida/${id}`, { ...fields, visibility: 'enti', audience: '', revision: '2', azione: 'salva' });
      assert.equal(invalid.statusCode, 422);
      assert.match(invalid.body, /almeno un ente/);
      const history = (await get(cst, `/api/v1/helpdesk/kb/articles/${id}/revisions`)).json();
      assert.deepEqual(history.items.map((r: { revision: number }) => r.revision), [2, 1]);
      const historyPage = await get(cst, `/backoffice/assistenza/guida/${id}/cronologia`);
      assert.equal(historyPage.statusCode, 200);
      assert.match(historyPage.body, /Versione 2/);
      const v1 = await get(cst, `/backoffice/assistenza/guida/${id}/cronologia/1`);
      assert.match(v1.body, /<strong>ogni anno<\/strong>/);
      const restored = await postForm(t.app, cst, `/backoffice/assistenza/guida/${id}/cronologia/1/ripristina`, { revision: '2' });
      assert.equal(restored.statusCode, 303);
      const after = (await get(cst, `/api/v1/helpdesk/kb/articles/${id}`)).json();
      assert.equal(after.revision, 3);
      assert.equal(after.body, fields.body);
      assert.deepEqual(after.keywords, ['dominio', 'sito', 'DNS']);
      assert.deepEqual(after.audience.map((e: { slug: string }) => e.slug), ['asti']);
      assert.equal(await auditCount(ids.cst, 'kb.article.update', id), 2);
      // revisions are history: the database refuses to change them
      await assert.rejects(t.platform.db.owner.updateTable('kb_article_revision').set({ title: 'x' }).where('article_id', '=', id).execute(), /non può essere modificata/);
    });

    it('the JSON API writes for the desk only, with problems for bad input', async () => {
      const body = { title: 'Articolo via API', body: 'Testo.', state: 'published', visibility: 'all' };
      assert.equal((await send(null, 'POST', '/api/v1/helpdesk/kb/articles', body)).statusCode, 401);
      assert.equal((await send(asti, 'POST', '/api/v1/helpdesk/kb/articles', body)).statusCode, 403);
      const created = await send(cst, 'POST', '/api/v1/helpdesk/kb/articles', body);
      assert.equal(created.statusCode, 201, created.body);
      const id = created.json().id;
      assert.equal((await send(cst, 'POST', '/api/v1/helpdesk/kb/articles', { ...body, visibility: 'enti', audience: ['non-esiste'] })).statusCode, 422);
      assert.equal((await send(cst, 'POST', '/api/v1/helpdesk/kb/articles', { ...body, state: 'pubblicato' })).statusCode, 400);
      assert.equal((await send(cst, 'POST', '/api/v1/helpdesk/kb/articles', { ...body, category: 'inesistente' })).statusCode, 422);
      assert.equal((await send(cst, 'PUT', `/api/v1/helpdesk/kb/articles/${id}`, { ...body, title: 'Articolo via API, rivisto', revision: 1 })).json().revision, 2);
      assert.equal((await send(cst, 'PUT', `/api/v1/helpdesk/kb/articles/${id}`, { ...body, revision: 1 })).statusCode, 409);
      assert.equal((await send(asti, 'PUT', `/api/v1/helpdesk/kb/articles/${id}`, body)).statusCode, 403);
    });
  });

  describe('votes', () => {
    it('one vote per user and article, replaced by a new one; only on articles the ente may read', async () => {
      const url = `/backoffice/enti/canelli/assistenza/guida/${a.all}/voto`;
      assert.equal((await postForm(t.app, canelli, url, { utile: 'no' })).statusCode, 303);
      assert.equal((await postForm(t.app, canelli, url, { utile: 'si' })).headers.location, `/backoffice/enti/canelli/assistenza/guida/${a.all}?esito=voto`);
      const votes = (await get(canelli, `/api/v1/helpdesk/kb/articles/${a.all}?ente=canelli`)).json().votes;
      assert.deepEqual(votes, { useful: 1, notUseful: 0 });
      assert.equal(await auditCount(ids.canelli, 'kb.article.vote', a.all), 2);
      assert.equal((await send(asti, 'POST', `/api/v1/helpdesk/kb/articles/${a.canelli}/vote?ente=asti`, { useful: true })).statusCode, 404);
      assert.equal((await send(asti, 'POST', `/api/v1/helpdesk/kb/articles/${a.all}/vote?ente=canelli`, { useful: true })).statusCode, 403);
      assert.equal((await send(null, 'POST', `/api/v1/helpdesk/kb/articles/${a.all}/vote?ente=asti`, { useful: true })).statusCode, 401);
      assert.equal((await send(asti, 'POST', `/api/v1/helpdesk/kb/articles/${a.all}/vote?ente=asti`, { useful: false })).statusCode, 204);
    });
  });

  it('documents the API in OpenAPI', async () => {
    const spec = (await get(null, '/api/openapi.json')).json();
    for (const path of ['/api/v1/helpdesk/kb/suggest', '/api/v1/helpdesk/kb/articles/{id}', '/api/v1/enti/{slug}/tickets/{id}/kb']) assert.ok(spec.paths[path], path);
  });

  it('the demo seed has articles of every visibility, one for Canelli and Nizza Monferrato', async () => {
    const rows = await t.platform.db.owner
      .selectFrom('kb_article')
      .select(['title', 'visibility', 'state', 'audience_ente_ids'])
      .where('id', 'in', (eb) => eb.selectFrom('kb_article_revision').select('article_id').where('saved_by_label', '=', 'seed demo'))
      .execute();
    assert.ok(rows.length >= 12, String(rows.length));
    const chosen = rows.filter((r) => r.visibility === 'enti');
    assert.equal(chosen.length, 1);
    assert.deepEqual(new Set(chosen[0]!.audience_ente_ids), new Set([ids.canelli, ids.nizza]));
    assert.ok(rows.some((r) => r.visibility === 'cst'));
    assert.ok(rows.some((r) => r.state === 'draft') && rows.some((r) => r.state === 'archived'));
  });
});
