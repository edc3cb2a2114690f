// Messages of the citizen's payments area (/{slug}/pagamenti). Plain Italian: short sentences, no jargon
// beyond the words printed on a pagoPA notice (avviso, codice avviso, ricevuta).
import { addMessages } from '../../../platform/views/i18n/index.js';

addMessages({
  it: {
    'payments.citizen.title': 'Pagamenti',
    'payments.citizen.heading': 'Pagamenti pagoPA – {name}',
    'payments.citizen.intro': 'Qui puoi vedere e pagare con pagoPA gli avvisi intestati a te da questo ente e dagli altri enti della rete, scaricare gli avvisi e le ricevute, e pagare i servizi che non richiedono un avviso.',
    'payments.citizen.enteNotFound': 'Nessun ente della rete ha l’indirizzo «{slug}».',
    'payments.citizen.amount': '{amount} €',

    // catalogue
    'payments.citizen.catalogue': 'Cosa riscuote l’ente ({name})',
    'payments.citizen.catalogue.none': 'Questo ente non riceve ancora pagamenti pagoPA tramite la piattaforma.',
    'payments.citizen.catalogue.spontaneous': 'Puoi pagarlo quando ti serve, senza aspettare un avviso.',
    'payments.citizen.catalogue.notice': 'Ricevi un avviso di pagamento dall’ente quando è dovuto.',
    'payments.citizen.catalogue.fixed': 'Importo: {amount} €',
    'payments.citizen.catalogue.pay': 'Paga ora',
    'payments.citizen.catalogue.payNamed': 'Paga ora: {name}',

    // login
    'payments.citizen.login.title': 'Accedi per vedere i tuoi pagamenti',
    'payments.citizen.login.text': 'Entra con la tua identità digitale per vedere gli avvisi intestati a te in tutti gli enti della rete e pagarli.',
    'payments.citizen.login.button': 'Accedi con SPID o CIE',
    'payments.citizen.staffNote': 'Sei collegato come personale dell’ente: l’area «I miei pagamenti» è per i cittadini.',

    // my payments
    'payments.citizen.mine': 'I miei pagamenti',
    'payments.citizen.mine.for': 'Avvisi intestati a {name} (codice fiscale {fiscalCode}) in tutti gli enti della rete.',
    'payments.citizen.mine.none': 'Non ci sono avvisi di pagamento intestati a te.',
    'payments.citizen.mine.enti': 'Enti con avvisi intestati a te',
    'payments.citizen.position.total': 'Importo totale',
    'payments.citizen.position.service': 'Servizio',
    'payments.citizen.position.created': 'Emesso il',
    'payments.citizen.position.details': 'Dettagli',
    'payments.citizen.position.detailsOf': 'Dettagli di «{reason}»',
    'payments.citizen.position.notice': 'Scarica l’avviso di pagamento (PDF)',
    'payments.citizen.position.noticeOf': 'Scarica l’avviso di pagamento di «{reason}» (PDF)',
    'payments.citizen.position.optionsCaption': 'Come pagare «{reason}»',
    'payments.citizen.position.notFound': 'Non troviamo questo avviso tra quelli intestati a te. Controlla l’indirizzo o torna all’elenco dei tuoi pagamenti.',
    'payments.citizen.position.debtor': 'Intestato a',
    'payments.citizen.position.back': 'Torna ai miei pagamenti',
    'payments.citizen.position.created.ok': 'Abbiamo creato il tuo avviso di pagamento. Puoi pagarlo subito oppure scaricare l’avviso e pagarlo entro la scadenza in posta, in banca, in tabaccheria o con l’app IO.',
    'payments.citizen.position.heading': 'Avviso di pagamento',

    // statuses
    'payments.citizen.status.valid': 'Da pagare',
    'payments.citizen.status.paid': 'Pagato',
    'payments.citizen.status.partially_paid': 'In parte pagato',
    'payments.citizen.status.expired': 'Scaduto',
    'payments.citizen.status.cancelled': 'Annullato',
    'payments.citizen.status.draft': 'In preparazione',

    // options
    'payments.citizen.option.way': 'Modalità',
    'payments.citizen.option.amount': 'Importo',
    'payments.citizen.option.due': 'Scadenza',
    'payments.citizen.option.code': 'Codice avviso',
    'payments.citizen.option.status': 'Stato',
    'payments.citizen.option.actions': 'Azioni',
    'payments.citizen.option.single': 'Unica soluzione',
    'payments.citizen.option.instalment': 'Rata {n} di {of}',
    'payments.citizen.option.paid': 'Pagata il {date}',
    'payments.citizen.option.paidNoDate': 'Pagata',
    'payments.citizen.option.payable': 'Da pagare',
    'payments.citizen.option.expired': 'Scaduta',
    'payments.citizen.option.cancelled': 'Annullata',
    'payments.citizen.option.superseded': 'Non più disponibile: hai iniziato a pagare a rate',
    'payments.citizen.option.pay': 'Paga',
    'payments.citizen.option.payWhat': '{way} di «{reason}», {amount} €',
    'payments.citizen.option.payUnavailable': 'Il pagamento online non è disponibile in questo momento: usa l’avviso.',
    'payments.citizen.option.receipt': 'Ricevuta (PDF)',
    'payments.citizen.option.receiptOf': 'Ricevuta del pagamento di {way}, «{reason}» (PDF)',

    // payment outcome (back from the checkout)
    'payments.citizen.outcome.paid': 'Pagamento dell’avviso {code} registrato. La ricevuta è disponibile qui sotto.',
    'payments.citizen.outcome.failed': 'Il pagamento dell’avviso {code} non è stato completato. Puoi riprovare quando vuoi.',
    'payments.citizen.outcome.pending':
      'Il pagamento dell’avviso {code} non risulta ancora concluso. Se hai annullato, puoi riprovare; se hai pagato, la ricevuta comparirà qui appena l’ente la riceve.',

    // spontaneous payment
    'payments.citizen.new.title': 'Paga: {name}',
    'payments.citizen.new.intro': 'Compila i dati e crea l’avviso di pagamento intestato a te, {name}. Lo potrai pagare subito online o entro il {due}.',
    'payments.citizen.new.amount': 'Importo in euro',
    'payments.citizen.new.amountHint': 'Per esempio 16,00 oppure 12,50. Al massimo due cifre dopo la virgola.',
    'payments.citizen.new.fixed': 'Importo',
    'payments.citizen.new.reason': 'Causale',
    'payments.citizen.new.reasonHint': 'Il motivo del pagamento, come comparirà sull’avviso (al massimo 140 caratteri).',
    'payments.citizen.new.submit': 'Crea l’avviso di pagamento',
    'payments.citizen.new.cancel': 'Annulla e torna ai pagamenti',
    'payments.citizen.new.errors': 'Correggi i dati indicati e invia di nuovo.',
    'payments.citizen.new.unknown': 'Il servizio «{code}» non è tra quelli che {name} riscuote.',
    'payments.citizen.new.notSpontaneous': '«{name}» non si può pagare di propria iniziativa: l’ente ti invierà un avviso di pagamento quando è dovuto.',
    'payments.citizen.new.amountRequired': 'Scrivi l’importo da pagare.',
    'payments.citizen.new.amountDecimals': 'L’importo può avere al massimo due cifre dopo la virgola (per esempio 12,50).',
    'payments.citizen.new.amountInvalid': 'L’importo non è valido: scrivi solo cifre e la virgola, per esempio 12,50.',
    'payments.citizen.new.amountZero': 'L’importo deve essere maggiore di zero.',
    'payments.citizen.new.amountTooHigh': 'L’importo è troppo alto per un pagamento spontaneo (al massimo {max} €).',
    'payments.citizen.new.reasonRequired': 'Scrivi la causale del pagamento.',
    'payments.citizen.new.reasonLong': 'La causale è troppo lunga: al massimo 140 caratteri.',
    'payments.citizen.new.badKey': 'Il modulo non è valido: ricarica la pagina e riprova.',
    'payments.citizen.new.notConfigured': 'Questo ente non riceve ancora pagamenti pagoPA tramite la piattaforma.',
  },
});
