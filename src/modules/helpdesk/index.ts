// helpdesk: the CST's help desk for its enti — tickets (phone, web, e-mail), SLA on the CST's working
// calendar with escalation, on-site interventions against contracted hours, knowledge base, satisfaction
// surveys and reports. This file is the module's only public surface.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ModuleManifest } from '../../platform/module.js';
import { registerCollaborationRoutes } from './collaboration-routes.js';
import { escalationJobs } from './escalation.js';
import { helpdeskNotifyJobs } from './notify.js';
import { registerKb, kbJobs, seedDemoKb } from './kb/index.js';
import { registerMail, mailJobs, seedDemoMail, helpdeskInboundMail } from './mail/index.js';
import { registerOnsite, onsiteJobs, seedDemoOnsite } from './onsite/index.js';
import { registerPages, pagesJobs, seedDemoPages } from './pages/index.js';
import { registerReports, reportsJobs, seedDemoReports } from './reports/index.js';
import { registerRoutes } from './routes.js';
import { seedDemoTickets } from './seed.js';
import { registerSurvey, surveyJobs, seedDemoSurvey } from './survey/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));

export const helpdeskModule: ModuleManifest = {
  name: 'helpdesk',
  migrationsDir: path.join(here, 'migrations'),
  permissions: ['helpdesk.read', 'helpdesk.request'],
  inboundMail: helpdeskInboundMail,
  routes: async (app, platform) => {
    registerRoutes(app, platform);
    registerCollaborationRoutes(app, platform);
    await registerMail(app, platform);
    await registerOnsite(app, platform);
    await registerKb(app, platform);
    await registerSurvey(app, platform);
    await registerReports(app, platform);
  },
  pages: (app, platform) => registerPages(app, platform),
  jobs: (platform) => [
    ...escalationJobs(platform),
    ...helpdeskNotifyJobs(platform),
    ...mailJobs(platform),
    ...onsiteJobs(platform),
    ...kbJobs(platform),
    ...surveyJobs(platform),
    ...reportsJobs(platform),
    ...pagesJobs(platform),
  ],
  seedDemo: async (platform) => {
    await seedDemoKb(platform);
    await seedDemoTickets(platform);
    await seedDemoMail(platform);
    await seedDemoOnsite(platform);
    await seedDemoSurvey(platform);
    await seedDemoReports(platform);
    await seedDemoPages(platform);
  },
};

export { priorityOf, openTicket, addReply, addNote, changeState, assign, cstQueue } from './service.js';
export type { Priority, TicketState, Channel, TicketView, OpenTicketInput, TicketSla } from './service.js';
