// The operators' pages of subscribers (permission messaging.subscribers on the ente):
//   GET  /backoffice/avvisi/iscritti                       choose the ente (those the operator may see)
//   GET  /backoffice/enti/{slug}/avvisi/iscritti           list with search and topic filter (masked phones)
//   GET  /backoffice/enti/{slug}/avvisi/iscritti.{csv,xlsx} export of the filtered list (audited)
//   GET  /backoffice/enti/{slug}/avvisi/iscritti/{id}      one subscriber: consent per topic and its history
//   GET/POST /backoffice/enti/{slug}/avvisi/iscritti/importa  CSV import with a declared consent basis
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ComponentChildren } from 'preact';
import { Type } from 'typebox';
import { recordAudit } from '../../../platform/audit/index.js';
import { actorOf, can, csrfToken, requirePermission } from '../../../platform/auth/index.js';
import { withEnte } from '../../../platform/db/index.js';
import type { App } from '../../../platform/http/app.js';
import { sendPrivateFile } from '../../../platform/http/download.js';
import { formFieldsOf } from '../../../platform/http/multipart.js';
import { notFound } from '../../../platform/http/problem.js';
import type { Platform } from '../../../platform/platform.js';
import { listEnti, type Ente } from '../../../platform/tenancy/index.js';
import { formatNumber, t } from '../../../platform/views/i18n/index.js';
import { CsrfField, Layout } from '../../../platform/views/layout.js';
import { enteOfSlug, sendPage, staffOrLogin } from '../../../platform/views/page.js';
import { CSV_TYPE, cellText, sendTableExport } from '../../../platform/views/table-export.js';
import { viewerOf } from '../../../platform/views/viewer.js';
import { MessagingError, listTopics } from '../service.js';
import type { TopicRow } from '../store.js';
import { MAX_IMPORT_BYTES, importSubscribers, templateCsv, type ImportReport } from './import.js';
import { PAGE_SIZE, listSubscribers, subscriberDetail, type SubscriberFilters, type SubscriberLine } from './operators.js';
import { maskEmail, maskPhone } from './service.js';
import './messages.js';

const PERMISSION = 'messaging.subscribers';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const subscribersPath = (slug: string) => `/backoffice/enti/${slug}/avvisi/iscritti`;
const SlugParams = Type.Object({ slug: Type.String({ maxLength: 200 }) });
const ListQuery = Type.Object({ q: Type.Optional(Type.String({ maxLength: 120 })), argomento: Type.Optional(Type.String({ maxLength: 60 })), pagina: Type.Optional(Type.String({ maxLength: 6 })) });

async function guard(request: FastifyRequest, reply: FastifyReply, platform: Platform, slug: string): Promise<Ente | null> {
  if (!staffOrLogin(request, reply)) return null;
  const ente = await enteOfSlug(platform, slug, t('messaging.subs.enteNotFound'));
  await requirePermission(request, platform.db.app, ente.id, PERMISSION);
  return ente;
}

function BoLayout({ request, ente, title, crumbs = [], children }: { request: FastifyRequest; ente: Ente | null; title: string; crumbs?: { label: string; href?: string }[]; children: ComponentChildren }) {
  const trail = [{ label: t('app.name'), href: '/' }, { label: t('messaging.subs.bo.crumb'), href: '/backoffice/' }, ...(ente ? [{ label: ente.name, href: `/backoffice/enti/${ente.slug}` }, { label: t('messaging.subs.bo.title'), href: subscribersPath(ente.slug) }] : [{ label: t('messaging.subs.bo.title') }])];
  return (
    <Layout title={title} viewer={viewerOf(request)} breadcrumbs={[...trail, ...crumbs]}>
      {children}
    </Layout>
  );
}

const stateText = (state: SubscriberLine['phoneState']) => (state ? t(`messaging.subs.bo.state.${state}`) : '');
const dateTime = (d: Date | null) => (d ? cellText(d, 'datetime') : '');

