// Every morning the flows not yet reconciled are matched again: receipts and treasury credits often arrive after
// the flow (a receipt retried by the node, a statement imported later). Finding them crosses enti (audited on
// the CST's log); each flow is then matched in its own ente's transaction.
import { recordAuditEvent, systemActor } from '../../../platform/audit/index.js';
import { withCrossEnteRead } from '../../../platform/db/index.js';
import type { JobDefinition } from '../../../platform/jobs/index.js';
import type { Platform } from '../../../platform/platform.js';
import { getCstEnte } from '../../../platform/tenancy/index.js';
import { rematchFlow } from './service.js';

export const REMATCH_QUEUE = 'payments-reconciliation-rematch';

/** Matches again every flow in anomaly (or left imported); returns how many were matched. */
export async function rematchOpenFlows(platform: Platform, now = new Date()): Promise<number> {
  const db = platform.db.app;
  const cst = await getCstEnte(db);
  if (cst) await recordAuditEvent(db, { enteId: cst.id, actor: systemActor, action: 'cross_ente.read', entity: 'payment_fdr', after: { reason: 'nuovo abbinamento dei flussi non riconciliati' } });
  const open = await withCrossEnteRead(db, (trx) => trx.selectFrom('payment_fdr').select(['ente_id', 'id']).where('status', '<>', 'matched').orderBy('imported_at').limit(5000).execute());
  for (const flow of open) await rematchFlow(db, systemActor, flow.ente_id, flow.id, now);
  return open.length;
}

export function rematchJobs(platform: Platform): JobDefinition<any>[] {
  return [{ queue: REMATCH_QUEUE, schedule: '30 6 * * *', handler: async () => rematchOpenFlows(platform) }];
}
