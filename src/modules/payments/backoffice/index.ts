// payments/backoffice: the staff pages of payments — configuration and catalogue of each ente, positions with
// totals, chart and exports, the position page and creation form, the CSV bulk upload, the CST's network view.
// Uploads are multipart forms parsed only in this scope (fields attached to the body, so the kernel's CSRF
// check reads `_csrf`); files of requests without a staff session are drained unread.
import multipart from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import type { App } from '../../../platform/http/app.js';
import { HttpProblem } from '../../../platform/http/problem.js';
import type { JobDefinition } from '../../../platform/jobs/index.js';
import type { Platform } from '../../../platform/platform.js';
import { t } from '../../../platform/views/i18n/index.js';
import { registerCataloguePages } from './catalogue.js';
import { registerConfigPages } from './config.js';
import { registerExports } from './exports.js';
import { registerFormPages } from './form.js';
import { registerListPage } from './list.js';
import { registerNetworkPage } from './network.js';
import { registerPositionPages } from './position.js';
import { registerUploadPages } from './upload-pages.js';
import { MAX_UPLOAD_BYTES, uploadJobs } from './upload.js';
import './messages.js';

export { listPositions, totals, totalsByEnte, collectionsByMonth, effectiveStatusSql, type PositionFilters, type Totals } from './queries.js';

interface UploadPart {
  file: NodeJS.ReadableStream & { truncated?: boolean };
  _buf: Buffer | null;
  tooLarge?: boolean;
}

async function onFile(this: FastifyRequest, part: UploadPart) {
  const chunks: Buffer[] = [];
  for await (const chunk of part.file) if (this.staff && !part.file.truncated) chunks.push(chunk as Buffer);
  part.tooLarge = part.file.truncated === true;
  part._buf = part.tooLarge || !this.staff ? Buffer.alloc(0) : Buffer.concat(chunks);
}

const MULTIPART_ERRORS = new Set(['FST_FILES_LIMIT', 'FST_PARTS_LIMIT', 'FST_FIELDS_LIMIT', 'FST_REQ_FILE_TOO_LARGE', 'FST_INVALID_MULTIPART_CONTENT_TYPE', 'FST_PROTO_VIOLATION']);
const registeredOn = new WeakSet<object>();

export async function registerBackoffice(app: App, platform: Platform): Promise<void> {
  if (registeredOn.has(app)) return;
  registeredOn.add(app);
  await app.register(async (scope: App) => {
    await scope.register(multipart, {
      attachFieldsToBody: true,
      throwFileSizeLimit: false,
      onFile,
      limits: { fileSize: MAX_UPLOAD_BYTES, files: 1, fields: 10, parts: 12 },
    } as Parameters<typeof multipart>[1]);
    scope.setErrorHandler((error: Error & { code?: string }) => {
      if ((error.code && MULTIPART_ERRORS.has(error.code)) || /multipart|Unexpected end of form/i.test(error.message)) {
        throw new HttpProblem(400, t('payments.bo.upload.malformedTitle'), t('payments.bo.upload.malformed'));
      }
      throw error;
    });
    registerConfigPages(scope, platform);
    registerCataloguePages(scope, platform);
    registerExports(scope, platform);
    registerListPage(scope, platform);
    registerFormPages(scope, platform);
    registerPositionPages(scope, platform);
    registerUploadPages(scope, platform);
    registerNetworkPage(scope, platform);
  });
}

export function backofficeJobs(platform: Platform): JobDefinition<any>[] {
  return uploadJobs(platform);
}

/** Nothing of its own: the demo positions come from the module's seed. */
export async function seedDemoBackoffice(_platform: Platform): Promise<void> {}
