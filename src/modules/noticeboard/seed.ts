// Demo albo pretorio: a year of acts for Asti, Nizza Monferrato, Canelli and Costigliole d'Asti, published
// through the service as if on those days (10:00 Rome time), so periods and register numbers come out as the
// real albo would have given them; some acts are still online today, most have expired. Plus one annulment,
// one correction (rettifica) and one act the Unione dei Colli Divini asked its seat comune, Scurzolengo, to
// publish. Deterministic for a given day: a seeded PRNG, never Math.random. The PDFs carry no personal data.
import PDFDocument from 'pdfkit';
import { sql } from 'kysely';
import type { Actor } from '../../platform/audit/index.js';
import { addDays, italianDate, todayInRome } from '../../platform/calendar/index.js';
import type { Platform } from '../../platform/platform.js';
import { getEnteBySlug } from '../../platform/tenancy/index.js';
import { acceptRequest, requestPublication } from './requests.js';
import { annul, createDraft, publish, type DraftInput } from './service.js';
import { prng } from '../../platform/prng.js';

const SEED_ACTOR: Actor = { id: null, label: 'seed' };

/** The comuni whose albo gets a year of demo acts, with how many acts a week they publish on average. */
export const DEMO_ALBO_COMUNI = [
  { slug: 'asti', perWeek: 1.6, scale: 6 },
  { slug: 'nizza-monferrato', perWeek: 1, scale: 2 },
  { slug: 'canelli', perWeek: 1, scale: 2 },
  { slug: 'costigliole-d-asti', perWeek: 0.8, scale: 1 },
] as const;

export const DEMO_UNION = { slug: 'unione-dei-colli-divini-nel-cuore-del-monferrato', seat: 'scurzolengo' } as const;

// ------------------------------------------------------------------------------------------------ PRNG


const hashString = (s: string) => [...s].reduce((h, c) => Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0, 2166136261);

// ------------------------------------------------------------------------------------------------ places

interface Places {
  streets: string[];
  squares: string[];
  events: string[];
  places: string[];
}

const PLACES: Record<string, Places> = {
  asti: {
    streets: ['corso Alfieri', 'corso Dante', 'via Cavour', 'corso Matteotti', 'via Brofferio', 'corso Savona', 'via Arduino', 'corso Volta'],
    squares: ['piazza San Secondo', 'piazza Alfieri', 'piazza Campo del Palio', 'piazza Libertà', 'piazza Statuto'],
    events: ['Palio di Asti', 'Douja d\'Or', 'Festival delle Sagre', 'Asti Teatro', 'Passepartout Festival'],
    places: ['parco della Resistenza', 'giardini pubblici di corso Alfieri', 'scuola primaria «Rio Crosio»', 'biblioteca Astense', 'palestra di via Gerbi'],
  },
  'nizza-monferrato': {
    streets: ['via Carlo Alberto', 'corso Asti', 'via Pio Corsi', 'viale Don Bosco', 'via Gozzellini', 'corso Acqui'],
    squares: ['piazza Garibaldi', 'piazza Martiri di Alessandria', 'piazza del Comune', 'piazza XX Settembre'],
    events: ['Corsa delle Botti', 'Nizza è Barbera', 'Fiera di San Carlo', 'Monferrato in tavola'],
    places: ['Foro boario', 'area verde di corso Acqui', 'scuola primaria «Rossignoli»', 'campo sportivo «Tonino Bersano»'],
  },
  canelli: {
    streets: ['via Roma', 'corso Libertà', 'viale Risorgimento', 'via Giuliani', 'via Alfieri', 'strada Castellero'],
    squares: ['piazza Cavour', 'piazza Gancia', 'piazza Aosta', 'piazza Zoppa'],
    events: ['Assedio di Canelli', 'Canelli Città del Vino', 'Fiera regionale del Tartufo', 'Festa di San Tommaso'],
    places: ['Sternia', 'parco Rosa Lazzarino', 'scuola secondaria «Gancia»', 'palazzetto dello sport'],
  },
  'costigliole-d-asti': {
    streets: ['via Roma', 'via Asti-Nizza', 'strada Boglietto', 'via Cortiglione', 'via Umberto I', 'strada Loreto'],
    squares: ['piazza Umberto I', 'piazza Medici del Vascello', 'piazza della Chiesa'],
    events: ['Festa patronale di San Martino', 'Costigliole in Festa', 'Fiera del Bue grasso di Natale'],
    places: ['castello di Costigliole', 'scuola primaria del capoluogo', 'area verde della frazione Boglietto'],
  },
  generic: {
    streets: ['via Roma', 'via Garibaldi', 'via Vittorio Emanuele II', 'via Mazzini', 'strada provinciale per Asti', 'via Cavour'],
    squares: ['piazza del Municipio', 'piazza della Chiesa', 'piazza Vittorio Veneto'],
    events: ['Festa patronale', 'Sagra del paese', 'Fiera d\'autunno', 'Mercatino di Natale'],
    places: ['scuola primaria', 'area verde del capoluogo', 'cimitero comunale', 'palestra comunale'],
  },
};

