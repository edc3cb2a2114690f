// payments/citizen: the citizen's payments area on each ente's portal (/{slug}/pagamenti) — the catalogue,
// the SPID/CIE login, "I miei pagamenti" across every ente of the network, paying through the checkout
// integration point, notices and receipts, and the spontaneous payment of a catalogue item.
import type { App } from '../../../platform/http/app.js';
import type { JobDefinition } from '../../../platform/jobs/index.js';
import type { Platform } from '../../../platform/platform.js';
import { registerCitizenPages } from './routes.js';

export async function registerCitizen(app: App, platform: Platform): Promise<void> {
  registerCitizenPages(app, platform);
}

/** No background work: the area reads and creates on request. */
export function citizenJobs(_platform: Platform): JobDefinition<any>[] {
  return [];
}

/** No demo data of its own: the demo positions of Mario Rossi and Giulia Bianchi come from payments/seed.ts. */
export async function seedDemoCitizen(_platform: Platform): Promise<void> {}

export { paymentsPath, positionPath, noticePdfPath, receiptPdfPath } from './pages.js';
export { myPayments, myPosition, createSpontaneous } from './service.js';
