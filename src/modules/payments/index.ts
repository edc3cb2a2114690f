// payments: pagoPA for every member ente, with the CST as technological intermediary — debt positions with
// IUV / notice numbers, the SOAP interface the pagoPA node calls, notices and receipts, reporting flows and
// reconciliation, the citizen's payments area and the back office. This file is the module's only public
// surface: other modules create positions through `createPosition` (e.g. a building fee, a library fine).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ModuleManifest } from '../../platform/module.js';
import { apiJobs, registerApi, seedDemoApi } from './api/index.js';
import { backofficeJobs, registerBackoffice, seedDemoBackoffice } from './backoffice/index.js';
import { citizenJobs, registerCitizen, seedDemoCitizen } from './citizen/index.js';
import { nodeJobs, registerNode, seedDemoNode } from './node/index.js';
import { noticesJobs, registerNotices, seedDemoNotices } from './notices/index.js';
import { reconciliationJobs, registerReconciliation, seedDemoReconciliation } from './reconciliation/index.js';
import { seedDemoPayments } from './seed.js';

const here = path.dirname(fileURLToPath(import.meta.url));

export const paymentsModule: ModuleManifest = {
  name: 'payments',
  migrationsDir: path.join(here, 'migrations'),
  permissions: ['payments.read', 'payments.manage'],
  routes: async (app, platform) => {
    await registerNode(app, platform);
    await registerApi(app, platform);
    await registerNotices(app, platform);
    await registerBackoffice(app, platform);
    await registerReconciliation(app, platform);
    await registerCitizen(app, platform);
  },
  jobs: (platform) => [
    ...nodeJobs(platform),
    ...apiJobs(platform),
    ...noticesJobs(platform),
    ...backofficeJobs(platform),
    ...reconciliationJobs(platform),
    ...citizenJobs(platform),
  ],
  seedDemo: async (platform) => {
    await seedDemoPayments(platform);
    await seedDemoNode(platform);
    await seedDemoApi(platform);
    await seedDemoNotices(platform);
    await seedDemoBackoffice(platform);
    await seedDemoReconciliation(platform);
    await seedDemoCitizen(platform);
  },
};

export { createPosition, getPosition, cancelPosition, publishPosition } from './service.js';
export type { PositionInput, PositionView, OptionView, PositionStatus } from './service.js';
export { noticePdf, printableOptions } from './notices/index.js';
