// The survey form, shared by the public page (reached from the e-mail) and the back-office page of a ticket.
import { t } from '../../../platform/views/i18n/index.js';
import { CsrfField } from '../../../platform/views/layout.js';
import { COMMENT_MAX } from './service.js';
import './messages.js';

/** Where the back-office form posts (see registerSurvey): a signed-in requester of the ente answers there. */
export const surveyActionPath = (enteSlug: string, ticketId: string) => `/backoffice/enti/${enteSlug}/assistenza/ticket/${ticketId}/valutazione`;

export interface SurveyFormProps {
  /** URL the form posts to: surveyActionPath(slug, ticketId) in the back office. */
  action: string;
  /** CSRF token: csrfToken(request, reply) from platform/auth (the session's, or the anonymous cookie's). */
  csrf: string;
  /** Prefix of the ids of the fields, unique on the page (default 'valutazione'). */
  idPrefix?: string;
  /**
   * Back office only: the page to return to after answering, a path under /backoffice/enti/{slug}/assistenza
   * (e.g. the ticket page). The answer comes back as ?esito=valutazione-registrata or
   * ?esito=valutazione-gia-registrata on it. Anything else falls back to /backoffice/enti/{slug}/assistenza.
   */
  next?: string;
  /** Values to show again after a refusal. */
  values?: { rating?: string; comment?: string };
  /** Italian message shown above the fields after a refusal. */
  error?: string;
  /** Level of the form's heading (default 2; 3 when embedded under a section heading). */
  headingLevel?: 2 | 3;
}

/**
 * An accessible 1–5 rating (a radio group in a fieldset with its legend) and an optional comment. Usable
 * without JavaScript; the answer is checked again on the server (parseAnswer).
 */
export function SurveyForm({ action, csrf, idPrefix = 'valutazione', next, values = {}, error, headingLevel = 2 }: SurveyFormProps) {
  const Heading = headingLevel === 3 ? 'h3' : 'h2';
  const errorId = `${idPrefix}-errore`;
  return (
    <form method="post" action={action} class="mb-4" aria-labelledby={`${idPrefix}-titolo`}>
      <CsrfField token={csrf} />
      {next ? <input type="hidden" name="next" value={next} /> : null}
      <Heading id={`${idPrefix}-titolo`} class="h4">
        {t('helpdesk.survey.title')}
      </Heading>
      {error ? (
        <div class="alert alert-danger" role="alert" id={errorId}>
          <p class="fw-bold mb-1">{t('helpdesk.survey.error.title')}</p>
          <p class="mb-0">{error}</p>
        </div>
      ) : null}
      <fieldset class="mb-3" aria-describedby={error ? errorId : undefined}>
        <legend class="fs-6 fw-semibold mb-2">{t('helpdesk.survey.legend')}</legend>
        {[1, 2, 3, 4, 5].map((n) => (
          <div class="form-check">
            <input class="form-check-input" type="radio" name="rating" id={`${idPrefix}-voto-${n}`} value={String(n)} required checked={values.rating === String(n)} />
            <label class="form-check-label" for={`${idPrefix}-voto-${n}`}>
              {t(`helpdesk.survey.rating.${n}`)}
            </label>
          </div>
        ))}
      </fieldset>
      <div class="mb-3">
        <label for={`${idPrefix}-commento`} class="form-label fw-semibold">
          {t('helpdesk.survey.comment')}
        </label>
        <textarea class="form-control" id={`${idPrefix}-commento`} name="comment" rows={4} maxLength={COMMENT_MAX} aria-describedby={`${idPrefix}-commento-aiuto`}>
          {values.comment ?? ''}
        </textarea>
        <p id={`${idPrefix}-commento-aiuto`} class="form-text">
          {t('helpdesk.survey.comment.hint', { max: COMMENT_MAX })}
        </p>
      </div>
      <button type="submit" class="btn btn-primary">
        {t('helpdesk.survey.submit')}
      </button>
    </form>
  );
}
