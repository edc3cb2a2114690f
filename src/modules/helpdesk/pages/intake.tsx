// Opening a ticket from a page: the desk's phone intake (/backoffice/assistenza/nuovo: ente, caller, channel)
// and the fields both it and the ente's web form share (category, urgency and impact in plain words, subject,
// description). Missing fields are reported all at once next to each field; the service's own rules come back
// next to the field they concern. The values typed are kept on every refusal.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { actorOf, csrfToken } from '../../../platform/auth/index.js';
import type { App } from '../../../platform/http/app.js';
import type { Platform } from '../../../platform/platform.js';
import type { Ente } from '../../../platform/tenancy/index.js';
import { t } from '../../../platform/views/i18n/index.js';
import { CsrfField } from '../../../platform/views/layout.js';
import { openTicket, type OpenTicketInput } from '../service.js';
import type { Channel } from '../store.js';
import { ErrorSummary, FieldError, PageLayout, deskCrumb, deskGuard, deskPath, deskTicketPath, describedBy, isFormProblem, problemMessage, sendPage, type FieldErrors } from './common.js';
import { fieldsOf } from './form.js';
import { allEnti, categoryGroups, enteByName, type CategoryGroup } from './reads.js';

export type Values = Record<string, string>;

/** Where each field of the forms lives on the page (for the links of the error summary). */
export const fieldIds: Record<string, string> = {
  ente: 'ticket-ente',
  callerName: 'ticket-nome',
  callerPhone: 'ticket-telefono',
  callerEmail: 'ticket-email',
  channel: 'ticket-canale-phone',
  category: 'ticket-categoria',
  urgency: 'ticket-urgenza-1',
  impact: 'ticket-impatto-1',
  subject: 'ticket-oggetto',
  description: 'ticket-descrizione',
};

/** The field a refusal of the service is about, from its (Italian) message. */
export function fieldOfProblem(message: string): string | undefined {
  const rules: [RegExp, string][] = [
    [/telefono/i, 'callerPhone'],
    [/e-mail/i, 'callerEmail'],
    [/nome di chi segnala/i, 'callerName'],
    [/oggetto/i, 'subject'],
    [/descrizione/i, 'description'],
    [/categoria|obiettivo di servizio/i, 'category'],
    [/urgenza/i, 'urgency'],
    [/impatto/i, 'impact'],
    [/canale/i, 'channel'],
  ];
  return rules.find(([re]) => re.test(message))?.[1];
}

/** The fields every ticket needs, checked all at once before the service's finer rules. */
export function missingFields(v: Values): FieldErrors {
  const errors: FieldErrors = {};
  if (!v.category) errors.category = t('helpdesk.pages.form.category.missing');
  if (!['1', '2', '3'].includes(v.urgency ?? '')) errors.urgency = t('helpdesk.pages.form.level.missing');
  if (!['1', '2', '3'].includes(v.impact ?? '')) errors.impact = t('helpdesk.pages.form.level.missing');
  if ((v.subject ?? '').length < 3) errors.subject = t('helpdesk.pages.form.subject.missing');
  if (!v.description) errors.description = t('helpdesk.pages.form.description.missing');
  return errors;
}

function Levels({ name, legendKey, values, errors }: { name: 'urgency' | 'impact'; legendKey: string; values: Values; errors: FieldErrors }) {
  const prefix = name === 'urgency' ? 'ticket-urgenza' : 'ticket-impatto';
  const errorId = `${prefix}-errore`;
  return (
    <fieldset class="col-md-6 mb-3" aria-describedby={errors[name] ? errorId : undefined}>
      <legend class="form-label fs-6 fw-semibold">{t(legendKey)}</legend>
      <FieldError id={errorId} message={errors[name]} />
      {['1', '2', '3'].map((level) => (
        <div class="form-check">
          <input class="form-check-input" type="radio" name={name} id={`${prefix}-${level}`} value={level} checked={(values[name] ?? '2') === level} required />
          <label class="form-check-label" for={`${prefix}-${level}`}>
            {t(`helpdesk.pages.form.${name}.${level}`)}
          </label>
        </div>
      ))}
    </fieldset>
  );
}

