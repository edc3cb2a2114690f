// members: the CST network: protocol adhesions, services each ente subscribes to, the network pages and API.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ModuleManifest } from '../../platform/module.js';

const here = path.dirname(fileURLToPath(import.meta.url));

export const demoAccounts = [
  { email: 'admin@cst.demo', description: 'amministratore del CST (tutti gli enti)' },
  { email: 'admin@asti.demo', description: 'amministratore del Comune di Asti' },
  { email: 'operatore@nizza-monferrato.demo', description: 'operatore del Comune di Nizza Monferrato' },
];

export const membersModule: ModuleManifest = {
  name: 'members',
  migrationsDir: path.join(here, 'migrations'),
};
