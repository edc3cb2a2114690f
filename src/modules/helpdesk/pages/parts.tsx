// What the ticket pages take from the other parts of the help desk: attachments (the file input, the list with
// download links), the knowledge base (suggestions on the new-ticket form, the
// panel of a ticket) and the satisfaction survey (the form on a solved ticket, ente side).
import type { FastifyReply, FastifyRequest } from 'fastify';
import { csrfToken } from '../../../platform/auth/index.js';
import type { Platform } from '../../../platform/platform.js';
import { formatNumber, t } from '../../../platform/views/i18n/index.js';
import { listAttachments, type AttachmentView } from '../attachments.js';
import { KbSuggestions, TicketKbPanel, articlesOfTicket, type LinkedArticle } from '../kb/index.js';
import { SurveyForm, surveyActionPath, surveyTicket } from '../survey/index.js';
import { MAX_UPLOADS, MAX_UPLOAD_BYTES } from './form.js';

export type { AttachmentView };

/** A file input for attachments (multiple), labelled, with the limits as help. */
export function AttachmentInput({ id }: { id: string }) {
  return (
    <div class="mb-3">
      <label for={id} class="form-label">
        {t('helpdesk.pages.attach.label')}
      </label>
      <input type="file" id={id} name="allegati" multiple class="form-control" aria-describedby={`${id}-aiuto`} />
      <div id={`${id}-aiuto`} class="form-text">
        {t('helpdesk.pages.attach.help', { files: MAX_UPLOADS, max: MAX_UPLOAD_BYTES / 1024 / 1024 })}
      </div>
    </div>
  );
}

export const attachmentsOf = (platform: Platform, enteId: string, ticketId: string, withInternal: boolean) => listAttachments(platform.db.app, enteId, ticketId, { withInternal });

const sizeText = (bytes: number) => (bytes >= 1024 * 1024 ? `${formatNumber(Math.round((bytes / 1024 / 1024) * 10) / 10)} MB` : `${formatNumber(Math.max(1, Math.round(bytes / 1024)))} kB`);

export function AttachmentList({ items, slug, ticketId }: { items: AttachmentView[]; slug: string; ticketId: string }) {
  if (items.length === 0) return null;
  return (
    <ul class="list-unstyled mb-0 mt-2">
      {items.map((a) => (
        <li>
          <a href={`/api/v1/enti/${slug}/tickets/${ticketId}/attachments/${a.id}`} download={a.fileName}>
            {a.fileName}
          </a>{' '}
          <span class="small">({sizeText(a.sizeBytes)}{a.public ? '' : `, ${t('helpdesk.pages.attach.internal')}`})</span>
        </li>
      ))}
    </ul>
  );
}

// ---------------------------------------------------------------------------------------- knowledge base

/** Articles suggested while the subject and description of a new ticket are typed (progressive: a script). */
export const KbSuggestionsBox = ({ enteSlug }: { enteSlug: string }) => <KbSuggestions enteSlug={enteSlug} inputIds={['ticket-oggetto', 'ticket-descrizione']} />;

/** The articles linked to the ticket (the desk sees all and links more; the ente those it may read). */
export async function kbLinks(platform: Platform, enteId: string, ticketId: string, desk: boolean): Promise<LinkedArticle[]> {
  return (await articlesOfTicket(platform.db.app, enteId, ticketId, { desk })) ?? [];
}

export function KbPanel({ request, reply, enteSlug, ticketId, links, desk, returnTo }: { request: FastifyRequest; reply: FastifyReply; enteSlug: string; ticketId: string; links: LinkedArticle[]; desk: boolean; returnTo: string }) {
  return (
    <div class="mb-4 p-3 border rounded">
      <TicketKbPanel enteSlug={enteSlug} ticketId={ticketId} links={links} desk={desk} csrf={csrfToken(request, reply)} returnTo={returnTo} />
    </div>
  );
}

// ------------------------------------------------------------------------------------------------ survey

/** The survey on a solved ticket, for the ente's requesters; it posts to the survey's route and comes back. */
export function SurveySlot({ request, reply, slug, ticketId, back }: { request: FastifyRequest; reply: FastifyReply; slug: string; ticketId: string; back: string }) {
  return <SurveyForm action={surveyActionPath(slug, ticketId)} csrf={csrfToken(request, reply)} next={back} headingLevel={2} />;
}

/** Whether the ente may still rate the ticket: solved or closed, and not rated yet. */
export async function surveyPending(platform: Platform, enteId: string, ticketId: string): Promise<boolean> {
  const survey = await surveyTicket(platform.db.app, enteId, ticketId);
  return !!survey && survey.answerable && survey.answer === null;
}
