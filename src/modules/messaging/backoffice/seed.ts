// Demo data of the back office: the default templates in every ente, and one urgent weather alert sent by Asti
// whose deliveries are planned (they stay queued until an SMSC / mail / App IO peer is configured), so the
// progress page and the CAP export have something to show.
import { systemActor } from '../../../platform/audit/index.js';
import { withEnte } from '../../../platform/db/index.js';
import type { Platform } from '../../../platform/platform.js';
import { formatDate } from '../../../platform/views/i18n/index.js';
import { todayInRome } from '../../../platform/calendar/index.js';
import { validateCap } from '../cap/cap.js';
import { planDispatch } from '../engine.js';
import { createMessage, sendMessage } from '../service.js';
import { DEFAULT_TEMPLATES, ensureDefaultTemplates, renderTemplate } from './templates.js';

export async function seedDemoBackoffice(platform: Platform): Promise<void> {
  const db = platform.db.app;
  const enti = await db.selectFrom('ente').select(['id', 'slug', 'name']).execute();
  for (const ente of enti) await withEnte(db, ente.id, (trx) => ensureDefaultTemplates(trx, ente.id));
  const asti = enti.find((e) => e.slug === 'asti');
  if (!asti) return;
  const already = await withEnte(db, asti.id, (trx) => trx.selectFrom('msg_message').select('id').where('kind', '=', 'broadcast').limit(1).execute());
  if (already.length > 0) return;
  const template = DEFAULT_TEMPLATES.find((t) => t.name === 'Allerta meteo')!;
  const values = { comune: asti.name, data: formatDate(todayInRome()), ora: '18:00' };
  const cap = validateCap({ ...template.cap, event: 'Allerta meteo arancione per temporali', areaDesc: asti.name });
  const message = await createMessage(db, systemActor, asti.id, {
    title: renderTemplate(template.title, values),
    body: renderTemplate(template.body, values),
    smsText: renderTemplate(template.smsText!, values),
    topics: template.topics,
    targetEnteIds: [asti.id],
    channels: ['sms', 'email', 'appio'],
    urgent: true,
    cap,
  });
  await sendMessage(db, platform.jobs, systemActor, asti.id, message.id);
  const dispatch = await withEnte(db, asti.id, (trx) => trx.selectFrom('msg_dispatch').select('id').where('message_id', '=', message.id).executeTakeFirstOrThrow());
  await planDispatch(platform, asti.id, dispatch.id);
}
