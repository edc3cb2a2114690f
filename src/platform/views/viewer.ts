// Who is looking at a page, for the header (name and logout form); null for anonymous readers, who get no
// cookie at all from a page that has no form.
import type { FastifyRequest } from 'fastify';
import type { Viewer } from './layout.js';

export function viewerOf(request: FastifyRequest): Viewer | null {
  if (!request.session) return null;
  if (request.staff) return { kind: 'staff', name: request.staff.displayName, csrf: request.session.csrfToken };
  if (request.citizen) return { kind: 'citizen', name: `${request.citizen.givenName} ${request.citizen.familyName}`, csrf: request.session.csrfToken };
  return null;
}
