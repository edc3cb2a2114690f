// Back-office pages of the network: the dashboard (per role) and the CST's adhesion dashboard with its
// chart, filters and export links.
import type { ComponentChildren } from 'preact';
import type { FastifyRequest } from 'fastify';
import type { StaffPrincipal } from '../../../platform/auth/index.js';
import type { App } from '../../../platform/http/app.js';
import type { Platform } from '../../../platform/platform.js';
import { formatDate, formatNumber, t } from '../../../platform/views/i18n/index.js';
import { Layout } from '../../../platform/views/layout.js';
import { BarChart } from '../../../platform/views/chart.js';
import { getEnteById, type Ente } from '../../../platform/tenancy/index.js';
import { adhesionStatuses, lateAdhesionDeadline, type AdhesionStatus } from '../adhesion.js';
import { countByStatus, networkOn, type NetworkEntry } from '../service.js';
import type { Protocol } from '../store.js';
import { viewerOf } from '../../../platform/views/viewer.js';
import { StatusBadge, sendPage, staffOrLogin, statusParam } from './common.js';
import { FiltersQuery, filterEntries, filterQueryString, parseFilters, requireCst, type AdhesionFilters } from './filters.js';

const bo = { label: t('members.bo.title'), href: '/backoffice/' };
const crumbsHome = { label: t('app.name'), href: '/' };

// ---------- dashboard ----------

function CstDashboard({ entries }: { entries: NetworkEntry[] }) {
  const counts = countByStatus(entries);
  return (
    <>
      <p>{t('members.bo.cst.intro')}</p>
      <section aria-labelledby="conteggi" class="mb-5">
        <h2 id="conteggi">{t('members.bo.cst.counts')}</h2>
        <ul class="row list-unstyled">
          {adhesionStatuses.map((s) => (
            <li class="col-6 col-md-4 col-lg mb-3">
              <a class="d-block border rounded p-3 text-decoration-none h-100" href={`/backoffice/adesioni?stato=${statusParam[s]}`}>
                <span class="d-block display-6 fw-bold">{formatNumber(counts[s])}</span>
                <span class="d-block">{t(`members.statusTitle.${s}`)}</span>
              </a>
            </li>
          ))}
        </ul>
      </section>
      <section aria-labelledby="collegamenti" class="mb-5">
        <h2 id="collegamenti">{t('members.bo.cst.links')}</h2>
        <ul>
          <li>
            <a href="/backoffice/adesioni">{t('members.bo.cst.adhesionLink')}</a>
          </li>
          <li>
            <a href="/">{t('members.bo.cst.networkLink')}</a>
          </li>
          <li>
            <a href="/backoffice/assistenza">{t('members.bo.cst.helpdeskLink')}</a>
          </li>
        </ul>
      </section>
      <section aria-labelledby="tutti-enti" class="mb-5">
        <h2 id="tutti-enti">{t('members.bo.cst.enti', { count: formatNumber(entries.length) })}</h2>
        <ul class="row list-unstyled">
          {entries.map((e) => (
            <li class="col-sm-6 col-lg-4 py-1">
              <a href={`/backoffice/enti/${e.ente.slug}`}>{e.ente.name}</a> <span class="small">({t(`kind.${e.ente.kind}`)})</span>
            </li>
          ))}
        </ul>
      </section>
    </>
  );
}

function grantLabel(g: StaffPrincipal['grants'][number]): string {
  const role = t(`members.role.${g.role}`);
  if (!g.module) return role;
  let module: string;
  try {
    module = t(`members.module.${g.module}`);
  } catch {
    module = g.module;
  }
  return `${role} · ${module}`;
}

