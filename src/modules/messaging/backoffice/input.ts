// The compose form as a message: placeholders filled, topics, channels and targets from their checkboxes, the
// schedule (Rome wall clock), the CAP fields of civil-protection messages, and the preview (estimate, when it
// goes out). The same function serves the preview and the confirmation, so what is sent is what was previewed.
import type { Kysely } from 'kysely';
import type { Actor } from '../../../platform/audit/index.js';
import { isIsoDate } from '../../../platform/calendar/index.js';
import { romeWallTimeToInstant } from '../../../platform/calendar/wall-clock.js';
import { withEnte, type DB } from '../../../platform/db/index.js';
import type { Ente } from '../../../platform/tenancy/index.js';
import { validateCap, type CapInput } from '../cap/cap.js';
import { estimate, getSettings, listTopics, MessagingError, sendableFrom, targetableEnti, type Estimate, type MessageInput } from '../service.js';
import { nonGsm7Characters, type TransliterationResult } from '../sms/gsm7.js';
import { planSms } from '../sms/segments.js';
import type { Channel, TopicRow } from '../store.js';
import { placeholdersOf, renderTemplate } from './templates.js';

export type Values = Record<string, string>;
export const CHANNELS: readonly Channel[] = ['sms', 'email', 'appio'];

/** Checkbox names: argomento_<code>, canale_<channel>, destinatario_<ente id>. */
export const checked = (values: Values, name: string) => values[name] === 'si';
const prefixed = (values: Values, prefix: string) => Object.keys(values).filter((k) => k.startsWith(prefix) && values[k] === 'si').map((k) => k.slice(prefix.length));

export interface ComposeContext {
  ente: Ente;
  topics: TopicRow[];
  targetable: { id: string; name: string; slug: string }[];
}

export async function composeContext(db: Kysely<DB>, ente: Ente): Promise<ComposeContext> {
  return {
    ente,
    topics: await withEnte(db, ente.id, (trx) => listTopics(trx, { activeOnly: true })),
    targetable: await targetableEnti(db, ente.id),
  };
}

/** The ente can pick among several (a union, a comunità montana, the CST). */
export const picksTargets = (ctx: ComposeContext) => ctx.targetable.length > 1;

export interface Composed {
  input: MessageInput & { cap?: CapInput };
  transliterate: boolean;
  smsText: string;
  /** What transliteration changed in the SMS text (when chosen). */
  transliteration: TransliterationResult | null;
}

function scheduleOf(values: Values, now: Date): Date | null {
  const date = values.invio_data ?? '';
  const time = values.invio_ora ?? '';
  if (!date && !time) return null;
  if (!isIsoDate(date) || !/^\d{2}:\d{2}$/.test(time)) throw new MessagingError('Programmazione non valida: indicare data e ora (es. 24/11/2026 alle 08:30)');
  const at = romeWallTimeToInstant(date, time);
  if (at.getTime() < now.getTime() - 60_000) throw new MessagingError('La data e l’ora di invio programmato sono già passate');
  return at;
}

