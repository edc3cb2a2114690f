// JSON API of debt positions: /api/v1/enti/{slug}/pagamenti/posizioni — create (amounts as integer cents
// `amountCents`, or as a decimal string `amount`: "12.50"; three decimals are refused), list with filters and
// paging (with the totals of what matches), read one, cancel, publish. Staff session required: payments.read to
// read, payments.manage to write; refusals are problem+json (403s audited by requirePermission).
import { Type, type Static } from 'typebox';
import { actorOf, requirePermission, requireStaff } from '../../../platform/auth/index.js';
import { todayInRome } from '../../../platform/calendar/index.js';
import { withEnte } from '../../../platform/db/index.js';
import type { App } from '../../../platform/http/app.js';
import { notFound, unprocessable } from '../../../platform/http/problem.js';
import type { Platform } from '../../../platform/platform.js';
import { getEnteBySlug } from '../../../platform/tenancy/index.js';
import { AmountError, parseEuroToCents } from '../amounts.js';
import { cancelPosition, createPosition, getPosition, publishPosition, type PositionInput, type PositionView } from '../service.js';
import { STATUSES, listPositions, totals } from '../backoffice/queries.js';

const Problem = Type.Object({ type: Type.String(), title: Type.String(), status: Type.Integer(), detail: Type.Optional(Type.String()) }, { additionalProperties: true });
const Amount = Type.String({ pattern: '^[0-9]{1,12}([.,][0-9]+)?$', description: 'Importo decimale in euro, es. "12.50" (al massimo due decimali)' });
const Cents = Type.Integer({ minimum: 1, maximum: 99_999_999_999, description: 'Importo in centesimi di euro' });
const IsoDate = Type.String({ format: 'date' });

const TransferIn = Type.Object(
  {
    amountCents: Type.Optional(Cents),
    amount: Type.Optional(Amount),
    beneficiaryFiscalCode: Type.Optional(Type.String({ maxLength: 11 })),
    iban: Type.Optional(Type.String({ maxLength: 34 })),
    taxonomy: Type.Optional(Type.String({ maxLength: 20 })),
    remittance: Type.Optional(Type.String({ maxLength: 140 })),
  },
  { additionalProperties: false },
);

const PositionIn = Type.Object(
  {
    serviceCode: Type.String({ maxLength: 40, description: 'Codice del servizio nel catalogo dell’ente' }),
    debtor: Type.Object(
      {
        type: Type.Optional(Type.Union([Type.Literal('F'), Type.Literal('G')])),
        fiscalCode: Type.String({ maxLength: 16 }),
        name: Type.String({ maxLength: 200 }),
        email: Type.Optional(Type.Union([Type.String({ maxLength: 200 }), Type.Null()])),
        address: Type.Optional(Type.Union([Type.String({ maxLength: 300 }), Type.Null()])),
      },
      { additionalProperties: false },
    ),
    reason: Type.String({ maxLength: 500 }),
    amountCents: Type.Optional(Cents),
    amount: Type.Optional(Amount),
    dueDate: Type.Optional(IsoDate),
    instalments: Type.Optional(Type.Array(Type.Object({ amountCents: Type.Optional(Cents), amount: Type.Optional(Amount), dueDate: IsoDate }, { additionalProperties: false }), { maxItems: 99 })),
    payInFull: Type.Optional(Type.Boolean()),
    // At most 5 (pagoPA): more is a 422 of the service, not a schema error.
    transfers: Type.Optional(Type.Array(TransferIn, { maxItems: 20, description: 'Al massimo 5 trasferimenti; la somma è uguale all’importo' })),
    retentionDays: Type.Optional(Type.Integer({ minimum: 0, maximum: 365 })),
    externalRef: Type.Optional(Type.Union([Type.String({ maxLength: 60 }), Type.Null()])),
    publish: Type.Optional(Type.Boolean({ default: true, description: 'false: resta in bozza' })),
  },
  { additionalProperties: false },
);
type PositionInBody = Static<typeof PositionIn>;

