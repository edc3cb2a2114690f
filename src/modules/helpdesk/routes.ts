// JSON API of the help desk for signed-in staff: the tickets of an ente (helpdesk.read to see them,
// helpdesk.operate to open and work them; internal notes only to operators) and the CST's queue across enti.
// JSON posts need the session cookie; they are not forms, so no CSRF token (see auth/csrf.ts).
import { Type, type Static } from 'typebox';
import { actorOf } from '../../platform/auth/access.js';
import { requireDesk, requireRequester, requireTicketReader } from './access.js';
import type { App } from '../../platform/http/app.js';
import { forbidden, notFound, unprocessable } from '../../platform/http/problem.js';
import type { Platform } from '../../platform/platform.js';
import { getEnteBySlug } from '../../platform/tenancy/index.js';
import type { SlaStatus } from './sla/clock.js';
import { addNote, addReply, assign, changeState, cstQueue, listTickets, openTicket, ticketDetail, type TicketView } from './service.js';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);
const DateTime = Type.String({ format: 'date-time' });
export const Problem = Type.Object(
  { type: Type.String(), title: Type.String(), status: Type.Integer(), detail: Type.Optional(Type.String()), instance: Type.Optional(Type.String()) },
  { additionalProperties: true },
);
const State = Type.Union([
  Type.Literal('new'),
  Type.Literal('assigned'),
  Type.Literal('in_progress'),
  Type.Literal('waiting_ente'),
  Type.Literal('solved'),
  Type.Literal('closed'),
  Type.Literal('reopened'),
]);
const Level = Type.Integer({ minimum: 1, maximum: 3 });

const SlaOut = Type.Object({
  dueAt: DateTime,
  warnAt: DateTime,
  elapsedMinutes: Type.Number(),
  remainingMinutes: Type.Number(),
  state: Type.Union([Type.Literal('ok'), Type.Literal('warning'), Type.Literal('breached')]),
});

const TicketOut = Type.Object({
  id: Type.String({ format: 'uuid' }),
  number: Type.Integer(),
  year: Type.Integer(),
  label: Type.String({ description: 'Numero del ticket, es. 12/2026' }),
  channel: Type.String(),
  caller: Type.Object({ name: Type.String(), phone: Nullable(Type.String()), email: Nullable(Type.String()) }),
  category: Type.String(),
  urgency: Type.Integer(),
  impact: Type.Integer(),
  priority: Type.String(),
  subject: Type.String(),
  description: Type.String(),
  state: State,
  assigneeId: Nullable(Type.String()),
  requesterId: Nullable(Type.String()),
  mergedInto: Nullable(Type.String({ description: 'Il ticket in cui questo è stato unito' })),
  openedAt: DateTime,
  firstResponseAt: Nullable(DateTime),
  solvedAt: Nullable(DateTime),
  closedAt: Nullable(DateTime),
  sla: Type.Object({ firstResponse: SlaOut, resolution: SlaOut }),
  href: Type.String(),
});

const EventOut = Type.Object({
  id: Type.Integer(),
  kind: Type.String(),
  body: Nullable(Type.String()),
  fromState: Nullable(Type.String()),
  toState: Nullable(Type.String()),
  assigneeId: Nullable(Type.String()),
  author: Type.String(),
  at: DateTime,
});

const QueueItemOut = Type.Intersect([
  TicketOut,
  Type.Object({ ente: Type.Object({ id: Type.String(), slug: Type.String(), name: Type.String() }), dueAt: Nullable(DateTime), paused: Type.Boolean() }),
]);

const SlugParams = Type.Object({ slug: Type.String({ pattern: '^[a-z0-9-]{1,100}$' }) });
export const TicketParams = Type.Object({ slug: Type.String({ pattern: '^[a-z0-9-]{1,100}$' }), id: Type.String({ format: 'uuid' }) });

const OpenBody = Type.Object(
  {
    channel: Type.Union([Type.Literal('phone'), Type.Literal('web'), Type.Literal('email')]),
    callerName: Type.String({ minLength: 1, maxLength: 200 }),
    callerPhone: Type.Optional(Nullable(Type.String({ maxLength: 30 }))),
    callerEmail: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
    category: Type.String({ pattern: '^[a-z_]{1,50}$' }),
    urgency: Level,
    impact: Level,
    subject: Type.String({ maxLength: 300 }),
    description: Type.String({ maxLength: 20_000 }),
  },
  { additionalProperties: false },
);

