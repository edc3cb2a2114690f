// SQL of the knowledge base (rules in service.ts). The catalogue tables are not tenant tables: every query that
// serves an ente filters by `visibleTo` below, the one place that says which articles an ente may read.
import type { Generated, Kysely, Selectable } from 'kysely';
import { sql } from 'kysely';
import type { DB, Trx } from '../../../platform/db/index.js';

export type ArticleState = 'draft' | 'published' | 'archived';
export type Visibility = 'cst' | 'all' | 'enti';

declare module '../../../platform/db/schema.js' {
  interface DB {
    kb_article: {
      id: Generated<string>;
      title: string;
      body: string;
      category_code: string | null;
      keywords: string[];
      state: ArticleState;
      visibility: Visibility;
      audience_ente_ids: string[];
      revision: Generated<number>;
      linked_count: Generated<number>;
      created_by: string | null;
      created_at: Generated<Date>;
      updated_by: string | null;
      updated_at: Generated<Date>;
      published_at: Date | null;
      search: Generated<string>;
    };
    kb_article_revision: {
      article_id: string;
      revision: number;
      title: string;
      body: string;
      category_code: string | null;
      keywords: string[];
      state: ArticleState;
      visibility: Visibility;
      audience_ente_ids: string[];
      saved_by: string | null;
      saved_by_label: string;
      saved_at: Date;
    };
    kb_article_vote: { article_id: string; user_id: string; useful: boolean; voted_at: Date };
    ticket_kb_link: { ente_id: string; ticket_id: string; article_id: string; linked_by: string | null; linked_by_label: string; linked_at: Date };
  }
}

export type ArticleRow = Omit<Selectable<DB['kb_article']>, 'search'>;
export type RevisionRow = Selectable<DB['kb_article_revision']>;

type Db = Kysely<DB> | Trx;
const articleFields = [
  'id',
  'title',
  'body',
  'category_code',
  'keywords',
  'state',
  'visibility',
  'audience_ente_ids',
  'revision',
  'linked_count',
  'created_by',
  'created_at',
  'updated_by',
  'updated_at',
  'published_at',
] as const;
const articleColumns = articleFields.map((f) => `a.${f}` as const);

/** Who reads: the desk (every article, drafts included) or the staff of one ente. */
export type Reader = { desk: true } | { desk: false; enteId: string };

/** Whether an ente may read the article `a`: published, and meant for all enti or for this one by name. */
export const visibleToEnte = (enteId: string) =>
  sql<boolean>`(a.state = 'published' and (a.visibility = 'all' or (a.visibility = 'enti' and ${enteId}::uuid = any(a.audience_ente_ids))))`;

/** The articles `reader` may see: the desk every one, drafts included; an ente's staff as visibleToEnte says. */
export const visibleTo = (reader: Reader) => (reader.desk ? sql<boolean>`true` : visibleToEnte(reader.enteId));

export async function articleById(db: Db, id: string, reader: Reader, forUpdate = false): Promise<ArticleRow | undefined> {
  let query = db.selectFrom('kb_article as a').select(articleColumns).where('a.id', '=', id).where(visibleTo(reader));
  if (forUpdate) query = query.forUpdate();
  return query.executeTakeFirst();
}

export interface SearchFilters {
  /** Desk filters (an ente's staff only ever get published articles). */
  state?: ArticleState | undefined;
  visibility?: Visibility | undefined;
  category?: string | undefined;
  limit: number;
  offset: number;
}

// Markers of the highlighted words in ts_headline's output: private-use characters, split into parts by the
// caller and never sent as HTML.
export const MARK_START = '\uE000';
export const MARK_END = '\uE001';
export const LESS_THAN = '\uE002';
const HEADLINE_OPTIONS = `StartSel=${MARK_START}, StopSel=${MARK_END}, MaxWords=28, MinWords=12, MaxFragments=2, FragmentDelimiter=" … "`;
// The body without Markdown punctuation and link targets, so snippets read as text. '<' is swapped for a marker:
// ts_headline drops anything that looks like an HTML tag, and a body that shows "<script>" must show it (as text).
const plainBody = sql<string>`replace(regexp_replace(regexp_replace(regexp_replace(a.body, '\\]\\((?:[^()]|\\([^()]*\\))*\\)', ']', 'g'), '(^|\\n)[ \\t]*[#>]+', '\\1', 'g'), '[*_\`|\\[\\]]+', '', 'g'), '<', ${LESS_THAN})`;

