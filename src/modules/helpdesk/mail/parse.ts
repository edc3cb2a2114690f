// Reading an e-mail with mailparser: sender, subject, plain text (an HTML-only message is converted to text by
// mailparser, and the text is only ever rendered escaped), attachments (inline images too), the references
// that thread a reply, and whether it was sent by a machine (auto-replies, bounces) so it never opens a ticket.
import { createHash } from 'node:crypto';
import { simpleParser, type AddressObject, type HeaderValue } from 'mailparser';

export interface ParsedMail {
  /** The Message-ID with its angle brackets, or null when the message has none. */
  messageId: string | null;
  from: { address: string; name: string } | null;
  subject: string;
  text: string;
  /** In-Reply-To then References, nearest first. */
  references: string[];
  attachments: { bytes: Buffer; fileName: string; mediaType: string }[];
  /** Why this is an automatic message (auto-reply, bounce), or null for a person's message. */
  automatic: string | null;
}

const EMAIL = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/;

function firstAddress(value: AddressObject | AddressObject[] | undefined): { address: string; name: string } | null {
  const list = Array.isArray(value) ? value.flatMap((v) => v.value) : (value?.value ?? []);
  const first = list.find((a) => a.address && EMAIL.test(a.address));
  return first ? { address: first.address!.trim().toLowerCase(), name: (first.name ?? '').trim() } : null;
}

const idsOf = (value: string | string[] | undefined): string[] => (Array.isArray(value) ? value : value ? value.split(/\s+/) : []).map((s) => s.trim()).filter(Boolean);

const headerText = (value: HeaderValue | undefined): string => {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && 'value' in value && typeof value.value === 'string') return value.value;
  return String(value);
};

/** RFC 3834 and common practice: what marks a message as sent by a machine. */
function automaticReason(headers: Map<string, HeaderValue>, from: string | null, envelopeFrom: string | null | undefined, contentType: string): string | null {
  const autoSubmitted = headerText(headers.get('auto-submitted')).trim().toLowerCase();
  if (autoSubmitted && autoSubmitted !== 'no') return `messaggio automatico (Auto-Submitted: ${autoSubmitted})`;
  const precedence = headerText(headers.get('precedence')).trim().toLowerCase();
  if (['bulk', 'junk', 'list', 'auto_reply'].includes(precedence)) return `messaggio automatico (Precedence: ${precedence})`;
  if (headers.has('x-autoreply') || headers.has('x-autorespond')) return 'risposta automatica (X-Autoreply)';
  if (/^multipart\/report/i.test(contentType)) return 'notifica di mancato recapito (multipart/report)';
  const local = (from ?? '').split('@')[0] ?? '';
  if (/^(mailer-daemon|postmaster)$/i.test(local)) return `notifica del server di posta (${from})`;
  if (envelopeFrom === null) return 'mittente di busta vuoto (notifica di mancato recapito)';
  return null;
}

/** Parses the raw message; throws only when mailparser cannot read it at all. */
export async function parseMail(raw: Buffer, envelopeFrom?: string | null): Promise<ParsedMail> {
  const mail = await simpleParser(raw, { skipImageLinks: true, skipTextLinks: true });
  const from = firstAddress(mail.from);
  const contentType = headerText(mail.headers.get('content-type'));
  const attachments = mail.attachments
    .filter((a) => a.content && a.content.length > 0)
    .map((a, i) => ({
      bytes: a.content,
      fileName: a.filename || `allegato-${i + 1}${extensionOf(a.contentType)}`,
      mediaType: a.contentType || 'application/octet-stream',
    }));
  return {
    messageId: mail.messageId ? mail.messageId.trim().slice(0, 998) : null,
    from,
    subject: (mail.subject ?? '').replace(/\s+/g, ' ').trim(),
    text: (mail.text ?? '').replace(/\r\n/g, '\n').trim(),
    references: [...idsOf(mail.inReplyTo), ...idsOf(mail.references).reverse()],
    attachments,
    automatic: automaticReason(mail.headers, from?.address ?? null, envelopeFrom, contentType),
  };
}

function extensionOf(mediaType: string | undefined): string {
  const known: Record<string, string> = { 'image/png': '.png', 'image/jpeg': '.jpg', 'image/gif': '.gif', 'application/pdf': '.pdf', 'text/plain': '.txt', 'message/rfc822': '.eml' };
  return known[(mediaType ?? '').toLowerCase()] ?? '';
}

/** A stable identifier for a message without a Message-ID: the same bytes delivered twice are one message. */
export function syntheticMessageId(raw: Buffer): string {
  return `<sha256.${createHash('sha256').update(raw).digest('hex')}@senza-message-id>`;
}

/** A ticket id referenced by our own notifications: <ticket.{uuid}@…> or <ticket.{uuid}.{event}@…>. */
export function ticketIdsIn(references: string[]): string[] {
  const ids: string[] = [];
  for (const ref of references) {
    const match = /^<?ticket\.([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(?:\.\d+)?@[^>]+>?$/i.exec(ref);
    if (match && !ids.includes(match[1]!.toLowerCase())) ids.push(match[1]!.toLowerCase());
  }
  return ids;
}

/** The ticket tag our notifications put in the subject: '[CST #12/2026]'. */
export function subjectTag(subject: string): { number: number; year: number } | null {
  const match = /\[CST #(\d{1,9})\/(\d{4})\]/i.exec(subject);
  return match ? { number: Number(match[1]), year: Number(match[2]) } : null;
}

/** The reply without the quoted message below it ('> …' lines and the 'On … wrote:' / 'Il … ha scritto:' line). */
export function replyText(text: string): string {
  const lines = text.split('\n');
  const cut = lines.findIndex(
    (line, i) =>
      /^\s*(On|Il|Le|Am|El)\b.{0,300}\b(wrote|ha scritto|a écrit|schrieb|escribió)\s*:\s*$/i.test(line) ||
      /^-{2,}\s*(Original Message|Messaggio originale)\s*-{2,}\s*$/i.test(line) ||
      (/^>/.test(line) && lines.slice(i).every((l) => /^>/.test(l) || !l.trim())),
  );
  const kept = (cut === -1 ? lines : lines.slice(0, cut)).join('\n').trim();
  return kept || text.trim();
}
