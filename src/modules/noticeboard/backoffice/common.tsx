// Pieces shared by the back-office pages of the albo: the staff guard, the layout with its breadcrumbs, the
// state badges of an act, alerts, form and multipart helpers, dates in Rome time.
import type { ComponentChildren } from 'preact';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { can, requirePermission, type StaffPrincipal } from '../../../platform/auth/index.js';
import { isIsoDate } from '../../../platform/calendar/index.js';
import { HttpProblem, unprocessable } from '../../../platform/http/problem.js';
import type { Platform } from '../../../platform/platform.js';
import { formatDate, formatDateTime, t } from '../../../platform/views/i18n/index.js';
import { Layout } from '../../../platform/views/layout.js';
import { viewerOf } from '../../../platform/views/viewer.js';
import { type Ente } from '../../../platform/tenancy/index.js';
import type { NoticeView, UploadedFile } from '../service.js';
import '../messages-backoffice.js';
import { enteOfSlug, sendPage, staffOrLogin } from '../../../platform/views/page.js';
import { formFieldsOf, multipartPartsOf, type MultipartFilePart } from '../../../platform/http/multipart.js';

/** Form fields as trimmed strings (kernel helper, re-exported for the albo's pages). */
export const fieldsOf = formFieldsOf;
export { sendPage, staffOrLogin };

export const alboPath = (slug: string) => `/backoffice/enti/${slug}/albo`;

export const findEnte = (platform: Platform, slug: string): Promise<Ente> => enteOfSlug(platform, slug, t('noticeboard.bo.enteNotFound'));

export interface Guarded {
  staff: StaffPrincipal;
  ente: Ente;
}

/**
 * Staff with `permission` on the ente of `slug`: anonymous visitors go to the login page (null returned, the
 * reply is sent), others without the permission get 403 (audited by requirePermission).
 */
export async function guard(request: FastifyRequest, reply: FastifyReply, platform: Platform, slug: string, permission: string): Promise<Guarded | null> {
  const staff = staffOrLogin(request, reply);
  if (!staff) return null;
  const ente = await findEnte(platform, slug);
  await requirePermission(request, platform.db.app, ente.id, permission);
  return { staff, ente };
}

export const canPublish = (g: Guarded) => can(g.staff, g.ente.id, 'noticeboard.publish');

/** A refusal the page should show next to the form (4xx from the service), not as an error page. */
export function isFormProblem(err: unknown): err is HttpProblem {
  return err instanceof HttpProblem && err.status >= 400 && err.status < 500 && err.status !== 401 && err.status !== 403;
}

export const problemMessage = (err: HttpProblem) => err.detail ?? err.title;

export function AlboLayout({ request, ente, title, crumbs = [], children }: { request: FastifyRequest; ente: Ente; title: string; crumbs?: { label: string; href?: string }[]; children: ComponentChildren }) {
  const base = [
    { label: t('app.name'), href: '/' },
    { label: t('noticeboard.bo.crumb.backoffice'), href: '/backoffice/' },
    { label: ente.name, href: `/backoffice/enti/${ente.slug}` },
    { label: t('noticeboard.bo.crumb.albo'), href: alboPath(ente.slug) },
  ];
  return (
    <Layout title={title} viewer={viewerOf(request)} breadcrumbs={[...base, ...crumbs]}>
      {children}
    </Layout>
  );
}

export function SuccessAlert({ children }: { children: ComponentChildren }) {
  return (
    <div class="alert alert-success" role="status">
      {children}
    </div>
  );
}

export function ErrorAlert({ title, children, id = 'errore' }: { title?: string; children: ComponentChildren; id?: string }) {
  return (
    <div class="alert alert-danger" role="alert" id={id}>
      <p class="fw-bold mb-1">{title ?? t('noticeboard.bo.error.title')}</p>
      <p class="mb-0">{children}</p>
    </div>
  );
}

/** The success message of `?esito=` (only known codes are shown). */
export function Outcome({ esito, vars = {} }: { esito: string | undefined; vars?: Record<string, string | number> }) {
  if (!esito || !/^[a-z-]{1,40}$/.test(esito)) return null;
  const key = `noticeboard.bo.esito.${esito}`;
  let text: string;
  try {
    text = t(key, vars);
  } catch {
    return null;
  }
  if (text === key) return null;
  return <SuccessAlert>{text}</SuccessAlert>;
}

// ------------------------------------------------------------------------------------------ state of an act

/** Main state and the marks an act may carry on top of it (annulled, corrected). */
export function stateLabels(view: Pick<NoticeView, 'state' | 'annulment' | 'correctedBy'>): { key: string; badge: string }[] {
  const labels = [{ key: `noticeboard.bo.state.${view.state}`, badge: { draft: 'bg-secondary', scheduled: 'bg-info text-dark', online: 'bg-success', expired: 'bg-dark' }[view.state] }];
  if (view.annulment) labels.push({ key: 'noticeboard.bo.state.annulled', badge: 'bg-danger' });
  if (view.correctedBy.length > 0) labels.push({ key: 'noticeboard.bo.state.corrected', badge: 'bg-warning text-dark' });
  return labels;
}

