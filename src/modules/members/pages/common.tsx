// Pieces shared by the members pages: badges, alerts, the staff guard, form helpers and text matching.
import type { ComponentChildren, VNode } from 'preact';
import { isIsoDate as isCalendarDate } from '../../../platform/calendar/index.js';
import type { FastifyReply } from 'fastify';
import { t } from '../../../platform/views/i18n/index.js';
import { renderDocument } from '../../../platform/views/layout.js';
import type { AdhesionStatus } from '../adhesion.js';
import '../messages.js';
import { staffOrLogin } from '../../../platform/views/page.js';
import { formFieldsOf } from '../../../platform/http/multipart.js';
export { staffOrLogin };

export const statusBadgeClass: Record<AdhesionStatus, string> = {
  signed: 'bg-success',
  pending: 'bg-warning',
  excluded: 'bg-danger',
  withdrawn: 'bg-secondary',
  not_adhering: 'bg-dark',
};

/** Status as it appears in URLs (?stato=): Italian words, so the address reads like the page. */
export const statusParam: Record<AdhesionStatus, string> = {
  signed: 'aderente',
  pending: 'in-attesa',
  excluded: 'escluso',
  withdrawn: 'receduto',
  not_adhering: 'non-aderente',
};

export function statusFromParam(value: string | undefined): AdhesionStatus | undefined {
  if (!value) return undefined;
  const entry = Object.entries(statusParam).find(([code, param]) => param === value || code === value);
  return entry?.[0] as AdhesionStatus | undefined;
}

export function StatusBadge({ status }: { status: AdhesionStatus }) {
  return <span class={`badge ${statusBadgeClass[status]}`}>{t(`members.status.${status}`)}</span>;
}

/** Lower-case, without accents: 'Piovà' and 'piova' compare equal. */
export function fold(text: string): string {
  return text.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[’`]/g, "'").trim();
}

export function matchesText(q: string | undefined, ...fields: (string | null | undefined)[]): boolean {
  if (!q) return true;
  const needle = fold(q);
  return fields.some((f) => f && fold(f).includes(needle));
}

/** Up to two initials of the significant words of a name ('Nizza Monferrato' → 'NM', 'Asti' → 'AS'). */
export function initials(name: string): string {
  const skip = new Set(['di', 'del', 'della', 'dei', 'delle', 'e', 'la', 'il', 'lo', 'nel', 'tra', 'in', 'sul', 'd', 'comune', 'provincia', 'unione', 'comunità', 'collinare', 'montana']);
  const words = name.split(/[\s'’-]+/).filter((w) => w && !skip.has(w.toLowerCase()));
  if (words.length === 0) return name.slice(0, 2).toUpperCase();
  if (words.length === 1) return words[0]!.slice(0, 2).toUpperCase();
  return (words[0]![0]! + words[1]![0]!).toUpperCase();
}

/** A placeholder coat of arms: decorative initials (the name is always given in text next to it). */
export function CoatOfArms({ name }: { name: string }) {
  return (
    <span
      aria-hidden="true"
      class="d-inline-flex align-items-center justify-content-center rounded-circle bg-primary text-white fw-bold flex-shrink-0"
      style="width:4.5rem;height:4.5rem;font-size:1.5rem"
    >
      {initials(name)}
    </span>
  );
}

export function SuccessAlert({ children }: { children: ComponentChildren }) {
  return (
    <div class="alert alert-success" role="status">
      {children}
    </div>
  );
}

export function ErrorAlert({ title, children, id }: { title?: string; children: ComponentChildren; id?: string }) {
  return (
    <div class="alert alert-danger" role="alert" id={id}>
      {title ? <p class="fw-bold mb-1">{title}</p> : null}
      <p class="mb-0">{children}</p>
    </div>
  );
}

/** Sends a rendered page. Back-office pages are never cached. */
export function sendPage(reply: FastifyReply, node: VNode, options: { status?: number; private?: boolean } = {}) {
  reply.status(options.status ?? 200).type('text/html; charset=utf-8');
  if (options.private) reply.header('cache-control', 'no-store');
  return reply.send(renderDocument(node));
}

/**
 * The signed-in staff member, or a redirect to the login page (which comes back here after login).
 * Usage: `const staff = staffOrLogin(request, reply); if (!staff) return reply;`
 */

/** A real calendar date 'YYYY-MM-DD' (rejects 2024-02-30). */
export function isIsoDate(value: string | undefined): value is string {
  return value !== undefined && isCalendarDate(value);
}

/** Form fields as trimmed strings (kernel helper, re-exported for this module's pages). */
export const fieldsOf = formFieldsOf;
