// payments: pagoPA for every member ente, with the CST as technological intermediary — debt positions with
// IUV / notice numbers, the SOAP interface the pagoPA node calls, notices and receipts, reporting flows and
// reconciliation, the citizen's payments area and the back office. This file is the module's only public
// surface: other modules create positions through `createPosition` (e.g. a building fee, a library fine).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ModuleManifest } from '../../platform/module.js';
import { seedDemoPayments } from './seed.js';

const here = path.dirname(fileURLToPath(import.meta.url));

export const paymentsModule: ModuleManifest = {
  name: 'payments',
  migrationsDir: path.join(here, 'migrations'),
  permissions: ['payments.read', 'payments.manage'],
  seedDemo: (platform) => seedDemoPayments(platform),
};

export { createPosition, getPosition, cancelPosition, publishPosition } from './service.js';
export type { PositionInput, PositionView, OptionView, PositionStatus } from './service.js';
