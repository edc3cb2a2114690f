// `npm start`: boots the whole platform (database, migrations, jobs, HTTP) and prints how to reach it.
import { loadConfig } from './platform/config/index.js';
import { bootPlatform } from './platform/boot.js';
import { modules } from './modules/index.js';
import { demoAccounts } from './modules/members/index.js';

const config = loadConfig();
const running = await bootPlatform(config, { modules });
const url = config.publicUrl;
const lines = [
  '',
  `Comuni in Rete is running at ${url}/`,
  `  back office: ${url}/backoffice/   API docs: ${url}/api/docs`,
  running.seeded ? '  demo network seeded (first start).' : '  existing data reused.',
];
if (config.demoSeed) {
  lines.push('  demo accounts (password: demo-password):');
  for (const account of demoAccounts) lines.push(`    ${account.email.padEnd(36)} ${account.description}`);
}
console.log(lines.join('\n'));

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    running.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}
