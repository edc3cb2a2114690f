// Server-rendered pages of the members module (Italian, Bootstrap Italia, usable without JavaScript):
// the CST home and each ente's portal (pages/public.tsx), the back-office dashboard and the adhesion
// dashboard (pages/backoffice.tsx) with its exports (pages/exports.ts), and each ente's back-office page
// with its forms (pages/ente.tsx).
import type { App } from '../../platform/http/app.js';
import type { Platform } from '../../platform/platform.js';
import { registerBackofficePages } from './pages/backoffice.js';
import { registerEntePages } from './pages/ente.js';
import { registerExports } from './pages/exports.js';
import { registerPublicPages } from './pages/public.js';
import './messages.js';

export function registerPages(app: App, platform: Platform): void {
  registerPublicPages(app, platform);
  registerBackofficePages(app, platform);
  registerExports(app, platform);
  registerEntePages(app, platform);
}
