// Pieces shared by the back-office pages of payments: the staff guard, the layout with its breadcrumbs, alerts,
// form fields with their Italian error next to them, status badges and money.
import type { ComponentChildren } from 'preact';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { requirePermission, type StaffPrincipal } from '../../../platform/auth/index.js';
import { HttpProblem } from '../../../platform/http/problem.js';
import type { Platform } from '../../../platform/platform.js';
import { type Ente } from '../../../platform/tenancy/index.js';
import { formatDateTime, t } from '../../../platform/views/i18n/index.js';
import { Layout } from '../../../platform/views/layout.js';
import { viewerOf } from '../../../platform/views/viewer.js';
import { formatCents } from '../amounts.js';
import type { PositionStatus } from '../store.js';
import './messages.js';
import { enteOfSlug, sendPage, staffOrLogin } from '../../../platform/views/page.js';
import { formFieldsOf } from '../../../platform/http/multipart.js';
export { sendPage, staffOrLogin };

export const paymentsPath = (slug: string) => `/backoffice/enti/${slug}/pagamenti`;
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** "1.234,56 €" */
export const euro = (cents: number) => `${formatCents(cents)} €`;

export const findEnte = (platform: Platform, slug: string): Promise<Ente> => enteOfSlug(platform, slug, t('payments.bo.enteNotFound'));

export interface Guarded {
  staff: StaffPrincipal;
  ente: Ente;
}

/** Staff with `permission` on the ente of `slug`; anonymous visitors go to the login page (null: reply sent). */
export async function guard(request: FastifyRequest, reply: FastifyReply, platform: Platform, slug: string, permission: 'payments.read' | 'payments.manage'): Promise<Guarded | null> {
  const staff = staffOrLogin(request, reply);
  if (!staff) return null;
  const ente = await findEnte(platform, slug);
  await requirePermission(request, platform.db.app, ente.id, permission);
  return { staff, ente };
}

/** A refusal to show next to the form (4xx of the service), not as an error page. */
export const isFormProblem = (err: unknown): err is HttpProblem => err instanceof HttpProblem && err.status >= 400 && err.status < 500 && err.status !== 401 && err.status !== 403;

export function PaymentsLayout({ request, ente, title, crumbs = [], children }: { request: FastifyRequest; ente: Ente; title: string; crumbs?: { label: string; href?: string }[]; children: ComponentChildren }) {
  const trail = [
    { label: t('app.name'), href: '/' },
    { label: t('payments.bo.crumb.backoffice'), href: '/backoffice/' },
    { label: ente.name, href: `/backoffice/enti/${ente.slug}` },
    { label: t('payments.bo.crumb.payments'), href: paymentsPath(ente.slug) },
  ];
  return (
    <Layout title={title} viewer={viewerOf(request)} breadcrumbs={[...trail, ...crumbs]}>
      {children}
    </Layout>
  );
}

export function ErrorAlert({ children }: { children: ComponentChildren }) {
  return (
    <div class="alert alert-danger" role="alert" id="errore">
      <p class="fw-bold mb-1">{t('payments.bo.error.title')}</p>
      <p class="mb-0">{children}</p>
    </div>
  );
}

/** The success message of `?esito=` (only known codes). */
export function Outcome({ esito }: { esito: string | undefined }) {
  const known = ['salvata', 'servizio-aggiunto', 'servizio-salvato', 'servizio-disattivato', 'servizio-attivato', 'creata', 'esistente', 'pubblicata', 'annullata'];
  if (!esito || !known.includes(esito)) return null;
  return (
    <div class="alert alert-success" role="status">
      {t(`payments.bo.esito.${esito}`)}
    </div>
  );
}

export type FieldErrors = Record<string, string>;

/** A labelled input with its help and its error (aria-invalid, aria-describedby). */
export function Field(props: { id: string; name: string; label: string; value?: string | undefined; error?: string | undefined; help?: string; type?: string; required?: boolean; maxLength?: number; inputMode?: string; autocomplete?: string; class?: string }) {
  const described = [props.help ? `${props.id}-aiuto` : '', props.error ? `${props.id}-errore` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div class={`mb-3 ${props.class ?? ''}`}>
      <label for={props.id} class="form-label">
        {props.label}
        {props.required ? <span class="visually-hidden"> {t('payments.bo.required')}</span> : null}
      </label>
      <input
        id={props.id}
        name={props.name}
        type={(props.type ?? 'text') as 'text'}
        value={props.value ?? ''}
        class={`form-control${props.error ? ' is-invalid' : ''}`}
        required={props.required}
        maxLength={props.maxLength}
        inputMode={props.inputMode as 'numeric' | undefined}
        autocomplete={props.autocomplete ?? 'off'}
        aria-invalid={props.error ? 'true' : undefined}
        aria-describedby={described}
      />
      {props.help ? (
        <div id={`${props.id}-aiuto`} class="form-text">
          {props.help}
        </div>
      ) : null}
      {props.error ? (
        <div id={`${props.id}-errore`} class="invalid-feedback d-block">
          {props.error}
        </div>
      ) : null}
    </div>
  );
}

/** The error summary on top of a form, linking to each field. */
export function ErrorSummary({ errors, prefix }: { errors: FieldErrors; prefix: string }) {
  const entries = Object.entries(errors);
  if (entries.length === 0) return null;
  return (
    <div class="alert alert-danger" role="alert" id="errore">
      <p class="fw-bold mb-1">{t('payments.bo.error.fields')}</p>
      <ul class="mb-0">
        {entries.map(([field, message]) => (
          <li>
            <a href={`#${prefix}-${field}`}>{message}</a>
          </li>
        ))}
      </ul>
    </div>
  );
}

const badges: Record<PositionStatus, string> = {
  draft: 'bg-secondary',
  valid: 'bg-primary',
  partially_paid: 'bg-info text-dark',
  paid: 'bg-success',
  expired: 'bg-warning text-dark',
  cancelled: 'bg-dark',
};

export const statusText = (s: PositionStatus) => t(`payments.bo.status.${s}`);

export function StatusBadge({ status }: { status: PositionStatus }) {
  return <span class={`badge ${badges[status]}`}>{statusText(status)}</span>;
}

/** Form fields as trimmed strings (kernel helper, re-exported for this module's pages). */
export const fieldsOf = formFieldsOf;

export { formatDateTime };

/** 'YYYY-MM' → 'gen 2026'. */
export function monthLabel(month: string): string {
  const names = t('payments.bo.months').split(',');
  return `${names[Number(month.slice(5, 7)) - 1] ?? month.slice(5, 7)} ${month.slice(0, 4)}`;
}
