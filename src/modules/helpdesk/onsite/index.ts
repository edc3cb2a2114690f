// helpdesk/onsite: on-site interventions of the CST's technicians against the hours each ente contracted.
// Wired into the help desk's manifest: the JSON API and the back-office pages, no jobs, demo data.
import type { App } from '../../../platform/http/app.js';
import type { JobDefinition } from '../../../platform/jobs/index.js';
import type { Platform } from '../../../platform/platform.js';
import { registerOnsitePages } from './pages/index.js';
import { registerOnsiteRoutes } from './routes.js';
import { seedOnsite } from './seed.js';

export async function registerOnsite(app: App, platform: Platform): Promise<void> {
  registerOnsiteRoutes(app, platform);
  registerOnsitePages(app, platform);
}

/** No background work: reminders of unconfirmed reports are shown on the ente's page instead. */
export function onsiteJobs(_platform: Platform): JobDefinition<any>[] {
  return [];
}

export async function seedDemoOnsite(platform: Platform): Promise<void> {
  await seedOnsite(platform);
}
