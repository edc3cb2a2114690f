// The rules of messaging: topics and settings, who may target whom, what a message will cost, quiet hours, and
// turning a message into one dispatch per targeted ente (engine.ts fans each out). Consent: consent.ts.
import { sql, type Kysely } from 'kysely';
import { recordAudit, type Actor } from '../../platform/audit/index.js';
import { withCrossEnteRead, withEnte, type DB, type Trx } from '../../platform/db/index.js';
import { getCstEnte, getEnteById, membersOf } from '../../platform/tenancy/index.js';
import { romeWallTime, romeWallTimeToInstant } from '../../platform/calendar/wall-clock.js';
import { addDays } from '../../platform/calendar/index.js';
import type { Jobs } from '../../platform/jobs/index.js';
import { planSms, estimateCost, type SmsPlan } from './sms/segments.js';
import type { Channel, MessageRow, SettingsRow, TopicRow } from './store.js';

export const PLAN_QUEUE = 'messaging.plan';
export interface PlanJobData {
  enteId: string;
  dispatchId: string;
}

/** A 4xx for the caller: the message is Italian and shown as is (problem+json detail or page alert). */
export class MessagingError extends Error {
  constructor(
    message: string,
    readonly status: 400 | 403 | 404 | 409 | 422 = 422,
  ) {
    super(message);
    this.name = 'MessagingError';
  }
}

// ---- topics and settings -----------------------------------------------------------------------------------

/** The topics every ente starts with; protezione civile is urgent (ignores quiet hours). */
export const DEFAULT_TOPICS: ReadonlyArray<{ code: string; label: string; description: string; urgent?: boolean }> = [
  { code: 'protezione-civile', label: 'Protezione civile', description: 'Allerte meteo, emergenze, evacuazioni.', urgent: true },
  { code: 'viabilita', label: 'Viabilità', description: 'Strade chiuse, cantieri, neve, ordinanze sul traffico.' },
  { code: 'rifiuti', label: 'Rifiuti', description: 'Raccolta differenziata, cambi di calendario, isola ecologica.' },
  { code: 'scuola', label: 'Scuola', description: 'Mensa, trasporto scolastico, chiusure delle scuole.' },
  { code: 'eventi', label: 'Eventi', description: 'Manifestazioni, cultura, sport e tempo libero.' },
];

/** GSM alphanumeric sender (≤ 11 characters) from an ente's name: "Comune di Nizza Monferrato" → "NizzaMonfer". */
export function defaultSmsSender(enteName: string): string {
  const name = enteName.replace(/^(Comune|Unione|Comunit[àa] montana|Provincia)( dei| degli| delle| di| del| della)?\s+/i, '');
  const ascii = name.normalize('NFKD').replace(/\p{M}+/gu, '').replace(/[^A-Za-z0-9 ]/g, '');
  const compact = ascii.length > 11 ? ascii.replace(/\s+/g, '') : ascii;
  return compact.slice(0, 11) || 'Comune';
}

/** Creates the default topics and settings of an ente when missing (idempotent). */
export async function ensureDefaults(trx: Trx, enteId: string, enteName: string): Promise<void> {
  await trx
    .insertInto('msg_settings')
    .values({ ente_id: enteId, sms_sender: defaultSmsSender(enteName) })
    .onConflict((oc) => oc.column('ente_id').doNothing())
    .execute();
  await trx
    .insertInto('msg_topic')
    .values(DEFAULT_TOPICS.map((topic, i) => ({ ente_id: enteId, code: topic.code, label: topic.label, description: topic.description, urgent: topic.urgent ?? false, position: i })))
    .onConflict((oc) => oc.columns(['ente_id', 'code']).doNothing())
    .execute();
}