// ------------------------------------------------------------------------------------------------ catalogue

interface Ctx {
  rng: () => number;
  year: number;
  places: Places;
}

interface Sample {
  type: string;
  weight: number;
  office: string;
  subject: (c: Ctx) => string;
  requester?: (c: Ctx) => string;
  body: string;
}

const pick = <T>(rng: () => number, list: readonly T[]): T => list[Math.floor(rng() * list.length)]!;
const cig = (rng: () => number) => Array.from({ length: 10 }, () => pick(rng, [...'0123456789ABCDEF'])).join('');
const MONTHS = ['gennaio', 'febbraio', 'marzo', 'aprile', 'maggio', 'giugno', 'luglio', 'agosto', 'settembre', 'ottobre', 'novembre', 'dicembre'];

const GIUNTA = "LA GIUNTA COMUNALE, visto il D.Lgs. 18 agosto 2000, n. 267; acquisiti i pareri favorevoli di regolarità tecnica e contabile espressi ai sensi dell'art. 49; con voti unanimi espressi in forma palese, DELIBERA di approvare quanto in oggetto e di dichiarare la presente deliberazione immediatamente eseguibile ai sensi dell'art. 134, comma 4, del D.Lgs. 267/2000.";
const CONSIGLIO = "IL CONSIGLIO COMUNALE, udita la relazione dell'assessore competente; visto il parere dell'organo di revisione economico-finanziaria; acquisiti i pareri favorevoli di regolarità tecnica e contabile; con la votazione resa in forma palese e riportata nel verbale di seduta, DELIBERA di approvare quanto in oggetto.";
const DETERMINA = "IL RESPONSABILE DEL SERVIZIO, visto il decreto sindacale di attribuzione delle funzioni; visto il bilancio di previsione approvato; accertata la copertura finanziaria; dato atto dell'assenza di conflitti di interesse ai sensi dell'art. 6-bis della L. 241/1990, DETERMINA di provvedere come in oggetto, imputando la spesa al competente capitolo del bilancio.";
const ORDINA = "IL RESPONSABILE DEL SERVIZIO DI POLIZIA LOCALE, visti gli artt. 5, 6 e 7 del D.Lgs. 30 aprile 1992, n. 285 (Codice della strada) e il relativo regolamento di esecuzione; ritenuto necessario garantire la sicurezza della circolazione, ORDINA quanto in oggetto. La presente ordinanza è resa nota mediante l'apposizione della prescritta segnaletica.";
const SINDACO = "IL SINDACO, visto l'art. 50 del D.Lgs. 18 agosto 2000, n. 267; ritenuto necessario provvedere a tutela della pubblica incolumità e del decoro urbano, ORDINA quanto in oggetto. Contro il presente provvedimento è ammesso ricorso al TAR Piemonte entro 60 giorni o ricorso straordinario al Presidente della Repubblica entro 120 giorni.";
const AVVISO = "Si rende noto quanto in oggetto. La documentazione completa è disponibile presso gli uffici comunali negli orari di apertura al pubblico e sul sito istituzionale dell'ente, sezione Amministrazione trasparente.";

