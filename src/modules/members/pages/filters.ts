// Filters of the adhesion list (?stato=, ?q=), shared by the dashboard and the exports, and the CST guard.
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { requirePermission } from '../../../platform/auth/index.js';
import { notFound } from '../../../platform/http/problem.js';
import type { Platform } from '../../../platform/platform.js';
import { getCstEnte, type Ente } from '../../../platform/tenancy/index.js';
import type { AdhesionStatus } from '../adhesion.js';
import type { NetworkEntry } from '../service.js';
import { matchesText, statusFromParam, statusParam } from './common.js';

export interface AdhesionFilters {
  status?: AdhesionStatus | undefined;
  q?: string | undefined;
}

export const FiltersQuery = Type.Object({
  stato: Type.Optional(Type.String({ maxLength: 40 })),
  q: Type.Optional(Type.String({ maxLength: 100 })),
});

export function parseFilters(query: { stato?: string | undefined; q?: string | undefined }): AdhesionFilters {
  return { status: statusFromParam(query.stato), q: query.q?.trim() || undefined };
}

export function filterEntries(entries: NetworkEntry[], filters: AdhesionFilters): NetworkEntry[] {
  return entries.filter((e) => (!filters.status || e.adhesion.status === filters.status) && matchesText(filters.q, e.ente.name, e.ente.slug, e.ente.istatCode));
}

export function filterQueryString(filters: AdhesionFilters): string {
  const params = new URLSearchParams();
  if (filters.status) params.set('stato', statusParam[filters.status]);
  if (filters.q) params.set('q', filters.q);
  const s = params.toString();
  return s ? `?${s}` : '';
}

/** Only the CST administrator: 403 (audited on the CST's log) for anyone else. */
export async function requireCst(request: FastifyRequest, platform: Platform): Promise<Ente> {
  const cst = await getCstEnte(platform.db.app);
  if (!cst) throw notFound('Nessun ente gestisce il CST');
  await requirePermission(request, platform.db.app, cst.id, 'cst.manage');
  return cst;
}
