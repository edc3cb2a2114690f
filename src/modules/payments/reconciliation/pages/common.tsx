// Pieces shared by the reconciliation pages: the guards (an ente's staff, the CST's view), the layout with its
// breadcrumbs and section links, alerts, money, and a table drawn from the same definition as its export.
import type { ComponentChildren } from 'preact';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { requirePermission, type StaffPrincipal } from '../../../../platform/auth/index.js';
import { HttpProblem, notFound } from '../../../../platform/http/problem.js';
import type { Platform } from '../../../../platform/platform.js';
import { getCstEnte, getEnteBySlug, type Ente } from '../../../../platform/tenancy/index.js';
import { formatDate, formatNumber, t } from '../../../../platform/views/i18n/index.js';
import { Layout } from '../../../../platform/views/layout.js';
import type { Cell, ExportColumn, ExportTable } from '../../../../platform/views/table-export.js';
import { viewerOf } from '../../../../platform/views/viewer.js';
import { formatCents } from '../../amounts.js';
import '../messages.js';
import { sendPage, staffOrLogin } from '../../../../platform/views/page.js';
export { sendPage, staffOrLogin };

export const recPath = (slug: string) => `/backoffice/enti/${slug}/pagamenti/riconciliazione`;
export const NETWORK_PATH = '/backoffice/pagamenti/riconciliazione';
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const euro = (cents: number | string) => `${formatCents(Number(cents))} €`;

export async function enteOf(platform: Platform, slug: string): Promise<Ente> {
  const ente = /^[a-z0-9-]{1,100}$/.test(slug) ? await getEnteBySlug(platform.db.app, slug) : undefined;
  if (!ente) throw notFound(t('payments.rec.enteNotFound'));
  return ente;
}

/** Staff with `permission` on the ente (403 audited otherwise); null when the visitor was sent to the login. */
export async function guard(request: FastifyRequest, reply: FastifyReply, platform: Platform, slug: string, permission: 'payments.read' | 'payments.manage') {
  const staff = staffOrLogin(request, reply);
  if (!staff) return null;
  const ente = await enteOf(platform, slug);
  await requirePermission(request, platform.db.app, ente.id, permission);
  return { staff, ente };
}

/** The CST's view across enti: payments.read on the CST ente (the CST admin has it); 403 audited otherwise. */
export async function requireNetworkReader(request: FastifyRequest, platform: Platform): Promise<StaffPrincipal> {
  const cst = await getCstEnte(platform.db.app);
  if (!cst) throw notFound(t('payments.rec.enteNotFound'));
  return requirePermission(request, platform.db.app, cst.id, 'payments.read');
}

export function isFormProblem(err: unknown): err is HttpProblem {
  return err instanceof HttpProblem && err.status >= 400 && err.status < 500 && err.status !== 401 && err.status !== 403;
}

type Section = 'flows' | 'treasury' | 'anomalies' | 'totals';

