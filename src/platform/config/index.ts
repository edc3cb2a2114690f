// Configuration: read from the environment once at boot, validated, then passed around as a plain object.
import path from 'node:path';

export interface Config {
  /** HTTP port the platform listens on. */
  port: number;
  host: string;
  /** Public base URL, used for OIDC redirects and links in messages. */
  publicUrl: string;
  /** Folder for everything the platform writes locally (embedded database, files). */
  dataDir: string;
  /** Owner connection (runs migrations). Unset: the embedded PostgreSQL is started in dataDir/pg. */
  databaseUrl: string | undefined;
  /** Connection of the non-superuser application role. Unset: derived (embedded) or SET ROLE fallback. */
  databaseAppUrl: string | undefined;
  /** Secret used to sign cookies; generated per data dir when unset (demo only). */
  sessionSecret: string | undefined;
  /** Cookies carry the Secure flag (set when serving over HTTPS). */
  secureCookies: boolean;
  /** Seed the demo network on the first start of an empty database. */
  demoSeed: boolean;
  /** Serve the development OpenID Connect provider at /dev-idp (demo and tests; never in production). */
  devIdp: boolean;
  /** External OIDC issuer for citizen login (SPID/CIE federation proxy); defaults to the dev IdP. */
  oidcIssuer: string | undefined;
  oidcClientId: string;
  oidcClientSecret: string;
  logLevel: string;
  /** Start pg-boss workers in this process. */
  jobs: boolean;
  /** Session lifetime in minutes of inactivity. */
  sessionIdleMinutes: number;
  /**
   * Whom to believe about the client address (X-Forwarded-For/-Proto): false (default: nobody, the socket
   * address counts), a number of proxy hops, or a comma-separated list of proxy addresses. Login throttling
   * counts by client address, so this must not be open to clients that reach the port directly.
   */
  trustProxy: boolean | number | string;
  /** Outgoing mail server, smtp://[user:pass@]host:port (smtps:// for implicit TLS). Unset: mail stays queued (demo). */
  smtpUrl: string | undefined;
  /** Sender of the platform's mail ("Name <address>"); unset: noreply@ the host of publicUrl. */
  mailFrom: string | undefined;
  /** Attempts to deliver a mail on temporary SMTP errors before it is marked failed. */
  mailMaxAttempts: number;
  /** Wait before the first retry of a mail, doubled at each further attempt (capped at an hour). */
  mailRetrySeconds: number;
  /** The help desk's inbound address, Reply-To of its notifications; unset: assistenza@ the host of publicUrl. */
  helpdeskAddress: string | undefined;
  /** Port of the inbound SMTP listener (mail for the modules, e.g. help desk tickets). Unset: off; 0: any free port. */
  inboundSmtpPort: number | undefined;
  /** Address the inbound SMTP listener binds to; by default only this machine (the organisation's MTA relays to it). */
  inboundSmtpHost: string;
  /** Largest inbound message in bytes: advertised with SIZE, a larger one is refused with 552 (the sender's server bounces it). */
  inboundMailMaxBytes: number;
  /** The CST's SMS aggregator, smpp://system_id:password@host:port (SMPP 3.4 transceiver). Unset: SMS stay queued. */
  smppUrl: string | undefined;
  /** Contracted throughput: submit_sm per second at most. */
  smppRatePerSecond: number;
  /** SMPP window: submit_sm awaiting their response at most. */
  smppWindow: number;
  /** How long an SMS whose submit_sm got no answer (connection lost, crash) waits for the SMSC's receipts before its missing parts are sent again. */
  smppRecoveryGraceSeconds: number;
  /** The two-way number citizens reply STOP to (named in the subscription page's informativa); unset: none. */
  smsReplyNumber: string | undefined;
  /** App IO services API base URL: the official one in production, otherwise only when APPIO_URL is set (a local peer in tests). */
  appIoUrl: string | undefined;
}

export class ConfigError extends Error {}

function bool(value: string | undefined, fallback: boolean): boolean {
  if (value === undefined || value === '') return fallback;
  if (/^(1|true|yes|on)$/i.test(value)) return true;
  if (/^(0|false|no|off)$/i.test(value)) return false;
  throw new ConfigError(`expected a boolean, got "${value}"`);
}