const SAMPLES: Sample[] = [
  { type: 'deliberazione_giunta', weight: 4, office: 'Segreteria generale', body: GIUNTA, subject: (c) => `Concessione di un contributo alla Pro Loco per l'organizzazione della manifestazione «${pick(c.rng, c.places.events)}» ${c.year}` },
  { type: 'deliberazione_giunta', weight: 3, office: 'Segreteria generale', body: GIUNTA, subject: (c) => `Approvazione del progetto di fattibilità tecnico-economica per la riqualificazione di ${pick(c.rng, c.places.squares)}` },
  { type: 'deliberazione_giunta', weight: 2, office: 'Area finanziaria', body: GIUNTA, subject: (c) => `Variazione d'urgenza al bilancio di previsione ${c.year}-${c.year + 2} ai sensi dell'art. 175, comma 4, del D.Lgs. 267/2000` },
  { type: 'deliberazione_giunta', weight: 2, office: 'Area finanziaria', body: GIUNTA, subject: (c) => `Determinazione delle tariffe dei servizi a domanda individuale per l'anno ${c.year}` },
  { type: 'deliberazione_giunta', weight: 2, office: 'Servizio Personale', body: GIUNTA, subject: (c) => `Aggiornamento del Piano integrato di attività e organizzazione (PIAO) ${c.year}-${c.year + 2}` },
  { type: 'deliberazione_giunta', weight: 2, office: 'Servizi scolastici', body: GIUNTA, subject: (c) => `Approvazione dello schema di convenzione con l'Istituto comprensivo per i servizi di pre e post scuola, anno scolastico ${c.year}/${c.year + 1}` },
  { type: 'deliberazione_giunta', weight: 1, office: 'Area tecnica - Lavori pubblici', body: GIUNTA, subject: () => "Adesione al bando regionale per l'efficientamento energetico degli edifici scolastici" },
  { type: 'deliberazione_consiglio', weight: 2, office: 'Segreteria generale', body: CONSIGLIO, subject: (c) => `Approvazione del rendiconto della gestione dell'esercizio ${c.year - 1}` },
  { type: 'deliberazione_consiglio', weight: 2, office: 'Segreteria generale', body: CONSIGLIO, subject: (c) => `Approvazione del Documento unico di programmazione (DUP) e del bilancio di previsione ${c.year}-${c.year + 2}` },
  { type: 'deliberazione_consiglio', weight: 1, office: 'Area finanziaria - Tributi', body: CONSIGLIO, subject: (c) => `Approvazione delle aliquote e detrazioni dell'imposta municipale propria (IMU) per l'anno ${c.year}` },
  { type: 'deliberazione_consiglio', weight: 1, office: 'Area finanziaria - Tributi', body: CONSIGLIO, subject: (c) => `Approvazione del piano economico finanziario e delle tariffe della TARI per l'anno ${c.year}` },
  { type: 'deliberazione_consiglio', weight: 1, office: 'Segreteria generale', body: CONSIGLIO, subject: () => "Approvazione della convenzione per la gestione associata della Centrale unica di committenza" },
  { type: 'determinazione', weight: 4, office: 'Area tecnica - Lavori pubblici', body: DETERMINA, subject: (c) => `Affidamento diretto dei lavori di rifacimento della pavimentazione di ${pick(c.rng, c.places.streets)} - CIG ${cig(c.rng)}` },
  { type: 'determinazione', weight: 3, office: 'Area tecnica - Manutenzioni', body: DETERMINA, subject: (c) => `Impegno di spesa per la manutenzione ordinaria del verde pubblico: ${pick(c.rng, c.places.places)}` },
  { type: 'determinazione', weight: 3, office: 'Area tecnica - Manutenzioni', body: DETERMINA, subject: (c) => `Affidamento del servizio di sgombero neve e trattamento antighiaccio, stagione ${c.year}/${c.year + 1} - CIG ${cig(c.rng)}` },
  { type: 'determinazione', weight: 3, office: 'Area finanziaria - Economato', body: DETERMINA, subject: () => 'Liquidazione delle fatture per la fornitura di carburante per gli automezzi comunali' },
  { type: 'determinazione', weight: 2, office: 'Area amministrativa - Cultura', body: DETERMINA, subject: (c) => `Acquisto di libri e materiale multimediale per la biblioteca civica, anno ${c.year}` },
  { type: 'determinazione', weight: 2, office: 'Servizi scolastici', body: DETERMINA, subject: (c) => `Aggiudicazione del servizio di refezione scolastica, anni scolastici ${c.year}/${c.year + 1} e ${c.year + 1}/${c.year + 2} - CIG ${cig(c.rng)}` },
  { type: 'determinazione', weight: 2, office: 'Area tecnica - Manutenzioni', body: DETERMINA, subject: () => 'Impegno di spesa per la manutenzione degli impianti di illuminazione pubblica' },
  { type: 'determinazione', weight: 1, office: 'Servizio Personale', body: DETERMINA, subject: () => "Nomina della commissione esaminatrice del concorso pubblico per Istruttore amministrativo" },
  { type: 'ordinanza', weight: 4, office: 'Polizia locale', body: ORDINA, subject: (c) => `Divieto di transito e di sosta in ${pick(c.rng, c.places.streets)} per lavori di rifacimento dei sottoservizi` },
  { type: 'ordinanza', weight: 3, office: 'Polizia locale', body: ORDINA, subject: (c) => `Modifica temporanea della viabilità in occasione della manifestazione «${pick(c.rng, c.places.events)}»` },
  { type: 'ordinanza', weight: 2, office: 'Polizia locale', body: ORDINA, subject: (c) => `Istituzione del senso unico alternato regolato da impianto semaforico in ${pick(c.rng, c.places.streets)}` },
  { type: 'ordinanza', weight: 2, office: 'Polizia locale', body: ORDINA, subject: (c) => `Divieto di sosta con rimozione forzata in ${pick(c.rng, c.places.squares)} per il mercato straordinario` },
  { type: 'ordinanza', weight: 1, office: 'Sindaco', body: SINDACO, subject: () => "Obbligo di sfalcio dell'erba e di pulizia dei terreni incolti confinanti con le strade pubbliche" },
  { type: 'ordinanza', weight: 1, office: 'Sindaco', body: SINDACO, subject: (c) => `Divieto di vendita per asporto di bevande in contenitori di vetro durante «${pick(c.rng, c.places.events)}»` },
  { type: 'pubblicazione_matrimonio', weight: 6, office: 'Servizi demografici - Stato civile', body: "L'UFFICIALE DELLO STATO CIVILE, visti gli artt. 50 e seguenti del D.P.R. 3 novembre 2000, n. 396, rende noto che è stata richiesta la pubblicazione di matrimonio di cui in oggetto. Il testo integrale con i dati dei nubendi è consultabile presso l'Ufficio di stato civile.", subject: () => 'Pubblicazione di matrimonio' },
  { type: 'avviso', weight: 2, office: 'Servizi sociali', body: AVVISO, subject: (c) => `Avviso pubblico per la concessione di contributi a sostegno della locazione (Fondo affitti ${c.year})` },
  { type: 'avviso', weight: 2, office: 'Segreteria generale', body: AVVISO, subject: () => 'Convocazione del Consiglio comunale in seduta ordinaria' },
  { type: 'avviso', weight: 1, office: 'Servizi demografici - Elettorale', body: AVVISO, subject: () => "Aggiornamento dell'albo delle persone idonee all'ufficio di scrutatore di seggio elettorale" },
  { type: 'avviso', weight: 1, office: 'Servizi scolastici', body: AVVISO, subject: (c) => `Apertura delle iscrizioni ai servizi di mensa e trasporto scolastico, anno scolastico ${c.year}/${c.year + 1}` },
  {
    type: 'avviso_deposito', weight: 3, office: 'Ufficio messi notificatori', body: "IL MESSO COMUNALE rende noto che, ai sensi dell'art. 60, comma 1, lettera e), del D.P.R. 29 settembre 1973, n. 600, è stato depositato presso la casa comunale l'atto indicato in oggetto, destinato a persona irreperibile; l'atto può essere ritirato presso l'ufficio messi negli orari di apertura.",
    subject: (c) => `Avviso di deposito presso la casa comunale di atto destinato a persona irreperibile - cronologico n. ${1 + Math.floor(c.rng() * 900)}`,
    requester: (c) => pick(c.rng, ['Agenzia delle Entrate - Direzione provinciale di Asti', 'Agenzia delle Entrate-Riscossione', 'INPS - Direzione provinciale di Asti']),
  },
  { type: 'permesso_costruire', weight: 2, office: 'Sportello unico per l\'edilizia', body: AVVISO, subject: (c) => `Elenco dei permessi di costruire rilasciati nel mese di ${pick(c.rng, MONTHS)} ${c.year}` },
  { type: 'permesso_costruire', weight: 1, office: 'Sportello unico per l\'edilizia', body: AVVISO, subject: (c) => `Permesso di costruire per l'ampliamento di un fabbricato artigianale in ${pick(c.rng, c.places.streets)}` },
  { type: 'bando_concorso', weight: 1, office: 'Servizio Personale', body: AVVISO, subject: () => "Concorso pubblico per esami per la copertura di n. 1 posto di Istruttore tecnico (Area degli Istruttori) a tempo pieno e indeterminato" },
  { type: 'bando_concorso', weight: 1, office: 'Servizio Personale', body: AVVISO, subject: () => 'Concorso pubblico per titoli ed esami per n. 2 posti di Agente di Polizia locale a tempo pieno e indeterminato' },
  { type: 'bando_gara', weight: 1, office: 'Area tecnica - Centrale unica di committenza', body: AVVISO, subject: (c) => `Procedura aperta per l'affidamento del servizio di trasporto scolastico, anni scolastici ${c.year}/${c.year + 1} - ${c.year + 2}/${c.year + 3} - CIG ${cig(c.rng)}` },
  { type: 'bando_gara', weight: 1, office: 'Area tecnica - Lavori pubblici', body: AVVISO, subject: (c) => `Avviso di manifestazione di interesse per l'affidamento dei lavori di messa in sicurezza di ${pick(c.rng, c.places.places)}` },
  { type: 'decreto', weight: 1, office: 'Sindaco', body: AVVISO, subject: () => "Decreto di nomina del Responsabile dell'Area tecnica e attribuzione delle funzioni dirigenziali" },
  { type: 'decreto', weight: 1, office: 'Sindaco', body: AVVISO, subject: () => 'Decreto di nomina del Responsabile della protezione dei dati (RPD)' },
  { type: 'piano_urbanistico', weight: 1, office: 'Area tecnica - Urbanistica', body: AVVISO, subject: (c) => `Deposito della variante parziale n. ${1 + Math.floor(c.rng() * 12)} al Piano regolatore generale comunale (art. 17, comma 5, L.R. 56/1977)` },
  {
    type: 'atti_altri_enti', weight: 1, office: 'Segreteria generale', body: AVVISO,
    subject: () => 'Chiusura temporanea di una strada provinciale per lavori di ripristino del piano viabile',
    requester: () => 'Provincia di Asti - Servizio viabilità',
  },
  {
    type: 'atti_altri_enti', weight: 1, office: 'Segreteria generale', body: AVVISO,
    subject: () => 'Avviso di deposito del progetto di difesa spondale del torrente Belbo (procedura di valutazione di impatto ambientale)',
    requester: () => 'Regione Piemonte - Settore Difesa del suolo',
  },
];

