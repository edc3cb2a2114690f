// Demo articles of the guide: the questions the CST answers every week for small comuni, with mixed visibility
// (most for every ente, two for the desk only, one for Canelli and Nizza Monferrato), a draft and an archived one.
import { systemActor } from '../../../platform/audit/index.js';
import type { Platform } from '../../../platform/platform.js';
import { createArticle, type ArticleInput } from './service.js';
import { entiBySlugs } from './store.js';

type Seed = Omit<ArticleInput, 'audienceEnteIds'> & { audience?: string[] };

const articles: Seed[] = [
  {
    title: 'Casella PEC piena: non riceve più messaggi',
    category: 'posta_pec',
    keywords: ['PEC', 'casella piena', 'spazio esaurito', 'quota', 'posta certificata'],
    state: 'published',
    visibility: 'all',
    body: `Se la PEC istituzionale **non riceve** più messaggi e i mittenti ricevono un avviso di mancata consegna, quasi sempre la casella ha esaurito lo spazio disponibile.

## Come verificarlo
1. Accedete alla webmail del gestore PEC.
2. In basso a sinistra è indicato lo spazio occupato (es. "2 GB su 2 GB").

## Cosa fare
- Scaricate i messaggi più vecchi con il programma di protocollo, che li conserva nel registro.
- Svuotate il cestino e la cartella "Posta inviata" della webmail.
- Se lo spazio non basta, chiedete al CST l'ampliamento della casella aprendo un ticket nella categoria *Posta elettronica certificata*.

I messaggi arrivati mentre la casella era piena **non vengono recapitati di nuovo**: avvisate i mittenti di inviarli un'altra volta.`,
  },
  {
    title: 'Stampante di rete non stampa o risulta offline',
    category: 'hardware_stampanti',
    keywords: ['stampante', 'offline', 'coda di stampa', 'multifunzione'],
    state: 'published',
    visibility: 'all',
    body: `Quando una stampante di rete risulta "offline" o i documenti restano in coda:

1. Controllate che la stampante sia accesa e che il display non segnali carta inceppata o toner esaurito.
2. Spegnete e riaccendete la stampante, attendendo un minuto.
3. Sul PC aprite *Impostazioni > Stampanti e scanner*, selezionate la stampante e cancellate i documenti in coda.
4. Se altre postazioni stampano e la vostra no, riavviate il PC.

Se nessuna postazione riesce a stampare, annotate il modello e il messaggio sul display e aprite un ticket: il tecnico verificherà l'indirizzo di rete della stampante.`,
  },
  {
    title: 'Firma digitale scaduta: come rinnovare il certificato',
    category: 'software_protocollo',
    keywords: ['firma digitale', 'certificato scaduto', 'smart card', 'token', 'rinnovo'],
    state: 'published',
    visibility: 'all',
    body: `Il certificato di firma digitale dura in genere **3 anni**. Scaduto, non è più possibile firmare atti e determine.

## Prima della scadenza
Il rinnovo si può fare online, con il dispositivo (smart card o token) collegato, dal sito del certificatore, fino al giorno prima della scadenza.

## Dopo la scadenza
Il certificato non si può più rinnovare: serve un nuovo dispositivo, richiesto dall'ufficio personale al certificatore con il riconoscimento del titolare.

Nel frattempo un altro firmatario autorizzato può firmare gli atti urgenti.`,
  },
  {
    title: 'ANPR: errore nell’emissione dei certificati anagrafici',
    category: 'software_demografici',
    keywords: ['ANPR', 'certificati', 'anagrafe', 'certificato di residenza', 'errore'],
    state: 'published',
    visibility: 'all',
    body: `Se il gestionale dei servizi demografici non emette certificati e segnala un errore di collegamento ad **ANPR**:

- verificate sul portale di ANPR che non sia in corso una manutenzione programmata;
- controllate che il certificato di postazione per l'accesso ad ANPR non sia scaduto;
- riprovate dopo qualche minuto: spesso l'errore è temporaneo.

Se l'errore persiste, aprite un ticket indicando l'ora e il testo esatto del messaggio. Nel frattempo il cittadino può scaricare gratuitamente il certificato dal portale di ANPR con SPID o CIE.`,
  },
  {
    title: 'pagoPA: l’avviso risulta non pagabile',
    category: 'pagopa',
    keywords: ['pagoPA', 'avviso', 'non pagabile', 'IUV', 'posizione debitoria'],
    state: 'published',
    visibility: 'all',
    body: `Un cittadino segnala che l'avviso pagoPA "non è pagabile" o "è già stato pagato". Le cause più frequenti:

1. **Avviso già pagato**: cercate il codice IUV tra le ricevute della piattaforma dei pagamenti.
2. **Avviso scaduto o annullato**: la posizione debitoria è stata chiusa dall'ufficio (es. sostituita da un nuovo avviso).
3. **Importo aggiornato**: per le sanzioni l'importo cambia dopo la scadenza; va emesso un nuovo avviso.

Se la posizione risulta aperta e valida ma l'avviso resta non pagabile, aprite un ticket con il codice avviso (18 cifre) e il codice fiscale dell'ente creditore.`,
  },
  {
    title: 'Albo pretorio: l’atto non compare online dopo la pubblicazione',
    category: 'albo',
    keywords: ['albo pretorio', 'pubblicazione', 'atto non visibile'],
    state: 'published',
    visibility: 'all',
    body: `Un atto pubblicato compare sull'albo online **dalla data di inizio pubblicazione**: se la data è futura l'atto è "programmato" e non è ancora visibile ai cittadini.

Controllate nel registro dell'albo:
- lo stato dell'atto (bozza, programmato, in pubblicazione);
- la data di inizio della pubblicazione.

Una bozza non è pubblicata: aprite l'atto e usate il pulsante di pubblicazione. Se l'atto è "in pubblicazione" ma non compare sul sito, aprite un ticket con il numero di registro.`,
  },
  {
    title: 'Password dimenticata del gestionale o della posta',
    category: 'account',
    keywords: ['password', 'credenziali', 'account bloccato', 'reset'],
    state: 'published',
    visibility: 'all',
    body: `Per motivi di sicurezza il CST **non conosce** le vostre password e non può comunicarle.

- **Posta elettronica**: usate il link "Password dimenticata" della webmail; riceverete il codice sul cellulare registrato.
- **Gestionali**: chiedete al referente informatico dell'ente, che può reimpostarla dal pannello utenti.
- **Account bloccato** dopo troppi tentativi: si sblocca da solo dopo 15 minuti.

Se nessuna di queste strade funziona, aprite un ticket: il tecnico vi richiamerà al numero dell'ufficio per verificare la vostra identità prima del reset.`,
  },
  {
    title: 'Wi-Fi ospiti della sala consiliare: come dare l’accesso',
    category: 'rete_wifi',
    keywords: ['Wi-Fi', 'ospiti', 'sala consiliare', 'codice di accesso', 'wireless'],
    state: 'published',
    visibility: 'enti',
    audience: ['canelli', 'nizza-monferrato'],
    body: `Nei municipi con la rete Wi-Fi ospiti installata dal CST, gli ospiti di consigli comunali ed eventi accedono con un **codice giornaliero**.

1. Accedete al portale della rete ospiti dal PC della segreteria.
2. Scegliete *Nuovo codice*, la durata (fino a 24 ore) e il numero di dispositivi.
3. Stampate o comunicate il codice agli ospiti.

La rete ospiti è separata da quella degli uffici: dagli ospiti non si raggiungono stampanti né cartelle condivise.`,
  },
  {
    title: 'Connessione internet assente in municipio: verifiche prima di chiamare',
    category: 'rete_internet',
    keywords: ['internet', 'connessione assente', 'router', 'linea', 'rete'],
    state: 'published',
    visibility: 'all',
    body: `Se nessun PC dell'ufficio naviga:

1. Controllate le luci del router (di solito nel locale tecnico): una luce rossa o spenta su "Internet" indica un guasto della linea.
2. Spegnete e riaccendete il router, attendendo tre minuti.
3. Se naviga solo qualche PC, il problema è locale: riavviate i PC e controllate il cavo di rete.

Se la linea resta assente, aprite un ticket con priorità alta indicando da quando manca la connessione: il CST apre la segnalazione al gestore della linea.`,
  },
  {
    title: 'Scanner multifunzione: la scansione verso cartella condivisa non funziona',
    category: 'hardware_stampanti',
    keywords: ['scanner', 'scansione', 'cartella condivisa', 'multifunzione'],
    state: 'published',
    visibility: 'all',
    body: `La scansione verso cartella di rete si interrompe di solito dopo il **cambio della password** dell'utente usato dalla multifunzione o dopo la sostituzione del PC che ospita la cartella.

Verificate che il PC con la cartella condivisa sia acceso e che la cartella esista ancora. Nel frattempo potete usare la scansione verso e-mail o su chiavetta USB. Per aggiornare la configurazione della multifunzione aprite un ticket.`,
  },
  {
    title: 'Procedura interna: ampliamento della casella PEC sul pannello del gestore',
    category: 'posta_pec',
    keywords: ['PEC', 'quota', 'pannello gestore', 'procedura interna'],
    state: 'published',
    visibility: 'cst',
    body: `Procedura per i tecnici del CST.

1. Verificare nel contratto dell'ente lo spazio PEC incluso.
2. Dal pannello del gestore, sezione *Caselle*, aumentare lo spazio della casella istituzionale.
3. Se lo spazio eccede il contratto, annotare nel ticket l'importo del servizio aggiuntivo e avvisare l'amministrazione del CST.
4. Chiedere all'ente di verificare la ricezione con un messaggio di prova e chiudere il ticket.`,
  },
  {
    title: 'Checklist del tecnico per la sostituzione di una postazione di lavoro',
    category: 'hardware_postazioni',
    keywords: ['postazione', 'sostituzione PC', 'intervento sul posto', 'checklist'],
    state: 'published',
    visibility: 'cst',
    body: `Prima dell'intervento sul posto:

- preparare il PC con l'immagine standard e l'antivirus aggiornato;
- verificare le licenze dei gestionali da installare;
- concordare con l'ente l'orario, fuori dall'apertura al pubblico.

Durante l'intervento: copiare i documenti dell'utente, configurare stampanti e firma digitale, far verificare all'utente l'accesso ai gestionali e far firmare il rapporto di intervento.`,
  },
  {
    title: 'Tributi: la stampa massiva degli avvisi si blocca',
    category: 'software_tributi',
    keywords: ['tributi', 'stampa massiva', 'avvisi'],
    state: 'draft',
    visibility: 'all',
    body: `Bozza in preparazione: raccogliere dai ticket dell'ultima bollettazione le cause del blocco della stampa massiva.`,
  },
  {
    title: 'Passaggio al nuovo gestore PEC (2024)',
    category: 'posta_pec',
    keywords: ['PEC', 'migrazione', 'nuovo gestore'],
    state: 'archived',
    visibility: 'all',
    body: `Istruzioni per il passaggio delle caselle PEC al nuovo gestore, concluso nel 2024. Conservato per riferimento.`,
  },
];

export async function seedKbArticles(platform: Platform): Promise<void> {
  const db = platform.db.app;
  if (await db.selectFrom('kb_article').select('id').limit(1).executeTakeFirst()) return;
  const actor = { ...systemActor, label: 'seed demo' };
  for (const { audience, ...article } of articles) {
    const enti = await entiBySlugs(db, audience ?? []);
    if (audience && enti.length === 0) continue; // a network without those enti: skip the article
    await createArticle(db, actor, { ...article, audienceEnteIds: enti.map((e) => e.id) });
  }
}