/** The form → the message to create (Italian MessagingError for anything wrong). */
export function composeOf(values: Values, ctx: ComposeContext, now = new Date()): Composed {
  const placeholderValues = Object.fromEntries(placeholdersOf(values.titolo, values.testo, values.testo_sms).map((n) => [n, values[`segnaposto_${n}`]]));
  const title = renderTemplate(values.titolo ?? '', placeholderValues);
  const body = renderTemplate(values.testo ?? '', placeholderValues);
  const smsRaw = values.testo_sms ? renderTemplate(values.testo_sms, placeholderValues) : '';
  const topics = prefixed(values, 'argomento_');
  const channels = prefixed(values, 'canale_').filter((c): c is Channel => (CHANNELS as string[]).includes(c));
  const unknownTopic = topics.find((code) => !ctx.topics.some((t) => t.code === code));
  if (unknownTopic) throw new MessagingError(`Argomento sconosciuto: ${unknownTopic}`);
  const targetEnteIds = picksTargets(ctx) || prefixed(values, 'destinatario_').length > 0 ? prefixed(values, 'destinatario_') : [ctx.ente.id];
  const urgent = checked(values, 'urgente') || ctx.topics.some((t) => t.urgent && topics.includes(t.code));
  const transliterate = checked(values, 'traslittera');
  let smsText = smsRaw || body;
  let transliteration: TransliterationResult | null = null;
  if (channels.includes('sms') && smsText.trim() && transliterate) {
    const plan = planSms(smsText, { transliterate: true });
    smsText = plan.text;
    transliteration = plan.transliteration;
  }
  let cap: CapInput | undefined;
  if (urgent) {
    const names = ctx.targetable.filter((e) => targetEnteIds.includes(e.id)).map((e) => e.name);
    const expiresDate = values.cap_scadenza_data ?? '';
    const expiresTime = values.cap_scadenza_ora || '23:59';
    if (expiresDate && !isIsoDate(expiresDate)) throw new MessagingError('CAP: scadenza non valida');
    if (!/^\d{2}:\d{2}$/.test(expiresTime)) throw new MessagingError('CAP: ora di scadenza non valida');
    cap = validateCap(
      {
        category: values.cap_categoria || 'Safety',
        event: values.cap_evento || title,
        urgency: values.cap_urgenza || 'Immediate',
        severity: values.cap_gravita || 'Severe',
        certainty: values.cap_certezza || 'Likely',
        expires: expiresDate ? romeWallTimeToInstant(expiresDate, expiresTime).toISOString() : null,
        areaDesc: names.join(', ') || ctx.ente.name,
      },
      now,
    );
  }
  return {
    input: { title, body, smsText: (smsRaw || transliterate) ? smsText : null, topics, targetEnteIds, channels, urgent, sendAfter: scheduleOf(values, now), ...(cap ? { cap } : {}) },
    transliterate,
    smsText,
    transliteration,
  };
}

export interface Preview {
  composed: Composed;
  estimate: Estimate;
  /** When the dispatches will start (schedule, then quiet hours unless urgent). */
  goesOutAt: Date;
  quietDelayed: boolean;
  /** Characters that force UCS-2 (when the SMS is UCS-2). */
  ucs2Characters: string[];
}

/** Everything the preview page shows; refuses (MessagingError / SmsPlanError) what cannot be sent. */
export async function previewOf(db: Kysely<DB>, actor: Actor, ctx: ComposeContext, values: Values, now = new Date()): Promise<Preview> {
  const composed = composeOf(values, ctx, now);
  const { input } = composed;
  if (!input.title.trim()) throw new MessagingError('Il titolo è obbligatorio (al massimo 120 caratteri)');
  if (!input.body.trim()) throw new MessagingError('Il testo è obbligatorio (al massimo 10.000 caratteri)');
  if (input.channels.length === 0) throw new MessagingError('Scegliere almeno un canale');
  if (input.topics.length === 0) throw new MessagingError('Scegliere almeno un argomento');
  const est = await estimate(db, actor, { senderEnteId: ctx.ente.id, targetEnteIds: input.targetEnteIds, topics: input.topics, channels: input.channels, smsText: input.channels.includes('sms') ? composed.smsText : '', transliterate: composed.transliterate });
  const settings = await withEnte(db, ctx.ente.id, (trx) => getSettings(trx, ctx.ente.id));
  const notBefore = input.sendAfter && input.sendAfter > now ? input.sendAfter : now;
  const goesOutAt = sendableFrom(notBefore, settings.quiet_start, settings.quiet_end, Boolean(input.urgent));
  return {
    composed,
    estimate: est,
    goesOutAt,
    quietDelayed: goesOutAt.getTime() > notBefore.getTime(),
    ucs2Characters: est.sms?.encoding === 'ucs2' ? nonGsm7Characters(est.sms.text) : [],
  };
}
