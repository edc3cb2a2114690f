// The citizen's side of subscriptions: ask to subscribe (or to unsubscribe) with a phone and/or an e-mail, get a
// one-time code on each, confirm it; then the subscription is made in every chosen ente (one subscriber per
// ente, see 001_messaging.sql) with the consent text the page showed. Unsubscribing works from the page (code
// first, then the choice of topics per ente) and from the link of every e-mail (its token is the secret).
import { randomUUID } from 'node:crypto';
import { recordAudit, recordAuditEvent, type Actor } from '../../../platform/audit/index.js';
import { withCrossEnteRead, withEnte } from '../../../platform/db/index.js';
import type { Platform } from '../../../platform/platform.js';
import { getCstEnte, listEnti, type Ente } from '../../../platform/tenancy/index.js';
import { t } from '../../../platform/views/i18n/index.js';
import { MessagingError, listTopics } from '../service.js';
import { revoke, subscribe } from '../consent.js';
import { normalizePhone, PhoneNumberError } from '../sms/phone.js';
import { checkCode, issueOtp, lockFlow, OtpError, type CodeCheck, type OtpChannel } from './otp.js';
import './messages.js';

/** How long a confirmed unsubscribe code lets the citizen choose what to leave. */
export const MANAGE_WINDOW_MS = 30 * 60_000;
export const MAX_OTHER_ENTI = 60;
const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,190}\.[^\s@]{2,}$/;

export type FieldErrors = Record<string, string>;

/** Form errors, each next to its field (Italian). */
export class SubscriptionInvalid extends Error {
  constructor(readonly fields: FieldErrors) {
    super(Object.values(fields).join('; '));
    this.name = 'SubscriptionInvalid';
  }
}

/** The consent the page shows, recorded word for word with each topic granted. */
export const consentText = (ente: Pick<Ente, 'name'>) => t('messaging.subs.consent.text', { ente: ente.name });

export const citizenActor = (label: string, ip: string | null): Actor => ({ id: null, label: `cittadino:${label}`, ip: ip ?? undefined });

/** "+39 333 ***4567", "m***@example.org": enough for an operator or a page to recognise, not to copy. */
export const maskPhone = (phone: string) => `${phone.slice(0, 3)} ${phone.slice(3, 6)} ***${phone.slice(-4)}`;
export const maskEmail = (email: string) => `${email.slice(0, 1)}***${email.slice(email.indexOf('@'))}`;

export function normaliseContact(phoneInput: string, emailInput: string, errors: FieldErrors): { phone: string | null; email: string | null } {
  let phone: string | null = null;
  if (phoneInput.trim()) {
    try {
      const parsed = normalizePhone(phoneInput);
      if (parsed.smsCapable) phone = parsed.e164;
      else errors.telefono = t('messaging.subs.err.notMobile');
    } catch (e) {
      if (!(e instanceof PhoneNumberError)) throw e;
      errors.telefono = e.message;
    }
  }
  const email = emailInput.trim().toLowerCase() || null;
  if (email && (email.length > 254 || !EMAIL.test(email))) errors.email = t('messaging.subs.err.email');
  return { phone, email };
}

/** The other comuni of the network a citizen may follow from this page (current ones, by name). */
export async function otherComuni(platform: Platform, ente: Ente): Promise<Ente[]> {
  const { items } = await listEnti(platform.db.app, { kind: 'comune', limit: 2000, offset: 0 });
  return items.filter((e) => e.id !== ente.id).sort((a, b) => a.name.localeCompare(b.name, 'it'));
}

export interface SubscribeForm {
  phone: string;
  email: string;
  topics: string[];
  /** Slugs of further comuni. */
  others: string[];
  consent: boolean;
}

interface EnteChoice {
  id: string;
  name: string;
  slug: string;
  topics: string[];
}

export interface SubscribeRequest {
  kind: 'subscribe';
  flow: string;
  enti: EnteChoice[];
  phone: string | null;
  email: string | null;
  fiscalCode: string | null;
  consentText: string;
}

export interface UnsubscribeRequest {
  kind: 'unsubscribe';
  flow: string;
  phone: string | null;
  email: string | null;
}

export interface Requested {
  flow: string;
  channels: OtpChannel[];
}

async function issueAll(platform: Platform, ente: Ente, request: SubscribeRequest | UnsubscribeRequest, ip: string | null): Promise<Requested> {
  const channels: OtpChannel[] = [...(request.phone ? (['sms'] as const) : []), ...(request.email ? (['email'] as const) : [])];
  await withEnte(platform.db.app, ente.id, async (trx) => {
    for (const channel of channels) {
      const address = channel === 'sms' ? request.phone! : request.email!;
      await issueOtp(platform, trx, { enteId: ente.id, enteName: ente.name, channel, address, request: { ...request }, ip });
    }
  });
  return { flow: request.flow, channels };
}

