// Escalation of tickets close to breaching their SLA (filled in next).
import type { JobDefinition } from '../../platform/jobs/index.js';
import type { Platform } from '../../platform/platform.js';

export function escalationJobs(_platform: Platform): JobDefinition<any>[] {
  return [];
}
