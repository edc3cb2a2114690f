// payments/backoffice: placeholder wired into the module manifest; replaced by the real registration.
import type { App } from '../../../platform/http/app.js';
import type { JobDefinition } from '../../../platform/jobs/index.js';
import type { Platform } from '../../../platform/platform.js';

export async function registerBackoffice(_app: App, _platform: Platform): Promise<void> {}
export function backofficeJobs(_platform: Platform): JobDefinition<any>[] {
  return [];
}
export async function seedDemoBackoffice(_platform: Platform): Promise<void> {}
