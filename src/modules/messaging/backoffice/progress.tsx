// The live progress of a message (/backoffice/enti/{slug}/messaggi/{id}): deliveries per channel and per
// targeted ente in each state, a stacked column chart, the statistics as CSV/XLSX and the CAP export. While the
// message is going out the page reloads itself without JavaScript (HTTP Refresh header — a <meta> refresh is
// a WCAG 2.2.1 failure — with a link that stops it).
import type { FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { Type } from 'typebox';
import { actorOf, type StaffPrincipal } from '../../../platform/auth/index.js';
import type { Actor } from '../../../platform/audit/index.js';
import { todayInRome } from '../../../platform/calendar/index.js';
import { withEnte, type DB } from '../../../platform/db/index.js';
import type { App } from '../../../platform/http/app.js';
import { notFound } from '../../../platform/http/problem.js';
import type { Platform } from '../../../platform/platform.js';
import type { Ente } from '../../../platform/tenancy/index.js';
import { ColumnChart } from '../../../platform/views/chart.js';
import { formatNumber, t } from '../../../platform/views/i18n/index.js';
import { sendTableExport, type ExportTable } from '../../../platform/views/table-export.js';
import { capAlertOf } from '../cap/index.js';
import { messageStats, type DispatchStats } from '../engine.js';
import type { Channel, DeliveryState, MessageRow } from '../store.js';
import { MessagingLayout, Outcome, StateBadge, UUID, formatDateTime, guard, messagePath, problemOf, sendPage } from './common.js';

export const DELIVERY_STATES: readonly DeliveryState[] = ['queued', 'sending', 'sent', 'delivered', 'failed', 'skipped', 'uncertain'];
const CHANNELS: readonly Channel[] = ['appio', 'sms', 'email'];
export const REFRESH_SECONDS = 10;

export interface Progress {
  message: MessageRow;
  done: boolean;
  perEnte: (DispatchStats & { name: string; istatCode: string | null; total: number })[];
  perChannel: Record<Channel, Record<DeliveryState, number>>;
}

const zero = () => Object.fromEntries(DELIVERY_STATES.map((s) => [s, 0])) as Record<DeliveryState, number>;

/** The message and its counts (messageStats: audited when it reaches other enti); null when not the ente's. */
export async function progressOf(db: Kysely<DB>, actor: Actor, enteId: string, messageId: string): Promise<Progress | null> {
  const message = await withEnte(db, enteId, (trx) => trx.selectFrom('msg_message').selectAll().where('id', '=', messageId).where('kind', '=', 'broadcast').executeTakeFirst());
  if (!message) return null;
  const stats = await messageStats(db, actor, enteId, messageId);
  const enti = message.target_ente_ids.length > 0 ? await db.selectFrom('ente').select(['id', 'name', 'istat_code']).where('id', 'in', message.target_ente_ids).execute() : [];
  const perChannel = Object.fromEntries(CHANNELS.map((c) => [c, zero()])) as Progress['perChannel'];
  for (const d of stats) for (const [channel, counts] of Object.entries(d.perChannel)) for (const [state, n] of Object.entries(counts ?? {})) perChannel[channel as Channel][state as DeliveryState] += n ?? 0;
  const perEnte = stats
    .map((d) => {
      const ente = enti.find((e) => e.id === d.enteId);
      const total = Object.values(d.perChannel).reduce((sum, c) => sum + Object.values(c ?? {}).reduce((a, n) => a + (n ?? 0), 0), 0);
      return { ...d, name: ente?.name ?? d.enteId, istatCode: ente?.istat_code ?? null, total };
    })
    .sort((a, b) => a.name.localeCompare(b.name, 'it'));
  return { message, done: message.state === 'sent' || message.state === 'cancelled' || message.state === 'draft', perEnte, perChannel };
}

/** The per-ente statistics as a table: one row per ente and channel. */
export function statsTable(progress: Progress): ExportTable {
  return {
    sheet: t('messaging.bo.export.sheet'),
    columns: [
      { header: t('messaging.bo.col.ente') },
      { header: t('messaging.bo.export.istat') },
      { header: t('messaging.bo.export.dispatchState') },
      { header: t('messaging.bo.export.channel') },
      ...DELIVERY_STATES.map((s) => ({ header: t(`messaging.bo.delivery.${s}`), kind: 'number' as const })),
    ],
    rows: progress.perEnte.flatMap((e) =>
      CHANNELS.filter((c) => e.perChannel[c]).map((c) => [e.name, e.istatCode, t(`messaging.bo.dispatch.${e.state}`), t(`messaging.bo.channel.${c}`), ...DELIVERY_STATES.map((s) => e.perChannel[c]?.[s] ?? 0)]),
    ),
  };
}

function CountsTable({ id, caption, head, rows }: { id: string; caption: string; head: string; rows: { label: string; counts: Record<DeliveryState, number> | Partial<Record<DeliveryState, number>>; extra?: string }[] }) {
  return (
    <div class="table-responsive">
      <table class="table table-sm" id={id}>
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{head}</th>
            {DELIVERY_STATES.map((s) => (
              <th scope="col" class="text-end">
                {t(`messaging.bo.delivery.${s}`)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr>
              <th scope="row">
                {r.label}
                {r.extra ? <span class="d-block small">{r.extra}</span> : null}
              </th>
              {DELIVERY_STATES.map((s) => (
                <td class="text-end">{formatNumber(r.counts[s] ?? 0)}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function ProgressPage({ request, ente, progress, esito, refreshing }: { request: FastifyRequest; ente: Ente; progress: Progress; esito: string | undefined; refreshing: boolean }) {
  const { message } = progress;
  const base = messagePath(ente.slug, message.id);
  const title = t('messaging.bo.progress.title', { title: message.title });
  const channels = CHANNELS.filter((c) => Object.values(progress.perChannel[c]).some((n) => n > 0) || message.channels.includes(c));
  const planned = progress.perEnte.reduce((sum, e) => sum + e.total, 0);
  const finished = channels.reduce((sum, c) => sum + (['sent', 'delivered', 'failed', 'skipped'] as const).reduce((a, s) => a + progress.perChannel[c][s], 0), 0);
  return (
    <MessagingLayout request={request} ente={ente} title={title} crumbs={[{ label: message.title }]}>
      <h1>{title}</h1>
      <Outcome esito={esito} />
      <dl class="row mb-3">
        <dt class="col-md-3">{t('messaging.bo.col.state')}</dt>
        <dd class="col-md-9">
          <StateBadge state={message.state} /> {message.urgent ? <span class="badge bg-danger ms-1">{t('messaging.bo.urgent')}</span> : null}
        </dd>
        <dt class="col-md-3">{t('messaging.bo.progress.created')}</dt>
        <dd class="col-md-9">{t('messaging.bo.progress.createdBy', { at: formatDateTime(message.created_at), by: message.created_by })}</dd>
        {message.send_after ? (
          <>
            <dt class="col-md-3">{t('messaging.bo.progress.scheduled')}</dt>
            <dd class="col-md-9">{formatDateTime(message.send_after)}</dd>
          </>
        ) : null}
        <dt class="col-md-3">{t('messaging.bo.progress.summary')}</dt>
        <dd class="col-md-9" id="riepilogo-invio">
          {t('messaging.bo.progress.counts', { done: formatNumber(finished), planned: formatNumber(planned), enti: progress.perEnte.length })}
        </dd>
      </dl>
      {progress.done ? null : (
        <p class="alert alert-info" role="status" id="aggiornamento">
          {refreshing ? t('messaging.bo.progress.refreshing', { seconds: REFRESH_SECONDS }) : t('messaging.bo.progress.paused')}{' '}
          <a href={refreshing ? `${base}?aggiorna=no` : base}>{refreshing ? t('messaging.bo.progress.stop') : t('messaging.bo.progress.resume')}</a>
        </p>
      )}
      <section aria-labelledby="per-canale" class="mb-4">
        <h2 id="per-canale" class="h4">
          {t('messaging.bo.progress.perChannel')}
        </h2>
        <ColumnChart
          id="grafico-canali"
          title={t('messaging.bo.progress.chart', { title: message.title })}
          description={t('messaging.bo.progress.chartDescription')}
          categories={channels.map((c) => t(`messaging.bo.channel.${c}`))}
          series={DELIVERY_STATES.map((s) => ({ name: t(`messaging.bo.delivery.${s}`), values: channels.map((c) => progress.perChannel[c][s]) }))}
          stacked
          dataTable={false}
        />
        <CountsTable id="tabella-canali" caption={t('messaging.bo.progress.perChannelCaption')} head={t('messaging.bo.export.channel')} rows={channels.map((c) => ({ label: t(`messaging.bo.channel.${c}`), counts: progress.perChannel[c] }))} />
      </section>
      <section aria-labelledby="per-ente" class="mb-4">
        <h2 id="per-ente" class="h4">
          {t('messaging.bo.progress.perEnte')}
        </h2>
        <CountsTable
          id="tabella-enti"
          caption={t('messaging.bo.progress.perEnteCaption')}
          head={t('messaging.bo.col.ente')}
          rows={progress.perEnte.map((e) => {
            const counts = zero();
            for (const c of Object.values(e.perChannel)) for (const [s, n] of Object.entries(c ?? {})) counts[s as DeliveryState] += n ?? 0;
            return { label: e.name, counts, extra: t(`messaging.bo.dispatch.${e.state}`) };
          })}
        />
        <ul class="list-inline d-flex flex-wrap gap-2">
          <li class="list-inline-item">
            <a class="btn btn-outline-primary" href={`${base}/statistiche.csv`} download>
              {t('messaging.bo.export.csv')}
            </a>
          </li>
          <li class="list-inline-item">
            <a class="btn btn-outline-primary" href={`${base}/statistiche.xlsx`} download>
              {t('messaging.bo.export.xlsx')}
            </a>
          </li>
          <li class="list-inline-item">
            <a class="btn btn-outline-primary" href={`/api/v1/enti/${ente.slug}/messaggi/${message.id}/statistiche`}>
              {t('messaging.bo.export.json')}
            </a>
          </li>
          {message.cap ? (
            <li class="list-inline-item">
              <a class="btn btn-outline-primary" href={`${base}/cap.xml`} download>
                {t('messaging.bo.export.cap')}
              </a>
            </li>
          ) : null}
        </ul>
      </section>
    </MessagingLayout>
  );
}

const IdParams = Type.Object({ slug: Type.String({ maxLength: 200 }), id: Type.String({ maxLength: 40 }) });

export function registerProgressPages(app: App, platform: Platform) {
  const db = platform.db.app;
  const load = async (request: FastifyRequest, staffEnte: { staff: StaffPrincipal; ente: Ente }, id: string) => {
    if (!UUID.test(id)) throw notFound(t('messaging.bo.notFound'));
    const progress = await progressOf(db, actorOf(request), staffEnte.ente.id, id);
    if (!progress) throw notFound(t('messaging.bo.notFound'));
    return progress;
  };

  app.get('/backoffice/enti/:slug/messaggi/:id', { schema: { hide: true, params: IdParams, querystring: Type.Object({ esito: Type.Optional(Type.String({ maxLength: 40 })), aggiorna: Type.Optional(Type.String({ maxLength: 4 })) }) } }, async (request, reply) => {
    const g = await guard(request, reply, platform, request.params.slug);
    if (!g) return reply;
    const progress = await load(request, g, request.params.id);
    const refreshing = !progress.done && request.query.aggiorna !== 'no';
    // The refresh drops ?esito so the success message is shown once.
    if (refreshing) reply.header('refresh', `${REFRESH_SECONDS}; url=${messagePath(g.ente.slug, progress.message.id)}`);
    return sendPage(reply, <ProgressPage request={request} ente={g.ente} progress={progress} esito={request.query.esito} refreshing={refreshing} />);
  });

  for (const format of ['csv', 'xlsx'] as const) {
    app.get(`/backoffice/enti/:slug/messaggi/:id/statistiche.${format}`, { schema: { hide: true, params: IdParams } }, async (request, reply) => {
      const g = await guard(request, reply, platform, request.params.slug);
      if (!g) return reply;
      const progress = await load(request, g, request.params.id);
      return sendTableExport(reply, format, `messaggio-${g.ente.slug}-${todayInRome()}-${progress.message.id.slice(0, 8)}`, statsTable(progress), { title: progress.message.title });
    });
  }

  app.get('/backoffice/enti/:slug/messaggi/:id/cap.xml', { schema: { hide: true, params: IdParams } }, async (request, reply) => {
    const g = await guard(request, reply, platform, request.params.slug);
    if (!g) return reply;
    if (!UUID.test(request.params.id)) throw notFound(t('messaging.bo.notFound'));
    try {
      const xml = await capAlertOf(db, g.ente, request.params.id, platform.config.publicUrl);
      return reply.type('application/xml; charset=utf-8').header('cache-control', 'no-store').header('content-disposition', `attachment; filename="cap-${g.ente.slug}-${request.params.id.slice(0, 8)}.xml"`).send(xml);
    } catch (err) {
      throw problemOf(err);
    }
  });
}