export function RecLayout({ request, ente, title, current, anomalies, crumbs = [], children }: { request: FastifyRequest; ente: Ente | null; title: string; current?: Section; anomalies?: number; crumbs?: { label: string; href?: string }[]; children: ComponentChildren }) {
  const base = ente ? recPath(ente.slug) : NETWORK_PATH;
  const trail = [
    { label: t('app.name'), href: '/' },
    { label: t('payments.rec.crumb.backoffice'), href: '/backoffice/' },
    ...(ente ? [{ label: ente.name, href: `/backoffice/enti/${ente.slug}` }, { label: t('payments.rec.crumb.payments'), href: `/backoffice/enti/${ente.slug}/pagamenti` }] : []),
    ...(current === 'flows' && crumbs.length === 0 ? [{ label: t('payments.rec.crumb.home') }] : [{ label: t('payments.rec.crumb.home'), href: base }]),
    ...(crumbs.length === 0 && current && current !== 'flows' ? [{ label: t(`payments.rec.nav.${current}Plain`) }] : crumbs),
  ];
  const links: [Section, string, string][] = [
    ['flows', base, t('payments.rec.nav.flowsPlain')],
    ...(ente ? ([['treasury', `${base}/tesoreria`, t('payments.rec.nav.treasuryPlain')]] as [Section, string, string][]) : []),
    ['anomalies', `${base}/anomalie`, anomalies === undefined ? t('payments.rec.nav.anomaliesPlain') : t('payments.rec.nav.anomalies', { n: formatNumber(anomalies) })],
    ['totals', `${base}/totali`, t('payments.rec.nav.totalsPlain')],
  ];
  return (
    <Layout title={title} viewer={viewerOf(request)} breadcrumbs={trail}>
      <h1>{title}</h1>
      <nav aria-label={t('payments.rec.nav')} class="mb-4">
        <ul class="nav nav-tabs">
          {links.map(([key, href, label]) => (
            <li class="nav-item">
              <a class={`nav-link${key === current ? ' active' : ''}`} href={href} aria-current={key === current ? 'page' : undefined}>
                {label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
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

export function ErrorAlert({ children }: { children: ComponentChildren }) {
  return (
    <div class="alert alert-danger" role="alert" id="errore">
      <p class="fw-bold mb-1">{t('payments.rec.error.title')}</p>
      <p class="mb-0">{children}</p>
    </div>
  );
}

/** The success message of `?esito=` (known codes only). */
export function Outcome({ esito }: { esito: string | undefined }) {
  if (esito !== 'imported' && esito !== 'already' && esito !== 'rematched') return null;
  return <SuccessAlert>{t(`payments.rec.esito.${esito}`)}</SuccessAlert>;
}

const italianDecimal = new Intl.NumberFormat('it-IT', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** A cell as a page shows it: euro columns with two decimals, integers grouped, dates dd/mm/yyyy. */
function shown(value: Cell, column: ExportColumn): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'number') return column.header.includes('€') ? italianDecimal.format(value) : formatNumber(value);
  if (column.kind === 'date' && typeof value === 'string') return formatDate(value);
  return String(value);
}

/** An export table drawn as an HTML table (first column as row header), with an optional link per row. */
export function DataTable({
  table,
  caption,
  id,
  linkOf,
  linkColumn = 0,
  rowClass,
  foot,
}: {
  table: ExportTable;
  caption: string;
  id: string;
  linkOf?: (rowIndex: number) => string | undefined;
  linkColumn?: number;
  /** A class for a row (e.g. to mark a line in anomaly; its text says so too). */
  rowClass?: (rowIndex: number) => string | undefined;
  /** A totals row (its first cell is the row header). */
  foot?: Cell[];
}) {
  return (
    <div class="table-responsive">
      <table class="table table-sm align-middle" id={id}>
        <caption>{caption}</caption>
        <thead>
          <tr>
            {table.columns.map((c) => (
              <th scope="col" class={c.kind === 'number' ? 'text-end' : undefined}>
                {c.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {table.rows.map((row, r) => (
            <tr class={rowClass?.(r)}>
              {table.columns.map((c, i) => {
                const text = shown(row[i], c);
                const href = i === linkColumn ? linkOf?.(r) : undefined;
                const content = href ? <a href={href}>{text}</a> : text;
                return i === 0 ? <th scope="row">{content}</th> : <td class={c.kind === 'number' ? 'text-end' : undefined}>{content}</td>;
              })}
            </tr>
          ))}
        </tbody>
        {foot ? (
          <tfoot>
            <tr class="fw-bold">
              {table.columns.map((c, i) => {
                const cell = foot[i];
                const text = cell === undefined || cell === null ? '' : typeof cell === 'string' ? cell : shown(cell, c);
                return i === 0 ? <th scope="row">{text}</th> : <td class={c.kind === 'number' ? 'text-end' : undefined}>{text}</td>;
              })}
            </tr>
          </tfoot>
        ) : null}
      </table>
    </div>
  );
}

export function ExportLinks({ href, qs = '' }: { href: string; qs?: string }) {
  return (
    <p class="small">
      {t('payments.rec.export.label')} <a href={`${href}.csv${qs}`}>{t('payments.rec.export.csv')}</a> · <a href={`${href}.xlsx${qs}`}>{t('payments.rec.export.xlsx')}</a>
    </p>
  );
}
