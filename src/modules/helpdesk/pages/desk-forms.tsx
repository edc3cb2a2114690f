// The forms of the desk's ticket page: public reply and internal note (with attachments), change of state
// (only the transitions the state machine allows from the current state), assignment, observers and merge.
// A refusal comes back inside the form it concerns, with the message next to the field and the text typed.
import type { ComponentChildren } from 'preact';
import { t } from '../../../platform/views/i18n/index.js';
import { CsrfField } from '../../../platform/views/layout.js';
import type { ObserverView } from '../collaboration.js';
import { transitions } from '../service.js';
import type { TicketState } from '../store.js';
import { FieldError, describedBy, stateText } from './common.js';
import { AttachmentInput } from './parts.js';
import type { StaffOption } from './reads.js';

export type DeskForm = 'reply' | 'note' | 'state' | 'assign' | 'observer' | 'merge';

export interface FormFeedback<F extends string> {
  form: F;
  message: string;
  values: Record<string, string>;
}

/** A titled box around one form, with the refusal of that form (if any) at its top. */
export function FormBox({ id, title, children }: { id: string; title: string; children: ComponentChildren }) {
  return (
    <section aria-labelledby={id} class="mb-4 p-3 border rounded">
      <h2 id={id} class="h5">
        {title}
      </h2>
      {children}
    </section>
  );
}

/** A textarea with its label and, after a refusal, the message tied to it. */
export function TextArea({ id, name, label, value, error, rows = 5, help }: { id: string; name: string; label: string; value: string; error?: string | undefined; rows?: number; help?: string }) {
  return (
    <div class="mb-3">
      <label for={id} class="form-label">
        {label}
      </label>
      <textarea id={id} name={name} rows={rows} maxLength={20000} class={`form-control${error ? ' is-invalid' : ''}`} aria-invalid={error ? 'true' : undefined} aria-describedby={describedBy(help && `${id}-aiuto`, error && `${id}-errore`)}>
        {value}
      </textarea>
      {help ? (
        <div id={`${id}-aiuto`} class="form-text">
          {help}
        </div>
      ) : null}
      <FieldError id={`${id}-errore`} message={error} />
    </div>
  );
}

interface Common {
  action: string;
  csrf: string;
  feedback: FormFeedback<DeskForm> | undefined;
}
const mine = (feedback: FormFeedback<DeskForm> | undefined, form: DeskForm) => (feedback?.form === form ? feedback : undefined);

export function ReplyForms({ action, csrf, feedback }: Common) {
  const reply = mine(feedback, 'reply');
  const note = mine(feedback, 'note');
  return (
    <>
      <FormBox id="rispondi" title={t('helpdesk.pages.reply.title')}>
        <form method="post" action={`${action}/risposta`} enctype="multipart/form-data" novalidate>
          <CsrfField token={csrf} />
          <TextArea id="risposta-testo" name="body" label={t('helpdesk.pages.reply.label')} value={reply?.values.body ?? ''} error={reply?.message} />
          <AttachmentInput id="risposta-allegati" />
          <button type="submit" class="btn btn-primary">
            {t('helpdesk.pages.reply.submit')}
          </button>
        </form>
      </FormBox>
      <FormBox id="nota" title={t('helpdesk.pages.note.title')}>
        <form method="post" action={`${action}/nota`} enctype="multipart/form-data" novalidate>
          <CsrfField token={csrf} />
          <TextArea id="nota-testo" name="body" label={t('helpdesk.pages.note.label')} value={note?.values.body ?? ''} error={note?.message} rows={3} />
          <AttachmentInput id="nota-allegati" />
          <button type="submit" class="btn btn-outline-primary">
            {t('helpdesk.pages.note.submit')}
          </button>
        </form>
      </FormBox>
    </>
  );
}

/** The states reachable from `state`; 'assigned' only once someone is assigned (the assign form does that). */
export const nextStates = (state: TicketState, assigned: boolean) => transitions[state].filter((s) => s !== 'assigned' || assigned);

export function StateForm({ action, csrf, feedback, state, assigned }: Common & { state: TicketState; assigned: boolean }) {
  const f = mine(feedback, 'state');
  const options = nextStates(state, assigned);
  return (
    <FormBox id="stato" title={t('helpdesk.pages.state.title')}>
      {options.length === 0 ? (
        <p class="mb-0">{t('helpdesk.pages.state.none')}</p>
      ) : (
        <form method="post" action={`${action}/stato`} novalidate>
          <CsrfField token={csrf} />
          <div class="mb-3">
            <label for="stato-nuovo" class="form-label">
              {t('helpdesk.pages.state.label')}
            </label>
            <select id="stato-nuovo" name="state" class={`form-select${f ? ' is-invalid' : ''}`} aria-invalid={f ? 'true' : undefined} aria-describedby={f ? 'stato-nuovo-errore' : undefined}>
              {options.map((s) => (
                <option value={s} selected={f?.values.state === s}>
                  {stateText(s)}
                </option>
              ))}
            </select>
            <FieldError id="stato-nuovo-errore" message={f?.message} />
          </div>
          <TextArea id="stato-commento" name="comment" label={t('helpdesk.pages.state.comment')} value={f?.values.comment ?? ''} rows={2} />
          <button type="submit" class="btn btn-outline-primary">
            {t('helpdesk.pages.state.submit')}
          </button>
        </form>
      )}
    </FormBox>
  );
}

