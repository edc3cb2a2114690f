// Rules of the knowledge base: what an article must hold, who reads which article (visibility), saves that keep
// every version, searches that fall back from "all words" to misspellings to "any word", votes, and the desk's
// links from tickets. Every write is audited inside its transaction: articles on the CST's log (the catalogue is
// the CST's), links and votes on the ente's.
import type { Kysely } from 'kysely';
import { recordAudit, type Actor } from '../../../platform/audit/index.js';
import { withEnte, type DB } from '../../../platform/db/index.js';
import { conflict, notFound, unprocessable } from '../../../platform/http/problem.js';
import { getCstEnte } from '../../../platform/tenancy/index.js';
import { t } from '../../../platform/views/i18n/index.js';
import { categoryExists } from '../store.js';
import { excerpt, snippetParts, type SnippetPart } from './markdown.js';
import * as store from './store.js';
import type { ArticleRow, ArticleState, MatchMode, Reader, SearchFilters, Visibility } from './store.js';
import './messages.js';

export type { ArticleState, Reader, Visibility } from './store.js';
export const articleStates: ArticleState[] = ['draft', 'published', 'archived'];
export const visibilities: Visibility[] = ['cst', 'all', 'enti'];

export interface ArticleInput {
  title: string;
  body: string;
  category: string | null;
  keywords: string[];
  state: ArticleState;
  visibility: Visibility;
  /** The enti that may read it, for visibility 'enti' (ignored otherwise). */
  audienceEnteIds: string[];
}

export interface ArticleView {
  id: string;
  title: string;
  body: string;
  category: string | null;
  keywords: string[];
  state: ArticleState;
  visibility: Visibility;
  audienceEnteIds: string[];
  revision: number;
  linkedCount: number;
  createdAt: Date;
  updatedAt: Date;
  publishedAt: Date | null;
}

export interface SearchHit extends ArticleView {
  rank: number;
  snippet: SnippetPart[];
}

export const MAX_KEYWORDS = 20;
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function toView(row: ArticleRow): ArticleView {
  return {
    id: row.id,
    title: row.title,
    body: row.body,
    category: row.category_code,
    keywords: row.keywords,
    state: row.state,
    visibility: row.visibility,
    audienceEnteIds: row.audience_ente_ids,
    revision: row.revision,
    linkedCount: row.linked_count,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    publishedAt: row.published_at,
  };
}

/** 'PEC, casella piena,  quota ' → ['PEC', 'casella piena', 'quota'] (duplicates ignoring case dropped). */
export function parseKeywords(text: string): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const raw of text.split(/[,;\n]/)) {
    const word = raw.replace(/\s+/g, ' ').trim();
    if (!word || seen.has(word.toLowerCase())) continue;
    seen.add(word.toLowerCase());
    out.push(word);
  }
  return out;
}

async function validate(db: Kysely<DB>, input: ArticleInput): Promise<ArticleInput> {
  const title = input.title.replace(/\s+/g, ' ').trim();
  if (title.length < 3 || title.length > 200) throw unprocessable(t('kb.error.title'));
  const body = input.body.replace(/\r\n?/g, '\n').trimEnd();
  if (!body.trim() || body.length > 50_000) throw unprocessable(t('kb.error.body'));
  if (!articleStates.includes(input.state)) throw unprocessable(t('kb.error.state'));
  if (!visibilities.includes(input.visibility)) throw unprocessable(t('kb.error.visibility'));
  const keywords = input.keywords.map((k) => k.trim()).filter(Boolean);
  if (keywords.length > MAX_KEYWORDS || keywords.some((k) => k.length > 60)) throw unprocessable(t('kb.error.keywords', { max: MAX_KEYWORDS }));
  const category = input.category || null;
  if (category && !(await categoryExists(db, category))) throw unprocessable(t('kb.error.category'));
  let audience: string[] = [];
  if (input.visibility === 'enti') {
    audience = [...new Set(input.audienceEnteIds)];
    if (audience.length === 0) throw unprocessable(t('kb.error.audience'));
    const known = audience.every((id) => UUID.test(id)) ? await db.selectFrom('ente').select('id').where('id', 'in', audience).execute() : [];
    if (known.length !== audience.length) throw unprocessable(t('kb.error.audienceUnknown'));
  }
  return { title, body, category, keywords, state: input.state, visibility: input.visibility, audienceEnteIds: audience };
}

async function cstEnteId(db: Kysely<DB>): Promise<string> {
  const cst = await getCstEnte(db);
  if (!cst) throw new Error('knowledge base: the network has no CST ente');
  return cst.id;
}

const auditView = (a: ArticleRow) => ({ title: a.title, state: a.state, visibility: a.visibility, audience: a.audience_ente_ids, revision: a.revision });