/** Validates the subscribe form and sends a code on each channel given. Throws SubscriptionInvalid or OtpError. */
export async function requestSubscription(platform: Platform, ente: Ente, form: SubscribeForm, context: { ip: string | null; fiscalCode: string | null }): Promise<Requested> {
  const errors: FieldErrors = {};
  const { phone, email } = normaliseContact(form.phone, form.email, errors);
  if (!phone && !email && !errors.telefono && !errors.email) errors.telefono = t('messaging.subs.err.contact');
  const topics = await withEnte(platform.db.app, ente.id, (trx) => listTopics(trx, { activeOnly: true }));
  const chosen = [...new Set(form.topics)].filter((code) => topics.some((topic) => topic.code === code));
  if (chosen.length === 0) errors.argomenti = t('messaging.subs.err.topics');
  const others = [...new Set(form.others)];
  if (others.length > MAX_OTHER_ENTI) errors.comuni = t('messaging.subs.err.tooManyEnti', { max: MAX_OTHER_ENTI });
  const network = await otherComuni(platform, ente);
  const otherEnti = network.filter((e) => others.includes(e.slug));
  if (!errors.comuni && otherEnti.length !== others.length) errors.comuni = t('messaging.subs.err.unknownEnte');
  if (!form.consent) errors.consenso = t('messaging.subs.err.consent');
  if (Object.keys(errors).length > 0) throw new SubscriptionInvalid(errors);

  // The same topics in each further comune, where that comune offers them.
  const enti: EnteChoice[] = [{ id: ente.id, name: ente.name, slug: ente.slug, topics: chosen }];
  for (const other of otherEnti) {
    const offered = await withEnte(platform.db.app, other.id, (trx) => listTopics(trx, { activeOnly: true }));
    const theirs = chosen.filter((code) => offered.some((topic) => topic.code === code));
    if (theirs.length > 0) enti.push({ id: other.id, name: other.name, slug: other.slug, topics: theirs });
  }
  const request: SubscribeRequest = { kind: 'subscribe', flow: randomUUID(), enti, phone, email, fiscalCode: context.fiscalCode, consentText: consentText(ente) };
  return issueAll(platform, ente, request, context.ip);
}

/** Sends a code to the phone or e-mail that wants to unsubscribe (from any ente of the network). */
export async function requestUnsubscribe(platform: Platform, ente: Ente, form: { phone: string; email: string }, ip: string | null): Promise<Requested> {
  const errors: FieldErrors = {};
  const { phone, email } = normaliseContact(form.phone, form.email, errors);
  if (!phone && !email && !errors.telefono && !errors.email) errors.telefono = t('messaging.subs.err.contact');
  if (phone && email) errors.email = t('messaging.subs.err.oneContact');
  if (Object.keys(errors).length > 0) throw new SubscriptionInvalid(errors);
  return issueAll(platform, ente, { kind: 'unsubscribe', flow: randomUUID(), phone, email }, ip);
}

/** The request behind a flow and which channels still wait for their code (for the confirm page). */
export async function pendingFlow(platform: Platform, ente: Ente, flow: string): Promise<{ request: SubscribeRequest | UnsubscribeRequest; channels: { channel: OtpChannel; address: string }[]; confirmed: boolean } | null> {
  return withEnte(platform.db.app, ente.id, async (trx) => {
    const rows = await lockFlow(trx, flow);
    if (rows.length === 0) return null;
    return {
      request: rows[0]!.request as SubscribeRequest | UnsubscribeRequest,
      channels: rows.map((r) => ({ channel: r.channel, address: r.address })),
      confirmed: rows.every((r) => r.confirmed_at !== null),
    };
  });
}

export type ConfirmResult =
  | { state: 'confirmed'; request: SubscribeRequest | UnsubscribeRequest; already: boolean }
  | { state: 'refused'; checks: Partial<Record<OtpChannel, CodeCheck>> };

/**
 * Confirms a flow with the codes typed for each of its channels. All must be right; a wrong one counts an
 * attempt. A subscription is then made in each chosen ente. The flow's rows stay locked until the end, so two
 * confirmations at once make one subscriber, and a second one sees the flow already confirmed.
 */
