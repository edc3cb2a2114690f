// The citizen's pages of /{slug}/avvisi (views only; routes in public-routes.tsx). Plain forms: everything
// works without JavaScript, the comuni list is filtered by a submit button that keeps what was typed.
import type { ComponentChildren } from 'preact';
import type { Ente } from '../../../platform/tenancy/index.js';
import { t } from '../../../platform/views/i18n/index.js';
import { CsrfField, Layout, type Viewer } from '../../../platform/views/layout.js';
import type { TopicRow } from '../store.js';
import type { FieldErrors, Followed } from './service.js';
import './messages.js';

export const avvisiPath = (slug: string) => `/${slug}/avvisi`;
export const confirmPath = (slug: string, flow: string) => `/${slug}/avvisi/conferma/${flow}`;
export const managePath = (slug: string, flow: string) => `/${slug}/avvisi/gestione/${flow}`;
export const leavePath = (slug: string) => `/${slug}/avvisi/disiscrizione`;
export const tokenPath = (slug: string, token: string) => `/${slug}/avvisi/disiscrizione/${token}`;

export function AvvisiLayout({ ente, viewer, title, crumb, children }: { ente: Ente; viewer: Viewer | null; title: string; crumb?: string; children: ComponentChildren }) {
  const crumbs = [{ label: ente.name, href: `/${ente.slug}/` }, { label: t('messaging.subs.title'), href: avvisiPath(ente.slug) }, ...(crumb ? [{ label: crumb }] : [])];
  return (
    <Layout title={title} viewer={viewer} brand={{ name: ente.name, subtitle: t(`kind.${ente.kind}`), href: `/${ente.slug}/` }} breadcrumbs={crumbs}>
      {children}
    </Layout>
  );
}

export function Alert({ kind, children, id }: { kind: 'danger' | 'success' | 'info' | 'warning'; children: ComponentChildren; id?: string }) {
  return (
    <div class={`alert alert-${kind}`} role={kind === 'danger' ? 'alert' : 'status'} id={id}>
      {children}
    </div>
  );
}

export function ErrorSummary({ errors }: { errors: FieldErrors }) {
  const entries = Object.entries(errors);
  if (entries.length === 0) return null;
  return (
    <div class="alert alert-danger" role="alert" id="errore">
      <p class="fw-bold mb-1">{t('messaging.subs.err.summary')}</p>
      <ul class="mb-0">
        {entries.map(([field, message]) => (
          <li>
            <a href={`#campo-${field}`}>{message}</a>
          </li>
        ))}
      </ul>
    </div>
  );
}

function Input(props: { name: string; label: string; value: string; error?: string | undefined; type: string; autocomplete: string; help: string; inputMode?: string }) {
  const id = `campo-${props.name}`;
  return (
    <div class="form-group mb-3">
      <label for={id} class="active">
        {props.label}
      </label>
      <input
        id={id}
        name={props.name}
        type={props.type as 'text'}
        value={props.value}
        class={`form-control${props.error ? ' is-invalid' : ''}`}
        autocomplete={props.autocomplete}
        inputMode={props.inputMode as 'tel' | undefined}
        maxLength={254}
        aria-invalid={props.error ? 'true' : undefined}
        aria-describedby={`${id}-aiuto${props.error ? ` ${id}-errore` : ''}`}
      />
      <small id={`${id}-aiuto`} class="form-text">
        {props.help}
      </small>
      {props.error ? (
        <div id={`${id}-errore`} class="invalid-feedback d-block">
          {props.error}
        </div>
      ) : null}
    </div>
  );
}

export interface SubscribeValues {
  phone: string;
  email: string;
  topics: string[];
  others: string[];
  filter: string;
  consent: boolean;
}