/** A new article (revision 1), written by the desk. */
export async function createArticle(db: Kysely<DB>, actor: Actor, input: ArticleInput, options: { now?: Date } = {}): Promise<ArticleView> {
  const clean = await validate(db, input);
  const now = options.now ?? new Date();
  const cst = await cstEnteId(db);
  return withEnte(db, cst, async (trx) => {
    const saved = await store.insertArticle(trx, {
      title: clean.title,
      body: clean.body,
      category_code: clean.category,
      keywords: clean.keywords,
      state: clean.state,
      visibility: clean.visibility,
      audience_ente_ids: clean.audienceEnteIds,
      created_by: actor.id,
      updated_by: actor.id,
      created_at: now,
      updated_at: now,
      published_at: clean.state === 'draft' ? null : now,
    });
    await store.insertRevision(trx, saved, actor.label);
    await recordAudit(trx, { enteId: cst, actor, action: 'kb.article.create', entity: 'kb_article', entityId: saved.id, after: auditView(saved) });
    return toView(saved);
  });
}

/**
 * Saves a new version. `expectedRevision` is the revision the editor started from: if someone saved in the
 * meantime the save is refused (409) rather than silently overwriting their work. A save that changes nothing
 * makes no new revision.
 */
export async function updateArticle(db: Kysely<DB>, actor: Actor, id: string, input: ArticleInput, options: { expectedRevision?: number; now?: Date } = {}): Promise<ArticleView> {
  const clean = await validate(db, input);
  const now = options.now ?? new Date();
  const cst = await cstEnteId(db);
  return withEnte(db, cst, async (trx) => {
    const before = await store.articleById(trx, id, { desk: true }, true);
    if (!before) throw notFound(t('kb.error.notFound'));
    if (options.expectedRevision !== undefined && options.expectedRevision !== before.revision) throw conflict(t('kb.error.stale', { revision: before.revision }));
    const unchanged =
      before.title === clean.title &&
      before.body === clean.body &&
      before.category_code === clean.category &&
      before.state === clean.state &&
      before.visibility === clean.visibility &&
      JSON.stringify(before.keywords) === JSON.stringify(clean.keywords) &&
      JSON.stringify([...before.audience_ente_ids].sort()) === JSON.stringify([...clean.audienceEnteIds].sort());
    if (unchanged) return toView(before);
    const saved = await store.updateArticle(trx, id, {
      title: clean.title,
      body: clean.body,
      category_code: clean.category,
      keywords: clean.keywords,
      state: clean.state,
      visibility: clean.visibility,
      audience_ente_ids: clean.audienceEnteIds,
      revision: before.revision + 1,
      updated_by: actor.id,
      updated_at: now,
      published_at: before.published_at ?? (clean.state === 'draft' ? null : now),
    });
    await store.insertRevision(trx, saved, actor.label);
    await recordAudit(trx, { enteId: cst, actor, action: 'kb.article.update', entity: 'kb_article', entityId: id, before: auditView(before), after: auditView(saved) });
    return toView(saved);
  });
}

/** The article if `reader` may see it; undefined otherwise (callers answer 404: existence is not revealed). */
export async function getArticle(db: Kysely<DB>, id: string, reader: Reader): Promise<ArticleView | undefined> {
  if (!UUID.test(id)) return undefined;
  const row = await store.articleById(db, id, reader);
  return row ? toView(row) : undefined;
}

export interface SearchResult {
  total: number;
  items: SearchHit[];
  /** How the words matched: all of them, by similarity (misspelt), any of them; null without text. */
  mode: MatchMode | null;
}

async function runSearch(db: Kysely<DB>, reader: Reader, text: string | undefined, mode: MatchMode, filters: SearchFilters): Promise<SearchResult> {
  const page = await store.searchArticles(db, reader, text, mode, filters);
  return {
    total: page.total,
    mode: text ? mode : null,
    items: page.items.map((row) => ({ ...toView(row), rank: Number(row.rank), snippet: snippetParts(row.headline, excerpt(row.body)) })),
  };
}

/**
 * Search for the search pages: every word must match (websearch syntax); when nothing does, titles and
 * keywords similar to the text (misspellings), then any of the words.
 */
export async function searchArticles(db: Kysely<DB>, reader: Reader, text: string | undefined, filters: SearchFilters): Promise<SearchResult> {
  const q = text?.trim().slice(0, 200) || undefined;
  const strict = await runSearch(db, reader, q, 'all', filters);
  if (!q || strict.total > 0 || filters.offset > 0) return strict;
  const similar = await runSearch(db, reader, q, 'similar', filters);
  if (similar.total > 0) return similar;
  return runSearch(db, reader, q, 'any', filters);
}

