// The albo pretorio: drafts, publication with the register number, annulment, correction, service
// interruptions, and what the public may see on a given day. Every write is audited in its transaction.
import type { Kysely } from 'kysely';
import { recordAudit, type Actor } from '../../platform/audit/index.js';
import { todayInRome } from '../../platform/calendar/index.js';
import { withEnte, type DB, type Trx } from '../../platform/db/index.js';
import { conflict, notFound, unprocessable } from '../../platform/http/problem.js';
import type { Platform } from '../../platform/platform.js';
import { DocumentRejected, extractPdfText, inspectDocument } from './documents.js';
import { scanForPersonalData, type PrivacyFinding } from './privacy.js';
import { NoticeRuleError, computePeriod, lostDays, publicState, registerLabel, registerYear, type PublicState } from './rules.js';
import { notifyRequester } from './request-notify.js';
import * as store from './store.js';

export const MAX_DOCUMENT_BYTES = 20 * 1024 * 1024;
export const MAX_ATTACHMENTS = 20;

export interface UploadedFile {
  bytes: Buffer;
  originalName: string;
  title?: string | undefined;
}

export interface DraftInput {
  actType: string;
  subject: string;
  office: string;
  actNumber?: string | null | undefined;
  actDate?: string | null | undefined;
  /** Longer than the type's rule if the act requires it; never shorter. */
  days?: number | null | undefined;
  /** A later start than today, if wanted. */
  requestedStart?: string | null | undefined;
  /** An outside body (prefettura, tribunale …) that asked for the publication. */
  requesterName?: string | null | undefined;
  correctsId?: string | null | undefined;
}

export interface NoticeView {
  id: string;
  status: 'draft' | 'published';
  state: PublicState;
  actType: { code: string; name: string };
  subject: string;
  office: string;
  actNumber: string | null;
  actDate: string | null;
  requester: { name: string; enteId: string | null } | null;
  register: { year: number; number: number; label: string } | null;
  days: number;
  publishFrom: string | null;
  publishTo: string | null;
  effectiveTo: string | null;
  extensionDays: number;
  annulment: { on: string; reason: string } | null;
  corrects: { id: string; label: string | null } | null;
  correctedBy: { id: string; label: string }[];
  documents: store.DocumentRow[];
  publishedAt: Date | null;
  privacyFindings: PrivacyFinding[];
  privacyConfirmedBy: string | null;
}

function rulesError(err: unknown): never {
  if (err instanceof NoticeRuleError || err instanceof DocumentRejected) throw unprocessable(err.message);
  throw err;
}

/** Checks each file by content and scans its text layer for personal data that should not go online. */
async function checkDocuments(files: UploadedFile[]): Promise<{ inspected: (UploadedFile & { mediaType: string })[]; findings: PrivacyFinding[] }> {
  const inspected: (UploadedFile & { mediaType: string })[] = [];
  const texts: string[] = [];
  for (const file of files) {
    let result;
    try {
      result = inspectDocument(file.bytes, file.originalName, MAX_DOCUMENT_BYTES);
    } catch (err) {
      rulesError(err);
    }
    inspected.push({ ...file, mediaType: result.mediaType });
    texts.push((await extractPdfText(result.pdfBytes)).text);
  }
  return { inspected, findings: scanForPersonalData(texts.join('\n')) };
}

async function attachDocuments(platform: Platform, trx: Trx, enteId: string, noticeId: string, actor: Actor, files: (UploadedFile & { mediaType: string })[]) {
  for (const [position, file] of files.entries()) {
    const stored = await platform.files.put(trx, enteId, { bytes: file.bytes, mediaType: file.mediaType, originalName: file.originalName, createdBy: actor.id });
    await trx
      .insertInto('notice_document')
      .values({
        ente_id: enteId,
        notice_id: noticeId,
        position,
        role: position === 0 ? 'main' : 'attachment',
        title: file.title?.trim() || file.originalName,
        sha256: stored.sha256,
        original_name: file.originalName,
        media_type: file.mediaType,
        size_bytes: stored.sizeBytes,
      })
      .execute();
  }
}

