// The ente's side (/backoffice/enti/{slug}/assistenza/interventi): its remaining hours, the reports waiting
// for its confirmation (confirm or dispute, by its representative), its visits of the year; one visit with
// its report and the PDF. Only the ente's own staff (and the desk) get here.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { actorOf, can, csrfToken } from '../../../../platform/auth/index.js';
import { addDays, todayInRome } from '../../../../platform/calendar/index.js';
import type { App } from '../../../../platform/http/app.js';
import type { Platform } from '../../../../platform/platform.js';
import { formatDate, t } from '../../../../platform/views/i18n/index.js';
import { CsrfField } from '../../../../platform/views/layout.js';
import type { Ente } from '../../../../platform/tenancy/index.js';
import { requireTicketReader } from '../../access.js';
import { isoWeekday } from '../../sla/calendar.js';
import { enteBalance } from '../hours.js';
import { requireRepresentative } from '../representative.js';
import { decideReport } from '../reports.js';
import { awaitingConfirmation, visitsOfEnte, type VisitView } from '../service.js';
import { hoursText, romeParts, romeYear } from '../time.js';
import { ErrorAlert, HoursSummary, OnsiteLayout, Outcome, ReportBlock, TicketList, VisitState, entePath, findEnte, isFormProblem, sendPage, slotText, staffOrLogin } from './common.js';
import { loadVisit, sendReportPdf } from './visit.js';

const SlugParams = Type.Object({ slug: Type.String({ maxLength: 100 }) });
const Params = Type.Object({ slug: Type.String({ maxLength: 100 }), id: Type.String({ maxLength: 40 }) });
const Query = Type.Object({ anno: Type.Optional(Type.String({ maxLength: 4 })), esito: Type.Optional(Type.String({ maxLength: 40 })) });

/** Whether more than 5 working days (Mon–Fri) passed since `since` (a reminder for the ente). */
function stale(since: Date, today = todayInRome()): boolean {
  let day = romeParts(since).date;
  let working = 0;
  while (day < today && working <= 5) {
    day = addDays(day, 1);
    if (isoWeekday(day) <= 5) working++;
  }
  return working > 5;
}

async function guard(request: FastifyRequest, reply: FastifyReply, platform: Platform, slug: string) {
  const staff = staffOrLogin(request, reply);
  if (!staff) return null;
  const ente = await findEnte(platform, slug);
  const { desk } = await requireTicketReader(request, platform.db.app, ente.id);
  return { ente, representative: !desk && can(staff, ente.id, 'helpdesk.request') };
}

function DecisionForms({ visit, csrf }: { visit: VisitView; csrf: string }) {
  const base = `${entePath(visit.ente.slug)}/${visit.id}`;
  const r = visit.report!;
  return (
    <div class="mt-2">
      <p class="small">{t('onsite.report.confirmHelp', { minutes: `${hoursText(r.minutes)} ore`, year: r.year })}</p>
      <form method="post" action={`${base}/conferma`} class="d-inline-block me-3 mb-2">
        <CsrfField token={csrf} />
        <button type="submit" class="btn btn-success btn-sm">{t('onsite.report.confirm')}</button>
      </form>
      <form method="post" action={`${base}/contesta`} class="row g-2 align-items-end">
        <CsrfField token={csrf} />
        <div class="col-md-8">
          <label for={`motivo-${visit.id}`} class="form-label">{t('onsite.report.disputeReason')}</label>
          <input type="text" id={`motivo-${visit.id}`} name="motivo" class="form-control" required maxLength={4000} />
        </div>
        <div class="col-md-4">
          <button type="submit" class="btn btn-outline-danger btn-sm">{t('onsite.report.disputeSubmit')}</button>
        </div>
      </form>
    </div>
  );
}

