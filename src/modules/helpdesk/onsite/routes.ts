// JSON API of the on-site interventions: the desk plans, reschedules, cancels and reports visits and sets the
// contracted hours; the ente's requesters read their visits and hours and confirm or dispute the reports.
import { Type, type Static } from 'typebox';
import { actorOf } from '../../../platform/auth/access.js';
import type { App } from '../../../platform/http/app.js';
import { notFound } from '../../../platform/http/problem.js';
import type { Platform } from '../../../platform/platform.js';
import { getEnteBySlug, todayInRome } from '../../../platform/tenancy/index.js';
import { requireDesk, requireTicketReader } from '../access.js';
import { requireRepresentative } from './representative.js';
import { balancesAcrossEnti, enteBalance, setContract, type HoursBalance } from './hours.js';
import { decideReport, recordReport } from './reports.js';
import { cancelVisit, dayPlan, planVisit, rescheduleVisit, visitDetail, visitsOfEnte, type VisitView } from './service.js';
import { romeYear } from './time.js';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);
const DateTime = Type.String({ format: 'date-time' });
const Problem = Type.Object({ type: Type.String(), title: Type.String(), status: Type.Integer(), detail: Type.Optional(Type.String()) }, { additionalProperties: true });
const Day = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'Data AAAA-MM-GG (Europe/Rome)' });
const Time = Type.String({ pattern: '^\\d{2}:\\d{2}$', description: 'Ora HH:MM (Europe/Rome)' });
const Year = Type.Integer({ minimum: 2000, maximum: 2999 });
const Slug = Type.String({ pattern: '^[a-z0-9-]{1,100}$' });
const SlugParams = Type.Object({ slug: Slug });
const VisitParams = Type.Object({ slug: Slug, id: Type.String({ format: 'uuid' }) });

const HoursOut = Type.Object({
  year: Type.Integer(),
  contractedMinutes: Nullable(Type.Integer()),
  confirmedMinutes: Type.Integer(),
  awaitingMinutes: Type.Integer(),
  disputedMinutes: Type.Integer(),
  plannedMinutes: Type.Integer(),
  remainingMinutes: Type.Integer(),
  extraMinutes: Type.Integer({ description: 'Minuti confermati oltre il contratto (fuori contratto)' }),
  usedShare: Nullable(Type.Number()),
  level: Type.Union([Type.Literal('ok'), Type.Literal('near'), Type.Literal('exhausted'), Type.Literal('over'), Type.Literal('no_contract')]),
});

const ReportOut = Type.Object({
  year: Type.Integer(),
  actualStart: Nullable(DateTime),
  actualEnd: Nullable(DateTime),
  minutes: Type.Integer(),
  activities: Type.String(),
  status: Type.Union([Type.Literal('awaiting'), Type.Literal('confirmed'), Type.Literal('disputed')]),
  recordedBy: Type.String(),
  recordedAt: DateTime,
  decidedBy: Nullable(Type.String()),
  decidedAt: Nullable(DateTime),
  disputeReason: Nullable(Type.String()),
});

const VisitOut = Type.Object({
  id: Type.String({ format: 'uuid' }),
  ente: Type.Object({ id: Type.String(), slug: Type.String(), name: Type.String() }),
  technician: Type.Object({ id: Type.String(), name: Type.String() }),
  startsAt: DateTime,
  endsAt: DateTime,
  date: Type.String(),
  start: Type.String(),
  end: Type.String(),
  plannedMinutes: Type.Integer(),
  state: Type.Union([Type.Literal('planned'), Type.Literal('done'), Type.Literal('cancelled')]),
  notes: Nullable(Type.String()),
  overContract: Type.Boolean(),
  cancelReason: Nullable(Type.String()),
  tickets: Type.Array(Type.Object({ id: Type.String(), label: Type.String(), subject: Type.String(), state: Type.String(), outcome: Nullable(Type.String()) })),
  report: Nullable(ReportOut),
  href: Type.String(),
});

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function visitOut(v: VisitView): Static<typeof VisitOut> {
  const r = v.report;
  return {
    id: v.id,
    ente: v.ente,
    technician: { id: v.technician.id, name: v.technician.name },
    startsAt: v.startsAt.toISOString(),
    endsAt: v.endsAt.toISOString(),
    date: v.date,
    start: v.start,
    end: v.end,
    plannedMinutes: v.plannedMinutes,
    state: v.state,
    notes: v.notes,
    overContract: v.overContract,
    cancelReason: v.cancelReason,
    tickets: v.tickets,
    report: r ? { ...r, actualStart: iso(r.actualStart), actualEnd: iso(r.actualEnd), recordedAt: r.recordedAt.toISOString(), decidedAt: iso(r.decidedAt) } : null,
    href: `/api/v1/helpdesk/enti/${v.ente.slug}/visits/${v.id}`,
  };
}

const hoursOut = (b: HoursBalance): Static<typeof HoursOut> => b;
const currentYear = () => Number(todayInRome().slice(0, 4));

