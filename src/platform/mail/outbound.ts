// Outgoing mail: the Mailer every module uses (platform.mail.queue in its own transaction) and the jobs that
// deliver the outbox over SMTP (nodemailer). Delivery is at least once with the Message-ID fixed at queue time:
// a mail marked sent is never sent again; a worker that dies after the server accepted the data but before
// recording it leaves a lease that runs out, and the retry carries the same Message-ID.
import nodemailer from 'nodemailer';
import type { Logger } from 'pino';
import { recordAuditEvent, systemActor } from '../audit/index.js';
import type { Config } from '../config/index.js';
import { withCrossEnteRead, withEnte, type Trx } from '../db/index.js';
import type { JobDefinition, Jobs } from '../jobs/index.js';
import type { Platform } from '../platform.js';
import { getCstEnte } from '../tenancy/index.js';
import {
  SEND_QUEUE,
  claimMail,
  headerValue,
  markSent,
  overdueMails,
  queueMail,
  recordFailure,
  type AttemptFailure,
  type MailHeaders,
  type MailInput,
  type MailState,
  type OutboxRow,
  type QueuedMail,
  type SendJobData,
} from './outbox.js';

export { SEND_QUEUE, queueMail, type MailInput, type QueuedMail, type SendJobData } from './outbox.js';

/** The scheduled job that re-enqueues queued mails whose send job should have run already. */
export const SWEEP_QUEUE = 'mail.sweep';

/** Longest a worker may hold a mail while talking to the server (above the sum of the SMTP timeouts below). */
const LEASE_SECONDS = 300;
/** Open SMTP connections per process, and so mails sent at once by its send worker. */
const SMTP_CONNECTIONS = 3;

export type MailConfig = Pick<Config, 'smtpUrl' | 'mailFrom' | 'publicUrl' | 'mailMaxAttempts' | 'mailRetrySeconds'>;

/** The host of the platform's public URL: right-hand side of Message-IDs and of the default addresses. */
export function mailDomain(publicUrl: string): string {
  try {
    return new URL(publicUrl).hostname || 'localhost';
  } catch {
    return 'localhost';
  }
}

export type TransmitResult = { ok: true; response: string | null } | ({ ok: false } & AttemptFailure);

type Transport = ReturnType<typeof nodemailer.createTransport>;

// Header fields nodemailer builds itself from options (address lists are encoded properly that way).
const MAPPED = ['in-reply-to', 'references', 'reply-to'];

export class Mailer {
  /** Domain of generated Message-IDs and of the default sender. */
  readonly domain: string;
  /** Default sender ("Name <address>"). */
  readonly from: string;
  readonly policy: { maxAttempts: number; retrySeconds: number };
  private transport: Transport | undefined;

  constructor(
    private readonly config: MailConfig,
    private readonly jobs: Pick<Jobs, 'send'>,
    log: Pick<Logger, 'info'>,
  ) {
    this.domain = mailDomain(config.publicUrl);
    this.from = config.mailFrom ?? `Comuni in Rete <noreply@${this.domain}>`;
    this.policy = { maxAttempts: config.mailMaxAttempts, retrySeconds: config.mailRetrySeconds };
    if (!config.smtpUrl) log.info('SMTP is not configured (SMTP_URL): outgoing mail is kept queued in the outbox until it is');
  }

  /** Whether there is a server to send to (SMTP_URL). Without one, mail stays queued: nothing is lost. */
  get configured(): boolean {
    return Boolean(this.config.smtpUrl);
  }

  /** Queues a mail in the caller's ente-bound transaction (see queueMail), with Message-IDs on the platform's domain. */
  queue(trx: Trx, input: MailInput): Promise<QueuedMail> {
    return queueMail(trx, this.jobs, { ...input, domain: input.domain ?? this.domain });
  }