export async function getSettings(trx: Trx, enteId: string): Promise<SettingsRow> {
  const row = await trx.selectFrom('msg_settings').selectAll().where('ente_id', '=', enteId).executeTakeFirst();
  if (row) return row;
  const ente = await getEnteById(trx, enteId);
  if (!ente) throw new MessagingError('Ente non trovato', 404);
  await ensureDefaults(trx, enteId, ente.name);
  return trx.selectFrom('msg_settings').selectAll().where('ente_id', '=', enteId).executeTakeFirstOrThrow();
}

export async function listTopics(trx: Trx, options: { activeOnly?: boolean } = {}): Promise<TopicRow[]> {
  let query = trx.selectFrom('msg_topic').selectAll().orderBy('position').orderBy('label');
  if (options.activeOnly) query = query.where('active', '=', true);
  return query.execute();
}

// ---- quiet hours ---------------------------------------------------------------------------------------------

/**
 * When a message may go out: now for urgent ones and outside quiet hours; otherwise the end of the quiet hours
 * (Rome wall clock, so the same 08:00 on both sides of a DST change). Quiet hours may span midnight (21:00–08:00)
 * or not (13:00–15:00); equal start and end means none.
 */
export function sendableFrom(now: Date, quietStart: string, quietEnd: string, urgent: boolean): Date {
  if (urgent) return now;
  const start = quietStart.slice(0, 5);
  const end = quietEnd.slice(0, 5);
  if (start === end) return now;
  const wall = romeWallTime(now);
  const t = wall.time;
  const spansMidnight = start > end;
  const quiet = spansMidnight ? t >= start || t < end : t >= start && t < end;
  if (!quiet) return now;
  const endDate = spansMidnight && t >= start ? addDays(wall.date, 1) : wall.date;
  return romeWallTimeToInstant(endDate, end);
}

// ---- targeting -------------------------------------------------------------------------------------------------

/**
 * The enti whose subscribers an ente may reach: a comune its own; a union or comunità montana itself and its
 * current member comuni; the CST (the provincia that runs the centre) every ente of the network.
 */
export async function targetableEnti(db: Kysely<DB>, senderEnteId: string): Promise<{ id: string; name: string; slug: string }[]> {
  const sender = await getEnteById(db, senderEnteId);
  if (!sender) throw new MessagingError('Ente non trovato', 404);
  const cst = await getCstEnte(db);
  if (cst?.id === sender.id) {
    const all = await db.selectFrom('ente').select(['id', 'name', 'slug']).orderBy('name').execute();
    return all;
  }
  if (sender.kind === 'unione' || sender.kind === 'comunita_montana') {
    const members = await membersOf(db, sender.id);
    return [{ id: sender.id, name: sender.name, slug: sender.slug }, ...members.map((m) => ({ id: m.id, name: m.name, slug: m.slug }))];
  }
  return [{ id: sender.id, name: sender.name, slug: sender.slug }];
}

export async function assertTargetable(db: Kysely<DB>, senderEnteId: string, targetEnteIds: readonly string[]): Promise<void> {
  if (targetEnteIds.length === 0) throw new MessagingError('Scegliere almeno un ente destinatario');
  const allowed = new Set((await targetableEnti(db, senderEnteId)).map((e) => e.id));
  const refused = targetEnteIds.filter((id) => !allowed.has(id));
  if (refused.length > 0) throw new MessagingError('Questo ente non può inviare messaggi agli iscritti di uno degli enti scelti', 403);
}

// ---- estimate ---------------------------------------------------------------------------------------------------

/** Who a dispatch reaches, per channel — the same rules planning applies (engine.ts uses this SQL too). */
export const RECIPIENT_RULES = {
  /** Active subscriptions to any of the topics. */
  subscribed: (topics: readonly string[]) => sql<boolean>`exists (select 1 from msg_subscription s where s.ente_id = msg_subscriber.ente_id and s.subscriber_id = msg_subscriber.id and s.revoked_at is null and s.topic_code = any(${sql.val([...topics])}::text[]))`,
  phoneUsable: sql<boolean>`(msg_subscriber.phone is not null and msg_subscriber.phone_verified_at is not null and msg_subscriber.phone_opted_out_at is null)`,
  emailUsable: sql<boolean>`(msg_subscriber.email is not null and msg_subscriber.email_verified_at is not null and msg_subscriber.email_opted_out_at is null)`,
};