function validateDraft(input: DraftInput): void {
  if (input.subject.trim().length < 3) throw unprocessable("L'oggetto dell'atto è obbligatorio");
  if (input.office.trim().length === 0) throw unprocessable("L'ufficio che ha emesso l'atto è obbligatorio");
  if (input.actDate && !/^\d{4}-\d{2}-\d{2}$/.test(input.actDate)) throw unprocessable("Data dell'atto non valida");
}

/** Creates a draft with its documents (main first). Nothing is public and no number is used until publish(). */
export async function createDraft(
  platform: Platform,
  actor: Actor,
  enteId: string,
  input: DraftInput,
  files: UploadedFile[],
  origin: { requestId?: number; requesterEnteId?: string; now?: Date } = {},
): Promise<{ id: string; findings: PrivacyFinding[] }> {
  validateDraft(input);
  if (files.length === 0) throw unprocessable("Il documento principale (PDF) è obbligatorio");
  if (files.length > MAX_ATTACHMENTS + 1) throw unprocessable(`Al massimo ${MAX_ATTACHMENTS} allegati`);
  const type = await store.actType(platform.db.app, input.actType);
  if (!type) throw unprocessable(`Tipo di atto sconosciuto: ${input.actType}`);
  try {
    // The same rule publish() applies, checked now so a wrong request never becomes a draft.
    computePeriod(type, todayInRome(origin.now), { start: input.requestedStart || null, days: input.days ?? null });
  } catch (err) {
    rulesError(err);
  }
  const { inspected, findings } = await checkDocuments(files);
  const subjectFindings = scanForPersonalData(`${input.subject}\n${input.office}`);
  const allFindings = [...subjectFindings, ...findings];
  return withEnte(platform.db.app, enteId, async (trx) => {
    if (input.correctsId) {
      const original = await store.noticeById(trx, input.correctsId);
      if (!original || original.status !== 'published') throw unprocessable("Si può rettificare solo un atto pubblicato di questo albo");
    }
    const row = await trx
      .insertInto('notice')
      .values({
        ente_id: enteId,
        act_type: type.code,
        subject: input.subject.trim(),
        office: input.office.trim(),
        act_number: input.actNumber?.trim() || null,
        act_date: input.actDate || null,
        requester_ente_id: origin.requesterEnteId ?? null,
        requester_name: input.requesterName?.trim() || null,
        request_id: origin.requestId ?? null,
        corrects_id: input.correctsId ?? null,
        days: input.days ?? type.days,
        requested_start: input.requestedStart || null,
        privacy_findings: JSON.stringify(allFindings),
        created_by: actor.id,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await attachDocuments(platform, trx, enteId, row.id, actor, inspected);
    await recordAudit(trx, { enteId, actor, action: 'notice.draft', entity: 'notice', entityId: row.id, after: { type: type.code, subject: input.subject, documents: inspected.length, findings: allFindings.length } });
    return { id: row.id, findings: allFindings };
  });
}

/** Replaces the documents of a draft (e.g. with a redacted copy) and scans them again. */
export async function replaceDraftDocuments(platform: Platform, actor: Actor, enteId: string, id: string, files: UploadedFile[]): Promise<PrivacyFinding[]> {
  if (files.length === 0) throw unprocessable("Il documento principale (PDF) è obbligatorio");
  const { inspected, findings } = await checkDocuments(files);
  return withEnte(platform.db.app, enteId, async (trx) => {
    const notice = await store.noticeById(trx, id, true);
    if (!notice) throw notFound('Atto non trovato');
    if (notice.status !== 'draft') throw conflict('Un atto pubblicato non può essere modificato: si può annullare o rettificare');
    const subjectFindings = scanForPersonalData(`${notice.subject}\n${notice.office}`);
    await trx.deleteFrom('notice_document').where('notice_id', '=', id).execute();
    await attachDocuments(platform, trx, enteId, id, actor, inspected);
    const all = [...subjectFindings, ...findings];
    await trx.updateTable('notice').set({ privacy_findings: JSON.stringify(all), privacy_confirmed_by: null }).where('id', '=', id).execute();
    await recordAudit(trx, { enteId, actor, action: 'notice.documents_replaced', entity: 'notice', entityId: id, after: { documents: inspected.length, findings: all.length } });
    return all;
  });
}

export async function deleteDraft(platform: Platform, actor: Actor, enteId: string, id: string): Promise<void> {
  await withEnte(platform.db.app, enteId, async (trx) => {
    const notice = await store.noticeById(trx, id, true);
    if (!notice) throw notFound('Atto non trovato');
    if (notice.status !== 'draft') throw conflict('Un atto pubblicato non può essere eliminato');
    await trx.deleteFrom('notice').where('id', '=', id).execute();
    await recordAudit(trx, { enteId, actor, action: 'notice.draft_deleted', entity: 'notice', entityId: id, before: { subject: notice.subject } });
  });
}

/**
 * Publishes a draft: fixes the period from the act type's rule and gives the next number of the ente's register
 * for the current year, in one transaction. A refused publication consumes no number.
 */
export async function publish(platform: Platform, actor: Actor, enteId: string, id: string, options: { confirmPrivacy?: boolean; now?: Date } = {}): Promise<NoticeView> {
  const now = options.now ?? new Date();
  const today = todayInRome(now);
  return withEnte(platform.db.app, enteId, async (trx) => {
    const notice = await store.noticeById(trx, id, true);
    if (!notice) throw notFound('Atto non trovato');
    if (notice.status !== 'draft') throw conflict(`L'atto è già pubblicato con il numero ${registerLabel(notice.register_number!, notice.register_year!)}`);
    const findings = (notice.privacy_findings ?? []) as PrivacyFinding[];
    if (findings.length > 0 && !options.confirmPrivacy) {
      throw unprocessable('Il testo contiene dati personali che potrebbero non essere pubblicabili: confermare la pubblicazione o caricare una copia oscurata', { findings });
    }
    const type = (await store.actType(trx, notice.act_type))!;
    let period;
    try {
      const start = notice.requested_start && notice.requested_start > today ? notice.requested_start : today;
      period = computePeriod(type, today, { start, days: notice.days });
    } catch (err) {
      rulesError(err);
    }
    const year = registerYear(now);
    const number = await store.nextRegisterNumber(trx, enteId, year);
    await trx
      .updateTable('notice')
      .set({
        status: 'published',
        publish_from: period.from,
        publish_to: period.to,
        register_year: year,
        register_number: number,
        published_at: now,
        published_by: actor.id,
        privacy_confirmed_by: findings.length > 0 ? actor.label : null,
      })
      .where('id', '=', id)
      .execute();
    if (notice.request_id !== null) {
      await trx.updateTable('notice_request').set({ status: 'published', notice_id: id, decided_at: now }).where('id', '=', notice.request_id).execute();
      await notifyRequester(platform, trx, enteId, notice.request_id, 'published');
    }
    await recordAudit(trx, { enteId, actor, action: 'notice.publish', entity: 'notice', entityId: id, after: { register: registerLabel(number, year), from: period.from, to: period.to, privacyConfirmed: findings.length > 0 } });
    return (await viewsOf(trx, [(await store.noticeById(trx, id))!], today))[0]!;
  });
}

/** Annulment: the act keeps its number and its page, stamped with date and reason. */
export async function annul(platform: Platform, actor: Actor, enteId: string, id: string, reason: string, now = new Date()): Promise<void> {
  if (reason.trim().length < 5) throw unprocessable("Indicare il motivo dell'annullamento");
  await withEnte(platform.db.app, enteId, async (trx) => {
    const notice = await store.noticeById(trx, id, true);
    if (!notice) throw notFound('Atto non trovato');
    if (notice.status !== 'published') throw conflict('Si può annullare solo un atto pubblicato (una bozza si elimina)');
    if (notice.annulled_on) throw conflict(`L'atto è già stato annullato il ${notice.annulled_on}`);
    await trx.updateTable('notice').set({ annulled_on: todayInRome(now), annulled_at: now, annul_reason: reason.trim(), annulled_by: actor.id }).where('id', '=', id).execute();
    await recordAudit(trx, { enteId, actor, action: 'notice.annul', entity: 'notice', entityId: id, after: { reason: reason.trim() } });
  });
}

/**
 * A declared interruption of service: every publication whose period it touches is extended by the days lost
 * (per interruption, recorded so the certificate can say so).
 */
export async function declareInterruption(
  platform: Platform,
  actor: Actor,
  enteId: string,
  input: { startsAt: Date; endsAt: Date; reason: string },
  now = new Date(),
): Promise<{ id: number; extended: number }> {
  if (Number.isNaN(input.startsAt.getTime()) || Number.isNaN(input.endsAt.getTime())) throw unprocessable('Date di inizio e fine non valide');
  if (input.endsAt <= input.startsAt) throw unprocessable("La fine dell'interruzione deve seguire l'inizio");
  if (input.endsAt > now) throw unprocessable("Si può dichiarare solo un'interruzione già terminata");
  if (input.reason.trim().length < 3) throw unprocessable("Indicare la causa dell'interruzione");
  return withEnte(platform.db.app, enteId, async (trx) => {
    const row = await trx
      .insertInto('notice_interruption')
      .values({ ente_id: enteId, starts_at: input.startsAt, ends_at: input.endsAt, reason: input.reason.trim(), declared_by: actor.id })
      .returning('id')
      .executeTakeFirstOrThrow();
    const from = todayInRome(input.startsAt);
    const touched = await trx
      .selectFrom('notice')
      .select(['id', 'publish_from', 'effective_to'])
      .where('status', '=', 'published')
      .where('publish_from', '<=', todayInRome(new Date(input.endsAt.getTime() - 1)))
      .where('effective_to', '>=', from)
      .forUpdate()
      .execute();
    let extended = 0;
    for (const n of touched) {
      const days = lostDays(input, { from: n.publish_from!, to: n.effective_to! });
      if (days === 0) continue;
      await trx.insertInto('notice_extension').values({ ente_id: enteId, notice_id: n.id, interruption_id: row.id, days }).execute();
      await trx.updateTable('notice').set((eb) => ({ extension_days: eb('extension_days', '+', days) })).where('id', '=', n.id).execute();
      extended += 1;
    }
    await recordAudit(trx, { enteId, actor, action: 'notice.interruption', entity: 'notice_interruption', entityId: row.id, after: { startsAt: input.startsAt, endsAt: input.endsAt, reason: input.reason, extended } });
    return { id: row.id, extended };
  });
}

async function viewsOf(trx: Trx, rows: store.NoticeRow[], today: string): Promise<NoticeView[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const [documents, types, corrections, originals, requesterNames] = await Promise.all([
    store.documentsOf(trx, ids),
    store.actTypes(trx),
    trx.selectFrom('notice').select(['id', 'corrects_id', 'register_year', 'register_number']).where('corrects_id', 'in', ids).where('status', '=', 'published').execute(),
    (() => {
      const originalIds = rows.map((r) => r.corrects_id).filter((x): x is string => !!x);
      return originalIds.length ? trx.selectFrom('notice').select(['id', 'register_year', 'register_number']).where('id', 'in', originalIds).execute() : Promise.resolve([]);
    })(),
    (() => {
      const enteIds = rows.map((r) => r.requester_ente_id).filter((x): x is string => !!x);
      return enteIds.length ? trx.selectFrom('ente').select(['id', 'name']).where('id', 'in', enteIds).execute() : Promise.resolve([]);
    })(),
  ]);
  const typeName = new Map(types.map((t) => [t.code, t.name]));
  const label = (r: { register_year: number | null; register_number: number | null }) => (r.register_number && r.register_year ? registerLabel(r.register_number, r.register_year) : null);
  return rows.map((r) => {
    const original = originals.find((o) => o.id === r.corrects_id);
    const requesterEnte = requesterNames.find((e) => e.id === r.requester_ente_id);
    return {
      id: r.id,
      status: r.status,
      state: publicState({ status: r.status, publishFrom: r.publish_from, effectiveTo: r.effective_to }, today),
      actType: { code: r.act_type, name: typeName.get(r.act_type) ?? r.act_type },
      subject: r.subject,
      office: r.office,
      actNumber: r.act_number,
      actDate: r.act_date,
      requester: requesterEnte ? { name: requesterEnte.name, enteId: requesterEnte.id } : r.requester_name ? { name: r.requester_name, enteId: null } : null,
      register: r.register_number && r.register_year ? { year: r.register_year, number: r.register_number, label: registerLabel(r.register_number, r.register_year) } : null,
      days: r.days,
      publishFrom: r.publish_from,
      publishTo: r.publish_to,
      effectiveTo: r.effective_to,
      extensionDays: r.extension_days,
      annulment: r.annulled_on ? { on: r.annulled_on, reason: r.annul_reason! } : null,
      corrects: r.corrects_id ? { id: r.corrects_id, label: original ? label(original) : null } : null,
      correctedBy: corrections.filter((c) => c.corrects_id === r.id).map((c) => ({ id: c.id, label: label(c)! })),
      documents: documents.get(r.id) ?? [],
      publishedAt: r.published_at,
      privacyFindings: (r.privacy_findings ?? []) as PrivacyFinding[],
      privacyConfirmedBy: r.privacy_confirmed_by,
    };
  });
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// ------------------------------------------------------------------------------------------- public reads
// Expiry is decided here, on every read, from the dates: no background job has to run for an act to go.

export async function publicList(db: Kysely<DB>, enteId: string, query: Omit<store.PublicQuery, 'today'>, now = new Date()) {
  const today = todayInRome(now);
  return withEnte(db, enteId, async (trx) => {
    const page = await store.listOnline(trx, { ...query, today });
    return { total: page.total, items: await viewsOf(trx, page.items, today) };
  });
}

/** An act for the public: its view while online; 'gone' once expired (410); undefined if never public. */
export async function publicDetail(db: Kysely<DB>, enteId: string, id: string, now = new Date()): Promise<NoticeView | 'gone' | undefined> {
  if (!UUID.test(id)) return undefined;
  const today = todayInRome(now);
  return withEnte(db, enteId, async (trx) => {
    const row = await store.noticeById(trx, id);
    if (!row || row.status !== 'published') return undefined;
    const [view] = await viewsOf(trx, [row], today);
    if (view!.state === 'scheduled') return undefined;
    if (view!.state === 'expired') return 'gone';
    return view;
  });
}

export async function publicFile(platform: Platform, enteId: string, id: string, sha256: string, now = new Date()) {
  const detail = await publicDetail(platform.db.app, enteId, id, now);
  if (detail === undefined || detail === 'gone') return detail;
  const document = detail.documents.find((d) => d.sha256 === sha256);
  if (!document) return undefined;
  const file = await withEnte(platform.db.app, enteId, (trx) => platform.files.get(trx, sha256));
  return file ? { ...document, bytes: file.bytes } : undefined;
}

// -------------------------------------------------------------------------------------------- staff reads

export async function staffDetail(db: Kysely<DB>, enteId: string, id: string, now = new Date()): Promise<NoticeView | undefined> {
  if (!UUID.test(id)) return undefined;
  return withEnte(db, enteId, async (trx) => {
    const row = await store.noticeById(trx, id);
    return row ? (await viewsOf(trx, [row], todayInRome(now)))[0] : undefined;
  });
}

export async function registerList(db: Kysely<DB>, enteId: string, query: store.RegisterQuery, now = new Date()) {
  const today = todayInRome(now);
  return withEnte(db, enteId, async (trx) => {
    const page = await store.listAll(trx, query);
    return { total: page.total, items: await viewsOf(trx, page.items, today) };
  });
}

export async function staffDocument(platform: Platform, enteId: string, id: string, sha256: string) {
  return withEnte(platform.db.app, enteId, async (trx) => {
    const document = await trx.selectFrom('notice_document').selectAll().where('notice_id', '=', id).where('sha256', '=', sha256).executeTakeFirst();
    if (!document) return undefined;
    const file = await platform.files.get(trx, sha256);
    return file ? { originalName: document.original_name, mediaType: document.media_type, bytes: file.bytes } : undefined;
  });
}

export async function extensionsOf(db: Kysely<DB>, enteId: string, id: string) {
  return withEnte(db, enteId, (trx) => store.extensionsOf(trx, id));
}

export const actTypes = (db: Kysely<DB>) => store.actTypes(db);
