// The outbox of outgoing mail (see migrations/002_mail.sql): queueing in the transaction of the change that
// causes a mail, and the bookkeeping of its delivery (claim, sent, retry with back-off, failed). The SMTP side
// and the jobs are in outbound.ts.
import { randomUUID } from 'node:crypto';
import type { Generated, Selectable } from 'kysely';
import { recordAudit, systemActor, type Actor } from '../audit/index.js';
import { sql, type DB, type Trx } from '../db/index.js';
import { unprocessable } from '../http/problem.js';
import type { Jobs } from '../jobs/index.js';

export type MailState = 'queued' | 'sent' | 'failed';

declare module '../db/schema.js' {
  interface DB {
    mail_outbox: {
      ente_id: string;
      id: Generated<string>;
      idempotency_key: string;
      message_id: string;
      from_address: string | null;
      recipients: string[];
      subject: string;
      text_body: string;
      html_body: string | null;
      headers: Json;
      state: Generated<MailState>;
      attempts: Generated<number>;
      next_attempt_at: Timestamp;
      claimed_until: Date | null;
      last_attempt_at: Date | null;
      last_error: string | null;
      smtp_response: string | null;
      created_at: Timestamp;
      sent_at: Date | null;
    };
    mail_cursor: { ente_id: string; stream: string; position: Json; updated_at: Timestamp };
    mail_stream: { stream: string; started_at: Timestamp };
  }
}

export type OutboxRow = Selectable<DB['mail_outbox']>;

/** Extra header fields by name: In-Reply-To, References, Reply-To, List-Unsubscribe, Auto-Submitted … */
export type MailHeaders = Record<string, string>;

export interface MailInput {
  enteId: string;
  /** Idempotency key, unique per ente: queueing the same key again is the same mail (nothing new is sent). */
  key: string;
  to: string | readonly string[];
  subject: string;
  text: string;
  html?: string | null | undefined;
  /** "Name <address>"; by default the platform's sender (MAIL_FROM) when the mail is sent. */
  from?: string | null | undefined;
  /** A Message-ID given here is kept; otherwise one is generated now, on `domain`. */
  headers?: MailHeaders | undefined;
  /** Right-hand side of a generated Message-ID (the platform's mail domain; Mailer.queue fills it in). */
  domain?: string | undefined;
  /** Who causes the mail, for the audit log (default: the system). */
  actor?: Actor | undefined;
}

export interface QueuedMail {
  id: string;
  messageId: string;
  /** False when the key was already queued: nothing new was written nor sent. */
  created: boolean;
}

/** The queue of the job that sends one mail; its data is {enteId, mailId}. */
export const SEND_QUEUE = 'mail.send';
export interface SendJobData {
  enteId: string;
  mailId: string;
}

const ADDRESS = /^[^\s@<>,;"]+@[^\s@<>,;"]+$/;
const HEADER_NAME = /^[A-Za-z0-9][A-Za-z0-9-]*$/;
const LINE_BREAK = /[\r\n]/;

/** Whether `address` is a plain mail address queueMail accepts as a recipient. */
export const isMailAddress = (address: string) => ADDRESS.test(address.trim());

/** Looks a header up by name, whatever its case. */
export function headerValue(headers: MailHeaders, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === wanted) return value;
  return undefined;
}

function withoutHeader(headers: MailHeaders, name: string): MailHeaders {
  return Object.fromEntries(Object.entries(headers).filter(([key]) => key.toLowerCase() !== name.toLowerCase()));
}

const bracketed = (id: string) => (id.startsWith('<') ? id : `<${id}>`);

/** The domain part of "Name <user@domain>" or "user@domain". */
export function domainOf(address: string | null | undefined): string | undefined {
  return address?.match(/@([^\s<>@]+?)>?\s*$/)?.[1];
}

function validate(input: MailInput, recipients: string[], headers: MailHeaders): void {
  if (!input.key?.trim() || input.key.length > 500) throw unprocessable('Chiave di idempotenza della mail mancante o troppo lunga');
  if (recipients.length === 0) throw unprocessable('La mail non ha destinatari');
  if (recipients.length > 100) throw unprocessable('Troppi destinatari per una mail (al massimo 100)');
  for (const to of recipients) if (!ADDRESS.test(to)) throw unprocessable(`Indirizzo e-mail non valido: ${to}`);
  // A line break in a header would let the value forge further header fields.
  if (LINE_BREAK.test(input.subject) || input.subject.length > 998) throw unprocessable("Oggetto della mail non valido");
  if (input.from && LINE_BREAK.test(input.from)) throw unprocessable('Mittente della mail non valido');
  for (const [name, value] of Object.entries(headers)) {
    if (!HEADER_NAME.test(name) || typeof value !== 'string' || LINE_BREAK.test(value)) throw unprocessable(`Intestazione della mail non valida: ${name}`);
  }
}

/**
 * Queues a mail in `trx` (the ente-bound transaction of the change that causes it) together with the job that
 * sends it: both exist exactly when the change commits. The same key twice is one mail.
 */
