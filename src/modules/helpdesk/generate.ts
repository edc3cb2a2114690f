// Bulk tickets for load tests and benchmarks (`cir helpdesk generate --tickets N`, `npm run bench`): tickets
// of every comune spread over the last three years, written in multi-row INSERTs of a few thousand rows, so
// 500,000 tickets take about a minute.
//
// What holds as for tickets opened through the service: numbers per ente and year are gapless and continue the
// counters (ticket_counter is advanced in the same transaction), the SLA targets are those of the category and
// priority, and open tickets carry their stored due and warning times computed by the same SLA clock (due.ts),
// so the queue and the escalation job see them as real. The older tickets are solved or closed, the last weeks'
// mostly still open. What is skipped: events and per-ticket audit rows (one summary audit row per ente).
import { sql } from 'kysely';
import { recordAudit, systemActor } from '../../platform/audit/index.js';
import type { Database } from '../../platform/db/index.js';
import { withEnte } from '../../platform/db/index.js';
import { prng } from '../../platform/prng.js';
import { yearInRome } from '../../platform/calendar/index.js';
import { dueFields } from './due.js';
import { priorityOf } from './service.js';
import type { TicketRow } from './store.js';

export interface GenerateTicketsOptions {
  total: number;
  onProgress?: (done: number, total: number) => void;
  /** Rows per INSERT (default 2,000; 30 columns each stays under PostgreSQL's 65,535 parameters). */
  batchSize?: number;
  now?: Date;
  seed?: number;
}

export interface GenerateTicketsReport {
  created: number;
  enti: number;
  open: number;
  seconds: number;
  ticketsPerSecond: number;
}

const SPAN_DAYS = 3 * 365;
const DAY = 86_400_000;
/** Tickets opened in the last 15 days are open with this probability; older ones are solved or closed. */
const RECENT_DAYS = 15;
const RECENT_OPEN_SHARE = 0.5;

const SUBJECTS = [
  'La stampante di rete non stampa',
  'PEC istituzionale piena',
  'Errore di collegamento ad ANPR',
  'Firma digitale scaduta',
  'Avviso pagoPA non pagabile',
  "Atto da pubblicare all'albo con errore",
  'Password del gestionale dimenticata',
  'Wi-Fi della biblioteca non funziona',
  'Posta elettronica lenta',
  'Richiesta nuova postazione di lavoro',
];

export async function generateTickets(platform: { db: Database }, options: GenerateTicketsOptions): Promise<GenerateTicketsReport> {
  const started = performance.now();
  const total = Math.floor(options.total);
  if (!Number.isFinite(total) || total < 0) throw new Error(`generateTickets: invalid total ${options.total}`);
  const batchSize = Math.max(1, Math.floor(options.batchSize ?? 2000));
  const now = options.now ?? new Date();
  const random = prng(options.seed ?? 6);
  const db = platform.db.owner;

  const enti = await db.selectFrom('ente').select(['id', 'slug']).where('kind', '=', 'comune').orderBy('slug').execute();
  if (enti.length === 0) throw new Error('generateTickets: no comuni in the database');
  const targets = await db.selectFrom('ticket_sla_target').selectAll().execute();
  const categories = [...new Set(targets.map((t) => t.category_code))];
  const targetOf = new Map(targets.map((t) => [`${t.category_code}/${t.priority}`, t]));
  const counters = new Map((await db.selectFrom('ticket_counter').selectAll().execute()).map((c) => [`${c.ente_id}/${c.year}`, c.last_number]));

  // Opening instants in date order, so that numbers follow dates within one run.
  const openedAt = Array.from({ length: total }, () => now.getTime() - Math.floor(random() * SPAN_DAYS * DAY)).sort((a, b) => a - b);
  let created = 0;
  let open = 0;
  for (let from = 0; from < total; from += batchSize) {
    const rows: TicketRow[] = [];
    for (let i = from; i < Math.min(total, from + batchSize); i++) {
      const ente = enti[Math.floor(random() * enti.length)]!;
      const at = new Date(openedAt[i]!);
      const year = yearInRome(at);
      const key = `${ente.id}/${year}`;
      const number = (counters.get(key) ?? 0) + 1;
      counters.set(key, number);
      const urgency = 1 + Math.floor(random() * 3);
      const impact = 1 + Math.floor(random() * 3);
      const priority = priorityOf(urgency, impact);
      const category = categories[Math.floor(random() * categories.length)]!;
      const target = targetOf.get(`${category}/${priority}`)!;
      const ageDays = (now.getTime() - at.getTime()) / DAY;
      const isOpen = ageDays < RECENT_DAYS && random() < RECENT_OPEN_SHARE;
      const responded = !isOpen || random() < 0.6;
      const firstResponseAt = responded ? new Date(at.getTime() + Math.floor(random() * 6 * 3_600_000)) : null;
      const solvedAt = isOpen ? null : new Date(at.getTime() + Math.floor((1 + random() * 72) * 3_600_000));
      const closed = !isOpen && ageDays > 30;
      const state = isOpen ? (firstResponseAt ? 'in_progress' : 'new') : closed ? 'closed' : 'solved';
      const ticket = {
        ente_id: ente.id,
        id: crypto.randomUUID(),
        year,
        number,
        channel: (['phone', 'phone', 'web', 'email'] as const)[Math.floor(random() * 4)]!,
        caller_name: 'Utente di prova',
        caller_phone: '0141 000000',
        caller_email: `utente@${ente.slug}.example`,
        category_code: category,
        urgency,
        impact,
        priority,
        subject: SUBJECTS[Math.floor(random() * SUBJECTS.length)]!,
        description: 'Ticket generato per le prove di carico.',
        state,
        assignee_id: null,
        first_response_minutes: target.first_response_minutes,
        resolution_minutes: target.resolution_minutes,
        opened_at: at,
        first_response_at: firstResponseAt && solvedAt && firstResponseAt > solvedAt ? solvedAt : firstResponseAt,
        solved_at: solvedAt,
        closed_at: closed ? new Date(solvedAt!.getTime() + 7 * DAY) : null,
        created_by: null,
        requester_id: null,
        escalated_at: null,
        merged_into: null,
      } satisfies Omit<TicketRow, 'due_at' | 'warn_at' | 'first_response_met' | 'resolution_met'>;
      const fields = dueFields({ ...ticket, due_at: null, warn_at: null, first_response_met: null, resolution_met: null }, [], now);
      if (isOpen) open++;
      rows.push({ ...ticket, ...fields });
    }
    await db.transaction().execute(async (trx) => {
      await trx.insertInto('ticket').values(rows).execute();
    });
    created += rows.length;
    options.onProgress?.(created, total);
  }
  // Advance the counters so that the next ticket opened through the service continues the numbers.
  for (const [key, last] of counters) {
    const [enteId, year] = key.split('/') as [string, string];
    await sql`insert into ticket_counter (ente_id, year, last_number) values (${enteId}, ${Number(year)}, ${last})
              on conflict (ente_id, year) do update set last_number = greatest(ticket_counter.last_number, excluded.last_number)`.execute(db);
  }
  for (const ente of enti) {
    await withEnte(platform.db.app, ente.id, (trx) =>
      recordAudit(trx, { enteId: ente.id, actor: systemActor, action: 'ticket.generate', entity: 'ticket', after: { reason: 'prove di carico' } }),
    );
  }
  const seconds = (performance.now() - started) / 1000;
  return { created, enti: enti.length, open, seconds, ticketsPerSecond: seconds > 0 ? created / seconds : created };
}