export function SubscribePage(props: {
  ente: Ente;
  viewer: Viewer | null;
  csrf: string;
  topics: TopicRow[];
  comuni: Ente[];
  values: SubscribeValues;
  errors: FieldErrors;
  notice?: string | undefined;
  citizen: { name: string; fiscalCode: string } | null;
  consentText: string;
  /** The two-way number citizens reply STOP to (SMS_REPLY_NUMBER), when there is one. */
  replyNumber?: string | undefined;
}) {
  const { ente, values, errors } = props;
  const filter = values.filter.trim().toLowerCase();
  const shown = filter ? props.comuni.filter((c) => c.name.toLowerCase().includes(filter) || values.others.includes(c.slug)) : props.comuni;
  const hidden = values.others.filter((slug) => !shown.some((c) => c.slug === slug));
  const described = (field: string) => (errors[field] ? `campo-${field}-errore` : undefined);
  return (
    <AvvisiLayout ente={ente} viewer={props.viewer} title={t('messaging.subs.page.title', { ente: ente.name })}>
      <h1 class="h2">{t('messaging.subs.page.title', { ente: ente.name })}</h1>
      <p class="lead">{t('messaging.subs.page.lead')}</p>
      {props.notice ? (
        <Alert kind="danger" id="errore">
          {props.notice}
        </Alert>
      ) : null}
      <ErrorSummary errors={errors} />
      {props.citizen ? (
        <Alert kind="info">{t('messaging.subs.page.citizen', { name: props.citizen.name, cf: props.citizen.fiscalCode })}</Alert>
      ) : (
        <p>
          {t('messaging.subs.page.spid')}{' '}
          <a href={`/auth/citizen/login?next=${encodeURIComponent(avvisiPath(ente.slug))}`}>{t('messaging.subs.page.spidLink')}</a>
        </p>
      )}
      <form method="post" action={avvisiPath(ente.slug)} novalidate>
        <CsrfField token={props.csrf} />
        <fieldset class="mb-4" aria-describedby={described('argomenti')}>
          <legend class="h4" id="campo-argomenti">
            {t('messaging.subs.topics.legend')}
          </legend>
          {errors.argomenti ? (
            <p id="campo-argomenti-errore" class="text-danger">
              {errors.argomenti}
            </p>
          ) : null}
          {props.topics.map((topic) => (
            <div class={`form-check${topic.urgent ? ' border border-danger rounded p-3 ps-5 mb-3 bg-light' : ''}`}>
              <input class="form-check-input" type="checkbox" name="argomenti" value={topic.code} id={`argomento-${topic.code}`} checked={values.topics.includes(topic.code)} aria-describedby={`argomento-${topic.code}-descr`} />
              <label class="form-check-label fw-semibold" for={`argomento-${topic.code}`}>
                {topic.label}
                {topic.urgent ? <span class="badge bg-danger ms-2">{t('messaging.subs.topics.urgent')}</span> : null}
              </label>
              <p class="small mb-1" id={`argomento-${topic.code}-descr`}>
                {topic.description ?? ''}
                {topic.urgent ? ` ${t('messaging.subs.topics.urgentHelp')}` : ''}
              </p>
            </div>
          ))}
        </fieldset>

        <fieldset class="mb-4" aria-describedby={described('comuni')}>
          <legend class="h4" id="campo-comuni">
            {t('messaging.subs.others.legend')}
          </legend>
          <p class="small">{t('messaging.subs.others.help', { ente: ente.name })}</p>
          {errors.comuni ? (
            <p id="campo-comuni-errore" class="text-danger">
              {errors.comuni}
            </p>
          ) : null}
          <div class="row g-2 align-items-end mb-2">
            <div class="col-md-8">
              <label for="campo-cerca" class="form-label">
                {t('messaging.subs.others.filter')}
              </label>
              <input id="campo-cerca" name="cerca" type="search" class="form-control" value={values.filter} maxLength={80} autocomplete="off" />
            </div>
            <div class="col-md-4">
              <button type="submit" name="azione" value="filtra" class="btn btn-outline-primary w-100">
                {t('messaging.subs.others.filterButton')}
              </button>
            </div>
          </div>
          <p class="small" role="status">
            {t('messaging.subs.others.count', { shown: shown.length, total: props.comuni.length, chosen: values.others.length })}
          </p>
          {hidden.map((slug) => (
            <input type="hidden" name="comuni" value={slug} />
          ))}
          <div class="border rounded p-2" style="max-height: 18rem; overflow-y: auto" tabindex={0} role="group" aria-label={t('messaging.subs.others.listLabel')}>
            {shown.map((c) => (
              <div class="form-check">
                <input class="form-check-input" type="checkbox" name="comuni" value={c.slug} id={`comune-${c.slug}`} checked={values.others.includes(c.slug)} />
                <label class="form-check-label" for={`comune-${c.slug}`}>
                  {c.name}
                </label>
              </div>
            ))}
            {shown.length === 0 ? <p class="mb-0">{t('messaging.subs.others.none')}</p> : null}
          </div>
        </fieldset>

        <fieldset class="mb-4">
          <legend class="h4">{t('messaging.subs.contact.legend')}</legend>
          <p class="small">{t('messaging.subs.contact.help')}</p>
          <Input name="telefono" label={t('messaging.subs.contact.phone')} value={values.phone} error={errors.telefono} type="tel" autocomplete="tel" inputMode="tel" help={t('messaging.subs.contact.phoneHelp')} />
          <Input name="email" label={t('messaging.subs.contact.email')} value={values.email} error={errors.email} type="email" autocomplete="email" help={t('messaging.subs.contact.emailHelp')} />
        </fieldset>

        <section class="mb-4" aria-labelledby="informativa">
          <h2 class="h4" id="informativa">
            {t('messaging.subs.privacy.title')}
          </h2>
          <p>{t('messaging.subs.privacy.controller', { ente: ente.name })}</p>
          <p>{t('messaging.subs.privacy.purpose')}</p>
          <p>{props.replyNumber ? t('messaging.subs.privacy.rightsNumber', { number: props.replyNumber }) : t('messaging.subs.privacy.rights')}</p>
          <blockquote class="border-start border-4 border-primary ps-3 fst-italic" id="testo-consenso">
            {props.consentText}
          </blockquote>
          <div class="form-check">
            <input class="form-check-input" type="checkbox" name="consenso" value="si" id="campo-consenso" checked={values.consent} aria-describedby={described('consenso') ? 'testo-consenso campo-consenso-errore' : 'testo-consenso'} aria-invalid={errors.consenso ? 'true' : undefined} />
            <label class="form-check-label" for="campo-consenso">
              {t('messaging.subs.privacy.accept')}
            </label>
            {errors.consenso ? (
              <div id="campo-consenso-errore" class="invalid-feedback d-block">
                {errors.consenso}
              </div>
            ) : null}
          </div>
        </section>
        <button type="submit" name="azione" value="invia" class="btn btn-primary" id="invia">
          {t('messaging.subs.submit')}
        </button>
      </form>
      <p class="mt-4">
        <a href={leavePath(ente.slug)}>{t('messaging.subs.page.leaveLink')}</a>
      </p>
    </AvvisiLayout>
  );
}

