// The desk's queue (/backoffice/assistenza): the open tickets of every ente, nearest due time first, with
// filters (ente, priority, assignee) and pages. The rows come from cstQueue, which reads the stored due times
// through an index; the page adds one query for the assignees' names, never one per row.
import { Type } from 'typebox';
import { actorOf } from '../../../platform/auth/index.js';
import type { App } from '../../../platform/http/app.js';
import type { Platform } from '../../../platform/platform.js';
import { formatNumber, t } from '../../../platform/views/i18n/index.js';
import { cstQueue, type QueueItem } from '../service.js';
import type { Priority } from '../store.js';
import { Outcome, PageLayout, Pagination, PriorityBadge, SlaBadge, StateBadge, UUID, deskGuard, deskPath, deskTicketPath, formatDateTime, pageNumber, queryString, sendPage } from './common.js';
import { allEnti, deskStaff, staffNames } from './reads.js';
import { DeskNav } from './nav.js';

const PAGE_SIZE = 50;
const PRIORITIES: Priority[] = ['P1', 'P2', 'P3', 'P4'];

const QueueQuery = Type.Object({
  ente: Type.Optional(Type.String({ maxLength: 100 })),
  priorita: Type.Optional(Type.String({ maxLength: 2 })),
  assegnatario: Type.Optional(Type.String({ maxLength: 40 })),
  pagina: Type.Optional(Type.String({ maxLength: 6 })),
  esito: Type.Optional(Type.String({ maxLength: 40 })),
});

/** The running deadline: paused tickets say so; otherwise the due time and its state in words and colour. */
function DueCell({ item }: { item: QueueItem }) {
  if (item.paused) return <SlaBadge state="paused" />;
  const current = item.firstResponseAt ? item.sla.resolution : item.sla.firstResponse;
  return (
    <>
      <SlaBadge state={current.state} />
      <span class="d-block small">{t('helpdesk.pages.queue.dueAt', { at: formatDateTime(item.dueAt ?? current.dueAt) })}</span>
    </>
  );
}

function QueueTable({ items, names, caption }: { items: QueueItem[]; names: Map<string, string>; caption: string }) {
  return (
    <div class="table-responsive">
      <table class="table align-middle">
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{t('helpdesk.pages.col.number')}</th>
            <th scope="col">{t('helpdesk.pages.col.ente')}</th>
            <th scope="col">{t('helpdesk.pages.col.subject')}</th>
            <th scope="col">{t('helpdesk.pages.col.priority')}</th>
            <th scope="col">{t('helpdesk.pages.col.state')}</th>
            <th scope="col">{t('helpdesk.pages.col.assignee')}</th>
            <th scope="col">{t('helpdesk.pages.col.due')}</th>
          </tr>
        </thead>
        <tbody>
          {items.map((item) => (
            <tr>
              <th scope="row">
                <a href={deskTicketPath(item.ente.slug, item.id)}>{item.label}</a>
              </th>
              <td>{item.ente.name}</td>
              <td>{item.subject}</td>
              <td>
                <PriorityBadge priority={item.priority} />
              </td>
              <td>
                <StateBadge state={item.state} />
              </td>
              <td>{item.assigneeId ? (names.get(item.assigneeId) ?? '—') : t('helpdesk.pages.unassigned')}</td>
              <td>
                <DueCell item={item} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function registerQueuePage(app: App, platform: Platform): void {
  const { db } = platform;

  app.get(deskPath, { schema: { hide: true, querystring: QueueQuery } }, async (request, reply) => {
    const guarded = await deskGuard(request, reply, platform);
    if (!guarded) return reply;
    const q = request.query;
    const [enti, staff] = await Promise.all([allEnti(db.app), deskStaff(db.app, guarded.cst.id)]);
    const ente = q.ente ? enti.find((e) => e.slug === q.ente) : undefined;
    const priority = PRIORITIES.find((p) => p === q.priorita);
    const assigneeId = q.assegnatario === 'miei' ? guarded.staff.id : q.assegnatario && UUID.test(q.assegnatario) ? q.assegnatario : undefined;
    const page = pageNumber(q.pagina);
    const queue = await cstQueue(db.app, actorOf(request), { limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE, enteId: ente?.id, priority, assigneeId });
    const names = await staffNames(db.app, queue.items.map((i) => i.assigneeId));
    const filters = { ente: ente?.slug, priorita: priority, assegnatario: q.assegnatario === 'miei' || assigneeId ? q.assegnatario : undefined };
    const title = t('helpdesk.pages.queue.title');
    return sendPage(
      reply,
      <PageLayout request={request} title={title} crumbs={[{ label: t('helpdesk.pages.crumb.desk') }]}>
        <h1>{title}</h1>
        <DeskNav />
        <Outcome esito={q.esito} />
        <p>{t('helpdesk.pages.queue.intro')}</p>
        <p>
          <a class="btn btn-primary" href={`${deskPath}/nuovo`}>
            {t('helpdesk.pages.queue.new')}
          </a>
        </p>
        <form method="get" action={deskPath} class="row g-3 align-items-end mb-4" aria-label={t('helpdesk.pages.queue.filters')}>
          <div class="col-md-4">
            <label for="filtro-ente" class="form-label">
              {t('helpdesk.pages.col.ente')}
            </label>
            <select id="filtro-ente" name="ente" class="form-select">
              <option value="">{t('helpdesk.pages.filter.allEnti')}</option>
              {enti.map((e) => (
                <option value={e.slug} selected={ente?.id === e.id}>
                  {e.name}
                </option>
              ))}
            </select>
          </div>
          <div class="col-md-3">
            <label for="filtro-priorita" class="form-label">
              {t('helpdesk.pages.col.priority')}
            </label>
            <select id="filtro-priorita" name="priorita" class="form-select">
              <option value="">{t('helpdesk.pages.filter.allPriorities')}</option>
              {PRIORITIES.map((p) => (
                <option value={p} selected={priority === p}>
                  {t(`helpdesk.pages.priority.${p}`)}
                </option>
              ))}
            </select>
          </div>
          <div class="col-md-3">
            <label for="filtro-assegnatario" class="form-label">
              {t('helpdesk.pages.col.assignee')}
            </label>
            <select id="filtro-assegnatario" name="assegnatario" class="form-select">
              <option value="">{t('helpdesk.pages.filter.all')}</option>
              <option value="miei" selected={q.assegnatario === 'miei'}>
                {t('helpdesk.pages.filter.mine')}
              </option>
              {staff.map((s) => (
                <option value={s.id} selected={q.assegnatario === s.id}>
                  {s.name}
                </option>
              ))}
            </select>
          </div>
          <div class="col-md-2 d-flex gap-2">
            <button type="submit" class="btn btn-outline-primary">
              {t('helpdesk.pages.filter.apply')}
            </button>
          </div>
        </form>
        {queue.items.length === 0 ? (
          <p>{t('helpdesk.pages.queue.empty')}</p>
        ) : (
          <QueueTable items={queue.items} names={names} caption={t('helpdesk.pages.queue.caption', { shown: formatNumber(queue.items.length), total: formatNumber(queue.total) })} />
        )}
        <Pagination total={queue.total} pageSize={PAGE_SIZE} page={page} href={(p) => `${deskPath}${queryString({ ...filters, pagina: p })}`} />
      </PageLayout>,
    );
  });
}
