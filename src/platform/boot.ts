// Boot sequence: config → database (embedded or external) → migrations → jobs → demo seed → HTTP server.
// Used by `npm start`, the CLI, tests and benchmarks alike, so all run the same platform.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import pino from 'pino';
import { sql } from 'kysely';
import type { Config } from './config/index.js';
import { openDatabase, type Database } from './db/index.js';
import { startEmbeddedDatabase, type EmbeddedDatabase } from './db/embedded.js';
import { migrate, migrationSources } from './db/migrate.js';
import { FileStore } from './files/index.js';
import { buildApp, type App } from './http/app.js';
import { Jobs } from './jobs/index.js';
import { Mailer, mailJobs, sweepOutbox } from './mail/outbound.js';
import { inboundHandlers, startInboundSmtp } from './mail/inbound.js';
import type { ModuleManifest } from './module.js';
import type { Platform } from './platform.js';
import { authJobs } from './auth/jobs.js';

export interface Running {
  platform: Platform;
  app: App;
  /** True when this start seeded the demo network (first start of an empty database). */
  seeded: boolean;
  /** The inbound SMTP listener when configured (INBOUND_SMTP_PORT), with its bound port. */
  inboundSmtp?: { port: number };
  stop(): Promise<void>;
}

async function loadOrCreateSecret(db: Database, name: string): Promise<string> {
  const value = randomBytes(32).toString('base64url');
  await db.owner.insertInto('platform_secret' as any).values({ name, value }).onConflict((oc: any) => oc.column('name').doNothing()).execute();
  const row = await sql<{ value: string }>`select value from platform_secret where name = ${name}`.execute(db.owner);
  return row.rows[0]!.value;
}

export interface BootOptions {
  modules: ModuleManifest[];
  /** Listen on config.port (false: build the app only, e.g. for inject-based tests). */
  listen?: boolean;
  /** Run job workers in this process. */
  workers?: boolean;
  logger?: pino.Logger;
}

export async function bootPlatform(config: Config, options: BootOptions): Promise<Running> {
  const log = options.logger ?? pino({ level: config.logLevel });
  let embedded: EmbeddedDatabase | undefined;
  let ownerUrl = config.databaseUrl;
  let appUrl = config.databaseAppUrl;
  if (!ownerUrl) {
    embedded = await startEmbeddedDatabase(config.dataDir, (msg) => log.info(msg));
    ownerUrl = embedded.ownerUrl;
    appUrl = embedded.appUrl;
  }
  const cleanup: (() => Promise<void>)[] = [];
  try {
    const applied = await migrate(ownerUrl, migrationSources(options.modules));
    if (applied.applied.length > 0) log.info({ migrations: applied.applied }, 'migrations applied');
    const db = openDatabase({ ownerUrl, appUrl });
    cleanup.push(() => db.close());
    const jobs = new Jobs(ownerUrl, log);
    await jobs.start();
    const stopSteps: (() => Promise<void>)[] = [];
    cleanup.unshift(async () => {
      for (const step of stopSteps) await step().catch((err) => log.error({ err }, 'module shutdown step failed'));
    });
    cleanup.unshift(() => jobs.stop());
    const mail = new Mailer(config, jobs, log);
    cleanup.push(async () => mail.close());
    const platform: Platform = {
      config,
      db,
      jobs,
      files: new FileStore(path.join(config.dataDir, 'files')),
      mail,
      log,
      secrets: { cookie: config.sessionSecret ?? (await loadOrCreateSecret(db, 'cookie')) },
      onStop: (step) => void stopSteps.unshift(step),
    };
    await jobs.register([...authJobs(platform), ...mailJobs(platform), ...options.modules.flatMap((m) => m.jobs?.(platform) ?? [])], options.workers ?? config.jobs);

    let seeded = false;
    if (config.demoSeed) {
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from ente`.execute(db.owner);
      if (rows[0]!.n === 0) {
        for (const module of options.modules) if (module.seedDemo) await module.seedDemo(platform);
        seeded = true;
      }
    }

    if (options.workers ?? config.jobs) {
      // Mails whose send job a process took with it when it died (fetched, not yet sent) would otherwise wait for
      // the outbox sweep; a mail still claimed by the dead process waits out its lease. Extra jobs are harmless.
      await sweepOutbox(platform, { olderThanSeconds: 0 });
      for (const module of options.modules) await module.started?.(platform);
    }

    const app = await buildApp(platform, options.modules);
    if (options.listen !== false) await app.listen({ port: config.port, host: config.host });
    else await app.ready();
    cleanup.unshift(() => app.close());
    let inboundSmtp: { port: number } | undefined;
    if (config.inboundSmtpPort !== undefined) {
      const listener = await startInboundSmtp({
        host: config.inboundSmtpHost,
        port: config.inboundSmtpPort,
        maxBytes: config.inboundMailMaxBytes,
        handlers: inboundHandlers(platform, options.modules),
        log,
      });
      cleanup.unshift(() => listener.close());
      inboundSmtp = { port: listener.port };
    }
    return {
      platform,
      app,
      seeded,
      ...(inboundSmtp ? { inboundSmtp } : {}),
      async stop() {
        for (const step of cleanup) await step().catch((err) => log.error({ err }, 'shutdown step failed'));
        if (embedded) await embedded.stop();
      },
    };
  } catch (err) {
    for (const step of cleanup) await step().catch(() => undefined);
    if (embedded) await embedded.stop().catch(() => undefined);
    throw err;
  }
}