/** Category (grouped by the tree), urgency and impact, subject and description. */
export function ProblemFields({ groups, values, errors }: { groups: CategoryGroup[]; values: Values; errors: FieldErrors }) {
  const v = (name: string) => values[name] ?? '';
  const invalid = (name: string) => (errors[name] ? ' is-invalid' : '');
  const err = (name: string) => (errors[name] ? `${fieldIds[name]}-errore` : undefined);
  const leaves = groups.filter((g) => g.children.length === 0);
  return (
    <>
      <div class="mb-3">
        <label for="ticket-categoria" class="form-label">
          {t('helpdesk.pages.form.category')}
        </label>
        <select id="ticket-categoria" name="category" required class={`form-select${invalid('category')}`} aria-describedby={describedBy(err('category'))} aria-invalid={errors.category ? 'true' : undefined}>
          <option value="">{t('helpdesk.pages.form.category.choose')}</option>
          {groups
            .filter((g) => g.children.length > 0)
            .map((g) => (
              <optgroup label={g.name}>
                <option value={g.code} selected={v('category') === g.code}>
                  {t('helpdesk.pages.form.category.general', { name: g.name })}
                </option>
                {g.children.map((c) => (
                  <option value={c.code} selected={v('category') === c.code}>
                    {c.name}
                  </option>
                ))}
              </optgroup>
            ))}
          <optgroup label={t('helpdesk.pages.form.category.other')}>
            {leaves.map((g) => (
              <option value={g.code} selected={v('category') === g.code}>
                {g.name}
              </option>
            ))}
          </optgroup>
        </select>
        <FieldError id="ticket-categoria-errore" message={errors.category} />
      </div>
      <div class="row">
        <Levels name="urgency" legendKey="helpdesk.pages.form.urgency" values={values} errors={errors} />
        <Levels name="impact" legendKey="helpdesk.pages.form.impact" values={values} errors={errors} />
      </div>
      <div class="mb-3">
        <label for="ticket-oggetto" class="form-label">
          {t('helpdesk.pages.form.subject')}
        </label>
        <input type="text" id="ticket-oggetto" name="subject" value={v('subject')} required minLength={3} maxLength={300} class={`form-control${invalid('subject')}`} aria-describedby={describedBy('ticket-oggetto-aiuto', err('subject'))} aria-invalid={errors.subject ? 'true' : undefined} />
        <div id="ticket-oggetto-aiuto" class="form-text">
          {t('helpdesk.pages.form.subject.help')}
        </div>
        <FieldError id="ticket-oggetto-errore" message={errors.subject} />
      </div>
      <div class="mb-3">
        <label for="ticket-descrizione" class="form-label">
          {t('helpdesk.pages.form.description')}
        </label>
        <textarea id="ticket-descrizione" name="description" rows={6} required maxLength={20000} class={`form-control${invalid('description')}`} aria-describedby={describedBy('ticket-descrizione-aiuto', err('description'))} aria-invalid={errors.description ? 'true' : undefined}>
          {v('description')}
        </textarea>
        <div id="ticket-descrizione-aiuto" class="form-text">
          {t('helpdesk.pages.form.description.help')}
        </div>
        <FieldError id="ticket-descrizione-errore" message={errors.description} />
      </div>
    </>
  );
}

export const levelOf = (value: string | undefined) => Number(value);

function TextField({ name, type, label, values, errors, autocomplete }: { name: string; type: 'text' | 'tel' | 'email'; label: string; values: Values; errors: FieldErrors; autocomplete: string }) {
  const id = fieldIds[name]!;
  return (
    <div class="col-md-4 mb-3">
      <label for={id} class="form-label">
        {label}
      </label>
      <input type={type as 'text' /* preact narrows per type; all three take the same attributes here */} id={id} name={name} value={values[name] ?? ''} maxLength={200} autocomplete={autocomplete} class={`form-control${errors[name] ? ' is-invalid' : ''}`} aria-describedby={errors[name] ? `${id}-errore` : undefined} aria-invalid={errors[name] ? 'true' : undefined} />
      <FieldError id={`${id}-errore`} message={errors[name]} />
    </div>
  );
}

