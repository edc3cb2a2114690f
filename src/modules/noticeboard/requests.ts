// Publishing on behalf of another body: a union (or comunità montana, or another comune) asks a comune to
// publish an act on its albo (a union's acts go on its seat comune's albo). The request belongs to the target
// ente; the requester follows it and gets the certificate back through the explicit, audited path below.
import { recordAudit, recordAuditEvent, type Actor } from '../../platform/audit/index.js';
import { withCrossEnteRead, withEnte } from '../../platform/db/index.js';
import { conflict, notFound, unprocessable } from '../../platform/http/problem.js';
import type { Platform } from '../../platform/platform.js';
import { getEnteById } from '../../platform/tenancy/index.js';
import { createDraft, type DraftInput, type UploadedFile } from './service.js';
import * as store from './store.js';
import { inspectDocument, DocumentRejected } from './documents.js';
import { MAX_DOCUMENT_BYTES } from './service.js';
import { notifyPublishers, notifyRequester } from './request-notify.js';

export interface RequestView {
  id: number;
  targetEnteId: string;
  requesterEnteId: string;
  requesterName: string;
  status: 'pending' | 'published' | 'rejected';
  actType: string;
  subject: string;
  office: string;
  actNumber: string | null;
  actDate: string | null;
  days: number;
  noticeId: string | null;
  rejectionReason: string | null;
  createdAt: Date;
  documents: { sha256: string; originalName: string; title: string; mediaType: string; sizeBytes: number }[];
}

type RequestRow = Awaited<ReturnType<typeof selectRequests>>[number];
const selectRequests = (trx: Parameters<Parameters<typeof withEnte>[2]>[0]) =>
  trx.selectFrom('notice_request as r').innerJoin('ente as e', 'e.id', 'r.requester_ente_id').selectAll('r').select('e.name as requester_name').orderBy('r.created_at', 'desc').execute();

function toView(r: RequestRow): RequestView {
  return {
    id: r.id,
    targetEnteId: r.ente_id,
    requesterEnteId: r.requester_ente_id,
    requesterName: r.requester_name,
    status: r.status,
    actType: r.act_type,
    subject: r.subject,
    office: r.office,
    actNumber: r.act_number,
    actDate: r.act_date,
    days: r.days,
    noticeId: r.notice_id,
    rejectionReason: r.rejection_reason,
    createdAt: r.created_at,
    documents: r.documents as RequestView['documents'],
  };
}