function ListPage({ request, ente, topics, filters, list }: { request: FastifyRequest; ente: Ente; topics: TopicRow[]; filters: SubscriberFilters; list: { total: number; items: SubscriberLine[] } }) {
  const base = subscribersPath(ente.slug);
  const query = new URLSearchParams({ ...(filters.q ? { q: filters.q } : {}), ...(filters.topic ? { argomento: filters.topic } : {}) }).toString();
  const page = filters.page ?? 1;
  const pages = Math.max(1, Math.ceil(list.total / PAGE_SIZE));
  const label = (code: string) => topics.find((x) => x.code === code)?.label ?? code;
  return (
    <BoLayout request={request} ente={ente} title={t('messaging.subs.bo.listTitle', { ente: ente.name })}>
      <h1 class="h2">{t('messaging.subs.bo.listTitle', { ente: ente.name })}</h1>
      <p>
        <a class="btn btn-outline-primary btn-sm me-2" href={`${base}/importa`}>{t('messaging.subs.bo.import')}</a>
        <a class="btn btn-outline-secondary btn-sm me-2" href={`${base}.csv${query ? `?${query}` : ''}`} id="export-csv">{t('messaging.subs.bo.csv')}</a>
        <a class="btn btn-outline-secondary btn-sm" href={`${base}.xlsx${query ? `?${query}` : ''}`}>{t('messaging.subs.bo.xlsx')}</a>
      </p>
      <form method="get" action={base} class="row g-2 align-items-end mb-3" role="search">
        <div class="col-md-6">
          <label for="cerca" class="form-label">{t('messaging.subs.bo.search')}</label>
          <input id="cerca" name="q" type="search" class="form-control" value={filters.q ?? ''} maxLength={120} />
        </div>
        <div class="col-md-4">
          <label for="argomento" class="form-label">{t('messaging.subs.bo.topic')}</label>
          <select id="argomento" name="argomento" class="form-select">
            <option value="">{t('messaging.subs.bo.anyTopic')}</option>
            {topics.map((x) => (
              <option value={x.code} selected={filters.topic === x.code}>{x.label}</option>
            ))}
          </select>
        </div>
        <div class="col-md-2">
          <button type="submit" class="btn btn-primary w-100">{t('messaging.subs.bo.filter')}</button>
        </div>
      </form>
      <p role="status" id="totale">{t('messaging.subs.bo.total', { n: formatNumber(list.total) })}</p>
      <div class="table-responsive">
        <table class="table table-sm">
          <caption class="visually-hidden">{t('messaging.subs.bo.listTitle', { ente: ente.name })}</caption>
          <thead>
            <tr>
              <th scope="col">{t('messaging.subs.bo.col.phone')}</th>
              <th scope="col">{t('messaging.subs.bo.col.email')}</th>
              <th scope="col">{t('messaging.subs.bo.col.topics')}</th>
              <th scope="col">{t('messaging.subs.bo.col.source')}</th>
              <th scope="col">{t('messaging.subs.bo.col.since')}</th>
            </tr>
          </thead>
          <tbody>
            {list.items.map((s) => (
              <tr>
                <td>
                  <a href={`${base}/${s.id}`}>{s.phone ? maskPhone(s.phone) : t('messaging.subs.bo.noPhone')}</a>
                  {s.phoneState ? <span class="d-block small">{stateText(s.phoneState)}</span> : null}
                </td>
                <td>
                  {s.email ?? ''}
                  {s.emailState ? <span class="d-block small">{stateText(s.emailState)}</span> : null}
                </td>
                <td>{s.topics.map(label).join(', ')}</td>
                <td>{t(`messaging.subs.bo.source.${s.source}`)}</td>
                <td>{dateTime(s.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {pages > 1 ? (
        <nav aria-label={t('messaging.subs.bo.pages')}>
          <p>
            {page > 1 ? <a href={`${base}?${query}${query ? '&' : ''}pagina=${page - 1}`} class="me-3">{t('messaging.subs.bo.prev')}</a> : null}
            {t('messaging.subs.bo.page', { page, pages })}
            {page < pages ? <a href={`${base}?${query}${query ? '&' : ''}pagina=${page + 1}`} class="ms-3">{t('messaging.subs.bo.next')}</a> : null}
          </p>
        </nav>
      ) : null}
    </BoLayout>
  );
}

function DetailPage({ request, ente, detail, topics }: { request: FastifyRequest; ente: Ente; detail: NonNullable<Awaited<ReturnType<typeof subscriberDetail>>>; topics: TopicRow[] }) {
  const s = detail.subscriber;
  const label = (code: string | null) => (code ? (topics.find((x) => x.code === code)?.label ?? code) : t('messaging.subs.bo.wholeChannel'));
  const title = t('messaging.subs.bo.detailTitle', { who: s.phone ? maskPhone(s.phone) : s.email ? maskEmail(s.email) : s.id });
  return (
    <BoLayout request={request} ente={ente} title={title} crumbs={[{ label: title }]}>
      <h1 class="h2">{title}</h1>
      <dl class="row">
        <dt class="col-sm-3">{t('messaging.subs.bo.col.phone')}</dt>
        <dd class="col-sm-9">{s.phone ? `${maskPhone(s.phone)} · ${stateText(s.phone_opted_out_at ? 'off' : s.phone_verified_at ? 'verified' : 'unverified')}` : '—'}</dd>
        <dt class="col-sm-3">{t('messaging.subs.bo.col.email')}</dt>
        <dd class="col-sm-9">{s.email ? `${s.email} · ${stateText(s.email_opted_out_at ? 'off' : s.email_verified_at ? 'verified' : 'unverified')}` : '—'}</dd>
        <dt class="col-sm-3">{t('messaging.subs.bo.col.source')}</dt>
        <dd class="col-sm-9">{t(`messaging.subs.bo.source.${s.source}`)}{s.consent_basis ? ` · ${t('messaging.subs.bo.basis', { basis: s.consent_basis })}` : ''}</dd>
      </dl>
      <h2 class="h4">{t('messaging.subs.bo.current')}</h2>
      <ul>
        {detail.subscriptions.map((x) => (
          <li>{label(x.topic_code)}: {x.revoked_at ? t('messaging.subs.bo.revokedOn', { at: dateTime(x.revoked_at) }) : t('messaging.subs.bo.consentedOn', { at: dateTime(x.consented_at) })}</li>
        ))}
      </ul>
      <h2 class="h4">{t('messaging.subs.bo.history')}</h2>
      <div class="table-responsive">
        <table class="table table-sm" id="storico">
          <caption class="visually-hidden">{t('messaging.subs.bo.history')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('messaging.subs.bo.col.when')}</th>
              <th scope="col">{t('messaging.subs.bo.col.action')}</th>
              <th scope="col">{t('messaging.subs.bo.col.topic')}</th>
              <th scope="col">{t('messaging.subs.bo.col.via')}</th>
              <th scope="col">{t('messaging.subs.bo.col.text')}</th>
            </tr>
          </thead>
          <tbody>
            {detail.events.map((e) => (
              <tr>
                <td>{dateTime(e.at)}</td>
                <td>{t(`messaging.subs.bo.action.${e.action}`)}</td>
                <td>{e.channel ? `${label(e.topic_code)} (${e.channel})` : label(e.topic_code)}</td>
                <td>{t(`messaging.subs.bo.via.${e.via}`)}</td>
                <td class="small">{e.consent_text ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </BoLayout>
  );
}

function ImportPage({ request, reply, ente, basis, error, report }: { request: FastifyRequest; reply: FastifyReply; ente: Ente; basis: string; error?: string | undefined; report?: ImportReport | undefined }) {
  const base = subscribersPath(ente.slug);
  return (
    <BoLayout request={request} ente={ente} title={t('messaging.subs.bo.importTitle')} crumbs={[{ label: t('messaging.subs.bo.importTitle') }]}>
      <h1 class="h2">{t('messaging.subs.bo.importTitle')}</h1>
      <p>{t('messaging.subs.bo.importHelp')} <a href={`${base}/modello.csv`}>{t('messaging.subs.bo.template')}</a></p>
      {error ? <div class="alert alert-danger" role="alert" id="errore">{error}</div> : null}
      {report ? (
        <section aria-labelledby="esito-titolo" class="mb-4">
          <h2 class="h4" id="esito-titolo">{t('messaging.subs.bo.reportTitle')}</h2>
          <div class="alert alert-success" role="status" id="esito">{t('messaging.subs.bo.report', { rows: report.rows, created: report.created, updated: report.updated, unchanged: report.unchanged, rejected: report.rejected.length })}</div>
          {report.rejected.length > 0 ? (
            <table class="table table-sm" id="scartate">
              <caption>{t('messaging.subs.bo.rejected')}</caption>
              <thead><tr><th scope="col">{t('messaging.subs.bo.col.line')}</th><th scope="col">{t('messaging.subs.bo.col.reason')}</th></tr></thead>
              <tbody>{report.rejected.map((r) => <tr><td>{r.line}</td><td>{r.reason}</td></tr>)}</tbody>
            </table>
          ) : null}
        </section>
      ) : null}
      <form method="post" action={`${base}/importa`} enctype="multipart/form-data">
        <CsrfField token={csrfToken(request, reply)} />
        <div class="mb-3">
          <label for="base" class="form-label">{t('messaging.subs.bo.basisLabel')}</label>
          <textarea id="base" name="base" class="form-control" rows={2} maxLength={500} required aria-describedby="base-aiuto">{basis}</textarea>
          <div id="base-aiuto" class="form-text">{t('messaging.subs.bo.basisHelp')}</div>
        </div>
        <div class="mb-3">
          <label for="file" class="form-label">{t('messaging.subs.bo.file')}</label>
          <input id="file" name="file" type="file" class="form-control" accept=".csv,text/csv" required />
        </div>
        <button type="submit" class="btn btn-primary" id="importa">{t('messaging.subs.bo.importButton')}</button>
      </form>
    </BoLayout>
  );
}

function filtersOf(query: { q?: string | undefined; argomento?: string | undefined; pagina?: string | undefined }): SubscriberFilters {
  const page = Number(query.pagina);
  return { q: query.q?.trim() || undefined, topic: query.argomento?.trim() || undefined, page: Number.isInteger(page) && page > 0 ? page : 1 };
}

export function registerOperatorPages(app: App, platform: Platform): void {
  const { db } = platform;

  app.get('/backoffice/avvisi/iscritti', { schema: { hide: true, querystring: Type.Object({ ente: Type.Optional(Type.String({ maxLength: 200 })) }) } }, async (request, reply) => {
    const staff = staffOrLogin(request, reply);
    if (!staff) return reply;
    if (request.query.ente) return reply.redirect(subscribersPath(request.query.ente.replace(/[^a-z0-9-]/g, '').slice(0, 100)), 303);
    const enti = (await listEnti(db.app, { limit: 2000, offset: 0 })).items.filter((e) => can(staff, e.id, PERMISSION)).sort((a, b) => a.name.localeCompare(b.name, 'it'));
    return sendPage(
      reply,
      <BoLayout request={request} ente={null} title={t('messaging.subs.bo.title')}>
        <h1 class="h2">{t('messaging.subs.bo.title')}</h1>
        {enti.length === 0 ? (
          <div class="alert alert-info" role="status">{t('messaging.subs.bo.noEnti')}</div>
        ) : (
          <form method="get" action="/backoffice/avvisi/iscritti" class="row g-2 align-items-end">
            <div class="col-md-8">
              <label for="ente" class="form-label">{t('messaging.subs.bo.chooseEnte')}</label>
              <select id="ente" name="ente" class="form-select">
                {enti.map((e) => <option value={e.slug}>{e.name}</option>)}
              </select>
            </div>
            <div class="col-md-4"><button type="submit" class="btn btn-primary w-100">{t('messaging.subs.bo.open')}</button></div>
          </form>
        )}
      </BoLayout>,
    );
  });

  app.get('/backoffice/enti/:slug/avvisi/iscritti', { schema: { hide: true, params: SlugParams, querystring: ListQuery } }, async (request, reply) => {
    const ente = await guard(request, reply, platform, request.params.slug);
    if (!ente) return reply;
    const filters = filtersOf(request.query);
    const { topics, list } = await withEnte(db.app, ente.id, async (trx) => ({ topics: await listTopics(trx), list: await listSubscribers(trx, filters) }));
    return sendPage(reply, <ListPage request={request} ente={ente} topics={topics} filters={filters} list={list} />);
  });

  for (const format of ['csv', 'xlsx'] as const) {
    app.get(`/backoffice/enti/:slug/avvisi/iscritti.${format}`, { schema: { hide: true, params: SlugParams, querystring: ListQuery } }, async (request, reply) => {
      const ente = await guard(request, reply, platform, request.params.slug);
      if (!ente) return reply;
      const filters = { ...filtersOf(request.query), page: 1 };
      const list = await withEnte(db.app, ente.id, async (trx) => {
        const result = await listSubscribers(trx, filters, 200_000);
        await recordAudit(trx, { enteId: ente.id, actor: actorOf(request), action: 'messaging.subscribers.export', entity: 'msg_subscriber', after: { format, rows: result.total, q: filters.q ?? null, topic: filters.topic ?? null } });
        return result;
      });
      const columns = ['phone', 'phoneState', 'email', 'emailState', 'fiscalCode', 'topics', 'source', 'since'].map((k) => ({ header: t(`messaging.subs.bo.export.${k}`), kind: k === 'since' ? ('datetime' as const) : ('text' as const) }));
      const rows = list.items.map((s) => [s.phone, stateText(s.phoneState), s.email, stateText(s.emailState), s.fiscalCode, s.topics.join(', '), t(`messaging.subs.bo.source.${s.source}`), s.createdAt]);
      return sendTableExport(reply, format, `iscritti-avvisi-${ente.slug}`, { sheet: t('messaging.subs.bo.title'), columns, rows }, { title: t('messaging.subs.bo.listTitle', { ente: ente.name }) });
    });
  }

  app.get('/backoffice/enti/:slug/avvisi/iscritti/modello.csv', { schema: { hide: true, params: SlugParams } }, async (request, reply) => {
    const ente = await guard(request, reply, platform, request.params.slug);
    if (!ente) return reply;
    return sendPrivateFile(reply, { name: 'modello-iscritti.csv', mediaType: CSV_TYPE, bytes: Buffer.from(templateCsv(), 'utf8') });
  });

  app.get('/backoffice/enti/:slug/avvisi/iscritti/importa', { schema: { hide: true, params: SlugParams } }, async (request, reply) => {
    const ente = await guard(request, reply, platform, request.params.slug);
    if (!ente) return reply;
    return sendPage(reply, <ImportPage request={request} reply={reply} ente={ente} basis="" />);
  });

  app.post('/backoffice/enti/:slug/avvisi/iscritti/importa', { schema: { hide: true, params: SlugParams } }, async (request, reply) => {
    const ente = await guard(request, reply, platform, request.params.slug);
    if (!ente) return reply;
    const basis = (formFieldsOf(request.body).base ?? '').slice(0, 500);
    const part = request.isMultipart() ? ((request.body as Record<string, unknown> | undefined)?.file as { type?: string; _buf?: Buffer | null; tooLarge?: boolean } | undefined) : undefined;
    const fail = (message: string, status = 422) => sendPage(reply, <ImportPage request={request} reply={reply} ente={ente} basis={basis} error={message} />, status);
    if (!part || part.type !== 'file' || (!part.tooLarge && !part._buf?.length)) return fail(t('messaging.subs.import.noFile'));
    if (part.tooLarge) return fail(t('messaging.subs.import.tooLarge', { mb: MAX_IMPORT_BYTES / 1024 / 1024 }), 413);
    try {
      const report = await importSubscribers(platform, ente.id, actorOf(request), part._buf!, basis);
      return sendPage(reply, <ImportPage request={request} reply={reply} ente={ente} basis={basis} report={report} />);
    } catch (err) {
      if (err instanceof MessagingError) return fail(err.message);
      throw err;
    }
  });

  app.get('/backoffice/enti/:slug/avvisi/iscritti/:id', { schema: { hide: true, params: Type.Object({ slug: Type.String({ maxLength: 200 }), id: Type.String({ maxLength: 100 }) }) } }, async (request, reply) => {
    const ente = await guard(request, reply, platform, request.params.slug);
    if (!ente) return reply;
    const id = request.params.id;
    const found = UUID.test(id) ? await withEnte(db.app, ente.id, async (trx) => ({ detail: await subscriberDetail(trx, id), topics: await listTopics(trx) })) : undefined;
    if (!found?.detail) throw notFound(t('messaging.subs.bo.notFound'));
    return sendPage(reply, <DetailPage request={request} ente={ente} detail={found.detail} topics={found.topics} />);
  });
}
