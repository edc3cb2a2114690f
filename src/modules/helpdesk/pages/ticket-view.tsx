// The parts of a ticket page both sides see: the data of the ticket, where it stands against its SLA, and the
// timeline of its events (internal notes, shown to the desk only, look different and say so in words).
import type { ComponentChildren } from 'preact';
import { t } from '../../../platform/views/i18n/index.js';
import type { TicketEventView, TicketView } from '../service.js';
import type { SlaStatus } from '../sla/clock.js';
import { PriorityBadge, SlaBadge, StateBadge, formatDateTime, remainingText, stateText } from './common.js';
import { AttachmentList, type AttachmentView } from './parts.js';

export type TicketDetail = TicketView & { events: TicketEventView[] };

function Row({ label, children }: { label: string; children: ComponentChildren }) {
  return (
    <>
      <dt class="col-sm-4">{label}</dt>
      <dd class="col-sm-8">{children}</dd>
    </>
  );
}

const Text = ({ children }: { children: string }) => <div style="white-space: pre-wrap">{children}</div>;

export function TicketData({ ticket, ente, category, assignee, mergedInto }: { ticket: TicketDetail; ente: ComponentChildren; category: string; assignee: string | null; mergedInto?: ComponentChildren }) {
  const caller = [ticket.caller.name, ticket.caller.phone, ticket.caller.email].filter(Boolean).join(' · ');
  return (
    <section aria-labelledby="dati" class="mb-4">
      <h2 id="dati" class="h4">
        {t('helpdesk.pages.ticket.data')}
      </h2>
      <dl class="row">
        <Row label={t('helpdesk.pages.col.ente')}>{ente}</Row>
        <Row label={t('helpdesk.pages.col.state')}>
          <StateBadge state={ticket.state} />
        </Row>
        {mergedInto ? <Row label={t('helpdesk.pages.field.mergedInto')}>{mergedInto}</Row> : null}
        <Row label={t('helpdesk.pages.col.priority')}>
          <PriorityBadge priority={ticket.priority} /> <span class="small">{t('helpdesk.pages.field.urgencyImpact.value', { u: ticket.urgency, i: ticket.impact })}</span>
        </Row>
        <Row label={t('helpdesk.pages.field.category')}>{category}</Row>
        <Row label={t('helpdesk.pages.field.channel')}>{t(`helpdesk.pages.channel.${ticket.channel}`)}</Row>
        <Row label={t('helpdesk.pages.field.caller')}>{caller}</Row>
        <Row label={t('helpdesk.pages.col.assignee')}>{assignee ?? t('helpdesk.pages.unassigned')}</Row>
        <Row label={t('helpdesk.pages.col.opened')}>{formatDateTime(ticket.openedAt)}</Row>
        <Row label={t('helpdesk.pages.field.firstResponse')}>{ticket.firstResponseAt ? formatDateTime(ticket.firstResponseAt) : t('helpdesk.pages.noAnswerYet')}</Row>
        {ticket.solvedAt ? <Row label={t('helpdesk.pages.field.solvedAt')}>{formatDateTime(ticket.solvedAt)}</Row> : null}
        {ticket.closedAt ? <Row label={t('helpdesk.pages.field.closedAt')}>{formatDateTime(ticket.closedAt)}</Row> : null}
      </dl>
      <h3 class="h6">{t('helpdesk.pages.field.description')}</h3>
      <Text>{ticket.description}</Text>
    </section>
  );
}

/** The state of one target: met or missed once done; running, paused, or (for first response) not yet. */
function SlaRow({ label, status, done, paused }: { label: string; status: SlaStatus; done: Date | null; paused: boolean }) {
  let state;
  if (done) state = status.state === 'breached' ? t('helpdesk.pages.sla.missed') : t('helpdesk.pages.sla.met');
  return (
    <tr>
      <th scope="row">{label}</th>
      <td>{formatDateTime(status.dueAt)}</td>
      <td>{done ? formatDateTime(done) : remainingText(status)}</td>
      <td>{state ?? <SlaBadge state={paused ? 'paused' : status.state} />}</td>
    </tr>
  );
}

export function TicketSlaTable({ ticket }: { ticket: TicketDetail }) {
  const paused = ticket.state === 'waiting_ente';
  const over = ticket.state === 'solved' || ticket.state === 'closed';
  return (
    <section aria-labelledby="sla" class="mb-4">
      <h2 id="sla" class="h4">
        {t('helpdesk.pages.ticket.sla')}
      </h2>
      <div class="table-responsive">
        <table class="table table-sm">
          <caption>{t('helpdesk.pages.ticket.sla.caption')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('helpdesk.pages.ticket.sla.target')}</th>
              <th scope="col">{t('helpdesk.pages.ticket.sla.due')}</th>
              <th scope="col">{t('helpdesk.pages.ticket.sla.remaining')}</th>
              <th scope="col">{t('helpdesk.pages.ticket.sla.state')}</th>
            </tr>
          </thead>
          <tbody>
            <SlaRow label={t('helpdesk.pages.field.firstResponse')} status={ticket.sla.firstResponse} done={ticket.firstResponseAt} paused={paused} />
            <SlaRow label={t('helpdesk.pages.field.resolution')} status={ticket.sla.resolution} done={over ? ticket.solvedAt : null} paused={paused} />
          </tbody>
        </table>
      </div>
    </section>
  );
}

function eventTitle(e: TicketEventView): string {
  switch (e.kind) {
    case 'state_change':
      return e.fromState
        ? t('helpdesk.pages.event.state_change', { from: stateText(e.fromState), to: stateText(e.toState!) })
        : t('helpdesk.pages.event.state_change.first', { to: stateText(e.toState!) });
    case 'assignment':
      return t('helpdesk.pages.event.assignment', { name: e.body ?? '' });
    case 'observer':
      return t(e.body?.startsWith('-') ? 'helpdesk.pages.event.observer.remove' : 'helpdesk.pages.event.observer.add', { email: (e.body ?? '').replace(/^[+-]\s*/, '') });
    default:
      return t(`helpdesk.pages.event.${e.kind}`);
  }
}

/** Whether the event's body is shown under its title (the title already says it for these). */
const showsBody = (e: TicketEventView) => e.body && e.kind !== 'assignment' && e.kind !== 'observer';

export function Timeline({ events, attachments, slug, ticketId }: { events: TicketEventView[]; attachments: AttachmentView[]; slug: string; ticketId: string }) {
  return (
    <section aria-labelledby="cronologia" class="mb-4">
      <h2 id="cronologia" class="h4">
        {t('helpdesk.pages.ticket.timeline')}
      </h2>
      {events.length === 0 ? <p>{t('helpdesk.pages.ticket.timeline.empty')}</p> : null}
      <ol class="list-unstyled">
        {events.map((e) => {
          const note = e.kind === 'internal_note';
          const message = note || e.kind === 'public_reply';
          const files = attachments.filter((a) => a.eventId === e.id);
          return (
            <li id={`evento-${e.id}`} class={`mb-3 p-3 border rounded ${note ? 'border-warning border-2 bg-warning bg-opacity-10' : message ? 'border-primary' : 'border-light bg-light'}`}>
              <p class="mb-1">
                <strong>{eventTitle(e)}</strong> <span class="small">— {t('helpdesk.pages.event.by', { author: e.author, at: formatDateTime(e.at) })}</span>
              </p>
              {showsBody(e) ? <Text>{e.body!}</Text> : null}
              <AttachmentList items={files} slug={slug} ticketId={ticketId} />
            </li>
          );
        })}
      </ol>
    </section>
  );
}