/** Up to five published articles for the text of a ticket being typed (subject and description). */
export async function suggestArticles(db: Kysely<DB>, reader: Reader, text: string): Promise<SearchHit[]> {
  const q = text.trim().slice(0, 1000);
  if (store.anyWordQuery(q) === '') return [];
  const filters = { state: 'published' as const, limit: 5, offset: 0 };
  const any = await runSearch(db, reader, q, 'any', filters);
  if (any.total > 0) return any.items;
  return (await runSearch(db, reader, q.slice(0, 200), 'similar', filters)).items;
}

export async function revisions(db: Kysely<DB>, articleId: string) {
  return store.revisionsOf(db, articleId);
}

export async function revision(db: Kysely<DB>, articleId: string, number: number) {
  return store.revisionOf(db, articleId, number);
}

export const votesOf = store.votesOf;
export const voteOf = store.voteOf;

/** "Utile / non utile" from a staff user reading the article for `enteId`; a second vote replaces the first. */
export async function voteArticle(db: Kysely<DB>, actor: Actor & { id: string }, enteId: string, reader: Reader, articleId: string, useful: boolean, options: { now?: Date } = {}): Promise<void> {
  const now = options.now ?? new Date();
  await withEnte(db, enteId, async (trx) => {
    const article = await store.articleById(trx, articleId, reader);
    if (!article || article.state !== 'published') throw notFound(t('kb.error.notFound'));
    await store.upsertVote(trx, articleId, actor.id, useful, now);
    await recordAudit(trx, { enteId, actor, action: 'kb.article.vote', entity: 'kb_article', entityId: articleId, after: { useful } });
  });
}

// ------------------------------------------------------------------------------------------ ticket links

export interface LinkedArticle {
  article: ArticleView;
  linkedAt: Date;
  linkedBy: string;
  /** Whether the ticket's ente may read it now (an article archived or narrowed after linking may not be). */
  visibleToEnte: boolean;
}

/**
 * Links an article to a ticket of `enteId` (desk only: callers check). Only an article the ente may read can be
 * linked. Returns false when it was linked already.
 */
export async function linkArticle(db: Kysely<DB>, actor: Actor, enteId: string, ticketId: string, articleId: string, options: { now?: Date } = {}): Promise<boolean> {
  if (!UUID.test(ticketId)) throw notFound(t('kb.error.ticketNotFound'));
  if (!UUID.test(articleId)) throw unprocessable(t('kb.error.notVisibleToEnte'));
  return withEnte(db, enteId, async (trx) => {
    if (!(await store.ticketExists(trx, ticketId))) throw notFound(t('kb.error.ticketNotFound'));
    const article = await store.articleById(trx, articleId, { desk: false, enteId });
    if (!article) throw unprocessable(t('kb.error.notVisibleToEnte'));
    const created = await store.insertLink(trx, {
      ente_id: enteId,
      ticket_id: ticketId,
      article_id: articleId,
      linked_by: actor.id,
      linked_by_label: actor.label,
      linked_at: options.now ?? new Date(),
    });
    if (!created) return false;
    await store.addToLinkedCount(trx, articleId, 1);
    await recordAudit(trx, { enteId, actor, action: 'kb.link.add', entity: 'ticket', entityId: ticketId, after: { articleId, title: article.title } });
    return true;
  });
}

/** Removes a link (desk only: callers check). Returns false when there was none. */
export async function unlinkArticle(db: Kysely<DB>, actor: Actor, enteId: string, ticketId: string, articleId: string): Promise<boolean> {
  if (!UUID.test(ticketId)) throw notFound(t('kb.error.ticketNotFound'));
  if (!UUID.test(articleId)) return false;
  return withEnte(db, enteId, async (trx) => {
    if (!(await store.ticketExists(trx, ticketId))) throw notFound(t('kb.error.ticketNotFound'));
    if (!(await store.deleteLink(trx, ticketId, articleId))) return false;
    await store.addToLinkedCount(trx, articleId, -1);
    await recordAudit(trx, { enteId, actor, action: 'kb.link.remove', entity: 'ticket', entityId: ticketId, before: { articleId } });
    return true;
  });
}

/**
 * The articles linked to a ticket. The desk sees every link (with whether the ente may still read it); the
 * ente's staff only the articles they may read. Undefined when the ticket does not exist for the ente.
 */
export async function articlesOfTicket(db: Kysely<DB>, enteId: string, ticketId: string, options: { desk: boolean }): Promise<LinkedArticle[] | undefined> {
  if (!UUID.test(ticketId)) return undefined;
  return withEnte(db, enteId, async (trx) => {
    if (!(await store.ticketExists(trx, ticketId))) return undefined;
    const rows = await store.linksOfTicket(trx, enteId, ticketId);
    return rows
      .filter((r) => options.desk || r.visible)
      .map((r) => ({ article: toView(r), linkedAt: r.linked_at, linkedBy: r.linked_by_label, visibleToEnte: r.visible }));
  });
}
