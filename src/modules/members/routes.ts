// JSON API of the network: GET /api/v1/enti and GET /api/v1/enti/{slug}. Public data: who the enti are,
// how they are associated, whether they adhere to the CST and which of its services they use.
import { Type, type Static } from 'typebox';
import type { App } from '../../platform/http/app.js';
import { notFound } from '../../platform/http/problem.js';
import type { Platform } from '../../platform/platform.js';
import { getEnteBySlug, listEnti, membershipsOf, isCurrent, type Ente } from '../../platform/tenancy/index.js';
import { adhesionOf, servicesOf } from './service.js';

const EnteKindSchema = Type.Union([Type.Literal('provincia'), Type.Literal('comune'), Type.Literal('unione'), Type.Literal('comunita_montana')], { description: 'Tipo di ente' });

const EnteSummary = Type.Object({
  slug: Type.String(),
  name: Type.String(),
  kind: EnteKindSchema,
  istatCode: Type.Union([Type.String(), Type.Null()]),
  fiscalCode: Type.Union([Type.String(), Type.Null()]),
  ipaCode: Type.Union([Type.String(), Type.Null()]),
  href: Type.String(),
});

const MembershipOut = Type.Object({
  parent: Type.Object({ slug: Type.String(), name: Type.String(), kind: Type.String() }),
  validFrom: Type.String({ format: 'date' }),
  validTo: Type.Union([Type.String({ format: 'date' }), Type.Null()]),
  source: Type.Union([Type.String(), Type.Null()]),
});

const ServiceOut = Type.Object({
  code: Type.String(),
  name: Type.String(),
  activeFrom: Type.String({ format: 'date' }),
  activeTo: Type.Union([Type.String({ format: 'date' }), Type.Null()]),
});

const ProblemOut = Type.Object({ type: Type.String(), title: Type.String(), status: Type.Integer(), detail: Type.Optional(Type.String()) }, { additionalProperties: true });

const ListQuery = Type.Object(
  {
    kind: Type.Optional(EnteKindSchema),
    parent: Type.Optional(Type.String({ pattern: '^[a-z0-9-]{1,100}$', description: "Slug dell'ente di appartenenza (unione, comunità montana, provincia)" })),
    q: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'Testo libero: nome, slug, codice ISTAT o IPA' })),
    limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
    offset: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 }),
  },
  { additionalProperties: false },
);

const summary = (e: Ente): Static<typeof EnteSummary> => ({
  slug: e.slug,
  name: e.name,
  kind: e.kind,
  istatCode: e.istatCode,
  fiscalCode: e.fiscalCode,
  ipaCode: e.ipaCode,
  href: `/api/v1/enti/${e.slug}`,
});

export function registerRoutes(app: App, platform: Platform) {
  const { db } = platform;

  app.get(
    '/api/v1/enti',
    {
      schema: {
        tags: ['enti'],
        summary: 'Elenco degli enti della rete',
        querystring: ListQuery,
        response: {
          200: Type.Object({ total: Type.Integer(), limit: Type.Integer(), offset: Type.Integer(), items: Type.Array(EnteSummary) }),
          400: ProblemOut,
        },
      },
    },
    async (request) => {
      const { kind, parent, q, limit, offset } = request.query;
      if (parent && !(await getEnteBySlug(db.app, parent))) throw notFound(`Nessun ente con slug «${parent}»`);
      const page = await listEnti(db.app, { kind, parent, q, limit, offset });
      return { total: page.total, limit, offset, items: page.items.map(summary) };
    },
  );

  app.get(
    '/api/v1/enti/:slug',
    {
      schema: {
        tags: ['enti'],
        summary: "Scheda di un ente: appartenenze correnti e passate, adesione al CST, servizi attivi",
        params: Type.Object({ slug: Type.String({ pattern: '^[a-z0-9-]{1,100}$' }) }),
        response: {
          200: Type.Object({
            ...EnteSummary.properties,
            seat: Type.Union([Type.Object({ slug: Type.String(), name: Type.String() }), Type.Null()]),
            memberships: Type.Object({ current: Type.Array(MembershipOut), past: Type.Array(MembershipOut) }),
            members: Type.Array(Type.Object({ slug: Type.String(), name: Type.String() })),
            adhesion: Type.Object({
              status: Type.String(),
              since: Type.Union([Type.String(), Type.Null()]),
              via: Type.Union([Type.Object({ slug: Type.String(), name: Type.String() }), Type.Null()]),
              deadline: Type.Union([Type.String(), Type.Null()]),
            }),
            services: Type.Object({ current: Type.Array(ServiceOut), past: Type.Array(ServiceOut) }),
          }),
          404: ProblemOut,
        },
      },
    },
    async (request) => {
      const ente = await getEnteBySlug(db.app, request.params.slug);
      if (!ente) throw notFound(`Nessun ente con slug «${request.params.slug}»`);
      const [memberships, adhesion, services, members, seat] = await Promise.all([
        membershipsOf(db.app, ente.id),
        adhesionOf(db.app, ente.id),
        servicesOf(db.app, ente.id),
        db.app
          .selectFrom('ente_membership as m')
          .innerJoin('ente as e', 'e.id', 'm.ente_id')
          .select(['e.slug', 'e.name', 'm.valid_from', 'm.valid_to'])
          .where('m.parent_id', '=', ente.id)
          .orderBy('e.name')
          .execute(),
        ente.seatEnteId ? db.app.selectFrom('ente').select(['slug', 'name']).where('id', '=', ente.seatEnteId).executeTakeFirst() : undefined,
      ]);
      const toOut = (m: (typeof memberships)[number]) => ({ parent: { slug: m.parent.slug, name: m.parent.name, kind: m.parent.kind }, validFrom: m.validFrom, validTo: m.validTo, source: m.source });
      const serviceOut = (s: (typeof services.current)[number]) => ({ code: s.code, name: s.name, activeFrom: s.activeFrom, activeTo: s.activeTo });
      return {
        ...summary(ente),
        seat: seat ?? null,
        memberships: { current: memberships.filter((m) => isCurrent(m)).map(toOut), past: memberships.filter((m) => !isCurrent(m)).map(toOut) },
        members: members.filter((m) => isCurrent({ validFrom: m.valid_from, validTo: m.valid_to })).map((m) => ({ slug: m.slug, name: m.name })),
        adhesion: {
          status: adhesion?.adhesion.status ?? 'not_adhering',
          since: adhesion?.adhesion.since ?? null,
          via: adhesion?.via ?? null,
          deadline: adhesion?.adhesion.deadline ?? null,
        },
        services: { current: services.current.map(serviceOut), past: services.past.map(serviceOut) },
      };
    },
  );
}
