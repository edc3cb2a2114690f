// Back-office pages of the albo pretorio (/backoffice/enti/{slug}/albo…), for the staff of each ente: the
// register with its exports (backoffice/list.tsx, backoffice/exports.ts), the form of a new act
// (backoffice/form.tsx), the page of an act with publication, annulment and correction (backoffice/detail.tsx),
// service interruptions (backoffice/interruptions.tsx) and publication requests between enti
// (backoffice/requests.tsx). Italian, usable without JavaScript, a CSRF token on every form.
//
// Uploads are multipart forms, parsed only in this plugin's scope (@fastify/multipart with attachFieldsToBody,
// so the kernel's CSRF check reads `_csrf` like any other form field). A file over the size limit is not an
// error of the parser: its bytes are dropped and the page says so next to the form, with the fields kept.
import { timingSafeEqual } from 'node:crypto';
import multipart from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
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

interface UploadPart {
  file: NodeJS.ReadableStream & { truncated?: boolean; resume(): unknown };
  fields: Record<string, unknown>;
  _buf: Buffer | null;
  tooLarge?: boolean;
}

/** Whether the form field `_csrf` already received matches the session's token (it comes before the files). */
function csrfBeforeFiles(request: FastifyRequest, fields: Record<string, unknown>): boolean {
  const expected = request.session?.csrfToken;
  const field = fields._csrf as { value?: unknown } | undefined;
  const given = field && typeof field === 'object' ? field.value : undefined;
  if (!request.staff || typeof expected !== 'string' || typeof given !== 'string') return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Reads an uploaded file into memory, up to the limit. Files of a request without a staff session and a valid
 * CSRF token are drained unread: the request is refused anyway, and no stranger fills the memory.
 */
async function onFile(this: FastifyRequest, part: UploadPart) {
  if (!csrfBeforeFiles(this, part.fields)) {
    for await (const _chunk of part.file) void _chunk;
    part._buf = Buffer.alloc(0);
    return;
  }
  const chunks: Buffer[] = [];
  for await (const chunk of part.file) if (!part.file.truncated) chunks.push(chunk as Buffer);
  part.tooLarge = part.file.truncated === true;
  part._buf = part.tooLarge ? Buffer.alloc(0) : Buffer.concat(chunks);
}

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
      onFile,
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
