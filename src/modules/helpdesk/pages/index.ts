// helpdesk/pages: the help desk's back office. The CST desk: the queue (/backoffice/assistenza), the phone
// intake (…/nuovo) and the page of a ticket (…/ticket/{enteSlug}/{id}); each ente's staff: their tickets
// (/backoffice/enti/{slug}/assistenza), a new web ticket (…/nuovo) and the page of a ticket (…/ticket/{id}).
// Italian, usable without JavaScript, a CSRF token on every form; forms with files are multipart, parsed only
// in this plugin's scope.
import type { App } from '../../../platform/http/app.js';
import type { JobDefinition } from '../../../platform/jobs/index.js';
import type { Platform } from '../../../platform/platform.js';
import { registerEntePages } from './ente.js';
import { registerEnteTicketPages } from './ente-ticket.js';
import { registerMultipart } from './form.js';
import { registerIntakePages } from './intake.js';
import { registerQueuePage } from './queue.js';
import { registerTicketPages } from './ticket.js';
import './messages.js';

export async function registerPages(app: App, platform: Platform): Promise<void> {
  await app.register(async (scope: App) => {
    await registerMultipart(scope);
    registerQueuePage(scope, platform);
    registerIntakePages(scope, platform);
    registerTicketPages(scope, platform);
    registerEntePages(scope, platform);
    registerEnteTicketPages(scope, platform);
  });
}

/** The pages run no background work. */
export function pagesJobs(_platform: Platform): JobDefinition<any>[] {
  return [];
}

/** The demo tickets come from the module's seed; the pages add nothing. */
export async function seedDemoPages(_platform: Platform): Promise<void> {}