export function registerEntePages(app: App, platform: Platform): void {
  async function renderList(request: FastifyRequest, reply: FastifyReply, ente: Ente, representative: boolean, year: number, feedback: { error?: string } = {}, status = 200) {
    const [balance, awaiting, visits] = await Promise.all([enteBalance(platform.db.app, ente.id, year), awaitingConfirmation(platform.db.app, ente.id), visitsOfEnte(platform.db.app, ente.id, romeYear(year))]);
    const csrf = csrfToken(request, reply);
    const title = t('onsite.ente.title');
    return sendPage(
      reply,
      <OnsiteLayout request={request} title={title} crumbs={[{ label: ente.name, href: `/backoffice/enti/${ente.slug}` }]}>
        <h1>{title}</h1>
        <p class="lead">{ente.name}</p>
        <Outcome esito={(request.query as { esito?: string }).esito} />
        <HoursSummary balance={balance} />
        <section aria-labelledby="da-confermare" class="mb-4">
          <h2 id="da-confermare" class="h4">{t('onsite.ente.awaiting')}</h2>
          {feedback.error ? <ErrorAlert>{feedback.error}</ErrorAlert> : null}
          {awaiting.length === 0 ? <p>{t('onsite.ente.noneAwaiting')}</p> : null}
          {awaiting.map((v) => (
            <article class="card card-bg mb-3" aria-labelledby={`v-${v.id}`}>
              <div class="card-body">
                <h3 id={`v-${v.id}`} class="h5">
                  <a href={`${entePath(ente.slug)}/${v.id}`}>{slotText(v)}</a> – {v.technician.name}
                </h3>
                {stale(v.report!.recordedAt) ? <p><span class="badge bg-danger">{t('onsite.ente.stale')}</span></p> : null}
                <p class="mb-1">{t('onsite.report.time')}: {hoursText(v.report!.minutes)}</p>
                <p style="white-space:pre-line">{v.report!.activities}</p>
                {representative ? <DecisionForms visit={v} csrf={csrf} /> : null}
              </div>
            </article>
          ))}
        </section>
        <section aria-labelledby="interventi" class="mb-4">
          <h2 id="interventi" class="h4">{t('onsite.ente.visits', { year })}</h2>
          {visits.length === 0 ? (
            <p>{t('onsite.ente.noVisits')}</p>
          ) : (
            <div class="table-responsive">
              <table class="table">
                <caption class="visually-hidden">{t('onsite.ente.visits', { year })}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('onsite.col.date')}</th>
                    <th scope="col">{t('onsite.col.technician')}</th>
                    <th scope="col">{t('onsite.col.tickets')}</th>
                    <th scope="col">{t('onsite.col.minutes')}</th>
                    <th scope="col">{t('onsite.col.state')}</th>
                  </tr>
                </thead>
                <tbody>
                  {visits.map((v) => (
                    <tr>
                      <th scope="row"><a href={`${entePath(ente.slug)}/${v.id}`}>{slotText(v)}</a></th>
                      <td>{v.technician.name}</td>
                      <td><TicketList visit={v} /></td>
                      <td>{v.report ? hoursText(v.report.minutes) : '—'}</td>
                      <td><VisitState visit={v} /></td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
      </OnsiteLayout>,
      status,
    );
  }

  const yearOf = (value: string | undefined) => (value && /^\d{4}$/.test(value) && Number(value) >= 2000 ? Number(value) : Number(todayInRome().slice(0, 4)));

  app.get(entePath(':slug'), { schema: { hide: true, params: SlugParams, querystring: Query } }, async (request, reply) => {
    const g = await guard(request, reply, platform, request.params.slug);
    if (!g) return reply;
    return renderList(request, reply, g.ente, g.representative, yearOf(request.query.anno));
  });

  app.get(`${entePath(':slug')}/:id`, { schema: { hide: true, params: Params, querystring: Query } }, async (request, reply) => {
    const g = await guard(request, reply, platform, request.params.slug);
    if (!g) return reply;
    const { visit } = await loadVisit(platform, g.ente.slug, request.params.id);
    const title = t('onsite.visit.title', { date: formatDate(visit.date), name: g.ente.name });
    return sendPage(
      reply,
      <OnsiteLayout request={request} title={title} crumbs={[{ label: g.ente.name, href: `/backoffice/enti/${g.ente.slug}` }, { label: t('onsite.ente.title'), href: entePath(g.ente.slug) }]}>
        <h1>{title}</h1>
        <Outcome esito={request.query.esito} />
        <dl class="row">
          <dt class="col-sm-3">{t('onsite.visit.when')}</dt>
          <dd class="col-sm-9">{slotText(visit)}</dd>
          <dt class="col-sm-3">{t('onsite.col.technician')}</dt>
          <dd class="col-sm-9">{visit.technician.name}</dd>
          <dt class="col-sm-3">{t('onsite.col.state')}</dt>
          <dd class="col-sm-9"><VisitState visit={visit} /></dd>
        </dl>
        <h2 class="h4">{t('onsite.visit.tickets')}</h2>
        <TicketList visit={visit} />
        <div class="mt-4">
          <ReportBlock visit={visit} pdfHref={`${entePath(g.ente.slug)}/${visit.id}/rapporto.pdf`} />
          {g.representative && visit.report?.status === 'awaiting' ? <DecisionForms visit={visit} csrf={csrfToken(request, reply)} /> : null}
        </div>
      </OnsiteLayout>,
    );
  });

  app.get(`${entePath(':slug')}/:id/rapporto.pdf`, { schema: { hide: true, params: Params } }, async (request, reply) => {
    const g = await guard(request, reply, platform, request.params.slug);
    if (!g) return reply;
    const { visit } = await loadVisit(platform, g.ente.slug, request.params.id);
    return sendReportPdf(reply, visit);
  });

  for (const [path, confirm] of [['conferma', true], ['contesta', false]] as const) {
    app.post(`${entePath(':slug')}/:id/${path}`, { schema: { hide: true, params: Params } }, async (request, reply) => {
      if (!staffOrLogin(request, reply)) return reply;
      const ente = await findEnte(platform, request.params.slug);
      await requireRepresentative(request, platform.db.app, ente.id);
      const { visit } = await loadVisit(platform, ente.slug, request.params.id);
      const reason = String((request.body as Record<string, unknown> | undefined)?.motivo ?? '');
      try {
        await decideReport(platform.db.app, actorOf(request), ente.id, visit.id, confirm ? { confirm: true } : { confirm: false, reason });
      } catch (err) {
        if (!isFormProblem(err)) throw err;
        return renderList(request, reply, ente, true, Number(visit.date.slice(0, 4)), { error: err.detail ?? err.title }, err.status);
      }
      return reply.redirect(`${entePath(ente.slug)}?esito=${confirm ? 'confirmed' : 'disputed'}`, 303);
    });
  }
}
