// The App IO message content built from a dispatch's title and plain-text body, within the spec's limits
// (MessageContentBase: subject 10–120 characters, markdown 80–10000).
//
// Rules (a citizen who follows a comune on IO should get the notice, never a refusal for its length):
// - subject: the title, whitespace collapsed; shorter than 10 → "<sender>: <title>" (then "Avviso: …" if still
//   short); longer than 120 → cut at a word boundary with "…".
// - markdown: the body with Markdown's special characters escaped (it is plain text) and line breaks kept;
//   shorter than 80 → a signature line naming the sender is appended (it also says why the citizen gets it);
//   longer than 10000 → cut at a paragraph or word boundary with a note that the text was shortened.
// - refused (AppIoContentError) only when nothing usable is left: an empty title and body.
// Lengths: the maximum is checked in UTF-16 code units (what IO's own validation counts, never fewer than code
// points) and the minimum in code points (what JSON Schema counts), so both readings of the spec are satisfied.

export const SUBJECT_MIN = 10;
export const SUBJECT_MAX = 120;
export const MARKDOWN_MIN = 80;
export const MARKDOWN_MAX = 10_000;

export class AppIoContentError extends Error {}

export interface AppIoContent {
  subject: string;
  markdown: string;
  /** Whether the subject or the body had to be shortened. */
  truncated: boolean;
}

const codePoints = (s: string) => [...s].length;

/** Cuts `text` to at most `max` UTF-16 units ending with `ellipsis`, preferring a boundary matched by `boundary`. */
function cut(text: string, max: number, ellipsis: string, boundary: RegExp): string {
  if (text.length <= max) return text;
  let head = text.slice(0, max - ellipsis.length);
  if (/[\uD800-\uDBFF]$/.test(head)) head = head.slice(0, -1); // never split a surrogate pair
  let best = -1;
  for (const m of head.matchAll(boundary)) best = m.index;
  // A boundary too far back would throw away most of the text: then cut inside the word.
  if (best > head.length * 0.6) head = head.slice(0, best);
  return head.trimEnd() + ellipsis;
}

/** Plain text as Markdown that renders as the same text: special characters escaped, single line breaks kept. */
export function plainTextToMarkdown(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) =>
      line
        .trimEnd()
        .replace(/([\\`*_[\]<>#|~])/g, '\\$1')
        // "1. " or "- " / "+ " at the start of a line would become a list.
        .replace(/^(\s*)(\d+)([.)])(\s)/, '$1$2\\$3$4')
        .replace(/^(\s*)([-+])(\s)/, '$1\\$2$3'),
    )
    .join('  \n')
    .replace(/( {2}\n){2,}/g, '\n\n');
}

export function buildSubject(title: string, senderName: string): { subject: string; truncated: boolean } {
  let subject = title.replace(/\s+/g, ' ').trim();
  if (codePoints(subject) < SUBJECT_MIN) subject = subject ? `${senderName.trim()}: ${subject}` : senderName.trim();
  if (codePoints(subject) < SUBJECT_MIN) subject = `Avviso: ${subject}`.trim();
  if (codePoints(subject) < SUBJECT_MIN) throw new AppIoContentError('Il titolo del messaggio è troppo corto per App IO (minimo 10 caratteri)');
  const cutSubject = cut(subject, SUBJECT_MAX, '…', /\s/g);
  return { subject: cutSubject, truncated: cutSubject !== subject };
}

export function buildMarkdown(body: string, senderName: string): { markdown: string; truncated: boolean } {
  let markdown = plainTextToMarkdown(body.trim());
  if (markdown === '') throw new AppIoContentError('Il testo del messaggio è vuoto: non può essere inviato con App IO');
  if (codePoints(markdown) < MARKDOWN_MIN) {
    markdown += `\n\n---\n\n_Avviso di ${plainTextToMarkdown(senderName.trim())}, inviato perché hai scelto di ricevere i suoi messaggi._`;
  }
  let truncated = false;
  if (markdown.length > MARKDOWN_MAX) {
    const note = '\n\n_(Testo abbreviato per App IO: il messaggio completo è disponibile presso l’ente.)_';
    markdown = cut(markdown, MARKDOWN_MAX, `…${note}`, /\n\n|\s/g);
    // A cut right after an escaping backslash would escape the ellipsis: drop the lone backslash.
    markdown = markdown.replace(/(^|[^\\])\\…/, '$1…');
    truncated = true;
  }
  if (codePoints(markdown) < MARKDOWN_MIN) throw new AppIoContentError('Il testo del messaggio è troppo corto per App IO (minimo 80 caratteri)');
  return { markdown, truncated };
}

export function buildContent(dispatch: { title: string; body: string; sender_name: string }): AppIoContent {
  const subject = buildSubject(dispatch.title, dispatch.sender_name);
  const markdown = buildMarkdown(dispatch.body, dispatch.sender_name);
  return { subject: subject.subject, markdown: markdown.markdown, truncated: subject.truncated || markdown.truncated };
}
