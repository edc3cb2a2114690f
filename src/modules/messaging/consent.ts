// Subscribers and their consent: subscribing (upsert, a consent event per topic granted, with the text shown),
// revoking topics or switching a channel off, and STOP by SMS across enti. The history is append-only.
import { sql, type Kysely } from 'kysely';
import { withCrossEnteRead, withEnte, type DB, type Trx } from '../../platform/db/index.js';
import { MessagingError } from './service.js';
import type { ConsentVia, SubscriberSource } from './store.js';

export interface SubscribeInput {
  phone?: string | null | undefined;
  email?: string | null | undefined;
  fiscalCode?: string | null | undefined;
  /** When each channel was verified (one-time code confirmed now; or the import's consent basis). */
  phoneVerifiedAt?: Date | null | undefined;
  emailVerifiedAt?: Date | null | undefined;
  topics: readonly string[];
  /** The exact text the citizen was shown when consenting (recorded with each topic). */
  consentText: string;
  via: ConsentVia;
  source: SubscriberSource;
  consentBasis?: string | null | undefined;
  ip?: string | null | undefined;
}

export interface SubscribeResult {
  subscriberId: string;
  created: boolean;
  granted: string[];
}

/**
 * Creates or updates the subscriber of this ente with that phone or e-mail and grants consent to `topics`
 * (already granted ones are left as they are; revoked ones are granted again). A channel opted out earlier is
 * opted in again only when verified anew here. Every grant is a consent event with its text.
 */
