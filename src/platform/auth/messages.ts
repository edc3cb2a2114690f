import { addMessages } from '../views/i18n/index.js';

addMessages({
  it: {
    'auth.login.title': 'Accesso area riservata',
    'auth.login.intro': 'Accesso per il personale degli enti e del Centro Servizi Territoriale.',
    'auth.login.email': 'Indirizzo e-mail',
    'auth.login.password': 'Password',
    'auth.login.submit': 'Accedi',
    'auth.login.failed': 'Credenziali non valide.',
    'auth.login.locked': 'Credenziali non valide. Dopo troppi tentativi errati l\'accesso è sospeso per {minutes} minuti.',
    'auth.login.throttled': 'Troppi tentativi di accesso da questo indirizzo: riprova tra {minutes} minuti.',
    'auth.login.citizen': 'Sei un cittadino?',
    'auth.login.citizenLink': 'Entra con SPID o CIE',
  },
  en: {
    'auth.login.title': 'Staff login',
    'auth.login.email': 'E-mail address',
    'auth.login.submit': 'Log in',
    'auth.login.failed': 'Invalid credentials.',
  },
});