function int(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new ConfigError(`${name} must be a non-negative integer, got "${value}"`);
  return n;
}

function trustProxyOf(value: string | undefined): boolean | number | string {
  if (value === undefined || value === '') return false;
  if (/^\d+$/.test(value)) return Number(value);
  if (/^(true|false|yes|no|on|off|1|0)$/i.test(value)) return bool(value, false);
  return value;
}

function smtpUrlOf(value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (!/^smtps?:\/\/[^/\s]+/.test(value)) throw new ConfigError('SMTP_URL must be an smtp:// or smtps:// URL');
  return value;
}

function smppUrlOf(value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (!/^smpps?:\/\/[^/\s]+:\d+\/?$/.test(value)) throw new ConfigError('SMPP_URL must be smpp://system_id:password@host:port');
  return value;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = int('PORT', env.PORT, 3000);
  const host = env.HOST ?? '0.0.0.0';
  const databaseUrl = env.DATABASE_URL || undefined;
  const production = env.NODE_ENV === 'production';
  const devIdp = bool(env.DEV_IDP, !production);
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError('DATABASE_URL must be a postgres:// URL');
  }
  return {
    port,
    host,
    publicUrl: (env.PUBLIC_URL ?? `http://localhost:${port}`).replace(/\/$/, ''),
    dataDir: path.resolve(env.DATA_DIR ?? 'data'),
    databaseUrl,
    databaseAppUrl: env.DATABASE_APP_URL || undefined,
    sessionSecret: env.SESSION_SECRET || undefined,
    secureCookies: bool(env.SECURE_COOKIES, production),
    demoSeed: bool(env.DEMO_SEED, !production),
    devIdp,
    oidcIssuer: env.OIDC_ISSUER || undefined,
    oidcClientId: env.OIDC_CLIENT_ID ?? 'comuni-in-rete',
    oidcClientSecret: env.OIDC_CLIENT_SECRET ?? 'dev-secret-change-me',
    logLevel: env.LOG_LEVEL ?? (env.NODE_ENV === 'test' ? 'warn' : 'info'),
    jobs: bool(env.JOBS, true),
    sessionIdleMinutes: int('SESSION_IDLE_MINUTES', env.SESSION_IDLE_MINUTES, 120),
    trustProxy: trustProxyOf(env.TRUST_PROXY),
    smtpUrl: smtpUrlOf(env.SMTP_URL),
    mailFrom: env.MAIL_FROM || undefined,
    mailMaxAttempts: Math.max(1, int('MAIL_MAX_ATTEMPTS', env.MAIL_MAX_ATTEMPTS, 8)),
    mailRetrySeconds: int('MAIL_RETRY_SECONDS', env.MAIL_RETRY_SECONDS, 60),
    helpdeskAddress: env.HELPDESK_ADDRESS?.trim().toLowerCase() || undefined,
    inboundSmtpPort: env.INBOUND_SMTP_PORT ? int('INBOUND_SMTP_PORT', env.INBOUND_SMTP_PORT, 0) : undefined,
    inboundSmtpHost: env.INBOUND_SMTP_HOST || '127.0.0.1',
    // 30 MB: a 20 MB attachment grows by a third in base64.
    inboundMailMaxBytes: int('INBOUND_MAIL_MAX_BYTES', env.INBOUND_MAIL_MAX_BYTES, 30 * 1024 * 1024),
    smppUrl: smppUrlOf(env.SMPP_URL),
    smppRatePerSecond: Math.max(1, int('SMPP_RATE', env.SMPP_RATE, 50)),
    smppWindow: Math.max(1, int('SMPP_WINDOW', env.SMPP_WINDOW, 10)),
    smppRecoveryGraceSeconds: int('SMPP_RECOVERY_GRACE_SECONDS', env.SMPP_RECOVERY_GRACE_SECONDS, 600),
    smsReplyNumber: env.SMS_REPLY_NUMBER?.trim() || undefined,
    // The real App IO in production; elsewhere (a demo, tests) only when set, so a demo never calls the public
    // service with its made-up keys: App IO messages then stay queued, like SMS without SMPP_URL.
    appIoUrl: (env.APPIO_URL || (production ? 'https://api.io.pagopa.it/api/v1' : '')).replace(/\/$/, '') || undefined,
  };
}