const totalWeight = SAMPLES.reduce((s, x) => s + x.weight, 0);
function pickSample(rng: () => number): Sample {
  let r = rng() * totalWeight;
  for (const s of SAMPLES) if ((r -= s.weight) < 0) return s;
  return SAMPLES[SAMPLES.length - 1]!;
}

export interface ActSample {
  type: string;
  office: string;
  subject: string;
  requesterName: string | null;
}

/**
 * `count` realistic acts of a generic comune (for the benchmark generator): same catalogue as the demo. The
 * years in the subjects are written as `year` and its neighbours (year - 1 … year + 3), for the caller to
 * replace with the act's own year.
 */
export function sampleActs(count: number, seed = 2026, year = 2026): ActSample[] {
  const rng = prng(seed);
  return Array.from({ length: count }, () => {
    const s = pickSample(rng);
    const c = { rng, year, places: PLACES.generic! };
    return { type: s.type, office: s.office, subject: s.subject(c), requesterName: s.requester?.(c) ?? null };
  });
}

// ------------------------------------------------------------------------------------------------ PDFs

/** A small real PDF for an act: heading, number and date, subject, one paragraph. */
export function actPdf(a: { ente: string; title: string; subject: string; office: string; body: string; date: string }): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({ size: 'A4', margin: 64, info: { Title: a.title, Author: a.ente, Subject: a.subject, CreationDate: new Date(`${a.date}T09:00:00Z`) } });
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    doc.font('Helvetica-Bold').fontSize(15).text(a.ente.toUpperCase(), { align: 'center' });
    doc.font('Helvetica').fontSize(10).text('Provincia di Asti', { align: 'center' }).moveDown(2);
    doc.font('Helvetica-Bold').fontSize(12).text(a.title).moveDown(0.5);
    doc.font('Helvetica').fontSize(11).text(`Oggetto: ${a.subject}`).moveDown(0.5);
    doc.fontSize(10).text(`Ufficio: ${a.office}`).moveDown();
    doc.fontSize(11).text(a.body, { align: 'justify' }).moveDown(2);
    doc.fontSize(9).text('Documento firmato digitalmente ai sensi del D.Lgs. 82/2005 e norme collegate.', { align: 'right' });
    doc.end();
  });
}