const TransferOut = Type.Object({ idx: Type.Integer(), beneficiaryFiscalCode: Type.String(), iban: Type.String(), amountCents: Type.Integer(), taxonomy: Type.String(), remittance: Type.String() });
const OptionOut = Type.Object({
  id: Type.String(),
  instalment: Type.Union([Type.Integer(), Type.Null()]),
  iuv: Type.String(),
  noticeNumber: Type.String(),
  amountCents: Type.Integer(),
  dueDate: Type.String(),
  retentionDate: Type.Union([Type.String(), Type.Null()]),
  status: Type.String(),
  paidAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  payable: Type.Boolean(),
  transfers: Type.Array(TransferOut),
});
const PositionOut = Type.Object({
  id: Type.String(),
  externalRef: Type.Union([Type.String(), Type.Null()]),
  serviceCode: Type.String(),
  debtor: Type.Object({ type: Type.String(), fiscalCode: Type.String(), name: Type.String(), email: Type.Union([Type.String(), Type.Null()]) }),
  reason: Type.String(),
  amountCents: Type.Integer(),
  status: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
  publishedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  cancelledAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  paidAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  options: Type.Array(OptionOut),
  href: Type.String(),
  noticePdf: Type.String(),
});
const SummaryOut = Type.Object({
  id: Type.String(),
  externalRef: Type.Union([Type.String(), Type.Null()]),
  serviceCode: Type.String(),
  debtorFiscalCode: Type.String(),
  debtorName: Type.String(),
  reason: Type.String(),
  amountCents: Type.Integer(),
  paidCents: Type.Integer(),
  status: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
  firstDue: Type.Union([Type.String(), Type.Null()]),
  href: Type.String(),
});
const TotalsOut = Type.Object({ positions: Type.Integer(), dueCents: Type.Integer(), paidCents: Type.Integer(), expiredCents: Type.Integer() });

const ListQuery = Type.Object(
  {
    status: Type.Optional(Type.Union(STATUSES.map((s) => Type.Literal(s)))),
    service: Type.Optional(Type.String({ pattern: '^[a-z0-9_]{2,40}$' })),
    debtor: Type.Optional(Type.String({ minLength: 11, maxLength: 16, description: 'Codice fiscale del debitore' })),
    q: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    dueFrom: Type.Optional(IsoDate),
    dueTo: Type.Optional(IsoDate),
    limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
    offset: Type.Integer({ minimum: 0, maximum: 10_000_000, default: 0 }),
  },
  { additionalProperties: false },
);

const Slug = Type.Object({ slug: Type.String({ pattern: '^[a-z0-9-]{1,100}$' }) });
const SlugId = Type.Object({ slug: Type.String({ pattern: '^[a-z0-9-]{1,100}$' }), id: Type.String({ format: 'uuid' }) });
const errors = { 400: Problem, 401: Problem, 403: Problem, 404: Problem, 409: Problem, 422: Problem };

const base = (slug: string) => `/api/v1/enti/${slug}/pagamenti/posizioni`;

/** `amountCents` or `amount` ("12.50"): exactly one; three decimals → 422. */
function centsOf(item: { amountCents?: number | undefined; amount?: string | undefined }, what: string): number {
  if (item.amountCents !== undefined && item.amount !== undefined) throw unprocessable(`${what}: indica amountCents oppure amount, non entrambi`);
  if (item.amountCents !== undefined) return item.amountCents;
  if (item.amount === undefined) throw unprocessable(`${what}: manca l'importo (amountCents o amount)`);
  // The API's decimal string has a dot for decimals: "12.505" is 3 decimals, never Italian thousands.
  if (/^[0-9]+\.[0-9]{3,}$/.test(item.amount)) throw unprocessable(`${what}: importo con più di due decimali: "${item.amount}"`);
  try {
    return parseEuroToCents(item.amount);
  } catch (err) {
    if (err instanceof AmountError) throw unprocessable(`${what}: ${err.message}`);
    throw err;
  }
}

