// messaging/backoffice: the operators' pages for broadcasts — the messages of an ente with their counts, the
// templates, compose → preview (recipients, SMS parts and encoding, cost, quiet hours) → send, the live progress
// with exports and the CAP 1.2 export of civil-protection alerts — and the same as JSON under /api/v1.
import type { App } from '../../../platform/http/app.js';
import type { Platform } from '../../../platform/platform.js';
import { registerApi } from './api.js';
import { registerComposePages } from './compose.js';
import { registerListPage } from './list.js';
import { registerProgressPages } from './progress.js';
import { registerTemplatePages } from './templates-page.js';

export { seedDemoBackoffice } from './seed.js';

export async function registerBackoffice(app: App, platform: Platform): Promise<void> {
  registerListPage(app, platform);
  registerTemplatePages(app, platform);
  registerComposePages(app, platform);
  registerProgressPages(app, platform);
  registerApi(app, platform);
}
