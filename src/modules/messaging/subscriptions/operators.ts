// What operators see of their ente's subscribers: the list with search and topic filter, one subscriber's
// consent history, and the rows of the export. Reads inside the ente's transaction (RLS); no rules here.
import { sql } from 'kysely';
import type { Trx } from '../../../platform/db/index.js';
import { normalizePhone } from '../sms/phone.js';

export const PAGE_SIZE = 50;

export interface SubscriberFilters {
  q?: string | undefined;
  topic?: string | undefined;
  page?: number | undefined;
}

export interface SubscriberLine {
  id: string;
  phone: string | null;
  phoneState: 'verified' | 'unverified' | 'off' | null;
  email: string | null;
  emailState: 'verified' | 'unverified' | 'off' | null;
  fiscalCode: string | null;
  source: string;
  topics: string[];
  createdAt: Date;
}

const stateOf = (address: string | null, verified: Date | null, off: Date | null) => (address === null ? null : off ? 'off' : verified ? 'verified' : 'unverified');

function filtered(trx: Trx, filters: SubscriberFilters) {
  let query = trx.selectFrom('msg_subscriber');
  const q = filters.q?.trim();
  if (q) {
    let phone: string | null = null;
    try {
      phone = /\d{6,}/.test(q.replace(/\D/g, '')) ? normalizePhone(q).e164 : null;
    } catch {
      phone = null;
    }
    const like = `%${q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    query = query.where((eb) => eb.or([eb('email', 'like', like), eb('fiscal_code', '=', q.toUpperCase()), ...(phone ? [eb('phone', '=', phone)] : [])]));
  }
  if (filters.topic) {
    const topic = filters.topic;
    query = query.where(sql<boolean>`exists (select 1 from msg_subscription s where s.ente_id = msg_subscriber.ente_id and s.subscriber_id = msg_subscriber.id and s.topic_code = ${topic} and s.revoked_at is null)`);
  }
  return query;
}

const topicsColumn = sql<string[]>`coalesce((select array_agg(s.topic_code order by s.topic_code) from msg_subscription s where s.ente_id = msg_subscriber.ente_id and s.subscriber_id = msg_subscriber.id and s.revoked_at is null), '{}')`;

export async function listSubscribers(trx: Trx, filters: SubscriberFilters, limit = PAGE_SIZE): Promise<{ total: number; items: SubscriberLine[] }> {
  const page = Math.max(1, filters.page ?? 1);
  const total = await filtered(trx, filters).select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
  const rows = await filtered(trx, filters)
    .select(['id', 'phone', 'phone_verified_at', 'phone_opted_out_at', 'email', 'email_verified_at', 'email_opted_out_at', 'fiscal_code', 'source', 'created_at', topicsColumn.as('topics')])
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .limit(limit)
    .offset((page - 1) * limit)
    .execute();
  return {
    total: Number(total.n),
    items: rows.map((r) => ({
      id: r.id,
      phone: r.phone,
      phoneState: stateOf(r.phone, r.phone_verified_at, r.phone_opted_out_at),
      email: r.email,
      emailState: stateOf(r.email, r.email_verified_at, r.email_opted_out_at),
      fiscalCode: r.fiscal_code,
      source: r.source,
      topics: r.topics,
      createdAt: r.created_at,
    })),
  };
}

export async function subscriberDetail(trx: Trx, id: string) {
  const subscriber = await trx.selectFrom('msg_subscriber').selectAll().where('id', '=', id).executeTakeFirst();
  if (!subscriber) return undefined;
  const subscriptions = await trx.selectFrom('msg_subscription').selectAll().where('subscriber_id', '=', id).orderBy('topic_code').execute();
  const events = await trx.selectFrom('msg_consent_event').selectAll().where('subscriber_id', '=', id).orderBy('at').orderBy('id').execute();
  return { subscriber, subscriptions, events };
}
