// helpdesk: the CST's help desk for its enti — tickets, SLA on the CST's working calendar, the CST queue.
// This file is the module's only public surface.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ModuleManifest } from '../../platform/module.js';
import { registerRoutes } from './routes.js';

const here = path.dirname(fileURLToPath(import.meta.url));

export const helpdeskModule: ModuleManifest = {
  name: 'helpdesk',
  migrationsDir: path.join(here, 'migrations'),
  permissions: ['helpdesk.read', 'helpdesk.operate'],
  routes: registerRoutes,
};

export { cstCalendar, priorityOf, openTicket, addReply, addNote, changeState, assign, cstQueue } from './service.js';
export type { Priority, TicketState, Channel, TicketView, OpenTicketInput, TicketSla } from './service.js';