export function AssignForm({ action, csrf, feedback, staff, assigneeId, open }: Common & { staff: StaffOption[]; assigneeId: string | null; open: boolean }) {
  const f = mine(feedback, 'assign');
  const selected = f?.values.assigneeId ?? assigneeId ?? '';
  return (
    <FormBox id="assegna" title={t('helpdesk.pages.assign.title')}>
      {!open ? (
        <p class="mb-0">{t('helpdesk.pages.assign.notNow')}</p>
      ) : (
        <form method="post" action={`${action}/assegna`} novalidate>
          <CsrfField token={csrf} />
          <div class="mb-3">
            <label for="assegna-operatore" class="form-label">
              {t('helpdesk.pages.assign.label')}
            </label>
            <select id="assegna-operatore" name="assigneeId" class={`form-select${f ? ' is-invalid' : ''}`} aria-invalid={f ? 'true' : undefined} aria-describedby={f ? 'assegna-operatore-errore' : undefined}>
              <option value="">{t('helpdesk.pages.assign.choose')}</option>
              {staff.map((s) => (
                <option value={s.id} selected={selected === s.id}>
                  {s.name}
                </option>
              ))}
            </select>
            <FieldError id="assegna-operatore-errore" message={f?.message} />
          </div>
          <button type="submit" class="btn btn-outline-primary">
            {t('helpdesk.pages.assign.submit')}
          </button>
        </form>
      )}
    </FormBox>
  );
}

export function ObserversForm({ action, csrf, feedback, observers, open }: Common & { observers: ObserverView[]; open: boolean }) {
  const f = mine(feedback, 'observer');
  return (
    <FormBox id="osservatori" title={t('helpdesk.pages.observers.title')}>
      <p class="small">{t('helpdesk.pages.observers.intro')}</p>
      {observers.length === 0 ? <p>{t('helpdesk.pages.observers.none')}</p> : null}
      <ul class="list-unstyled">
        {observers.map((o) => (
          <li class="d-flex flex-wrap align-items-center gap-2 mb-2">
            <span>{o.name ? `${o.name} <${o.email}>` : o.email}</span>
            <form method="post" action={`${action}/osservatori/rimuovi`}>
              <CsrfField token={csrf} />
              <input type="hidden" name="email" value={o.email} />
              <button type="submit" class="btn btn-outline-secondary btn-sm">
                {t('helpdesk.pages.observers.remove')}
                <span class="visually-hidden"> {o.email}</span>
              </button>
            </form>
          </li>
        ))}
      </ul>
      {open ? (
        <form method="post" action={`${action}/osservatori`} novalidate>
          <CsrfField token={csrf} />
          <div class="mb-2">
            <label for="osservatore-email" class="form-label">
              {t('helpdesk.pages.observers.email')}
            </label>
            <input type="email" id="osservatore-email" name="email" value={f?.values.email ?? ''} maxLength={200} class={`form-control${f ? ' is-invalid' : ''}`} aria-invalid={f ? 'true' : undefined} aria-describedby={f ? 'osservatore-email-errore' : undefined} />
            <FieldError id="osservatore-email-errore" message={f?.message} />
          </div>
          <div class="mb-3">
            <label for="osservatore-nome" class="form-label">
              {t('helpdesk.pages.observers.name')}
            </label>
            <input type="text" id="osservatore-nome" name="name" value={f?.values.name ?? ''} maxLength={200} class="form-control" />
          </div>
          <button type="submit" class="btn btn-outline-primary">
            {t('helpdesk.pages.observers.add')}
          </button>
        </form>
      ) : null}
    </FormBox>
  );
}

export function MergeForm({ action, csrf, feedback }: Common) {
  const f = mine(feedback, 'merge');
  return (
    <FormBox id="unisci" title={t('helpdesk.pages.merge.title')}>
      <p class="small" id="unisci-aiuto">
        {t('helpdesk.pages.merge.intro')}
      </p>
      <form method="post" action={`${action}/unisci`} novalidate>
        <CsrfField token={csrf} />
        <div class="mb-3">
          <label for="unisci-numero" class="form-label">
            {t('helpdesk.pages.merge.label')}
          </label>
          <input type="text" id="unisci-numero" name="target" value={f?.values.target ?? ''} maxLength={20} class={`form-control${f ? ' is-invalid' : ''}`} aria-invalid={f ? 'true' : undefined} aria-describedby={describedBy('unisci-aiuto', f && 'unisci-numero-errore')} />
          <FieldError id="unisci-numero-errore" message={f?.message} />
        </div>
        <button type="submit" class="btn btn-outline-danger">
          {t('helpdesk.pages.merge.submit')}
        </button>
      </form>
    </FormBox>
  );
}
