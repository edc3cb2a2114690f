// ISTAT CSV import against a real PostgreSQL: good rows land in `ente`, broken rows are reported by line,
// a second run changes nothing, and the real national file yields the 117 comuni of the provincia di Asti.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startTestPlatform, type TestPlatform } from '../../../test/support/platform.js';
import { importIstatCsv, IstatImportError, parseIstatDate, titleCaseComune, type IstatImportProgress } from './import.js';

const root = path.resolve(import.meta.dirname, '..', '..', '..');
const sample = path.join(root, 'test', 'fixtures', 'istat-sample.csv');
const realFile = path.resolve(root, '..', 'shared', 'data', 'istat', 'cities.csv');
const HEADER =
  '"CODICE_REGIONE","CODICE_PROVINCIA","SIGLA_AUTOMOBILISTICA","ID_COMUNE","CODICE_COMUNE","LABEL_COMUNE_IT","LABEL_COMUNE_DE","DATA_INIZIO_VALIDITA","DATA_FINE_VALIDITA"';
const cli = { id: null, label: 'cli' };

describe('ISTAT helpers', () => {
  it('parses DD-MM-YYYY and refuses impossible dates', () => {
    assert.equal(parseIstatDate('27-04-1995'), '1995-04-27');
    assert.equal(parseIstatDate('31-12-9999'), '9999-12-31');
    assert.equal(parseIstatDate('31-02-2020'), null);
    assert.equal(parseIstatDate('29-02-2023'), null);
    assert.equal(parseIstatDate('29-02-2024'), '2024-02-29');
    assert.equal(parseIstatDate('2020-01-01'), null);
  });

  it('writes capitalised ISTAT names the Italian way', () => {
    assert.equal(titleCaseComune("MONTEGROSSO D'ASTI"), "Montegrosso d'Asti");
    assert.equal(titleCaseComune("CASTELL'ALFERO"), "Castell'Alfero");
    assert.equal(titleCaseComune('CASTAGNOLE DELLE LANZE'), 'Castagnole delle Lanze');
    assert.equal(titleCaseComune('RHÊMES-NOTRE-DAME'), 'Rhêmes-Notre-Dame');
    assert.equal(titleCaseComune("L'AQUILA"), "L'Aquila");
    assert.equal(titleCaseComune('SOTTO IL MONTE GIOVANNI XXIII'), 'Sotto il Monte Giovanni XXIII');
  });
});

