// UI text of the satisfaction survey (Italian; English where a page may be read in English).
import { addMessages } from '../../../platform/views/i18n/index.js';

addMessages({
  it: {
    'helpdesk.survey.title': 'Valuta l’assistenza ricevuta',
    'helpdesk.survey.ticket': 'Richiesta n. {label}: {subject}',
    'helpdesk.survey.intro': 'La tua richiesta è stata risolta. Ci aiuti a migliorare il servizio? Bastano pochi secondi.',
    'helpdesk.survey.legend': 'Quanto sei soddisfatto di come è stata gestita la richiesta?',
    'helpdesk.survey.rating.1': '1 – Per nulla soddisfatto',
    'helpdesk.survey.rating.2': '2 – Poco soddisfatto',
    'helpdesk.survey.rating.3': '3 – Abbastanza soddisfatto',
    'helpdesk.survey.rating.4': '4 – Soddisfatto',
    'helpdesk.survey.rating.5': '5 – Molto soddisfatto',
    'helpdesk.survey.comment': 'Commento (facoltativo)',
    'helpdesk.survey.comment.hint': 'Al massimo {max} caratteri. Non scrivere password o dati personali.',
    'helpdesk.survey.submit': 'Invia la valutazione',
    'helpdesk.survey.error.title': 'La valutazione non è stata inviata',
    'helpdesk.survey.thanks.title': 'Grazie per la valutazione',
    'helpdesk.survey.thanks.text': 'La tua valutazione è stata registrata. Il Centro Servizi la userà per migliorare l’assistenza.',
    'helpdesk.survey.already.title': 'Valutazione già registrata',
    'helpdesk.survey.already.text': 'La valutazione di questa richiesta è già stata registrata il {date}: se ne può dare una sola per richiesta.',
    'helpdesk.survey.notSolved.title': 'Richiesta non ancora risolta',
    'helpdesk.survey.notSolved.text': 'Questa richiesta non risulta risolta: potrai valutarla quando il Centro Servizi l’avrà risolta.',
    'helpdesk.survey.notFound': 'Il link di valutazione non è valido o è incompleto. Controlla di averlo copiato per intero dal messaggio ricevuto.',
    'helpdesk.survey.deskRefused': 'La valutazione spetta all’ente che ha aperto la richiesta, non al help desk del CST.',
    'helpdesk.survey.home': 'Torna alla pagina iniziale',
    'helpdesk.survey.backoffice.title': 'Valutazione della richiesta',
    'helpdesk.survey.backoffice.back': 'Torna alle richieste di assistenza',
  },
  en: {
    'helpdesk.survey.title': 'Rate the support you received',
    'helpdesk.survey.submit': 'Send your rating',
  },
});
