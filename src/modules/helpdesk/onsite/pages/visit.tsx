// One visit for the desk (/backoffice/assistenza/interventi/{ente}/{id}): facts, tickets, history, the ente's
// hours, and the forms to reschedule, cancel and record (or correct) the report; the report as PDF.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { actorOf, csrfToken } from '../../../../platform/auth/index.js';
import { contentDisposition } from '../../../../platform/http/download.js';
import type { App } from '../../../../platform/http/app.js';
import { notFound } from '../../../../platform/http/problem.js';
import type { Platform } from '../../../../platform/platform.js';
import { formatDate, t } from '../../../../platform/views/i18n/index.js';
import { CsrfField } from '../../../../platform/views/layout.js';
import type { Ente } from '../../../../platform/tenancy/index.js';
import { enteBalance } from '../hours.js';
import { renderReportPdf } from '../pdf.js';
import { recordReport } from '../reports.js';
import { cancelVisit, rescheduleVisit, visitDetail, type VisitView } from '../service.js';
import { ErrorAlert, HoursSummary, OnsiteLayout, Outcome, ReportBlock, TicketList, VisitState, deskPath, findEnte, formatDateTime, hm, isFormProblem, sendPage, slotText } from './common.js';
import { deskOrLogin } from './desk.js';

const Params = Type.Object({ slug: Type.String({ maxLength: 100 }), id: Type.String({ maxLength: 40 }) });
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function loadVisit(platform: Platform, slug: string, id: string): Promise<{ ente: Ente; visit: VisitView }> {
  const ente = await findEnte(platform, slug);
  const visit = UUID.test(id) ? await visitDetail(platform.db.app, ente.id, id) : undefined;
  if (!visit) throw notFound('Intervento inesistente');
  return { ente, visit };
}

type Form = Record<string, string>;
const fieldsOf = (body: unknown): Form => Object.fromEntries(Object.entries((body ?? {}) as Record<string, unknown>).map(([k, v]) => [k, String(Array.isArray(v) ? v[0] : v ?? '').trim()]));

