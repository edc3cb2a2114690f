// Pieces shared by the on-site pages: layout with breadcrumbs, sending, login redirect, alerts, the hours
// summary of an ente, the report block and form-error handling.
import type { ComponentChildren } from 'preact';
import type { FastifyRequest } from 'fastify';
import { HttpProblem, notFound } from '../../../../platform/http/problem.js';
import type { Platform } from '../../../../platform/platform.js';
import { formatDate, formatDateTime, t } from '../../../../platform/views/i18n/index.js';
import { Layout } from '../../../../platform/views/layout.js';
import { viewerOf } from '../../../../platform/views/viewer.js';
import { getEnteBySlug, type Ente } from '../../../../platform/tenancy/index.js';
import type { HoursBalance } from '../hours.js';
import type { ReportView, VisitView } from '../service.js';
import { hoursText, romeParts } from '../time.js';
import '../messages.js';
import { sendPage, staffOrLogin } from '../../../../platform/views/page.js';
export { sendPage, staffOrLogin };

export const deskPath = '/backoffice/assistenza/interventi';
export const entePath = (slug: string) => `/backoffice/enti/${slug}/assistenza/interventi`;
export const deskVisitPath = (v: Pick<VisitView, 'id' | 'ente'>) => `${deskPath}/${v.ente.slug}/${v.id}`;

export async function findEnte(platform: Platform, slug: string): Promise<Ente> {
  const ente = /^[a-z0-9-]{1,100}$/.test(slug) ? await getEnteBySlug(platform.db.app, slug) : undefined;
  if (!ente) throw notFound('Ente inesistente');
  return ente;
}

/** A refusal the page shows next to its form (4xx from the service), not as an error page. */
export const isFormProblem = (err: unknown): err is HttpProblem => err instanceof HttpProblem && err.status >= 400 && err.status < 500 && err.status !== 401 && err.status !== 403;

export type Crumb = { label: string; href?: string };

export function OnsiteLayout({ request, title, crumbs, children }: { request: FastifyRequest; title: string; crumbs: Crumb[]; children: ComponentChildren }) {
  const base = [
    { label: t('app.name'), href: '/' },
    { label: t('onsite.crumb.backoffice'), href: '/backoffice/' },
  ];
  return (
    <Layout title={title} viewer={viewerOf(request)} breadcrumbs={[...base, ...crumbs, { label: title }]}>
      {children}
    </Layout>
  );
}

export function ErrorAlert({ children }: { children: ComponentChildren }) {
  return (
    <div class="alert alert-danger" role="alert" id="errore">
      <p class="fw-bold mb-1">{t('onsite.error.title')}</p>
      <p class="mb-0">{children}</p>
    </div>
  );
}

/** The success message of `?esito=` (known codes only). */
export function Outcome({ esito, warnings = [] }: { esito?: string | undefined; warnings?: string[] }) {
  const known = ['planned', 'rescheduled', 'cancelled', 'reported', 'confirmed', 'disputed', 'contract'];
  return (
    <>
      {esito && known.includes(esito) ? (
        <div class="alert alert-success" role="status">
          {t(`onsite.esito.${esito}`)}
        </div>
      ) : null}
      {warnings.map((w) => (
        <div class="alert alert-warning" role="status">
          {w}
        </div>
      ))}
    </>
  );
}

export { formatDateTime };
export const slotText = (v: Pick<VisitView, 'date' | 'start' | 'end'>) => `${formatDate(v.date)} ${v.start}–${v.end}`;
export const hm = (d: Date) => romeParts(d).time;

export const VISIT_BADGE: Record<VisitView['state'], string> = { planned: 'bg-primary', done: 'bg-success', cancelled: 'bg-secondary' };
export const REPORT_BADGE: Record<ReportView['status'], string> = { awaiting: 'bg-warning text-dark', confirmed: 'bg-success', disputed: 'bg-danger' };

export function VisitState({ visit }: { visit: VisitView }) {
  return (
    <span class="d-inline-flex flex-wrap gap-1">
      <span class={`badge ${VISIT_BADGE[visit.state]}`}>{t(`onsite.state.${visit.state}`)}</span>
      {visit.report ? <span class={`badge ${REPORT_BADGE[visit.report.status]}`}>{t(`onsite.report.${visit.report.status}`)}</span> : null}
      {visit.overContract ? <span class="badge bg-dark">{t('onsite.overContract')}</span> : null}
    </span>
  );
}

