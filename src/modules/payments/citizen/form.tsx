// The form of a spontaneous payment (a catalogue item the citizen pays on their own initiative): the amount
// (fixed, or typed in euro), the reason, and a hidden key that makes a second submission of the same form find
// the position of the first. Errors are shown next to their fields and summarised at the top.
import { italianDate } from '../../../platform/calendar/index.js';
import type { Ente } from '../../../platform/tenancy/index.js';
import { t } from '../../../platform/views/i18n/index.js';
import { CsrfField, type Viewer } from '../../../platform/views/layout.js';
import { PortalLayout, euro, paymentsPath } from './pages.js';
import type { FieldErrors } from './service.js';
import type { CatalogueItem } from './store.js';
import './messages.js';

export interface NewPaymentData {
  ente: Ente;
  viewer: Viewer | null;
  item: CatalogueItem;
  citizenName: string;
  due: string;
  csrf: string;
  values: { amount: string; reason: string; key: string };
  errors: FieldErrors;
}

function FieldError({ id, message }: { id: string; message: string | undefined }) {
  return message ? (
    <div id={id} class="invalid-feedback d-block">
      {message}
    </div>
  ) : null;
}

export function NewPaymentPage({ ente, viewer, item, citizenName, due, csrf, values, errors }: NewPaymentData) {
  const title = t('payments.citizen.new.title', { name: item.name });
  const fixed = item.fixed_amount_cents ? Number(item.fixed_amount_cents) : null;
  const describe = (field: 'amount' | 'reason') => [`${field}-hint`, errors[field] ? `${field}-error` : ''].filter(Boolean).join(' ');
  return (
    <PortalLayout ente={ente} viewer={viewer} title={`${title} · ${ente.name}`} crumbs={[{ label: t('payments.citizen.title'), href: paymentsPath(ente.slug) }, { label: title }]}>
      <h1>{title}</h1>
      <p>{t('payments.citizen.new.intro', { name: citizenName, due: italianDate(due) })}</p>
      {Object.keys(errors).length ? (
        <div class="alert alert-danger" role="alert" id="errori">
          <p class="fw-bold mb-1">{t('payments.citizen.new.errors')}</p>
          <ul class="mb-0">
            {Object.values(errors).map((e) => (
              <li>{e}</li>
            ))}
          </ul>
        </div>
      ) : null}
      <form method="post" action={`/${ente.slug}/pagamenti/nuovo`} class="mt-4" novalidate>
        <CsrfField token={csrf} />
        <input type="hidden" name="servizio" value={item.code} />
        <input type="hidden" name="chiave" value={values.key} />
        {fixed ? (
          <p class="mb-4">
            <strong>{t('payments.citizen.new.fixed')}:</strong> <span id="importo-fisso">{euro(fixed)}</span>
          </p>
        ) : (
          <div class="form-group mb-4">
            <label for="amount" class="active">
              {t('payments.citizen.new.amount')}
            </label>
            <input
              type="text"
              inputmode="decimal"
              id="amount"
              name="importo"
              value={values.amount}
              required
              autocomplete="off"
              class={`form-control${errors.amount ? ' is-invalid' : ''}`}
              aria-invalid={errors.amount ? 'true' : undefined}
              aria-describedby={describe('amount')}
            />
            <small id="amount-hint" class="form-text">
              {t('payments.citizen.new.amountHint')}
            </small>
            <FieldError id="amount-error" message={errors.amount} />
          </div>
        )}
        <div class="form-group mb-4">
          <label for="reason" class="active">
            {t('payments.citizen.new.reason')}
          </label>
          <input
            type="text"
            id="reason"
            name="causale"
            value={values.reason}
            required
            maxLength={140}
            class={`form-control${errors.reason ? ' is-invalid' : ''}`}
            aria-invalid={errors.reason ? 'true' : undefined}
            aria-describedby={describe('reason')}
          />
          <small id="reason-hint" class="form-text">
            {t('payments.citizen.new.reasonHint')}
          </small>
          <FieldError id="reason-error" message={errors.reason} />
        </div>
        <div class="d-flex flex-wrap gap-3">
          <button type="submit" class="btn btn-primary">
            {t('payments.citizen.new.submit')}
          </button>
          <a class="btn btn-outline-primary" href={paymentsPath(ente.slug)}>
            {t('payments.citizen.new.cancel')}
          </a>
        </div>
      </form>
    </PortalLayout>
  );
}