async function renderIntake(request: FastifyRequest, reply: FastifyReply, platform: Platform, values: Values, errors: FieldErrors = {}, general?: string, status = 200) {
  const [enti, groups] = await Promise.all([allEnti(platform.db.app), categoryGroups(platform.db.app)]);
  const title = t('helpdesk.pages.intake.title');
  const channel = (values.channel ?? 'phone') as Channel;
  return sendPage(
    reply,
    <PageLayout request={request} title={title} crumbs={[deskCrumb, { label: title }]}>
      <h1>{title}</h1>
      <p>{t('helpdesk.pages.intake.intro')}</p>
      <ErrorSummary errors={errors} ids={fieldIds} general={general} />
      <form method="post" action={`${deskPath}/nuovo`} class="mb-5" novalidate>
        <CsrfField token={csrfToken(request, reply)} />
        <div class="mb-3">
          <label for="ticket-ente" class="form-label">
            {t('helpdesk.pages.form.ente')}
          </label>
          <input type="text" id="ticket-ente" name="ente" list="enti-elenco" value={values.ente ?? ''} required autofocus autocomplete="off" class={`form-control${errors.ente ? ' is-invalid' : ''}`} aria-describedby={describedBy('ticket-ente-aiuto', errors.ente && 'ticket-ente-errore')} aria-invalid={errors.ente ? 'true' : undefined} />
          <datalist id="enti-elenco">
            {enti.map((e) => (
              <option value={e.name} />
            ))}
          </datalist>
          <div id="ticket-ente-aiuto" class="form-text">
            {t('helpdesk.pages.form.ente.help')}
          </div>
          <FieldError id="ticket-ente-errore" message={errors.ente} />
        </div>
        <fieldset class="mb-2">
          <legend class="h6">{t('helpdesk.pages.form.caller')}</legend>
          <div class="row">
            <TextField name="callerName" type="text" label={t('helpdesk.pages.form.callerName')} values={values} errors={errors} autocomplete="off" />
            <TextField name="callerPhone" type="tel" label={t('helpdesk.pages.form.callerPhone')} values={values} errors={errors} autocomplete="off" />
            <TextField name="callerEmail" type="email" label={t('helpdesk.pages.form.callerEmail')} values={values} errors={errors} autocomplete="off" />
          </div>
        </fieldset>
        <fieldset class="mb-3" aria-describedby={errors.channel ? 'ticket-canale-errore' : undefined}>
          <legend class="form-label fs-6 fw-semibold">{t('helpdesk.pages.form.channel')}</legend>
          <FieldError id="ticket-canale-errore" message={errors.channel} />
          {(['phone', 'email', 'web'] as const).map((c) => (
            <div class="form-check form-check-inline">
              <input class="form-check-input" type="radio" name="channel" id={`ticket-canale-${c}`} value={c} checked={channel === c} />
              <label class="form-check-label" for={`ticket-canale-${c}`}>
                {t(`helpdesk.pages.channel.${c}`)}
              </label>
            </div>
          ))}
        </fieldset>
        <ProblemFields groups={groups} values={values} errors={errors} />
        <div class="d-flex flex-wrap gap-2">
          <button type="submit" class="btn btn-primary">
            {t('helpdesk.pages.form.submit.intake')}
          </button>
          <a class="btn btn-outline-secondary" href={deskPath}>
            {t('helpdesk.pages.form.cancel')}
          </a>
        </div>
      </form>
    </PageLayout>,
    status,
  );
}

export function registerIntakePages(app: App, platform: Platform): void {
  app.get(`${deskPath}/nuovo`, { schema: { hide: true } }, async (request, reply) => {
    if (!(await deskGuard(request, reply, platform))) return reply;
    return renderIntake(request, reply, platform, {});
  });

  app.post(`${deskPath}/nuovo`, { schema: { hide: true } }, async (request, reply) => {
    if (!(await deskGuard(request, reply, platform))) return reply;
    const values = fieldsOf(request.body);
    const errors = missingFields(values);
    let ente: Ente | undefined;
    if (!values.ente) errors.ente = t('helpdesk.pages.form.ente.missing');
    else if (!(ente = enteByName(await allEnti(platform.db.app), values.ente))) errors.ente = t('helpdesk.pages.form.ente.unknown');
    if (!values.callerName) errors.callerName = t('helpdesk.pages.form.callerName.missing');
    if (Object.keys(errors).length > 0 || !ente) return renderIntake(request, reply, platform, values, errors, undefined, 422);
    const input: OpenTicketInput = {
      channel: (values.channel || 'phone') as Channel,
      callerName: values.callerName!,
      callerPhone: values.callerPhone || null,
      callerEmail: values.callerEmail || null,
      category: values.category!,
      urgency: levelOf(values.urgency),
      impact: levelOf(values.impact),
      subject: values.subject!,
      description: values.description!,
    };
    try {
      const ticket = await openTicket(platform.db.app, actorOf(request), ente.id, input);
      return reply.redirect(`${deskTicketPath(ente.slug, ticket.id)}?esito=aperto`, 303);
    } catch (err) {
      if (!isFormProblem(err)) throw err;
      const field = fieldOfProblem(problemMessage(err));
      return renderIntake(request, reply, platform, values, field ? { [field]: problemMessage(err) } : {}, field ? undefined : problemMessage(err), err.status);
    }
  });
}
