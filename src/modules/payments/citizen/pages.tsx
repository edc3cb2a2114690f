// Pages of the citizen area: the ente's payments page (catalogue, SPID/CIE login, "I miei pagamenti" across the
// network) and one position, with the addresses of the area (the spontaneous payment form is in form.tsx).
// Plain server-rendered HTML: every action is a link or a form post, nothing needs JavaScript.
import type { ComponentChildren } from 'preact';
import { italianDate } from '../../../platform/calendar/index.js';
import { t } from '../../../platform/views/i18n/index.js';
import { Layout, type Viewer } from '../../../platform/views/layout.js';
import type { Ente } from '../../../platform/tenancy/index.js';
import { formatCents } from '../amounts.js';
import { groupedNoticeNumber } from '../iuv.js';
import type { PositionStatus } from '../service.js';
import type { CitizenOption, CitizenPosition, EnteGroup } from './service.js';
import type { CatalogueItem } from './store.js';
import './messages.js';

export const paymentsPath = (slug: string) => `/${slug}/pagamenti`;
export const positionPath = (slug: string, id: string) => `/${slug}/pagamenti/posizioni/${id}`;
export const newPaymentPath = (slug: string, code: string) => `/${slug}/pagamenti/nuovo?servizio=${encodeURIComponent(code)}`;
/** Served by payments/notices for the debtor citizen. */
export const noticePdfPath = (slug: string, id: string) => `/${slug}/pagamenti/posizioni/${id}/avviso.pdf`;
/** Served by payments/node (the receipt of a paid option). */
export const receiptPdfPath = (slug: string, receiptId: string) => `/${slug}/pagamenti/ricevute/${receiptId}.pdf`;
export const loginPath = (next: string) => `/auth/citizen/login?next=${encodeURIComponent(next)}`;

export const euro = (cents: number) => t('payments.citizen.amount', { amount: formatCents(cents) });

const statusClass: Record<PositionStatus, string> = {
  valid: 'bg-warning text-dark',
  partially_paid: 'bg-primary',
  paid: 'bg-success',
  expired: 'bg-danger',
  cancelled: 'bg-secondary',
  draft: 'bg-secondary',
};

function StatusBadge({ status }: { status: PositionStatus }) {
  return <span class={`badge ${statusClass[status]}`}>{t(`payments.citizen.status.${status}`)}</span>;
}

/** Checkout addresses per option id (computed by the route: building them may be asynchronous). */
export type PayLinks = Map<string, string>;

export function PortalLayout({ ente, viewer, title, crumbs, children }: { ente: Ente; viewer: Viewer | null; title: string; crumbs: { label: string; href?: string }[]; children: ComponentChildren }) {
  return (
    <Layout
      title={title}
      viewer={viewer}
      brand={{ name: ente.name, subtitle: t(`kind.${ente.kind}`), href: `/${ente.slug}/` }}
      breadcrumbs={[{ label: t('app.name'), href: '/' }, { label: ente.name, href: `/${ente.slug}/` }, ...crumbs]}
    >
      {children}
    </Layout>
  );
}

const wayOf = (o: CitizenOption, instalments: number) =>
  o.instalment === null ? t('payments.citizen.option.single') : t('payments.citizen.option.instalment', { n: o.instalment, of: instalments });

function optionState(p: CitizenPosition, o: CitizenOption): string {
  if (o.status === 'paid') return o.paidAt ? t('payments.citizen.option.paid', { date: italianDate(o.paidAt.toISOString().slice(0, 10)) }) : t('payments.citizen.option.paidNoDate');
  if (p.status === 'cancelled') return t('payments.citizen.option.cancelled');
  if (o.superseded) return t('payments.citizen.option.superseded');
  return o.payable ? t('payments.citizen.option.payable') : t('payments.citizen.option.expired');
}

