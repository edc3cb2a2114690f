// The messages of an ente (/backoffice/enti/{slug}/messaggi): state, date, topics, targeted enti and how many
// deliveries went out and arrived. Counts of messages that reach other enti are read across enti (audited once
// per page view).
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { actorOf } from '../../../platform/auth/index.js';
import { recordAudit } from '../../../platform/audit/index.js';
import { withCrossEnteRead, withEnte, sql } from '../../../platform/db/index.js';
import type { App } from '../../../platform/http/app.js';
import type { Platform } from '../../../platform/platform.js';
import { formatNumber, t } from '../../../platform/views/i18n/index.js';
import type { MessageRow } from '../store.js';
import { MessagingLayout, Outcome, StateBadge, formatDateTime, guard, messagePath, messagesPath, sendPage } from './common.js';

export const PAGE_SIZE = 25;

export interface MessageSummary {
  message: Pick<MessageRow, 'id' | 'title' | 'state' | 'topics' | 'target_ente_ids' | 'urgent' | 'created_at' | 'queued_at' | 'send_after' | 'cap'>;
  targets: string[];
  sent: number;
  delivered: number;
  planned: number;
}

/** A page of the ente's broadcasts, newest first, with the names of their targets and their delivery counts. */
export async function listMessages(platform: Platform, actor: ReturnType<typeof actorOf>, enteId: string, page: number): Promise<{ items: MessageSummary[]; total: number }> {
  const db = platform.db.app;
  const { rows, total } = await withEnte(db, enteId, async (trx) => ({
    rows: await trx
      .selectFrom('msg_message')
      .select(['id', 'title', 'state', 'topics', 'target_ente_ids', 'urgent', 'created_at', 'queued_at', 'send_after', 'cap'])
      .where('kind', '=', 'broadcast')
      .orderBy('created_at', 'desc')
      .orderBy('id')
      .limit(PAGE_SIZE)
      .offset((page - 1) * PAGE_SIZE)
      .execute(),
    total: Number((await trx.selectFrom('msg_message').select((eb) => eb.fn.countAll<number>().as('n')).where('kind', '=', 'broadcast').executeTakeFirstOrThrow()).n),
  }));
  if (rows.length === 0) return { items: [], total };
  const ids = rows.map((r) => r.id);
  const crosses = rows.some((r) => r.target_ente_ids.some((id) => id !== enteId));
  const countQuery = (trx: Parameters<Parameters<typeof withEnte>[2]>[0]) =>
    trx
      .selectFrom('msg_dispatch as d')
      .leftJoin('msg_delivery as v', (j) => j.onRef('v.ente_id', '=', 'd.ente_id').onRef('v.dispatch_id', '=', 'd.id'))
      .select([
        'd.message_id',
        sql<number>`count(v.id) filter (where v.state in ('sent', 'delivered'))`.as('sent'),
        sql<number>`count(v.id) filter (where v.state = 'delivered')`.as('delivered'),
        sql<number>`count(v.id)`.as('planned'),
      ])
      .where('d.message_ente_id', '=', enteId)
      .where('d.message_id', 'in', ids)
      .groupBy('d.message_id')
      .execute();
  let counts: Awaited<ReturnType<typeof countQuery>>;
  if (crosses) {
    await withEnte(db, enteId, (trx) => recordAudit(trx, { enteId, actor, action: 'messaging.stats.cross_read', entity: 'msg_message', entityId: null, after: { messages: ids.length } }));
    counts = await withCrossEnteRead(db, countQuery);
  } else counts = await withEnte(db, enteId, countQuery);
  const targetIds = [...new Set(rows.flatMap((r) => r.target_ente_ids))];
  const names = new Map((await db.selectFrom('ente').select(['id', 'name']).where('id', 'in', targetIds).execute()).map((e) => [e.id, e.name]));
  return {
    total,
    items: rows.map((message) => {
      const c = counts.find((x) => x.message_id === message.id);
      return { message, targets: message.target_ente_ids.map((id) => names.get(id) ?? id), sent: Number(c?.sent ?? 0), delivered: Number(c?.delivered ?? 0), planned: Number(c?.planned ?? 0) };
    }),
  };
}

