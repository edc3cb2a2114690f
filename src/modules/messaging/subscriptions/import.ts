// Import of an existing list of subscribers (CSV, UTF-8, ';' or ','): columns telefono and/or email,
// argomenti (codes or names, separated by '|' or ','), data_consenso (gg/mm/aaaa or aaaa-mm-gg). Allowed only
// with the consent basis the operator declares; it is stored on the subscriber and in each consent event (via
// 'import'). Each refused row is reported with its line and reason; the good rows are kept. Importing the same
// file again changes nothing (subscribe() is an upsert and grants only what is not granted yet).
import { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { recordAudit, type Actor } from '../../../platform/audit/index.js';
import { withEnte } from '../../../platform/db/index.js';
import type { Platform } from '../../../platform/platform.js';
import { t } from '../../../platform/views/i18n/index.js';
import { MessagingError, listTopics } from '../service.js';
import { subscribe } from '../consent.js';
import { normaliseContact, type FieldErrors } from './service.js';
import './messages.js';

export const MAX_IMPORT_ROWS = 20_000;
export const MAX_IMPORT_BYTES = 5 * 1024 * 1024;

export interface ImportReport {
  rows: number;
  created: number;
  updated: number;
  unchanged: number;
  rejected: { line: number; reason: string }[];
}

const delimiterOf = (text: string): ';' | ',' => {
  const head = text.split(/\r?\n/)[0] ?? '';
  return (head.match(/,/g)?.length ?? 0) > (head.match(/;/g)?.length ?? 0) ? ',' : ';';
};

/** 'gg/mm/aaaa' or 'aaaa-mm-gg' → the instant of midnight UTC of that day, or null. */
export function consentDateOf(text: string): Date | null {
  const m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(text) ?? null;
  const iso = m ? `${m[3]}-${m[2]!.padStart(2, '0')}-${m[1]!.padStart(2, '0')}` : text;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(iso)) return null;
  const date = new Date(`${iso}T00:00:00Z`);
  return Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== iso ? null : date;
}

export const importConsentText = (basis: string, date: Date) => t('messaging.subs.import.consentText', { basis, date: date.toISOString().slice(0, 10).split('-').reverse().join('/') });

/** Reads and applies one file. Throws MessagingError for a file that cannot be read at all. */
export async function importSubscribers(platform: Platform, enteId: string, actor: Actor, bytes: Buffer, basisInput: string, now = new Date()): Promise<ImportReport> {
  const basis = basisInput.trim();
  if (basis.length < 5) throw new MessagingError(t('messaging.subs.import.noBasis'));
  const text = bytes.toString('utf8').replace(/^\uFEFF/, '');
  if (!text.trim()) throw new MessagingError(t('messaging.subs.import.empty'));
  if (text.includes('\uFFFD') || bytes.includes(0)) throw new MessagingError(t('messaging.subs.import.notText'));
  const header = (text.split(/\r?\n/)[0] ?? '').split(delimiterOf(text)).map((h) => h.trim().replace(/^"|"$/g, '').toLowerCase());
  if (!header.includes('argomenti') || !header.includes('data_consenso') || (!header.includes('telefono') && !header.includes('email'))) {
    throw new MessagingError(t('messaging.subs.import.header'));
  }
  const topics = await withEnte(platform.db.app, enteId, (trx) => listTopics(trx, { activeOnly: true }));
  const topicOf = (word: string) => topics.find((tp) => tp.code === word.toLowerCase() || tp.label.toLowerCase() === word.toLowerCase())?.code;

  const parser = Readable.from([text]).pipe(parse({ delimiter: delimiterOf(text), columns: (h: string[]) => h.map((x) => x.trim().toLowerCase()), relax_column_count: true, skip_empty_lines: true, trim: true, info: true, skip_records_with_error: true }));
  const report: ImportReport = { rows: 0, created: 0, updated: 0, unchanged: 0, rejected: [] };
  parser.on('skip', (err: Error & { lines?: number }) => report.rejected.push({ line: err.lines ?? 0, reason: t('messaging.subs.import.unreadable') }));
  const seen = new Map<string, number>();
  for await (const { record, info } of parser as AsyncIterable<{ record: Record<string, string | undefined>; info: { lines: number } }>) {
    const line = info.lines;
    report.rows++;
    if (report.rows > MAX_IMPORT_ROWS) throw new MessagingError(t('messaging.subs.import.tooMany', { max: MAX_IMPORT_ROWS }));
    const reject = (reason: string) => report.rejected.push({ line, reason });
    const errors: FieldErrors = {};
    const { phone, email } = normaliseContact(record.telefono ?? '', record.email ?? '', errors);
    if (errors.telefono) { reject(t('messaging.subs.import.badPhone', { detail: errors.telefono })); continue; }
    if (errors.email) { reject(t('messaging.subs.import.badEmail')); continue; }
    if (!phone && !email) { reject(t('messaging.subs.import.noContact')); continue; }
    const words = (record.argomenti ?? '').split(/[|,]/).map((w) => w.trim()).filter(Boolean);
    const codes = words.map(topicOf);
    const unknown = words.filter((_, i) => !codes[i]);
    if (words.length === 0) { reject(t('messaging.subs.import.noTopics')); continue; }
    if (unknown.length > 0) { reject(t('messaging.subs.import.unknownTopic', { topics: unknown.join(', ') })); continue; }
    const date = consentDateOf(record.data_consenso ?? '');
    if (!date || date.getTime() > now.getTime()) { reject(t('messaging.subs.import.badDate')); continue; }
    const keys = [phone, email].filter((k): k is string => k !== null);
    const twin = keys.map((k) => seen.get(k)).find((l) => l !== undefined);
    if (twin !== undefined) { reject(t('messaging.subs.import.duplicate', { line: twin })); continue; }
    for (const k of keys) seen.set(k, line);
    try {
      await withEnte(platform.db.app, enteId, async (trx) => {
        const result = await subscribe(trx, enteId, {
          phone, email, phoneVerifiedAt: phone ? date : null, emailVerifiedAt: email ? date : null,
          topics: [...new Set(codes as string[])], consentText: importConsentText(basis, date), via: 'import', source: 'import', consentBasis: basis,
        });
        if (result.granted.length > 0) {
          // The consent was given on that day, not now (the event's own time is when it was recorded here).
          await trx.updateTable('msg_subscription').set({ consented_at: date }).where('subscriber_id', '=', result.subscriberId).where('topic_code', 'in', result.granted).execute();
          await recordAudit(trx, { enteId, actor, action: 'messaging.subscriber.import', entity: 'msg_subscriber', entityId: result.subscriberId, after: { topics: result.granted, created: result.created, basis } });
        }
        if (result.created) report.created++;
        else if (result.granted.length > 0) report.updated++;
        else report.unchanged++;
      });
    } catch (err) {
      if (!(err instanceof MessagingError)) throw err;
      reject(err.message);
    }
  }
  report.rejected.sort((a, b) => a.line - b.line);
  return report;
}

export function templateCsv(): string {
  return `\uFEFFtelefono;email;argomenti;data_consenso\r\n+39 333 1234567;mario.rossi@example.org;protezione-civile|rifiuti;15/03/2024\r\n`;
}
