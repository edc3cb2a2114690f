// URLs of the knowledge base (public contract of the pages and the API; the ticket pages link to them).
export const deskGuidePath = '/backoffice/assistenza/guida';
export const deskArticlePath = (id: string) => `${deskGuidePath}/${id}`;
export const enteGuidePath = (slug: string) => `/backoffice/enti/${slug}/assistenza/guida`;
export const enteArticlePath = (slug: string, id: string) => `${enteGuidePath(slug)}/${id}`;
/** The desk's page to link articles to one ticket (search, link, unlink). */
export const ticketLinksPath = (slug: string, ticketId: string) => `${enteGuidePath(slug)}/ticket/${ticketId}`;
export const suggestApiPath = (slug: string) => `/api/v1/helpdesk/kb/suggest?ente=${encodeURIComponent(slug)}`;
/** The suggestion script (served by registerKb; CSP allows only same-origin scripts). */
export const KB_SUGGEST_SCRIPT = '/assets/helpdesk/kb-suggest.js';
