// Italian texts of the development PSP simulator (code and comments stay English).
import { addMessages } from '../../../platform/views/i18n/index.js';

addMessages({
  it: {
    'payments.devPsp.title': 'Pagamento con pagoPA (simulatore)',
    'payments.devPsp.warning': 'Ambiente di sviluppo: questo simulatore sostituisce il checkout pagoPA e non muove denaro reale.',
    'payments.devPsp.summary': 'Riepilogo del pagamento',
    'payments.devPsp.ente': 'Ente creditore',
    'payments.devPsp.notice': 'Codice avviso',
    'payments.devPsp.reason': 'Causale',
    'payments.devPsp.amount': 'Importo',
    'payments.devPsp.fee': 'Commissione del prestatore (simulata): {fee} €',
    'payments.devPsp.pay': 'Paga {amount} €',
    'payments.devPsp.back': 'Torna al sito dell’ente',
    'payments.devPsp.notPayable': 'Questo avviso non può essere pagato',
    'payments.devPsp.badRequest': 'Il collegamento al pagamento non è valido: ente, codice avviso o indirizzo di ritorno mancanti o errati.',
    'payments.devPsp.unknownEnte': 'L’ente indicato non riceve pagamenti tramite questa piattaforma.',
    'payments.devPsp.unreachable': 'Il servizio dell’ente non risponde: riprova più tardi.',
  },
  en: {
    'payments.devPsp.title': 'Pay with pagoPA (simulator)',
    'payments.devPsp.pay': 'Pay {amount} €',
  },
});
