// Public side of the albo pretorio online (L. 69/2009 art. 32), for anyone and without login:
//   GET /{slug}/albo                          the acts online today (filters, full text, pagination)
//   GET /{slug}/albo/feed.xml                 RSS 2.0 (AlboPOP conventions)
//   GET /{slug}/albo/{id}                     one act: 404 if never public, 410 once its period is over
//   GET /{slug}/albo/{id}/documenti/{sha256}  one of its documents (410 after expiry, even by direct address)
// Expiry is decided on every read by the service (no scheduler). Every response carries
// X-Robots-Tag: noindex, noarchive, and none sets a cookie for an anonymous reader (no CSRF token here:
// these pages have no form that changes state).
import { Type } from 'typebox';
import { todayInRome } from '../../platform/calendar/index.js';
import type { App } from '../../platform/http/app.js';
import type { Platform } from '../../platform/platform.js';
import { isCurrent, membershipsOf, type Ente } from '../../platform/tenancy/index.js';
import { renderDocument } from '../../platform/views/layout.js';
import { viewerOf } from '../../platform/views/viewer.js';
import { renderFeed, FEED_ITEMS } from './feed.js';
import { DetailPage } from './public/detail.js';
import { ListPage, PAGE_SIZE, type ListFilters } from './public/list.js';
import { SHA256, alboEnte, alboOnSend, contentDisposition, goneProblem, noticeNotFound } from './public/shared.js';
import { actTypes, publicDetail, publicFile, publicList } from './service.js';
import './messages-public.js';

const SlugParams = Type.Object({ slug: Type.String() });
const NoticeParams = Type.Object({ slug: Type.String(), id: Type.String() });
const FileParams = Type.Object({ slug: Type.String(), id: Type.String(), sha256: Type.String() });
const ListQuery = Type.Object({
  tipo: Type.Optional(Type.String()),
  anno: Type.Optional(Type.String()),
  q: Type.Optional(Type.String()),
  pagina: Type.Optional(Type.String()),
});

/** How far back the year filter goes: an act online today was published at most a year or so ago. */
const YEARS_BACK = 2;

/** Query values as a reader may type or edit them: anything unusable is ignored, never an error page. */
function listFilters(query: { tipo?: string | undefined; anno?: string | undefined; q?: string | undefined }, types: { code: string }[]): ListFilters {
  const type = types.some((ty) => ty.code === query.tipo) ? query.tipo : undefined;
  const year = query.anno && /^\d{4}$/.test(query.anno) ? Number(query.anno) : undefined;
  const q = query.q?.trim().slice(0, 200) || undefined;
  return { type, year, q };
}

/** The provincia of an ente (for the AlboPOP channel categories): 'Asti' for the comuni of Provincia di Asti. */
async function provinceOf(platform: Platform, ente: Ente): Promise<string | null> {
  const strip = (name: string) => name.replace(/^Provincia di /, '');
  if (ente.kind === 'provincia') return strip(ente.name);
  const memberships = await membershipsOf(platform.db.app, ente.id);
  const province = memberships.find((m) => m.parent.kind === 'provincia' && isCurrent(m));
  return province ? strip(province.parent.name) : null;
}

export function registerPublicPages(app: App, platform: Platform): void {
  const { db } = platform;
  const albo = { onSend: alboOnSend };

  app.get('/:slug/albo', { ...albo, schema: { hide: true, params: SlugParams, querystring: ListQuery } }, async (request, reply) => {
    const ente = await alboEnte(platform, request.params.slug);
    const types = await actTypes(db.app);
    const filters = listFilters(request.query, types);
    const requested = Number(request.query.pagina);
    let page = Number.isInteger(requested) && requested >= 1 && requested <= 100_000 ? requested : 1;
    let result = await publicList(db.app, ente.id, { ...filters, limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE });
    const pages = Math.max(1, Math.ceil(result.total / PAGE_SIZE));
    if (page > pages) {
      // A page past the end (the list shrank since the link was made): show the last one.
      page = pages;
      result = await publicList(db.app, ente.id, { ...filters, limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE });
    }
    const thisYear = Number(todayInRome().slice(0, 4));
    const years = Array.from({ length: YEARS_BACK + 1 }, (_, i) => thisYear - i);
    reply.type('text/html; charset=utf-8');
    return renderDocument(
      <ListPage viewer={viewerOf(request)} ente={ente} types={types} years={years} filters={filters} page={page} total={result.total} items={result.items} />,
    );
  });

  app.get('/:slug/albo/feed.xml', { ...albo, schema: { hide: true, params: SlugParams } }, async (request, reply) => {
    const ente = await alboEnte(platform, request.params.slug);
    const [result, province] = await Promise.all([publicList(db.app, ente.id, { limit: FEED_ITEMS, offset: 0 }), provinceOf(platform, ente)]);
    reply.type('application/rss+xml; charset=utf-8').header('cache-control', 'public, max-age=300');
    return renderFeed({ baseUrl: platform.config.publicUrl, ente, province, items: result.items, now: new Date() });
  });

  app.get('/:slug/albo/:id', { ...albo, schema: { hide: true, params: NoticeParams } }, async (request, reply) => {
    const ente = await alboEnte(platform, request.params.slug);
    const notice = await publicDetail(db.app, ente.id, request.params.id);
    if (notice === 'gone') throw goneProblem();
    if (!notice) throw noticeNotFound();
    reply.type('text/html; charset=utf-8');
    return renderDocument(<DetailPage viewer={viewerOf(request)} ente={ente} notice={notice} />);
  });

  app.get('/:slug/albo/:id/documenti/:sha256', { ...albo, schema: { hide: true, params: FileParams } }, async (request, reply) => {
    const ente = await alboEnte(platform, request.params.slug);
    const sha256 = request.params.sha256.toLowerCase();
    if (!SHA256.test(sha256)) throw noticeNotFound();
    const file = await publicFile(platform, ente.id, request.params.id, sha256);
    if (file === 'gone') throw goneProblem();
    if (!file) throw noticeNotFound();
    // Short and private: an act that expires tonight must not survive in shared caches.
    reply
      .header('content-type', file.mediaType)
      .header('content-disposition', contentDisposition('inline', file.originalName))
      .header('x-content-type-options', 'nosniff')
      .header('etag', `"${file.sha256}"`)
      .header('cache-control', 'private, max-age=300');
    const ifNoneMatch = String(request.headers['if-none-match'] ?? '');
    if (ifNoneMatch.split(',').some((tag: string) => tag.trim().replace(/^W\//, '') === `"${file.sha256}"`)) {
      return reply.status(304).send();
    }
    return reply.send(file.bytes);
  });
}