export async function confirmFlow(platform: Platform, ente: Ente, flow: string, codes: Partial<Record<OtpChannel, string>>, ip: string | null, now = new Date()): Promise<ConfirmResult> {
  return withEnte(platform.db.app, ente.id, async (trx) => {
    const rows = await lockFlow(trx, flow);
    if (rows.length === 0) throw new OtpError(t('messaging.subs.otp.unknown'), 404);
    const request = rows[0]!.request as SubscribeRequest | UnsubscribeRequest;
    if (rows.every((r) => r.confirmed_at !== null)) return { state: 'confirmed', request, already: true };
    const checks: Partial<Record<OtpChannel, CodeCheck>> = {};
    for (const row of rows) checks[row.channel] = await checkCode(platform, trx, row, codes[row.channel] ?? '', now);
    if (Object.values(checks).some((c) => c !== 'ok')) return { state: 'refused', checks };
    if (request.kind === 'subscribe') await applySubscription(platform, request, ip, now);
    await trx.updateTable('msg_otp').set({ confirmed_at: now }).where('id', 'in', rows.map((r) => r.id)).execute();
    await recordAudit(trx, { enteId: ente.id, actor: citizenActor(request.kind === 'subscribe' && request.fiscalCode ? request.fiscalCode : flow, ip), action: `messaging.otp.confirm`, entity: 'msg_otp', entityId: flow, after: { kind: request.kind, channels: rows.map((r) => r.channel) } });
    return { state: 'confirmed', request, already: false };
  });
}

async function applySubscription(platform: Platform, request: SubscribeRequest, ip: string | null, now: Date): Promise<void> {
  const actor = citizenActor(request.fiscalCode ?? (request.phone ? maskPhone(request.phone) : maskEmail(request.email!)), ip);
  for (const choice of request.enti) {
    await withEnte(platform.db.app, choice.id, async (trx) => {
      const result = await subscribe(trx, choice.id, {
        phone: request.phone,
        email: request.email,
        fiscalCode: request.fiscalCode,
        phoneVerifiedAt: request.phone ? now : null,
        emailVerifiedAt: request.email ? now : null,
        topics: choice.topics,
        consentText: request.consentText,
        via: 'page',
        source: 'web',
        ip,
      });
      await recordAudit(trx, { enteId: choice.id, actor, action: 'messaging.subscriber.subscribe', entity: 'msg_subscriber', entityId: result.subscriberId, after: { topics: result.granted, created: result.created } });
    });
  }
}

// ---- what an address follows, and leaving it ---------------------------------------------------------------

export interface Followed {
  enteId: string;
  enteName: string;
  enteSlug: string;
  subscriberId: string;
  topics: { code: string; label: string }[];
}

/** Every ente this phone or e-mail follows (cross-ente read, audited on the CST: the citizen asked for it). */
export async function followedBy(platform: Platform, address: { phone: string | null; email: string | null }, reason: { flow: string; ip: string | null }): Promise<Followed[]> {
  const column = address.phone ? 'phone' : 'email';
  const value = address.phone ?? address.email;
  if (!value) return [];
  const rows = await withCrossEnteRead(platform.db.app, (trx) =>
    trx
      .selectFrom('msg_subscriber as s')
      .innerJoin('ente as e', 'e.id', 's.ente_id')
      .leftJoin('msg_subscription as sub', (j) => j.onRef('sub.ente_id', '=', 's.ente_id').onRef('sub.subscriber_id', '=', 's.id').on('sub.revoked_at', 'is', null))
      .leftJoin('msg_topic as tp', (j) => j.onRef('tp.ente_id', '=', 'sub.ente_id').onRef('tp.code', '=', 'sub.topic_code'))
      .select(['s.ente_id', 's.id', 'e.name', 'e.slug', 'sub.topic_code', 'tp.label', 'tp.position'])
      .where(`s.${column}`, '=', value)
      .orderBy('e.name')
      .orderBy('tp.position')
      .execute(),
  );
  const cst = await getCstEnte(platform.db.app);
  if (cst) await recordAuditEvent(platform.db.app, { enteId: cst.id, actor: citizenActor(reason.flow, reason.ip), action: 'messaging.subscriptions.cross_read', entity: 'msg_subscriber', entityId: reason.flow, after: { enti: [...new Set(rows.map((r) => r.ente_id))].length } });
  const out = new Map<string, Followed>();
  for (const r of rows) {
    const f = out.get(r.ente_id) ?? { enteId: r.ente_id, enteName: r.name, enteSlug: r.slug, subscriberId: r.id, topics: [] };
    if (r.topic_code) f.topics.push({ code: r.topic_code, label: r.label ?? r.topic_code });
    out.set(r.ente_id, f);
  }
  return [...out.values()];
}

