// helpdesk/reports: tickets per month, category, ente, channel and priority; SLA compliance; time to first
// response; satisfaction; pages with charts and CSV/XLSX exports, and the JSON report. The desk sees the network
// (an audited cross-ente read), an ente's staff only their own ente. On-site hours are in ../onsite.
import type { App } from '../../../platform/http/app.js';
import type { JobDefinition } from '../../../platform/jobs/index.js';
import type { Platform } from '../../../platform/platform.js';
import { registerReportRoutes } from './routes.js';

export { helpdeskReport, type HelpdeskReport } from './service.js';

export async function registerReports(app: App, platform: Platform): Promise<void> {
  registerReportRoutes(app, platform);
}

export function reportsJobs(_platform: Platform): JobDefinition<any>[] {
  return [];
}

/** Nothing to seed: the reports read the demo tickets and survey answers. */
export async function seedDemoReports(_platform: Platform): Promise<void> {}
