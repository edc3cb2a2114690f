// CAP 1.2 (OASIS Common Alerting Protocol) export of civil-protection messages: the fields the operator gives at
// compose time (stored in msg_message.cap), their validation with Italian messages, and the alert document built
// with fast-xml-parser's XMLBuilder (which escapes & < > " '). Times carry the Rome offset (+01:00 / +02:00).
import { XMLBuilder } from 'fast-xml-parser';
import { romeWallTime } from '../../../platform/calendar/wall-clock.js';
import { MessagingError } from '../service.js';

export const CAP_NAMESPACE = 'urn:oasis:names:tc:emergency:cap:1.2';

export const CAP_CATEGORIES = ['Geo', 'Met', 'Safety', 'Security', 'Rescue', 'Fire', 'Health', 'Env', 'Transport', 'Infra', 'CBRNE', 'Other'] as const;
export const CAP_URGENCIES = ['Immediate', 'Expected', 'Future', 'Past', 'Unknown'] as const;
export const CAP_SEVERITIES = ['Extreme', 'Severe', 'Moderate', 'Minor', 'Unknown'] as const;
export const CAP_CERTAINTIES = ['Observed', 'Likely', 'Possible', 'Unlikely', 'Unknown'] as const;
export type CapCategory = (typeof CAP_CATEGORIES)[number];
export type CapUrgency = (typeof CAP_URGENCIES)[number];
export type CapSeverity = (typeof CAP_SEVERITIES)[number];
export type CapCertainty = (typeof CAP_CERTAINTIES)[number];

/** What msg_message.cap holds. */
export interface CapInput {
  category: CapCategory;
  event: string;
  urgency: CapUrgency;
  severity: CapSeverity;
  certainty: CapCertainty;
  /** ISO instant; optional. */
  expires?: string | null;
  /** The targeted comuni, by name (filled by the back office from the targets). */
  areaDesc: string;
}

const oneOf = <T extends string>(list: readonly T[], value: unknown, what: string): T => {
  if (typeof value === 'string' && (list as readonly string[]).includes(value)) return value as T;
  throw new MessagingError(`CAP: ${what} non valida (valori ammessi: ${list.join(', ')})`);
};

/** Checks raw CAP fields (form or API); `now` bounds the expiry, which must be in the future. */
export function validateCap(raw: Partial<Record<keyof CapInput, unknown>>, now = new Date()): CapInput {
  const event = typeof raw.event === 'string' ? raw.event.trim() : '';
  if (!event || event.length > 120) throw new MessagingError('CAP: indicare l’evento (al massimo 120 caratteri), es. «Allerta meteo»');
  const areaDesc = typeof raw.areaDesc === 'string' ? raw.areaDesc.trim() : '';
  if (!areaDesc) throw new MessagingError('CAP: manca la descrizione dell’area');
  let expires: string | null = null;
  if (raw.expires !== undefined && raw.expires !== null && raw.expires !== '') {
    const at = typeof raw.expires === 'string' ? new Date(raw.expires) : null;
    if (!at || Number.isNaN(at.getTime())) throw new MessagingError('CAP: scadenza non valida');
    if (at <= now) throw new MessagingError('CAP: la scadenza deve essere nel futuro');
    expires = at.toISOString();
  }
  return {
    category: oneOf(CAP_CATEGORIES, raw.category, 'categoria'),
    event,
    urgency: oneOf(CAP_URGENCIES, raw.urgency, 'urgenza'),
    severity: oneOf(CAP_SEVERITIES, raw.severity, 'gravità'),
    certainty: oneOf(CAP_CERTAINTIES, raw.certainty, 'certezza'),
    expires,
    areaDesc,
  };
}

/** '2026-11-24T14:30:05+01:00' — CAP's dateTime with the Rome offset, no fractions. */
export function capDateTime(instant: Date): string {
  const wall = romeWallTime(instant);
  const seconds = String(instant.getUTCSeconds()).padStart(2, '0');
  const h = Math.floor(Math.abs(wall.offsetMinutes) / 60);
  const m = Math.abs(wall.offsetMinutes) % 60;
  return `${wall.date}T${wall.time}:${seconds}${wall.offsetMinutes < 0 ? '-' : '+'}${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`;
}

// XML 1.0 forbids these characters even escaped.
const clean = (s: string) => s.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '');
/** Identifier and sender: no spaces, commas, < or & (CAP 1.2 §3.2.1). */
const token = (s: string) => s.replace(/[\s,<&]+/g, '-');

export interface CapAlertInput {
  identifier: string;
  sender: string;
  sent: Date;
  senderName: string;
  headline: string;
  description: string;
  web?: string | null;
  cap: CapInput;
  /** The targeted comuni: name and ISTAT code (when known). */
  areas: { name: string; istatCode: string | null }[];
}

const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@_', format: true, suppressEmptyNode: true });

/** The CAP 1.2 <alert> document (UTF-8, Actual / Alert / Public, one info block in it-IT). */
export function buildCapAlert(input: CapAlertInput): string {
  const geocodes = input.areas.filter((a) => a.istatCode).map((a) => ({ valueName: 'ISTAT', value: a.istatCode! }));
  const info = {
    language: 'it-IT',
    category: input.cap.category,
    event: clean(input.cap.event),
    urgency: input.cap.urgency,
    severity: input.cap.severity,
    certainty: input.cap.certainty,
    ...(input.cap.expires ? { expires: capDateTime(new Date(input.cap.expires)) } : {}),
    senderName: clean(input.senderName),
    headline: clean(input.headline),
    description: clean(input.description),
    ...(input.web ? { web: input.web } : {}),
    area: {
      areaDesc: clean(input.cap.areaDesc),
      ...(geocodes.length > 0 ? { geocode: geocodes } : {}),
    },
  };
  const alert = {
    '@_xmlns': CAP_NAMESPACE,
    identifier: token(clean(input.identifier)),
    sender: token(clean(input.sender)),
    sent: capDateTime(input.sent),
    status: 'Actual',
    msgType: 'Alert',
    scope: 'Public',
    info,
  };
  return builder.build({ '?xml': { '@_version': '1.0', '@_encoding': 'UTF-8' }, alert }) as string;
}
