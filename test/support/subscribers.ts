// Synthetic subscribers for the tests and benchmarks of large broadcasts (messaging/crash.test.ts,
// sms/channel.test.ts, bench/messaging.ts, bench/mail.ts): a comune that has none of the demo network's own, so
// every recipient there is the caller's, filled in one statement each for subscribers and consents.
import { sql, type Kysely } from 'kysely';
import type { DB } from '../../src/platform/db/index.js';

/** The first comune (by slug) without subscribers of its own. Owner connection: reads every ente. */
export async function comuneWithoutSubscribers(db: Kysely<DB>): Promise<{ id: string; slug: string }> {
  return db
    .selectFrom('ente')
    .select(['id', 'slug'])
    .where('kind', '=', 'comune')
    .where(({ not, exists, selectFrom }) => not(exists(selectFrom('msg_subscriber').select('id').whereRef('msg_subscriber.ente_id', '=', 'ente.id'))))
    .orderBy('slug')
    .executeTakeFirstOrThrow();
}

export interface SyntheticContacts {
  /** Subscriber i gets the verified phone +{phonePrefix}{i padded to 7 digits}. */
  phonePrefix?: string;
  /** Subscriber i gets the verified address iscritto{i}@{emailDomain}, every `emailEvery`-th one only (default 1). */
  emailDomain?: string;
  emailEvery?: number;
}

/** `count` verified subscribers of `enteId`, each consenting to protezione civile (the urgent topic). */
export async function addBroadcastSubscribers(db: Kysely<DB>, enteId: string, count: number, contacts: SyntheticContacts): Promise<void> {
  const prefix = contacts.phonePrefix ?? null;
  const domain = contacts.emailDomain ?? null;
  const every = contacts.emailEvery ?? 1;
  await sql`
    insert into msg_subscriber (ente_id, phone, phone_verified_at, email, email_verified_at, source)
    select ${enteId}::uuid,
           case when ${prefix}::text is not null then '+' || ${prefix}::text || lpad(i::text, 7, '0') end,
           case when ${prefix}::text is not null then now() end,
           case when ${domain}::text is not null and i % ${every} = 0 then 'iscritto' || i || '@' || ${domain}::text end,
           case when ${domain}::text is not null and i % ${every} = 0 then now() end,
           'operator'
    from generate_series(1, ${count}) i`.execute(db);
  await sql`
    insert into msg_subscription (ente_id, subscriber_id, topic_code, consented_at)
    select ente_id, id, 'protezione-civile', now() from msg_subscriber where ente_id = ${enteId}::uuid`.execute(db);
}
