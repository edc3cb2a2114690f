// Text of messaging's e-mails (Italian; English as a fallback).
import { addMessages } from '../../../platform/views/i18n/index.js';

addMessages({
  it: {
    'messaging.email.footer': 'Ricevi questa e-mail perché sei iscritto agli avvisi di {ente}.',
    'messaging.email.unsubscribe': 'Per non ricevere più avvisi per e-mail: {url}',
  },
  en: {
    'messaging.email.footer': 'You receive this e-mail because you subscribed to the notices of {ente}.',
    'messaging.email.unsubscribe': 'To stop receiving notices by e-mail: {url}',
  },
});
