// payments/notices: the pagoPA payment notice (avviso di pagamento) as PDF — for staff and for the citizen who
// owes — and its bulk generation for a whole roll as a resumable background job. Wired by ../index.ts.
import { systemActor } from '../../../platform/audit/index.js';
import type { App } from '../../../platform/http/app.js';
import type { JobDefinition } from '../../../platform/jobs/index.js';
import type { Platform } from '../../../platform/platform.js';
import { HttpProblem } from '../../../platform/http/problem.js';
import { getEnteBySlug } from '../../../platform/tenancy/index.js';
import { NOTICES_QUEUE, handleRunJob, processRun, startRun, type RunJob } from './bulk.js';
import { registerNoticeRoutes } from './routes.js';

export { noticePdf, printableOptions, type NoticeConfig, type NoticeOptions } from './pdf.js';
export { qrCodeText, posteDataMatrixText, postalAccountOf } from './codes.js';
export { startRun, resumeRun, getRun, listRuns, processRun, type RunView, type RunFilter } from './bulk.js';
export { benchNotices, type NoticesBenchResult } from './bench.js';

export async function registerNotices(app: App, platform: Platform): Promise<void> {
  registerNoticeRoutes(app, platform);
}

export function noticesJobs(platform: Platform): JobDefinition<RunJob>[] {
  return [
    {
      queue: NOTICES_QUEUE,
      handler: async (jobs) => {
        for (const job of jobs) await handleRunJob(platform, job.data);
      },
    },
  ];
}

/** A completed demo run: every TARI notice of Asti, generated now so the demo shows the pages and the ZIP. */
export async function seedDemoNotices(platform: Platform): Promise<void> {
  const asti = await getEnteBySlug(platform.db.app, 'asti');
  if (!asti) return;
  // No TARI position to print (the payments seed did not run): nothing to show, not an error.
  const run = await startRun(platform, systemActor, asti.id, { serviceCode: 'tari' }).catch((err: unknown) => {
    if (err instanceof HttpProblem && err.status === 422) return undefined;
    throw err;
  });
  if (run) await processRun(platform, { enteId: asti.id, runId: run.id });
}
