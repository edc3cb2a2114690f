// CSRF protection for every form. Signed-in users: the session's token. Anonymous visitors of a form page
// (login): a signed double-submit cookie. Checked on every state-changing form post.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { HttpProblem } from '../http/problem.js';

export const CSRF_COOKIE = 'cir_csrf';

/** The token to embed in a form; sets the anonymous cookie when needed. */
export function csrfToken(request: FastifyRequest, reply: FastifyReply): string {
  if (request.session) return request.session.csrfToken;
  const existing = request.cookies[CSRF_COOKIE];
  if (existing) {
    const unsigned = request.unsignCookie(existing);
    if (unsigned.valid && unsigned.value) return unsigned.value;
  }
  const token = randomBytes(24).toString('base64url');
  reply.setCookie(CSRF_COOKIE, token, { path: '/', httpOnly: true, sameSite: 'lax', signed: true, secure: request.protocol === 'https' });
  return token;
}

function expectedToken(request: FastifyRequest): string | undefined {
  if (request.session) return request.session.csrfToken;
  const cookie = request.cookies[CSRF_COOKIE];
  if (!cookie) return undefined;
  const unsigned = request.unsignCookie(cookie);
  return unsigned.valid && unsigned.value ? unsigned.value : undefined;
}

function equal(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Verifies the token sent with a form (field `_csrf`) or a script (header `x-csrf-token`). */
export function assertCsrf(request: FastifyRequest, sent?: string): void {
  let field = (request.body as Record<string, unknown> | undefined)?._csrf;
  // multipart bodies (attachFieldsToBody) wrap each field as { value }
  if (field && typeof field === 'object' && 'value' in field) field = (field as { value: unknown }).value;
  const given = sent ?? field ?? request.headers['x-csrf-token'];
  const expected = expectedToken(request);
  if (typeof given !== 'string' || !expected || !equal(given, expected)) {
    throw new HttpProblem(403, 'Modulo non valido', 'Il modulo è scaduto o non è valido: ricarica la pagina e riprova.');
  }
}

/**
 * Form posts (urlencoded/plain/multipart) are what a foreign site can forge; JSON, and any method other than
 * POST (DELETE, PUT, PATCH), need a CORS preflight, which we never grant.
 */
export function isFormPost(request: FastifyRequest): boolean {
  if (request.method !== 'POST') return false;
  const type = (request.headers['content-type'] ?? '').toLowerCase();
  return type === '' || type.startsWith('application/x-www-form-urlencoded') || type.startsWith('text/plain') || type.startsWith('multipart/form-data');
}
