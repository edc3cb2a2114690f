// Bulk acts for load tests and benchmarks (`cir albo generate --acts N`, `npm run bench`): published acts of
// every comune spread over the last ten years, with one main document each, written set-based (INSERT …
// SELECT FROM generate_series) in batches so a million acts take minutes, not hours.
//
// What still holds, as for acts published through the service: the register of each ente and year stays
// gapless and continues after the numbers already given (notice_register is advanced in the same statement),
// every act has its period from the act type's rule, and the document bytes exist in the file store (one
// placeholder PDF per comune, written with the file store like any upload). What is skipped: the per-act audit
// rows (one summary row per comune instead) and the privacy scan (the placeholder holds no personal data).
//
// Within one run numbers follow dates (acts are generated in date order, batch after batch); a second run
// spans the same ten years again and continues the numbers, so across runs they do not follow dates.
// Each batch disables two guard triggers for its own transaction only (ALTER TABLE is transactional: a failed
// batch leaves them on): the one of notice_document (the documents are written in the same statement as their
// act, already published) and the one of notice_register (the counter jumps by the batch's count, not by one).
// That holds a lock on both tables for the batch, so run this on a database that is not serving the public.
import { sql } from 'kysely';
import { addDays, todayInRome } from '../../platform/calendar/index.js';
import type { Database } from '../../platform/db/index.js';
import type { FileStore } from '../../platform/files/index.js';
import { actPdf, DEMO_ALBO_COMUNI, sampleActs } from './seed.js';

export interface GenerateOptions {
  /** Acts to create. */
  total: number;
  onProgress?: (done: number, total: number) => void;
  /** Acts per statement (default 50,000). */
  batchSize?: number;
  /** The publication dates end on this day (default: now). */
  now?: Date;
}

export interface GenerateReport {
  created: number;
  comuni: number;
  /** Acts of the whole albo (generated or not) online on the last day. */
  onlineToday: number;
  seconds: number;
  actsPerSecond: number;
}

/** Days the acts are spread over (ten years), and the share of acts published in the last week (online today). */
const SPAN_DAYS = 3652;
const RECENT_SHARE = 0.005;
const RECENT_DAYS = 8; // every act type lasts at least 8 days: an act of the last 8 days is online today
const QUIET_DAYS = 15; // the older acts end 15 days before today, so nearly all of them have expired
const SAMPLES = 400;
const YEAR_TOKEN = 9000;

/** Comuni get acts in proportion to these weights: the capoluogo publishes far more than a small comune. */
const weightOf = (slug: string) => (slug === 'asti' ? 10 : DEMO_ALBO_COMUNI.some((c) => c.slug === slug) ? 3 : 1);

