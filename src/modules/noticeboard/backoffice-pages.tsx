// Back-office pages of the albo pretorio (/backoffice/enti/{slug}/albo…), for the staff of each ente: the
// register with its exports (backoffice/list.tsx, backoffice/exports.ts), the form of a new act
// (backoffice/form.tsx), the page of an act with publication, annulment and correction (backoffice/detail.tsx),
// service interruptions (backoffice/interruptions.tsx) and publication requests between enti
// (backoffice/requests.tsx). Italian, usable without JavaScript, a CSRF token on every form.
//
// Uploads are multipart forms, parsed only in this plugin's scope (@fastify/multipart with attachFieldsToBody,
// so the kernel's CSRF check reads `_csrf` like any other form field). A file over the size limit is not an
// error of the parser: its bytes are dropped and the page says so next to the form, with the fields kept.
import multipart from '@fastify/multipart';
import type { App } from '../../platform/http/app.js';
import { HttpProblem } from '../../platform/http/problem.js';
import type { Platform } from '../../platform/platform.js';
import { t } from '../../platform/views/i18n/index.js';
import { registerDetailPages } from './backoffice/detail.js';
import { registerExports } from './backoffice/exports.js';
import { registerFormPages } from './backoffice/form.js';
import { registerInterruptionPages } from './backoffice/interruptions.js';
import { registerListPage } from './backoffice/list.js';
import { registerRequestPages } from './backoffice/requests.js';
import { MAX_ATTACHMENTS, MAX_DOCUMENT_BYTES } from './service.js';
import './messages-backoffice.js';
import { readFileAfterCsrf } from '../../platform/http/multipart.js';

const multipartErrors: Record<string, [number, string]> = {
  FST_FILES_LIMIT: [413, 'noticeboard.bo.upload.tooManyFiles'],
  FST_PARTS_LIMIT: [413, 'noticeboard.bo.upload.tooManyParts'],
  FST_FIELDS_LIMIT: [413, 'noticeboard.bo.upload.tooManyParts'],
  FST_REQ_FILE_TOO_LARGE: [413, 'noticeboard.bo.upload.tooLargeGeneric'],
  FST_INVALID_MULTIPART_CONTENT_TYPE: [400, 'noticeboard.bo.upload.malformed'],
  FST_PROTO_VIOLATION: [400, 'noticeboard.bo.upload.malformed'],
  FST_INVALID_JSON_FIELD_ERROR: [400, 'noticeboard.bo.upload.malformed'],
};

/** Apps the pages are registered on: a second call on the same app does nothing. */
const registeredOn = new WeakSet<object>();

export async function registerBackofficePages(app: App, platform: Platform): Promise<void> {
  if (registeredOn.has(app)) return;
  registeredOn.add(app);
  await app.register(async (scope: App) => {
    await scope.register(multipart, {
      attachFieldsToBody: true,
      throwFileSizeLimit: false,
      onFile: readFileAfterCsrf,
      limits: { fileSize: MAX_DOCUMENT_BYTES, files: MAX_ATTACHMENTS + 1, fields: 40, parts: MAX_ATTACHMENTS + 41, fieldSize: 64 * 1024 },
    } as Parameters<typeof multipart>[1]);

    // The parser's own refusals (too many files, malformed body) as Italian problems; the rest goes on to the
    // application's error handler.
    scope.setErrorHandler((error: Error & { code?: string }, _request, _reply) => {
      const known = error.code ? multipartErrors[error.code] : undefined;
      if (known) throw new HttpProblem(known[0], t(known[0] === 413 ? 'noticeboard.bo.upload.tooLargeTitle' : 'noticeboard.bo.upload.malformedTitle'), t(known[1], { max: MAX_ATTACHMENTS }));
      if (error.message === 'Unexpected end of form' || error.name === 'PrematureCloseError' || /multipart/i.test(error.message)) {
        throw new HttpProblem(400, t('noticeboard.bo.upload.malformedTitle'), t('noticeboard.bo.upload.malformed'));
      }
      throw error;
    });

    registerListPage(scope, platform);
    registerExports(scope, platform);
    registerFormPages(scope, platform);
    registerInterruptionPages(scope, platform);
    registerRequestPages(scope, platform);
    registerDetailPages(scope, platform);
  });
}
