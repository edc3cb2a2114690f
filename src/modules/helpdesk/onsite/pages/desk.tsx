// The desk's day plan (/backoffice/assistenza/interventi?giorno=…&tecnico=…): the visits of one day grouped
// by ente, with the tickets each covers, a PDF to print; and the form that plans a visit (ente first, then
// the slot and the ente's open tickets, so it works without JavaScript).
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { actorOf, csrfToken } from '../../../../platform/auth/index.js';
import { addDays, isIsoDate, todayInRome } from '../../../../platform/calendar/index.js';
import { withEnte } from '../../../../platform/db/index.js';
import { contentDisposition } from '../../../../platform/http/download.js';
import type { App } from '../../../../platform/http/app.js';
import { unprocessable } from '../../../../platform/http/problem.js';
import type { Platform } from '../../../../platform/platform.js';
import { formatDate, t } from '../../../../platform/views/i18n/index.js';
import { CsrfField } from '../../../../platform/views/layout.js';
import { listEnti, type Ente } from '../../../../platform/tenancy/index.js';
import { requireDesk } from '../../access.js';
import { ticketLabel } from '../../service.js';
import { enteBalance } from '../hours.js';
import { renderDayPlanPdf } from '../pdf.js';
import { dayPlan, planVisit, technicians } from '../service.js';
import { hoursText } from '../time.js';
import { ErrorAlert, OnsiteLayout, Outcome, TicketList, VisitState, deskPath, deskVisitPath, findEnte, isFormProblem, sendPage, staffOrLogin } from './common.js';

const DayQuery = Type.Object({ giorno: Type.Optional(Type.String({ maxLength: 20 })), tecnico: Type.Optional(Type.String({ maxLength: 40 })), esito: Type.Optional(Type.String({ maxLength: 40 })) });
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The desk's signed-in member, or null after redirecting an anonymous visitor to the login. */
export async function deskOrLogin(request: FastifyRequest, reply: FastifyReply, platform: Platform) {
  if (!staffOrLogin(request, reply)) return null;
  return requireDesk(request, platform.db.app);
}

async function dayParams(platform: Platform, query: { giorno?: string | undefined; tecnico?: string | undefined }, staffId: string) {
  const date = query.giorno && isIsoDate(query.giorno) ? query.giorno : todayInRome();
  const techs = await technicians(platform.db.app);
  // Default: the signed-in technician's own day; 'tutti' (or an unknown id) shows the whole desk.
  const wanted = query.tecnico === undefined ? staffId : query.tecnico;
  const technician = UUID.test(wanted) ? techs.find((x) => x.id === wanted) : undefined;
  return { date, techs, technician };
}