const sla = (s: SlaStatus) => ({ ...s, dueAt: s.dueAt.toISOString(), warnAt: s.warnAt.toISOString() });
const iso = (d: Date | null) => (d ? d.toISOString() : null);

function ticketOut(slug: string, t: TicketView): Static<typeof TicketOut> {
  return {
    id: t.id,
    number: t.number,
    year: t.year,
    label: t.label,
    channel: t.channel,
    caller: t.caller,
    category: t.category,
    urgency: t.urgency,
    impact: t.impact,
    priority: t.priority,
    subject: t.subject,
    description: t.description,
    state: t.state,
    assigneeId: t.assigneeId,
    requesterId: t.requesterId,
    mergedInto: t.mergedInto,
    openedAt: t.openedAt.toISOString(),
    firstResponseAt: iso(t.firstResponseAt),
    solvedAt: iso(t.solvedAt),
    closedAt: iso(t.closedAt),
    sla: { firstResponse: sla(t.sla.firstResponse), resolution: sla(t.sla.resolution) },
    href: `/api/v1/enti/${slug}/tickets/${t.id}`,
  };
}

export function registerRoutes(app: App, platform: Platform): void {
  const { db } = platform;
  const tags = ['helpdesk'];

  async function enteFor(slug: string) {
    const ente = await getEnteBySlug(db.app, slug);
    if (!ente) throw notFound('Ente inesistente');
    return ente;
  }

  app.post(
    '/api/v1/enti/:slug/tickets',
    {
      schema: {
        tags,
        summary: 'Apre un ticket per un ente',
        description: "Priorità calcolata da urgenza e impatto (1 = alta); obiettivi di servizio dalla categoria. Richiede helpdesk.operate sull'ente.",
        params: SlugParams,
        body: OpenBody,
        response: { 201: TicketOut, 400: Problem, 401: Problem, 403: Problem, 404: Problem, 422: Problem },
      },
    },
    async (request, reply) => {
      const ente = await enteFor(request.params.slug);
      const { staff, desk } = await requireRequester(request, db.app, ente.id);
      // The ente's own staff open tickets from the web as themselves; the desk logs calls and e-mails for them.
      if (!desk && request.body.channel !== 'web') throw unprocessable("Dal back office dell'ente i ticket si aprono con il canale web");
      const ticket = await openTicket(db.app, actorOf(request), ente.id, request.body, { requesterId: desk ? null : staff.id });
      reply.code(201).header('location', `/api/v1/enti/${ente.slug}/tickets/${ticket.id}`);
      return ticketOut(ente.slug, ticket);
    },
  );

  app.get(
    '/api/v1/enti/:slug/tickets',
    {
      schema: {
        tags,
        summary: "I ticket di un ente, dal più recente",
        params: SlugParams,
        querystring: Type.Object(
          { state: Type.Optional(State), limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }), offset: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 }) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ total: Type.Integer(), limit: Type.Integer(), offset: Type.Integer(), items: Type.Array(TicketOut) }), 400: Problem, 401: Problem, 403: Problem, 404: Problem },
      },
    },
    async (request) => {
      const ente = await enteFor(request.params.slug);
      await requireTicketReader(request, db.app, ente.id);
      const { state, limit, offset } = request.query;
      const page = await listTickets(db.app, ente.id, { state, limit, offset });
      return { total: page.total, limit, offset, items: page.items.map((t) => ticketOut(ente.slug, t)) };
    },
  );

  app.get(
    '/api/v1/enti/:slug/tickets/:id',
    {
      schema: {
        tags,
        summary: 'Un ticket con la sua cronologia',
        description: 'Le note interne sono visibili solo a chi gestisce il help desk (helpdesk.operate).',
        params: TicketParams,
        response: { 200: Type.Intersect([TicketOut, Type.Object({ events: Type.Array(EventOut) })]), 400: Problem, 401: Problem, 403: Problem, 404: Problem },
      },
    },
    async (request) => {
      const ente = await enteFor(request.params.slug);
      const { desk } = await requireTicketReader(request, db.app, ente.id);
      const ticket = await ticketDetail(db.app, ente.id, request.params.id, { withInternalNotes: desk });
      if (!ticket) throw notFound('Ticket inesistente');
      return { ...ticketOut(ente.slug, ticket), events: ticket.events.map((e) => ({ ...e, at: e.at.toISOString() })) };
    },
  );

  app.post(
    '/api/v1/enti/:slug/tickets/:id/replies',
    {
      schema: {
        tags,
        summary: 'Risposta pubblica o nota interna su un ticket',
        description: 'Con internal: true è una nota interna; altrimenti una risposta visibile all’ente (la prima ferma il tempo di presa in carico).',
        params: TicketParams,
        body: Type.Object({ body: Type.String({ maxLength: 20_000 }), internal: Type.Boolean({ default: false }) }, { additionalProperties: false }),
        response: { 201: Type.Object({ ok: Type.Boolean() }), 400: Problem, 401: Problem, 403: Problem, 404: Problem, 409: Problem, 422: Problem },
      },
    },
    async (request, reply) => {
      const ente = await enteFor(request.params.slug);
      const { desk } = await requireRequester(request, db.app, ente.id);
      if (request.body.internal && !desk) throw forbidden('Le note interne sono riservate al help desk del CST');
      if (request.body.internal) await addNote(db.app, actorOf(request), ente.id, request.params.id, request.body.body);
      else await addReply(db.app, actorOf(request), ente.id, request.params.id, request.body.body, { side: desk ? 'desk' : 'requester' });
      reply.code(201);
      return { ok: true };
    },
  );

  app.post(
    '/api/v1/enti/:slug/tickets/:id/state',
    {
      schema: {
        tags,
        summary: 'Cambia lo stato di un ticket',
        description: '409 se il passaggio non è ammesso dallo stato attuale (es. un ticket chiuso può solo essere riaperto).',
        params: TicketParams,
        body: Type.Object({ state: State, comment: Type.Optional(Type.String({ maxLength: 20_000 })) }, { additionalProperties: false }),
        response: { 200: TicketOut, 400: Problem, 401: Problem, 403: Problem, 404: Problem, 409: Problem, 422: Problem },
      },
    },
    async (request) => {
      const ente = await enteFor(request.params.slug);
      const { desk } = await requireRequester(request, db.app, ente.id);
      await changeState(db.app, actorOf(request), ente.id, request.params.id, request.body.state, { comment: request.body.comment, side: desk ? 'desk' : 'requester' });
      const ticket = await ticketDetail(db.app, ente.id, request.params.id, { withInternalNotes: false });
      return ticketOut(ente.slug, ticket!);
    },
  );

  app.post(
    '/api/v1/enti/:slug/tickets/:id/assignee',
    {
      schema: {
        tags,
        summary: 'Assegna un ticket a un operatore',
        params: TicketParams,
        body: Type.Object({ assigneeId: Type.String({ format: 'uuid' }) }, { additionalProperties: false }),
        response: { 200: TicketOut, 400: Problem, 401: Problem, 403: Problem, 404: Problem, 409: Problem, 422: Problem },
      },
    },
    async (request) => {
      const ente = await enteFor(request.params.slug);
      await requireRequester(request, db.app, ente.id);
      await requireDesk(request, db.app);
      await assign(db.app, actorOf(request), ente.id, request.params.id, request.body.assigneeId);
      const ticket = await ticketDetail(db.app, ente.id, request.params.id, { withInternalNotes: false });
      return ticketOut(ente.slug, ticket!);
    },
  );

  app.get(
    '/api/v1/helpdesk/queue',
    {
      schema: {
        tags,
        summary: 'La coda del CST: i ticket aperti di tutti gli enti, dalla scadenza più vicina',
        description: 'Lettura trasversale agli enti, registrata nel registro di audit del CST. Solo per chi gestisce il help desk del CST.',
        querystring: Type.Object(
          {
            limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
            offset: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 }),
            ente: Type.Optional(Type.String({ pattern: '^[a-z0-9-]{1,100}$' })),
            priority: Type.Optional(Type.Union([Type.Literal('P1'), Type.Literal('P2'), Type.Literal('P3'), Type.Literal('P4')])),
            assignee: Type.Optional(Type.String({ format: 'uuid' })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ total: Type.Integer(), items: Type.Array(QueueItemOut) }), 400: Problem, 401: Problem, 403: Problem, 404: Problem },
      },
    },
    async (request) => {
      const staff = await requireDesk(request, db.app);
      const q = request.query;
      const enteId = q.ente ? (await enteFor(q.ente)).id : undefined;
      const page = await cstQueue(db.app, { id: staff.id, label: staff.email, ip: request.ip }, { limit: q.limit, offset: q.offset, enteId, priority: q.priority, assigneeId: q.assignee });
      return {
        total: page.total,
        items: page.items.map((item) => ({ ...ticketOut(item.ente.slug, item), ente: item.ente, dueAt: item.dueAt ? item.dueAt.toISOString() : null, paused: item.paused })),
      };
    },
  );
}