export function registerOnsiteRoutes(app: App, platform: Platform): void {
  const { db } = platform;
  const tags = ['helpdesk'];
  const base = '/api/v1/helpdesk';

  async function enteFor(slug: string) {
    const ente = await getEnteBySlug(db.app, slug);
    if (!ente) throw notFound('Ente inesistente');
    return ente;
  }

  const errors = { 400: Problem, 401: Problem, 403: Problem, 404: Problem, 409: Problem, 422: Problem };
  const visitResponses = { 200: VisitOut, ...errors };

  app.get(`${base}/visits`, {
    schema: {
      tags,
      summary: 'Piano di giornata: gli interventi di un giorno (di un tecnico o di tutto il help desk), raggruppati per ente',
      description: 'Lettura trasversale agli enti, registrata nel registro di audit del CST. Solo per il help desk del CST.',
      querystring: Type.Object({ date: Day, technician: Type.Optional(Type.String({ format: 'uuid' })) }, { additionalProperties: false }),
      response: { 200: Type.Object({ date: Type.String(), totalMinutes: Type.Integer(), groups: Type.Array(Type.Object({ ente: VisitOut.properties.ente, visits: Type.Array(VisitOut) })) }), 400: Problem, 401: Problem, 403: Problem, 422: Problem },
    },
  }, async (request) => {
    await requireDesk(request, db.app);
    const plan = await dayPlan(db.app, actorOf(request), request.query.date, request.query.technician);
    return { date: plan.date, totalMinutes: plan.totalMinutes, groups: plan.groups.map((g) => ({ ente: g.ente, visits: g.visits.map(visitOut) })) };
  });

  app.get(`${base}/hours`, {
    schema: {
      tags,
      summary: 'Ore di intervento in sede per ente: a contratto, confermate, residue',
      description: 'Tutti gli enti con un contratto o interventi nell’anno. Lettura trasversale, registrata nel registro di audit del CST.',
      querystring: Type.Object({ year: Type.Optional(Year) }, { additionalProperties: false }),
      response: { 200: Type.Object({ year: Type.Integer(), items: Type.Array(Type.Intersect([HoursOut, Type.Object({ ente: VisitOut.properties.ente })])) }), 400: Problem, 401: Problem, 403: Problem },
    },
  }, async (request) => {
    await requireDesk(request, db.app);
    const year = request.query.year ?? currentYear();
    const items = await balancesAcrossEnti(db.app, actorOf(request), year, 'ore di intervento per ente (API)');
    return { year, items };
  });

  app.get(`${base}/enti/:slug/hours`, {
    schema: {
      tags,
      summary: "Ore di intervento dell'ente nell'anno: a contratto, confermate, in attesa, residue",
      params: SlugParams,
      querystring: Type.Object({ year: Type.Optional(Year) }, { additionalProperties: false }),
      response: { 200: HoursOut, 400: Problem, 401: Problem, 403: Problem, 404: Problem },
    },
  }, async (request) => {
    const ente = await enteFor(request.params.slug);
    await requireTicketReader(request, db.app, ente.id);
    return hoursOut(await enteBalance(db.app, ente.id, request.query.year ?? currentYear()));
  });

  app.put(`${base}/enti/:slug/contracts/:year`, {
    schema: {
      tags,
      summary: "Imposta le ore di intervento a contratto dell'ente per un anno (in minuti)",
      params: Type.Object({ slug: Slug, year: Year }),
      body: Type.Object({ minutes: Type.Integer({ minimum: 0, maximum: 600_000 }), note: Type.Optional(Nullable(Type.String({ maxLength: 500 }))) }, { additionalProperties: false }),
      response: { 200: HoursOut, 400: Problem, 401: Problem, 403: Problem, 404: Problem, 422: Problem },
    },
  }, async (request) => {
    const ente = await enteFor(request.params.slug);
    await requireDesk(request, db.app);
    await setContract(db.app, actorOf(request), ente.id, request.params.year, request.body.minutes, request.body.note);
    return hoursOut(await enteBalance(db.app, ente.id, request.params.year));
  });

  app.get(`${base}/enti/:slug/visits`, {
    schema: {
      tags,
      summary: "Gli interventi in sede presso l'ente in un anno",
      params: SlugParams,
      querystring: Type.Object({ year: Type.Optional(Year) }, { additionalProperties: false }),
      response: { 200: Type.Object({ year: Type.Integer(), items: Type.Array(VisitOut) }), 400: Problem, 401: Problem, 403: Problem, 404: Problem },
    },
  }, async (request) => {
    const ente = await enteFor(request.params.slug);
    await requireTicketReader(request, db.app, ente.id);
    const year = request.query.year ?? currentYear();
    return { year, items: (await visitsOfEnte(db.app, ente.id, romeYear(year))).map(visitOut) };
  });

  app.post(`${base}/enti/:slug/visits`, {
    schema: {
      tags,
      summary: "Pianifica un intervento in sede presso l'ente",
      description: "Orari in ora di Roma; 409 se il tecnico ha già un intervento che si sovrappone; i ticket devono essere dell'ente. warnings segnala l'intervento fuori contratto.",
      params: SlugParams,
      body: Type.Object(
        {
          technicianId: Type.String({ format: 'uuid' }),
          date: Day,
          start: Time,
          end: Time,
          ticketIds: Type.Optional(Type.Array(Type.String({ format: 'uuid' }), { maxItems: 50 })),
          notes: Type.Optional(Nullable(Type.String({ maxLength: 4000 }))),
        },
        { additionalProperties: false },
      ),
      response: { ...errors, 201: Type.Intersect([VisitOut, Type.Object({ warnings: Type.Array(Type.String()) })]) },
    },
  }, async (request, reply) => {
    const ente = await enteFor(request.params.slug);
    await requireDesk(request, db.app);
    const { visit, warnings } = await planVisit(db.app, actorOf(request), ente.id, request.body);
    reply.code(201).header('location', visitOut(visit).href);
    return { ...visitOut(visit), warnings };
  });

  app.get(`${base}/enti/:slug/visits/:id`, {
    schema: { tags, summary: 'Un intervento in sede con il suo rapporto', params: VisitParams, response: visitResponses },
  }, async (request) => {
    const ente = await enteFor(request.params.slug);
    await requireTicketReader(request, db.app, ente.id);
    const visit = await visitDetail(db.app, ente.id, request.params.id);
    if (!visit) throw notFound('Intervento inesistente');
    return visitOut(visit);
  });

  app.post(`${base}/enti/:slug/visits/:id/reschedule`, {
    schema: {
      tags,
      summary: 'Riprogramma un intervento pianificato (lo storico resta)',
      params: VisitParams,
      body: Type.Object({ date: Day, start: Time, end: Time, reason: Type.Optional(Nullable(Type.String({ maxLength: 4000 }))) }, { additionalProperties: false }),
      response: { ...errors, 200: Type.Intersect([VisitOut, Type.Object({ warnings: Type.Array(Type.String()) })]) },
    },
  }, async (request) => {
    const ente = await enteFor(request.params.slug);
    await requireDesk(request, db.app);
    const { visit, warnings } = await rescheduleVisit(db.app, actorOf(request), ente.id, request.params.id, request.body);
    return { ...visitOut(visit), warnings };
  });

  app.post(`${base}/enti/:slug/visits/:id/cancel`, {
    schema: { tags, summary: 'Annulla un intervento pianificato, con il motivo', params: VisitParams, body: Type.Object({ reason: Type.String({ maxLength: 1000 }) }, { additionalProperties: false }), response: visitResponses },
  }, async (request) => {
    const ente = await enteFor(request.params.slug);
    await requireDesk(request, db.app);
    await cancelVisit(db.app, actorOf(request), ente.id, request.params.id, request.body.reason);
    return visitOut((await visitDetail(db.app, ente.id, request.params.id))!);
  });

  app.put(`${base}/enti/:slug/visits/:id/report`, {
    schema: {
      tags,
      summary: "Registra il rapporto d'intervento (tempo impiegato e attività)",
      description: 'Ora di inizio e fine effettive (stesso giorno della visita) oppure minuti (1–720). Dopo una contestazione il rapporto si corregge con la stessa chiamata; confermato non si modifica più (409).',
      params: VisitParams,
      body: Type.Object(
        {
          start: Type.Optional(Time),
          end: Type.Optional(Time),
          minutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 720 })),
          activities: Type.String({ maxLength: 20_000 }),
          outcomes: Type.Optional(Type.Record(Type.String({ format: 'uuid' }), Type.String({ maxLength: 2000 }))),
        },
        { additionalProperties: false },
      ),
      response: visitResponses,
    },
  }, async (request) => {
    const ente = await enteFor(request.params.slug);
    await requireDesk(request, db.app);
    return visitOut(await recordReport(db.app, actorOf(request), ente.id, request.params.id, request.body));
  });

  app.post(`${base}/enti/:slug/visits/:id/report/confirmation`, {
    schema: { tags, summary: "Il referente dell'ente conferma il rapporto: i minuti consumano le ore a contratto", params: VisitParams, response: visitResponses },
  }, async (request) => {
    const ente = await enteFor(request.params.slug);
    await requireRepresentative(request, db.app, ente.id);
    return visitOut(await decideReport(db.app, actorOf(request), ente.id, request.params.id, { confirm: true }));
  });

  app.post(`${base}/enti/:slug/visits/:id/report/dispute`, {
    schema: {
      tags,
      summary: "Il referente dell'ente contesta il rapporto, con il motivo",
      params: VisitParams,
      body: Type.Object({ reason: Type.String({ maxLength: 4000 }) }, { additionalProperties: false }),
      response: visitResponses,
    },
  }, async (request) => {
    const ente = await enteFor(request.params.slug);
    await requireRepresentative(request, db.app, ente.id);
    return visitOut(await decideReport(db.app, actorOf(request), ente.id, request.params.id, { confirm: false, reason: request.body.reason }));
  });
}
