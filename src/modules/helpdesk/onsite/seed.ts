// Demo data of the on-site interventions, relative to the day of the first start: contracted hours of the
// year for ten enti, and the visits of the CST technician — past and confirmed, past and awaiting the ente's
// confirmation, and planned for the next working day at three enti (a day plan grouped by ente).
import { systemActor, type Actor } from '../../../platform/audit/index.js';
import { addDays, todayInRome } from '../../../platform/calendar/index.js';
import { withEnte } from '../../../platform/db/index.js';
import type { Platform } from '../../../platform/platform.js';
import { getEnteBySlug, slugify } from '../../../platform/tenancy/index.js';
import { isoWeekday } from '../sla/calendar.js';
import { setContract } from './hours.js';
import { decideReport, recordReport } from './reports.js';
import { planVisit } from './service.js';

const CONTRACT_HOURS: [string, number][] = [
  ['Asti', 40],
  ['Canelli', 16],
  ['Nizza Monferrato', 16],
  ["San Damiano d'Asti", 12],
  ["Costigliole d'Asti", 12],
  ["Villanova d'Asti", 10],
  ['Moncalvo', 8],
  ['Castagnole delle Lanze', 8],
  ['Montiglio Monferrato', 6],
  ['Cocconato', 6],
];

/** The working day (Mon–Fri) `n` working days from `date` (negative: back). */
function workingDay(date: string, n: number): string {
  let d = date;
  let left = Math.abs(n);
  while (left > 0) {
    d = addDays(d, Math.sign(n));
    if (isoWeekday(d) <= 5) left--;
  }
  return d;
}

export async function seedOnsite(platform: Platform, now = new Date()): Promise<void> {
  const db = platform.db.app;
  const today = todayInRome(now);
  const year = Number(today.slice(0, 4));
  const enteOf = async (name: string) => getEnteBySlug(db, slugify(name));
  const technician = await db.selectFrom('staff_user').select('id').where('email', '=', 'tecnico@cst.demo').executeTakeFirst();
  const person = async (email: string): Promise<Actor> => {
    const user = await db.selectFrom('staff_user').select('id').where('email', '=', email).executeTakeFirst();
    return { id: user?.id ?? null, label: email };
  };

  const visits = [
    { ente: 'Asti', day: workingDay(today, -15), start: '09:00', end: '12:00', minutes: 170, decidedBy: 'admin@asti.demo', activities: 'Sostituzione dello switch del piano terra e verifica del cablaggio degli uffici demografici.' },
    { ente: 'Canelli', day: workingDay(today, -20), start: '14:00', end: '16:00', minutes: 120, decidedBy: 'segreteria@canelli.demo', activities: 'Configurazione della nuova stampante multifunzione e delle cartelle di scansione.' },
    { ente: 'Canelli', day: workingDay(today, -3), start: '09:00', end: '11:00', minutes: 110, decidedBy: null, activities: 'Aggiornamento del software di protocollo e formazione breve del personale.' },
    { ente: 'Nizza Monferrato', day: workingDay(today, -4), start: '10:00', end: '12:30', minutes: 150, decidedBy: null, activities: 'Verifica della connettività e del Wi-Fi della biblioteca civica.' },
    { ente: 'Asti', day: workingDay(today, 1), start: '09:00', end: '11:00' },
    { ente: 'Nizza Monferrato', day: workingDay(today, 1), start: '11:45', end: '13:00' },
    { ente: 'Canelli', day: workingDay(today, 1), start: '14:30', end: '16:30' },
  ];
  // Contracts for every year a demo visit falls in (the past ones may be in last year early in January).
  const years = [...new Set([year, ...visits.map((v) => Number(v.day.slice(0, 4)))])];
  for (const [name, hours] of CONTRACT_HOURS) {
    const ente = await enteOf(name);
    if (!ente) continue;
    for (const y of years) await setContract(db, systemActor, ente.id, y, hours * 60, `Convenzione CST ${y}`, { now });
  }
  if (!technician) return;

  for (const v of visits) {
    const ente = await enteOf(v.ente);
    if (!ente) continue;
    // Cover up to two of the ente's open tickets, when the demo tickets are there.
    const tickets = await withEnte(db, ente.id, (trx) =>
      trx.selectFrom('ticket').select('id').where('state', 'not in', ['solved', 'closed']).orderBy('opened_at').limit(2).execute(),
    );
    const { visit } = await planVisit(db, systemActor, ente.id, { technicianId: technician.id, date: v.day, start: v.start, end: v.end, ticketIds: tickets.map((t) => t.id), notes: null }, { now });
    if (v.minutes === undefined) continue;
    const tech: Actor = { id: technician.id, label: 'tecnico@cst.demo' };
    await recordReport(db, tech, ente.id, visit.id, { minutes: v.minutes, activities: v.activities }, { now });
    if (v.decidedBy) await decideReport(db, await person(v.decidedBy), ente.id, visit.id, { confirm: true }, { now });
  }
}
