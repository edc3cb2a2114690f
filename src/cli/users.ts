// `cir user add`.
import { withEnte } from '../platform/db/index.js';
import type { Role } from '../platform/db/schema.js';
import { hashPassword } from '../platform/auth/passwords.js';
import { recordAudit } from '../platform/audit/index.js';
import { getCstEnte, getEnteBySlug, type Ente } from '../platform/tenancy/index.js';
import { modules } from '../modules/index.js';
import { CliError, cliActor, out, note, withDatabase } from './context.js';

export interface UserAddOptions {
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

export async function userAdd(options: UserAddOptions): Promise<void> {
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
