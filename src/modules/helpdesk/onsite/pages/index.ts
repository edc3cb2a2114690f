// The back-office pages of the on-site interventions: the desk's (day plan, planning, visit, hours) and the ente's.
import type { App } from '../../../../platform/http/app.js';
import type { Platform } from '../../../../platform/platform.js';
import { registerDeskPages } from './desk.js';
import { registerEntePages } from './ente.js';
import { registerHoursPages } from './hours.js';
import { registerVisitPages } from './visit.js';

export function registerOnsitePages(app: App, platform: Platform): void {
  registerDeskPages(app, platform);
  registerHoursPages(app, platform);
  registerVisitPages(app, platform);
  registerEntePages(app, platform);
}