export interface EnteReach {
  enteId: string;
  /** Subscribers reached at all. */
  subscribers: number;
  /** Phone holders with a fiscal code where the ente has an App IO service: tried on IO first, SMS if no profile. */
  appioFirst: number;
  sms: number;
  email: number;
}

export interface Estimate {
  perEnte: EnteReach[];
  totals: Omit<EnteReach, 'enteId'>;
  sms: SmsPlan | null;
  /** Worst case: every App IO candidate falls back to SMS. */
  cost: { centsPerPart: number; smsMessagesMax: number; partsMax: number; centsMax: number; centsMin: number };
}

/** Whether the ente has an App IO service (then subscribers with a fiscal code are tried on IO first). */
export async function hasAppIoService(trx: Trx, enteId: string): Promise<boolean> {
  return (await trx.selectFrom('msg_appio_service').select('topic_code').where('ente_id', '=', enteId).limit(1).execute()).length > 0;
}

/**
 * The one channel that reaches a recipient's mobile: App IO when the ente has a service and the recipient a fiscal
 * code (its SMS fallback then goes to the phone), otherwise SMS when wanted and possible; null for neither.
 */
export function mobileChannel(recipient: { appIo: boolean; fiscalCode: string | null; sms: boolean }): 'appio' | 'sms' | null {
  if (recipient.appIo && recipient.fiscalCode !== null) return 'appio';
  return recipient.sms ? 'sms' : null;
}

/**
 * Recipients of each of `enteIds` for these topics and channels, in their order: one grouped read, so the CST's
 * estimate over the whole network is two queries, not two per ente. Filters on the enti explicitly, so it serves
 * both an ente-bound transaction and the cross-ente reader.
 */
export async function reachOfEnti(trx: Trx, enteIds: readonly string[], topics: readonly string[], channels: readonly Channel[]): Promise<EnteReach[]> {
  if (enteIds.length === 0) return [];
  const withIo = new Set(
    channels.includes('appio')
      ? (await trx.selectFrom('msg_appio_service').select('ente_id').distinct().where('ente_id', 'in', [...enteIds]).execute()).map((r) => r.ente_id)
      : [],
  );
  const rows = await trx
    .selectFrom('msg_subscriber')
    .select([
      'ente_id',
      sql<number>`count(*) filter (where ${RECIPIENT_RULES.phoneUsable} or ${RECIPIENT_RULES.emailUsable})`.as('subscribers'),
      sql<number>`count(*) filter (where ${RECIPIENT_RULES.phoneUsable} and fiscal_code is not null)`.as('phone_cf'),
      sql<number>`count(*) filter (where ${RECIPIENT_RULES.phoneUsable})`.as('phone'),
      sql<number>`count(*) filter (where ${RECIPIENT_RULES.emailUsable})`.as('email'),
    ])
    .where('ente_id', 'in', [...enteIds])
    .where(RECIPIENT_RULES.subscribed(topics))
    .groupBy('ente_id')
    .execute();
  const byEnte = new Map(rows.map((r) => [r.ente_id, r]));
  return enteIds.map((enteId) => {
    const row = byEnte.get(enteId);
    const hasIo = withIo.has(enteId);
    const phone = row && (channels.includes('sms') || hasIo) ? Number(row.phone) : 0;
    const appioFirst = row && hasIo ? Number(row.phone_cf) : 0;
    return {
      enteId,
      subscribers: row ? Number(row.subscribers) : 0,
      appioFirst,
      sms: channels.includes('sms') ? phone - appioFirst : 0,
      email: row && channels.includes('email') ? Number(row.email) : 0,
    };
  });
}

