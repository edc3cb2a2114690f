// Pages of bulk notice generation (staff): the runs of an ente with the form to start one, and the progress
// of one run — a progress bar that works without JavaScript (the server asks the browser to reload the page
// with an HTTP Refresh header while the run is going; a link turns that off), the ZIP when complete, and a
// resume button for a run that stopped on an error.
import type { ComponentChildren } from 'preact';
import type { FastifyRequest } from 'fastify';
import { formatDateTime, formatNumber, t } from '../../../platform/views/i18n/index.js';
import { CsrfField, Layout } from '../../../platform/views/layout.js';
import { viewerOf } from '../../../platform/views/viewer.js';
import type { Ente } from '../../../platform/tenancy/index.js';
import type { RunView } from './bulk.js';
import './messages.js';

export const bulkPath = (slug: string) => `/backoffice/enti/${slug}/pagamenti/avvisi`;
export const runPath = (slug: string, runId: string) => `${bulkPath(slug)}/${runId}`;

const STATE_BADGE: Record<RunView['state'], string> = { queued: 'bg-secondary', running: 'bg-primary', completed: 'bg-success', failed: 'bg-danger' };

export function filterLabel(run: Pick<RunView, 'serviceCode' | 'year'>, services: Map<string, string>): string {
  const service = services.get(run.serviceCode) ?? run.serviceCode;
  return run.year === null ? t('payments.notices.bulk.filterAllYears', { service }) : t('payments.notices.bulk.filter', { service, year: run.year });
}

function NoticesLayout({ request, ente, title, crumbs = [], children }: { request: FastifyRequest; ente: Ente; title: string; crumbs?: { label: string; href?: string }[]; children: ComponentChildren }) {
  const base = [
    { label: t('app.name'), href: '/' },
    { label: t('payments.notices.bulk.crumb.backoffice'), href: '/backoffice/' },
    { label: ente.name, href: `/backoffice/enti/${ente.slug}` },
    { label: t('payments.notices.bulk.crumb.payments') },
  ];
  return (
    <Layout title={title} viewer={viewerOf(request)} breadcrumbs={[...base, ...crumbs]}>
      {children}
    </Layout>
  );
}

export function ProgressBar({ run, id }: { run: RunView; id: string }) {
  const label = t('payments.notices.bulk.progress', { done: formatNumber(run.done), total: formatNumber(run.total) });
  return (
    <div>
      <p class="mb-1" id={id}>
        {label} · {t('payments.notices.bulk.percent', { percent: run.percent })}
      </p>
      <div class="progress" style="height: 1rem">
        <div class={`progress-bar${run.state === 'failed' ? ' bg-danger' : ''}`} role="progressbar" style={`width: ${run.percent}%`} aria-valuenow={run.percent} aria-valuemin={0} aria-valuemax={100} aria-labelledby={id}></div>
      </div>
    </div>
  );
}

const StateBadge = ({ state }: { state: RunView['state'] }) => <span class={`badge ${STATE_BADGE[state]}`}>{t(`payments.notices.bulk.state.${state}`)}</span>;

export interface RunsPageProps {
  request: FastifyRequest;
  ente: Ente;
  runs: RunView[];
  services: { code: string; name: string }[];
  canManage: boolean;
  csrf: string;
  error?: string | undefined;
  values?: { serviceCode?: string; year?: string };
}

