// SQL of the albo pretorio (no rules here: see rules.ts and service.ts). Every function takes an ente-bound
// transaction (withEnte), so row-level security keeps it to one ente's albo.
import type { ColumnType, Generated, Kysely, Selectable } from 'kysely';
import { sql } from 'kysely';
import type { DB, Trx } from '../../platform/db/index.js';

declare module '../../platform/db/schema.js' {
  interface DB {
    notice_act_type: { code: string; name: string; days: number; legal_source: string; sort_order: Generated<number> };
    notice: {
      ente_id: string;
      id: Generated<string>;
      status: Generated<'draft' | 'published'>;
      act_type: string;
      subject: string;
      office: string;
      act_number: string | null;
      act_date: DateString | null;
      requester_ente_id: string | null;
      requester_name: string | null;
      request_id: number | null;
      corrects_id: string | null;
      days: number;
      requested_start: DateString | null;
      publish_from: DateString | null;
      publish_to: DateString | null;
      extension_days: Generated<number>;
      effective_to: ColumnType<DateString | null, never, never>;
      register_year: number | null;
      register_number: number | null;
      privacy_findings: Json;
      privacy_confirmed_by: string | null;
      created_at: Timestamp;
      created_by: string | null;
      published_at: Date | null;
      published_by: string | null;
      annulled_on: DateString | null;
      annulled_at: Date | null;
      annul_reason: string | null;
      annulled_by: string | null;
      search: ColumnType<string, never, never>;
    };
    notice_document: {
      ente_id: string;
      notice_id: string;
      position: number;
      role: 'main' | 'attachment';
      title: string;
      sha256: string;
      original_name: string;
      media_type: string;
      size_bytes: number;
    };
    notice_register: { ente_id: string; year: number; last_number: number };
    notice_interruption: { ente_id: string; id: Generated<number>; starts_at: Date; ends_at: Date; reason: string; declared_at: Timestamp; declared_by: string | null };
    notice_extension: { ente_id: string; notice_id: string; interruption_id: number; days: number };
    notice_request: {
      ente_id: string;
      id: Generated<number>;
      requester_ente_id: string;
      status: Generated<'pending' | 'published' | 'rejected'>;
      act_type: string;
      subject: string;
      office: string;
      act_number: string | null;
      act_date: DateString | null;
      days: number;
      requested_start: DateString | null;
      documents: Json;
      notice_id: string | null;
      rejection_reason: string | null;
      created_at: Timestamp;
      created_by: string | null;
      decided_at: Date | null;
    };
  }
}
export type NoticeRow = Selectable<DB['notice']>;

export interface DocumentRow {
  position: number;
  role: 'main' | 'attachment';
  title: string;
  sha256: string;
  originalName: string;
  mediaType: string;
  sizeBytes: number;
}

export const actTypes = (db: Kysely<DB> | Trx) =>
  db.selectFrom('notice_act_type').select(['code', 'name', 'days', 'legal_source as legalSource']).orderBy('sort_order').execute();

export async function actType(db: Kysely<DB> | Trx, code: string) {
  return db.selectFrom('notice_act_type').select(['code', 'name', 'days', 'legal_source as legalSource']).where('code', '=', code).executeTakeFirst();
}

export async function noticeById(trx: Trx, id: string, forUpdate = false): Promise<NoticeRow | undefined> {
  let query = trx.selectFrom('notice').selectAll().where('id', '=', id);
  if (forUpdate) query = query.forUpdate();
  return (await query.executeTakeFirst()) as NoticeRow | undefined;
}

export async function documentsOf(trx: Trx, noticeIds: string[]): Promise<Map<string, DocumentRow[]>> {
  const result = new Map<string, DocumentRow[]>();
  if (noticeIds.length === 0) return result;
  const rows = await trx.selectFrom('notice_document').selectAll().where('notice_id', 'in', noticeIds).orderBy('position').execute();
  for (const r of rows) {
    const list = result.get(r.notice_id) ?? [];
    list.push({ position: r.position, role: r.role, title: r.title, sha256: r.sha256, originalName: r.original_name, mediaType: r.media_type, sizeBytes: r.size_bytes });
    result.set(r.notice_id, list);
  }
  return result;
}

