// Who does what in the help desk. Two sides:
// - the desk: the CST's own staff (the CST admin, or a grant on the CST ente: its ente_admin or an operator of
//   the helpdesk module). They work the tickets of every ente: internal notes, assignment, states, merges,
//   on-site visits, the knowledge base editor, the reports across enti.
// - the requesters: staff of an ente with 'helpdesk.request' on it (its ente_admin, or an operator of the
//   helpdesk module there). They open tickets for their own ente, reply publicly, see their tickets without
//   the internal notes, confirm on-site reports and answer the satisfaction survey.
import type { FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { recordAuditEvent } from '../../platform/audit/index.js';
import { can, requireStaff, type StaffPrincipal } from '../../platform/auth/access.js';
import type { DB } from '../../platform/db/index.js';
import { forbidden } from '../../platform/http/problem.js';
import { getCstEnte } from '../../platform/tenancy/index.js';

/** Whether `staff` works on the CST's desk (acts on the tickets of every ente). */
export function isDesk(staff: StaffPrincipal | null | undefined, cstEnteId: string | undefined): boolean {
  if (!staff) return false;
  if (staff.isCstAdmin) return true;
  if (!cstEnteId) return false;
  return staff.grants.some((g) => g.enteId === cstEnteId && (g.role === 'ente_admin' || (g.role === 'operator' && g.module === 'helpdesk')));
}

/** Whether `staff` may open and follow tickets of `enteId` (its requesters, and the desk). */
export function isRequesterOf(staff: StaffPrincipal | null | undefined, enteId: string, cstEnteId: string | undefined): boolean {
  return isDesk(staff, cstEnteId) || can(staff, enteId, 'helpdesk.request');
}

async function deny(request: FastifyRequest, db: Kysely<DB>, staff: StaffPrincipal, enteId: string | undefined, what: string): Promise<never> {
  if (enteId) {
    await recordAuditEvent(db, {
      enteId,
      actor: { id: staff.id, label: staff.email, ip: request.ip },
      action: 'access.denied',
      entity: 'permission',
      entityId: what,
      after: { method: request.method, url: request.url },
    });
  }
  throw forbidden();
}

/** 401 when not signed in, 403 (audited on the CST's log) unless the user works on the desk. */
export async function requireDesk(request: FastifyRequest, db: Kysely<DB>): Promise<StaffPrincipal> {
  const staff = requireStaff(request);
  const cst = await getCstEnte(db);
  if (isDesk(staff, cst?.id)) return staff;
  return deny(request, db, staff, cst?.id, 'helpdesk.desk');
}

/** 401 when not signed in, 403 (audited on the target ente's log) unless the desk or allowed `permission` on `enteId`. */
async function requireOnEnte(request: FastifyRequest, db: Kysely<DB>, enteId: string, permission: string): Promise<{ staff: StaffPrincipal; desk: boolean }> {
  const staff = requireStaff(request);
  const cst = await getCstEnte(db);
  if (isDesk(staff, cst?.id)) return { staff, desk: true };
  if (can(staff, enteId, permission)) return { staff, desk: false };
  return deny(request, db, staff, enteId, permission);
}

/** Reading the ente's tickets (without internal notes unless desk): its requesters and readers. */
export function requireTicketReader(request: FastifyRequest, db: Kysely<DB>, enteId: string) {
  return requireOnEnte(request, db, enteId, 'helpdesk.read');
}

/** Opening and following the ente's tickets: its requesters (and the desk). */
export function requireRequester(request: FastifyRequest, db: Kysely<DB>, enteId: string) {
  return requireOnEnte(request, db, enteId, 'helpdesk.request');
}