/** The requester files a request on the target's albo (documents checked now, stored for the target). */
export async function requestPublication(
  platform: Platform,
  actor: Actor,
  requesterEnteId: string,
  targetEnteId: string,
  input: DraftInput,
  files: UploadedFile[],
): Promise<number> {
  if (requesterEnteId === targetEnteId) throw unprocessable("Un ente pubblica sul proprio albo direttamente, senza richiesta");
  const [requester, target] = await Promise.all([getEnteById(platform.db.app, requesterEnteId), getEnteById(platform.db.app, targetEnteId)]);
  if (!requester || !target) throw notFound('Ente non trovato');
  if (files.length === 0) throw unprocessable("Il documento principale (PDF) è obbligatorio");
  const type = await store.actType(platform.db.app, input.actType);
  if (!type) throw unprocessable(`Tipo di atto sconosciuto: ${input.actType}`);
  if ((input.days ?? type.days) < type.days) throw unprocessable(`Per «${type.name}» la pubblicazione dura almeno ${type.days} giorni`);
  const checked = files.map((file) => {
    try {
      return { file, mediaType: inspectDocument(file.bytes, file.originalName, MAX_DOCUMENT_BYTES).mediaType };
    } catch (err) {
      if (err instanceof DocumentRejected) throw unprocessable(err.message);
      throw err;
    }
  });
  const id = await withEnte(platform.db.app, targetEnteId, async (trx) => {
    const documents = [];
    for (const { file, mediaType } of checked) {
      const stored = await platform.files.put(trx, targetEnteId, { bytes: file.bytes, mediaType, originalName: file.originalName, createdBy: actor.id });
      documents.push({ sha256: stored.sha256, originalName: file.originalName, title: file.title?.trim() || file.originalName, mediaType, sizeBytes: stored.sizeBytes });
    }
    const row = await trx
      .insertInto('notice_request')
      .values({
        ente_id: targetEnteId,
        requester_ente_id: requesterEnteId,
        act_type: type.code,
        subject: input.subject.trim(),
        office: input.office.trim(),
        act_number: input.actNumber?.trim() || null,
        act_date: input.actDate || null,
        days: input.days ?? type.days,
        requested_start: input.requestedStart || null,
        documents: JSON.stringify(documents),
        created_by: actor.id,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await recordAudit(trx, { enteId: targetEnteId, actor, action: 'notice_request.create', entity: 'notice_request', entityId: row.id, after: { requester: requester.name, subject: input.subject } });
    await notifyPublishers(platform, trx, targetEnteId, row.id);
    return row.id;
  });
  await recordAuditEvent(platform.db.app, { enteId: requesterEnteId, actor, action: 'notice_request.sent', entity: 'notice_request', entityId: id, after: { target: target.name } });
  return id;
}

/** Requests addressed to this ente's albo. */
export async function requestsForTarget(platform: Platform, targetEnteId: string): Promise<RequestView[]> {
  return withEnte(platform.db.app, targetEnteId, async (trx) => (await selectRequests(trx)).map(toView));
}

/** Requests this ente sent to other albi: crosses enti, so it is read-only and audited. */
export async function requestsOfRequester(platform: Platform, actor: Actor, requesterEnteId: string): Promise<RequestView[]> {
  await recordAuditEvent(platform.db.app, { enteId: requesterEnteId, actor, action: 'cross_ente.read', entity: 'notice_request', after: { reason: 'richieste di pubblicazione inviate' } });
  return withCrossEnteRead(platform.db.app, async (trx) => (await selectRequests(trx)).filter((r) => r.requester_ente_id === requesterEnteId).map(toView));
}

/** The target's operator turns a request into a draft of its albo (then publishes it as any other act). */
export async function acceptRequest(platform: Platform, actor: Actor, targetEnteId: string, requestId: number): Promise<string> {
  const request = (await requestsForTarget(platform, targetEnteId)).find((r) => r.id === requestId);
  if (!request) throw notFound('Richiesta non trovata');
  if (request.status !== 'pending') throw conflict('La richiesta è già stata evasa');
  const existing = await withEnte(platform.db.app, targetEnteId, (trx) => trx.selectFrom('notice').select('id').where('request_id', '=', requestId).executeTakeFirst());
  if (existing) return existing.id;
  const files = await withEnte(platform.db.app, targetEnteId, async (trx) => {
    const out: UploadedFile[] = [];
    for (const d of request.documents) {
      const file = await platform.files.get(trx, d.sha256);
      if (!file) throw notFound(`Documento mancante: ${d.originalName}`);
      out.push({ bytes: file.bytes, originalName: d.originalName, title: d.title });
    }
    return out;
  });
  const draft = await createDraft(
    platform,
    actor,
    targetEnteId,
    { actType: request.actType, subject: request.subject, office: request.office, actNumber: request.actNumber, actDate: request.actDate, days: request.days },
    files,
    { requestId, requesterEnteId: request.requesterEnteId },
  );
  return draft.id;
}

export async function rejectRequest(platform: Platform, actor: Actor, targetEnteId: string, requestId: number, reason: string): Promise<void> {
  if (reason.trim().length < 5) throw unprocessable('Indicare il motivo del rifiuto');
  await withEnte(platform.db.app, targetEnteId, async (trx) => {
    const request = await trx.selectFrom('notice_request').select(['status']).where('id', '=', requestId).forUpdate().executeTakeFirst();
    if (!request) throw notFound('Richiesta non trovata');
    if (request.status !== 'pending') throw conflict('La richiesta è già stata evasa');
    const draft = await trx.selectFrom('notice').select('id').where('request_id', '=', requestId).executeTakeFirst();
    if (draft) throw conflict("La richiesta è già stata accolta: eliminare prima la bozza dell'atto per poterla rifiutare");
    await trx.updateTable('notice_request').set({ status: 'rejected', rejection_reason: reason.trim(), decided_at: new Date() }).where('id', '=', requestId).execute();
    await recordAudit(trx, { enteId: targetEnteId, actor, action: 'notice_request.reject', entity: 'notice_request', entityId: requestId, after: { reason } });
    await notifyRequester(platform, trx, targetEnteId, requestId, 'rejected');
  });
}
