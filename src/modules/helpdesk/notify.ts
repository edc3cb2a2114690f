// Notifications of the help desk (issue 6 point 7). Every public change of a ticket — its opening, a public
// reply or attachment, a change of state, a merge — is mailed to the requester side (the caller, the requester
// staff user, the observers), never to its author; a requester's reply goes to the assigned technician instead.
// Internal notes (and internal attachments, which are internal notes) never leave the desk.
//
// Mails are derived from the history (ticket_event, immutable) and from the tickets opened, by a job every
// minute, through messaging's notifications (same channels and consent rules as every other module; the mail
// goes on through the kernel outbox): one notification per event and address, keyed
// `ticket-event:{id}:{email}` (also the mail's outbox key, as before messaging), so a run repeated or
// overlapping sends nothing twice. Where the job got to is a cursor per ente (mail_cursor):
// - openings: the last number seen per year. Numbers are gapless and handed out under a row lock held until
//   commit, so when number n is visible every lower one is committed: the cursor can move straight to it.
// - events: ids come from a sequence, so a slow transaction may commit an id below one already seen. Events
//   above `settled` are looked at again on every run (idempotent); `settled` only moves up to what was seen
//   SETTLE_MS earlier, by when every transaction holding a lower id has ended.
// A run looks only at the enti with news past their cursor (one cross-ente probe), each in its own transaction.
// First run ever (no mail_stream row): every ente's cursor is set at the end of its history and nothing is
// sent, so the demo seed, or the tickets of a platform upgraded to this version, do not flood anyone. An ente
// created afterwards starts from its first ticket.
import { sql, type Kysely } from 'kysely';
import { recordAuditEvent, systemActor } from '../../platform/audit/index.js';
import { loadStaff } from '../../platform/auth/access.js';
import { withCrossEnteRead, withEnte, type DB, type Trx } from '../../platform/db/index.js';
import type { JobDefinition } from '../../platform/jobs/index.js';
import type { Platform } from '../../platform/platform.js';
import { isMailAddress } from '../../platform/mail/outbox.js';
import { getCstEnte } from '../../platform/tenancy/index.js';
import { notify } from '../messaging/index.js';
import { t } from '../../platform/views/i18n/index.js';
import { yearInRome } from '../../platform/calendar/index.js';
import { isDesk } from './access.js';
import { sla } from './due.js';
import './notify-messages.js';
import { ticketLabel } from './service.js';
import type { EventRow, TicketRow, TicketState } from './store.js';
import { surveyUrl } from './survey/link.js';

export const NOTIFY_QUEUE = 'helpdesk.notify';
const STREAM = 'helpdesk.notify';
const SETTLE_MS = 2 * 60_000;
const LOCK_KEY = 727_060; // advisory lock: one run at a time across processes
const EVENT_BATCH = 2000;
const TICKET_BATCH = 500;

interface Position {
  /** Last ticket number notified, per year. */
  years: Record<string, number>;
  /** Events up to this id are done for good. */
  settled: number;
  /** Highest id seen at `seenAt`; becomes `settled` SETTLE_MS later. */
  seen: number;
  seenAt: string;
}

interface EnteRef {
  id: string;
  slug: string;
  name: string;
}

interface StaffInfo {
  email: string;
  name: string;
  desk: boolean;
}

interface Author {
  email: string | null;
  name: string;
  side: 'desk' | 'requester' | 'system';
}

/** One change to announce: to whom, and what to say. */
interface Notice {
  to: string[];
  audience: 'requester' | 'desk';
  lead: string;
  body?: string | null | undefined;
  extra?: string[];
  state: TicketState;
  /** The ticket whose page the mail links to (the merge target for a merged ticket). */
  link?: TicketRow;
}

interface Run {
  platform: Platform;
  cstId: string | undefined;
  now: Date;
  staffById: Map<string, StaffInfo | null>;
}

export function helpdeskNotifyJobs(platform: Platform): JobDefinition[] {
  return [{ queue: NOTIFY_QUEUE, schedule: '* * * * *', handler: async () => void (await deliverTicketNotifications(platform)) }];
}

/**
 * Queues the mails of every public change not yet notified, in every ente (each in its own transaction, with
 * its cursor). Returns how many mails were queued; `started` on the very first run (nothing is sent then).
 */