const channelLabel = (channel: 'sms' | 'email', address: string) => t(`messaging.subs.confirm.${channel}`, { address });

export function ConfirmPage(props: { ente: Ente; viewer: Viewer | null; csrf: string; flow: string; channels: { channel: 'sms' | 'email'; address: string }[]; errors: FieldErrors; notice?: { kind: 'danger' | 'warning'; text: string } | undefined }) {
  const { ente } = props;
  return (
    <AvvisiLayout ente={ente} viewer={props.viewer} title={t('messaging.subs.confirm.title')} crumb={t('messaging.subs.confirm.title')}>
      <h1 class="h2">{t('messaging.subs.confirm.title')}</h1>
      <p class="lead">{t('messaging.subs.confirm.lead')}</p>
      {props.notice ? (
        <Alert kind={props.notice.kind} id="errore">
          {props.notice.text} <a href={avvisiPath(ente.slug)}>{t('messaging.subs.confirm.again')}</a>
        </Alert>
      ) : null}
      <ErrorSummary errors={props.errors} />
      <form method="post" action={confirmPath(ente.slug, props.flow)} novalidate>
        <CsrfField token={props.csrf} />
        {props.channels.map(({ channel, address }) => (
          <Input name={`codice-${channel}`} label={channelLabel(channel, address)} value="" error={props.errors[`codice-${channel}`]} type="text" autocomplete="one-time-code" inputMode="numeric" help={t('messaging.subs.confirm.help')} />
        ))}
        <button type="submit" class="btn btn-primary" id="conferma">
          {t('messaging.subs.confirm.submit')}
        </button>
      </form>
    </AvvisiLayout>
  );
}

export function DonePage(props: { ente: Ente; viewer: Viewer | null; title: string; enti: { name: string; topics: string[] }[]; text: string }) {
  return (
    <AvvisiLayout ente={props.ente} viewer={props.viewer} title={props.title} crumb={props.title}>
      <h1 class="h2">{props.title}</h1>
      <Alert kind="success" id="esito">
        {props.text}
      </Alert>
      {props.enti.length > 0 ? (
        <ul>
          {props.enti.map((e) => (
            <li>
              <strong>{e.name}</strong>: {e.topics.join(', ')}
            </li>
          ))}
        </ul>
      ) : null}
      <p>
        <a href={avvisiPath(props.ente.slug)}>{t('messaging.subs.back')}</a>
      </p>
    </AvvisiLayout>
  );
}

