// The platform object: everything the kernel gives modules (config, database, jobs, files, mail, logger).
import type { Logger } from 'pino';
import type { Config } from './config/index.js';
import type { Database } from './db/index.js';
import type { FileStore } from './files/index.js';
import type { Jobs } from './jobs/index.js';
import type { Mailer } from './mail/outbound.js';

export interface Platform {
  config: Config;
  db: Database;
  jobs: Jobs;
  files: FileStore;
  /** Outgoing mail: queue in the transaction of the change (platform.mail.queue(trx, …)); sent by the mail jobs. */
  mail: Mailer;
  log: Logger;
  secrets: { cookie: string };
  /** Registers a step run at shutdown after the job workers stop and before the database closes (e.g. a module's
   *  long-lived protocol session or worker threads). Steps run in reverse order of registration. */
  onStop(step: () => Promise<void>): void;
}
