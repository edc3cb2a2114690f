// helpdesk/kb: the knowledge base of the CST help desk. Articles written by the desk (draft, published,
// archived; every save kept as a revision) with a visibility (the desk only, every ente, chosen enti), Italian
// full-text search with highlighted snippets, suggestions while a ticket is typed, "utile / non utile" votes,
// and links from tickets. Registered by the module manifest (../index.ts).
//
// For the ticket pages (another part of the module), this file exports:
// - KbSuggestions({ enteSlug, inputIds }): the suggestions box of the new-ticket form (see components.tsx);
// - TicketKbPanel({ enteSlug, ticketId, links, desk, csrf, returnTo }) with links from articlesOfTicket();
// - linkArticle / unlinkArticle / articlesOfTicket, the service behind both;
// - the paths (guide pages, the desk's linking page, the suggestion script).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { App } from '../../../platform/http/app.js';
import type { JobDefinition } from '../../../platform/jobs/index.js';
import type { Platform } from '../../../platform/platform.js';
import { registerDeskEditor } from './pages/desk-editor.js';
import { registerDeskList } from './pages/desk-list.js';
import { registerReaderPages } from './pages/reader.js';
import { registerTicketLinkPages } from './pages/ticket-links.js';
import { KB_SUGGEST_SCRIPT } from './paths.js';
import { registerKbRoutes } from './routes.js';
import { seedKbArticles } from './seed.js';

const here = path.dirname(fileURLToPath(import.meta.url));

export async function registerKb(app: App, platform: Platform): Promise<void> {
  const script = fs.readFileSync(path.join(here, 'static', 'kb-suggest.js'));
  app.get(KB_SUGGEST_SCRIPT, { schema: { hide: true } }, async (_request, reply) =>
    reply.type('text/javascript; charset=utf-8').header('cache-control', 'public, max-age=3600').send(script),
  );
  registerKbRoutes(app, platform);
  registerDeskList(app, platform);
  registerDeskEditor(app, platform);
  registerReaderPages(app, platform);
  registerTicketLinkPages(app, platform);
}

export function kbJobs(_platform: Platform): JobDefinition<any>[] {
  return [];
}

export async function seedDemoKb(platform: Platform): Promise<void> {
  await seedKbArticles(platform);
}

export { KbSuggestions, TicketKbPanel, type TicketKbPanelProps } from './components.js';
export { KB_SUGGEST_SCRIPT, deskGuidePath, enteArticlePath, enteGuidePath, suggestApiPath, ticketLinksPath } from './paths.js';
export { articlesOfTicket, linkArticle, unlinkArticle, type LinkedArticle } from './service.js';