export async function generateActs(platform: { db: Database; files: FileStore }, options: GenerateOptions): Promise<GenerateReport> {
  const started = performance.now();
  const total = Math.floor(options.total);
  if (!Number.isFinite(total) || total < 0) throw new Error(`generateActs: invalid total ${options.total}`);
  const batchSize = Math.max(1, Math.floor(options.batchSize ?? 50_000));
  const now = options.now ?? new Date();
  const today = todayInRome(now);
  const db = platform.db.owner;

  const comuni = await db.selectFrom('ente').select(['id', 'slug', 'name']).where('kind', '=', 'comune').orderBy('slug').execute();
  if (comuni.length === 0) throw new Error('generateActs: no comune in the database (load the network first)');

  // One placeholder PDF per comune, stored through the file store (bytes on disk, a stored_file row for the ente).
  const documents = await db.transaction().execute(async (trx) => {
    const out: { enteId: string; sha256: string; size: number }[] = [];
    for (const comune of comuni) {
      const bytes = await actPdf({
        ente: `Comune di ${comune.name}`,
        title: 'Atto di prova',
        subject: 'Documento segnaposto generato per le prove di carico dell\'albo pretorio',
        office: 'Centro servizi territoriale',
        body: "Questo documento sostituisce, nelle prove di carico, il testo integrale dell'atto pubblicato. Non contiene dati personali.",
        date: '2026-01-01',
      });
      const stored = await platform.files.put(trx, comune.id, { bytes, mediaType: 'application/pdf', originalName: 'atto-di-prova.pdf' });
      out.push({ enteId: comune.id, sha256: stored.sha256, size: stored.sizeBytes });
    }
    return out;
  });

  // Subjects name years ('bilancio 2024-2026'): written with a token year, replaced by each act's own.
  const samples = sampleActs(SAMPLES, total, YEAR_TOKEN);
  const perEnte = new Map<string, number>();
  let done = 0;
  options.onProgress?.(0, total);

  await db.connection().execute(async (conn) => {
    // Lookup tables for this session: comuni (with their weight slots and document) and act samples.
    await sql`create temporary table if not exists gen_ente (idx int primary key, ente_id uuid not null, sha256 text not null, size_bytes bigint not null)`.execute(conn);
    await sql`create temporary table if not exists gen_slot (slot int primary key, idx int not null)`.execute(conn);
    await sql`create temporary table if not exists gen_sample (idx int primary key, act_type text not null, office text not null, subject text not null, requester_name text, days int not null)`.execute(conn);
    await sql`truncate gen_ente, gen_slot, gen_sample`.execute(conn);
    await sql`insert into gen_ente select * from unnest(${documents.map((_, i) => i)}::int[], ${documents.map((d) => d.enteId)}::uuid[], ${documents.map((d) => d.sha256)}::text[], ${documents.map((d) => d.size)}::bigint[])`.execute(conn);
    const slots = comuni.flatMap((c, idx) => Array.from({ length: weightOf(c.slug) }, () => idx));
    await sql`insert into gen_slot select s - 1, idx from unnest(${slots}::int[]) with ordinality as t(idx, s)`.execute(conn);
    await sql`
      insert into gen_sample
      select s.i - 1, s.act_type, s.office, s.subject, s.requester_name, t.days
        from unnest(${samples.map((s) => s.type)}::text[], ${samples.map((s) => s.office)}::text[], ${samples.map((s) => s.subject)}::text[], ${samples.map((s) => s.requesterName)}::text[])
             with ordinality as s(act_type, office, subject, requester_name, i)
        join notice_act_type t on t.code = s.act_type`.execute(conn);
    const sampleCount = (await sql<{ n: number }>`select count(*)::int as n from gen_sample`.execute(conn)).rows[0]!.n;

    // A different stream of subjects and comuni on each run: the hashes are seeded with the acts already there.
    const seed = (await sql<{ n: number }>`select count(*)::int as n from notice`.execute(conn)).rows[0]!.n;
    const recent = total === 0 ? 0 : Math.max(1, Math.round(total * RECENT_SHARE));
    const main = total - recent;
    const mainStart = addDays(today, -SPAN_DAYS);
    const mainDays = SPAN_DAYS - QUIET_DAYS + 1;
    const recentStart = addDays(today, -(RECENT_DAYS - 1));

    for (let from = 1; from <= total; from += batchSize) {
      const to = Math.min(total, from + batchSize - 1);
      const counts = await conn.transaction().execute(async (trx) => {
        await sql`set local synchronous_commit = off`.execute(trx);
        await sql`set local work_mem = '128MB'`.execute(trx);
        await sql`alter table notice_document disable trigger notice_document_guard`.execute(trx);
        await sql`alter table notice_register disable trigger notice_register_guard`.execute(trx);
        const { rows } = await sql<{ ente_id: string; n: number }>`
          with src as (
            select g.i,
                   case when g.i <= ${main}::int
                        then ${mainStart}::date + ((g.i - 1)::bigint * ${mainDays}::int / greatest(${main}::int, 1))::int
                        else ${recentStart}::date + ((g.i - ${main}::int - 1)::bigint * ${RECENT_DAYS}::int / greatest(${recent}::int, 1))::int
                   end as day,
                   abs(hashint8extended(g.i, ${seed}::bigint)) as h1,
                   abs(hashint8extended(g.i, ${seed}::bigint + 1)) as h2,
                   abs(hashint8extended(g.i, ${seed}::bigint + 2)) as h3
              from generate_series(${from}::int, ${to}::int) as g(i)
          ),
          picked as (
            select src.i, src.day, src.h3, e.ente_id, e.sha256, e.size_bytes, s.act_type, s.office, s.subject, s.requester_name, s.days,
                   extract(year from src.day)::int as year
              from src
              join gen_slot sl on sl.slot = (src.h1 % ${slots.length}::int)
              join gen_ente e on e.idx = sl.idx
              join gen_sample s on s.idx = (src.h2 % ${sampleCount}::int)
          ),
          numbered as (
            select p.*, coalesce(r.last_number, 0) + row_number() over (partition by p.ente_id, p.year order by p.i) as number
              from picked p
              left join notice_register r on r.ente_id = p.ente_id and r.year = p.year
          ),
          ins as (
            insert into notice (ente_id, status, act_type, subject, office, act_number, act_date, requester_name, days,
                                publish_from, publish_to, register_year, register_number, privacy_findings, created_at, published_at)
            select n.ente_id, 'published', n.act_type,
                   replace(replace(replace(replace(replace(n.subject,
                     '${sql.raw(String(YEAR_TOKEN + 3))}', (n.year + 3)::text), '${sql.raw(String(YEAR_TOKEN + 2))}', (n.year + 2)::text),
                     '${sql.raw(String(YEAR_TOKEN + 1))}', (n.year + 1)::text), '${sql.raw(String(YEAR_TOKEN))}', n.year::text),
                     '${sql.raw(String(YEAR_TOKEN - 1))}', (n.year - 1)::text),
                   n.office, (1 + n.h3 % 900) || '/' || extract(year from n.day - (n.h3 % 5)::int),
                   n.day - (n.h3 % 5)::int, n.requester_name, n.days, n.day, n.day + n.days - 1, n.year, n.number, '[]',
                   least(now(), ((n.day + time '08:00') + make_interval(mins => (n.h3 % 480)::int)) at time zone 'Europe/Rome'),
                   least(now(), ((n.day + time '08:30') + make_interval(mins => (n.h3 % 480)::int)) at time zone 'Europe/Rome')
              from numbered n
            returning ente_id, id, act_type, register_year, register_number
          ),
          docs as (
            insert into notice_document (ente_id, notice_id, position, role, title, sha256, original_name, media_type, size_bytes)
            select ins.ente_id, ins.id, 0, 'main', 'Documento principale', e.sha256,
                   ins.act_type || '-' || ins.register_number || '-' || ins.register_year || '.pdf', 'application/pdf', e.size_bytes
              from ins join gen_ente e on e.ente_id = ins.ente_id
          ),
          reg as (
            insert into notice_register (ente_id, year, last_number)
            select ente_id, year, max(number) from numbered group by ente_id, year
            on conflict (ente_id, year) do update set last_number = excluded.last_number
          )
          select ente_id, count(*)::int as n from numbered group by ente_id`.execute(trx);
        await sql`alter table notice_register enable trigger notice_register_guard`.execute(trx);
        await sql`alter table notice_document enable trigger notice_document_guard`.execute(trx);
        return rows;
      });
      for (const row of counts) perEnte.set(row.ente_id, (perEnte.get(row.ente_id) ?? 0) + row.n);
      done = to;
      options.onProgress?.(done, total);
    }
  });

  // One audit row per comune for the whole run (not one per act).
  if (perEnte.size > 0) {
    await db
      .insertInto('audit_log')
      .values([...perEnte].map(([enteId, n]) => ({ ente_id: enteId, actor_label: 'generate', action: 'notice.generate', entity: 'notice', after: JSON.stringify({ acts: n, span: `${addDays(today, -SPAN_DAYS)}..${today}` }) })))
      .execute();
  }
  // Statistics for the planner, and the visibility map (index-only scans), as autovacuum would leave them.
  await sql`vacuum (analyze) notice, notice_document, notice_register, stored_file`.execute(db);
  const online = await sql<{ n: number }>`
    select count(*)::int as n from notice where status = 'published' and publish_from <= ${today}::date and effective_to >= ${today}::date`.execute(db);
  const seconds = (performance.now() - started) / 1000;
  return { created: done, comuni: comuni.length, onlineToday: online.rows[0]!.n, seconds, actsPerSecond: seconds > 0 ? done / seconds : 0 };
}
