// The back-office page of one ente as components: services with activate / deactivate forms, the adhesion
// state and history with the CST's forms, the memberships with join / leave forms. Rendering only: the data
// comes loaded (EnteView) and a refused write comes back as Feedback with the user's input.
import { t, formatDate } from '../../../platform/views/i18n/index.js';
import { CsrfField } from '../../../platform/views/layout.js';
import { isCurrent, type Ente, type Membership } from '../../../platform/tenancy/index.js';
import { lateAdhesionDeadline } from '../adhesion.js';
import type { NetworkEntry } from '../service.js';
import type { AdhesionEventRow, Protocol, ServicePeriod } from '../store.js';
import { ErrorAlert, StatusBadge, SuccessAlert } from './common.js';

export type FormName = 'service' | 'adhere' | 'withdraw' | 'join' | 'leave';

export interface Feedback {
  esito?: string | undefined;
  error?: { form: FormName; message: string; values: Record<string, string> };
}

const outcomes = ['servizio-attivato', 'servizio-disattivato', 'adesione-registrata', 'recesso-registrato', 'ingresso-registrato', 'uscita-registrata'];

export interface EnteView {
  ente: Ente;
  entry: NetworkEntry | undefined;
  protocol: Protocol;
  history: AdhesionEventRow[];
  periods: ServicePeriod[];
  catalogue: { code: string; name: string; description: string; public_path: string | null }[];
  memberships: Membership[];
  parents: Ente[];
  canManage: boolean;
  canCst: boolean;
  today: string;
}

const recordedAt = new Intl.DateTimeFormat('it-IT', { timeZone: 'Europe/Rome', dateStyle: 'short', timeStyle: 'short' });

function valueOf(feedback: Feedback, form: FormName, field: string, fallback: string, match?: (values: Record<string, string>) => boolean): string {
  const error = feedback.error;
  if (!error || error.form !== form || (match && !match(error.values))) return fallback;
  return error.values[field] ?? fallback;
}