export function registerDeskPages(app: App, platform: Platform): void {
  app.get(deskPath, { schema: { hide: true, querystring: DayQuery } }, async (request, reply) => {
    const staff = await deskOrLogin(request, reply, platform);
    if (!staff) return reply;
    const { date, techs, technician } = await dayParams(platform, request.query, staff.id);
    const plan = await dayPlan(platform.db.app, actorOf(request), date, technician?.id);
    const count = plan.groups.reduce((n, g) => n + g.visits.length, 0);
    const tech = technician?.id ?? 'tutti';
    const title = t('onsite.day.title');
    return sendPage(
      reply,
      <OnsiteLayout request={request} title={title} crumbs={[]}>
        <h1>{title}</h1>
        <Outcome esito={request.query.esito} />
        <ul class="list-inline">
          <li class="list-inline-item">
            <a class="btn btn-primary btn-sm" href={`${deskPath}/nuovo`}>{t('onsite.day.plan')}</a>
          </li>
          <li class="list-inline-item">
            <a class="btn btn-outline-primary btn-sm" href={`${deskPath}/ore`}>{t('onsite.day.hours')}</a>
          </li>
        </ul>
        <form method="get" action={deskPath} class="row g-3 align-items-end mb-4" aria-label={t('onsite.day.filter')}>
          <div class="col-sm-4">
            <label for="giorno" class="form-label">{t('onsite.day.date')}</label>
            <input type="date" id="giorno" name="giorno" class="form-control" value={date} />
          </div>
          <div class="col-sm-5">
            <label for="tecnico" class="form-label">{t('onsite.day.technician')}</label>
            <select id="tecnico" name="tecnico" class="form-select">
              <option value="tutti" selected={!technician}>{t('onsite.day.all')}</option>
              {techs.map((x) => (
                <option value={x.id} selected={x.id === technician?.id}>{x.name}</option>
              ))}
            </select>
          </div>
          <div class="col-sm-3">
            <button type="submit" class="btn btn-outline-primary">{t('onsite.day.show')}</button>
          </div>
        </form>
        <p>
          <a href={`${deskPath}?giorno=${addDays(date, -1)}&tecnico=${tech}`}>{t('onsite.day.prev')}</a> ·{' '}
          <a href={`${deskPath}?giorno=${addDays(date, 1)}&tecnico=${tech}`}>{t('onsite.day.next')}</a> ·{' '}
          <a href={`${deskPath}/giornata.pdf?giorno=${date}&tecnico=${tech}`}>{t('onsite.day.pdf')}</a>
        </p>
        <h2 class="h3">
          {formatDate(date)}
          {technician ? ` – ${technician.name}` : ''}
        </h2>
        {count === 0 ? <p>{t('onsite.day.none')}</p> : <p>{t('onsite.day.total', { count, hours: hoursText(plan.totalMinutes) })}</p>}
        {plan.groups.map((group, gi) => (
          <section aria-labelledby={`ente-${gi}`} class="mb-4">
            <h3 id={`ente-${gi}`} class="h4">{group.ente.name}</h3>
            <p class="text-muted">{t('onsite.day.address', { name: group.ente.name })}</p>
            <div class="table-responsive">
              <table class="table">
                <caption class="visually-hidden">{group.ente.name}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('onsite.col.time')}</th>
                    <th scope="col">{t('onsite.col.technician')}</th>
                    <th scope="col">{t('onsite.col.tickets')}</th>
                    <th scope="col">{t('onsite.col.state')}</th>
                  </tr>
                </thead>
                <tbody>
                  {group.visits.map((v) => (
                    <tr>
                      <th scope="row">
                        <a href={deskVisitPath(v)}>
                          {v.start}–{v.end}
                        </a>
                      </th>
                      <td>{v.technician.name}</td>
                      <td>
                        <TicketList visit={v} />
                      </td>
                      <td>
                        <VisitState visit={v} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </section>
        ))}
      </OnsiteLayout>,
    );
  });

  app.get(`${deskPath}/giornata.pdf`, { schema: { hide: true, querystring: DayQuery } }, async (request, reply) => {
    const staff = await deskOrLogin(request, reply, platform);
    if (!staff) return reply;
    const { date, technician } = await dayParams(platform, request.query, staff.id);
    const plan = await dayPlan(platform.db.app, actorOf(request), date, technician?.id);
    const pdf = await renderDayPlanPdf({ ...plan, technician: technician?.name ?? t('onsite.day.all') });
    return reply
      .header('content-disposition', contentDisposition('inline', `piano-interventi-${date}.pdf`))
      .header('cache-control', 'no-store')
      .type('application/pdf')
      .send(pdf);
  });

  const PlanQuery = Type.Object({ ente: Type.Optional(Type.String({ maxLength: 100 })) });
  app.get(`${deskPath}/nuovo`, { schema: { hide: true, querystring: PlanQuery } }, async (request, reply) => {
    const staff = await deskOrLogin(request, reply, platform);
    if (!staff) return reply;
    const ente = request.query.ente ? await findEnte(platform, request.query.ente) : undefined;
    return renderPlanForm(request, reply, ente, { technicianId: staff.id });
  });

  app.post(`${deskPath}/nuovo`, { schema: { hide: true, querystring: PlanQuery } }, async (request, reply) => {
    const staff = await deskOrLogin(request, reply, platform);
    if (!staff) return reply;
    const ente = await findEnte(platform, request.query.ente ?? '');
    const body = (request.body ?? {}) as Record<string, string | string[]>;
    const one = (k: string) => (Array.isArray(body[k]) ? body[k][0] : body[k])?.trim() ?? '';
    const values = { technicianId: one('tecnico'), date: one('giorno'), start: one('inizio'), end: one('fine'), notes: one('note'), ticketIds: [body.ticket ?? []].flat() };
    try {
      if (!UUID.test(values.technicianId)) throw unprocessable('Scegli il tecnico');
      if (values.ticketIds.some((id) => !UUID.test(id))) throw unprocessable("Uno o più ticket indicati non esistono tra i ticket dell'ente");
      const { visit } = await planVisit(platform.db.app, actorOf(request), ente.id, values);
      return reply.redirect(`${deskVisitPath(visit)}?esito=planned`, 303);
    } catch (err) {
      if (!isFormProblem(err)) throw err;
      return renderPlanForm(request, reply, ente, values, err.detail ?? err.title, err.status);
    }
  });

  async function renderPlanForm(
    request: FastifyRequest,
    reply: FastifyReply,
    ente: Ente | undefined,
    values: { technicianId?: string; date?: string; start?: string; end?: string; notes?: string; ticketIds?: string[] },
    error?: string,
    status = 200,
  ) {
    const title = t('onsite.plan.title');
    const csrf = csrfToken(request, reply);
    const techs = await technicians(platform.db.app);
    const crumbs = [{ label: t('onsite.crumb.desk'), href: deskPath }];
    if (!ente) {
      const enti = await listEnti(platform.db.app, { limit: 1000, offset: 0 });
      return sendPage(
        reply,
        <OnsiteLayout request={request} title={title} crumbs={crumbs}>
          <h1>{title}</h1>
          <form method="get" action={`${deskPath}/nuovo`} class="row g-3 align-items-end">
            <div class="col-sm-8">
              <label for="ente" class="form-label">{t('onsite.plan.chooseEnte')}</label>
              <select id="ente" name="ente" class="form-select" required>
                {enti.items.map((e) => (
                  <option value={e.slug}>{e.name}</option>
                ))}
              </select>
            </div>
            <div class="col-sm-4">
              <button type="submit" class="btn btn-primary">{t('onsite.plan.continue')}</button>
            </div>
          </form>
        </OnsiteLayout>,
        status,
      );
    }
    const date = values.date || addDays(todayInRome(), 1);
    const year = Number(date.slice(0, 4)) || Number(todayInRome().slice(0, 4));
    const [balance, open] = await Promise.all([
      enteBalance(platform.db.app, ente.id, year),
      withEnte(platform.db.app, ente.id, (trx) =>
        trx.selectFrom('ticket').select(['id', 'number', 'year', 'subject']).where('state', 'not in', ['solved', 'closed']).where('merged_into', 'is', null).orderBy('opened_at', 'desc').limit(100).execute(),
      ),
    ]);
    const selected = new Set(values.ticketIds ?? []);
    return sendPage(
      reply,
      <OnsiteLayout request={request} title={title} crumbs={crumbs}>
        <h1>{title}</h1>
        <p class="lead">{t('onsite.plan.for', { name: ente.name })}</p>
        {error ? <ErrorAlert>{error}</ErrorAlert> : null}
        <p>
          {balance.contractedMinutes === null
            ? t('onsite.plan.noContract', { year })
            : t('onsite.plan.hoursLeft', { year, remaining: hoursText(balance.remainingMinutes), contracted: hoursText(balance.contractedMinutes), awaiting: hoursText(balance.awaitingMinutes), planned: hoursText(balance.plannedMinutes) })}
        </p>
        <form method="post" action={`${deskPath}/nuovo?ente=${ente.slug}`}>
          <CsrfField token={csrf} />
          <div class="row g-3 mb-3">
            <div class="col-md-6">
              <label for="tecnico" class="form-label">{t('onsite.day.technician')}</label>
              <select id="tecnico" name="tecnico" class="form-select" required>
                {techs.map((x) => (
                  <option value={x.id} selected={x.id === values.technicianId}>{x.name}</option>
                ))}
              </select>
            </div>
            <div class="col-md-6">
              <label for="giorno" class="form-label">{t('onsite.day.date')}</label>
              <input type="date" id="giorno" name="giorno" class="form-control" required value={date} />
            </div>
            <div class="col-md-6">
              <label for="inizio" class="form-label">{t('onsite.plan.start')}</label>
              <input type="time" id="inizio" name="inizio" class="form-control" required value={values.start || '09:00'} />
            </div>
            <div class="col-md-6">
              <label for="fine" class="form-label">{t('onsite.plan.end')}</label>
              <input type="time" id="fine" name="fine" class="form-control" required value={values.end || '11:00'} />
            </div>
          </div>
          <fieldset class="mb-3">
            <legend class="h6">{t('onsite.plan.tickets')}</legend>
            {open.length === 0 ? <p>{t('onsite.plan.noOpenTickets')}</p> : null}
            {open.map((tk) => (
              <div class="form-check">
                <input class="form-check-input" type="checkbox" name="ticket" value={tk.id} id={`ticket-${tk.id}`} checked={selected.has(tk.id)} />
                <label class="form-check-label" for={`ticket-${tk.id}`}>
                  {ticketLabel(tk)} – {tk.subject}
                </label>
              </div>
            ))}
          </fieldset>
          <div class="mb-3">
            <label for="note" class="form-label">{t('onsite.plan.notes')}</label>
            <textarea id="note" name="note" class="form-control" rows={3} maxLength={4000}>{values.notes ?? ''}</textarea>
          </div>
          <button type="submit" class="btn btn-primary">{t('onsite.plan.submit')}</button>
        </form>
      </OnsiteLayout>,
      status,
    );
  }
}