  /** One SMTP transaction for one outbox row; never throws. */
  async transmit(mail: OutboxRow): Promise<TransmitResult> {
    if (!this.config.smtpUrl) return { ok: false, permanent: false, error: 'SMTP non configurato (SMTP_URL)' };
    // Pooled: a burst (receipts, notifications) reuses a few open connections instead of one per mail.
    this.transport ??= nodemailer.createTransport({
      url: this.config.smtpUrl,
      pool: true,
      maxConnections: SMTP_CONNECTIONS,
      connectionTimeout: 20_000,
      greetingTimeout: 20_000,
      socketTimeout: 60_000,
      disableFileAccess: true,
      disableUrlAccess: true,
    });
    const headers = (mail.headers ?? {}) as MailHeaders;
    const rest = Object.fromEntries(Object.entries(headers).filter(([name]) => !MAPPED.includes(name.toLowerCase())));
    try {
      const info = await this.transport.sendMail({
        from: mail.from_address ?? this.from,
        to: mail.recipients,
        subject: mail.subject,
        text: mail.text_body,
        ...(mail.html_body ? { html: mail.html_body } : {}),
        messageId: mail.message_id,
        ...optional('inReplyTo', headerValue(headers, 'In-Reply-To')),
        ...optional('references', headerValue(headers, 'References')),
        ...optional('replyTo', headerValue(headers, 'Reply-To')),
        headers: rest,
        disableFileAccess: true,
        disableUrlAccess: true,
      });
      const rejected = (info.rejected ?? []).map(String);
      const response = [info.response, rejected.length ? `rifiutati: ${rejected.join(', ')}` : ''].filter(Boolean).join('; ');
      return { ok: true, response: response || null };
    } catch (err) {
      const e = err as { responseCode?: number; code?: string; message?: string };
      // RFC 5321: 5yz is a permanent refusal (503 only says the session was in the wrong state); 4yz, a dropped
      // or refused connection and timeouts are temporary.
      const permanent = typeof e.responseCode === 'number' && e.responseCode >= 500 && e.responseCode < 600 && e.responseCode !== 503;
      const code = [e.responseCode, e.code].filter(Boolean).join(' ');
      return { ok: false, permanent, error: `${code ? `${code}: ` : ''}${e.message ?? String(err)}` };
    }
  }

  close(): void {
    this.transport?.close();
    this.transport = undefined;
  }
}

function optional<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value ? ({ [key]: value } as Record<K, string>) : {};
}

type MailPlatform = Pick<Platform, 'db' | 'jobs' | 'mail' | 'log'>;

/**
 * Delivers one outbox mail if its turn has come: sent, queued again for a retry (back-off) or failed.
 * 'skipped' when there is nothing to do (already sent or failed, not yet due, another worker on it, no SMTP).
 */
export async function deliverMail(platform: MailPlatform, job: SendJobData): Promise<MailState | 'skipped'> {
  const { db, mail: mailer, log } = platform;
  if (!mailer.configured) {
    log.info({ mailId: job.mailId }, 'SMTP is not configured (SMTP_URL): the mail stays queued');
    return 'skipped';
  }
  const mail = await withEnte(db.app, job.enteId, (trx) => claimMail(trx, job.mailId, LEASE_SECONDS));
  if (!mail) return 'skipped';
  const result = await mailer.transmit(mail);
  if (result.ok) {
    await withEnte(db.app, job.enteId, (trx) => markSent(trx, mail.id, result.response));
    return 'sent';
  }
  const outcome = await withEnte(db.app, job.enteId, (trx) => recordFailure(trx, platform.jobs, mail, result, mailer.policy));
  log.warn({ mailId: mail.id, attempt: mail.attempts, error: result.error, ...outcome }, outcome.state === 'failed' ? 'mail delivery failed for good' : 'mail delivery failed, will retry');
  return outcome.state;
}

/**
 * Re-enqueues queued mails whose send job should have run (lost job, worker died mid-send, queued while SMTP was
 * not configured). Crosses enti to find them, so it is audited on the CST's log when it finds any.
 */
export async function sweepOutbox(platform: MailPlatform, options: { olderThanSeconds?: number; limit?: number } = {}): Promise<number> {
  if (!platform.mail.configured) return 0;
  const due = await withCrossEnteRead(platform.db.app, (trx) => overdueMails(trx, options.olderThanSeconds ?? 120, options.limit ?? 500));
  if (due.length === 0) return 0;
  const cst = await getCstEnte(platform.db.app);
  if (cst) {
    await recordAuditEvent(platform.db.app, { enteId: cst.id, actor: systemActor, action: 'cross_ente.read', entity: 'mail_outbox', after: { reason: 'ripresa della posta in uscita', count: due.length } });
  }
  for (const job of due) await platform.jobs.send(SEND_QUEUE, job);
  platform.log.info({ count: due.length }, 'queued mails re-enqueued for sending');
  return due.length;
}

export function mailJobs(platform: Platform): JobDefinition<any>[] {
  const send: JobDefinition<SendJobData> = {
    queue: SEND_QUEUE,
    // As many mails in flight as the SMTP pool has connections; a backlog (a broadcast, a batch of receipts)
    // is fetched batch after batch without waiting a poll between them.
    handler: async (jobs) => {
      const waiting = [...jobs];
      const lane = async () => {
        for (let job = waiting.shift(); job; job = waiting.shift()) await deliverMail(platform, job.data);
      };
      await Promise.all(Array.from({ length: SMTP_CONNECTIONS }, lane));
    },
    options: { batchSize: 12, pollingIntervalSeconds: 1, burst: true },
  };
  const sweep: JobDefinition = { queue: SWEEP_QUEUE, schedule: '*/5 * * * *', handler: async () => sweepOutbox(platform) };
  return [send, sweep];
}
