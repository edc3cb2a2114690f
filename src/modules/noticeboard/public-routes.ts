// Public JSON API of the albo pretorio: the acts online today of an ente, and one act while it is online
// (410 problem+json once its period is over: the act has left the web by law, it is not an error of the
// client). Only public facts are returned: no drafts, no privacy findings, no staff names.
import { Type, type Static } from 'typebox';
import type { App } from '../../platform/http/app.js';
import type { Platform } from '../../platform/platform.js';
import { t } from '../../platform/views/i18n/index.js';
import { alboEnte, alboOnSend, documentPath, goneProblem, noticeNotFound, noticePath } from './public/shared.js';
import { publicDetail, publicList, type NoticeView } from './service.js';
import './messages-public.js';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);
const IsoDate = Type.String({ format: 'date' });

const ProblemOut = Type.Object(
  { type: Type.String(), title: Type.String(), status: Type.Integer(), detail: Type.Optional(Type.String()), instance: Type.Optional(Type.String()) },
  { additionalProperties: true },
);

const Reference = Type.Object({
  id: Type.String({ format: 'uuid' }),
  label: Nullable(Type.String({ description: 'Numero di registro, es. 12/2026' })),
  href: Type.String(),
});

const DocumentOut = Type.Object({
  role: Type.Union([Type.Literal('main'), Type.Literal('attachment')], { description: 'Documento principale o allegato' }),
  title: Type.String(),
  fileName: Type.String(),
  mediaType: Type.String(),
  sizeBytes: Type.Integer(),
  sha256: Type.String({ pattern: '^[0-9a-f]{64}$' }),
  href: Type.String({ description: 'Indirizzo del file (disponibile solo durante la pubblicazione)' }),
});

const NoticeOut = Type.Object({
  id: Type.String({ format: 'uuid' }),
  register: Type.Object({ year: Type.Integer(), number: Type.Integer(), label: Type.String() }, { description: 'Numero del registro dell’albo' }),
  actType: Type.Object({ code: Type.String(), name: Type.String() }),
  subject: Type.String(),
  office: Type.String({ description: "Ufficio che ha emesso l'atto" }),
  actNumber: Nullable(Type.String()),
  actDate: Nullable(IsoDate),
  requester: Nullable(Type.Object({ name: Type.String() }, { description: 'Ente che ha chiesto la pubblicazione' })),
  publishFrom: IsoDate,
  publishTo: Type.String({ format: 'date', description: 'Ultimo giorno del periodo stabilito' }),
  effectiveTo: Type.String({ format: 'date', description: 'Ultimo giorno di pubblicazione, proroghe per interruzioni del servizio comprese' }),
  days: Type.Integer({ description: 'Durata stabilita in giorni consecutivi' }),
  extensionDays: Type.Integer({ description: 'Giorni di proroga per interruzioni del servizio' }),
  publishedAt: Nullable(Type.String({ format: 'date-time' })),
  annulment: Nullable(Type.Object({ on: IsoDate, reason: Type.String() })),
  corrects: Nullable(Reference),
  correctedBy: Type.Array(Reference),
  documents: Type.Array(DocumentOut),
  href: Type.String(),
  url: Type.String({ description: "Pagina pubblica dell'atto" }),
});

const SlugParam = Type.String({ pattern: '^[a-z0-9-]{1,100}$' });

const ListQuery = Type.Object(
  {
    type: Type.Optional(Type.String({ pattern: '^[a-z_]{1,50}$', description: "Codice del tipo di atto (es. 'determinazione')" })),
    year: Type.Optional(Type.Integer({ minimum: 2000, maximum: 2999, description: 'Anno del registro' })),
    q: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Ricerca libera in italiano su oggetto, ufficio e numero' })),
    limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
    offset: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 }),
  },
  { additionalProperties: false },
);

function noticeOut(slug: string, n: NoticeView): Static<typeof NoticeOut> {
  const api = (id: string) => `/api/v1/enti/${slug}/albo/${id}`;
  return {
    id: n.id,
    register: n.register!,
    actType: n.actType,
    subject: n.subject,
    office: n.office,
    actNumber: n.actNumber,
    actDate: n.actDate,
    requester: n.requester ? { name: n.requester.name } : null,
    publishFrom: n.publishFrom!,
    publishTo: n.publishTo!,
    effectiveTo: n.effectiveTo!,
    days: n.days,
    extensionDays: n.extensionDays,
    publishedAt: n.publishedAt ? n.publishedAt.toISOString() : null,
    annulment: n.annulment,
    corrects: n.corrects ? { id: n.corrects.id, label: n.corrects.label, href: api(n.corrects.id) } : null,
    correctedBy: n.correctedBy.map((c) => ({ id: c.id, label: c.label, href: api(c.id) })),
    documents: n.documents.map((d) => ({
      role: d.role,
      title: d.title,
      fileName: d.originalName,
      mediaType: d.mediaType,
      sizeBytes: Number(d.sizeBytes),
      sha256: d.sha256,
      href: documentPath(slug, n.id, d.sha256),
    })),
    href: api(n.id),
    url: noticePath(slug, n.id),
  };
}

export function registerPublicRoutes(app: App, platform: Platform): void {
  const { db } = platform;
  const albo = { onSend: alboOnSend };

  app.get(
    '/api/v1/enti/:slug/albo',
    {
      ...albo,
      schema: {
        tags: ['albo'],
        summary: "Atti in pubblicazione oggi all'albo pretorio di un ente",
        description:
          'Solo gli atti il cui periodo di pubblicazione comprende la data odierna (Europe/Rome), dal numero di registro più recente. Gli atti annullati restano nell’elenco con la data e il motivo dell’annullamento.',
        params: Type.Object({ slug: SlugParam }),
        querystring: ListQuery,
        response: {
          200: Type.Object({ total: Type.Integer(), limit: Type.Integer(), offset: Type.Integer(), items: Type.Array(NoticeOut) }),
          400: ProblemOut,
          404: ProblemOut,
        },
      },
    },
    async (request) => {
      const ente = await alboEnte(platform, request.params.slug);
      const { type, year, q, limit, offset } = request.query;
      const page = await publicList(db.app, ente.id, { type, year, q: q?.trim() || undefined, limit, offset });
      return { total: page.total, limit, offset, items: page.items.map((n) => noticeOut(ente.slug, n)) };
    },
  );

  app.get(
    '/api/v1/enti/:slug/albo/:id',
    {
      ...albo,
      schema: {
        tags: ['albo'],
        summary: "Un atto dell'albo pretorio durante la pubblicazione",
        description: `404 se l'atto non è mai stato pubblicato; 410 quando il periodo di pubblicazione è terminato. ${t('noticeboard.public.gone')}`,
        params: Type.Object({ slug: SlugParam, id: Type.String({ maxLength: 100 }) }),
        response: { 200: NoticeOut, 404: ProblemOut, 410: ProblemOut },
      },
    },
    async (request) => {
      const ente = await alboEnte(platform, request.params.slug);
      const notice = await publicDetail(db.app, ente.id, request.params.id);
      if (notice === 'gone') throw goneProblem();
      if (!notice) throw noticeNotFound();
      return noticeOut(ente.slug, notice);
    },
  );
}
