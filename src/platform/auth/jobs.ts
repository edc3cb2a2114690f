// Housekeeping of identity data: expired sessions and old login failures are deleted every hour.
import type { JobDefinition } from '../jobs/index.js';
import type { Platform } from '../platform.js';
import { purgeExpiredSessions } from './sessions.js';

export function authJobs(platform: Platform): JobDefinition[] {
  return [
    {
      queue: 'auth-purge',
      schedule: '17 * * * *',
      handler: async () => {
        const sessions = await purgeExpiredSessions(platform.db.app);
        const failures = await platform.db.app.deleteFrom('login_failure').where('at', '<', new Date(Date.now() - 24 * 3600_000)).executeTakeFirst();
        platform.log.info({ sessions, failures: Number(failures.numDeletedRows) }, 'purged expired sessions and old login failures');
      },
    },
  ];
}