export function LeaveRequestPage(props: { ente: Ente; viewer: Viewer | null; csrf: string; values: { phone: string; email: string }; errors: FieldErrors; notice?: string | undefined }) {
  const { ente } = props;
  return (
    <AvvisiLayout ente={ente} viewer={props.viewer} title={t('messaging.subs.leave.title')} crumb={t('messaging.subs.leave.title')}>
      <h1 class="h2">{t('messaging.subs.leave.title')}</h1>
      <p class="lead">{t('messaging.subs.leave.lead')}</p>
      {props.notice ? (
        <Alert kind="danger" id="errore">
          {props.notice}
        </Alert>
      ) : null}
      <ErrorSummary errors={props.errors} />
      <form method="post" action={leavePath(ente.slug)} novalidate>
        <CsrfField token={props.csrf} />
        <Input name="telefono" label={t('messaging.subs.contact.phone')} value={props.values.phone} error={props.errors.telefono} type="tel" autocomplete="tel" inputMode="tel" help={t('messaging.subs.leave.phoneHelp')} />
        <Input name="email" label={t('messaging.subs.contact.email')} value={props.values.email} error={props.errors.email} type="email" autocomplete="email" help={t('messaging.subs.leave.emailHelp')} />
        <button type="submit" class="btn btn-primary" id="invia">
          {t('messaging.subs.submit')}
        </button>
      </form>
    </AvvisiLayout>
  );
}

export function ManagePage(props: { ente: Ente; viewer: Viewer | null; csrf: string; flow: string; address: string; followed: Followed[]; notice?: string | undefined }) {
  const { ente } = props;
  return (
    <AvvisiLayout ente={ente} viewer={props.viewer} title={t('messaging.subs.manage.title')} crumb={t('messaging.subs.manage.title')}>
      <h1 class="h2">{t('messaging.subs.manage.title')}</h1>
      <p class="lead">{t('messaging.subs.manage.lead', { address: props.address })}</p>
      {props.notice ? (
        <Alert kind="danger" id="errore">
          {props.notice}
        </Alert>
      ) : null}
      {props.followed.length === 0 ? (
        <Alert kind="info">{t('messaging.subs.manage.none')}</Alert>
      ) : (
        <form method="post" action={managePath(ente.slug, props.flow)}>
          <CsrfField token={props.csrf} />
          {props.followed.map((f) => (
            <fieldset class="mb-4 border rounded p-3">
              <legend class="h5 float-none w-auto px-2">{f.enteName}</legend>
              <div class="form-check mb-2">
                <input class="form-check-input" type="checkbox" name="tutto" value={f.enteId} id={`tutto-${f.enteId}`} />
                <label class="form-check-label fw-semibold" for={`tutto-${f.enteId}`}>
                  {t('messaging.subs.manage.all', { ente: f.enteName })}
                </label>
              </div>
              {f.topics.map((topic) => (
                <div class="form-check">
                  <input class="form-check-input" type="checkbox" name="lascia" value={`${f.enteId}:${topic.code}`} id={`lascia-${f.enteId}-${topic.code}`} />
                  <label class="form-check-label" for={`lascia-${f.enteId}-${topic.code}`}>
                    {t('messaging.subs.manage.topic', { topic: topic.label })}
                  </label>
                </div>
              ))}
            </fieldset>
          ))}
          <button type="submit" class="btn btn-primary" id="conferma">
            {t('messaging.subs.manage.submit')}
          </button>
        </form>
      )}
    </AvvisiLayout>
  );
}

export function TokenPage(props: { ente: Ente; viewer: Viewer | null; csrf: string; token: string; email: string | null; topics: { label: string }[]; off: boolean }) {
  const { ente } = props;
  return (
    <AvvisiLayout ente={ente} viewer={props.viewer} title={t('messaging.subs.token.title')} crumb={t('messaging.subs.token.title')}>
      <h1 class="h2">{t('messaging.subs.token.title')}</h1>
      {props.off ? (
        <Alert kind="info">{t('messaging.subs.token.already')}</Alert>
      ) : (
        <>
          <p class="lead">{t('messaging.subs.token.lead', { ente: ente.name, email: props.email ?? '' })}</p>
          {props.topics.length > 0 ? <p>{t('messaging.subs.token.topics', { topics: props.topics.map((x) => x.label).join(', ') })}</p> : null}
          <form method="post" action={tokenPath(ente.slug, props.token)}>
            <CsrfField token={props.csrf} />
            <button type="submit" class="btn btn-primary" id="conferma">
              {t('messaging.subs.token.submit')}
            </button>
          </form>
        </>
      )}
    </AvvisiLayout>
  );
}