export interface SearchRow extends ArticleRow {
  rank: number;
  headline: string | null;
}

/**
 * How the text is matched: 'all' words (websearch syntax: "quoted phrases", -exclusions, or), 'any' word (for
 * suggestions from a ticket being typed), or by trigram similarity of title and keywords (misspellings).
 */
export type MatchMode = 'all' | 'any' | 'similar';

export async function searchArticles(db: Db, reader: Reader, text: string | undefined, mode: MatchMode, filters: SearchFilters): Promise<{ total: number; items: SearchRow[] }> {
  let base = db.selectFrom('kb_article as a').where(visibleTo(reader));
  if (filters.state) base = base.where('a.state', '=', filters.state);
  if (filters.visibility) base = base.where('a.visibility', '=', filters.visibility);
  if (filters.category) base = base.where((eb) => eb.or([eb('a.category_code', '=', filters.category!), eb('a.category_code', 'in', eb.selectFrom('ticket_category').select('code').where('parent_code', '=', filters.category!))]));

  if (!text) {
    const [count, items] = await Promise.all([
      base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
      base.select(articleColumns).select([sql<number>`0`.as('rank'), sql<string | null>`null`.as('headline')]).orderBy('a.updated_at', 'desc').orderBy('a.id').limit(filters.limit).offset(filters.offset).execute(),
    ]);
    return { total: Number(count.n), items };
  }

  if (mode === 'similar') {
    const haystack = sql`unaccent_simple(lower(a.title || ' ' || coalesce(kb_keywords_text(a.keywords), '')))`;
    const needle = sql`unaccent_simple(lower(${text}))`;
    const similar = base.where(sql<boolean>`word_similarity(${needle}, ${haystack}) >= 0.5`);
    const [count, items] = await Promise.all([
      similar.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
      similar
        .select(articleColumns)
        .select([sql<number>`word_similarity(${needle}, ${haystack})`.as('rank'), sql<string | null>`null`.as('headline')])
        .orderBy('rank', 'desc')
        .orderBy('a.id')
        .limit(filters.limit)
        .offset(filters.offset)
        .execute(),
    ]);
    return { total: Number(count.n), items };
  }

  const query = mode === 'all' ? sql`websearch_to_tsquery('kb_italian', ${text})` : sql`websearch_to_tsquery('kb_italian', ${anyWordQuery(text)})`;
  const matched = base.where(sql<boolean>`a.search @@ ${query}`);
  const [count, items] = await Promise.all([
    matched.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    matched
      .select(articleColumns)
      .select([sql<number>`ts_rank_cd(a.search, ${query})`.as('rank'), sql<string>`ts_headline('kb_italian', ${plainBody}, ${query}, ${HEADLINE_OPTIONS})`.as('headline')])
      .orderBy('rank', 'desc')
      .orderBy('a.updated_at', 'desc')
      .orderBy('a.id')
      .limit(filters.limit)
      .offset(filters.offset)
      .execute(),
  ]);
  return { total: Number(count.n), items };
}

/** 'la PEC non riceve' → 'PEC or non or riceve': only letters and digits pass, so no operator sneaks in. */
export function anyWordQuery(text: string): string {
  const words = text.match(/[\p{L}\p{N}]{2,}/gu) ?? [];
  return [...new Set(words.map((w) => w.toLowerCase()))].slice(0, 30).join(' or ');
}

export async function insertArticle(trx: Trx, row: Omit<ArticleRow, 'id' | 'revision' | 'linked_count'>): Promise<ArticleRow> {
  return trx.insertInto('kb_article').values(row).returning(articleFields).executeTakeFirstOrThrow();
}

export async function updateArticle(trx: Trx, id: string, row: Partial<Omit<ArticleRow, 'id' | 'linked_count' | 'created_at' | 'created_by'>>): Promise<ArticleRow> {
  return trx.updateTable('kb_article').set(row).where('id', '=', id).returning(articleFields).executeTakeFirstOrThrow();
}

export async function insertRevision(trx: Trx, article: ArticleRow, savedByLabel: string): Promise<void> {
  await trx
    .insertInto('kb_article_revision')
    .values({
      article_id: article.id,
      revision: article.revision,
      title: article.title,
      body: article.body,
      category_code: article.category_code,
      keywords: article.keywords,
      state: article.state,
      visibility: article.visibility,
      audience_ente_ids: article.audience_ente_ids,
      saved_by: article.updated_by,
      saved_by_label: savedByLabel,
      saved_at: article.updated_at,
    })
    .execute();
}