export interface EstimateInput {
  senderEnteId: string;
  targetEnteIds: readonly string[];
  topics: readonly string[];
  channels: readonly Channel[];
  smsText: string;
  transliterate?: boolean;
}

/** Recipients per ente and channel, SMS parts and cost, before sending. Other enti's counts only (audited read). */
export async function estimate(db: Kysely<DB>, actor: Actor, input: EstimateInput): Promise<Estimate> {
  await assertTargetable(db, input.senderEnteId, input.targetEnteIds);
  const settings = await withEnte(db, input.senderEnteId, (trx) => getSettings(trx, input.senderEnteId));
  const own = input.targetEnteIds.length === 1 && input.targetEnteIds[0] === input.senderEnteId;
  const perEnte: EnteReach[] = [];
  if (own) perEnte.push(...(await withEnte(db, input.senderEnteId, (trx) => reachOfEnti(trx, [input.senderEnteId], input.topics, input.channels))));
  else {
    await withEnte(db, input.senderEnteId, (trx) =>
      recordAudit(trx, { enteId: input.senderEnteId, actor, action: 'messaging.estimate.cross_read', entity: 'msg_subscriber', entityId: null, after: { targets: input.targetEnteIds } }),
    );
    perEnte.push(...(await withCrossEnteRead(db, (trx) => reachOfEnti(trx, input.targetEnteIds, input.topics, input.channels))));
  }
  const totals = perEnte.reduce((sum, r) => ({ subscribers: sum.subscribers + r.subscribers, appioFirst: sum.appioFirst + r.appioFirst, sms: sum.sms + r.sms, email: sum.email + r.email }), { subscribers: 0, appioFirst: 0, sms: 0, email: 0 });
  let sms: SmsPlan | null = null;
  if (input.channels.includes('sms') && input.smsText.trim()) sms = planSms(input.smsText, { transliterate: input.transliterate ?? settings.sms_transliterate });
  const parts = sms?.parts ?? 0;
  const max = estimateCost(parts, totals.sms + totals.appioFirst, settings.sms_cents_per_part);
  const min = estimateCost(parts, totals.sms, settings.sms_cents_per_part);
  return {
    perEnte,
    totals,
    sms,
    cost: { centsPerPart: settings.sms_cents_per_part, smsMessagesMax: totals.sms + totals.appioFirst, partsMax: max.totalParts, centsMax: max.cents, centsMin: min.cents },
  };
}

// ---- messages ----------------------------------------------------------------------------------------------------

export interface MessageInput {
  title: string;
  body: string;
  smsText?: string | null | undefined;
  topics: readonly string[];
  targetEnteIds: readonly string[];
  channels: readonly Channel[];
  /** Protezione civile: ignores quiet hours. Forced on when a topic is urgent. */
  urgent?: boolean | undefined;
  /** Not before this instant (operator's schedule); quiet hours still apply to non-urgent messages. */
  sendAfter?: Date | null | undefined;
  cap?: unknown;
}

function validateMessage(input: MessageInput): void {
  if (!input.title.trim() || input.title.length > 120) throw new MessagingError('Il titolo è obbligatorio (al massimo 120 caratteri)');
  if (!input.body.trim() || input.body.length > 10_000) throw new MessagingError('Il testo è obbligatorio (al massimo 10.000 caratteri)');
  if (input.channels.length === 0) throw new MessagingError('Scegliere almeno un canale');
  if (input.topics.length === 0) throw new MessagingError('Scegliere almeno un argomento');
}