describe('ISTAT import: sample file', () => {
  let t: TestPlatform;
  let provinciaId: string;

  before(async () => {
    t = await startTestPlatform({ seed: 'empty' });
    const { owner } = t.platform.db;
    const provincia = await owner
      .insertInto('ente')
      .values({ kind: 'provincia', name: 'Provincia di Asti', slug: 'provincia-di-asti', istat_code: '005', is_cst: true })
      .returning('id')
      .executeTakeFirstOrThrow();
    provinciaId = provincia.id;
    // An existing comune (as curated by the CST) and another ente holding the slug a new comune would take.
    await owner.insertInto('ente').values({ kind: 'comune', name: 'Asti', slug: 'asti', istat_code: '005005', valid_from: '1948-01-01' }).execute();
    await owner.insertInto('ente').values({ kind: 'unione', name: 'Unione di Agliano Terme', slug: 'agliano-terme' }).execute();
  });
  after(() => t.close());

  it('imports the good rows and reports each broken one with its line', async () => {
    const progress: IstatImportProgress[] = [];
    const report = await importIstatCsv(t.platform.db.owner, fs.createReadStream(sample), { on: '2025-01-01', totalBytes: fs.statSync(sample).size, actor: cli }, (p) => progress.push(p));

    assert.equal(report.rows, 18);
    assert.equal(report.created, 6);
    assert.equal(report.unchanged, 1);
    assert.equal(report.updated, 0);
    assert.equal(report.duplicates, 1);
    assert.equal(report.skippedNotValid, 3); // Calliano before 2022, Agliano before 1995, a row whose period is empty
    assert.equal(report.skippedOtherProvince, 0);
    assert.equal(report.membershipsCreated, 6); // the 005 comuni, Asti included; Torino has no provincia here
    assert.deepEqual(
      report.rejected.map((r) => r.line),
      [8, 9, 10, 11, 12, 15, 17],
    );
    const reason = (line: number) => report.rejected.find((r) => r.line === line)!.reason;
    assert.match(reason(8), /data di inizio validità non valida: "31-02-2020"/);
    assert.match(reason(9), /codice ISTAT del comune non valido: "05X081"/);
    assert.match(reason(10), /numero di colonne errato: 8 invece di 9/);
    assert.match(reason(11), /nome del comune mancante/);
    assert.match(reason(12), /precede l'inizio/);
    assert.match(reason(15), /riga CSV malformata/);
    assert.match(reason(17), /già valido .* alla riga 14/);

    const enti = await t.platform.db.owner
      .selectFrom('ente')
      .select(['name', 'slug', 'istat_code', 'kind', 'valid_from', 'valid_to'])
      .where('kind', '=', 'comune')
      .orderBy('istat_code')
      .execute();
    assert.deepEqual(
      enti.map((e) => [e.istat_code, e.name, e.slug, e.valid_from, e.valid_to]),
      [
        ['001272', 'Torino', 'torino', '2015-01-01', null],
        ['005001', 'Agliano Terme', 'agliano-terme-005001', '1948-01-01', null], // lifetime: Agliano, then Agliano Terme
        ['005005', 'Asti', 'asti', '1948-01-01', null],
        ['005014', 'Calliano Monferrato', 'calliano-monferrato', '1948-01-01', null],
        ['005025', "Castell'Alfero", 'castell-alfero', '1948-01-01', null],
        ['005076', "Montegrosso d'Asti", 'montegrosso-d-asti', '1948-01-01', null],
        ['005085', "Pino d'Asti", 'pino-d-asti', '1948-01-01', null],
      ],
    );

    const memberships = await t.platform.db.owner
      .selectFrom('ente_membership as m')
      .innerJoin('ente as e', 'e.id', 'm.ente_id')
      .select(['e.istat_code', 'm.valid_from', 'm.valid_to', 'm.source', 'm.parent_id'])
      .orderBy('e.istat_code')
      .execute();
    assert.equal(memberships.length, 6);
    assert.ok(memberships.every((m) => m.parent_id === provinciaId && m.valid_to === null && m.source === 'ISTAT'));
    assert.deepEqual(memberships.find((m) => m.istat_code === '005001')!.valid_from, '1948-01-01');

    const audits = await t.platform.db.owner
      .selectFrom('audit_log as a')
      .innerJoin('ente as e', 'e.id', 'a.ente_id')
      .select(['e.istat_code', 'a.action', 'a.actor_label', 'a.actor_id'])
      .execute();
    assert.equal(audits.filter((a) => a.action === 'ente.create').length, 6);
    assert.equal(audits.filter((a) => a.action === 'ente_membership.create').length, 6);
    assert.ok(audits.every((a) => a.actor_label === 'cli' && a.actor_id === null));
    assert.ok(!audits.some((a) => a.istat_code === '005005' && a.action === 'ente.create'));

    const read = progress.filter((p) => p.phase === 'read');
    assert.deepEqual(read.at(-1), { phase: 'read', done: fs.statSync(sample).size, total: fs.statSync(sample).size });
    assert.deepEqual(progress.filter((p) => p.phase === 'write').at(-1), { phase: 'write', done: 7, total: 7 });
  });

  it('is idempotent: a second import changes nothing', async () => {
    const auditsBefore = await t.platform.db.owner.selectFrom('audit_log').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const report = await importIstatCsv(t.platform.db.owner, fs.readFileSync(sample, 'utf8'), { on: '2025-01-01', actor: cli });
    assert.equal(report.created, 0);
    assert.equal(report.updated, 0);
    assert.equal(report.unchanged, 7);
    assert.equal(report.membershipsCreated, 0);
    assert.equal(report.rejected.length, 7);
    const auditsAfter = await t.platform.db.owner.selectFrom('audit_log').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    assert.equal(Number(auditsAfter.n), Number(auditsBefore.n));
  });

  it('updates a comune whose period changed, and audits the change', async () => {
    const csv = `${HEADER}\n"01","005","AT","005025-(1948-01-01)","005025","CASTELL'ALFERO","","01-01-1948","01-01-2030"\n`;
    const report = await importIstatCsv(t.platform.db.owner, csv, { on: '2025-01-01', province: '005', actor: cli });
    assert.equal(report.updated, 1);
    const ente = await t.platform.db.owner.selectFrom('ente').select(['id', 'valid_to']).where('istat_code', '=', '005025').executeTakeFirstOrThrow();
    assert.equal(ente.valid_to, '2030-01-01');
    const audit = await t.platform.db.owner.selectFrom('audit_log').select(['before', 'after']).where('ente_id', '=', ente.id).where('action', '=', 'ente.update').executeTakeFirstOrThrow();
    assert.deepEqual(audit.before, { name: "Castell'Alfero", validFrom: '1948-01-01', validTo: null });
  });

  it('filters by province and never hands out a reserved slug', async () => {
    const csv = [
      HEADER,
      '"01","005","AT","005900-(2000-01-01)","005900","API","","01-01-2000","31-12-9999"',
      '"01","001","TO","001272-(2015-01-01)","001272","TORINO","","01-01-2015","31-12-9999"',
    ].join('\r\n');
    const report = await importIstatCsv(t.platform.db.owner, csv, { on: '2025-01-01', province: '005', actor: cli });
    assert.equal(report.created, 1);
    assert.equal(report.skippedOtherProvince, 1);
    assert.deepEqual(report.comuni.map((c) => c.slug), ['api-005900']);
  });

  it('on a past date takes the name of that time and keeps the lifetime of the code', async () => {
    const csv = [
      HEADER,
      '"01","005","AT","005014-(2022-08-12)","005014","CALLIANO MONFERRATO","","12-08-2022","31-12-9999"',
      '"01","005","AT","005014-(1948-01-01)","005014","CALLIANO","","01-01-1948","12-08-2022"',
    ].join('\n');
    const report = await importIstatCsv(t.platform.db.owner, csv, { on: '2000-06-30', actor: cli });
    assert.equal(report.updated, 1);
    assert.equal(report.skippedNotValid, 1);
    const ente = await t.platform.db.owner.selectFrom('ente').select(['name', 'slug', 'valid_from', 'valid_to']).where('istat_code', '=', '005014').executeTakeFirstOrThrow();
    assert.deepEqual(ente, { name: 'Calliano', slug: 'calliano-monferrato', valid_from: '1948-01-01', valid_to: null });
  });

  it('refuses a file without the ISTAT header, and bad options', async () => {
    await assert.rejects(importIstatCsv(t.platform.db.owner, 'nome,codice\nAsti,005005\n'), IstatImportError);
    await assert.rejects(importIstatCsv(t.platform.db.owner, ''), /vuoto/);
    await assert.rejects(importIstatCsv(t.platform.db.owner, HEADER, { on: '2025-02-30' }), /data di riferimento non valida/);
    await assert.rejects(importIstatCsv(t.platform.db.owner, HEADER, { province: 'AT' }), /provincia non valido/);
  });
});

describe('ISTAT import: the real national file', { skip: !fs.existsSync(realFile) && 'shared ISTAT data not available' }, () => {
  let t: TestPlatform;
  before(async () => {
    t = await startTestPlatform({ seed: 'empty' });
    await t.platform.db.owner.insertInto('ente').values({ kind: 'provincia', name: 'Provincia di Asti', slug: 'provincia-di-asti', istat_code: '005' }).execute();
  });
  after(() => t.close());

  it('imports exactly the 117 comuni of the provincia di Asti valid today', async () => {
    const report = await importIstatCsv(t.platform.db.owner, fs.createReadStream(realFile), { province: '005', totalBytes: fs.statSync(realFile).size, actor: cli });
    assert.deepEqual(report.rejected, []);
    assert.equal(report.created, 117);
    assert.equal(report.membershipsCreated, 117);
    assert.ok(report.duplicates > 0);
    const { n } = await t.platform.db.owner
      .selectFrom('ente')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('kind', '=', 'comune')
      .where('istat_code', 'like', '005%')
      .executeTakeFirstOrThrow();
    assert.equal(Number(n), 117);
    const names = await t.platform.db.owner.selectFrom('ente').select(['slug', 'name']).where('slug', 'in', ['asti', 'nizza-monferrato', 'castell-alfero']).orderBy('slug').execute();
    assert.deepEqual(names, [
      { slug: 'asti', name: 'Asti' },
      { slug: 'castell-alfero', name: "Castell'Alfero" },
      { slug: 'nizza-monferrato', name: 'Nizza Monferrato' },
    ]);

    const again = await importIstatCsv(t.platform.db.owner, fs.createReadStream(realFile), { province: '005', actor: cli });
    assert.equal(again.unchanged, 117);
    assert.equal(again.created + again.updated + again.membershipsCreated, 0);
  });
});
