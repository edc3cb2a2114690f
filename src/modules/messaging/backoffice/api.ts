// JSON API of broadcasts: /api/v1/enti/{slug}/messaggi — create a draft, estimate recipients and cost, send a
// draft, read a message, its live statistics and its CAP export. Staff session with 'messaging.send' on the ente
// (CST admin everywhere); refusals are problem+json (403s audited by requirePermission).
import type { FastifyRequest } from 'fastify';
import { Type, type Static } from 'typebox';
import { actorOf, requirePermission, requireStaff } from '../../../platform/auth/index.js';
import { withEnte } from '../../../platform/db/index.js';
import type { App } from '../../../platform/http/app.js';
import { notFound, unprocessable } from '../../../platform/http/problem.js';
import type { Platform } from '../../../platform/platform.js';
import { getEnteBySlug } from '../../../platform/tenancy/index.js';
import { CAP_CATEGORIES, CAP_CERTAINTIES, CAP_SEVERITIES, CAP_URGENCIES, validateCap, type CapInput } from '../cap/cap.js';
import { capAlertOf } from '../cap/index.js';
import { createMessage, estimate, getSettings, listTopics, sendableFrom, sendMessage } from '../service.js';
import type { MessageRow } from '../store.js';
import { PERMISSION, problemOf } from './common.js';
import { DELIVERY_STATES, progressOf } from './progress.js';

const Problem = Type.Object({ type: Type.String(), title: Type.String(), status: Type.Integer(), detail: Type.Optional(Type.String()) }, { additionalProperties: true });
const errors = { 400: Problem, 401: Problem, 403: Problem, 404: Problem, 409: Problem, 422: Problem };
const Channel = Type.Union([Type.Literal('sms'), Type.Literal('email'), Type.Literal('appio')]);
const TopicCode = Type.String({ pattern: '^[a-z0-9_-]{2,40}$' });
const EnteSlug = Type.String({ pattern: '^[a-z0-9-]{1,100}$' });
const Slug = Type.Object({ slug: EnteSlug });
const SlugId = Type.Object({ slug: EnteSlug, id: Type.String({ format: 'uuid' }) });
const lit = <T extends string>(list: readonly T[]) => Type.Union(list.map((v) => Type.Literal(v)));

const CapIn = Type.Object(
  { category: lit(CAP_CATEGORIES), event: Type.String({ minLength: 1, maxLength: 120 }), urgency: lit(CAP_URGENCIES), severity: lit(CAP_SEVERITIES), certainty: lit(CAP_CERTAINTIES), expires: Type.Optional(Type.String({ format: 'date-time' })) },
  { additionalProperties: false },
);
const Targeting = {
  topics: Type.Array(TopicCode, { minItems: 1, maxItems: 20 }),
  channels: Type.Array(Channel, { minItems: 1, maxItems: 3, uniqueItems: true }),
  targets: Type.Optional(Type.Array(EnteSlug, { minItems: 1, maxItems: 500, uniqueItems: true, description: 'Slug degli enti destinatari (predefinito: l’ente stesso)' })),
};
const MessageIn = Type.Object(
  {
    title: Type.String({ minLength: 1, maxLength: 120 }),
    body: Type.String({ minLength: 1, maxLength: 10_000 }),
    smsText: Type.Optional(Type.Union([Type.String({ maxLength: 5000 }), Type.Null()])),
    ...Targeting,
    urgent: Type.Optional(Type.Boolean()),
    sendAfter: Type.Optional(Type.Union([Type.String({ format: 'date-time' }), Type.Null()])),
    cap: Type.Optional(CapIn),
  },
  { additionalProperties: false },
);
const EstimateIn = Type.Object({ ...Targeting, smsText: Type.String({ maxLength: 5000 }), urgent: Type.Optional(Type.Boolean()), transliterate: Type.Optional(Type.Boolean()) }, { additionalProperties: false });

