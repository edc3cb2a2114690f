// What every server-rendered page handler needs: send the document (never cached: pages carry personal and
// staff data), send anonymous staff to the login page and back, and find the ente of a URL slug.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { VNode } from 'preact';
import type { StaffPrincipal } from '../auth/access.js';
import { notFound } from '../http/problem.js';
import type { Platform } from '../platform.js';
import { getEnteBySlug, type Ente } from '../tenancy/index.js';
import { renderDocument } from './layout.js';

export function sendPage(reply: FastifyReply, node: VNode, status = 200) {
  return reply.status(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(renderDocument(node));
}

/** The signed-in staff member, or a redirect to the login page (which comes back here after login). */
export function staffOrLogin(request: FastifyRequest, reply: FastifyReply): StaffPrincipal | null {
  if (request.staff) return request.staff;
  void reply.redirect(`/backoffice/login?next=${encodeURIComponent(request.url)}`, 303);
  return null;
}

/** The ente of a URL slug, or a 404 with `message` (malformed slugs never reach the database). */
export async function enteOfSlug(platform: Pick<Platform, 'db'>, slug: string, message: string): Promise<Ente> {
  const ente = /^[a-z0-9-]{1,100}$/.test(slug) ? await getEnteBySlug(platform.db.app, slug) : undefined;
  if (!ente) throw notFound(message);
  return ente;
}