export function RunsPage({ request, ente, runs, services, canManage, csrf, error, values = {} }: RunsPageProps) {
  const title = t('payments.notices.bulk.title');
  const names = new Map(services.map((s) => [s.code, s.name]));
  return (
    <NoticesLayout request={request} ente={ente} title={title} crumbs={[{ label: title }]}>
      <h1>{title}</h1>
      <p>{t('payments.notices.bulk.intro')}</p>
      {error ? (
        <div class="alert alert-danger" role="alert" id="errore">
          <p class="fw-bold mb-1">{t('payments.notices.bulk.error.title')}</p>
          <p class="mb-0">{error}</p>
        </div>
      ) : null}
      {canManage ? (
        <section aria-labelledby="nuova" class="mb-5">
          <h2 id="nuova" class="h4">
            {t('payments.notices.bulk.new')}
          </h2>
          <form method="post" action={bulkPath(ente.slug)} class="row g-3 align-items-end">
            <CsrfField token={csrf} />
            <div class="col-md-5">
              <label for="avvisi-servizio" class="form-label">
                {t('payments.notices.bulk.service')}
              </label>
              <select id="avvisi-servizio" name="serviceCode" class="form-select" required>
                {services.map((s) => (
                  <option value={s.code} selected={values.serviceCode === s.code}>
                    {s.name}
                  </option>
                ))}
              </select>
            </div>
            <div class="col-md-4">
              <label for="avvisi-anno" class="form-label">
                {t('payments.notices.bulk.year')}
              </label>
              <input type="number" id="avvisi-anno" name="year" value={values.year ?? ''} min={2000} max={2999} step={1} inputMode="numeric" class="form-control" aria-describedby="avvisi-anno-aiuto" />
              <small id="avvisi-anno-aiuto" class="form-text">
                {t('payments.notices.bulk.year.hint')}
              </small>
            </div>
            <div class="col-md-3">
              <button type="submit" class="btn btn-primary">
                {t('payments.notices.bulk.start')}
              </button>
            </div>
          </form>
        </section>
      ) : null}
      <section aria-labelledby="elaborazioni">
        <h2 id="elaborazioni" class="h4">
          {t('payments.notices.bulk.runs')}
        </h2>
        {runs.length === 0 ? (
          <p>{t('payments.notices.bulk.none')}</p>
        ) : (
          <div class="table-responsive">
            <table class="table">
              <thead>
                <tr>
                  <th scope="col">{t('payments.notices.bulk.col.started')}</th>
                  <th scope="col">{t('payments.notices.bulk.col.filter')}</th>
                  <th scope="col">{t('payments.notices.bulk.col.progress')}</th>
                  <th scope="col">{t('payments.notices.bulk.col.state')}</th>
                </tr>
              </thead>
              <tbody>
                {runs.map((run) => (
                  <tr>
                    <td>
                      <a href={runPath(ente.slug, run.id)}>{formatDateTime(run.createdAt)}</a>
                    </td>
                    <td>{filterLabel(run, names)}</td>
                    <td>{t('payments.notices.bulk.progress', { done: formatNumber(run.done), total: formatNumber(run.total) })}</td>
                    <td>
                      <StateBadge state={run.state} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </NoticesLayout>
  );
}

export interface RunPageProps {
  request: FastifyRequest;
  ente: Ente;
  run: RunView;
  serviceName: string;
  canManage: boolean;
  csrf: string;
  autoRefresh: boolean;
  esito?: string | undefined;
}

export function RunPage({ request, ente, run, serviceName, canManage, csrf, autoRefresh, esito }: RunPageProps) {
  const title = t('payments.notices.bulk.run.title');
  const path = runPath(ente.slug, run.id);
  const going = run.state === 'queued' || run.state === 'running';
  const outcome = esito === 'started' || esito === 'resumed' ? t(`payments.notices.bulk.esito.${esito}`, { total: formatNumber(run.total) }) : null;
  return (
    <NoticesLayout request={request} ente={ente} title={title} crumbs={[{ label: t('payments.notices.bulk.title'), href: bulkPath(ente.slug) }, { label: title }]}>
      <h1>{title}</h1>
      {outcome ? (
        <div class="alert alert-success" role="status">
          {outcome}
        </div>
      ) : null}
      <p class="lead">
        {filterLabel(run, new Map([[run.serviceCode, serviceName]]))} <StateBadge state={run.state} />
      </p>
      <p>{t('payments.notices.bulk.run.requestedBy', { who: run.requestedBy, at: formatDateTime(run.createdAt) })}</p>
      <ProgressBar run={run} id="avanzamento" />
      {run.finishedAt ? <p class="mt-2">{t('payments.notices.bulk.run.finished', { at: formatDateTime(run.finishedAt) })}</p> : null}
      {run.error ? (
        <div class="alert alert-danger mt-3" role="alert">
          {t('payments.notices.bulk.run.error', { error: run.error })}
        </div>
      ) : null}
      <div class="d-flex flex-wrap gap-2 mt-4">
        {going ? (
          <>
            <a class="btn btn-outline-primary" href={autoRefresh ? path : `${path}?auto=0`}>
              {t('payments.notices.bulk.run.reload')}
            </a>
            {autoRefresh ? (
              <a class="btn btn-link" href={`${path}?auto=0`}>
                {t('payments.notices.bulk.run.stopRefresh')}
              </a>
            ) : null}
          </>
        ) : null}
        {run.state === 'completed' && run.generated > 0 ? (
          <a class="btn btn-primary" href={`${path}/avvisi.zip`}>
            {t('payments.notices.bulk.run.download')}
          </a>
        ) : null}
        {run.state === 'failed' && canManage ? (
          <form method="post" action={`${path}/riprendi`}>
            <CsrfField token={csrf} />
            <button type="submit" class="btn btn-primary">
              {t('payments.notices.bulk.run.resume')}
            </button>
          </form>
        ) : null}
        <a class="btn btn-link" href={bulkPath(ente.slug)}>
          {t('payments.notices.bulk.run.back')}
        </a>
      </div>
      {going && autoRefresh ? <p class="mt-3 small">{t('payments.notices.bulk.run.refresh')}</p> : null}
    </NoticesLayout>
  );
}
