// The real `cir` command as a child process, against a database cloned for this file: what an operator types,
// what they read back, the exit code, and what ends up in the database.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { verifyPassword } from '../src/platform/auth/passwords.js';
import { appUrlFor } from './support/databases.js';
import { startTestPlatform, type TestPlatform } from './support/platform.js';

const root = path.resolve(import.meta.dirname, '..');
const fixture = path.join(root, 'test', 'fixtures', 'istat-sample.csv');

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

describe('cir command line', () => {
  let t: TestPlatform;
  let env: NodeJS.ProcessEnv;
  let dataDir: string;

  function cir(args: string[], input?: string): Promise<Result> {
    return new Promise((resolve, reject) => {
      const child = spawn(path.join(root, 'node_modules', '.bin', 'tsx'), [path.join(root, 'src', 'cli.ts'), ...args], { cwd: root, env });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
      child.stdin.end(input ?? '');
    });
  }

  before(async () => {
    t = await startTestPlatform({ seed: 'empty' });
    const { owner } = t.platform.db;
    await owner.insertInto('ente').values({ kind: 'provincia', name: 'Provincia di Asti', slug: 'provincia-di-asti', istat_code: '005', is_cst: true }).execute();
    await owner.insertInto('ente').values({ kind: 'comune', name: 'Asti', slug: 'asti', istat_code: '005005', valid_from: '1935-04-15' }).execute();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cir-cli-test-'));
    const adminUrl = process.env.TEST_PG_ADMIN_URL;
    const appPassword = process.env.TEST_PG_APP_PASSWORD;
    env = {
      ...process.env,
      PATH: `${path.join(root, 'node_modules', '.bin')}${path.delimiter}${process.env.PATH ?? ''}`,
      NODE_ENV: 'test',
      DATA_DIR: dataDir,
      DATABASE_URL: t.adminUrl, // the owner URL of this file's cloned database
      DATABASE_APP_URL: adminUrl && appPassword ? appUrlFor(adminUrl, t.database, appPassword) : '',
    };
  });
  after(async () => {
    await t.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('--help lists every command, in Italian', async () => {
    const main = await cir(['--help']);
    assert.equal(main.code, 0);
    for (const command of ['db', 'seed', 'user', 'ente']) assert.match(main.stdout, new RegExp(`^  ${command} `, 'm'));
    assert.match(main.stdout, /^Uso: cir/m);
    const importHelp = await cir(['ente', 'import', '--help']);
    assert.equal(importHelp.code, 0);
    assert.match(importHelp.stdout, /--province <codice>/);
    assert.match(importHelp.stdout, /--on <data>/);
  });

  it('db migrate reports an up-to-date database', async () => {
    const res = await cir(['db', 'migrate']);
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /nessuna migrazione da applicare/);
  });

  it('seed demo leaves a database with enti alone', async () => {
    const res = await cir(['seed', 'demo']);
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /contiene già dati \(2 enti\)/);
  });

  it('user add creates the user with an argon2id hash, the grant and the audit rows', async () => {
    const res = await cir(
      ['user', 'add', '--email', 'Mario.Rossi@Example.it', '--name', 'Mario Rossi', '--password-stdin', '--role', 'operator', '--ente', 'asti', '--module', 'members'],
      'una-password-lunga\n',
    );
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /Utente creato: mario\.rossi@example\.it/);
    assert.match(res.stdout, /Ruolo operator del modulo members assegnato su Asti \(asti\)/);

    const { owner } = t.platform.db;
    const user = await owner.selectFrom('staff_user').selectAll().where('email', '=', 'mario.rossi@example.it').executeTakeFirstOrThrow();
    assert.equal(user.display_name, 'Mario Rossi');
    assert.match(user.password_hash, /^\$argon2id\$/);
    assert.equal(await verifyPassword(user.password_hash, 'una-password-lunga'), true);
    const grants = await owner
      .selectFrom('role_grant as g')
      .innerJoin('ente as e', 'e.id', 'g.ente_id')
      .select(['e.slug', 'g.role', 'g.module'])
      .where('g.user_id', '=', user.id)
      .execute();
    assert.deepEqual(grants, [{ slug: 'asti', role: 'operator', module: 'members' }]);
    const audits = await owner
      .selectFrom('audit_log as a')
      .innerJoin('ente as e', 'e.id', 'a.ente_id')
      .select(['e.slug', 'a.action', 'a.actor_label', 'a.actor_id', 'a.entity_id'])
      .orderBy('a.id')
      .execute();
    assert.deepEqual(audits, [
      { slug: 'asti', action: 'staff_user.create', actor_label: 'cli', actor_id: null, entity_id: user.id },
      { slug: 'asti', action: 'role_grant.create', actor_label: 'cli', actor_id: null, entity_id: user.id },
    ]);
  });

  it('user add on an existing user adds the grant; cst_admin always lands on the CST ente', async () => {
    const res = await cir(['user', 'add', '--email', 'mario.rossi@example.it', '--role', 'cst_admin']);
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /Utente esistente/);
    assert.match(res.stdout, /Ruolo cst_admin assegnato su Provincia di Asti \(provincia-di-asti\)/);
    const again = await cir(['user', 'add', '--email', 'mario.rossi@example.it', '--role', 'cst_admin']);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /era già assegnato: nessuna modifica/);
    const grants = await t.platform.db.owner.selectFrom('role_grant').select('role').orderBy('role').execute();
    assert.deepEqual(grants.map((g) => g.role), ['cst_admin', 'operator']);
  });

  it('user add refuses bad input with a clear message and exit code 1', async () => {
    const cases: [string[], RegExp][] = [
      [['--email', 'anna@example.it', '--name', 'Anna', '--password', 'password-lunga', '--role', 'reader', '--ente', 'nessuno'], /errore: ente sconosciuto: "nessuno"/],
      [['--email', 'anna@example.it', '--name', 'Anna', '--password', 'password-lunga', '--role', 'operator', '--ente', 'asti'], /il ruolo operator richiede --module/],
      [['--email', 'non-una-mail', '--name', 'Anna', '--password', 'password-lunga', '--role', 'reader', '--ente', 'asti'], /indirizzo e-mail non valido/],
      [['--email', 'anna@example.it', '--name', 'Anna', '--password', 'corta', '--role', 'reader', '--ente', 'asti'], /almeno 10 caratteri/],
      [['--email', 'anna@example.it', '--password', 'password-lunga', '--role', 'reader', '--ente', 'asti'], /--name è obbligatorio/],
      [['--email', 'anna@example.it', '--name', 'Anna', '--password', 'password-lunga', '--role', 'sindaco', '--ente', 'asti'], /valore 'sindaco' non ammesso/],
      [['--email', 'anna@example.it', '--name', 'Anna', '--password', 'password-lunga', '--role', 'cst_admin', '--ente', 'asti'], /cst_admin si assegna solo sull'ente CST/],
    ];
    for (const [args, message] of cases) {
      const res = await cir(['user', 'add', ...args]);
      assert.equal(res.code, 1, `${args.join(' ')} should fail`);
      assert.match(res.stderr, message);
    }
    const anna = await t.platform.db.owner.selectFrom('staff_user').select('id').where('email', '=', 'anna@example.it').executeTakeFirst();
    assert.equal(anna, undefined);
  });

  it('ente import imports the good rows and prints every rejected row with its line', async () => {
    const res = await cir(['ente', 'import', fixture, '--on', '2025-01-01', '--province', '005']);
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /importati \(nuovi\):\s+5$/m); // Agliano Terme, Calliano M., Castell'Alfero, Montegrosso, Pino
    assert.match(res.stdout, /invariati:\s+0$/m);
    assert.match(res.stdout, /aggiornati:\s+1$/m); // Asti: the ISTAT lifetime starts in 1948
    assert.match(res.stdout, /saltati \(altra provincia\):\s+1$/m);
    assert.match(res.stdout, /scartati:\s+7$/m);
    assert.match(res.stdout, /^  riga 8: data di inizio validità non valida: "31-02-2020"/m);
    assert.match(res.stdout, /^  riga 9: codice ISTAT del comune non valido: "05X081"/m);
    assert.match(res.stdout, /^  riga 10: numero di colonne errato: 8 invece di 9$/m);
    assert.match(res.stdout, /^  riga 11: nome del comune mancante$/m);
    assert.match(res.stdout, /^  riga 12: .*precede l'inizio/m);
    assert.match(res.stderr, /Lettura del file: 100%/); // not a terminal: progress lines for CI logs
    const slugs = await t.platform.db.owner.selectFrom('ente').select('slug').where('kind', '=', 'comune').orderBy('slug').execute();
    assert.deepEqual(slugs.map((s) => s.slug), ['agliano-terme', 'asti', 'calliano-monferrato', 'castell-alfero', 'montegrosso-d-asti', 'pino-d-asti']);
    const created = await t.platform.db.owner.selectFrom('audit_log').select('actor_label').where('action', '=', 'ente.create').execute();
    assert.equal(created.length, 5);
    assert.ok(created.every((a) => a.actor_label === 'cli'));
  });

  it('ente import fails with exit code 1 on an unreadable file or a foreign header', async () => {
    const missing = await cir(['ente', 'import', 'test/fixtures/non-esiste.csv']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /impossibile leggere il file test\/fixtures\/non-esiste\.csv: ENOENT/);
    const foreign = path.join(dataDir, 'altro.csv');
    fs.writeFileSync(foreign, 'nome,codice\nAsti,005005\n');
    const wrong = await cir(['ente', 'import', foreign]);
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /intestazione non riconosciuta/);
    const badDate = await cir(['ente', 'import', fixture, '--on', '2025-02-30']);
    assert.equal(badDate.code, 1);
    assert.match(badDate.stderr, /data non valida per --on/);
  });
});
