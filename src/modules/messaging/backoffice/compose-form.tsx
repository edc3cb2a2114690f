// The compose form: texts with placeholders, topics, channels, urgency, targets (for a union or the CST), the
// schedule and the CAP fields of civil-protection alerts. Plain HTML form; a small script adds a live SMS
// character/part counter, but the server-side preview is what counts.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { csrfToken } from '../../../platform/auth/index.js';
import { t } from '../../../platform/views/i18n/index.js';
import { CsrfField } from '../../../platform/views/layout.js';
import { CAP_CATEGORIES, CAP_CERTAINTIES, CAP_SEVERITIES, CAP_URGENCIES } from '../cap/cap.js';
import { ErrorAlert, MessagingLayout, SMS_COUNTER_SCRIPT, messagesPath } from './common.js';
import { CHANNELS, checked, picksTargets, type ComposeContext, type Values } from './input.js';
import { PLACEHOLDERS, isPlaceholder, placeholdersOf, type TemplateRow } from './templates.js';

export function TextField({ id, name, label, values, help, type = 'text', maxLength, required }: { id: string; name: string; label: string; values: Values; help?: string; type?: string; maxLength?: number; required?: boolean }) {
  return (
    <div class="mb-3">
      <label for={id} class="form-label">
        {label}
      </label>
      <input id={id} name={name} type={type as 'text'} value={values[name] ?? ''} class="form-control" maxLength={maxLength} required={required} aria-describedby={help ? `${id}-aiuto` : undefined} autocomplete="off" />
      {help ? (
        <div id={`${id}-aiuto`} class="form-text">
          {help}
        </div>
      ) : null}
    </div>
  );
}

function Check({ id, name, label, values, help }: { id: string; name: string; label: string; values: Values; help?: string }) {
  return (
    <div class="form-check">
      <input class="form-check-input" type="checkbox" id={id} name={name} value="si" checked={checked(values, name)} aria-describedby={help ? `${id}-aiuto` : undefined} />
      <label class="form-check-label" for={id}>
        {label}
      </label>
      {help ? (
        <div id={`${id}-aiuto`} class="form-text">
          {help}
        </div>
      ) : null}
    </div>
  );
}

function Select({ id, name, label, options, values, fallback }: { id: string; name: string; label: string; options: readonly string[]; values: Values; fallback: string }) {
  const current = values[name] || fallback;
  return (
    <div class="mb-3 col-md-3">
      <label for={id} class="form-label">
        {label}
      </label>
      <select id={id} name={name} class="form-select">
        {options.map((o) => (
          <option value={o} selected={o === current}>
            {t(`messaging.bo.cap.value.${o}`)}
          </option>
        ))}
      </select>
    </div>
  );
}

function TemplatePicker({ slug, templates, selected }: { slug: string; templates: TemplateRow[]; selected: string | undefined }) {
  if (templates.length === 0) return null;
  return (
    <form method="get" action={`${messagesPath(slug)}/nuovo`} class="row g-2 align-items-end mb-4" aria-labelledby="modello-titolo">
      <h2 id="modello-titolo" class="h5 col-12">
        {t('messaging.bo.compose.templateTitle')}
      </h2>
      <div class="col-md-6">
        <label for="modello" class="form-label">
          {t('messaging.bo.compose.template')}
        </label>
        <select id="modello" name="modello" class="form-select">
          {templates.map((tpl) => (
            <option value={tpl.id} selected={tpl.id === selected}>
              {tpl.name}
            </option>
          ))}
        </select>
      </div>
      <div class="col-md-3">
        <button type="submit" class="btn btn-outline-primary">
          {t('messaging.bo.compose.useTemplate')}
        </button>
      </div>
    </form>
  );
}

