// The pagoPA node side of payments: the SOAP endpoint the node calls (POST /pagopa/paForNode: verify, get
// payment, receipts), the receipt PDFs for staff and citizens, and the development PSP simulator. Wired by the
// module manifest (../index.ts) through registerNode / nodeJobs / seedDemoNode.
import type { App } from '../../../platform/http/app.js';
import type { JobDefinition } from '../../../platform/jobs/index.js';
import type { Platform } from '../../../platform/platform.js';
import { registerDevPsp } from './dev-psp.js';
import { registerReceiptRoutes } from './receipt-routes.js';
import { SOAP_PATH, registerSoapRoute } from './soap.js';

export async function registerNode(app: App, platform: Platform): Promise<void> {
  // Idempotent: registering twice (e.g. a test shim next to the manifest) adds nothing.
  if (app.hasRoute({ method: 'POST', url: SOAP_PATH })) return;
  await registerSoapRoute(app, platform);
  registerReceiptRoutes(app, platform);
  registerDevPsp(app, platform);
}

/** Nothing runs in the background: receipts are recorded inline (one transaction), PDFs made on request. */
export function nodeJobs(_platform: Platform): JobDefinition<any>[] {
  return [];
}

/** No demo data of its own: the demo positions of ../seed.ts are paid through the simulator. */
export async function seedDemoNode(_platform: Platform): Promise<void> {}

export { checkoutUrl, DEV_PSP_PATH } from './dev-psp.js';
export { receiptPdf, renderReceiptPdf, loadReceiptDocument, type ReceiptDocument } from './receipt-pdf.js';
export { citizenReceiptPath, staffReceiptPath } from './receipt-routes.js';
export { answerSoap, SOAP_PATH, SOAP_NS, PAFN_NS } from './soap.js';
export { verifyRequestBody } from './requests.js';
export { verifyBenchTarget } from './bench.js';