/** A confirmed unsubscribe flow that is still fresh, or an OtpError. */
export async function managedFlow(platform: Platform, ente: Ente, flow: string, now = new Date()): Promise<UnsubscribeRequest> {
  const rows = await withEnte(platform.db.app, ente.id, (trx) => trx.selectFrom('msg_otp').select(['request', 'confirmed_at']).where('request', '@>', JSON.stringify({ flow, kind: 'unsubscribe' })).execute());
  const row = rows[0];
  if (!row) throw new OtpError(t('messaging.subs.otp.unknown'), 404);
  if (!row.confirmed_at) throw new OtpError(t('messaging.subs.manage.notConfirmed'), 409);
  if (now.getTime() - row.confirmed_at.getTime() > MANAGE_WINDOW_MS) throw new OtpError(t('messaging.subs.manage.expired'), 410);
  return row.request as UnsubscribeRequest;
}

/** What the citizen leaves in one ente: some topics, or everything (the channel too). */
export type LeaveChoice = { enteId: string; all: boolean; topics: string[] };

/** Applies the choices of the manage page; every revocation is a consent event (via 'page'). */
export async function leave(platform: Platform, request: UnsubscribeRequest, choices: LeaveChoice[], ip: string | null): Promise<number> {
  const followed = await followedBy(platform, request, { flow: request.flow, ip });
  const channel: OtpChannel = request.phone ? 'sms' : 'email';
  const actor = citizenActor(request.phone ? maskPhone(request.phone) : maskEmail(request.email!), ip);
  let changed = 0;
  for (const choice of choices) {
    const f = followed.find((x) => x.enteId === choice.enteId);
    if (!f || (!choice.all && choice.topics.length === 0)) continue;
    await withEnte(platform.db.app, f.enteId, async (trx) => {
      const topics = choice.all ? undefined : choice.topics;
      const result = await revoke(trx, f.enteId, f.subscriberId, { topics, via: 'page', ip });
      const off = choice.all ? await revoke(trx, f.enteId, f.subscriberId, { channel, via: 'page', ip }) : { channelOff: false };
      await recordAudit(trx, { enteId: f.enteId, actor, action: 'messaging.subscriber.unsubscribe', entity: 'msg_subscriber', entityId: f.subscriberId, after: { topics: result.revoked, channelOff: off.channelOff } });
      if (result.revoked.length > 0 || off.channelOff) changed++;
    });
  }
  return changed;
}

// ---- the link of every e-mail ---------------------------------------------------------------------------------

export const TOKEN = /^[0-9a-f]{64}$/;

export async function subscriberByToken(platform: Platform, ente: Ente, token: string) {
  if (!TOKEN.test(token)) return undefined;
  return withEnte(platform.db.app, ente.id, async (trx) => {
    const s = await trx.selectFrom('msg_subscriber').select(['id', 'email', 'phone', 'phone_verified_at', 'phone_opted_out_at', 'email_opted_out_at']).where('unsubscribe_token', '=', token).executeTakeFirst();
    return s ? { ...s, topics: await trx.selectFrom('msg_subscription as s').innerJoin('msg_topic as tp', (j) => j.onRef('tp.ente_id', '=', 's.ente_id').onRef('tp.code', '=', 's.topic_code')).select(['tp.code', 'tp.label']).where('s.subscriber_id', '=', s.id).where('s.revoked_at', 'is', null).orderBy('tp.position').execute() } : undefined;
  });
}

/**
 * The e-mail link (page or RFC 8058 one-click): no more e-mails from this ente. A subscriber left with no usable
 * phone leaves every topic as well. Idempotent; false when the token is unknown.
 */
export async function unsubscribeByToken(platform: Platform, ente: Ente, token: string, ip: string | null): Promise<boolean> {
  if (!TOKEN.test(token)) return false;
  return withEnte(platform.db.app, ente.id, async (trx) => {
    const s = await trx.selectFrom('msg_subscriber').select(['id', 'email', 'phone', 'phone_verified_at', 'phone_opted_out_at']).where('unsubscribe_token', '=', token).forUpdate().executeTakeFirst();
    if (!s) return false;
    const phoneUsable = s.phone !== null && s.phone_verified_at !== null && s.phone_opted_out_at === null;
    const off = s.email ? await revoke(trx, ente.id, s.id, { channel: 'email', via: 'email_link', ip }) : { channelOff: false };
    const topics = phoneUsable ? { revoked: [] as string[] } : await revoke(trx, ente.id, s.id, { via: 'email_link', ip });
    if (off.channelOff || topics.revoked.length > 0) {
      await recordAudit(trx, { enteId: ente.id, actor: citizenActor(s.email ? maskEmail(s.email) : s.id, ip), action: 'messaging.subscriber.unsubscribe', entity: 'msg_subscriber', entityId: s.id, after: { via: 'email_link', channelOff: off.channelOff, topics: topics.revoked } });
    }
    return true;
  });
}

export { MessagingError, OtpError };