export function registerListPage(app: App, platform: Platform) {
  // The ente's page links each service by its portal path (/{slug}/avvisi): the staff side of it is the messages.
  app.get('/backoffice/enti/:slug/avvisi', { schema: { hide: true, params: Type.Object({ slug: Type.String({ maxLength: 200 }) }) } }, async (request: FastifyRequest<{ Params: { slug: string } }>, reply) =>
    reply.redirect(`/backoffice/enti/${encodeURIComponent(request.params.slug)}/messaggi`, 303),
  );
  const Query = Type.Object({ pagina: Type.Optional(Type.String({ maxLength: 6 })), esito: Type.Optional(Type.String({ maxLength: 40 })) });
  app.get('/backoffice/enti/:slug/messaggi', { schema: { hide: true, params: Type.Object({ slug: Type.String({ maxLength: 200 }) }), querystring: Query } }, async (request: FastifyRequest<{ Params: { slug: string }; Querystring: { pagina?: string; esito?: string } }>, reply) => {
    const g = await guard(request, reply, platform, request.params.slug);
    if (!g) return reply;
    const { ente } = g;
    const page = request.query.pagina && /^\d{1,5}$/.test(request.query.pagina) ? Math.max(1, Number(request.query.pagina)) : 1;
    const { items, total } = await listMessages(platform, actorOf(request), ente.id, page);
    const topics = new Map((await withEnte(platform.db.app, ente.id, (trx) => trx.selectFrom('msg_topic').select(['code', 'label']).execute())).map((x) => [x.code, x.label]));
    const base = messagesPath(ente.slug);
    const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
    const title = t('messaging.bo.list.title', { name: ente.name });
    return sendPage(
      reply,
      <MessagingLayout request={request} ente={ente} title={title}>
        <h1>{title}</h1>
        <Outcome esito={request.query.esito} />
        <ul class="list-inline d-flex flex-wrap gap-2 mb-4">
          <li class="list-inline-item">
            <a class="btn btn-primary" href={`${base}/nuovo`}>
              {t('messaging.bo.list.new')}
            </a>
          </li>
          <li class="list-inline-item">
            <a class="btn btn-outline-primary" href={`${base}/modelli`}>
              {t('messaging.bo.list.templates')}
            </a>
          </li>
        </ul>
        <p role="status">{t('messaging.bo.list.count', { count: formatNumber(total) })}</p>
        {items.length === 0 ? (
          <p>{t('messaging.bo.list.empty')}</p>
        ) : (
          <div class="table-responsive">
            <table class="table align-middle">
              <caption>{t('messaging.bo.list.caption', { name: ente.name })}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('messaging.bo.col.title')}</th>
                  <th scope="col">{t('messaging.bo.col.state')}</th>
                  <th scope="col">{t('messaging.bo.col.date')}</th>
                  <th scope="col">{t('messaging.bo.col.topics')}</th>
                  <th scope="col">{t('messaging.bo.col.targets')}</th>
                  <th scope="col" class="text-end">
                    {t('messaging.bo.col.sent')}
                  </th>
                  <th scope="col" class="text-end">
                    {t('messaging.bo.col.delivered')}
                  </th>
                </tr>
              </thead>
              <tbody>
                {items.map((s) => (
                  <tr>
                    <th scope="row">
                      <a href={messagePath(ente.slug, s.message.id)}>{s.message.title}</a>
                      {s.message.urgent ? <span class="badge bg-danger ms-2">{t('messaging.bo.urgent')}</span> : null}
                    </th>
                    <td>
                      <StateBadge state={s.message.state} />
                    </td>
                    <td>{formatDateTime(s.message.queued_at ?? s.message.created_at)}</td>
                    <td>{s.message.topics.map((c) => topics.get(c) ?? c).join(', ')}</td>
                    <td>{s.targets.length > 3 ? t('messaging.bo.list.manyTargets', { first: s.targets.slice(0, 2).join(', '), count: s.targets.length - 2 }) : s.targets.join(', ')}</td>
                    <td class="text-end">{t('messaging.bo.list.ofPlanned', { n: formatNumber(s.sent), of: formatNumber(s.planned) })}</td>
                    <td class="text-end">{formatNumber(s.delivered)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {pages > 1 ? (
          <nav class="pagination-wrapper" aria-label={t('messaging.bo.list.pagination')}>
            <ul class="pagination">
              {page > 1 ? (
                <li class="page-item">
                  <a class="page-link" href={`${base}?pagina=${page - 1}`}>
                    {t('messaging.bo.list.previous')}
                  </a>
                </li>
              ) : null}
              <li class="page-item active">
                <a class="page-link" aria-current="page" href={`${base}?pagina=${page}`}>
                  {t('messaging.bo.list.pageOf', { page, pages })}
                </a>
              </li>
              {page < pages ? (
                <li class="page-item">
                  <a class="page-link" href={`${base}?pagina=${page + 1}`}>
                    {t('messaging.bo.list.next')}
                  </a>
                </li>
              ) : null}
            </ul>
          </nav>
        ) : null}
      </MessagingLayout>,
    );
  });
}