export async function queueMail(trx: Trx, jobs: Pick<Jobs, 'send'>, input: MailInput): Promise<QueuedMail> {
  const recipients = [...new Set((typeof input.to === 'string' ? [input.to] : input.to).map((a) => a.trim().toLowerCase()))];
  const given = input.headers ?? {};
  validate(input, recipients, given);
  const explicitId = headerValue(given, 'Message-ID');
  const messageId = explicitId ? bracketed(explicitId.trim()) : `<${randomUUID()}@${input.domain ?? domainOf(input.from) ?? 'localhost'}>`;
  const headers = withoutHeader(given, 'Message-ID');
  const inserted = await trx
    .insertInto('mail_outbox')
    .values({
      ente_id: input.enteId,
      idempotency_key: input.key,
      message_id: messageId,
      from_address: input.from?.trim() || null,
      recipients,
      subject: input.subject,
      text_body: input.text,
      html_body: input.html ?? null,
      headers: JSON.stringify(headers),
    })
    .onConflict((oc) => oc.columns(['ente_id', 'idempotency_key']).doNothing())
    .returning(['id', 'message_id'])
    .executeTakeFirst();
  if (!inserted) {
    const existing = await trx.selectFrom('mail_outbox').select(['id', 'message_id']).where('idempotency_key', '=', input.key).executeTakeFirstOrThrow();
    return { id: existing.id, messageId: existing.message_id, created: false };
  }
  await jobs.send(SEND_QUEUE, { enteId: input.enteId, mailId: inserted.id } satisfies SendJobData, { trx });
  await recordAudit(trx, {
    enteId: input.enteId,
    actor: input.actor ?? systemActor,
    action: 'mail.queue',
    entity: 'mail_outbox',
    entityId: inserted.id,
    after: { key: input.key, to: recipients, subject: input.subject },
  });
  return { id: inserted.id, messageId, created: true };
}

/** Seconds to wait after failed attempt number `attempt` (1, 2, …): base, 2×base, 4×base … capped at an hour. */
export function retryDelaySeconds(attempt: number, baseSeconds: number): number {
  return Math.min(baseSeconds * 2 ** Math.max(0, attempt - 1), 3600);
}

/**
 * Takes a queued mail whose turn has come for one attempt: counts the attempt and leases it for `leaseSeconds`,
 * so no other worker sends it meanwhile. Undefined when it is sent, failed, not yet due or leased elsewhere.
 */
export async function claimMail(trx: Trx, mailId: string, leaseSeconds: number): Promise<OutboxRow | undefined> {
  return trx
    .updateTable('mail_outbox')
    .set({
      attempts: sql`attempts + 1`,
      last_attempt_at: sql`now()`,
      claimed_until: sql`now() + make_interval(secs => ${leaseSeconds})`,
    })
    .where('id', '=', mailId)
    .where('state', '=', 'queued')
    .where('next_attempt_at', '<=', sql<Date>`now()`)
    .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<', sql<Date>`now()`)]))
    .returningAll()
    .executeTakeFirst();
}

export async function markSent(trx: Trx, mailId: string, smtpResponse: string | null): Promise<void> {
  await trx
    .updateTable('mail_outbox')
    .set({ state: 'sent', sent_at: sql`now()`, claimed_until: null, smtp_response: smtpResponse })
    .where('id', '=', mailId)
    .execute();
}

export interface AttemptFailure {
  error: string;
  /** A permanent refusal (5xx): retrying would get the same answer. */
  permanent: boolean;
}

/**
 * Records a failed attempt: the mail fails for good on a permanent refusal or after `maxAttempts`; otherwise it
 * waits for its back-off and a new send job is queued for then (in the same transaction).
 */
export async function recordFailure(
  trx: Trx,
  jobs: Pick<Jobs, 'send'>,
  mail: Pick<OutboxRow, 'ente_id' | 'id' | 'attempts'>,
  failure: AttemptFailure,
  policy: { maxAttempts: number; retrySeconds: number },
): Promise<{ state: MailState; retryInSeconds: number | null }> {
  const error = failure.error.slice(0, 2000);
  if (failure.permanent || mail.attempts >= policy.maxAttempts) {
    await trx.updateTable('mail_outbox').set({ state: 'failed', last_error: error, claimed_until: null }).where('id', '=', mail.id).execute();
    await recordAudit(trx, { enteId: mail.ente_id, actor: systemActor, action: 'mail.failed', entity: 'mail_outbox', entityId: mail.id, after: { attempts: mail.attempts, error } });
    return { state: 'failed', retryInSeconds: null };
  }
  const delay = retryDelaySeconds(mail.attempts, policy.retrySeconds);
  await trx
    .updateTable('mail_outbox')
    .set({ last_error: error, claimed_until: null, next_attempt_at: sql`now() + make_interval(secs => ${delay})` })
    .where('id', '=', mail.id)
    .execute();
  const job: SendJobData = { enteId: mail.ente_id, mailId: mail.id };
  await jobs.send(SEND_QUEUE, job, delay > 0 ? { trx, startAfter: delay } : { trx });
  return { state: 'queued', retryInSeconds: delay };
}

/**
 * Queued mails whose send job should have run by now (a job lost, a worker that died mid-send, mail queued
 * while SMTP was not configured), in a cross-ente read transaction: oldest turn first.
 */
export async function overdueMails(trx: Trx, olderThanSeconds: number, limit: number): Promise<SendJobData[]> {
  const rows = await trx
    .selectFrom('mail_outbox')
    .select(['ente_id', 'id'])
    .where('state', '=', 'queued')
    .where('next_attempt_at', '<', sql<Date>`now() - make_interval(secs => ${olderThanSeconds})`)
    .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<', sql<Date>`now()`)]))
    .orderBy('next_attempt_at')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ enteId: r.ente_id, mailId: r.id }));
}
