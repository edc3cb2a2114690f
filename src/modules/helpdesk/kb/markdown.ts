// Article bodies: plain text with a small Markdown subset (paragraphs, headings, lists, bold/italic, code,
// links, tables), rendered by markdown-it with raw HTML off — a `<script>` typed in a body comes out as text —
// and its default link check (no javascript:, vbscript:, file: or data: targets). Images are off: an article is
// read inside the back office, and the CSP would block foreign images anyway.
import MarkdownIt from 'markdown-it';
import { LESS_THAN, MARK_END, MARK_START } from './store.js';

const md = new MarkdownIt('default', { html: false, linkify: true, typographer: false, breaks: true }).disable(['image']);

// The page's <h1> is the article's title: headings of the body start at <h2>.
md.core.ruler.push('kb_heading_levels', (state) => {
  for (const token of state.tokens) {
    if (token.type === 'heading_open' || token.type === 'heading_close') token.tag = `h${Math.min(6, Number(token.tag.slice(1)) + 1)}`;
  }
});

// Links leave the back office without telling the other site where from.
const defaultLinkOpen = md.renderer.rules.link_open ?? ((tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options));
md.renderer.rules.link_open = (tokens, idx, options, env, self) => {
  tokens[idx]!.attrSet('rel', 'noopener noreferrer nofollow');
  return defaultLinkOpen(tokens, idx, options, env, self);
};

/** The body as HTML in which every character typed by the author is escaped. */
export function renderBody(body: string): string {
  return md.render(body);
}

export interface SnippetPart {
  text: string;
  /** A word that matched the search (shown highlighted). */
  match: boolean;
}

/** ts_headline's output with its markers, as parts that the page (Preact) and the script render as text. */
export function snippetParts(headline: string | null, fallback: string): SnippetPart[] {
  if (!headline) return [{ text: fallback, match: false }];
  const parts: SnippetPart[] = [];
  for (const piece of headline.split(MARK_START)) {
    const end = piece.indexOf(MARK_END);
    if (end < 0) {
      if (piece) parts.push({ text: piece, match: false });
      continue;
    }
    parts.push({ text: piece.slice(0, end), match: true });
    if (end + 1 < piece.length) parts.push({ text: piece.slice(end + 1), match: false });
  }
  return parts.map((p) => ({ ...p, text: p.text.replaceAll(MARK_START, '').replaceAll(MARK_END, '').replaceAll(LESS_THAN, '<') }));
}

/** The first words of a body as plain text (no Markdown punctuation), for lists without a search. */
export function excerpt(body: string, max = 200): string {
  const text = body
    .replace(/\]\((?:[^()]|\([^()]*\))*\)/g, ']')
    .replace(/^[ \t]*[#>]+/gm, '')
    .replace(/[*_`|[\]]+/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  return text.length > max ? `${text.slice(0, max - 1).trimEnd()}…` : text;
}
