// JSON API of the knowledge base. The desk writes articles; an ente's staff read the articles visible to their
// ente (an article they may not read answers 404, like one that does not exist), get suggestions while typing a
// ticket and vote; the desk links articles to tickets. JSON posts need the session cookie (no CSRF token: see
// auth/csrf.ts).
import { Type, type Static } from 'typebox';
import { actorOf } from '../../../platform/auth/access.js';
import type { App } from '../../../platform/http/app.js';
import { notFound, unprocessable } from '../../../platform/http/problem.js';
import type { Platform } from '../../../platform/platform.js';
import { getEnteBySlug } from '../../../platform/tenancy/index.js';
import { t } from '../../../platform/views/i18n/index.js';
import { requireDesk, requireRequester, requireTicketReader } from '../access.js';
import { renderBody } from './markdown.js';
import { deskArticlePath, enteArticlePath } from './paths.js';
import {
  articlesOfTicket,
  createArticle,
  getArticle,
  linkArticle,
  revisions,
  searchArticles,
  suggestArticles,
  unlinkArticle,
  updateArticle,
  voteArticle,
  votesOf,
  type ArticleInput,
  type ArticleView,
  type SearchHit,
} from './service.js';
import { entiByIds, entiBySlugs } from './store.js';

const Slug = Type.String({ pattern: '^[a-z0-9-]{1,100}$' });
const Id = Type.String({ format: 'uuid' });
const DateTime = Type.String({ format: 'date-time' });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);
const Problem = Type.Object({ type: Type.String(), title: Type.String(), status: Type.Integer(), detail: Type.Optional(Type.String()) }, { additionalProperties: true });
const Errors = { 400: Problem, 401: Problem, 403: Problem, 404: Problem };
const StateT = Type.Union([Type.Literal('draft'), Type.Literal('published'), Type.Literal('archived')]);
const VisibilityT = Type.Union([Type.Literal('cst'), Type.Literal('all'), Type.Literal('enti')], { description: "cst: solo il help desk; all: tutti gli enti; enti: gli enti dell'elenco audience" });
const SnippetT = Type.Array(Type.Object({ text: Type.String(), match: Type.Boolean() }), { description: 'Estratto con le parole trovate (match: true); testo semplice, da non interpretare come HTML' });

const ArticleSummary = Type.Object({
  id: Id,
  title: Type.String(),
  category: Nullable(Type.String()),
  keywords: Type.Array(Type.String()),
  state: StateT,
  visibility: VisibilityT,
  revision: Type.Integer(),
  linkedCount: Type.Integer({ description: 'Ticket che collegano l’articolo' }),
  updatedAt: DateTime,
  publishedAt: Nullable(DateTime),
  url: Type.String({ description: "Pagina dell'articolo nel back office" }),
  audience: Type.Optional(Type.Array(Type.Object({ slug: Type.String(), name: Type.String() }), { description: 'Solo per il help desk' })),
});
const Hit = Type.Intersect([ArticleSummary, Type.Object({ rank: Type.Number(), snippet: SnippetT })]);
const ArticleOut = Type.Intersect([
  ArticleSummary,
  Type.Object({ body: Type.String({ description: 'Testo (Markdown ridotto)' }), html: Type.String({ description: 'Testo reso in HTML, con ogni carattere dell’autore sottoposto a escape' }), votes: Type.Object({ useful: Type.Integer(), notUseful: Type.Integer() }) }),
]);
const ArticleIn = Type.Object(
  {
    title: Type.String({ maxLength: 200 }),
    body: Type.String({ maxLength: 50_000 }),
    category: Type.Optional(Nullable(Type.String({ pattern: '^[a-z_]{1,50}$' }))),
    keywords: Type.Optional(Type.Array(Type.String({ maxLength: 60 }), { maxItems: 20 })),
    state: StateT,
    visibility: VisibilityT,
    audience: Type.Optional(Type.Array(Slug, { maxItems: 500, description: "Slug degli enti, per visibility 'enti'" })),
  },
  { additionalProperties: false },
);
const EnteQuery = Type.Object({ ente: Slug }, { additionalProperties: false });

