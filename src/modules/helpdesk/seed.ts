// Demo tickets for the demo network: a realistic fortnight of the CST's desk, relative to the day of the first
// start — calls and web tickets of several comuni, some answered, one waiting for the ente, some solved and
// closed, one merged duplicate — all written through the service, so numbers, SLA and history are real.
import { systemActor, type Actor } from '../../platform/audit/index.js';
import type { Platform } from '../../platform/platform.js';
import { getEnteBySlug } from '../../platform/tenancy/index.js';
import { addObserver, mergeTickets } from './collaboration.js';
import { addNote, addReply, assign, changeState, openTicket, type OpenTicketInput } from './service.js';

type Step =
  | { after: number; reply: string }
  | { after: number; note: string }
  | { after: number; assign: true }
  | { after: number; state: 'in_progress' | 'waiting_ente' | 'solved' | 'closed'; comment?: string };

interface DemoTicket {
  ente: string;
  /** Opened this many hours before now. */
  hoursAgo: number;
  ticket: OpenTicketInput;
  /** Minutes after the opening. */
  steps: Step[];
  observer?: string;
}

const phone = (name: string, number: string, email?: string) => ({ channel: 'phone' as const, callerName: name, callerPhone: number, callerEmail: email ?? null });

const demo: DemoTicket[] = [
  {
    ente: 'asti', hoursAgo: 2,
    ticket: { ...phone('Laura Bosco', '0141 399201', 'anagrafe@comune.asti.example'), category: 'software_demografici', urgency: 1, impact: 2, subject: 'ANPR: errore nel rilascio dei certificati', description: 'Allo sportello anagrafe il rilascio dei certificati da ANPR dà "servizio non disponibile" da stamattina; ci sono persone in coda.' },
    steps: [{ after: 10, assign: true }, { after: 15, reply: 'Abbiamo verificato: il certificato di collegamento ad ANPR è scaduto ieri. Lo stiamo rinnovando.' }, { after: 20, note: 'Certificato client scaduto il giorno prima; rinnovo richiesto al Viminale.' }],
    observer: 'dirigente.demografici@comune.asti.example',
  },
  {
    ente: 'canelli', hoursAgo: 5,
    ticket: { channel: 'web', callerName: 'Giulia Rosso', callerEmail: 'segreteria@canelli.demo', category: 'posta_pec', urgency: 2, impact: 2, subject: 'La casella PEC del protocollo è piena', description: 'Ci arriva l\'avviso che la casella PEC protocollo ha superato il 95% dello spazio. Come possiamo liberarla senza perdere messaggi?' },
    steps: [],
  },
  {
    ente: 'nizza-monferrato', hoursAgo: 26,
    ticket: { ...phone('Franco Gatti', '0141 720511'), category: 'hardware_stampanti', urgency: 2, impact: 3, subject: 'Stampante multifunzione dell\'ufficio tecnico non scansiona', description: 'La multifunzione al primo piano stampa ma non invia più le scansioni alla cartella di rete.' },
    steps: [{ after: 30, assign: true }, { after: 45, reply: 'Ci serve sapere se avete cambiato di recente la password dell\'utente di rete usato dalla stampante.' }, { after: 50, state: 'waiting_ente', comment: 'In attesa di conferma sulla password dell\'utente di scansione' }],
  },
  {
    ente: 'costigliole-d-asti', hoursAgo: 50,
    ticket: { ...phone('Marta Ferraris', '0141 962211', 'ragioneria@comune.costigliole.example'), category: 'pagopa', urgency: 2, impact: 2, subject: 'Avviso pagoPA della mensa non pagabile', description: 'Un genitore segnala che l\'avviso della mensa scolastica risulta "non pagabile" sull\'app IO.' },
    steps: [{ after: 20, assign: true }, { after: 40, reply: 'La posizione risultava annullata per un errore di caricamento; l\'abbiamo ricreata, il nuovo avviso è nel fascicolo.' }, { after: 120, state: 'solved', comment: 'Posizione debitoria ricreata e avviso rigenerato.' }],
  },
  {
    ente: 'asti', hoursAgo: 30,
    ticket: { ...phone('Roberto Conti', '0141 399310'), category: 'albo', urgency: 1, impact: 1, subject: 'Delibera pubblicata all\'albo con l\'allegato sbagliato', description: 'È stata pubblicata la delibera di giunta con un allegato che contiene dati personali non oscurati.' },
    steps: [{ after: 5, assign: true }, { after: 8, reply: 'Annullate la pubblicazione dall\'albo (resta nel registro) e ripubblicate con l\'allegato corretto: vi guidiamo al telefono.' }, { after: 40, state: 'solved', comment: 'Atto annullato e ripubblicato con il documento oscurato.' }],
  },
  {
    ente: 'asti', hoursAgo: 29,
    ticket: { ...phone('Ufficio segreteria', '0141 399100'), category: 'albo', urgency: 2, impact: 2, subject: 'Errore su una delibera all\'albo', description: 'Segnalazione doppia della delibera pubblicata con l\'allegato errato.' },
    steps: [],
  },
  {
    ente: 'scurzolengo', hoursAgo: 75,
    ticket: { ...phone('Sindaco', '0141 203100'), category: 'rete_internet', urgency: 1, impact: 1, subject: 'Municipio senza connessione internet', description: 'Dal mattino nessuna postazione del municipio naviga; il router ha la spia rossa.' },
    steps: [{ after: 10, assign: true }, { after: 15, reply: 'Abbiamo aperto la segnalazione al gestore della linea; vi teniamo aggiornati.' }, { after: 240, state: 'solved', comment: 'Guasto sulla linea risolto dal gestore.' }],
  },
  {
    ente: 'canelli', hoursAgo: 120,
    ticket: { channel: 'web', callerName: 'Giulia Rosso', callerEmail: 'segreteria@canelli.demo', category: 'account', urgency: 3, impact: 3, subject: 'Nuovo dipendente: account e accesso al protocollo', description: 'Dal primo del mese entra in servizio un nuovo istruttore amministrativo: servono account di posta e accesso al protocollo.' },
    steps: [{ after: 60, assign: true }, { after: 90, reply: 'Account creati: le credenziali sono state consegnate al responsabile.' }, { after: 100, state: 'solved' }],
  },
];