export async function deliverTicketNotifications(platform: Platform, options: { now?: Date } = {}): Promise<{ mails: number; started: boolean }> {
  const now = options.now ?? new Date();
  return platform.db.app.connection().execute(async (conn) => {
    await sql`select pg_advisory_lock(${LOCK_KEY})`.execute(conn);
    try {
      const started = !(await conn.selectFrom('mail_stream').select('stream').where('stream', '=', STREAM).executeTakeFirst());
      const cstId = (await getCstEnte(conn))?.id;
      const enti = started ? await conn.selectFrom('ente').select(['id', 'slug', 'name']).orderBy('slug').execute() : await entiWithNews(conn, cstId, now);
      const run: Run = { platform, cstId, now, staffById: new Map() };
      let mails = 0;
      for (const ente of enti) {
        try {
          mails += await withEnte(conn, ente.id, (trx) => (started ? startAtEnd(trx, ente, now) : notifyEnte(run, trx, ente)));
        } catch (err) {
          if (started) throw err; // the stream must not count as started with an ente left without its cursor
          platform.log.error({ err, ente: ente.slug }, 'help desk notifications failed for an ente');
        }
      }
      if (started) {
        await conn.insertInto('mail_stream').values({ stream: STREAM }).onConflict((oc) => oc.column('stream').doNothing()).execute();
        platform.log.info({ enti: enti.length }, 'help desk notifications start from now: earlier history is not mailed');
      }
      return { mails, started };
    } finally {
      await sql`select pg_advisory_unlock(${LOCK_KEY})`.execute(conn);
    }
  });
}

/**
 * The enti with tickets or events past their cursor: one indexed probe each, in a single cross-ente read
 * (audited on the CST's log when it finds any), instead of a transaction per ente every minute.
 */
async function entiWithNews(conn: Kysely<DB>, cstId: string | undefined, now: Date): Promise<EnteRef[]> {
  const year = yearInRome(now);
  const opened = (y: number) => sql`exists (select 1 from ticket t where t.ente_id = e.id and t.year = ${y}
    and t.number > coalesce((c.position -> 'years' ->> ${String(y)})::int, 0))`;
  const enti = await withCrossEnteRead(conn, async (trx) => {
    const { rows } = await sql<EnteRef>`
      select e.id, e.slug, e.name
        from ente e
        left join mail_cursor c on c.ente_id = e.id and c.stream = ${STREAM}
       where exists (select 1 from ticket_event v where v.ente_id = e.id and v.id > coalesce((c.position ->> 'settled')::bigint, 0))
          or ${opened(year)} or ${opened(year - 1)}
       order by e.slug`.execute(trx);
    return rows;
  });
  if (enti.length > 0 && cstId) {
    await recordAuditEvent(conn, { enteId: cstId, actor: systemActor, action: 'cross_ente.read', entity: 'ticket', after: { reason: 'notifiche del help desk: enti con novità', enti: enti.length } });
  }
  return enti;
}

async function readPosition(trx: Trx): Promise<Position | undefined> {
  const row = await trx.selectFrom('mail_cursor').select('position').where('stream', '=', STREAM).forUpdate().executeTakeFirst();
  return row?.position as Position | undefined;
}

async function writePosition(trx: Trx, enteId: string, position: Position): Promise<void> {
  const json = JSON.stringify(position);
  await trx
    .insertInto('mail_cursor')
    .values({ ente_id: enteId, stream: STREAM, position: json })
    .onConflict((oc) => oc.columns(['ente_id', 'stream']).doUpdateSet({ position: json, updated_at: sql`now()` }))
    .execute();
}

/** First run: the cursor at the end of the ente's history. */
async function startAtEnd(trx: Trx, ente: EnteRef, now: Date): Promise<number> {
  if (await readPosition(trx)) return 0;
  const years = await trx.selectFrom('ticket').select(['year', (eb) => eb.fn.max('number').as('last')]).groupBy('year').execute();
  const last = await trx.selectFrom('ticket_event').select((eb) => eb.fn.max('id').as('id')).executeTakeFirst();
  const id = Number(last?.id ?? 0);
  await writePosition(trx, ente.id, { years: Object.fromEntries(years.map((y) => [String(y.year), Number(y.last)])), settled: id, seen: id, seenAt: now.toISOString() });
  return 0;
}