function ServicesSection({ view, feedback, csrf }: { view: EnteView; feedback: Feedback; csrf: string }) {
  const { ente, periods, catalogue, canManage, today } = view;
  // Only adhering enti may activate services (the service layer enforces it; the page does not offer it).
  const signed = view.entry?.adhesion.status === 'signed';
  return (
    <section aria-labelledby="servizi" class="mb-5">
      <h2 id="servizi">{t('members.ente.services')}</h2>
      {canManage ? null : <p>{t('members.ente.services.readOnly')}</p>}
      {canManage && !signed ? <p>{t('members.ente.services.notSigned')}</p> : null}
      <div class="table-responsive">
        <table class="table align-middle">
          <caption>{t('members.ente.services.caption', { name: ente.name })}</caption>
          <thead>
            <tr>
              <th scope="col">{t('members.ente.col.service')}</th>
              <th scope="col">{t('members.ente.col.state')}</th>
              {canManage ? <th scope="col">{t('members.ente.col.actions')}</th> : null}
            </tr>
          </thead>
          <tbody>
            {catalogue.map((service) => {
              const mine = periods.filter((p) => p.code === service.code);
              const open = mine.find((p) => p.activeTo === null);
              const running = mine.find((p) => p.activeFrom <= today && (p.activeTo === null || p.activeTo > today));
              const state = open
                ? open.activeFrom > today
                  ? t('members.ente.service.scheduled', { from: formatDate(open.activeFrom) })
                  : t('members.ente.service.active', { from: formatDate(open.activeFrom) })
                : running
                  ? t('members.ente.service.activeUntil', { from: formatDate(running.activeFrom), to: formatDate(running.activeTo) })
                  : t('members.ente.service.inactive');
              const action = open ? 'deactivate' : 'activate';
              const id = `servizio-${service.code}-data`;
              const date = valueOf(feedback, 'service', 'date', today, (v) => v.code === service.code);
              return (
                <tr>
                  <th scope="row">
                    {running && service.public_path ? <a href={`/backoffice/enti/${ente.slug}/${service.public_path}`}>{service.name}</a> : service.name}
                  </th>
                  <td>{state}</td>
                  {canManage && !open && !signed ? <td></td> : null}
                  {canManage && (open || signed) ? (
                    <td>
                      <form method="post" action={`/backoffice/enti/${ente.slug}/servizi`} class="d-flex flex-wrap align-items-center gap-2">
                        <CsrfField token={csrf} />
                        <input type="hidden" name="action" value={action} />
                        <input type="hidden" name="code" value={service.code} />
                        <label for={id} class="visually-hidden">
                          {t(action === 'activate' ? 'members.ente.service.activateDate' : 'members.ente.service.deactivateDate', { name: service.name })}
                        </label>
                        <input type="date" id={id} name="date" value={date} required class="form-control w-auto" />
                        <button type="submit" class={`btn btn-sm ${action === 'activate' ? 'btn-primary' : 'btn-outline-primary'}`}>
                          {t(action === 'activate' ? 'members.ente.service.activate' : 'members.ente.service.deactivate')}
                          <span class="visually-hidden"> {service.name}</span>
                        </button>
                      </form>
                    </td>
                  ) : null}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function AdhesionForm({ view, feedback, csrf, form }: { view: EnteView; feedback: Feedback; csrf: string; form: 'adhere' | 'withdraw' }) {
  const prefix = form === 'adhere' ? 'adesione' : 'recesso';
  const value = (field: string, fallback = '') => valueOf(feedback, form, field, fallback);
  const help = form === 'adhere' ? t('members.ente.adhere.help', { deadline: formatDate(lateAdhesionDeadline(view.protocol)), days: view.protocol.lateAdhesionDays }) : t('members.ente.withdraw.help');
  return (
    <form method="post" action={`/backoffice/enti/${view.ente.slug}/adesione`} id={`modulo-${prefix}`} class="border rounded p-3 mb-4">
      <h3 class="h5">{t(form === 'adhere' ? 'members.ente.adhere' : 'members.ente.withdraw')}</h3>
      <p class="small" id={`${prefix}-aiuto`}>
        {help}
      </p>
      <CsrfField token={csrf} />
      <input type="hidden" name="action" value={form === 'adhere' ? 'adhere' : 'withdraw'} />
      <div class="mb-3">
        <label for={`${prefix}-data`} class="form-label">
          {t('members.ente.field.date')}
        </label>
        <input type="date" id={`${prefix}-data`} name="date" value={value('date', view.today)} required class="form-control w-auto" />
      </div>
      <div class="mb-3">
        <label for={`${prefix}-atto`} class="form-label">
          {t('members.ente.field.basis')}
        </label>
        <input type="text" id={`${prefix}-atto`} name="basis" value={value('basis')} maxLength={300} class="form-control" aria-describedby={`${prefix}-aiuto`} />
      </div>
      <div class="mb-3">
        <label for={`${prefix}-note`} class="form-label">
          {t('members.ente.field.note')}
        </label>
        <textarea id={`${prefix}-note`} name="note" rows={2} maxLength={1000} class="form-control">
          {value('note')}
        </textarea>
      </div>
      <button type="submit" class="btn btn-primary">
        {t(form === 'adhere' ? 'members.ente.adhere.submit' : 'members.ente.withdraw.submit')}
      </button>
    </form>
  );
}

function AdhesionSection({ view, feedback, csrf }: { view: EnteView; feedback: Feedback; csrf: string }) {
  const { ente, entry, history, canCst } = view;
  const adhesion = entry?.adhesion;
  return (
    <section aria-labelledby="adesione" class="mb-5">
      <h2 id="adesione">{t('members.ente.adhesion')}</h2>
      {adhesion ? (
        <p class="d-flex flex-wrap align-items-center gap-2">
          <span>{t('members.ente.adhesion.current')}</span>
          <StatusBadge status={adhesion.status} />
          {adhesion.since ? <span>{t('members.adhesion.since', { date: formatDate(adhesion.since) })}</span> : null}
          {entry?.via ? <span>{t('members.adhesion.via', { name: entry.via.name })}</span> : null}
          {adhesion.status === 'pending' && adhesion.deadline ? <span>({t('members.adhesion.deadline', { date: formatDate(adhesion.deadline) })})</span> : null}
        </p>
      ) : null}
      <h3 class="h5">{t('members.ente.adhesion.history')}</h3>
      {history.length === 0 ? (
        <p>{t('members.ente.adhesion.history.none')}</p>
      ) : (
        <div class="table-responsive">
          <table class="table table-sm">
            <caption>{t('members.ente.adhesion.history.caption', { name: ente.name })}</caption>
            <thead>
              <tr>
                <th scope="col">{t('members.ente.col.date')}</th>
                <th scope="col">{t('members.ente.col.event')}</th>
                <th scope="col">{t('members.ente.col.basis')}</th>
                <th scope="col">{t('members.ente.col.note')}</th>
                <th scope="col">{t('members.ente.col.recordedBy')}</th>
              </tr>
            </thead>
            <tbody>
              {history.map((e) => (
                <tr>
                  <th scope="row">{formatDate(e.effectiveOn)}</th>
                  <td>{t(`members.event.${e.event}`)}</td>
                  <td>{e.basis ?? ''}</td>
                  <td>{e.note ?? ''}</td>
                  <td>
                    {e.recordedBy} · {recordedAt.format(new Date(e.recordedAt))}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {canCst && adhesion ? (
        <div class="row mt-4">
          {!(adhesion.status === 'signed' && adhesion.viaEnteId === null) ? (
            <div class="col-lg-6">
              <AdhesionForm view={view} feedback={feedback} csrf={csrf} form="adhere" />
            </div>
          ) : null}
          {adhesion.status === 'signed' ? (
            <div class="col-lg-6">
              <AdhesionForm view={view} feedback={feedback} csrf={csrf} form="withdraw" />
            </div>
          ) : null}
        </div>
      ) : null}
    </section>
  );
}

const period = (m: Membership) =>
  m.validTo ? t('members.portal.period.closed', { from: formatDate(m.validFrom), to: formatDate(m.validTo) }) : t('members.portal.period.open', { from: formatDate(m.validFrom) });

function MembershipsSection({ view, feedback, csrf }: { view: EnteView; feedback: Feedback; csrf: string }) {
  const { ente, memberships, parents, canCst, today } = view;
  const open = memberships.filter((m) => m.validTo === null || isCurrent(m, today));
  const past = memberships.filter((m) => !open.includes(m));
  const joinValue = (field: string, fallback = '') => valueOf(feedback, 'join', field, fallback);
  return (
    <section aria-labelledby="appartenenze" class="mb-5">
      <h2 id="appartenenze">{t('members.ente.memberships')}</h2>
      {open.length === 0 ? (
        <p>{t('members.ente.memberships.none')}</p>
      ) : (
        <div class="table-responsive">
          <table class="table align-middle">
            <caption>{t('members.ente.memberships.caption', { name: ente.name })}</caption>
            <thead>
              <tr>
                <th scope="col">{t('members.ente.col.parent')}</th>
                <th scope="col">{t('members.bo.col.kind')}</th>
                <th scope="col">{t('members.ente.col.from')}</th>
                <th scope="col">{t('members.ente.col.source')}</th>
                {canCst ? <th scope="col">{t('members.ente.col.actions')}</th> : null}
              </tr>
            </thead>
            <tbody>
              {open.map((m) => {
                const id = `uscita-${m.id}-data`;
                return (
                  <tr>
                    <th scope="row">
                      <a href={`/backoffice/enti/${m.parent.slug}`}>{m.parent.name}</a>
                    </th>
                    <td>{t(`kind.${m.parent.kind}`)}</td>
                    <td>{period(m)}</td>
                    <td>{m.source ?? ''}</td>
                    {canCst ? (
                      <td>
                        {m.validTo === null ? (
                          <form method="post" action={`/backoffice/enti/${ente.slug}/appartenenze`} class="d-flex flex-wrap align-items-center gap-2">
                            <CsrfField token={csrf} />
                            <input type="hidden" name="action" value="leave" />
                            <input type="hidden" name="parent" value={m.parent.slug} />
                            <label for={id} class="visually-hidden">
                              {t('members.ente.leave.date', { name: m.parent.name })}
                            </label>
                            <input type="date" id={id} name="date" required class="form-control w-auto" value={valueOf(feedback, 'leave', 'date', today, (v) => v.parent === m.parent.slug)} />
                            <button type="submit" class="btn btn-sm btn-outline-primary">
                              {t('members.ente.leave.submit')}
                              <span class="visually-hidden"> · {m.parent.name}</span>
                            </button>
                          </form>
                        ) : null}
                      </td>
                    ) : null}
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {past.length > 0 ? (
        <details class="mb-4">
          <summary>{t('members.portal.memberships.past', { count: past.length })}</summary>
          <ul class="mt-2">
            {past.map((m) => (
              <li>
                {m.parent.name} · {period(m)}
              </li>
            ))}
          </ul>
        </details>
      ) : null}
      {canCst && parents.length > 0 ? (
        <form method="post" action={`/backoffice/enti/${ente.slug}/appartenenze`} id="modulo-ingresso" class="border rounded p-3">
          <h3 class="h5">{t('members.ente.join')}</h3>
          <CsrfField token={csrf} />
          <input type="hidden" name="action" value="join" />
          <div class="mb-3">
            <label for="ingresso-ente" class="form-label">
              {t('members.ente.join.parent')}
            </label>
            <select id="ingresso-ente" name="parent" required class="form-select">
              <option value="">{t('members.ente.join.choose')}</option>
              {parents.map((p) => (
                <option value={p.slug} selected={joinValue('parent') === p.slug}>
                  {p.name} ({t(`kind.${p.kind}`)})
                </option>
              ))}
            </select>
          </div>
          <div class="mb-3">
            <label for="ingresso-data" class="form-label">
              {t('members.ente.join.date')}
            </label>
            <input type="date" id="ingresso-data" name="date" required class="form-control w-auto" value={joinValue('date', today)} />
          </div>
          <div class="mb-3">
            <label for="ingresso-fonte" class="form-label">
              {t('members.ente.join.source')}
            </label>
            <input type="text" id="ingresso-fonte" name="source" maxLength={300} class="form-control" value={joinValue('source')} />
          </div>
          <button type="submit" class="btn btn-primary">
            {t('members.ente.join.submit')}
          </button>
        </form>
      ) : null}
    </section>
  );
}

export function EntePage({ view, feedback, csrf }: { view: EnteView; feedback: Feedback; csrf: string }) {
  const { ente } = view;
  return (
    <>
      <h1>{t('members.ente.title', { name: ente.name })}</h1>
      <p>
        {t(`kind.${ente.kind}`)} · <a href={`/${ente.slug}/`}>{t('members.ente.portal')}</a>
      </p>
      {feedback.esito && outcomes.includes(feedback.esito) ? <SuccessAlert>{t(`members.esito.${feedback.esito}`)}</SuccessAlert> : null}
      {feedback.error ? (
        <ErrorAlert title={t('members.ente.error.title')} id="errore">
          {feedback.error.message}
        </ErrorAlert>
      ) : null}
      <ServicesSection view={view} feedback={feedback} csrf={csrf} />
      <AdhesionSection view={view} feedback={feedback} csrf={csrf} />
      <MembershipsSection view={view} feedback={feedback} csrf={csrf} />
    </>
  );
}
