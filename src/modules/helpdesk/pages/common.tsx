// Pieces shared by the help desk's pages: who may see them (the desk, an ente's requesters and readers), the
// layout with breadcrumbs, alerts and ?esito= outcomes, badges for state, priority and SLA, dates and working
// durations, pagination and the field-level error display of the forms.
import type { ComponentChildren } from 'preact';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { can, type StaffPrincipal } from '../../../platform/auth/access.js';
import { HttpProblem, notFound } from '../../../platform/http/problem.js';
import type { Platform } from '../../../platform/platform.js';
import { getCstEnte, type Ente } from '../../../platform/tenancy/index.js';
import { formatDateTime, t } from '../../../platform/views/i18n/index.js';
import { Layout } from '../../../platform/views/layout.js';
import { viewerOf } from '../../../platform/views/viewer.js';
import { requireDesk, requireRequester, requireTicketReader } from '../access.js';
import type { SlaStatus } from '../sla/clock.js';
import type { Priority, TicketState } from '../store.js';
import './messages.js';
import { enteOfSlug, sendPage, staffOrLogin } from '../../../platform/views/page.js';
export { sendPage, staffOrLogin };

export const deskPath = '/backoffice/assistenza';
export const deskTicketPath = (slug: string, id: string) => `${deskPath}/ticket/${slug}/${id}`;
export const entePath = (slug: string) => `/backoffice/enti/${slug}/assistenza`;
export const enteTicketPath = (slug: string, id: string) => `${entePath(slug)}/ticket/${id}`;

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The desk (CST staff): null after a redirect to login; 403 (audited on the CST) for anyone else. */
export async function deskGuard(request: FastifyRequest, reply: FastifyReply, platform: Platform): Promise<{ staff: StaffPrincipal; cst: Ente } | null> {
  if (!staffOrLogin(request, reply)) return null;
  const staff = await requireDesk(request, platform.db.app);
  const cst = await getCstEnte(platform.db.app);
  if (!cst) throw notFound(t('helpdesk.pages.enteNotFound'));
  return { staff, cst };
}

export const findEnte = (platform: Platform, slug: string): Promise<Ente> => enteOfSlug(platform, slug, t('helpdesk.pages.enteNotFound'));

export interface EnteAccess {
  staff: StaffPrincipal;
  ente: Ente;
  desk: boolean;
  /** May open tickets and reply (helpdesk.request); readers only look. */
  requester: boolean;
}

/**
 * An ente's side of the help desk: readers look, requesters write. Anonymous visitors go to login (null);
 * another ente's staff get 403, audited on the target ente's log by access.ts.
 */
export async function enteGuard(request: FastifyRequest, reply: FastifyReply, platform: Platform, slug: string, need: 'read' | 'request'): Promise<EnteAccess | null> {
  if (!staffOrLogin(request, reply)) return null;
  const ente = await findEnte(platform, slug);
  if (need === 'request') {
    const { staff, desk } = await requireRequester(request, platform.db.app, ente.id);
    return { staff, ente, desk, requester: true };
  }
  const { staff, desk } = await requireTicketReader(request, platform.db.app, ente.id);
  return { staff, ente, desk, requester: desk || can(staff, ente.id, 'helpdesk.request') };
}

/** A refusal the page shows next to the form (4xx from the service), not as an error page. */
export function isFormProblem(err: unknown): err is HttpProblem {
  return err instanceof HttpProblem && err.status >= 400 && err.status < 500 && err.status !== 401 && err.status !== 403 && err.status !== 404;
}
export const problemMessage = (err: HttpProblem) => err.detail ?? err.title;

type Crumb = { label: string; href?: string };

export function PageLayout({ request, title, crumbs, children }: { request: FastifyRequest; title: string; crumbs: Crumb[]; children: ComponentChildren }) {
  const base = [
    { label: t('app.name'), href: '/' },
    { label: t('helpdesk.pages.crumb.backoffice'), href: '/backoffice/' },
  ];
  return (
    <Layout title={title} viewer={viewerOf(request)} breadcrumbs={[...base, ...crumbs]}>
      {children}
    </Layout>
  );
}

export const deskCrumb: Crumb = { label: t('helpdesk.pages.crumb.desk'), href: deskPath };
export const enteCrumbs = (ente: Ente): Crumb[] => [
  { label: ente.name, href: `/backoffice/enti/${ente.slug}` },
  { label: t('helpdesk.pages.crumb.ente'), href: entePath(ente.slug) },
];

export function ErrorAlert({ children, id = 'errore' }: { children: ComponentChildren; id?: string }) {
  return (
    <div class="alert alert-danger" role="alert" id={id}>
      <p class="fw-bold mb-1">{t('helpdesk.pages.error.title')}</p>
      <div class="mb-0">{children}</div>
    </div>
  );
}

/** The success message of `?esito=` (only known codes are shown). */
export function Outcome({ esito, vars = {} }: { esito: string | undefined; vars?: Record<string, string | number> }) {
  if (!esito || !/^[a-z-]{1,40}$/.test(esito)) return null;
  let text: string;
  try {
    text = t(`helpdesk.pages.esito.${esito}`, vars);
  } catch {
    return null;
  }
  if (text.startsWith('helpdesk.pages.')) return null;
  return (
    <div class="alert alert-success" role="status">
      {text}
    </div>
  );
}