export async function subscribe(trx: Trx, enteId: string, input: SubscribeInput): Promise<SubscribeResult> {
  if (!input.phone && !input.email) throw new MessagingError('Indicare un numero di cellulare o un indirizzo e-mail');
  if (input.topics.length === 0) throw new MessagingError('Scegliere almeno un argomento');
  if (!input.consentText.trim()) throw new MessagingError('Manca il testo del consenso');
  if (input.source === 'import' && !input.consentBasis?.trim()) throw new MessagingError('Per importare iscritti va indicata la base del consenso');
  const email = input.email?.trim().toLowerCase() || null;
  const known = await trx.selectFrom('msg_topic').select('code').where('code', 'in', [...input.topics]).where('active', '=', true).execute();
  const unknown = input.topics.filter((code) => !known.some((k) => k.code === code));
  if (unknown.length > 0) throw new MessagingError(`Argomento sconosciuto: ${unknown.join(', ')}`);

  // Lock any existing rows for this phone / e-mail: two confirmations at once must give one subscriber.
  await sql`select pg_advisory_xact_lock(hashtext(${`msg-sub:${enteId}:${input.phone ?? ''}:${email ?? ''}`}))`.execute(trx);
  let query = trx.selectFrom('msg_subscriber').selectAll().forUpdate();
  query = query.where((eb) => eb.or([...(input.phone ? [eb('phone', '=', input.phone)] : []), ...(email ? [eb('email', '=', email)] : [])]));
  const existing = await query.execute();
  if (existing.length > 1) throw new MessagingError('Il numero e l’indirizzo risultano già iscritti separatamente: annullare una delle due iscrizioni e riprovare', 409);
  const now = new Date();
  let subscriberId: string;
  let created = false;
  if (existing[0]) {
    const row = existing[0];
    subscriberId = row.id;
    await trx
      .updateTable('msg_subscriber')
      .set({
        ...(input.phone ? { phone: input.phone } : {}),
        ...(email ? { email } : {}),
        ...(input.fiscalCode ? { fiscal_code: input.fiscalCode } : {}),
        ...(input.phoneVerifiedAt ? { phone_verified_at: input.phoneVerifiedAt, phone_opted_out_at: null } : {}),
        ...(input.emailVerifiedAt ? { email_verified_at: input.emailVerifiedAt, email_opted_out_at: null } : {}),
        ...(input.consentBasis ? { consent_basis: input.consentBasis } : {}),
      })
      .where('id', '=', row.id)
      .execute();
  } else {
    const inserted = await trx
      .insertInto('msg_subscriber')
      .values({
        ente_id: enteId,
        phone: input.phone ?? null,
        phone_verified_at: input.phone ? (input.phoneVerifiedAt ?? null) : null,
        email,
        email_verified_at: email ? (input.emailVerifiedAt ?? null) : null,
        fiscal_code: input.fiscalCode ?? null,
        source: input.source,
        consent_basis: input.consentBasis ?? null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    subscriberId = inserted.id;
    created = true;
  }
  const current = await trx.selectFrom('msg_subscription').select(['topic_code', 'revoked_at']).where('subscriber_id', '=', subscriberId).execute();
  const granted = input.topics.filter((code) => !current.some((c) => c.topic_code === code && c.revoked_at === null));
  if (granted.length > 0) {
    await trx
      .insertInto('msg_subscription')
      .values(granted.map((code) => ({ ente_id: enteId, subscriber_id: subscriberId, topic_code: code, consented_at: now, revoked_at: null })))
      .onConflict((oc) => oc.columns(['ente_id', 'subscriber_id', 'topic_code']).doUpdateSet({ consented_at: now, revoked_at: null }))
      .execute();
    await trx
      .insertInto('msg_consent_event')
      .values(granted.map((code) => ({ ente_id: enteId, subscriber_id: subscriberId, topic_code: code, action: 'grant' as const, channel: null, via: input.via, consent_text: input.consentText, ip: input.ip ?? null })))
      .execute();
  }
  return { subscriberId, created, granted };
}

export interface RevokeInput {
  /** Topics to leave; omitted: every topic. */
  topics?: readonly string[] | undefined;
  /** A channel to switch off instead (STOP by SMS switches off the phone, the e-mail link the address). */
  channel?: 'sms' | 'email' | undefined;
  via: ConsentVia;
  ip?: string | null | undefined;
}

/** Revokes consent (topics) or switches a channel off; recorded as consent events. Idempotent. */
export async function revoke(trx: Trx, enteId: string, subscriberId: string, input: RevokeInput): Promise<{ revoked: string[]; channelOff: boolean }> {
  const now = new Date();
  let channelOff = false;
  if (input.channel) {
    const column = input.channel === 'sms' ? 'phone_opted_out_at' : 'email_opted_out_at';
    const updated = await trx.updateTable('msg_subscriber').set({ [column]: now }).where('id', '=', subscriberId).where(column, 'is', null).executeTakeFirst();
    channelOff = Number(updated.numUpdatedRows) > 0;
    if (channelOff) {
      await trx
        .insertInto('msg_consent_event')
        .values({ ente_id: enteId, subscriber_id: subscriberId, topic_code: null, action: 'revoke', channel: input.channel, via: input.via, consent_text: null, ip: input.ip ?? null })
        .execute();
    }
  }
  let revoked: string[] = [];
  if (!input.channel || input.topics) {
    let update = trx.updateTable('msg_subscription').set({ revoked_at: now }).where('subscriber_id', '=', subscriberId).where('revoked_at', 'is', null);
    if (input.topics) update = update.where('topic_code', 'in', input.topics.length > 0 ? [...input.topics] : ['']);
    revoked = (await update.returning('topic_code').execute()).map((r) => r.topic_code);
    if (revoked.length > 0) {
      await trx
        .insertInto('msg_consent_event')
        .values(revoked.map((code) => ({ ente_id: enteId, subscriber_id: subscriberId, topic_code: code, action: 'revoke' as const, channel: null, via: input.via, consent_text: null, ip: input.ip ?? null })))
        .execute();
    }
  }
  return { revoked, channelOff };
}

/**
 * STOP by SMS to the CST's two-way number: the number is switched off in every ente it subscribed to (the
 * citizen cannot tell which comune's message they are answering). Returns the enti touched.
 */
export async function stopPhoneEverywhere(db: Kysely<DB>, phone: string): Promise<string[]> {
  const rows = await withCrossEnteRead(db, (trx) =>
    trx.selectFrom('msg_subscriber').select(['ente_id', 'id']).where('phone', '=', phone).where('phone_opted_out_at', 'is', null).execute(),
  );
  for (const row of rows) await withEnte(db, row.ente_id, (trx) => revoke(trx, row.ente_id, row.id, { channel: 'sms', via: 'sms_stop' }));
  return rows.map((r) => r.ente_id);
}

