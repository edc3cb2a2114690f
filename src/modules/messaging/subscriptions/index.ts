// PLACEHOLDER (helper: subscriptions) — /{slug}/avvisi: subscribe with one-time codes, unsubscribe, imports.
import type { App } from '../../../platform/http/app.js';
import type { JobDefinition } from '../../../platform/jobs/index.js';
import type { Platform } from '../../../platform/platform.js';

export async function registerSubscriptions(_app: App, _platform: Platform): Promise<void> {}
export function subscriptionsJobs(_platform: Platform): JobDefinition<any>[] {
  return [];
}
export async function seedDemoSubscriptions(_platform: Platform): Promise<void> {}