export function registerKbRoutes(app: App, platform: Platform): void {
  const { db } = platform;
  const tags = ['helpdesk'];

  async function enteFor(slug: string) {
    const ente = await getEnteBySlug(db.app, slug);
    if (!ente) throw notFound('Ente inesistente');
    return ente;
  }

  /** Names of the enti in the audiences of `articles` (one query for a whole page), for the desk. */
  async function audienceNames(articles: ArticleView[]): Promise<Map<string, { slug: string; name: string }>> {
    const enti = await entiByIds(db.app, [...new Set(articles.flatMap((a) => a.audienceEnteIds))]);
    return new Map(enti.map((e) => [e.id, { slug: e.slug, name: e.name }]));
  }

  function summary(a: ArticleView, slug: string | null, audience: Map<string, { slug: string; name: string }> | null): Static<typeof ArticleSummary> {
    return {
      id: a.id,
      title: a.title,
      category: a.category,
      keywords: a.keywords,
      state: a.state,
      visibility: a.visibility,
      revision: a.revision,
      linkedCount: a.linkedCount,
      updatedAt: a.updatedAt.toISOString(),
      publishedAt: a.publishedAt ? a.publishedAt.toISOString() : null,
      url: slug ? enteArticlePath(slug, a.id) : deskArticlePath(a.id),
      ...(audience ? { audience: a.audienceEnteIds.flatMap((id) => audience.get(id) ?? []) } : {}),
    };
  }

  /** Summaries of a page of articles; the audience only for the desk (it would tell an ente who else reads). */
  async function summaries<T extends ArticleView>(articles: T[], slug: string | null, desk: boolean) {
    const audience = desk ? await audienceNames(articles) : null;
    return articles.map((a) => ({ article: a, summary: summary(a, slug, audience) }));
  }
  const hits = async (items: SearchHit[], slug: string | null, desk: boolean) =>
    (await summaries(items, slug, desk)).map(({ article, summary }) => ({ ...summary, rank: article.rank, snippet: article.snippet }));

  async function articleIn(body: Static<typeof ArticleIn>): Promise<ArticleInput> {
    const slugs = body.visibility === 'enti' ? [...new Set(body.audience ?? [])] : [];
    const enti = await entiBySlugs(db.app, slugs);
    if (enti.length !== slugs.length) throw unprocessable(t('kb.error.audienceUnknown'));
    return { title: body.title, body: body.body, category: body.category ?? null, keywords: body.keywords ?? [], state: body.state, visibility: body.visibility, audienceEnteIds: enti.map((e) => e.id) };
  }

  async function full(a: ArticleView, slug: string | null, desk: boolean): Promise<Static<typeof ArticleOut>> {
    const votes = (await votesOf(db.app, [a.id])).get(a.id) ?? { useful: 0, notUseful: 0 };
    const [one] = await summaries([a], slug, desk);
    return { ...one!.summary, body: a.body, html: renderBody(a.body), votes };
  }

  app.get(
    '/api/v1/helpdesk/kb/suggest',
    {
      schema: {
        tags,
        summary: 'Articoli della guida suggeriti per il testo di un ticket in scrittura',
        description: "Fino a 5 articoli pubblicati e visibili all'ente, per l'oggetto e la descrizione scritti finora. Per chi apre ticket per l'ente e per il help desk.",
        querystring: Type.Object({ ente: Slug, q: Type.String({ maxLength: 2000 }) }, { additionalProperties: false }),
        response: { 200: Type.Object({ items: Type.Array(Type.Object({ id: Id, title: Type.String(), snippet: SnippetT, url: Type.String() })) }), ...Errors },
      },
    },
    async (request, reply) => {
      const ente = await enteFor(request.query.ente);
      const { desk } = await requireRequester(request, db.app, ente.id);
      const items = await suggestArticles(db.app, desk ? { desk: true } : { desk: false, enteId: ente.id }, request.query.q);
      reply.header('cache-control', 'no-store');
      return { items: items.map((h) => ({ id: h.id, title: h.title, snippet: h.snippet, url: enteArticlePath(ente.slug, h.id) })) };
    },
  );

  app.get(
    '/api/v1/helpdesk/kb/articles',
    {
      schema: {
        tags,
        summary: 'Cerca negli articoli della guida',
        description: "Con ente: gli articoli pubblicati visibili a quell'ente (chi legge i ticket dell'ente). Senza ente: tutto il catalogo, bozze comprese (solo help desk). Ricerca a testo libero in italiano (tutte le parole; \"frase esatta\", -esclusa, or).",
        querystring: Type.Object(
          {
            ente: Type.Optional(Slug),
            q: Type.Optional(Type.String({ maxLength: 200 })),
            category: Type.Optional(Type.String({ pattern: '^[a-z_]{1,50}$' })),
            state: Type.Optional(StateT),
            visibility: Type.Optional(VisibilityT),
            limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
            offset: Type.Integer({ minimum: 0, maximum: 100_000, default: 0 }),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ total: Type.Integer(), mode: Nullable(Type.String()), items: Type.Array(Hit) }), ...Errors },
      },
    },
    async (request) => {
      const q = request.query;
      if (q.ente) {
        const ente = await enteFor(q.ente);
        const { desk } = await requireTicketReader(request, db.app, ente.id);
        const page = await searchArticles(db.app, desk ? { desk: true } : { desk: false, enteId: ente.id }, q.q, { state: 'published', category: q.category, limit: q.limit, offset: q.offset });
        return { total: page.total, mode: page.mode, items: await hits(page.items, ente.slug, desk) };
      }
      await requireDesk(request, db.app);
      const page = await searchArticles(db.app, { desk: true }, q.q, { state: q.state, visibility: q.visibility, category: q.category, limit: q.limit, offset: q.offset });
      return { total: page.total, mode: page.mode, items: await hits(page.items, null, true) };
    },
  );

  app.get(
    '/api/v1/helpdesk/kb/articles/:id',
    {
      schema: {
        tags,
        summary: 'Un articolo della guida',
        description: "Con ente: solo se pubblicato e visibile a quell'ente (altrimenti 404). Senza ente: solo help desk.",
        params: Type.Object({ id: Id }),
        querystring: Type.Object({ ente: Type.Optional(Slug) }, { additionalProperties: false }),
        response: { 200: ArticleOut, ...Errors },
      },
    },
    async (request) => {
      if (request.query.ente) {
        const ente = await enteFor(request.query.ente);
        const { desk } = await requireTicketReader(request, db.app, ente.id);
        const article = await getArticle(db.app, request.params.id, desk ? { desk: true } : { desk: false, enteId: ente.id });
        if (!article) throw notFound(t('kb.error.notFound'));
        return full(article, ente.slug, desk);
      }
      await requireDesk(request, db.app);
      const article = await getArticle(db.app, request.params.id, { desk: true });
      if (!article) throw notFound(t('kb.error.notFound'));
      return full(article, null, true);
    },
  );

  app.post(
    '/api/v1/helpdesk/kb/articles',
    { schema: { tags, summary: 'Nuovo articolo della guida (help desk)', body: ArticleIn, response: { 201: ArticleOut, ...Errors, 422: Problem } } },
    async (request, reply) => {
      await requireDesk(request, db.app);
      const article = await createArticle(db.app, actorOf(request), await articleIn(request.body));
      reply.code(201).header('location', `/api/v1/helpdesk/kb/articles/${article.id}`);
      return full(article, null, true);
    },
  );

  app.put(
    '/api/v1/helpdesk/kb/articles/:id',
    {
      schema: {
        tags,
        summary: 'Salva una nuova versione di un articolo (help desk)',
        description: 'La versione precedente resta nella cronologia. Con revision (la versione da cui si è partiti), 409 se nel frattempo qualcuno ha salvato.',
        params: Type.Object({ id: Id }),
        body: Type.Object({ ...ArticleIn.properties, revision: Type.Optional(Type.Integer({ minimum: 1, description: 'La versione da cui si è partiti' })) }, { additionalProperties: false }),
        response: { 200: ArticleOut, ...Errors, 409: Problem, 422: Problem },
      },
    },
    async (request) => {
      await requireDesk(request, db.app);
      const { revision, ...body } = request.body;
      const article = await updateArticle(db.app, actorOf(request), request.params.id, await articleIn(body), { expectedRevision: revision });
      return full(article, null, true);
    },
  );

  app.get(
    '/api/v1/helpdesk/kb/articles/:id/revisions',
    {
      schema: {
        tags,
        summary: "Le versioni salvate di un articolo (help desk)",
        params: Type.Object({ id: Id }),
        response: { 200: Type.Object({ items: Type.Array(Type.Object({ revision: Type.Integer(), title: Type.String(), state: StateT, visibility: VisibilityT, savedBy: Type.String(), savedAt: DateTime })) }), ...Errors },
      },
    },
    async (request) => {
      await requireDesk(request, db.app);
      if (!(await getArticle(db.app, request.params.id, { desk: true }))) throw notFound(t('kb.error.notFound'));
      const rows = await revisions(db.app, request.params.id);
      return { items: rows.map((r) => ({ revision: r.revision, title: r.title, state: r.state, visibility: r.visibility, savedBy: r.saved_by_label, savedAt: r.saved_at.toISOString() })) };
    },
  );

  app.post(
    '/api/v1/helpdesk/kb/articles/:id/vote',
    {
      schema: {
        tags,
        summary: "Segna un articolo come utile o non utile",
        description: "Un voto per utente e articolo (un nuovo voto sostituisce il precedente). Per chi apre ticket per l'ente.",
        params: Type.Object({ id: Id }),
        querystring: EnteQuery,
        body: Type.Object({ useful: Type.Boolean() }, { additionalProperties: false }),
        response: { 204: Type.Null(), ...Errors },
      },
    },
    async (request, reply) => {
      const ente = await enteFor(request.query.ente);
      const { staff, desk } = await requireRequester(request, db.app, ente.id);
      await voteArticle(db.app, { ...actorOf(request), id: staff.id }, ente.id, desk ? { desk: true } : { desk: false, enteId: ente.id }, request.params.id, request.body.useful);
      return reply.code(204).send(null);
    },
  );

  const TicketParams = Type.Object({ slug: Slug, id: Id });
  const Linked = Type.Object({ article: ArticleSummary, linkedAt: DateTime, linkedBy: Type.String(), visibleToEnte: Type.Boolean() });

  app.get(
    '/api/v1/enti/:slug/tickets/:id/kb',
    {
      schema: {
        tags,
        summary: 'Gli articoli della guida collegati a un ticket',
        description: "Il personale dell'ente vede solo gli articoli che può leggere; il help desk tutti, con visibleToEnte.",
        params: TicketParams,
        response: { 200: Type.Object({ items: Type.Array(Linked) }), ...Errors },
      },
    },
    async (request) => {
      const ente = await enteFor(request.params.slug);
      const { desk } = await requireTicketReader(request, db.app, ente.id);
      const links = await articlesOfTicket(db.app, ente.id, request.params.id, { desk });
      if (!links) throw notFound(t('kb.error.ticketNotFound'));
      const out = await summaries(links.map((l) => l.article), ente.slug, desk);
      return { items: links.map((l, i) => ({ article: out[i]!.summary, linkedAt: l.linkedAt.toISOString(), linkedBy: l.linkedBy, visibleToEnte: l.visibleToEnte })) };
    },
  );

  app.post(
    '/api/v1/enti/:slug/tickets/:id/kb',
    {
      schema: {
        tags,
        summary: 'Collega un articolo della guida a un ticket (help desk)',
        description: "Solo articoli pubblicati e visibili all'ente del ticket (altrimenti 422). 201 se collegato ora, 200 se lo era già.",
        params: TicketParams,
        body: Type.Object({ articleId: Id }, { additionalProperties: false }),
        response: { 200: Type.Object({ linked: Type.Boolean() }), 201: Type.Object({ linked: Type.Boolean() }), ...Errors, 422: Problem },
      },
    },
    async (request, reply) => {
      await requireDesk(request, db.app);
      const ente = await enteFor(request.params.slug);
      const created = await linkArticle(db.app, actorOf(request), ente.id, request.params.id, request.body.articleId);
      reply.code(created ? 201 : 200);
      return { linked: true };
    },
  );

  app.delete(
    '/api/v1/enti/:slug/tickets/:id/kb/:articleId',
    {
      schema: {
        tags,
        summary: 'Scollega un articolo da un ticket (help desk)',
        params: Type.Object({ slug: Slug, id: Id, articleId: Id }),
        response: { 204: Type.Null(), ...Errors },
      },
    },
    async (request, reply) => {
      await requireDesk(request, db.app);
      const ente = await enteFor(request.params.slug);
      if (!(await unlinkArticle(db.app, actorOf(request), ente.id, request.params.id, request.params.articleId))) throw notFound(t('kb.error.linkNotFound'));
      return reply.code(204).send(null);
    },
  );
}
