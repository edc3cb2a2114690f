// Regenerates the demo seed files of the members module from the shared data sets (../shared/data).
// Run by developers when the sources change (`npx tsx scripts/extract-seed.ts`); the product reads only the
// copies in src/modules/members/seed/, never ../shared.
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';

const root = path.resolve(import.meta.dirname, '..');
const shared = path.resolve(root, '..', 'shared', 'data');
const out = path.join(root, 'src', 'modules', 'members', 'seed');

// Italian place names: lower-case particles, capital after an apostrophe except for the particle itself.
const particles = new Set(['di', 'del', 'della', 'dei', 'delle', 'degli', 'e', 'in', 'sul', 'sulla', 'al', 'alla', 'da', 'nel', 'nella']);
function properName(upper: string): string {
  return upper
    .toLowerCase()
    .split(' ')
    .map((word, i) =>
      word
        .split('-')
        .map((part) => {
          if (i > 0 && particles.has(part)) return part;
          const apostrophe = part.indexOf("'");
          if (apostrophe >= 0) {
            const head = part.slice(0, apostrophe + 1);
            const tail = part.slice(apostrophe + 1);
            const fixedHead = head === "d'" && i > 0 ? head : head.charAt(0).toUpperCase() + head.slice(1);
            return fixedHead + tail.charAt(0).toUpperCase() + tail.slice(1);
          }
          return part.charAt(0).toUpperCase() + part.slice(1);
        })
        .join('-'),
    )
    .join(' ');
}

const isoDate = (ddmmyyyy: string) => ddmmyyyy.split('-').reverse().join('-');

const cities = parse(fs.readFileSync(path.join(shared, 'istat', 'cities.csv')), { columns: true }) as Record<string, string>[];
const current = new Map<string, { code: string; name: string; from: string }>();
for (const row of cities) {
  if (!row.CODICE_COMUNE!.startsWith('005') || row.DATA_FINE_VALIDITA !== '31-12-9999') continue;
  current.set(row.CODICE_COMUNE!, { code: row.CODICE_COMUNE!, name: properName(row.LABEL_COMUNE_IT!), from: isoDate(row.DATA_INIZIO_VALIDITA!) });
}
// A renamed comune keeps its code: its validity starts with the first of the contiguous records of that code.
for (const comune of current.values()) {
  const history = cities
    .filter((r) => r.CODICE_COMUNE === comune.code)
    .map((r) => ({ from: isoDate(r.DATA_INIZIO_VALIDITA!), to: isoDate(r.DATA_FINE_VALIDITA!) }));
  let start = comune.from;
  for (let moved = true; moved; ) {
    moved = false;
    for (const h of history) {
      if (h.to === start && h.from < start) {
        start = h.from;
        moved = true;
      }
    }
  }
  comune.from = start;
}
const comuni = [...current.values()].sort((a, b) => a.code.localeCompare(b.code));
if (comuni.length !== 117) throw new Error(`expected 117 comuni of Provincia di Asti, found ${comuni.length}`);
fs.writeFileSync(
  path.join(out, 'comuni.csv'),
  ['istat_code,name,valid_from', ...comuni.map((c) => `${c.code},"${c.name}",${c.from}`)].join('\n') + '\n',
);
for (const file of ['unions.csv', 'protocol-2010.csv']) {
  fs.copyFileSync(path.join(shared, 'asti', file), path.join(out, file));
}
console.log(`wrote ${comuni.length} comuni, unions.csv and protocol-2010.csv to ${path.relative(root, out)}`);