const Reach = Type.Object({ subscribers: Type.Integer(), appioFirst: Type.Integer(), sms: Type.Integer(), email: Type.Integer() });
const EstimateOut = Type.Object({
  perEnte: Type.Array(Type.Object({ ente: Type.String(), ...Reach.properties })),
  totals: Reach,
  sms: Type.Union([Type.Object({ encoding: Type.String(), parts: Type.Integer(), perPart: Type.Integer(), characters: Type.Integer(), text: Type.String() }), Type.Null()]),
  cost: Type.Object({ centsPerPart: Type.Number(), smsMessagesMax: Type.Integer(), partsMax: Type.Integer(), centsMin: Type.Integer(), centsMax: Type.Integer() }),
  sendableFrom: Type.String({ format: 'date-time' }),
});
const MessageOut = Type.Object({
  id: Type.String(),
  state: Type.String(),
  title: Type.String(),
  body: Type.String(),
  smsText: Type.Union([Type.String(), Type.Null()]),
  topics: Type.Array(Type.String()),
  channels: Type.Array(Type.String()),
  targetEnteIds: Type.Array(Type.String()),
  urgent: Type.Boolean(),
  sendAfter: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
  cap: Type.Union([Type.Object({}, { additionalProperties: true }), Type.Null()]),
  href: Type.String(),
});
const Counts = Type.Object(Object.fromEntries(DELIVERY_STATES.map((s) => [s, Type.Integer()])));
const StatsOut = Type.Object({
  id: Type.String(),
  state: Type.String(),
  done: Type.Boolean(),
  perChannel: Type.Record(Type.String(), Counts),
  perEnte: Type.Array(Type.Object({ ente: Type.String(), name: Type.String(), dispatchState: Type.String(), planned: Type.Integer(), perChannel: Type.Record(Type.String(), Type.Record(Type.String(), Type.Integer())) })),
});

const messageOut = (slug: string, m: MessageRow): Static<typeof MessageOut> => ({
  id: m.id,
  state: m.state,
  title: m.title,
  body: m.body,
  smsText: m.sms_text,
  topics: m.topics,
  channels: m.channels,
  targetEnteIds: m.target_ente_ids,
  urgent: m.urgent,
  sendAfter: m.send_after ? m.send_after.toISOString() : null,
  createdAt: m.created_at.toISOString(),
  cap: (typeof m.cap === 'string' ? JSON.parse(m.cap) : m.cap) as Record<string, unknown> | null,
  href: `/api/v1/enti/${slug}/messaggi/${m.id}`,
});

