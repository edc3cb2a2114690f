// JSON API for observers and merges of tickets (the desk works them; an ente's requesters may add colleagues
// as observers of their own tickets).
import { Type } from 'typebox';
import { actorOf } from '../../platform/auth/access.js';
import type { App } from '../../platform/http/app.js';
import { notFound, unprocessable } from '../../platform/http/problem.js';
import type { Platform } from '../../platform/platform.js';
import { getEnteBySlug } from '../../platform/tenancy/index.js';
import { requireDesk, requireRequester, requireTicketReader } from './access.js';
import { addObserver, mergeTickets, observersOf, removeObserver, ticketIdByLabel } from './collaboration.js';
import { Problem, TicketParams } from './routes.js';

const ObserverOut = Type.Object({ email: Type.String(), name: Type.Union([Type.String(), Type.Null()]), addedAt: Type.String({ format: 'date-time' }) });

export function registerCollaborationRoutes(app: App, platform: Platform): void {
  const { db } = platform;
  const tags = ['helpdesk'];
  async function enteFor(slug: string) {
    const ente = await getEnteBySlug(db.app, slug);
    if (!ente) throw notFound('Ente inesistente');
    return ente;
  }
  const observersOut = async (enteId: string, ticketId: string) =>
    (await observersOf(db.app, enteId, ticketId)).map((o) => ({ ...o, addedAt: o.addedAt.toISOString() }));

  app.get(
    '/api/v1/enti/:slug/tickets/:id/observers',
    { schema: { tags, summary: 'Chi riceve gli aggiornamenti del ticket oltre al richiedente', params: TicketParams, response: { 200: Type.Object({ items: Type.Array(ObserverOut) }), 401: Problem, 403: Problem, 404: Problem } } },
    async (request) => {
      const ente = await enteFor(request.params.slug);
      await requireTicketReader(request, db.app, ente.id);
      return { items: await observersOut(ente.id, request.params.id) };
    },
  );

  app.post(
    '/api/v1/enti/:slug/tickets/:id/observers',
    {
      schema: {
        tags,
        summary: 'Aggiunge un osservatore (idempotente)',
        params: TicketParams,
        body: Type.Object({ email: Type.String({ maxLength: 200 }), name: Type.Optional(Type.String({ maxLength: 200 })) }, { additionalProperties: false }),
        response: { 200: Type.Object({ items: Type.Array(ObserverOut) }), 400: Problem, 401: Problem, 403: Problem, 404: Problem, 409: Problem, 422: Problem },
      },
    },
    async (request) => {
      const ente = await enteFor(request.params.slug);
      await requireRequester(request, db.app, ente.id);
      await addObserver(db.app, actorOf(request), ente.id, request.params.id, request.body);
      return { items: await observersOut(ente.id, request.params.id) };
    },
  );

  app.delete(
    '/api/v1/enti/:slug/tickets/:id/observers/:email',
    {
      schema: {
        tags,
        summary: 'Toglie un osservatore',
        params: Type.Object({ slug: Type.String({ pattern: '^[a-z0-9-]{1,100}$' }), id: Type.String({ format: 'uuid' }), email: Type.String({ maxLength: 200 }) }),
        response: { 200: Type.Object({ items: Type.Array(ObserverOut) }), 401: Problem, 403: Problem, 404: Problem },
      },
    },
    async (request) => {
      const ente = await enteFor(request.params.slug);
      await requireRequester(request, db.app, ente.id);
      await removeObserver(db.app, actorOf(request), ente.id, request.params.id, request.params.email);
      return { items: await observersOut(ente.id, request.params.id) };
    },
  );

  app.post(
    '/api/v1/enti/:slug/tickets/:id/merge',
    {
      schema: {
        tags,
        summary: 'Unisce il ticket (duplicato) in un altro ticket dello stesso ente',
        description: "Il ticket viene chiuso con il riferimento all'altro; richiedente e osservatori passano all'altro. Solo per il help desk del CST.",
        params: TicketParams,
        body: Type.Object(
          { into: Type.String({ maxLength: 40, description: 'Id (uuid) o numero (n/aaaa) del ticket che prosegue' }) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ mergedInto: Type.String() }), 400: Problem, 401: Problem, 403: Problem, 404: Problem, 409: Problem, 422: Problem },
      },
    },
    async (request) => {
      const ente = await enteFor(request.params.slug);
      await requireTicketReader(request, db.app, ente.id);
      await requireDesk(request, db.app);
      const into = request.body.into.trim();
      const targetId = /^[0-9a-f-]{36}$/i.test(into) ? into : await ticketIdByLabel(db.app, ente.id, into);
      if (!targetId) throw unprocessable(`Nessun ticket ${into} per questo ente`);
      await mergeTickets(db.app, actorOf(request), ente.id, request.params.id, targetId);
      return { mergedInto: targetId };
    },
  );
}
