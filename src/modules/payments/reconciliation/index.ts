// payments/reconciliation: reporting flows (FdR, FlussoRiversamento 1_0_4 / 1_0_5) and treasury credits imported
// per ente, every flow line matched to its receipt and every flow to its treasury credit (remittance
// /PUR/LGPE-RIVERSAMENTO/URI/<flow id>), anomalies, totals per ente, service and day, CSV/XLSX exports; the
// CST's view across enti. Pages under /backoffice/enti/{slug}/pagamenti/riconciliazione and
// /backoffice/pagamenti/riconciliazione; JSON under /api/v1/payments/…/reporting-flows, treasury-*, reconciliation.
import type { App } from '../../../platform/http/app.js';
import type { JobDefinition } from '../../../platform/jobs/index.js';
import type { Platform } from '../../../platform/platform.js';
import { registerReconciliationApi } from './api.js';
import { rematchJobs } from './jobs.js';
import { registerFlowPages } from './pages/flows.js';
import { registerReportPages } from './pages/reports.js';
import { registerTreasuryPages } from './pages/treasury.js';
import { registerUploads } from './pages/upload.js';
import { seedDemoReconciliationData } from './seed.js';

export { importFlow, addTreasuryLines, rematchFlow } from './service.js';
export { parseFdr, FdrError, type FlowDocument } from './fdr.js';

export async function registerReconciliation(app: App, platform: Platform): Promise<void> {
  // One encapsulated scope: the multipart parser and the XML/CSV body parsers apply to these routes only.
  await app.register(async (scope: App) => {
    await registerUploads(scope);
    registerReconciliationApi(scope, platform);
    registerFlowPages(scope, platform);
    registerTreasuryPages(scope, platform);
    registerReportPages(scope, platform);
  });
}

export function reconciliationJobs(platform: Platform): JobDefinition<any>[] {
  return rematchJobs(platform);
}

export async function seedDemoReconciliation(platform: Platform): Promise<void> {
  await seedDemoReconciliationData(platform);
}