// ------------------------------------------------------------------------------------------------ time

const romeHour = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Rome', hour: '2-digit', hourCycle: 'h23' });

/** The instant of hh:mm in Europe/Rome on `date` (UTC+1 in winter, UTC+2 in summer). */
export function romeTime(date: string, hh: number, mm = 0): Date {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  for (const offset of [2, 1]) {
    const t = new Date(Date.UTC(y, m - 1, d, hh - offset, mm));
    if (todayInRome(t) === date && Number(romeHour.format(t)) === hh) return t;
  }
  throw new Error(`romeTime: no ${hh}:${mm} on ${date}`);
}

const weekday = (date: string) => new Date(`${date}T12:00:00Z`).getUTCDay(); // 0 = Sunday

// ------------------------------------------------------------------------------------------------ seed

interface Planned {
  date: string;
  input: DraftInput;
  body: string;
  /** The draft, once created. */
  id?: string;
}

interface ComunePlan {
  id: string;
  name: string;
  acts: Planned[];
}

async function pool<T>(items: T[], size: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(size, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]!);
  }));
}

export async function seedDemoNoticeboard(platform: Platform, options: { now?: Date } = {}): Promise<void> {
  const realNow = options.now ?? new Date();
  const today = todayInRome(realNow);
  const at = (date: string, minutes = 0) => {
    const t = romeTime(date, 10, minutes);
    return t > realNow ? realNow : t;
  };
  const typeNames = new Map((await platform.db.owner.selectFrom('notice_act_type').select(['code', 'name']).execute()).map((t) => [t.code, t.name]));

  // The plan: every act of every comune with its day, in chronological order per comune.
  const plans = new Map<string, ComunePlan>();
  for (const profile of DEMO_ALBO_COMUNI) {
    const ente = await getEnteBySlug(platform.db.owner, profile.slug);
    if (!ente) continue; // a network without this comune: nothing to seed for it
    const rng = prng(hashString(profile.slug));
    const places = PLACES[profile.slug] ?? PLACES.generic!;
    const counters = new Map<string, number>();
    const acts: Planned[] = [];
    for (let back = 364; back >= 0; back--) {
      const date = addDays(today, -back);
      const dow = weekday(date);
      if (dow === 0) continue;
      // A busier fortnight before today, so the albo has a good number of acts online; at least one act in the last days.
      const rate = (profile.perWeek / 5.5) * (back < 14 ? 2 : 1) * (dow === 6 ? 0.5 : 1);
      let n = rng() < rate ? 1 : 0;
      if (n === 1 && rng() < rate * 0.25) n = 2;
      if (back <= 2) n = Math.max(n, 1);
      for (let k = 0; k < n; k++) {
        const sample = pickSample(rng);
        const actDate = sample.type === 'pubblicazione_matrimonio' ? date : addDays(date, -(1 + Math.floor(rng() * 6)));
        const year = Number(actDate.slice(0, 4));
        const key = `${sample.type}/${year}`;
        const number = (counters.get(key) ?? 0) + 1 + Math.floor(rng() * profile.scale * 2);
        counters.set(key, number);
        const c: Ctx = { rng, year, places };
        const input: DraftInput = {
          actType: sample.type,
          subject: sample.subject(c),
          office: sample.office,
          actNumber: `${number}/${year}`,
          actDate,
          requesterName: sample.requester?.(c) ?? null,
        };
        acts.push({ date, input, body: sample.body });
      }
    }
    plans.set(profile.slug, { id: ente.id, name: ente.name, acts });
  }

  const pdfFor = (ente: string, input: DraftInput, body: string, date: string) =>
    actPdf({ ente, title: `${typeNames.get(input.actType) ?? input.actType} n. ${input.actNumber} del ${italianDate(input.actDate ?? date)}`, subject: input.subject, office: input.office, body, date });
  const fileName = (input: DraftInput) => `${input.actType}-${input.actNumber!.replace('/', '-')}.pdf`;

  // Drafts in parallel (PDF rendering and text extraction overlap the database round trips) …
  const all = [...plans.values()].flatMap((plan) => plan.acts.map((act) => ({ plan, act })));
  await pool(all, 6, async ({ plan, act }) => {
    const bytes = await pdfFor(`Comune di ${plan.name}`, act.input, act.body, act.date);
    act.id = (await createDraft(platform, SEED_ACTOR, plan.id, act.input, [{ bytes, originalName: fileName(act.input), title: 'Documento principale' }])).id;
  });
  // … dated as if written the day of publication …
  await backdate(platform, all.map(({ act }) => ({ id: act.id!, at: at(act.date) })));

  // … then published in day order per comune (comuni side by side), so register numbers follow the dates.
  const special = await specialActs(platform, plans, today, pdfFor, fileName, at);
  await Promise.all(
    [...plans.values()].map(async (plan) => {
      let last = '';
      let sameDay = 0;
      const steps = [...plan.acts.map((a) => ({ date: a.date, run: async (minutes: number) => void (await publish(platform, SEED_ACTOR, plan.id, a.id!, { confirmPrivacy: true, now: at(a.date, minutes) })) })), ...(special.get(plan.id) ?? [])];
      steps.sort((x, y) => (x.date < y.date ? -1 : x.date > y.date ? 1 : 0));
      for (const step of steps) {
        sameDay = step.date === last ? sameDay + 1 : 0;
        last = step.date;
        await step.run(sameDay * 7);
      }
    }),
  );

  await seedUnionRequest(platform, today, pdfFor, fileName, at);
}

