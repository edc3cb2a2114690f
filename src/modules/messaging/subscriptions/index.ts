// messaging/subscriptions: the citizen's page /{slug}/avvisi (subscribe to topics of this and further comuni,
// confirmed by a one-time code per channel; unsubscribe by page, by the link of every e-mail, RFC 8058
// one-click included) and the operators' subscriber list, consent history, export and CSV import.
// The import form is multipart, parsed only in this scope (fields on the body, so the kernel's CSRF check reads
// `_csrf`; files of a forged or anonymous request are drained unread by readFileAfterCsrf).
import multipart from '@fastify/multipart';
import type { App } from '../../../platform/http/app.js';
import { readFileAfterCsrf } from '../../../platform/http/multipart.js';
import { HttpProblem } from '../../../platform/http/problem.js';
import type { JobDefinition } from '../../../platform/jobs/index.js';
import type { Platform } from '../../../platform/platform.js';
import { t } from '../../../platform/views/i18n/index.js';
import { registerOperatorPages } from './backoffice.js';
import { MAX_IMPORT_BYTES } from './import.js';
import { registerPublicPages } from './public-routes.js';
import { tokenPath } from './public-pages.js';
import './messages.js';

export async function registerSubscriptions(app: App, platform: Platform): Promise<void> {
  await app.register(async (scope: App) => {
    await scope.register(multipart, {
      attachFieldsToBody: true,
      throwFileSizeLimit: false,
      onFile: readFileAfterCsrf,
      limits: { fileSize: MAX_IMPORT_BYTES, files: 1, fields: 5, parts: 6 },
    } as Parameters<typeof multipart>[1]);
    scope.setErrorHandler((error: Error & { code?: string }) => {
      if (/^FST_/.test(error.code ?? '') || /multipart|Unexpected end of form/i.test(error.message)) throw new HttpProblem(400, t('messaging.subs.import.malformedTitle'), t('messaging.subs.import.malformed'));
      throw error;
    });
    // The public pages too: an RFC 8058 one-click POST may come as multipart/form-data.
    registerPublicPages(scope, platform);
    registerOperatorPages(scope, platform);
  });
}

/** Nothing runs in the background: codes expire by their time, imports run in the request. */
export function subscriptionsJobs(_platform: Platform): JobDefinition<any>[] {
  return [];
}

/** No demo data of its own: the demo subscribers come from messaging/seed.ts. */
export async function seedDemoSubscriptions(_platform: Platform): Promise<void> {}

/** The address of a subscriber's unsubscribe link (e-mail body and List-Unsubscribe; POST there is one-click). */
export const unsubscribeUrl = (platform: Pick<Platform, 'config'>, slug: string, token: string) => `${platform.config.publicUrl}${tokenPath(slug, token)}`;

