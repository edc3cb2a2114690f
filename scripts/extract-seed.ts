// Regenerates the demo seed files of the members module from the shared data sets (../shared/data), with the
// same parser and rules as `cir ente import`. Run by developers when the sources change
// (`npx tsx scripts/extract-seed.ts`); the product reads only the copies in src/modules/members/seed/.
import fs from 'node:fs';
import path from 'node:path';
import { readIstatComuni } from '../src/platform/tenancy/import.js';

const root = path.resolve(import.meta.dirname, '..');
const shared = path.resolve(root, '..', 'shared', 'data');
const out = path.join(root, 'src', 'modules', 'members', 'seed');
const on = process.argv[2] ?? new Date().toISOString().slice(0, 10);

const { comuni, rejected } = await readIstatComuni(fs.readFileSync(path.join(shared, 'istat', 'cities.csv'), 'utf8'), { on, province: '005' });
if (rejected.length > 0) throw new Error(`cities.csv has rejected rows: ${JSON.stringify(rejected.slice(0, 5))}`);
if (comuni.length !== 117) throw new Error(`expected 117 comuni of Provincia di Asti, found ${comuni.length}`);
comuni.sort((a, b) => a.istatCode.localeCompare(b.istatCode));
fs.writeFileSync(
  path.join(out, 'comuni.csv'),
  ['istat_code,name,valid_from', ...comuni.map((c) => `${c.istatCode},"${c.name}",${c.validFrom}`)].join('\n') + '\n',
);
for (const file of ['unions.csv', 'protocol-2010.csv']) fs.copyFileSync(path.join(shared, 'asti', file), path.join(out, file));
console.log(`wrote ${comuni.length} comuni (valid on ${on}), unions.csv and protocol-2010.csv to ${path.relative(root, out)}`);