export function registerApi(app: App, platform: Platform) {
  const db = platform.db.app;
  const tags = ['messaging'];
  /** 401 first, then 404 for an unknown ente, then 403 (audited). */
  const enteFor = async (request: FastifyRequest, slug: string) => {
    requireStaff(request);
    const ente = await getEnteBySlug(db, slug);
    if (!ente) throw notFound(`Nessun ente con slug «${slug}»`);
    await requirePermission(request, db, ente.id, PERMISSION);
    return ente;
  };
  const targetsOf = async (senderId: string, slugs: string[] | undefined) => {
    if (!slugs) return db.selectFrom('ente').select(['id', 'slug', 'name']).where('id', '=', senderId).execute();
    const rows = await db.selectFrom('ente').select(['id', 'slug', 'name']).where('slug', 'in', slugs).execute();
    const missing = slugs.filter((s) => !rows.some((r) => r.slug === s));
    if (missing.length > 0) throw unprocessable(`Enti sconosciuti: ${missing.join(', ')}`);
    return rows;
  };
  const guarded = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      throw problemOf(err);
    }
  };

  app.post('/api/v1/enti/:slug/messaggi', { schema: { tags, summary: 'Crea un messaggio in bozza', params: Slug, body: MessageIn, response: { 201: MessageOut, ...errors } } }, async (request, reply) => {
    const ente = await enteFor(request, request.params.slug);
    const body = request.body;
    const message = await guarded(async () => {
      const targets = await targetsOf(ente.id, body.targets);
      const topics = await withEnte(db, ente.id, (trx) => listTopics(trx));
      const urgent = Boolean(body.urgent) || topics.some((x) => x.urgent && body.topics.includes(x.code));
      let cap: CapInput | undefined;
      if (body.cap) {
        if (!urgent) throw unprocessable('I dati CAP sono solo per gli avvisi urgenti di protezione civile');
        cap = validateCap({ ...body.cap, areaDesc: targets.map((x) => x.name).join(', ') });
      }
      return createMessage(db, actorOf(request), ente.id, {
        title: body.title,
        body: body.body,
        smsText: body.smsText ?? null,
        topics: body.topics,
        channels: body.channels,
        targetEnteIds: targets.map((x) => x.id),
        urgent,
        sendAfter: body.sendAfter ? new Date(body.sendAfter) : null,
        ...(cap ? { cap } : {}),
      });
    });
    const out = messageOut(ente.slug, message);
    return reply.status(201).header('location', out.href).send(out);
  });

  app.post('/api/v1/enti/:slug/messaggi/stima', { schema: { tags, summary: 'Destinatari per ente e canale, parti SMS e costo stimato', params: Slug, body: EstimateIn, response: { 200: EstimateOut, ...errors } } }, async (request) => {
    const ente = await enteFor(request, request.params.slug);
    const body = request.body;
    return guarded(async () => {
      const targets = await targetsOf(ente.id, body.targets);
      const est = await estimate(db, actorOf(request), { senderEnteId: ente.id, targetEnteIds: targets.map((x) => x.id), topics: body.topics, channels: body.channels, smsText: body.smsText, ...(body.transliterate === undefined ? {} : { transliterate: body.transliterate }) });
      const { settings, topics } = await withEnte(db, ente.id, async (trx) => ({ settings: await getSettings(trx, ente.id), topics: await listTopics(trx) }));
      const urgent = Boolean(body.urgent) || topics.some((x) => x.urgent && body.topics.includes(x.code));
      const slugOf = (id: string) => targets.find((x) => x.id === id)?.slug ?? id;
      return {
        perEnte: est.perEnte.map(({ enteId, ...r }) => ({ ente: slugOf(enteId), ...r })),
        totals: est.totals,
        sms: est.sms ? { encoding: est.sms.encoding, parts: est.sms.parts, perPart: est.sms.perPart, characters: est.sms.characters, text: est.sms.text } : null,
        cost: est.cost,
        sendableFrom: sendableFrom(new Date(), settings.quiet_start, settings.quiet_end, urgent).toISOString(),
      };
    });
  });

  app.post('/api/v1/enti/:slug/messaggi/:id/invio', { schema: { tags, summary: 'Invia una bozza (una spedizione per ente destinatario)', params: SlugId, response: { 202: Type.Object({ dispatches: Type.Integer(), sendAfter: Type.String({ format: 'date-time' }), progress: Type.String() }), ...errors } } }, async (request, reply) => {
    const ente = await enteFor(request, request.params.slug);
    const sent = await guarded(() => sendMessage(db, platform.jobs, actorOf(request), ente.id, request.params.id));
    return reply.status(202).send({ dispatches: sent.dispatches, sendAfter: sent.sendAfter.toISOString(), progress: `/api/v1/enti/${ente.slug}/messaggi/${request.params.id}/statistiche` });
  });

  app.get('/api/v1/enti/:slug/messaggi/:id', { schema: { tags, summary: 'Un messaggio', params: SlugId, response: { 200: MessageOut, ...errors } } }, async (request) => {
    const ente = await enteFor(request, request.params.slug);
    const message = await withEnte(db, ente.id, (trx) => trx.selectFrom('msg_message').selectAll().where('id', '=', request.params.id).where('kind', '=', 'broadcast').executeTakeFirst());
    if (!message) throw notFound('Messaggio non trovato');
    return messageOut(ente.slug, message);
  });

  app.get('/api/v1/enti/:slug/messaggi/:id/statistiche', { schema: { tags, summary: 'Avanzamento in tempo reale per canale e per ente', params: SlugId, response: { 200: StatsOut, ...errors } } }, async (request, reply) => {
    const ente = await enteFor(request, request.params.slug);
    const progress = await progressOf(db, actorOf(request), ente.id, request.params.id);
    if (!progress) throw notFound('Messaggio non trovato');
    void reply.header('cache-control', 'no-store');
    const slugs = new Map((await db.selectFrom('ente').select(['id', 'slug']).where('id', 'in', progress.message.target_ente_ids).execute()).map((e) => [e.id, e.slug]));
    return {
      id: progress.message.id,
      state: progress.message.state,
      done: progress.done,
      perChannel: progress.perChannel,
      perEnte: progress.perEnte.map((e) => ({ ente: slugs.get(e.enteId) ?? e.enteId, name: e.name, dispatchState: e.state, planned: e.total, perChannel: e.perChannel as Record<string, Record<string, number>> })),
    };
  });

  app.get('/api/v1/enti/:slug/messaggi/:id/cap.xml', { schema: { tags, summary: 'Avviso in formato CAP 1.2 (OASIS)', params: SlugId, produces: ['application/xml'], response: { ...errors } } as never }, async (request: FastifyRequest<{ Params: { slug: string; id: string } }>, reply) => {
    const ente = await enteFor(request, request.params.slug);
    const xml = await guarded(() => capAlertOf(db, ente, request.params.id, platform.config.publicUrl));
    return reply.type('application/xml; charset=utf-8').header('cache-control', 'no-store').send(xml);
  });
}