export function ComposeForm({ request, reply, ctx, values, templates, error, templateId }: { request: FastifyRequest; reply: FastifyReply; ctx: ComposeContext; values: Values; templates: TemplateRow[]; error?: string | undefined; templateId?: string | undefined }) {
  const { ente } = ctx;
  const title = t('messaging.bo.compose.title');
  const used = placeholdersOf(values.titolo, values.testo, values.testo_sms);
  return (
    <MessagingLayout request={request} ente={ente} title={title} crumbs={[{ label: title }]} head={<script src={SMS_COUNTER_SCRIPT} defer></script>}>
      <h1>{title}</h1>
      {error ? <ErrorAlert>{error}</ErrorAlert> : null}
      <TemplatePicker slug={ente.slug} templates={templates} selected={templateId} />
      <form method="post" action={`${messagesPath(ente.slug)}/anteprima`} novalidate>
        <CsrfField token={csrfToken(request, reply)} />
        <fieldset class="mb-4">
          <legend class="h4">{t('messaging.bo.compose.section.text')}</legend>
          <TextField id="messaggio-titolo" name="titolo" label={t('messaging.bo.compose.titleField')} values={values} maxLength={200} required />
          <div class="mb-3">
            <label for="messaggio-testo" class="form-label">
              {t('messaging.bo.compose.body')}
            </label>
            <textarea id="messaggio-testo" name="testo" class="form-control" rows={6} required aria-describedby="segnaposto-aiuto">
              {values.testo ?? ''}
            </textarea>
          </div>
          <div class="mb-3">
            <label for="messaggio-sms" class="form-label">
              {t('messaging.bo.compose.sms')}
            </label>
            <textarea id="messaggio-sms" name="testo_sms" class="form-control" rows={3} aria-describedby="messaggio-sms-aiuto sms-contatore" data-sms-counter="sms-contatore" data-sms-fallback="messaggio-testo">
              {values.testo_sms ?? ''}
            </textarea>
            <div id="messaggio-sms-aiuto" class="form-text">
              {t('messaging.bo.compose.sms.help')}
            </div>
            <p id="sms-contatore" class="form-text" aria-live="polite" data-template={t('messaging.bo.compose.counter')} data-encodings="GSM-7,UCS-2"></p>
          </div>
          <p id="segnaposto-aiuto" class="form-text">
            {t('messaging.bo.compose.placeholders.help', { list: Object.keys(PLACEHOLDERS).map((n) => `{{${n}}}`).join(', ') })}
          </p>
          <Check id="messaggio-traslittera" name="traslittera" label={t('messaging.bo.compose.transliterate')} values={values} help={t('messaging.bo.compose.transliterate.help')} />
        </fieldset>
        {used.length > 0 ? (
          <fieldset class="mb-4">
            <legend class="h4">{t('messaging.bo.compose.section.placeholders')}</legend>
            {used.filter(isPlaceholder).map((name) => (
              <TextField id={`segnaposto-${name}`} name={`segnaposto_${name}`} label={`{{${name}}} – ${PLACEHOLDERS[name]}`} values={values} maxLength={200} />
            ))}
            {used.some((n) => !isPlaceholder(n)) ? <p class="text-danger">{t('messaging.bo.compose.placeholders.unknown', { list: used.filter((n) => !isPlaceholder(n)).map((n) => `{{${n}}}`).join(', ') })}</p> : null}
          </fieldset>
        ) : null}
        <fieldset class="mb-4">
          <legend class="h4">{t('messaging.bo.compose.section.topics')}</legend>
          {ctx.topics.map((topic) => (
            <Check id={`argomento-${topic.code}`} name={`argomento_${topic.code}`} label={topic.urgent ? t('messaging.bo.compose.urgentTopic', { label: topic.label }) : topic.label} values={values} />
          ))}
        </fieldset>
        <fieldset class="mb-4">
          <legend class="h4">{t('messaging.bo.compose.section.channels')}</legend>
          {CHANNELS.map((c) => (
            <Check id={`canale-${c}`} name={`canale_${c}`} label={t(`messaging.bo.channel.${c}`)} values={values} />
          ))}
          <div class="mt-3">
            <Check id="messaggio-urgente" name="urgente" label={t('messaging.bo.compose.urgent')} values={values} help={t('messaging.bo.compose.urgent.help')} />
          </div>
        </fieldset>
        {picksTargets(ctx) ? (
          <fieldset class="mb-4">
            <legend class="h4">{t('messaging.bo.compose.section.targets')}</legend>
            <p id="destinatari-aiuto">{t('messaging.bo.compose.targets.help')}</p>
            <div class="overflow-auto border p-2" style="max-height: 20rem" role="group" aria-describedby="destinatari-aiuto" aria-label={t('messaging.bo.compose.section.targets')} tabindex={0}>
              {ctx.targetable.map((e) => (
                <Check id={`destinatario-${e.slug}`} name={`destinatario_${e.id}`} label={e.name} values={values} />
              ))}
            </div>
          </fieldset>
        ) : null}
        <fieldset class="mb-4 row">
          <legend class="h4">{t('messaging.bo.compose.section.schedule')}</legend>
          <p id="programma-aiuto">{t('messaging.bo.compose.schedule.help')}</p>
          <div class="col-md-4">
            <TextField id="invio-data" name="invio_data" type="date" label={t('messaging.bo.compose.scheduleDate')} values={values} />
          </div>
          <div class="col-md-4">
            <TextField id="invio-ora" name="invio_ora" type="time" label={t('messaging.bo.compose.scheduleTime')} values={values} />
          </div>
        </fieldset>
        <fieldset class="mb-4 row">
          <legend class="h4">{t('messaging.bo.compose.section.cap')}</legend>
          <p>{t('messaging.bo.compose.cap.help')}</p>
          <div class="col-12">
            <TextField id="cap-evento" name="cap_evento" label={t('messaging.bo.cap.event')} values={values} maxLength={120} help={t('messaging.bo.cap.event.help')} />
          </div>
          <Select id="cap-categoria" name="cap_categoria" label={t('messaging.bo.cap.category')} options={CAP_CATEGORIES} values={values} fallback="Safety" />
          <Select id="cap-urgenza" name="cap_urgenza" label={t('messaging.bo.cap.urgency')} options={CAP_URGENCIES} values={values} fallback="Immediate" />
          <Select id="cap-gravita" name="cap_gravita" label={t('messaging.bo.cap.severity')} options={CAP_SEVERITIES} values={values} fallback="Severe" />
          <Select id="cap-certezza" name="cap_certezza" label={t('messaging.bo.cap.certainty')} options={CAP_CERTAINTIES} values={values} fallback="Likely" />
          <div class="col-md-4">
            <TextField id="cap-scadenza-data" name="cap_scadenza_data" type="date" label={t('messaging.bo.cap.expiresDate')} values={values} />
          </div>
          <div class="col-md-4">
            <TextField id="cap-scadenza-ora" name="cap_scadenza_ora" type="time" label={t('messaging.bo.cap.expiresTime')} values={values} />
          </div>
        </fieldset>
        <button type="submit" class="btn btn-primary">
          {t('messaging.bo.compose.preview')}
        </button>
      </form>
    </MessagingLayout>
  );
}
