// Who confirms a report: the ente's representative, i.e. a requester of that ente who is not on the CST's
// desk (the desk cannot confirm its own work). Others get 403, and the attempt is on the ente's audit log.
import type { FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { recordAuditEvent } from '../../../platform/audit/index.js';
import { actorOf, type StaffPrincipal } from '../../../platform/auth/access.js';
import type { DB } from '../../../platform/db/index.js';
import { forbidden } from '../../../platform/http/problem.js';
import { requireRequester } from '../access.js';

export async function requireRepresentative(request: FastifyRequest, db: Kysely<DB>, enteId: string): Promise<StaffPrincipal> {
  const { staff, desk } = await requireRequester(request, db, enteId);
  if (!desk) return staff;
  await recordAuditEvent(db, { enteId, actor: actorOf(request), action: 'access.denied', entity: 'permission', entityId: 'onsite.confirm', after: { method: request.method, url: request.url } });
  throw forbidden("La conferma del rapporto spetta al referente dell'ente, non al help desk del CST");
}
