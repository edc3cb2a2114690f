// Pieces of the knowledge base that other pages embed: the suggestions box of the new-ticket form
// (KbSuggestions) and the panel of articles linked to a ticket (TicketKbPanel), plus the small parts the guide's
// own pages share (snippet with highlighted words, rendered body, state and visibility badges).
import type { ComponentChildren } from 'preact';
import { todayInRome } from '../../../platform/calendar/index.js';
import { formatDate, t } from '../../../platform/views/i18n/index.js';
import { CsrfField } from '../../../platform/views/layout.js';
import { renderBody, type SnippetPart } from './markdown.js';
import { KB_SUGGEST_SCRIPT, enteArticlePath, enteGuidePath, suggestApiPath, ticketLinksPath } from './paths.js';
import type { ArticleState, LinkedArticle, Visibility } from './service.js';
import './messages.js';

/** A search snippet: the matched words in <mark>, everything as text (Preact escapes it). */
export function Snippet({ parts }: { parts: SnippetPart[] }) {
  return <>{parts.map((p) => (p.match ? <mark>{p.text}</mark> : p.text))}</>;
}

/**
 * The body of an article as HTML. The only unescaped HTML of the guide: markdown-it with `html: false` escapes
 * every character the author typed (see markdown.ts), so the string holds only the markup of the subset.
 */
export function ArticleBody({ body }: { body: string }) {
  return <div class="kb-article-body" dangerouslySetInnerHTML={{ __html: renderBody(body) }} />;
}

const stateBadge: Record<ArticleState, string> = { draft: 'bg-secondary', published: 'bg-success', archived: 'bg-dark' };
export function StateBadge({ state }: { state: ArticleState }) {
  return <span class={`badge ${stateBadge[state]}`}>{t(`kb.state.${state}`)}</span>;
}

export function VisibilityBadge({ visibility }: { visibility: Visibility }) {
  return <span class={`badge ${visibility === 'cst' ? 'bg-warning text-dark' : 'bg-info text-dark'}`}>{t(`kb.visibility.${visibility}.short`)}</span>;
}

/** The calendar day in Rome of an instant, as an Italian date ('31/12/2026'). */
export const dateOf = (d: Date) => formatDate(todayInRome(d));
/**
 * Suggestions from the guide while a ticket is being written. Drop it into the new-ticket form of ente
 * `enteSlug`, after the fields whose ids are `inputIds` (e.g. the inputs named `subject` and `description`):
 *
 *   <KbSuggestions enteSlug={ente.slug} inputIds={['ticket-subject', 'ticket-description']} />
 *
 * It renders a live region (aria-live polite) that the script at KB_SUGGEST_SCRIPT (included by the component,
 * served by registerKb) fills with up to 5 articles as the user types (debounced, from
 * GET /api/v1/helpdesk/kb/suggest). Without JavaScript it is a link to the guide's search page, opening in a new
 * tab so the ticket being written is not lost. The user must be a requester of the ente (or the desk).
 */
export function KbSuggestions({ enteSlug, inputIds, idPrefix = 'kb-suggest' }: { enteSlug: string; inputIds: string[]; idPrefix?: string }) {
  return (
    <section
      class="kb-suggestions border rounded p-3 my-3"
      aria-labelledby={`${idPrefix}-title`}
      data-kb-suggest={suggestApiPath(enteSlug)}
      data-kb-inputs={inputIds.join(' ')}
      data-kb-guide={enteGuidePath(enteSlug)}
      data-kb-msg-found={t('kb.suggest.found')}
      data-kb-msg-one={t('kb.suggest.foundOne')}
      data-kb-msg-none={t('kb.suggest.none')}
    >
      <h2 id={`${idPrefix}-title`} class="h6 mb-1">
        {t('kb.suggest.title')}
      </h2>
      <p class="small mb-2">{t('kb.suggest.help')}</p>
      <div aria-live="polite" data-kb-results></div>
      <p class="small mb-0">
        <a href={enteGuidePath(enteSlug)} target="_blank" rel="noopener" data-kb-search-link>
          {t('kb.suggest.searchLink')}
        </a>
      </p>
      <script src={KB_SUGGEST_SCRIPT} defer></script>
    </section>
  );
}

export interface TicketKbPanelProps {
  enteSlug: string;
  ticketId: string;
  /** From articlesOfTicket(db, enteId, ticketId, { desk }). */
  links: LinkedArticle[];
  /** The desk sees every link, can unlink and search articles to link. */
  desk: boolean;
  /** The session's CSRF token (for the desk's unlink buttons). */
  csrf?: string;
  /** Where to come back after linking/unlinking (the ticket page); a /backoffice/ path. */
  returnTo: string;
  /** For the desk: the small search form that leads to the linking page (default true). */
  searchForm?: boolean;
}

/**
 * The articles linked to a ticket, for the ticket's page. Load `links` with articlesOfTicket(); for the desk,
 * pass `desk` and `csrf`: each link gets an unlink button and a small search form leads to the page that links
 * articles (ticketLinksPath), which comes back to `returnTo`.
 */
export function TicketKbPanel({ enteSlug, ticketId, links, desk, csrf, returnTo, searchForm = true }: TicketKbPanelProps) {
  const base = ticketLinksPath(enteSlug, ticketId);
  return (
    <section class="kb-ticket-panel my-4" aria-labelledby="kb-panel-title">
      <h2 id="kb-panel-title" class="h5">
        {t('kb.panel.title')}
      </h2>
      {links.length === 0 ? (
        <p>{t('kb.panel.none')}</p>
      ) : (
        <ul class="list-unstyled">
          {links.map((l) => (
            <li class="mb-2 d-flex flex-wrap align-items-center gap-2">
              <a href={enteArticlePath(enteSlug, l.article.id)}>{l.article.title}</a>
              {desk && !l.visibleToEnte ? <span class="badge bg-warning text-dark">{t('kb.panel.notVisible')}</span> : null}
              {desk && csrf ? (
                <form method="post" action={`${base}/scollega`} class="d-inline">
                  <CsrfField token={csrf} />
                  <input type="hidden" name="articleId" value={l.article.id} />
                  <input type="hidden" name="torna" value={returnTo} />
                  <button type="submit" class="btn btn-link btn-sm p-0">
                    {t('kb.panel.unlink')}
                    <span class="visually-hidden"> {l.article.title}</span>
                  </button>
                </form>
              ) : null}
            </li>
          ))}
        </ul>
      )}
      {desk && searchForm ? <LinkSearchForm action={base} returnTo={returnTo} /> : null}
    </section>
  );
}

export function LinkSearchForm({ action, returnTo, q = '' }: { action: string; returnTo: string; q?: string }) {
  return (
    <form method="get" action={action} role="search" class="row g-2 align-items-end">
      <input type="hidden" name="torna" value={returnTo} />
      <div class="col-sm-8">
        <label for="kb-link-q" class="form-label">
          {t('kb.panel.search')}
        </label>
        <input type="search" id="kb-link-q" name="q" value={q} maxLength={200} class="form-control" />
      </div>
      <div class="col-sm-4">
        <button type="submit" class="btn btn-outline-primary">
          {t('kb.panel.searchButton')}
        </button>
      </div>
    </form>
  );
}

export function Alert({ kind, children }: { kind: 'success' | 'danger'; children: ComponentChildren }) {
  return (
    <div class={`alert alert-${kind}`} role={kind === 'success' ? 'status' : 'alert'}>
      {children}
    </div>
  );
}
