// Uploads of the reconciliation pages (an FdR, a bank statement): multipart parsed only in this area's scope,
// with attachFieldsToBody so the kernel's CSRF check reads `_csrf` like any form field. Files of a request
// without a staff session and a matching CSRF token (sent before the file) are drained unread.
import multipart from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import type { App } from '../../../../platform/http/app.js';
import { readFileAfterCsrf, type MultipartFilePart } from '../../../../platform/http/multipart.js';
import { HttpProblem, unprocessable } from '../../../../platform/http/problem.js';
import { t } from '../../../../platform/views/i18n/index.js';
import { MAX_FDR_BYTES } from '../fdr.js';
import '../messages.js';

/** Registers multipart parsing (one file up to the FdR limit) on an encapsulated scope. */
export async function registerUploads(scope: App): Promise<void> {
  await scope.register(multipart, {
    attachFieldsToBody: true,
    throwFileSizeLimit: false,
    onFile: readFileAfterCsrf,
    limits: { fileSize: MAX_FDR_BYTES, files: 1, fields: 10, parts: 12, fieldSize: 16 * 1024 },
  } as Parameters<typeof multipart>[1]);
  scope.setErrorHandler((error: Error & { code?: string; statusCode?: number }) => {
    // @fastify/multipart's own codes (FST_FILES_LIMIT, FST_PROTO_VIOLATION …); Fastify's are FST_ERR_*.
    if (error.code?.startsWith('FST_') && !error.code.startsWith('FST_ERR')) {
      const tooLarge = /LIMIT|LARGE/.test(error.code);
      throw new HttpProblem(tooLarge ? 413 : 400, t('payments.rec.error.title'), t(tooLarge ? 'payments.rec.upload.tooLarge' : 'payments.rec.upload.malformed'));
    }
    if (error.message === 'Unexpected end of form' || error.name === 'PrematureCloseError') throw new HttpProblem(400, t('payments.rec.error.title'), t('payments.rec.upload.malformed'));
    throw error;
  });
}

/** The uploaded file of field `name` (422 with `missing` when absent, 413 when over the limit). */
export function fileOf(request: FastifyRequest, name: string, missing: string): { bytes: Buffer; name: string } {
  if (!request.isMultipart()) throw unprocessable(missing);
  const raw = (request.body as Record<string, unknown> | undefined)?.[name];
  const part = (Array.isArray(raw) ? raw[0] : raw) as (MultipartFilePart & { type?: string }) | undefined;
  if (!part || part.type !== 'file') throw unprocessable(missing);
  if (part.tooLarge) throw new HttpProblem(413, t('payments.rec.error.title'), t('payments.rec.upload.tooLarge'));
  const bytes = part._buf ?? Buffer.alloc(0);
  if (bytes.length === 0) throw unprocessable(missing);
  return { bytes, name: part.filename || 'file' };
}

/** A text field of a multipart or urlencoded body. */
export function fieldOf(body: unknown, name: string): string {
  const raw = (body as Record<string, unknown> | undefined)?.[name];
  const value = raw && typeof raw === 'object' && 'value' in raw ? (raw as { value: unknown }).value : raw;
  return typeof value === 'string' ? value.trim() : '';
}
