// helpdesk/mail: tickets from e-mail. The inbound handler (assistenza@… and assistenza+{slug}@…) the kernel's
// SMTP listener delivers to, the desk's "Posta da smistare" pages, the ticket attachment routes, and the job
// that recovers messages whose processing was interrupted.
import type { App } from '../../../platform/http/app.js';
import type { JobDefinition } from '../../../platform/jobs/index.js';
import type { Platform } from '../../../platform/platform.js';
import { registerAttachmentRoutes } from '../attachments.js';
import { helpdeskInboundMail, recoverStalled } from './intake.js';
import { registerMailPages } from './pages.js';
import { seedDemoInbound } from './seed.js';

export { helpdeskInboundMail };

export async function registerMail(app: App, platform: Platform): Promise<void> {
  registerAttachmentRoutes(app, platform);
  registerMailPages(app, platform);
}

export function mailJobs(platform: Platform): JobDefinition<any>[] {
  return [{ queue: 'helpdesk.mail.recover', schedule: '*/5 * * * *', handler: async () => recoverStalled(platform) }];
}

export async function seedDemoMail(platform: Platform): Promise<void> {
  await seedDemoInbound(platform);
}
