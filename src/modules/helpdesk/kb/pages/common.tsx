// What the guide's pages share: sending a page, the login redirect, the layouts of the desk side and of an ente's
// side, reading urlencoded form fields, and the ?esito= success messages.
import type { ComponentChildren } from 'preact';
import type { FastifyRequest } from 'fastify';
import { HttpProblem } from '../../../../platform/http/problem.js';
import type { Platform } from '../../../../platform/platform.js';
import { type Ente } from '../../../../platform/tenancy/index.js';
import { t } from '../../../../platform/views/i18n/index.js';
import { Layout } from '../../../../platform/views/layout.js';
import { viewerOf } from '../../../../platform/views/viewer.js';
import { Alert } from '../components.js';
import { deskGuidePath, enteGuidePath } from '../paths.js';
import '../messages.js';
import { enteOfSlug, sendPage, staffOrLogin } from '../../../../platform/views/page.js';
export { sendPage, staffOrLogin };

export const findEnte = (platform: Platform, slug: string): Promise<Ente> => enteOfSlug(platform, slug, t('kb.error.enteNotFound'));

type Crumb = { label: string; href?: string };

/** Layout of the desk's editor pages. */
export function DeskLayout({ request, title, crumbs = [], children }: { request: FastifyRequest; title: string; crumbs?: Crumb[]; children: ComponentChildren }) {
  const base: Crumb[] = [
    { label: t('app.name'), href: '/' },
    { label: t('kb.crumb.backoffice'), href: '/backoffice/' },
    { label: t('kb.crumb.deskGuide'), href: deskGuidePath },
  ];
  return (
    <Layout title={title} viewer={viewerOf(request)} breadcrumbs={[...base, ...crumbs, { label: title }]}>
      {children}
    </Layout>
  );
}

/** Layout of the guide as an ente's staff read it. */
export function EnteLayout({ request, ente, title, crumbs = [], children }: { request: FastifyRequest; ente: Ente; title: string; crumbs?: Crumb[]; children: ComponentChildren }) {
  const base: Crumb[] = [
    { label: t('app.name'), href: '/' },
    { label: t('kb.crumb.backoffice'), href: '/backoffice/' },
    { label: ente.name, href: `/backoffice/enti/${ente.slug}` },
    { label: t('kb.crumb.guide'), href: enteGuidePath(ente.slug) },
  ];
  return (
    <Layout title={title} viewer={viewerOf(request)} breadcrumbs={[...base, ...crumbs, { label: title }]}>
      {children}
    </Layout>
  );
}

/** Urlencoded form fields: single values trimmed; `lists` names the fields that may repeat (multiple select). */
export function formFields(body: unknown): { one: (name: string) => string; many: (name: string) => string[] } {
  const fields = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const values = (name: string): string[] => {
    const raw = fields[name];
    return (Array.isArray(raw) ? raw : [raw]).filter((v): v is string => typeof v === 'string');
  };
  return { one: (name) => (values(name)[0] ?? '').trim(), many: (name) => values(name).map((v) => v.trim()).filter(Boolean) };
}

/** A refusal to show next to the form (4xx of the service other than 401/403), not as an error page. */
export const isFormProblem = (err: unknown): err is HttpProblem => err instanceof HttpProblem && err.status >= 400 && err.status < 500 && err.status !== 401 && err.status !== 403;

/** The success message of `?esito=` (known codes only). */
export function Outcome({ esito }: { esito: string | undefined }) {
  const known = ['creato', 'salvato', 'invariato', 'voto', 'collegato', 'gia-collegato', 'scollegato'];
  if (!esito || !known.includes(esito)) return null;
  return <Alert kind="success">{t(`kb.esito.${esito}`)}</Alert>;
}

/** A same-site back-office path to come back to (anything else falls back to `fallback`). */
export function safeReturn(value: string | undefined, fallback: string): string {
  return value && /^\/backoffice\/[A-Za-z0-9\-._~/?=&%]*$/.test(value) && !value.startsWith('//') ? value : fallback;
}