export const revisionsOf = (db: Db, articleId: string) =>
  db.selectFrom('kb_article_revision').selectAll().where('article_id', '=', articleId).orderBy('revision', 'desc').execute();

export const revisionOf = (db: Db, articleId: string, revision: number) =>
  db.selectFrom('kb_article_revision').selectAll().where('article_id', '=', articleId).where('revision', '=', revision).executeTakeFirst();

export async function votesOf(db: Db, articleIds: string[]): Promise<Map<string, { useful: number; notUseful: number }>> {
  const out = new Map<string, { useful: number; notUseful: number }>();
  if (articleIds.length === 0) return out;
  const rows = await db
    .selectFrom('kb_article_vote')
    .select(['article_id', sql<number>`count(*) filter (where useful)`.as('useful'), sql<number>`count(*) filter (where not useful)`.as('not_useful')])
    .where('article_id', 'in', articleIds)
    .groupBy('article_id')
    .execute();
  for (const r of rows) out.set(r.article_id, { useful: Number(r.useful), notUseful: Number(r.not_useful) });
  return out;
}

export const voteOf = (db: Db, articleId: string, userId: string) =>
  db.selectFrom('kb_article_vote').select(['useful', 'voted_at']).where('article_id', '=', articleId).where('user_id', '=', userId).executeTakeFirst();

export async function upsertVote(trx: Trx, articleId: string, userId: string, useful: boolean, at: Date): Promise<void> {
  await trx
    .insertInto('kb_article_vote')
    .values({ article_id: articleId, user_id: userId, useful, voted_at: at })
    .onConflict((oc) => oc.columns(['article_id', 'user_id']).doUpdateSet({ useful, voted_at: at }))
    .execute();
}

/** The links of one ticket (RLS: `trx` is bound to the ticket's ente), with whether the ente may still read each. */
export const linksOfTicket = (trx: Trx, enteId: string, ticketId: string) =>
  trx
    .selectFrom('ticket_kb_link as l')
    .innerJoin('kb_article as a', 'a.id', 'l.article_id')
    .select([...articleColumns, 'l.linked_at', 'l.linked_by_label', visibleToEnte(enteId).as('visible')])
    .where('l.ticket_id', '=', ticketId)
    .orderBy('l.linked_at')
    .execute();

export async function insertLink(trx: Trx, link: Selectable<DB['ticket_kb_link']>): Promise<boolean> {
  const inserted = await trx.insertInto('ticket_kb_link').values(link).onConflict((oc) => oc.doNothing()).executeTakeFirst();
  return Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0;
}

export async function deleteLink(trx: Trx, ticketId: string, articleId: string): Promise<boolean> {
  const deleted = await trx.deleteFrom('ticket_kb_link').where('ticket_id', '=', ticketId).where('article_id', '=', articleId).executeTakeFirst();
  return Number(deleted.numDeletedRows) > 0;
}

export async function addToLinkedCount(trx: Trx, articleId: string, delta: 1 | -1): Promise<void> {
  await trx
    .updateTable('kb_article')
    .set({ linked_count: sql`greatest(0, linked_count + ${delta})` })
    .where('id', '=', articleId)
    .execute();
}

export const ticketExists = async (trx: Trx, ticketId: string) =>
  (await trx.selectFrom('ticket').select('id').where('id', '=', ticketId).executeTakeFirst()) !== undefined;

export interface EnteRef {
  id: string;
  slug: string;
  name: string;
}

/** Names and slugs of the enti of an audience (the ente table is the network's, not a tenant's). */
export async function entiByIds(db: Db, ids: string[]): Promise<EnteRef[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('ente').select(['id', 'slug', 'name']).where('id', 'in', ids).orderBy('name').execute();
}

export async function entiBySlugs(db: Db, slugs: string[]): Promise<EnteRef[]> {
  if (slugs.length === 0) return [];
  return db.selectFrom('ente').select(['id', 'slug', 'name']).where('slug', 'in', slugs).execute();
}

/** Every ente, by name, for the audience picker of the editor. */
export const allEnti = (db: Db) => db.selectFrom('ente').select(['id', 'slug', 'name']).orderBy('name').execute();