/** Saves a draft message of `enteId`. */
export async function createMessage(db: Kysely<DB>, actor: Actor, enteId: string, input: MessageInput): Promise<MessageRow> {
  validateMessage(input);
  await assertTargetable(db, enteId, input.targetEnteIds);
  const smsText = input.smsText?.trim() || null;
  // Throws SmsPlanError when the text would not fit. Checked as the strictest ente sends it (UCS-2 when a
  // character is outside GSM-7): a text that fits only once transliterated is stored transliterated (back office option).
  if (input.channels.includes('sms')) planSms(smsText ?? input.body, { transliterate: false });
  return withEnte(db, enteId, async (trx) => {
    const topics = await trx.selectFrom('msg_topic').select(['code', 'urgent']).where('code', 'in', [...input.topics]).execute();
    if (topics.length !== new Set(input.topics).size) throw new MessagingError('Argomento sconosciuto per questo ente');
    const urgent = Boolean(input.urgent) || topics.some((t) => t.urgent);
    const row = await trx
      .insertInto('msg_message')
      .values({
        ente_id: enteId,
        title: input.title.trim(),
        body: input.body,
        sms_text: smsText,
        topics: [...input.topics],
        target_ente_ids: [...input.targetEnteIds],
        channels: [...input.channels],
        urgent,
        cap: input.cap === undefined ? null : JSON.stringify(input.cap),
        send_after: input.sendAfter ?? null,
        created_by: actor.label,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAudit(trx, { enteId, actor, action: 'messaging.message.create', entity: 'msg_message', entityId: row.id, after: { title: row.title, topics: row.topics, targets: row.target_ente_ids } });
    return row;
  });
}

/**
 * Sends a draft: one dispatch per targeted ente (in that ente, with a copy of the text and the sender's name),
 * each with its planning job, all in one go per ente. Sending twice is refused (409); a dispatch already made
 * for an ente is not made again (unique message × ente), so a retried call completes a half-made send.
 */
export async function sendMessage(db: Kysely<DB>, jobs: Pick<Jobs, 'send'>, actor: Actor, enteId: string, messageId: string, now = new Date()): Promise<{ dispatches: number; sendAfter: Date }> {
  const { message, settings } = await withEnte(db, enteId, async (trx) => {
    const message = await trx.selectFrom('msg_message').selectAll().where('id', '=', messageId).forUpdate().executeTakeFirst();
    if (!message) throw new MessagingError('Messaggio non trovato', 404);
    if (message.state === 'cancelled') throw new MessagingError('Il messaggio è stato annullato', 409);
    if (message.state === 'sent') throw new MessagingError('Il messaggio è già stato inviato', 409);
    const settings = await getSettings(trx, enteId);
    if (message.state === 'draft') {
      await trx.updateTable('msg_message').set({ state: 'queued', queued_at: now }).where('id', '=', messageId).execute();
      await recordAudit(trx, { enteId, actor, action: 'messaging.message.send', entity: 'msg_message', entityId: messageId, after: { targets: message.target_ente_ids } });
    }
    return { message, settings };
  });
  await assertTargetable(db, enteId, message.target_ente_ids);
  const notBefore = message.send_after && message.send_after > now ? message.send_after : now;
  const sendAfter = sendableFrom(notBefore, settings.quiet_start, settings.quiet_end, message.urgent);
  let dispatches = 0;
  for (const targetId of message.target_ente_ids) {
    await withEnte(db, targetId, async (trx) => {
      const inserted = await trx
        .insertInto('msg_dispatch')
        .values({
          ente_id: targetId,
          message_ente_id: enteId,
          message_id: messageId,
          title: message.title,
          body: message.body,
          sms_text: message.sms_text ?? message.body,
          topics: message.topics,
          channels: message.channels,
          urgent: message.urgent,
          sender_name: settings.sms_sender,
          send_after: sendAfter,
        })
        .onConflict((oc) => oc.columns(['ente_id', 'message_ente_id', 'message_id']).doNothing())
        .returning('id')
        .executeTakeFirst();
      if (!inserted) return;
      dispatches += 1;
      await jobs.send(PLAN_QUEUE, { enteId: targetId, dispatchId: inserted.id } satisfies PlanJobData, { trx, startAfter: sendAfter, singletonKey: `plan:${inserted.id}` });
    });
  }
  return { dispatches, sendAfter };
}