async function notifyEnte(run: Run, trx: Trx, ente: EnteRef): Promise<number> {
  const position = (await readPosition(trx)) ?? { years: {}, settled: 0, seen: 0, seenAt: new Date(0).toISOString() };
  const before = JSON.stringify(position);
  const promote = run.now.getTime() - Date.parse(position.seenAt) >= SETTLE_MS;
  if (promote) position.settled = Math.max(position.settled, position.seen);
  const tickets = new Map<string, TicketRow>();
  const ticketOf = async (id: string) => {
    if (!tickets.has(id)) tickets.set(id, (await trx.selectFrom('ticket').selectAll().where('id', '=', id).executeTakeFirstOrThrow()) as TicketRow);
    return tickets.get(id)!;
  };
  let mails = 0;

  const year = yearInRome(run.now);
  for (const y of [year - 1, year]) {
    const opened = (await trx
      .selectFrom('ticket')
      .selectAll()
      .where('year', '=', y)
      .where('number', '>', position.years[String(y)] ?? 0)
      .orderBy('number')
      .limit(TICKET_BATCH)
      .execute()) as TicketRow[];
    for (const ticket of opened) {
      tickets.set(ticket.id, ticket);
      mails += await send(run, trx, ente, ticket, `ticket-opened:${ticket.id}`, null, await openingNotice(run, trx, ticket));
    }
    if (opened.length > 0) position.years[String(y)] = opened.at(-1)!.number;
  }
  for (const key of Object.keys(position.years)) if (Number(key) < year - 1) delete position.years[key];

  const events = (await trx.selectFrom('ticket_event').selectAll().where('id', '>', position.settled).orderBy('id').limit(EVENT_BATCH).execute()) as EventRow[];
  for (const event of events) {
    const ticket = await ticketOf(event.ticket_id);
    const notice = await eventNotice(run, trx, ticket, event, ticketOf);
    if (notice) mails += await send(run, trx, ente, ticket, `ticket-event:${event.id}`, event.id, notice);
  }
  if (promote) {
    position.seen = Math.max(position.settled, events.at(-1)?.id ?? 0);
    position.seenAt = run.now.toISOString();
  }
  if (JSON.stringify(position) !== before) await writePosition(trx, ente.id, position);
  return mails;
}

// --- who -------------------------------------------------------------------------------------------------

async function staffInfo(run: Run, id: string): Promise<StaffInfo | null> {
  if (!run.staffById.has(id)) {
    const staff = await loadStaff(run.platform.db.app, id);
    run.staffById.set(id, staff ? { email: staff.email, name: staff.displayName, desk: isDesk(staff, run.cstId) } : null);
  }
  return run.staffById.get(id)!;
}

const EMAIL_IN = /[^\s<>@]+@[^\s<>@]+\.[^\s<>@]+/;

/** Who made the change. Without a staff account: someone writing by e-mail (the intake labels them by address) or the system. */
async function authorOf(run: Run, event: Pick<EventRow, 'author_id' | 'author_label'>): Promise<Author> {
  if (event.author_id) {
    const staff = await staffInfo(run, event.author_id);
    if (staff) return { email: staff.email, name: staff.name, side: staff.desk ? 'desk' : 'requester' };
    return { email: null, name: event.author_label, side: 'system' };
  }
  const email = EMAIL_IN.exec(event.author_label)?.[0]?.toLowerCase() ?? null;
  if (!email) return { email: null, name: event.author_label, side: 'system' };
  const account = await run.platform.db.app.selectFrom('staff_user').select('id').where('email', '=', email).executeTakeFirst();
  const staff = account ? await staffInfo(run, account.id) : null;
  return { email, name: staff?.name ?? email, side: staff?.desk ? 'desk' : 'requester' };
}

/** The requester side of a ticket: its caller, its requester staff user and its observers. */
async function requesterSide(run: Run, trx: Trx, ticket: TicketRow): Promise<string[]> {
  const emails: string[] = [];
  if (ticket.caller_email) emails.push(ticket.caller_email);
  if (ticket.requester_id) {
    const requester = await staffInfo(run, ticket.requester_id);
    if (requester) emails.push(requester.email);
  }
  const observers = await trx.selectFrom('ticket_observer').select('email').where('ticket_id', '=', ticket.id).orderBy('added_at').execute();
  return [...emails, ...observers.map((o) => o.email)];
}

async function assigneeOf(run: Run, ticket: TicketRow): Promise<string[]> {
  const assignee = ticket.assignee_id ? await staffInfo(run, ticket.assignee_id) : null;
  return assignee ? [assignee.email] : [];
}