export function registerVisitPages(app: App, platform: Platform): void {
  async function render(request: FastifyRequest, reply: FastifyReply, visit: VisitView, feedback: { error?: string; form?: string; values?: Form } = {}, status = 200) {
    const csrf = csrfToken(request, reply);
    const balance = await enteBalance(platform.db.app, visit.ente.id, Number(visit.date.slice(0, 4)));
    const base = `${deskPath}/${visit.ente.slug}/${visit.id}`;
    const values = feedback.values ?? {};
    const title = t('onsite.visit.title', { date: formatDate(visit.date), name: visit.ente.name });
    const errorFor = (form: string) => (feedback.error && feedback.form === form ? <ErrorAlert>{feedback.error}</ErrorAlert> : null);
    const canReport = visit.state !== 'cancelled' && (!visit.report || visit.report.status === 'disputed') && visit.startsAt <= new Date();
    return sendPage(
      reply,
      <OnsiteLayout request={request} title={title} crumbs={[{ label: t('onsite.crumb.desk'), href: `${deskPath}?giorno=${visit.date}&tecnico=${visit.technician.id}` }]}>
        <h1>{title}</h1>
        <Outcome esito={(request.query as { esito?: string }).esito} />
        <section aria-labelledby="dati" class="mb-4">
          <h2 id="dati" class="h4">{t('onsite.visit.facts')}</h2>
          <dl class="row">
            <dt class="col-sm-3">{t('onsite.visit.when')}</dt>
            <dd class="col-sm-9">{slotText(visit)}</dd>
            <dt class="col-sm-3">{t('onsite.col.technician')}</dt>
            <dd class="col-sm-9">{visit.technician.name}</dd>
            <dt class="col-sm-3">{t('onsite.col.state')}</dt>
            <dd class="col-sm-9"><VisitState visit={visit} /></dd>
            <dt class="col-sm-3">{t('onsite.visit.plannedBy')}</dt>
            <dd class="col-sm-9">{visit.plannedBy}, {formatDateTime(visit.plannedAt)}</dd>
            {visit.notes ? (<><dt class="col-sm-3">{t('onsite.visit.notes')}</dt><dd class="col-sm-9">{visit.notes}</dd></>) : null}
            {visit.cancelReason ? (<><dt class="col-sm-3">{t('onsite.visit.cancelReason')}</dt><dd class="col-sm-9">{visit.cancelReason}</dd></>) : null}
          </dl>
          <h3 class="h5">{t('onsite.visit.tickets')}</h3>
          <TicketList visit={visit} />
        </section>
        <HoursSummary balance={balance} />
        <ReportBlock visit={visit} pdfHref={`${base}/rapporto.pdf`} />
        {canReport ? (
          <section aria-labelledby="registra" class="mb-4">
            <h2 id="registra" class="h4">{t(visit.report ? 'onsite.report.correct' : 'onsite.report.record')}</h2>
            {errorFor('report')}
            <p>{t('onsite.report.help')}</p>
            <form method="post" action={`${base}/rapporto`}>
              <CsrfField token={csrf} />
              <div class="row g-3 mb-3">
                <div class="col-md-4">
                  <label for="inizio-eff" class="form-label">{t('onsite.report.actualStart')}</label>
                  <input type="time" id="inizio-eff" name="inizio" class="form-control" value={values.inizio ?? ''} />
                </div>
                <div class="col-md-4">
                  <label for="fine-eff" class="form-label">{t('onsite.report.actualEnd')}</label>
                  <input type="time" id="fine-eff" name="fine" class="form-control" value={values.fine ?? ''} />
                </div>
                <div class="col-md-4">
                  <label for="minuti" class="form-label">{t('onsite.report.minutes')}</label>
                  <input type="number" id="minuti" name="minuti" class="form-control" min={1} max={720} value={values.minuti ?? ''} />
                </div>
              </div>
              <div class="mb-3">
                <label for="attivita" class="form-label">{t('onsite.report.activities')}</label>
                <textarea id="attivita" name="attivita" class="form-control" rows={4} required maxLength={20000}>{values.attivita ?? visit.report?.activities ?? ''}</textarea>
              </div>
              {visit.tickets.map((tk) => (
                <div class="mb-3">
                  <label for={`esito-${tk.id}`} class="form-label">{t('onsite.report.outcome', { label: tk.label })}</label>
                  <input type="text" id={`esito-${tk.id}`} name={`esito-${tk.id}`} class="form-control" maxLength={2000} value={values[`esito-${tk.id}`] ?? tk.outcome ?? ''} />
                </div>
              ))}
              <button type="submit" class="btn btn-primary">{t('onsite.report.submit')}</button>
            </form>
          </section>
        ) : visit.state === 'planned' ? (
          <p>{t('onsite.report.notYet')}</p>
        ) : null}
        {visit.state === 'planned' ? (
          <>
            <section aria-labelledby="riprogramma" class="mb-4">
              <h2 id="riprogramma" class="h4">{t('onsite.visit.reschedule')}</h2>
              {errorFor('reschedule')}
              <form method="post" action={`${base}/riprogramma`} class="row g-3 align-items-end">
                <CsrfField token={csrf} />
                <div class="col-md-3">
                  <label for="r-giorno" class="form-label">{t('onsite.day.date')}</label>
                  <input type="date" id="r-giorno" name="giorno" class="form-control" required value={values.giorno ?? visit.date} />
                </div>
                <div class="col-md-2">
                  <label for="r-inizio" class="form-label">{t('onsite.plan.start')}</label>
                  <input type="time" id="r-inizio" name="inizio" class="form-control" required value={feedback.form === 'reschedule' ? values.inizio : visit.start} />
                </div>
                <div class="col-md-2">
                  <label for="r-fine" class="form-label">{t('onsite.plan.end')}</label>
                  <input type="time" id="r-fine" name="fine" class="form-control" required value={feedback.form === 'reschedule' ? values.fine : visit.end} />
                </div>
                <div class="col-md-3">
                  <label for="r-motivo" class="form-label">{t('onsite.visit.reason')}</label>
                  <input type="text" id="r-motivo" name="motivo" class="form-control" maxLength={4000} />
                </div>
                <div class="col-md-2">
                  <button type="submit" class="btn btn-outline-primary">{t('onsite.visit.rescheduleSubmit')}</button>
                </div>
              </form>
            </section>
            <section aria-labelledby="annulla" class="mb-4">
              <h2 id="annulla" class="h4">{t('onsite.visit.cancel')}</h2>
              {errorFor('cancel')}
              <form method="post" action={`${base}/annulla`} class="row g-3 align-items-end">
                <CsrfField token={csrf} />
                <div class="col-md-8">
                  <label for="a-motivo" class="form-label">{t('onsite.visit.reason')}</label>
                  <input type="text" id="a-motivo" name="motivo" class="form-control" required maxLength={1000} />
                </div>
                <div class="col-md-4">
                  <button type="submit" class="btn btn-outline-danger">{t('onsite.visit.cancelSubmit')}</button>
                </div>
              </form>
            </section>
          </>
        ) : null}
        {visit.history.length > 0 ? (
          <section aria-labelledby="storico" class="mb-4">
            <h2 id="storico" class="h4">{t('onsite.visit.history')}</h2>
            <ul>
              {visit.history.map((h) => (
                <li>
                  {h.kind === 'reschedule' && h.to
                    ? t('onsite.visit.rescheduled', { from: `${formatDateTime(h.from.startsAt)}–${hm(h.from.endsAt)}`, to: `${formatDateTime(h.to.startsAt)}–${hm(h.to.endsAt)}` })
                    : t('onsite.visit.cancelledAt', { from: `${formatDateTime(h.from.startsAt)}–${hm(h.from.endsAt)}` })}
                  {h.reason ? ` – ${h.reason}` : ''} ({h.by}, {formatDateTime(h.at)})
                </li>
              ))}
            </ul>
          </section>
        ) : null}
      </OnsiteLayout>,
      status,
    );
  }

  app.get(`${deskPath}/:slug/:id`, { schema: { hide: true, params: Params } }, async (request, reply) => {
    if (!(await deskOrLogin(request, reply, platform))) return reply;
    const { visit } = await loadVisit(platform, request.params.slug, request.params.id);
    return render(request, reply, visit);
  });

  app.get(`${deskPath}/:slug/:id/rapporto.pdf`, { schema: { hide: true, params: Params } }, async (request, reply) => {
    if (!(await deskOrLogin(request, reply, platform))) return reply;
    const { visit } = await loadVisit(platform, request.params.slug, request.params.id);
    return sendReportPdf(reply, visit);
  });

  /** A desk form post: run `action`, then back to the visit with the outcome, or the form again with the error. */
  const post = (path: string, form: string, esito: string, action: (ente: Ente, visit: VisitView, f: Form, request: FastifyRequest) => Promise<unknown>) =>
    app.post(`${deskPath}/:slug/:id/${path}`, { schema: { hide: true, params: Params } }, async (request, reply) => {
      if (!(await deskOrLogin(request, reply, platform))) return reply;
      const { ente, visit } = await loadVisit(platform, request.params.slug, request.params.id);
      const f = fieldsOf(request.body);
      try {
        await action(ente, visit, f, request);
        return reply.redirect(`${deskPath}/${ente.slug}/${visit.id}?esito=${esito}`, 303);
      } catch (err) {
        if (!isFormProblem(err)) throw err;
        return render(request, reply, visit, { error: err.detail ?? err.title, form, values: f }, err.status);
      }
    });

  post('riprogramma', 'reschedule', 'rescheduled', (ente, visit, f, request) =>
    rescheduleVisit(platform.db.app, actorOf(request), ente.id, visit.id, { date: f.giorno ?? '', start: f.inizio ?? '', end: f.fine ?? '', reason: f.motivo }),
  );
  post('annulla', 'cancel', 'cancelled', (ente, visit, f, request) => cancelVisit(platform.db.app, actorOf(request), ente.id, visit.id, f.motivo ?? ''));
  post('rapporto', 'report', 'reported', (ente, visit, f, request) => {
    const outcomes = Object.fromEntries(visit.tickets.map((tk) => [tk.id, f[`esito-${tk.id}`] ?? '']));
    const minutes = f.minuti ? (/^\d{1,4}$/.test(f.minuti) ? Number(f.minuti) : Number.NaN) : undefined;
    return recordReport(platform.db.app, actorOf(request), ente.id, visit.id, { start: f.inizio || undefined, end: f.fine || undefined, minutes, activities: f.attivita ?? '', outcomes });
  });
}

export async function sendReportPdf(reply: FastifyReply, visit: VisitView) {
  const pdf = await renderReportPdf(visit);
  return reply
    .header('content-disposition', contentDisposition('inline', `rapporto-intervento-${visit.ente.slug}-${visit.date}.pdf`))
    .header('cache-control', 'no-store')
    .type('application/pdf')
    .send(pdf);
}