function GrantsDashboard({ staff, enti }: { staff: StaffPrincipal; enti: Ente[] }) {
  return (
    <section aria-labelledby="miei-enti" class="mb-5">
      <h2 id="miei-enti">{t('members.bo.grants')}</h2>
      {enti.length === 0 ? (
        <p>{t('members.bo.grants.none')}</p>
      ) : (
        <>
          <p>{t('members.bo.grants.intro')}</p>
          <div class="table-responsive">
            <table class="table">
              <caption>{t('members.bo.grants.caption')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('members.bo.col.ente')}</th>
                  <th scope="col">{t('members.bo.col.kind')}</th>
                  <th scope="col">{t('members.bo.col.role')}</th>
                </tr>
              </thead>
              <tbody>
                {enti.map((ente) => (
                  <tr>
                    <th scope="row">
                      <a href={`/backoffice/enti/${ente.slug}`}>{ente.name}</a>
                    </th>
                    <td>{t(`kind.${ente.kind}`)}</td>
                    <td>
                      <ul class="list-unstyled mb-0">
                        {staff.grants
                          .filter((g) => g.enteId === ente.id)
                          .map((g) => (
                            <li>
                              {grantLabel(g)}
                              {g.module === 'helpdesk' || g.role === 'ente_admin' ? (
                                <>
                                  {' · '}
                                  <a href={ente.isCst ? '/backoffice/assistenza' : `/backoffice/enti/${ente.slug}/assistenza`}>{t('members.bo.grants.helpdeskLink')}</a>
                                </>
                              ) : null}
                            </li>
                          ))}
                      </ul>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}

// ---------- adhesion dashboard ----------

const chartColours: Record<AdhesionStatus, string> = {
  signed: '#006644',
  pending: '#7a4900',
  excluded: '#a3293d',
  withdrawn: '#4a5a6b',
  not_adhering: '#17324d',
};

export function AdhesionChart({ counts }: { counts: Record<AdhesionStatus, number> }) {
  const summary = adhesionStatuses.map((s) => `${t(`members.statusTitle.${s}`)} ${counts[s]}`).join(', ');
  // The counts table right under the chart is its data table.
  return (
    <BarChart
      id="grafico-adesioni"
      title={t('members.adh.chart.label', { summary })}
      dataTable={false}
      items={adhesionStatuses.map((s) => ({ label: t(`members.statusTitle.${s}`), value: counts[s], colour: chartColours[s] }))}
    />
  );
}

function AdhesionPage({ protocol, entries, filters }: { protocol: Protocol; entries: NetworkEntry[]; filters: AdhesionFilters }) {
  const counts = countByStatus(entries);
  const list = filterEntries(entries, filters);
  const qs = filterQueryString(filters);
  return (
    <>
      <h1>{t('members.adh.title')}</h1>
      <div class="row">
        <div class="col-lg-7">
          <section aria-labelledby="riepilogo" class="mb-5">
            <h2 id="riepilogo">{t('members.adh.summary')}</h2>
            <AdhesionChart counts={counts} />
            <table class="table table-sm w-auto">
              <caption>{t('members.adh.counts.caption')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('members.adh.counts.status')}</th>
                  <th scope="col" class="text-end">
                    {t('members.adh.counts.count')}
                  </th>
                </tr>
              </thead>
              <tbody>
                {adhesionStatuses.map((s) => (
                  <tr>
                    <th scope="row">
                      <a href={`/backoffice/adesioni?stato=${statusParam[s]}`}>{t(`members.statusTitle.${s}`)}</a>
                    </th>
                    <td class="text-end">{formatNumber(counts[s])}</td>
                  </tr>
                ))}
              </tbody>
              <tfoot>
                <tr>
                  <th scope="row">{t('members.adh.counts.total')}</th>
                  <td class="text-end fw-bold">{formatNumber(entries.length)}</td>
                </tr>
              </tfoot>
            </table>
          </section>
        </div>
        <div class="col-lg-5">
          <section aria-labelledby="protocollo" class="mb-5">
            <h2 id="protocollo">{t('members.adh.protocol')}</h2>
            <dl>
              <dt>{t('members.adh.protocol.title')}</dt>
              <dd>{protocol.title}</dd>
              <dt>{t('members.adh.protocol.signedOn')}</dt>
              <dd>{formatDate(protocol.signedOn)}</dd>
              <dt>{t('members.adh.protocol.deadline')}</dt>
              <dd>{t('members.adh.protocol.days', { date: formatDate(lateAdhesionDeadline(protocol)), days: protocol.lateAdhesionDays })}</dd>
            </dl>
          </section>
          <section aria-labelledby="scarica" class="mb-5">
            <h2 id="scarica">{t('members.adh.export')}</h2>
            <p>{t('members.adh.export.intro')}</p>
            <ul>
              <li>
                <a href={`/backoffice/adesioni.csv${qs}`}>{t('members.adh.export.csv')}</a>
              </li>
              <li>
                <a href={`/backoffice/adesioni.xlsx${qs}`}>{t('members.adh.export.xlsx')}</a>
              </li>
            </ul>
          </section>
        </div>
      </div>

      <section aria-labelledby="elenco" class="mb-5">
        <h2 id="elenco">{t('members.adh.list')}</h2>
        <form method="get" action="/backoffice/adesioni" class="row g-3 align-items-end mb-4" aria-label={t('members.adh.filter')}>
          <div class="col-md-4">
            <label for="stato" class="form-label">
              {t('members.adh.filter.status')}
            </label>
            <select id="stato" name="stato" class="form-select">
              <option value="">{t('members.adh.filter.all')}</option>
              {adhesionStatuses.map((s) => (
                <option value={statusParam[s]} selected={filters.status === s}>
                  {t(`members.statusTitle.${s}`)}
                </option>
              ))}
            </select>
          </div>
          <div class="col-md-4">
            <label for="q" class="form-label">
              {t('members.adh.filter.q')}
            </label>
            <input type="search" id="q" name="q" class="form-control" value={filters.q ?? ''} maxLength={100} />
          </div>
          <div class="col-auto">
            <button type="submit" class="btn btn-primary">
              {t('members.adh.filter.submit')}
            </button>
          </div>
          {filters.q || filters.status ? (
            <div class="col-auto">
              <a class="btn btn-outline-primary" href="/backoffice/adesioni">
                {t('members.adh.filter.reset')}
              </a>
            </div>
          ) : null}
        </form>
        {list.length === 0 ? (
          <p role="status">{t('members.adh.list.empty')}</p>
        ) : (
          <div class="table-responsive">
            <table class="table table-striped">
              <caption>{t('members.adh.list.caption', { count: formatNumber(list.length) })}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('members.bo.col.ente')}</th>
                  <th scope="col">{t('members.bo.col.kind')}</th>
                  <th scope="col">{t('members.adh.col.status')}</th>
                  <th scope="col">{t('members.adh.col.since')}</th>
                  <th scope="col">{t('members.adh.col.via')}</th>
                  <th scope="col">{t('members.adh.col.deadline')}</th>
                </tr>
              </thead>
              <tbody>
                {list.map((e) => (
                  <tr>
                    <th scope="row">
                      <a href={`/backoffice/enti/${e.ente.slug}`}>{e.ente.name}</a>
                    </th>
                    <td>{t(`kind.${e.ente.kind}`)}</td>
                    <td>
                      <StatusBadge status={e.adhesion.status} />
                    </td>
                    <td>{formatDate(e.adhesion.since)}</td>
                    <td>{e.via ? <a href={`/backoffice/enti/${e.via.slug}`}>{e.via.name}</a> : null}</td>
                    <td>{e.adhesion.status === 'pending' ? formatDate(e.adhesion.deadline) : null}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
}

/** The Layout of every back-office page: the header shows who is signed in and the logout form (with CSRF). */
export function BackofficeLayout({ request, title, crumbs, children }: { request: FastifyRequest; title: string; crumbs: { label: string; href?: string }[]; children: ComponentChildren }) {
  return (
    <Layout title={title} viewer={viewerOf(request)} breadcrumbs={[crumbsHome, ...crumbs]}>
      {children}
    </Layout>
  );
}

export function registerBackofficePages(app: App, platform: Platform) {
  const { db } = platform;

  app.get('/backoffice', { schema: { hide: true } }, async (_request, reply) => reply.redirect('/backoffice/', 301));

  app.get('/backoffice/', { schema: { hide: true } }, async (request, reply) => {
    const staff = staffOrLogin(request, reply);
    if (!staff) return reply;
    let body;
    if (staff.isCstAdmin) {
      const { entries } = await networkOn(db.app);
      body = <CstDashboard entries={entries} />;
    } else {
      const ids = [...new Set(staff.grants.map((g) => g.enteId))];
      const enti = (await Promise.all(ids.map((id) => getEnteById(db.app, id)))).filter((e): e is Ente => !!e).sort((a, b) => a.name.localeCompare(b.name, 'it'));
      body = <GrantsDashboard staff={staff} enti={enti} />;
    }
    return sendPage(
      reply,
      <BackofficeLayout request={request} title={t('members.bo.title')} crumbs={[{ label: t('members.bo.title') }]}>
        <h1>{t('members.bo.title')}</h1>
        <p class="lead">{t('members.bo.welcome', { name: staff.displayName })}</p>
        {body}
      </BackofficeLayout>,
      { private: true },
    );
  });

  app.get('/backoffice/adesioni', { schema: { hide: true, querystring: FiltersQuery } }, async (request, reply) => {
    const staff = staffOrLogin(request, reply);
    if (!staff) return reply;
    await requireCst(request, platform);
    const { protocol, entries } = await networkOn(db.app);
    return sendPage(
      reply,
      <BackofficeLayout request={request} title={t('members.adh.title')} crumbs={[bo, { label: t('members.adh.title') }]}>
        <AdhesionPage protocol={protocol} entries={entries} filters={parseFilters(request.query)} />
      </BackofficeLayout>,
      { private: true },
    );
  });

}
