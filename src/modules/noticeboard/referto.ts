// The referto (certificate of publication) of an act: a draft while the act is still online, the final
// certificate once its period is over. The requester of an act published on its behalf gets it back too.
import type { Actor } from '../../platform/audit/index.js';
import { recordAuditEvent } from '../../platform/audit/index.js';
import { todayInRome } from '../../platform/calendar/index.js';
import { withEnte } from '../../platform/db/index.js';
import { conflict, notFound } from '../../platform/http/problem.js';
import type { Platform } from '../../platform/platform.js';
import { getEnteById, type Ente } from '../../platform/tenancy/index.js';
import { renderCertificate, type CertificateData } from './certificate.js';
import { requestsOfRequester } from './requests.js';
import { extensionsOf, staffDetail, type NoticeView } from './service.js';

const romeMinute = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Rome', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });
/** 'YYYY-MM-DDTHH:MM' in Rome time. */
const romeLocal = (d: Date) => romeMinute.format(d).replace(' ', 'T');

export function enteTitle(ente: Pick<Ente, 'kind' | 'name'>): string {
  return ente.kind === 'comune' ? `Comune di ${ente.name}` : ente.name;
}

async function certificateOf(platform: Platform, ente: Ente, view: NoticeView, now: Date): Promise<{ pdf: Buffer; draft: boolean }> {
  if (view.status !== 'published' || !view.register || !view.publishFrom || !view.publishTo) {
    throw conflict("Il referto si rilascia solo per un atto pubblicato");
  }
  const today = todayInRome(now);
  const draft = today <= view.effectiveTo!;
  const [extensions, publisher] = await Promise.all([
    extensionsOf(platform.db.app, ente.id, view.id),
    withEnte(platform.db.app, ente.id, (trx) =>
      trx.selectFrom('notice').innerJoin('staff_user', 'staff_user.id', 'notice.published_by').select('staff_user.display_name').where('notice.id', '=', view.id).executeTakeFirst(),
    ),
  ]);
  const ref = (label: string | null) => {
    const [number, year] = (label ?? '0/0').split('/').map(Number) as [number, number];
    return { number, year };
  };
  const data: CertificateData = {
    enteName: enteTitle(ente),
    draft,
    register: { number: view.register.number, year: view.register.year },
    actType: view.actType.name,
    subject: view.subject,
    issuingOffice: view.office,
    act: { number: view.actNumber, date: view.actDate },
    requester: view.requester?.name ?? null,
    period: { from: view.publishFrom, to: view.publishTo, days: view.days },
    extensions: extensions.map((x) => ({ from: romeLocal(x.starts_at), to: romeLocal(x.ends_at), daysAdded: x.days, reason: x.reason })),
    effectiveEnd: view.effectiveTo,
    annulment: view.annulment ? { date: view.annulment.on, reason: view.annulment.reason } : null,
    corrects: view.corrects?.label ? ref(view.corrects.label) : null,
    correctedBy: view.correctedBy.map((c) => ref(c.label)),
    documents: view.documents.map((d) => ({ role: d.role === 'main' ? 'principale' : 'allegato', fileName: d.originalName, sizeBytes: d.sizeBytes, sha256: d.sha256, title: d.title })),
    issue: { place: ente.name, date: today },
    responsible: { name: publisher?.display_name ?? 'Il responsabile della pubblicazione', title: 'Il responsabile della pubblicazione' },
    generatedAt: now,
  };
  return { pdf: await renderCertificate(data), draft };
}

/** For the staff of the ente that published the act. */
export async function certificatePdf(platform: Platform, enteId: string, id: string, now = new Date()): Promise<{ pdf: Buffer; draft: boolean }> {
  const [ente, view] = await Promise.all([getEnteById(platform.db.app, enteId), staffDetail(platform.db.app, enteId, id, now)]);
  if (!ente || !view) throw notFound('Atto non trovato');
  return certificateOf(platform, ente, view, now);
}

/** For the body that asked for the publication: only its own requests, through the audited cross-ente path. */
export async function certificateForRequester(platform: Platform, actor: Actor, requesterEnteId: string, requestId: number, now = new Date()): Promise<{ pdf: Buffer; draft: boolean }> {
  const request = (await requestsOfRequester(platform, actor, requesterEnteId)).find((r) => r.id === requestId);
  if (!request) throw notFound('Richiesta non trovata');
  if (request.status !== 'published' || !request.noticeId) throw conflict("L'atto richiesto non è ancora stato pubblicato");
  const [target, view] = await Promise.all([getEnteById(platform.db.app, request.targetEnteId), staffDetail(platform.db.app, request.targetEnteId, request.noticeId, now)]);
  if (!target || !view) throw notFound('Atto non trovato');
  await recordAuditEvent(platform.db.app, { enteId: request.targetEnteId, actor, action: 'notice.certificate_to_requester', entity: 'notice', entityId: view.id, after: { requester: requesterEnteId } });
  return certificateOf(platform, target, view, now);
}
