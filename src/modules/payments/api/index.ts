// payments/api: the JSON API of debt positions under /api/v1/enti/{slug}/pagamenti/posizioni (OpenAPI tag
// 'payments'). No jobs and no demo data of its own.
import type { App } from '../../../platform/http/app.js';
import type { JobDefinition } from '../../../platform/jobs/index.js';
import type { Platform } from '../../../platform/platform.js';
import { registerRoutes } from './routes.js';

export async function registerApi(app: App, platform: Platform): Promise<void> {
  registerRoutes(app, platform);
}
export function apiJobs(_platform: Platform): JobDefinition<any>[] {
  return [];
}
export async function seedDemoApi(_platform: Platform): Promise<void> {}