function OptionsTable({ position: p, pay }: { position: CitizenPosition; pay: PayLinks }) {
  const anyOffered = p.options.some((o) => o.offered);
  const unavailable = anyOffered && p.options.some((o) => o.offered && !pay.has(o.id));
  return (
    <>
      <div class="table-responsive">
        <table class="table table-sm align-middle mb-2">
          <caption class="visually-hidden">{t('payments.citizen.position.optionsCaption', { reason: p.reason })}</caption>
          <thead>
            <tr>
              <th scope="col">{t('payments.citizen.option.way')}</th>
              <th scope="col" class="text-end">{t('payments.citizen.option.amount')}</th>
              <th scope="col">{t('payments.citizen.option.due')}</th>
              <th scope="col">{t('payments.citizen.option.code')}</th>
              <th scope="col">{t('payments.citizen.option.status')}</th>
              <th scope="col">{t('payments.citizen.option.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {p.options.map((o) => {
              const way = wayOf(o, p.instalments);
              const href = o.offered ? pay.get(o.id) : undefined;
              return (
                <tr data-option={o.instalment ?? 'unica'}>
                  <th scope="row">{way}</th>
                  <td class="text-end text-nowrap">{euro(o.amountCents)}</td>
                  <td class="text-nowrap">{italianDate(o.dueDate)}</td>
                  <td class="text-nowrap">{groupedNoticeNumber(o.noticeNumber)}</td>
                  <td>{optionState(p, o)}</td>
                  <td>
                    {href ? (
                      <a class="btn btn-primary btn-xs py-1 px-3" href={href}>
                        {t('payments.citizen.option.pay')}
                        <span class="visually-hidden"> {t('payments.citizen.option.payWhat', { way, reason: p.reason, amount: formatCents(o.amountCents) })}</span>
                      </a>
                    ) : null}
                    {o.receiptIds.map((id) => (
                      <a href={receiptPdfPath(p.ente.slug, id)} class="d-inline-block" aria-label={t('payments.citizen.option.receiptOf', { way, reason: p.reason })}>
                        {t('payments.citizen.option.receipt')}
                      </a>
                    ))}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {unavailable ? <p class="small">{t('payments.citizen.option.payUnavailable')}</p> : null}
    </>
  );
}

/** The notice is useful while something can still be paid with it. */
const hasNotice = (p: CitizenPosition) => p.status === 'valid' || p.status === 'partially_paid' || p.status === 'expired';

function PositionCard({ position: p, pay, headingLevel }: { position: CitizenPosition; pay: PayLinks; headingLevel: 'h3' | 'h4' }) {
  const Heading = headingLevel;
  const id = `posizione-${p.id}`;
  return (
    <article class="card card-bg border mb-3" aria-labelledby={id} data-position={p.id}>
      <div class="card-body">
        <Heading id={id} class="card-title h5 d-flex flex-wrap align-items-center gap-2">
          <span>{p.reason}</span> <StatusBadge status={p.status} />
        </Heading>
        <dl class="row small mb-2">
          <dt class="col-sm-3">{t('payments.citizen.position.total')}</dt>
          <dd class="col-sm-9">{euro(p.amountCents)}</dd>
          <dt class="col-sm-3">{t('payments.citizen.position.created')}</dt>
          <dd class="col-sm-9">{italianDate(p.createdAt.toISOString().slice(0, 10))}</dd>
        </dl>
        <OptionsTable position={p} pay={pay} />
        <ul class="list-inline mb-0">
          {hasNotice(p) ? (
            <li class="list-inline-item me-3">
              <a href={noticePdfPath(p.ente.slug, p.id)} aria-label={t('payments.citizen.position.noticeOf', { reason: p.reason })}>
                {t('payments.citizen.position.notice')}
              </a>
            </li>
          ) : null}
          {headingLevel === 'h4' ? (
            <li class="list-inline-item">
              <a href={positionPath(p.ente.slug, p.id)} aria-label={t('payments.citizen.position.detailsOf', { reason: p.reason })}>
                {t('payments.citizen.position.details')}
              </a>
            </li>
          ) : null}
        </ul>
      </div>
    </article>
  );
}

export interface Outcome {
  kind: 'paid' | 'pending' | 'failed' | 'created';
  noticeNumber?: string;
}

function OutcomeAlert({ outcome }: { outcome: Outcome | null }) {
  if (!outcome) return null;
  const code = outcome.noticeNumber ? groupedNoticeNumber(outcome.noticeNumber) : '';
  const text =
    outcome.kind === 'created' ? t('payments.citizen.position.created.ok') : t(`payments.citizen.outcome.${outcome.kind}`, { code });
  return (
    <div class={`alert ${outcome.kind === 'failed' ? 'alert-danger' : outcome.kind === 'pending' ? 'alert-warning' : 'alert-success'}`} role="status" id="esito">
      {text}
    </div>
  );
}

function Catalogue({ ente, configured, services, signedIn }: { ente: Ente; configured: boolean; services: CatalogueItem[]; signedIn: boolean }) {
  return (
    <section aria-labelledby="catalogo" class="mb-5">
      <h2 id="catalogo">{t('payments.citizen.catalogue', { name: ente.name })}</h2>
      {!configured || services.length === 0 ? (
        <p>{t('payments.citizen.catalogue.none')}</p>
      ) : (
        <ul class="list-unstyled">
          {services.map((s) => (
            <li class="py-2 border-bottom" data-service={s.code}>
              <p class="fw-semibold mb-1">{s.name}</p>
              <p class="mb-1 small">
                {s.spontaneous ? t('payments.citizen.catalogue.spontaneous') : t('payments.citizen.catalogue.notice')}
                {s.fixed_amount_cents ? <> {t('payments.citizen.catalogue.fixed', { amount: formatCents(Number(s.fixed_amount_cents)) })}</> : null}
              </p>
              {s.spontaneous ? (
                <a
                  class="btn btn-outline-primary btn-sm"
                  href={signedIn ? newPaymentPath(ente.slug, s.code) : loginPath(newPaymentPath(ente.slug, s.code))}
                  aria-label={t('payments.citizen.catalogue.payNamed', { name: s.name })}
                >
                  {t('payments.citizen.catalogue.pay')}
                </a>
              ) : null}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

export interface PaymentsPageData {
  ente: Ente;
  viewer: Viewer | null;
  configured: boolean;
  services: CatalogueItem[];
  /** The citizen's name and code, and their positions; null when nobody (or staff) is signed in. */
  mine: { name: string; fiscalCode: string; groups: EnteGroup[] } | null;
  staff: boolean;
  pay: PayLinks;
  outcome: Outcome | null;
}

export function PaymentsPage({ ente, viewer, configured, services, mine, staff, pay, outcome }: PaymentsPageData) {
  const title = t('payments.citizen.title');
  return (
    <PortalLayout ente={ente} viewer={viewer} title={`${title} · ${ente.name}`} crumbs={[{ label: title }]}>
      <h1>{t('payments.citizen.heading', { name: ente.name })}</h1>
      <p class="lead">{t('payments.citizen.intro', { name: ente.name })}</p>
      <OutcomeAlert outcome={outcome} />
      <section aria-labelledby="miei" class="mb-5">
        <h2 id="miei">{t('payments.citizen.mine')}</h2>
        {mine ? (
          <>
            <p>{t('payments.citizen.mine.for', { name: mine.name, fiscalCode: mine.fiscalCode })}</p>
            {mine.groups.length === 0 ? <p>{t('payments.citizen.mine.none')}</p> : null}
            {mine.groups.length > 1 ? (
              <nav aria-label={t('payments.citizen.mine.enti')} class="mb-3">
                <ul class="list-inline">
                  {mine.groups.map((g) => (
                    <li class="list-inline-item">
                      <a href={`#ente-${g.ente.slug}`}>{g.ente.name}</a>
                    </li>
                  ))}
                </ul>
              </nav>
            ) : null}
            {mine.groups.map((g) => (
              <section aria-labelledby={`ente-${g.ente.slug}`} class="mb-4" data-ente={g.ente.slug}>
                <h3 id={`ente-${g.ente.slug}`} class="h4">
                  {g.ente.name}
                </h3>
                {g.positions.map((p) => (
                  <PositionCard position={p} pay={pay} headingLevel="h4" />
                ))}
              </section>
            ))}
          </>
        ) : staff ? (
          <p>{t('payments.citizen.staffNote')}</p>
        ) : (
          <>
            <p>{t('payments.citizen.login.text')}</p>
            <a class="btn btn-primary" href={loginPath(paymentsPath(ente.slug))} id="accedi">
              {t('payments.citizen.login.button')}
            </a>
          </>
        )}
      </section>
      <Catalogue ente={ente} configured={configured} services={services} signedIn={Boolean(mine)} />
    </PortalLayout>
  );
}

export function PositionPage({ ente, viewer, position, pay, outcome }: { ente: Ente; viewer: Viewer | null; position: CitizenPosition; pay: PayLinks; outcome: Outcome | null }) {
  const title = t('payments.citizen.position.heading');
  return (
    <PortalLayout ente={ente} viewer={viewer} title={`${title} · ${position.reason}`} crumbs={[{ label: t('payments.citizen.title'), href: paymentsPath(ente.slug) }, { label: title }]}>
      <h1>{title}</h1>
      <p>
        {t('payments.citizen.position.debtor')}: {position.debtor.name} ({position.debtor.fiscalCode})
      </p>
      <OutcomeAlert outcome={outcome} />
      <PositionCard position={position} pay={pay} headingLevel="h3" />
      <p>
        <a href={paymentsPath(ente.slug)}>{t('payments.citizen.position.back')}</a>
      </p>
    </PortalLayout>
  );
}
