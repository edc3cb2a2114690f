// Multipart forms with files, as the back-office pages parse them (@fastify/multipart with attachFieldsToBody,
// so the kernel's CSRF check reads `_csrf` like any other field). The CSRF field comes first in every form,
// so the file reader below can drain the files of a forged or anonymous request unread: no stranger fills the
// memory. A file over the size limit is not a parser error: its bytes are dropped and `tooLarge` is set, so
// the page can say so. Each module registers the parser in its own scope with its own limits and messages.
import { timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';

export interface MultipartFieldPart {
  type: 'field';
  value: unknown;
}

export interface MultipartFilePart {
  type: 'file';
  filename: string;
  mimetype: string;
  _buf: Buffer | null;
  /** Set by readFileAfterCsrf when the file passed the size limit (its bytes were dropped). */
  tooLarge?: boolean;
}

export type MultipartPart = MultipartFieldPart | MultipartFilePart;

interface IncomingFile {
  file: NodeJS.ReadableStream & { truncated?: boolean };
  fields: Record<string, unknown>;
  _buf: Buffer | null;
  tooLarge?: boolean;
}

/** Whether the `_csrf` field already received matches the signed-in staff member's session token. */
function csrfBeforeFiles(request: FastifyRequest, fields: Record<string, unknown>): boolean {
  const expected = request.session?.csrfToken;
  const field = fields._csrf as { value?: unknown } | undefined;
  const given = field && typeof field === 'object' ? field.value : undefined;
  if (!request.staff || typeof expected !== 'string' || typeof given !== 'string') return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The `onFile` handler for @fastify/multipart: reads a file into memory up to the limit, after the CSRF check. */
export async function readFileAfterCsrf(this: FastifyRequest, part: IncomingFile): Promise<void> {
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

/** The parts of a body value (one part or several with the same name). */
export const multipartPartsOf = (value: unknown): MultipartPart[] =>
  (Array.isArray(value) ? value : [value]).filter((p): p is MultipartPart => !!p && typeof p === 'object' && 'type' in p && (p.type === 'field' || p.type === 'file'));

/** Form fields as trimmed strings, from an urlencoded body or a multipart one ({ value } wrappers); `_csrf` left out. */
export function formFieldsOf(body: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!body || typeof body !== 'object') return out;
  for (const [key, raw] of Object.entries(body as Record<string, unknown>)) {
    if (key === '_csrf') continue;
    if (typeof raw === 'string') out[key] = raw.trim();
    else if (Array.isArray(raw) && typeof raw[0] === 'string') out[key] = raw[0].trim();
    else {
      const field = multipartPartsOf(raw).find((p): p is MultipartFieldPart => p.type === 'field');
      if (field && typeof field.value === 'string') out[key] = field.value.trim();
    }
  }
  return out;
}