export async function seedDemoTickets(platform: Platform): Promise<void> {
  const db = platform.db.app;
  const tecnico = await platform.db.owner.selectFrom('staff_user').select(['id', 'email']).where('email', '=', 'tecnico@cst.demo').executeTakeFirst();
  const desk: Actor = tecnico ? { id: tecnico.id, label: tecnico.email } : systemActor;
  const now = Date.now();
  const opened = new Map<string, string>();
  for (const [index, d] of demo.entries()) {
    const ente = await getEnteBySlug(db, d.ente);
    if (!ente) continue;
    const start = now - d.hoursAgo * 3_600_000;
    const ticket = await openTicket(db, desk, ente.id, d.ticket, { now: new Date(start) });
    opened.set(`${index}`, ticket.id);
    if (d.observer) await addObserver(db, desk, ente.id, ticket.id, { email: d.observer }, { now: new Date(start + 60_000) });
    for (const step of d.steps) {
      const at = new Date(Math.min(start + step.after * 60_000, now - 60_000));
      if ('reply' in step) await addReply(db, desk, ente.id, ticket.id, step.reply, { now: at });
      else if ('note' in step) await addNote(db, desk, ente.id, ticket.id, step.note, { now: at });
      else if ('assign' in step) {
        if (tecnico) await assign(db, desk, ente.id, ticket.id, tecnico.id, { now: at });
      } else await changeState(db, desk, ente.id, ticket.id, step.state, { now: at, comment: step.comment });
    }
  }
  // The second call about the albo act is a duplicate of the first: merged into it.
  const asti = await getEnteBySlug(db, 'asti');
  const original = opened.get('4');
  const duplicate = opened.get('5');
  if (asti && original && duplicate) {
    await mergeTickets(db, desk, asti.id, duplicate, original, { now: new Date(now - 60_000) });
  }
}
