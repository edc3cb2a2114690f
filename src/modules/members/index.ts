// members: the CST network: protocol adhesions, services each ente subscribes to, the network pages and API.
// This file is the module's only public surface.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ModuleManifest } from '../../platform/module.js';
import { registerPages } from './pages.js';
import { registerRoutes } from './routes.js';
import { seedDemoNetwork } from './seed.js';

const here = path.dirname(fileURLToPath(import.meta.url));

export const demoAccounts = [
  { email: 'admin@cst.demo', description: 'amministratore del CST (tutti gli enti)' },
  { email: 'admin@asti.demo', description: 'amministratore del Comune di Asti' },
  { email: 'operatore@nizza-monferrato.demo', description: "operatore dell'albo di Nizza Monferrato" },
  { email: 'tecnico@cst.demo', description: 'tecnico del help desk del CST (ticket di tutti gli enti)' },
  { email: 'segreteria@canelli.demo', description: 'segreteria del Comune di Canelli (apre e segue i ticket)' },
];

/** Public service for other modules. */
export { adhesionOf, servicesOf, networkOn } from './service.js';

export const membersModule: ModuleManifest = {
  name: 'members',
  migrationsDir: path.join(here, 'migrations'),
  permissions: ['members.read', 'members.manage'],
  routes: registerRoutes,
  pages: registerPages,
  seedDemo: seedDemoNetwork,
};