/** The next number of the ente's register for `year`: row-locked increment, rolled back with a failed publication. */
export async function nextRegisterNumber(trx: Trx, enteId: string, year: number): Promise<number> {
  const row = await trx
    .insertInto('notice_register')
    .values({ ente_id: enteId, year, last_number: 1 })
    .onConflict((oc) => oc.columns(['ente_id', 'year']).doUpdateSet({ last_number: sql`notice_register.last_number + 1` }))
    .returning('last_number')
    .executeTakeFirstOrThrow();
  return row.last_number;
}

export interface PublicQuery {
  today: string;
  type?: string | undefined;
  year?: number | undefined;
  q?: string | undefined;
  limit: number;
  offset: number;
}

/** Acts online on `today` (published, started, not past their effective end), newest register number first. */
export async function listOnline(trx: Trx, query: PublicQuery): Promise<{ total: number; items: NoticeRow[] }> {
  let base = trx
    .selectFrom('notice')
    .where('status', '=', 'published')
    .where('effective_to', '>=', query.today)
    .where('publish_from', '<=', query.today);
  if (query.type) base = base.where('act_type', '=', query.type);
  if (query.year) base = base.where('register_year', '=', query.year);
  if (query.q) base = base.where(sql<boolean>`search @@ websearch_to_tsquery('italian', ${query.q})`);
  const [count] = await base.select((eb) => eb.fn.countAll<number>().as('n')).execute();
  const items = await base
    .selectAll()
    .orderBy('register_year', 'desc')
    .orderBy('register_number', 'desc')
    .limit(query.limit)
    .offset(query.offset)
    .execute();
  return { total: Number(count?.n ?? 0), items: items as NoticeRow[] };
}

export interface RegisterQuery {
  year?: number | undefined;
  status?: 'draft' | 'published' | undefined;
  q?: string | undefined;
  limit: number;
  offset: number;
}

/** The staff view: every act of the ente, drafts and expired and annulled ones included. */
export async function listAll(trx: Trx, query: RegisterQuery): Promise<{ total: number; items: NoticeRow[] }> {
  let base = trx.selectFrom('notice');
  if (query.status) base = base.where('status', '=', query.status);
  if (query.year) base = base.where('register_year', '=', query.year);
  if (query.q) base = base.where(sql<boolean>`search @@ websearch_to_tsquery('italian', ${query.q})`);
  const [count] = await base.select((eb) => eb.fn.countAll<number>().as('n')).execute();
  const items = await base
    .selectAll()
    .orderBy(sql`status = 'draft'`, 'desc')
    .orderBy('register_year', 'desc')
    .orderBy('register_number', 'desc')
    .orderBy('created_at', 'desc')
    .limit(query.limit)
    .offset(query.offset)
    .execute();
  return { total: Number(count?.n ?? 0), items: items as NoticeRow[] };
}

export async function correctionsOf(trx: Trx, id: string): Promise<NoticeRow[]> {
  return (await trx.selectFrom('notice').selectAll().where('corrects_id', '=', id).where('status', '=', 'published').orderBy('register_year').orderBy('register_number').execute()) as NoticeRow[];
}

export async function extensionsOf(trx: Trx, noticeId: string) {
  return trx
    .selectFrom('notice_extension as x')
    .innerJoin('notice_interruption as i', (j) => j.onRef('i.ente_id', '=', 'x.ente_id').onRef('i.id', '=', 'x.interruption_id'))
    .select(['x.days', 'i.starts_at', 'i.ends_at', 'i.reason'])
    .where('x.notice_id', '=', noticeId)
    .orderBy('i.starts_at')
    .execute();
}
