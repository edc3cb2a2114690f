// Roles and permissions. Roles are granted per ente; a cst_admin grant on the CST ente covers every ente.
// Permissions are 'module.action' strings; '.read' actions are what read-only users may do.
import type { FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { DB } from '../db/index.js';
import type { Role } from '../db/schema.js';
import { recordAuditEvent } from '../audit/index.js';
import { forbidden, unauthorized } from '../http/problem.js';

export interface Grant {
  enteId: string;
  role: Role;
  /** For operators: the module they operate ('noticeboard', 'payments', …). */
  module: string;
}

export interface StaffPrincipal {
  id: string;
  email: string;
  displayName: string;
  grants: Grant[];
  /** Holds cst_admin on the CST ente: acts on every ente. */
  isCstAdmin: boolean;
}

export async function loadStaff(db: Kysely<DB>, userId: string): Promise<StaffPrincipal | null> {
  const user = await db
    .selectFrom('staff_user')
    .select(['id', 'email', 'display_name', 'disabled'])
    .where('id', '=', userId)
    .executeTakeFirst();
  if (!user || user.disabled) return null;
  const grants = await db
    .selectFrom('role_grant as g')
    .innerJoin('ente as e', 'e.id', 'g.ente_id')
    .select(['g.ente_id', 'g.role', 'g.module', 'e.is_cst'])
    .where('g.user_id', '=', userId)
    .execute();
  return {
    id: user.id,
    email: user.email,
    displayName: user.display_name,
    grants: grants.map((g) => ({ enteId: g.ente_id, role: g.role, module: g.module })),
    isCstAdmin: grants.some((g) => g.role === 'cst_admin' && g.is_cst),
  };
}

/** Whether `staff` may do `permission` ('members.manage', 'noticeboard.publish', 'ente.read' …) on ente `enteId`. */
export function can(staff: StaffPrincipal | null | undefined, enteId: string, permission: string): boolean {
  if (!staff) return false;
  if (staff.isCstAdmin) return true;
  const [module, action] = permission.split('.') as [string, string | undefined];
  const readOnly = action === 'read';
  return staff.grants.some((g) => {
    if (g.enteId !== enteId) return false;
    switch (g.role) {
      case 'ente_admin':
        // Ente admins run everything of their ente except the CST's own network management.
        return module !== 'cst';
      case 'operator':
        return g.module === module || (readOnly && module === 'ente');
      case 'reader':
        return readOnly;
      default:
        return false;
    }
  });
}

/**
 * Enabled staff who act for `module` through a grant on `enteId` itself: its administrators (ente_admin, or
 * cst_admin on the CST ente) and the module's operators, i.e. who can() lets write there, listed by name. A CST
 * admin's reach over other enti is left out: they are not those enti's staff (who to tell, who to assign).
 */
export async function staffOfModule(db: Kysely<DB>, enteId: string, module: string): Promise<{ id: string; name: string; email: string }[]> {
  const rows = await db
    .selectFrom('role_grant as g')
    .innerJoin('staff_user as u', 'u.id', 'g.user_id')
    .select(['u.id', 'u.display_name', 'u.email'])
    .distinct()
    .where('g.ente_id', '=', enteId)
    .where('u.disabled', '=', false)
    .where((eb) => eb.or([eb('g.role', 'in', ['cst_admin', 'ente_admin']), eb.and([eb('g.role', '=', 'operator'), eb('g.module', '=', module)])]))
    .execute();
  return rows.map((r) => ({ id: r.id, name: r.display_name, email: r.email })).sort((a, b) => a.name.localeCompare(b.name, 'it'));
}

/** Enti on which the user holds any grant (all, for the CST admin: undefined means no limit). */
export function grantedEnteIds(staff: StaffPrincipal): string[] | undefined {
  return staff.isCstAdmin ? undefined : [...new Set(staff.grants.map((g) => g.enteId))];
}

export function requireStaff(request: FastifyRequest): StaffPrincipal {
  if (!request.staff) throw unauthorized();
  return request.staff;
}

/**
 * Throws 403 unless the signed-in staff member may do `permission` on `enteId`. Every refusal is written to
 * the target ente's audit log: an attempt on another ente's data is a security event.
 */
export async function requirePermission(
  request: FastifyRequest,
  db: Kysely<DB>,
  enteId: string,
  permission: string,
): Promise<StaffPrincipal> {
  const staff = requireStaff(request);
  if (can(staff, enteId, permission)) return staff;
  await recordAuditEvent(db, {
    enteId,
    actor: { id: staff.id, label: staff.email, ip: request.ip },
    action: 'access.denied',
    entity: 'permission',
    entityId: permission,
    after: { method: request.method, url: request.url },
  });
  throw forbidden();
}

export function actorOf(request: FastifyRequest): { id: string | null; label: string; ip: string } {
  if (request.staff) return { id: request.staff.id, label: request.staff.email, ip: request.ip };
  if (request.citizen) return { id: null, label: `cittadino:${request.citizen.fiscalCode}`, ip: request.ip };
  return { id: null, label: 'anonimo', ip: request.ip };
}