/** Drafts written 90 minutes before their publication (a draft may change; a published act may not). */
async function backdate(platform: Platform, drafts: { id: string; at: Date }[]): Promise<void> {
  if (drafts.length === 0) return;
  const rows = drafts.map((d) => sql`(${d.id}::uuid, ${new Date(d.at.getTime() - 90 * 60_000).toISOString()}::timestamptz)`);
  await sql`update notice set created_at = v.at from (values ${sql.join(rows)}) as v(id, at) where notice.id = v.id and notice.status = 'draft'`.execute(platform.db.owner);
}

type PdfFor = (ente: string, input: DraftInput, body: string, date: string) => Promise<Buffer>;
type Step = { date: string; run: (minutes: number) => Promise<void> };

/** The correction in Nizza Monferrato and the annulment in Canelli, as steps of those comuni's timelines. */
async function specialActs(
  platform: Platform,
  plans: Map<string, ComunePlan>,
  today: string,
  pdfFor: PdfFor,
  fileName: (input: DraftInput) => string,
  at: (date: string, minutes?: number) => Date,
): Promise<Map<string, Step[]>> {
  const out = new Map<string, Step[]>();
  const add = (enteId: string, step: Step) => out.set(enteId, [...(out.get(enteId) ?? []), step]);
  const nizza = plans.get('nizza-monferrato');
  if (nizza) {
    const published = addDays(today, -20);
    const corrected = addDays(today, -9);
    const original: DraftInput = {
      actType: 'bando_concorso',
      subject: 'Concorso pubblico per esami per la copertura di n. 1 posto di Istruttore tecnico (Area degli Istruttori) a tempo pieno e indeterminato presso l\'Area tecnica',
      office: 'Servizio Personale',
      actNumber: `${Number(published.slice(5, 7)) * 3}/${published.slice(0, 4)}`,
      actDate: addDays(published, -3),
    };
    const bytes = await pdfFor(`Comune di ${nizza.name}`, original, AVVISO, published);
    const { id } = await createDraft(platform, SEED_ACTOR, nizza.id, original, [{ bytes, originalName: fileName(original), title: 'Bando di concorso' }]);
    await backdate(platform, [{ id, at: at(published) }]);
    add(nizza.id, { date: published, run: async (minutes) => void (await publish(platform, SEED_ACTOR, nizza.id, id, { confirmPrivacy: true, now: at(published, minutes) })) });
    add(nizza.id, {
      date: corrected,
      run: async (minutes) => {
        const fix: DraftInput = {
          actType: 'bando_concorso',
          subject: 'Rettifica del bando di concorso pubblico per n. 1 posto di Istruttore tecnico: correzione dei requisiti di ammissione e riapertura dei termini di presentazione delle domande',
          office: 'Servizio Personale',
          actNumber: `${Number(corrected.slice(5, 7)) * 3 + 1}/${corrected.slice(0, 4)}`,
          actDate: addDays(corrected, -2),
          correctsId: id,
        };
        const pdf = await pdfFor(`Comune di ${nizza.name}`, fix, AVVISO, corrected);
        const draft = await createDraft(platform, SEED_ACTOR, nizza.id, fix, [{ bytes: pdf, originalName: fileName(fix), title: 'Rettifica del bando' }]);
        await backdate(platform, [{ id: draft.id, at: at(corrected, minutes) }]);
        await publish(platform, SEED_ACTOR, nizza.id, draft.id, { confirmPrivacy: true, now: at(corrected, minutes) });
      },
    });
  }

  const canelli = plans.get('canelli');
  if (canelli) {
    const published = addDays(today, -6);
    const annulled = addDays(today, -4);
    const input: DraftInput = {
      actType: 'ordinanza',
      subject: 'Modifica temporanea della viabilità in piazza Cavour e via Roma in occasione della manifestazione «Canelli Città del Vino»',
      office: 'Polizia locale',
      actNumber: `${40 + Number(published.slice(5, 7)) * 4}/${published.slice(0, 4)}`,
      actDate: addDays(published, -2),
    };
    const bytes = await pdfFor(`Comune di ${canelli.name}`, input, ORDINA, published);
    const { id } = await createDraft(platform, SEED_ACTOR, canelli.id, input, [{ bytes, originalName: fileName(input), title: 'Ordinanza' }]);
    await backdate(platform, [{ id, at: at(published) }]);
    add(canelli.id, { date: published, run: async (minutes) => void (await publish(platform, SEED_ACTOR, canelli.id, id, { confirmPrivacy: true, now: at(published, minutes) })) });
    add(canelli.id, {
      date: annulled,
      run: async (minutes) => annul(platform, SEED_ACTOR, canelli.id, id, "Ordinanza revocata in autotutela: la manifestazione è stata rinviata a data da destinarsi per l'allerta meteo", at(annulled, minutes + 3)),
    });
  }
  return out;
}

