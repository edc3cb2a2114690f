// The link to a ticket's satisfaction survey, sent when the ticket is solved. The token is an HMAC of the
// ticket with the platform's secret, so the link needs no stored state and cannot be guessed for another ticket.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Platform } from '../../../platform/platform.js';

export function surveyToken(secret: string, enteId: string, ticketId: string): string {
  return createHmac('sha256', secret).update(`helpdesk-survey:${enteId}:${ticketId}`).digest('base64url').slice(0, 32);
}

export function isSurveyToken(secret: string, enteId: string, ticketId: string, token: string): boolean {
  const expected = Buffer.from(surveyToken(secret, enteId, ticketId));
  const given = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Absolute URL of the survey page of a ticket (public: the token is the key). */
export function surveyUrl(platform: Pick<Platform, 'config' | 'secrets'>, enteId: string, ticketId: string): string {
  const base = platform.config.publicUrl.replace(/\/$/, '');
  return `${base}/assistenza/valutazione/${enteId}/${ticketId}/${surveyToken(platform.secrets.cookie, enteId, ticketId)}`;
}
