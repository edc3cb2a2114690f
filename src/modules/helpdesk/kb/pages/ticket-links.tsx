// The desk links articles to a ticket: /backoffice/enti/{slug}/assistenza/guida/ticket/{ticketId} lists the
// links and searches the articles the ticket's ente may read; the link and unlink forms (also used by
// TicketKbPanel on the ticket's page) post here and go back to `torna`.
import { Type } from 'typebox';
import { actorOf, csrfToken } from '../../../../platform/auth/index.js';
import type { App } from '../../../../platform/http/app.js';
import { notFound } from '../../../../platform/http/problem.js';
import type { Platform } from '../../../../platform/platform.js';
import { t } from '../../../../platform/views/i18n/index.js';
import { CsrfField } from '../../../../platform/views/layout.js';
import { requireDesk } from '../../access.js';
import { LinkSearchForm, Snippet, TicketKbPanel } from '../components.js';
import { enteArticlePath, ticketLinksPath } from '../paths.js';
import { articlesOfTicket, linkArticle, searchArticles, unlinkArticle } from '../service.js';
import { EnteLayout, Outcome, findEnte, formFields, safeReturn, sendPage, staffOrLogin } from './common.js';

const Params = Type.Object({ slug: Type.String({ maxLength: 200 }), ticketId: Type.String({ maxLength: 100 }) });

/** `url` with `esito` set (replacing an earlier one). */
function withOutcome(url: string, esito: string): string {
  const [path, query = ''] = url.split('?', 2) as [string, string?];
  const params = new URLSearchParams(query);
  params.set('esito', esito);
  return `${path}?${params.toString()}`;
}

export function registerTicketLinkPages(app: App, platform: Platform): void {
  const { db } = platform;

  app.get(
    '/backoffice/enti/:slug/assistenza/guida/ticket/:ticketId',
    { schema: { hide: true, params: Params, querystring: Type.Object({ q: Type.Optional(Type.String({ maxLength: 200 })), torna: Type.Optional(Type.String({ maxLength: 500 })), esito: Type.Optional(Type.String({ maxLength: 40 })) }) } },
    async (request, reply) => {
      if (!staffOrLogin(request, reply)) return reply;
      await requireDesk(request, db.app);
      const ente = await findEnte(platform, request.params.slug);
      const links = await articlesOfTicket(db.app, ente.id, request.params.ticketId, { desk: true });
      if (!links) throw notFound(t('kb.error.ticketNotFound'));
      const base = ticketLinksPath(ente.slug, request.params.ticketId);
      const q = request.query.q?.trim() || undefined;
      const ticketPage = safeReturn(request.query.torna, base);
      // Forms on this page come back here, keeping the search and the way back to the ticket.
      const here = `${base}?${new URLSearchParams({ ...(q ? { q } : {}), ...(ticketPage !== base ? { torna: ticketPage } : {}) }).toString()}`;
      const result = q ? await searchArticles(db.app, { desk: false, enteId: ente.id }, q, { state: 'published', limit: 10, offset: 0 }) : undefined;
      const linked = new Set(links.map((l) => l.article.id));
      const csrf = csrfToken(request, reply);
      const title = t('kb.links.title');
      return sendPage(
        reply,
        <EnteLayout request={request} ente={ente} title={title}>
          <h1>{title}</h1>
          <Outcome esito={request.query.esito} />
          {ticketPage !== base ? (
            <p>
              <a href={ticketPage}>{t('kb.links.back')}</a>
            </p>
          ) : null}
          <TicketKbPanel enteSlug={ente.slug} ticketId={request.params.ticketId} links={links} desk csrf={csrf} returnTo={here} searchForm={false} />
          <section aria-labelledby="kb-links-search" class="mt-4">
            <h2 id="kb-links-search" class="h5">
              {t('kb.links.searchTitle')}
            </h2>
            <LinkSearchForm action={base} returnTo={ticketPage !== base ? ticketPage : ''} q={q ?? ''} />
            {result ? (
              result.items.length === 0 ? (
                <p class="mt-3">{t('kb.links.noResults')}</p>
              ) : (
                <ul class="list-unstyled mt-3">
                  {result.items.map((a) => (
                    <li class="mb-3">
                      <a href={enteArticlePath(ente.slug, a.id)}>{a.title}</a>
                      <p class="small mb-1">
                        <Snippet parts={a.snippet} />
                      </p>
                      {linked.has(a.id) ? (
                        <span class="badge bg-success">{t('kb.links.already')}</span>
                      ) : (
                        <form method="post" action={`${base}/collega`}>
                          <CsrfField token={csrf} />
                          <input type="hidden" name="articleId" value={a.id} />
                          <input type="hidden" name="torna" value={here} />
                          <button type="submit" class="btn btn-primary btn-sm">
                            {t('kb.links.link')} <span class="visually-hidden">{a.title}</span>
                          </button>
                        </form>
                      )}
                    </li>
                  ))}
                </ul>
              )
            ) : null}
          </section>
        </EnteLayout>,
      );
    },
  );

  for (const [suffix, action] of [
    ['collega', 'link'],
    ['scollega', 'unlink'],
  ] as const) {
    app.post(`/backoffice/enti/:slug/assistenza/guida/ticket/:ticketId/${suffix}`, { schema: { hide: true, params: Params } }, async (request, reply) => {
      if (!staffOrLogin(request, reply)) return reply;
      await requireDesk(request, db.app);
      const ente = await findEnte(platform, request.params.slug);
      const fields = formFields(request.body);
      const back = safeReturn(fields.one('torna'), ticketLinksPath(ente.slug, request.params.ticketId));
      const articleId = fields.one('articleId');
      let esito: string;
      if (action === 'link') esito = (await linkArticle(db.app, actorOf(request), ente.id, request.params.ticketId, articleId)) ? 'collegato' : 'gia-collegato';
      else {
        await unlinkArticle(db.app, actorOf(request), ente.id, request.params.ticketId, articleId);
        esito = 'scollegato';
      }
      return reply.redirect(withOutcome(back, esito), 303);
    });
  }
}
