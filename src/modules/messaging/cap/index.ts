// CAP export of one message: loads the message (in its ente) and the names and ISTAT codes of the targeted enti
// (the shared ente catalogue), then builds the alert. Only messages with CAP fields can be exported.
import type { Kysely } from 'kysely';
import { withEnte, type DB } from '../../../platform/db/index.js';
import type { Ente } from '../../../platform/tenancy/index.js';
import { MessagingError } from '../service.js';
import { buildCapAlert, type CapInput } from './cap.js';

export { buildCapAlert, capDateTime, validateCap, CAP_CATEGORIES, CAP_CERTAINTIES, CAP_SEVERITIES, CAP_URGENCIES, type CapInput } from './cap.js';

/** `sender` domain: the host of the platform's public URL. */
const hostOf = (publicUrl: string) => {
  try {
    return new URL(publicUrl).hostname || 'localhost';
  } catch {
    return 'localhost';
  }
};

export async function capAlertOf(db: Kysely<DB>, ente: Ente, messageId: string, publicUrl: string): Promise<string> {
  const message = await withEnte(db, ente.id, (trx) => trx.selectFrom('msg_message').selectAll().where('id', '=', messageId).where('kind', '=', 'broadcast').executeTakeFirst());
  if (!message) throw new MessagingError('Messaggio non trovato', 404);
  if (!message.cap) throw new MessagingError('Questo messaggio non ha i dati CAP: l’esportazione CAP è per gli avvisi di protezione civile', 409);
  const cap = (typeof message.cap === 'string' ? JSON.parse(message.cap) : message.cap) as CapInput;
  const areas = await db.selectFrom('ente').select(['name', 'istat_code']).where('id', 'in', message.target_ente_ids).orderBy('name').execute();
  const host = hostOf(publicUrl);
  return buildCapAlert({
    identifier: `${host}.${ente.slug}.${message.id}`,
    sender: `${ente.slug}@${host}`,
    sent: message.queued_at ?? message.created_at,
    senderName: ente.name,
    headline: message.title,
    description: message.body,
    web: `${publicUrl.replace(/\/$/, '')}/${ente.slug}/avvisi`,
    cap,
    areas: areas.map((a) => ({ name: a.name, istatCode: a.istat_code })),
  });
}