/** The warning of an ente's balance, or null when within limits. */
export function balanceWarning(b: HoursBalance): string | null {
  switch (b.level) {
    case 'near':
      return t('onsite.warn.near', { share: `${Math.floor((b.usedShare ?? 0) * 100)}%`, year: b.year });
    case 'exhausted':
      return t('onsite.warn.exhausted', { year: b.year });
    case 'over':
      return t('onsite.warn.over', { year: b.year, extra: hoursText(b.extraMinutes) });
    case 'no_contract':
      return t('onsite.warn.noContract', { year: b.year });
    default:
      return null;
  }
}

export function HoursSummary({ balance, id = 'ore' }: { balance: HoursBalance; id?: string }) {
  const warning = balanceWarning(balance);
  const rows: [string, number | null][] = [
    ['onsite.hoursLine.contracted', balance.contractedMinutes],
    ['onsite.hoursLine.confirmed', balance.confirmedMinutes],
    ['onsite.hoursLine.remaining', balance.remainingMinutes],
    ['onsite.hoursLine.awaiting', balance.awaitingMinutes],
    ['onsite.hoursLine.planned', balance.plannedMinutes],
    ['onsite.hoursLine.extra', balance.extraMinutes],
  ];
  return (
    <section aria-labelledby={id} class="mb-4">
      <h2 id={id} class="h4">
        {t('onsite.ente.hours', { year: balance.year })}
      </h2>
      {warning ? (
        <div class={`alert ${balance.level === 'near' ? 'alert-warning' : 'alert-danger'}`} role="status">
          {warning}
        </div>
      ) : null}
      <dl class="row mb-0">
        {rows.map(([key, minutes]) => (
          <>
            <dt class="col-sm-4">{t(key)}</dt>
            <dd class="col-sm-8" data-hours={key.split('.').pop()}>
              {minutes === null ? '—' : hoursText(minutes)}
            </dd>
          </>
        ))}
      </dl>
    </section>
  );
}

export function ReportBlock({ visit, headingId = 'rapporto', pdfHref }: { visit: VisitView; headingId?: string; pdfHref: string }) {
  const r = visit.report;
  return (
    <section aria-labelledby={headingId} class="mb-4">
      <h2 id={headingId} class="h4">
        {t('onsite.report.title')}
      </h2>
      {!r ? (
        <p>{t('onsite.report.none')}</p>
      ) : (
        <>
          <dl class="row">
            <dt class="col-sm-3">{t('onsite.report.status')}</dt>
            <dd class="col-sm-9">
              <span class={`badge ${REPORT_BADGE[r.status]}`}>{t(`onsite.report.${r.status}`)}</span>
            </dd>
            <dt class="col-sm-3">{t('onsite.report.time')}</dt>
            <dd class="col-sm-9">
              {hoursText(r.minutes)}
              {r.actualStart && r.actualEnd ? ` (${t('onsite.report.actual', { from: hm(r.actualStart), to: hm(r.actualEnd) })})` : ''}
            </dd>
            <dt class="col-sm-3">{t('onsite.report.activities')}</dt>
            <dd class="col-sm-9" style="white-space:pre-line">
              {r.activities}
            </dd>
            {r.disputeReason ? (
              <>
                <dt class="col-sm-3">{t('onsite.report.disputeReason')}</dt>
                <dd class="col-sm-9">{r.disputeReason}</dd>
              </>
            ) : null}
          </dl>
          <p class="small mb-1">{t('onsite.report.recorded', { who: r.recordedBy, at: formatDateTime(r.recordedAt) })}</p>
          {r.decidedBy && r.decidedAt ? (
            <p class="small">{t(r.status === 'confirmed' ? 'onsite.report.decidedConfirm' : 'onsite.report.decidedDispute', { who: r.decidedBy, at: formatDateTime(r.decidedAt) })}</p>
          ) : null}
          <p>
            <a href={pdfHref}>{t('onsite.report.pdf')}</a>
          </p>
        </>
      )}
    </section>
  );
}

export function TicketList({ visit }: { visit: VisitView }) {
  if (visit.tickets.length === 0) return <p class="mb-0">{t('onsite.noTickets')}</p>;
  return (
    <ul class="mb-0">
      {visit.tickets.map((tk) => (
        <li>
          <strong>{tk.label}</strong> – {tk.subject}
          {tk.outcome ? <span class="d-block small">{tk.outcome}</span> : null}
        </li>
      ))}
    </ul>
  );
}