// --- what ------------------------------------------------------------------------------------------------

const romeDateTime = new Intl.DateTimeFormat('it-IT', { timeZone: 'Europe/Rome', day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });

function italianDateTime(at: Date): string {
  const part = (type: string) => romeDateTime.formatToParts(at).find((p) => p.type === type)?.value ?? '';
  return t('helpdesk.notify.dateTime', { date: `${part('day')}/${part('month')}/${part('year')}`, time: `${part('hour')}:${part('minute')}` });
}

async function openingNotice(run: Run, trx: Trx, ticket: TicketRow): Promise<Notice & { author: Author }> {
  const status = sla(ticket, [], ticket.opened_at);
  const author = ticket.created_by ? await authorOf(run, { author_id: ticket.created_by, author_label: '' }) : { email: null, name: '', side: 'system' as const };
  return {
    author,
    to: await requesterSide(run, trx, ticket),
    audience: 'requester',
    lead: t('helpdesk.notify.opened', { label: ticketLabel(ticket) }),
    body: ticket.description,
    extra: [t('helpdesk.notify.opened.sla', { priority: ticket.priority, firstResponse: italianDateTime(status.firstResponse.dueAt), resolution: italianDateTime(status.resolution.dueAt) })],
    state: 'new',
  };
}

const sameInstant = (a: Date | null, b: Date) => a !== null && a.getTime() === b.getTime();
/** A merged ticket's own closing and merge events are the ones written at the moment it was closed. */
const isMergeOfSource = (ticket: TicketRow, event: EventRow) => ticket.merged_into !== null && sameInstant(ticket.closed_at, event.at);

const STATE_LEADS: Partial<Record<TicketState, string>> = {
  assigned: 'helpdesk.notify.assigned',
  waiting_ente: 'helpdesk.notify.waiting',
  solved: 'helpdesk.notify.solved',
  closed: 'helpdesk.notify.closed',
  reopened: 'helpdesk.notify.reopened',
};

async function eventNotice(run: Run, trx: Trx, ticket: TicketRow, event: EventRow, ticketOf: (id: string) => Promise<TicketRow>): Promise<(Notice & { author: Author }) | null> {
  const label = ticketLabel(ticket);
  if (!['public_reply', 'attachment', 'state_change', 'merge'].includes(event.kind)) return null; // internal by nature
  const author = await authorOf(run, event);
  const fromRequester = author.side === 'requester';

  if (event.kind === 'public_reply' || event.kind === 'attachment') {
    const key = event.kind === 'attachment' ? 'helpdesk.notify.attachment' : fromRequester ? 'helpdesk.notify.requesterReply' : 'helpdesk.notify.reply';
    return {
      author,
      to: fromRequester ? await assigneeOf(run, ticket) : await requesterSide(run, trx, ticket),
      audience: fromRequester ? 'desk' : 'requester',
      lead: t(key, { author: author.name, label }),
      body: event.body,
      state: ticket.state,
    };
  }

  if (event.kind === 'state_change') {
    const to = event.to_state;
    const leadKey = to ? STATE_LEADS[to] : undefined;
    if (!to || !leadKey || isMergeOfSource(ticket, event)) return null; // a merge is announced by its merge event
    let lead = t(leadKey, { label });
    const extra: string[] = [];
    if (event.body) extra.push(t('helpdesk.notify.comment', { comment: event.body }));
    if (to === 'assigned') {
      const assignment = await trx.selectFrom('ticket_event').select('body').where('ticket_id', '=', ticket.id).where('kind', '=', 'assignment').where('id', '<', event.id).orderBy('id', 'desc').executeTakeFirst();
      lead = assignment?.body ? t(leadKey, { label, assignee: assignment.body }) : t('helpdesk.notify.assigned.nobody', { label });
    }
    if (to === 'waiting_ente') extra.push(t('helpdesk.notify.waiting.how'));
    if (to === 'solved') extra.push(t('helpdesk.notify.solved.reopen'), t('helpdesk.notify.solved.survey', { url: surveyUrl(run.platform, ticket.ente_id, ticket.id) }));
    const people = await requesterSide(run, trx, ticket);
    return { author, to: fromRequester ? [...people, ...(await assigneeOf(run, ticket))] : people, audience: 'requester', lead, extra, state: to };
  }

  // A merge: the merged ticket's people learn where it went; the surviving ticket's, what joined it.
  if (isMergeOfSource(ticket, event)) {
    const target = await ticketOf(ticket.merged_into!);
    return { author, to: await requesterSide(run, trx, ticket), audience: 'requester', lead: t('helpdesk.notify.mergedInto', { label, target: ticketLabel(target) }), state: 'closed', link: target };
  }
  const source = (await trx.selectFrom('ticket').selectAll().where('merged_into', '=', ticket.id).where('closed_at', '=', event.at).executeTakeFirst()) as TicketRow | undefined;
  const informed = new Set(source ? await requesterSide(run, trx, source) : []);
  const people = (await requesterSide(run, trx, ticket)).filter((email) => !informed.has(email));
  const lead = t('helpdesk.notify.absorbed', { label, source: source ? ticketLabel(source) : '', subject: source?.subject ?? '' });
  return { author, to: people, audience: 'requester', lead, state: ticket.state };
}