export function inputOfBody(body: PositionInBody): PositionInput {
  return {
    serviceCode: body.serviceCode,
    debtor: body.debtor,
    reason: body.reason,
    amountCents: centsOf(body, 'Importo'),
    dueDate: body.dueDate,
    instalments: body.instalments?.map((i, n) => ({ amountCents: centsOf(i, `Rata ${n + 1}`), dueDate: i.dueDate })),
    payInFull: body.payInFull,
    transfers: body.transfers?.map((tr, n) => ({ ...tr, amountCents: centsOf(tr, `Trasferimento ${n + 1}`) })),
    retentionDays: body.retentionDays,
    externalRef: body.externalRef,
  };
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function out(slug: string, v: PositionView): Static<typeof PositionOut> {
  return {
    id: v.id,
    externalRef: v.externalRef,
    serviceCode: v.serviceCode,
    debtor: { type: v.debtor.type, fiscalCode: v.debtor.fiscalCode, name: v.debtor.name, email: v.debtor.email },
    reason: v.reason,
    amountCents: v.amountCents,
    status: v.status,
    createdAt: v.createdAt.toISOString(),
    publishedAt: iso(v.publishedAt),
    cancelledAt: iso(v.cancelledAt),
    paidAt: iso(v.paidAt),
    options: v.options.map((o) => ({ ...o, paidAt: iso(o.paidAt) })),
    href: `${base(slug)}/${v.id}`,
    noticePdf: `/backoffice/enti/${slug}/pagamenti/posizioni/${v.id}/avviso.pdf`,
  };
}

export function registerRoutes(app: App, platform: Platform) {
  const db = platform.db.app;
  /** 401 before anything else, then 404 for an unknown ente, then 403 (audited). */
  const enteFor = async (request: Parameters<typeof requireStaff>[0], slug: string, permission: 'payments.read' | 'payments.manage') => {
    requireStaff(request);
    const ente = await getEnteBySlug(db, slug);
    if (!ente) throw notFound(`Nessun ente con slug «${slug}»`);
    await requirePermission(request, db, ente.id, permission);
    return ente;
  };
  const tags = ['payments'];

  app.post('/api/v1/enti/:slug/pagamenti/posizioni', { schema: { tags, summary: 'Crea una posizione debitoria (idempotente su externalRef)', params: Slug, body: PositionIn, response: { 200: PositionOut, 201: PositionOut, ...errors } } }, async (request, reply) => {
    const ente = await enteFor(request, request.params.slug, 'payments.manage');
    const { position, created } = await createPosition(db, actorOf(request), ente.id, inputOfBody(request.body), { publish: request.body.publish ?? true });
    const body = out(ente.slug, position);
    return reply.status(created ? 201 : 200).header('location', body.href).send(body);
  });

  app.get('/api/v1/enti/:slug/pagamenti/posizioni', { schema: { tags, summary: 'Elenco delle posizioni con filtri, paginazione e totali', params: Slug, querystring: ListQuery, response: { 200: Type.Object({ total: Type.Integer(), limit: Type.Integer(), offset: Type.Integer(), totals: TotalsOut, items: Type.Array(SummaryOut) }), ...errors } } }, async (request) => {
    const ente = await enteFor(request, request.params.slug, 'payments.read');
    const { limit, offset, ...filters } = request.query;
    const today = todayInRome();
    const { page, sums } = await withEnte(db, ente.id, async (trx) => ({ page: await listPositions(trx, filters, { limit, offset }, today), sums: await totals(trx, ente.id, filters, today) }));
    return {
      total: page.total,
      limit,
      offset,
      totals: { positions: sums.positions, dueCents: sums.dueCents, paidCents: sums.paidCents, expiredCents: sums.expiredCents },
      items: page.items.map((p) => ({ ...p, createdAt: p.createdAt.toISOString(), href: `${base(ente.slug)}/${p.id}` })),
    };
  });

  app.get('/api/v1/enti/:slug/pagamenti/posizioni/:id', { schema: { tags, summary: 'Una posizione con le modalità di pagamento e i trasferimenti', params: SlugId, response: { 200: PositionOut, ...errors } } }, async (request) => {
    const ente = await enteFor(request, request.params.slug, 'payments.read');
    const view = await getPosition(db, ente.id, request.params.id);
    if (!view) throw notFound('Posizione debitoria inesistente');
    return out(ente.slug, view);
  });

  app.post('/api/v1/enti/:slug/pagamenti/posizioni/:id/annulla', { schema: { tags, summary: 'Annulla una posizione non pagata', params: SlugId, body: Type.Object({ reason: Type.String({ minLength: 1, maxLength: 500 }) }, { additionalProperties: false }), response: { 200: PositionOut, ...errors } } }, async (request) => {
    const ente = await enteFor(request, request.params.slug, 'payments.manage');
    return out(ente.slug, await cancelPosition(db, actorOf(request), ente.id, request.params.id, request.body.reason));
  });

  app.post('/api/v1/enti/:slug/pagamenti/posizioni/:id/pubblica', { schema: { tags, summary: 'Pubblica una bozza (diventa pagabile)', params: SlugId, response: { 200: PositionOut, ...errors } } }, async (request) => {
    const ente = await enteFor(request, request.params.slug, 'payments.manage');
    return out(ente.slug, await publishPosition(db, actorOf(request), ente.id, request.params.id));
  });
}
