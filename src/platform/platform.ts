// The platform object: everything the kernel gives modules (config, database, jobs, files, logger).
import type { Logger } from 'pino';
import type { Config } from './config/index.js';
import type { Database } from './db/index.js';
import type { FileStore } from './files/index.js';
import type { Jobs } from './jobs/index.js';

export interface Platform {
  config: Config;
  db: Database;
  jobs: Jobs;
  files: FileStore;
  log: Logger;
  secrets: { cookie: string };
}