// --- how -------------------------------------------------------------------------------------------------

function ticketUrl(run: Run, ente: EnteRef, ticketId: string): string {
  return `${run.platform.config.publicUrl}/backoffice/enti/${ente.slug}/assistenza/ticket/${ticketId}`;
}

/** The inbound address of the help desk, where replies go (HELPDESK_ADDRESS, default assistenza@ the public host). */
export function helpdeskAddress(platform: Pick<Platform, 'config' | 'mail'>): string {
  return platform.config.helpdeskAddress ?? `assistenza@${platform.mail.domain}`;
}

function mailText(run: Run, ente: EnteRef, ticket: TicketRow, notice: Notice): string {
  const link = notice.link ?? ticket;
  const lines = [notice.lead];
  if (notice.body) lines.push('', notice.body.trim());
  for (const line of notice.extra ?? []) lines.push('', line);
  lines.push(
    '',
    t('helpdesk.notify.facts.ticket', { label: ticketLabel(ticket), subject: ticket.subject }),
    t('helpdesk.notify.facts.ente', { ente: ente.name }),
    t('helpdesk.notify.facts.state', { state: t(`helpdesk.notify.state.${notice.state}`) }),
    t('helpdesk.notify.facts.link', { url: ticketUrl(run, ente, link.id) }),
  );
  if (notice.audience === 'requester') lines.push('', t('helpdesk.notify.replyHint'));
  lines.push('', '-- ', t('helpdesk.notify.signature'));
  return `${lines.join('\n')}\n`;
}

/** Queues one mail per recipient (never the author); returns how many were new. */
async function send(run: Run, trx: Trx, ente: EnteRef, ticket: TicketRow, keyPrefix: string, eventId: number | null, notice: Notice & { author: Author }): Promise<number> {
  const recipients = [...new Set(notice.to.map((e) => e.trim().toLowerCase()))].filter((email) => email !== notice.author.email);
  // An address the outbox would refuse must not block the ente's other notifications: it is skipped.
  const invalid = recipients.filter((email) => !isMailAddress(email));
  if (invalid.length > 0) run.platform.log.warn({ ticket: ticket.id, invalid }, 'help desk notification: addresses skipped');
  const { domain } = run.platform.mail;
  const root = `<ticket.${ticket.id}@${domain}>`;
  // The opening is the root of the thread; every later mail answers it, so mail clients (and the intake) thread.
  const headers: Record<string, string> = {
    'Message-ID': eventId === null ? root : `<ticket.${ticket.id}.${eventId}@${domain}>`,
    ...(eventId === null ? {} : { 'In-Reply-To': root, References: root }),
    'Reply-To': helpdeskAddress(run.platform),
    'Auto-Submitted': 'auto-generated',
    'X-Auto-Response-Suppress': 'All',
  };
  const subject = `[CST #${ticketLabel(ticket)}] ${ticket.subject.replace(/\s+/g, ' ').trim()}`;
  const text = mailText(run, ente, ticket, notice);
  let created = 0;
  for (const email of recipients.filter(isMailAddress)) {
    const key = `${keyPrefix}:${email}`;
    // Sent as the desk (the platform's sender), not as the ticket's ente.
    const mail = { headers, from: run.platform.mail.from, outboxKey: key };
    const notified = await notify(run.platform, { enteId: ente.id, module: 'helpdesk', key, to: { email }, title: subject, body: text, email: mail, trx });
    if (notified.created && notified.deliveries.length > 0) created++;
  }
  return created;
}
