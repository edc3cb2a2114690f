// Form bodies of the help desk's pages. Forms that carry files are multipart, parsed only in this plugin's
// scope (@fastify/multipart with attachFieldsToBody, so the kernel's CSRF check reads `_csrf` like any other
// field). The CSRF field comes first in the form, so files of a forged or anonymous request are drained unread.
// A file over the limit is not an error of the parser: its bytes are dropped and the page says so.
import multipart from '@fastify/multipart';
import type { App } from '../../../platform/http/app.js';
import { formFieldsOf, multipartPartsOf, readFileAfterCsrf, type MultipartFilePart } from '../../../platform/http/multipart.js';
import { HttpProblem } from '../../../platform/http/problem.js';
import { t } from '../../../platform/views/i18n/index.js';
import { MAX_ATTACHMENTS_PER_CALL, MAX_ATTACHMENT_BYTES, type Upload } from '../attachments.js';

/** Form fields as trimmed strings (kernel helper, re-exported for the pages of this module). */
export const fieldsOf = formFieldsOf;

export const MAX_UPLOAD_BYTES = MAX_ATTACHMENT_BYTES;
export const MAX_UPLOADS = MAX_ATTACHMENTS_PER_CALL;

/** Registers the multipart parser in `scope` and turns its refusals into Italian problems. */
export async function registerMultipart(scope: App): Promise<void> {
  await scope.register(multipart, {
    attachFieldsToBody: true,
    throwFileSizeLimit: false,
    onFile: readFileAfterCsrf,
    limits: { fileSize: MAX_UPLOAD_BYTES, files: MAX_UPLOADS, fields: 30, parts: MAX_UPLOADS + 30, fieldSize: 64 * 1024 },
  } as Parameters<typeof multipart>[1]);
  scope.setErrorHandler((error: Error & { code?: string }) => {
    if (error.code === 'FST_FILES_LIMIT' || error.code === 'FST_PARTS_LIMIT' || error.code === 'FST_FIELDS_LIMIT') {
      throw new HttpProblem(413, t('helpdesk.pages.upload.tooLargeTitle'), t('helpdesk.pages.upload.tooMany', { max: MAX_UPLOADS }));
    }
    if (error.code?.startsWith('FST_') && /multipart|PROTO|JSON_FIELD/i.test(error.code) || error.message === 'Unexpected end of form') {
      throw new HttpProblem(400, t('helpdesk.pages.upload.malformedTitle'), t('helpdesk.pages.upload.malformed'));
    }
    throw error;
  });
}

/** The files sent in the multipart field `name` (an empty file input is skipped); 413 for a file over the limit. */
export function uploadsOf(body: unknown, name = 'allegati'): Upload[] {
  if (!body || typeof body !== 'object') return [];
  const out: Upload[] = [];
  for (const file of multipartPartsOf((body as Record<string, unknown>)[name]).filter((p): p is MultipartFilePart => p.type === 'file')) {
    if (file.tooLarge) {
      throw new HttpProblem(413, t('helpdesk.pages.upload.tooLargeTitle'), t('helpdesk.pages.upload.tooLarge', { name: file.filename || '?', max: MAX_UPLOAD_BYTES / 1024 / 1024 }));
    }
    const bytes = file._buf ?? Buffer.alloc(0);
    if (!file.filename && bytes.length === 0) continue;
    // Refused here, before anything is written, so a new ticket is never opened without its files.
    if (bytes.length === 0) throw new HttpProblem(422, 'Dati non accettabili', t('helpdesk.pages.upload.empty', { name: file.filename }));
    out.push({ bytes, fileName: file.filename || 'allegato', mediaType: file.mimetype || 'application/octet-stream' });
  }
  if (out.length > MAX_UPLOADS) throw new HttpProblem(413, t('helpdesk.pages.upload.tooLargeTitle'), t('helpdesk.pages.upload.tooMany', { max: MAX_UPLOADS }));
  return out;
}
