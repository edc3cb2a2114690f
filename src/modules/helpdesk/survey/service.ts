// The satisfaction survey of a solved ticket: who may answer (the holder of the e-mailed link, or a signed-in
// requester of the ente), when (the ticket is solved or closed) and how often (once: the primary key of
// ticket_survey decides between concurrent submissions). Every answer is audited in its transaction.
import type { Kysely } from 'kysely';
import { recordAudit, type Actor } from '../../../platform/audit/index.js';
import { withEnte, type DB } from '../../../platform/db/index.js';
import { unprocessable } from '../../../platform/http/problem.js';
import { ticketLabel } from '../service.js';

declare module '../../../platform/db/schema.js' {
  interface DB {
    ticket_survey: {
      ente_id: string;
      ticket_id: string;
      rating: number;
      comment: string | null;
      via: SurveyVia;
      answered_by: string | null;
      answered_at: Date;
    };
  }
}

export type SurveyVia = 'link' | 'backoffice';

export const COMMENT_MAX = 2000;

export interface SurveyAnswer {
  rating: number;
  comment: string | null;
  via: SurveyVia;
  answeredAt: Date;
}

export interface SurveyTicket {
  id: string;
  label: string;
  subject: string;
  /** Solved or closed: only then the survey may be answered. */
  answerable: boolean;
  answer: SurveyAnswer | null;
}

/** The ticket as the survey shows it, with its answer if any; undefined when the ente has no such ticket. */
export async function surveyTicket(db: Kysely<DB>, enteId: string, ticketId: string): Promise<SurveyTicket | undefined> {
  return withEnte(db, enteId, async (trx) => {
    const ticket = await trx.selectFrom('ticket').select(['id', 'number', 'year', 'subject', 'state']).where('id', '=', ticketId).executeTakeFirst();
    if (!ticket) return undefined;
    const answer = await trx.selectFrom('ticket_survey').select(['rating', 'comment', 'via', 'answered_at']).where('ticket_id', '=', ticketId).executeTakeFirst();
    return {
      id: ticket.id,
      label: ticketLabel(ticket),
      subject: ticket.subject,
      answerable: ticket.state === 'solved' || ticket.state === 'closed',
      answer: answer ? { rating: answer.rating, comment: answer.comment, via: answer.via, answeredAt: answer.answered_at } : null,
    };
  });
}

/** Rating and comment as typed in a form: the rating 1–5, the comment trimmed (empty = none), at most 2000 characters. */
export function parseAnswer(fields: { rating?: unknown; comment?: unknown }): { rating: number; comment: string | null } {
  const raw = typeof fields.rating === 'string' ? fields.rating.trim() : fields.rating;
  const rating = typeof raw === 'number' ? raw : typeof raw === 'string' && /^[1-5]$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isInteger(rating) || rating < 1 || rating > 5) throw unprocessable('Scegli un voto da 1 (per nulla soddisfatto) a 5 (molto soddisfatto).');
  const comment = typeof fields.comment === 'string' ? fields.comment.replace(/\r\n/g, '\n').trim() : '';
  if (comment.length > COMMENT_MAX) throw unprocessable(`Il commento può essere lungo al massimo ${COMMENT_MAX} caratteri (ne hai scritti ${comment.length}).`);
  return { rating, comment: comment || null };
}

export type SubmitOutcome = 'recorded' | 'already_answered' | 'not_solved' | 'no_ticket';

/**
 * Records the answer of a ticket: 'recorded', or why not. A second answer (also one racing the first: the
 * insert waits for the other transaction, then finds its row) is 'already_answered' and changes nothing.
 */
export async function submitSurvey(
  db: Kysely<DB>,
  actor: Actor,
  enteId: string,
  ticketId: string,
  answer: { rating: number; comment: string | null; via: SurveyVia },
  now = new Date(),
): Promise<SubmitOutcome> {
  return withEnte(db, enteId, async (trx) => {
    const ticket = await trx.selectFrom('ticket').select(['id', 'state']).where('id', '=', ticketId).executeTakeFirst();
    if (!ticket) return 'no_ticket';
    if (ticket.state !== 'solved' && ticket.state !== 'closed') return 'not_solved';
    const row = await trx
      .insertInto('ticket_survey')
      .values({ ente_id: enteId, ticket_id: ticketId, rating: answer.rating, comment: answer.comment, via: answer.via, answered_by: actor.id, answered_at: now })
      .onConflict((oc) => oc.columns(['ente_id', 'ticket_id']).doNothing())
      .returning('ticket_id')
      .executeTakeFirst();
    if (!row) return 'already_answered';
    await recordAudit(trx, {
      enteId,
      actor,
      action: 'helpdesk.survey.answer',
      entity: 'ticket',
      entityId: ticketId,
      after: { rating: answer.rating, comment: answer.comment !== null, via: answer.via },
    });
    return 'recorded';
  });
}
