// One-time codes that prove a citizen holds a phone number or an e-mail address. Only an HMAC of the code is
// stored (keyed with the platform secret and bound to the code's id, so a database dump reveals nothing and a
// hash cannot be replayed on another row); a code lives 10 minutes and allows 5 wrong tries; an address gets at
// most 3 codes per 10 minutes in an ente (an IP address 10), so the page cannot be used to flood a phone.
import { createHmac, randomInt, randomUUID, timingSafeEqual } from 'node:crypto';
import { sql } from 'kysely';
import type { Trx } from '../../../platform/db/index.js';
import type { Platform } from '../../../platform/platform.js';
import { t } from '../../../platform/views/i18n/index.js';
import { notify } from '../notify.js';
import './messages.js';

export const OTP_TTL_MS = 10 * 60_000;
export const OTP_MAX_ATTEMPTS = 5;
export const OTP_RATE = { perAddress: 3, perIp: 10, windowMs: 10 * 60_000 };

export type OtpChannel = 'sms' | 'email';

/** Why a code was not sent (429) or not accepted. Italian message, shown on the page. */
export class OtpError extends Error {
  constructor(
    message: string,
    readonly status: 400 | 404 | 409 | 410 | 422 | 429,
  ) {
    super(message);
    this.name = 'OtpError';
  }
}

export const otpHash = (secret: string, otpId: string, code: string) => createHmac('sha256', secret).update(`${otpId}:${code}`).digest('hex');

const sameHash = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/** Six digits, leading zeros allowed (uniform over 000000–999999). */
export const newCode = () => String(randomInt(0, 1_000_000)).padStart(6, '0');

export interface IssueInput {
  enteId: string;
  enteName: string;
  channel: OtpChannel;
  /** E.164 phone or lower-case e-mail. */
  address: string;
  /** What the code confirms (applied on confirmation); `flow` ties the codes of one request together. */
  request: { flow: string } & Record<string, unknown>;
  ip: string | null;
  now?: Date;
}

/**
 * Creates a code and queues it on its channel, in the caller's ente-bound transaction (so a code is stored
 * only if its message is queued, and vice versa). Throws OtpError 429 past the rate limit.
 */
export async function issueOtp(platform: Platform, trx: Trx, input: IssueInput): Promise<{ id: string; code: string }> {
  const now = input.now ?? new Date();
  const since = new Date(now.getTime() - OTP_RATE.windowMs);
  // Serialise requests for one address, so two at once cannot both pass the count.
  await sql`select pg_advisory_xact_lock(hashtext(${`msg-otp:${input.enteId}:${input.channel}:${input.address}`}))`.execute(trx);
  const recent = await trx
    .selectFrom('msg_otp')
    .select((eb) => [
      eb.fn.countAll<string>().filterWhere('address', '=', input.address).filterWhere('channel', '=', input.channel).as('address'),
      eb.fn.countAll<string>().filterWhere(sql`request ->> 'ip'`, '=', input.ip ?? '').as('ip'),
    ])
    .where('created_at', '>', since)
    .executeTakeFirstOrThrow();
  if (Number(recent.address) >= OTP_RATE.perAddress || (input.ip && Number(recent.ip) >= OTP_RATE.perIp)) {
    throw new OtpError(t('messaging.subs.otp.tooMany', { minutes: OTP_RATE.windowMs / 60_000 }), 429);
  }
  const id = randomUUID();
  const code = newCode();
  await trx
    .insertInto('msg_otp')
    .values({
      ente_id: input.enteId,
      id,
      channel: input.channel,
      address: input.address,
      code_hash: otpHash(platform.secrets.cookie, id, code),
      request: JSON.stringify({ ...input.request, ip: input.ip ?? '' }),
      expires_at: new Date(now.getTime() + OTP_TTL_MS),
      created_at: now,
    })
    .execute();
  const vars = { code, ente: input.enteName, minutes: OTP_TTL_MS / 60_000 };
  await notify(platform, {
    enteId: input.enteId,
    module: 'messaging',
    key: `otp:${id}`,
    to: input.channel === 'sms' ? { phone: input.address } : { email: input.address },
    channels: [input.channel],
    requested: true,
    title: t('messaging.subs.otp.title', vars),
    body: t('messaging.subs.otp.body', vars),
    smsText: t('messaging.subs.otp.sms', vars),
    trx,
  });
  return { id, code };
}

export interface OtpRow {
  id: string;
  channel: OtpChannel;
  address: string;
  code_hash: string;
  request: unknown;
  attempts: number;
  expires_at: Date;
  confirmed_at: Date | null;
}

/** The codes of one request, locked for the confirmation (a second confirmation waits, then sees them used). */
export async function lockFlow(trx: Trx, flow: string): Promise<OtpRow[]> {
  return trx
    .selectFrom('msg_otp')
    .select(['id', 'channel', 'address', 'code_hash', 'request', 'attempts', 'expires_at', 'confirmed_at'])
    .where(sql`request ->> 'flow'`, '=', flow)
    .orderBy('channel', 'desc')
    .forUpdate()
    .execute();
}

export type CodeCheck = 'ok' | 'wrong' | 'expired' | 'exhausted' | 'missing';

/**
 * Checks a typed code against a locked row; a wrong code counts one attempt (saved by the caller's commit).
 * Expired and exhausted codes are refused without looking at the code.
 */
export async function checkCode(platform: Platform, trx: Trx, row: OtpRow, typed: string, now = new Date()): Promise<CodeCheck> {
  if (row.expires_at.getTime() <= now.getTime()) return 'expired';
  if (row.attempts >= OTP_MAX_ATTEMPTS) return 'exhausted';
  const code = typed.replace(/\s+/g, '');
  if (!/^\d{6}$/.test(code)) return 'missing';
  if (sameHash(otpHash(platform.secrets.cookie, row.id, code), row.code_hash)) return 'ok';
  await trx.updateTable('msg_otp').set({ attempts: row.attempts + 1 }).where('id', '=', row.id).execute();
  return row.attempts + 1 >= OTP_MAX_ATTEMPTS ? 'exhausted' : 'wrong';
}
