// The albo's notifications, through messaging's notify (same channels and consent rules as every module): the
// staff who publish on an albo hear that another ente asked them to publish an act; the staff member who asked
// hears the outcome (published, with register number and
// period; or rejected, with the reason) and, once the period is over, that the final referto can be downloaded.
// Each goes in the name of the publishing ente (its tenant holds the notification) to the e-mail address of the
// requester's account, keyed per request and outcome: a repeated call or job run sends nothing twice.
import { recordAuditEvent, systemActor } from '../../platform/audit/index.js';
import { loadStaff, staffOfModule } from '../../platform/auth/index.js';
import { addDays, todayInRome } from '../../platform/calendar/index.js';
import { withCrossEnteRead, withEnte, type Trx } from '../../platform/db/index.js';
import type { JobDefinition } from '../../platform/jobs/index.js';
import { isMailAddress } from '../../platform/mail/outbox.js';
import type { Platform } from '../../platform/platform.js';
import { getCstEnte, getEnteById } from '../../platform/tenancy/index.js';
import { formatDate, t } from '../../platform/views/i18n/index.js';
import { notify } from '../messaging/index.js';
import { enteTitle } from './referto.js';
import { registerLabel } from './rules.js';
import './messages-backoffice.js';

export type RequestOutcome = 'published' | 'rejected' | 'referto';

export const REFERTO_NOTICE_QUEUE = 'noticeboard.referto-notice';
/** A missed morning (platform down) is caught up on the next runs, for this many days after the end. */
const REFERTO_CATCH_UP_DAYS = 7;

/** One e-mail notification of the albo of `enteId` (its tenant, `trx`), its text from the catalogue's `noticeboard.notify.{text}`. */
async function mailInAlboName(platform: Platform, trx: Trx, enteId: string, key: string, email: string, text: RequestOutcome | 'received', vars: Record<string, string | number>): Promise<void> {
  await notify(platform, {
    enteId,
    module: 'noticeboard',
    key,
    to: { email },
    title: t(`noticeboard.notify.${text}.title`, vars).slice(0, 200),
    body: t(`noticeboard.notify.${text}.body`, vars),
    channels: ['email'],
    trx,
  });
}

/**
 * Tells the requester of `requestId` (an albo request addressed to `targetEnteId`) about `outcome`, in `trx`
 * (bound to the target ente): the notification exists exactly when the change that caused it commits. Nothing
 * when the request was made by no one in particular (the system) or the account has no e-mail address.
 */
export async function notifyRequester(platform: Platform, trx: Trx, targetEnteId: string, requestId: number, outcome: RequestOutcome): Promise<boolean> {
  const request = await trx
    .selectFrom('notice_request as r')
    .leftJoin('notice as n', (join) => join.onRef('n.ente_id', '=', 'r.ente_id').onRef('n.id', '=', 'r.notice_id'))
    .select(['r.id', 'r.requester_ente_id', 'r.subject', 'r.created_by', 'r.rejection_reason', 'n.register_number', 'n.register_year', 'n.publish_from', 'n.effective_to'])
    .where('r.ente_id', '=', targetEnteId)
    .where('r.id', '=', requestId)
    .executeTakeFirst();
  if (!request?.created_by) return false;
  // A disabled account gets nothing; an address notify would refuse must not undo the publication it reports.
  const email = (await loadStaff(platform.db.app, request.created_by))?.email;
  if (!email || !isMailAddress(email)) return false;
  const [target, requester] = await Promise.all([getEnteById(trx, targetEnteId), getEnteById(trx, request.requester_ente_id)]);
  if (!target || !requester) return false;
  const vars = {
    target: enteTitle(target),
    requester: requester.name,
    subject: request.subject,
    register: request.register_number !== null && request.register_year !== null ? registerLabel(request.register_number, request.register_year) : '',
    from: formatDate(request.publish_from),
    to: formatDate(request.effective_to),
    reason: request.rejection_reason ?? '',
    url: `${platform.config.publicUrl}/backoffice/enti/${requester.slug}/albo/richieste`,
  };
  await mailInAlboName(platform, trx, targetEnteId, `request:${requestId}:${outcome}`, email, outcome, vars);
  return true;
}

/**
 * Tells the staff who can publish on the target's albo (its ente administrators and albo operators, enabled
 * accounts) that request `requestId` has arrived, in `trx` (bound to the target ente). Returns how many.
 */
export async function notifyPublishers(platform: Platform, trx: Trx, targetEnteId: string, requestId: number): Promise<number> {
  const request = await trx.selectFrom('notice_request').select(['requester_ente_id', 'subject', 'days']).where('ente_id', '=', targetEnteId).where('id', '=', requestId).executeTakeFirst();
  if (!request) return 0;
  const publishers = await staffOfModule(trx, targetEnteId, 'noticeboard');
  const [target, requester] = await Promise.all([getEnteById(trx, targetEnteId), getEnteById(trx, request.requester_ente_id)]);
  if (!target || !requester) return 0;
  const vars = { target: enteTitle(target), requester: requester.name, subject: request.subject, days: request.days, url: `${platform.config.publicUrl}/backoffice/enti/${target.slug}/albo/richieste` };
  let told = 0;
  for (const publisher of publishers.filter((p) => isMailAddress(p.email))) {
    await mailInAlboName(platform, trx, targetEnteId, `request:${requestId}:received:${publisher.id}`, publisher.email, 'received', vars);
    told++;
  }
  return told;
}

/**
 * Morning job: the requesters of acts whose publication ended (yesterday, or up to a week ago if the job missed
 * days) learn that the final referto is ready. Finding them crosses enti (read-only, audited on the CST).
 */
export async function notifyFinishedPublications(platform: Platform, now = new Date()): Promise<number> {
  const today = todayInRome(now);
  const ended = await withCrossEnteRead(platform.db.app, (trx) =>
    trx
      .selectFrom('notice_request as r')
      .innerJoin('notice as n', (join) => join.onRef('n.ente_id', '=', 'r.ente_id').onRef('n.id', '=', 'r.notice_id'))
      .select(['r.ente_id', 'r.id'])
      .where('r.status', '=', 'published')
      .where('r.created_by', 'is not', null)
      .where('n.effective_to', '<', today)
      .where('n.effective_to', '>=', addDays(today, -REFERTO_CATCH_UP_DAYS))
      .orderBy('r.ente_id')
      .orderBy('r.id')
      .execute(),
  );
  if (ended.length === 0) return 0;
  const cst = await getCstEnte(platform.db.app);
  if (cst) await recordAuditEvent(platform.db.app, { enteId: cst.id, actor: systemActor, action: 'cross_ente.read', entity: 'notice_request', after: { reason: 'avviso di referto disponibile', requests: ended.length } });
  let told = 0;
  for (const r of ended) {
    if (await withEnte(platform.db.app, r.ente_id, (trx) => notifyRequester(platform, trx, r.ente_id, r.id, 'referto'))) told++;
  }
  return told;
}

export function requestNotifyJobs(platform: Platform): JobDefinition[] {
  return [{ queue: REFERTO_NOTICE_QUEUE, schedule: '30 7 * * *', handler: async () => notifyFinishedPublications(platform) }];
}
