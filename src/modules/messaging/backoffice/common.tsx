// Pieces shared by the messaging back-office pages: paths, the staff guard ('messaging.send' on the ente of the
// URL), the layout with breadcrumbs, alerts, state badges and Rome date-times.
import type { ComponentChildren } from 'preact';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { requirePermission, type StaffPrincipal } from '../../../platform/auth/index.js';
import { HttpProblem } from '../../../platform/http/problem.js';
import type { Platform } from '../../../platform/platform.js';
import type { Ente } from '../../../platform/tenancy/index.js';
import { formatDateTime, t } from '../../../platform/views/i18n/index.js';
import { Layout } from '../../../platform/views/layout.js';
import { enteOfSlug, sendPage, staffOrLogin } from '../../../platform/views/page.js';
import { viewerOf } from '../../../platform/views/viewer.js';
import { SmsPlanError } from '../sms/segments.js';
import { MessagingError } from '../service.js';
import type { MessageState } from '../store.js';
import './messages.js';

export { sendPage, staffOrLogin };

export const PERMISSION = 'messaging.send';
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const messagesPath = (slug: string) => `/backoffice/enti/${slug}/messaggi`;
export const messagePath = (slug: string, id: string) => `${messagesPath(slug)}/${id}`;
export const SMS_COUNTER_SCRIPT = '/assets/messaging/sms-counter.js';

export interface Guarded {
  staff: StaffPrincipal;
  ente: Ente;
}

/** Staff with 'messaging.send' on the ente of `slug`; anonymous visitors go to the login page (null: reply sent). */
export async function guard(request: FastifyRequest, reply: FastifyReply, platform: Platform, slug: string): Promise<Guarded | null> {
  const staff = staffOrLogin(request, reply);
  if (!staff) return null;
  const ente = await enteOfSlug(platform, slug, t('messaging.bo.enteNotFound'));
  await requirePermission(request, platform.db.app, ente.id, PERMISSION);
  return { staff, ente };
}

/** A refusal of the rules (MessagingError, SmsPlanError) as status + Italian text; anything else is rethrown. */
export function refusalOf(err: unknown): { status: number; message: string } {
  if (err instanceof MessagingError) return { status: err.status, message: err.message };
  if (err instanceof SmsPlanError) return { status: 422, message: err.message };
  if (err instanceof HttpProblem && err.status >= 400 && err.status < 500 && err.status !== 401) return { status: err.status, message: err.detail ?? err.title };
  throw err;
}

/** The same refusal as problem+json for the API. */
export function problemOf(err: unknown): HttpProblem {
  if (err instanceof HttpProblem) return err;
  const { status, message } = refusalOf(err);
  const titles: Record<number, string> = { 400: 'Richiesta non valida', 403: 'Accesso negato', 404: 'Non trovato', 409: 'Conflitto', 422: 'Dati non accettabili' };
  return new HttpProblem(status, titles[status] ?? 'Richiesta non valida', message, err instanceof SmsPlanError ? { code: err.code } : {});
}

export function MessagingLayout({ request, ente, title, crumbs = [], head, children }: { request: FastifyRequest; ente: Ente; title: string; crumbs?: { label: string; href?: string }[]; head?: ComponentChildren; children: ComponentChildren }) {
  const trail = [
    { label: t('app.name'), href: '/' },
    { label: t('messaging.bo.crumb.backoffice'), href: '/backoffice/' },
    { label: ente.name, href: `/backoffice/enti/${ente.slug}` },
    { label: t('messaging.bo.crumb.messages'), href: messagesPath(ente.slug) },
  ];
  return (
    <Layout title={title} viewer={viewerOf(request)} breadcrumbs={[...trail, ...crumbs]} head={head}>
      {children}
    </Layout>
  );
}

export function ErrorAlert({ children }: { children: ComponentChildren }) {
  return (
    <div class="alert alert-danger" role="alert" id="errore">
      <p class="fw-bold mb-1">{t('messaging.bo.error.title')}</p>
      <p class="mb-0">{children}</p>
    </div>
  );
}

/** The success message of `?esito=` (only known codes). */
export function Outcome({ esito }: { esito: string | undefined }) {
  if (!esito || !['inviato', 'programmato', 'modello-creato'].includes(esito)) return null;
  return (
    <div class="alert alert-success" role="status">
      {t(`messaging.bo.esito.${esito}`)}
    </div>
  );
}

const badges: Record<MessageState, string> = { draft: 'bg-secondary', queued: 'bg-info text-dark', sending: 'bg-primary', sent: 'bg-success', cancelled: 'bg-dark' };
export const stateText = (s: MessageState) => t(`messaging.bo.state.${s}`);
export function StateBadge({ state }: { state: MessageState }) {
  return <span class={`badge ${badges[state]}`}>{stateText(state)}</span>;
}

export { formatDateTime };
export const euroCents = (cents: number) => new Intl.NumberFormat('it-IT', { style: 'currency', currency: 'EUR', useGrouping: 'always' }).format(cents / 100);