// -------------------------------------------------------------------------------------------- badges

const priorityClass: Record<Priority, string> = { P1: 'bg-danger', P2: 'bg-warning text-dark', P3: 'bg-info text-dark', P4: 'bg-secondary' };
export const PriorityBadge = ({ priority }: { priority: Priority }) => <span class={`badge ${priorityClass[priority]}`}>{t(`helpdesk.pages.priority.${priority}`)}</span>;

export const stateText = (state: TicketState) => t(`helpdesk.pages.state.${state}`);
const stateClass: Record<TicketState, string> = {
  new: 'bg-primary',
  assigned: 'bg-info text-dark',
  in_progress: 'bg-info text-dark',
  waiting_ente: 'bg-secondary',
  solved: 'bg-success',
  closed: 'bg-dark',
  reopened: 'bg-warning text-dark',
};
export const StateBadge = ({ state }: { state: TicketState }) => <span class={`badge ${stateClass[state]}`}>{stateText(state)}</span>;

const slaClass = { ok: 'bg-success', warning: 'bg-warning text-dark', breached: 'bg-danger', paused: 'bg-secondary' } as const;
/** The SLA state as words in a coloured badge (never colour alone). */
export const SlaBadge = ({ state }: { state: keyof typeof slaClass }) => <span class={`badge ${slaClass[state]}`}>{t(`helpdesk.pages.sla.${state}`)}</span>;

// --------------------------------------------------------------------------------------- dates, times

export { formatDateTime };

/** Working minutes as '3 h 05 min' / '40 min'. */
export function durationText(minutes: number): string {
  const total = Math.floor(Math.abs(minutes));
  const h = Math.floor(total / 60);
  const m = total % 60;
  return h > 0 ? t('helpdesk.pages.duration.hm', { h, m: String(m).padStart(2, '0') }) : t('helpdesk.pages.duration.m', { m });
}

export const remainingText = (s: SlaStatus) =>
  s.remainingMinutes >= 0 ? t('helpdesk.pages.sla.remaining', { time: durationText(s.remainingMinutes) }) : t('helpdesk.pages.sla.overdue', { time: durationText(s.remainingMinutes) });

// ----------------------------------------------------------------------------------------- pagination

export function Pagination({ total, pageSize, page, href }: { total: number; pageSize: number; page: number; href: (page: number) => string }) {
  const pages = Math.max(1, Math.ceil(total / pageSize));
  if (pages <= 1) return null;
  const current = Math.min(page, pages);
  const shown = [...new Set([1, current - 1, current, current + 1, pages])].filter((p) => p >= 1 && p <= pages).sort((a, b) => a - b);
  return (
    <nav class="pagination-wrapper" aria-label={t('helpdesk.pages.pagination')}>
      <ul class="pagination">
        {current > 1 ? (
          <li class="page-item">
            <a class="page-link" href={href(current - 1)}>
              {t('helpdesk.pages.previous')}
            </a>
          </li>
        ) : null}
        {shown.map((p) => (
          <li class={`page-item${p === current ? ' active' : ''}`}>
            <a class="page-link" href={href(p)} aria-current={p === current ? 'page' : undefined}>
              <span class="visually-hidden">{t('helpdesk.pages.page')} </span>
              {p}
            </a>
          </li>
        ))}
        {current < pages ? (
          <li class="page-item">
            <a class="page-link" href={href(current + 1)}>
              {t('helpdesk.pages.next')}
            </a>
          </li>
        ) : null}
      </ul>
    </nav>
  );
}

export const pageNumber = (value: string | undefined) => (value && /^\d{1,5}$/.test(value) ? Math.max(1, Number(value)) : 1);

export function queryString(params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '' && !(k === 'pagina' && v === 1)) q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

// ------------------------------------------------------------------------------------- form feedback

/** Field name → Italian message, shown next to the field and in the summary at the top of the form. */
export type FieldErrors = Record<string, string>;

/** The list of errors with links to the fields, announced when the page comes back. */
export function ErrorSummary({ errors, ids, general }: { errors: FieldErrors; ids: Record<string, string>; general?: string | undefined }) {
  // In the order of the fields on the page, so the list reads like the form.
  const order = Object.keys(ids);
  const rank = (field: string) => (order.includes(field) ? order.indexOf(field) : order.length);
  const entries = Object.entries(errors).sort(([a], [b]) => rank(a) - rank(b));
  if (entries.length === 0 && !general) return null;
  return (
    <ErrorAlert>
      {general ? <p class="mb-1">{general}</p> : null}
      {entries.length > 0 ? (
        <>
          <p class="mb-1">{t('helpdesk.pages.error.summary')}</p>
          <ul class="mb-0">
            {entries.map(([field, message]) => (
              <li>{ids[field] ? <a href={`#${ids[field]}`}>{message}</a> : message}</li>
            ))}
          </ul>
        </>
      ) : null}
    </ErrorAlert>
  );
}

export const FieldError = ({ id, message }: { id: string; message: string | undefined }) =>
  message ? (
    <div id={id} class="invalid-feedback d-block">
      {message}
    </div>
  ) : null;

/** aria-describedby of a field: its help text and, when present, its error. */
export const describedBy = (...ids: (string | false | undefined)[]) => ids.filter(Boolean).join(' ') || undefined;
