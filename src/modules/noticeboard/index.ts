// noticeboard: the albo pretorio online of every ente (L. 69/2009 art. 32). This file is the module's only
// public surface.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ModuleManifest } from '../../platform/module.js';
import { registerPublicPages } from './public-pages.js';
import { registerBackofficePages } from './backoffice-pages.js';
import { seedDemoNoticeboard } from './seed.js';
import { registerPublicRoutes } from './public-routes.js';
import { requestNotifyJobs } from './request-notify.js';

const here = path.dirname(fileURLToPath(import.meta.url));

export const noticeboardModule: ModuleManifest = {
  name: 'noticeboard',
  migrationsDir: path.join(here, 'migrations'),
  permissions: ['noticeboard.read', 'noticeboard.publish', 'noticeboard.request'],
  routes: registerPublicRoutes,
  seedDemo: (platform) => seedDemoNoticeboard(platform),
  jobs: (platform) => requestNotifyJobs(platform),
  pages: async (app, platform) => {
    registerPublicPages(app, platform);
    await registerBackofficePages(app, platform);
  },
};