/** The Unione dei Colli Divini asks its seat comune, Scurzolengo, to publish a deliberation of its Giunta. */
async function seedUnionRequest(platform: Platform, today: string, pdfFor: PdfFor, fileName: (input: DraftInput) => string, at: (date: string, minutes?: number) => Date) {
  const [union, seat] = await Promise.all([getEnteBySlug(platform.db.owner, DEMO_UNION.slug), getEnteBySlug(platform.db.owner, DEMO_UNION.seat)]);
  if (!union || !seat) return;
  const date = addDays(today, -5);
  const input: DraftInput = {
    actType: 'deliberazione_giunta',
    subject: "Deliberazione della Giunta dell'Unione: approvazione dello schema di convenzione per la gestione associata del servizio di polizia locale tra i comuni dell'Unione",
    office: "Unione dei Colli Divini - Segreteria dell'Unione",
    actNumber: `12/${date.slice(0, 4)}`,
    actDate: addDays(date, -4),
  };
  const bytes = await pdfFor(union.name, input, GIUNTA.replace('LA GIUNTA COMUNALE', "LA GIUNTA DELL'UNIONE"), date);
  const requestId = await requestPublication(platform, SEED_ACTOR, union.id, seat.id, input, [{ bytes, originalName: fileName(input), title: 'Deliberazione della Giunta dell\'Unione' }]);
  const draftId = await acceptRequest(platform, SEED_ACTOR, seat.id, requestId);
  await backdate(platform, [{ id: draftId, at: at(date) }]);
  await publish(platform, SEED_ACTOR, seat.id, draftId, { confirmPrivacy: true, now: at(date) });
}
