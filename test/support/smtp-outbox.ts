// Runs the outbox's send jobs waiting in the queue, as a worker would, so that a test decides when mail goes out
// (no worker polling, no sleeps). Retries a send queues (back-off 0 in tests) run in the same call.
import { deliverMail, SEND_QUEUE, type SendJobData } from '../../src/platform/mail/outbound.js';
import type { Platform } from '../../src/platform/platform.js';

/** Delivers every queued send job; returns each job's outcome ('sent', 'queued' for a retry, 'failed', 'skipped'). */
export async function runSendJobs(platform: Platform, delivery: Parameters<typeof deliverMail>[0] = platform): Promise<string[]> {
  const outcomes: string[] = [];
  for (;;) {
    const jobs = await platform.jobs.boss.fetch<SendJobData>(SEND_QUEUE, { batchSize: 20 });
    if (jobs.length === 0) return outcomes;
    for (const job of jobs) outcomes.push(await deliverMail(delivery, job.data));
    await platform.jobs.boss.complete(SEND_QUEUE, jobs.map((j) => j.id));
  }
}