export function StateBadges({ view }: { view: Pick<NoticeView, 'state' | 'annulment' | 'correctedBy'> }) {
  return (
    <span class="d-inline-flex flex-wrap gap-1">
      {stateLabels(view).map((l) => (
        <span class={`badge ${l.badge}`}>{t(l.key)}</span>
      ))}
    </span>
  );
}

export const stateText = (view: Pick<NoticeView, 'state' | 'annulment' | 'correctedBy'>) => stateLabels(view).map((l) => t(l.key)).join(', ');

/** 'dal 01/03/2026 al 15/03/2026' (+ extension) for published acts; the planned length for drafts. */
export function periodText(view: Pick<NoticeView, 'publishFrom' | 'effectiveTo' | 'extensionDays' | 'days'>): string {
  if (!view.publishFrom || !view.effectiveTo) return t('noticeboard.bo.period.draft', { days: view.days });
  const base = t('noticeboard.bo.period.range', { from: formatDate(view.publishFrom), to: formatDate(view.effectiveTo) });
  if (view.extensionDays === 0) return base;
  return `${base} ${t(view.extensionDays === 1 ? 'noticeboard.bo.period.extended.one' : 'noticeboard.bo.period.extended', { days: view.extensionDays })}`;
}

// ------------------------------------------------------------------------------------------------ dates

export { formatDateTime };

const romeParts = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Europe/Rome',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

/** The wall-clock time in Rome of an instant, as a datetime-local value: 'YYYY-MM-DDTHH:MM'. */
export function romeLocalOf(instant: Date): string {
  const p = Object.fromEntries(romeParts.formatToParts(instant).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}`;
}

export class LocalTimeError extends Error {}

/**
 * The instant of a wall-clock time in Rome ('2026-03-29T10:15', as a datetime-local field sends it). Italy is
 * UTC+1 in winter, UTC+2 in summer: the offset is the one that gives back the same wall-clock time. In the hour
 * repeated when summer time ends (e.g. 02:30 of the last Sunday of October), the first occurrence (summer time)
 * is taken; a time in the hour skipped when it starts (02:30 of the last Sunday of March) does not exist.
 */
export function romeLocalToDate(value: string): Date {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,3})?)?$/.exec(value);
  if (!m || !isIsoDate(`${m[1]}-${m[2]}-${m[3]}`) || Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6] ?? 0) > 59) {
    throw new LocalTimeError(t('noticeboard.bo.interruption.invalidTime'));
  }
  const asUtc = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0));
  const wanted = `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}`;
  for (const offsetHours of [2, 1]) {
    const candidate = new Date(asUtc - offsetHours * 3_600_000);
    if (romeLocalOf(candidate) === wanted) return candidate;
  }
  throw new LocalTimeError(t('noticeboard.bo.interruption.skippedHour', { time: `${formatDate(wanted.slice(0, 10))} ${wanted.slice(11)}` }));
}

// ------------------------------------------------------------------------------------------- form bodies

/** The files sent in the multipart field `name` (empty file inputs skipped); throws 413 for a file over the limit. */
export function filesOf(body: unknown, name: string, maxBytes: number): UploadedFile[] {
  if (!body || typeof body !== 'object') return [];
  const files = multipartPartsOf((body as Record<string, unknown>)[name]).filter((p): p is MultipartFilePart => p.type === 'file');
  const out: UploadedFile[] = [];
  for (const file of files) {
    if (file.tooLarge) {
      throw new HttpProblem(413, t('noticeboard.bo.upload.tooLargeTitle'), t('noticeboard.bo.upload.tooLarge', { name: file.filename || '?', max: Math.round(maxBytes / 1024 / 1024) }));
    }
    const bytes = file._buf ?? Buffer.alloc(0);
    if (!file.filename && bytes.length === 0) continue;
    out.push({ bytes, originalName: file.filename || 'documento.pdf' });
  }
  return out;
}

export function requireMultipart(request: FastifyRequest): void {
  if (!request.isMultipart()) throw unprocessable(t('noticeboard.bo.upload.notMultipart'));
}

/** 'YYYY-MM-DD' or null; 422 for anything else. */
export function optionalDate(value: string | undefined, message: string): string | null {
  if (!value) return null;
  if (!isIsoDate(value)) throw unprocessable(message);
  return value;
}

/** A whole number of days or null; 422 for anything else. */
export function optionalDays(value: string | undefined): number | null {
  if (!value) return null;
  if (!/^\d{1,3}$/.test(value)) throw unprocessable(t('noticeboard.bo.form.invalidDays'));
  return Number(value);
}

export { contentDisposition } from '../../../platform/http/download.js';

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
