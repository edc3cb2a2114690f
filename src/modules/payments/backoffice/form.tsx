// The form of a new position (/backoffice/enti/{slug}/pagamenti/posizioni/nuova): a single payment or
// instalments (up to six rows, the empty ones ignored), an optional second beneficiary (e.g. the TEFA share to
// the Provincia), published at once or kept as a draft. A refusal comes back with the fields as typed.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { actorOf, csrfToken } from '../../../platform/auth/index.js';
import { withEnte } from '../../../platform/db/index.js';
import type { App } from '../../../platform/http/app.js';
import type { Platform } from '../../../platform/platform.js';
import type { Ente } from '../../../platform/tenancy/index.js';
import { t } from '../../../platform/views/i18n/index.js';
import { CsrfField } from '../../../platform/views/layout.js';
import { createPosition } from '../service.js';
import type { ServiceRow } from '../store.js';
import { ErrorAlert, Field, PaymentsLayout, fieldsOf, guard, isFormProblem, paymentsPath, sendPage } from './common.js';
import { amountOf, dateOf, positionInputOf } from './input.js';
import { positionPath } from './position.js';

export const MAX_FORM_INSTALMENTS = 6;
type Values = Record<string, string>;

function PositionForm({ request, reply, ente, services, values, error }: { request: FastifyRequest; reply: FastifyReply; ente: Ente; services: Pick<ServiceRow, 'code' | 'name'>[]; values: Values; error?: string | undefined }) {
  const title = t('payments.bo.form.title');
  const v = (name: string) => values[name] ?? '';
  return (
    <PaymentsLayout request={request} ente={ente} title={title} crumbs={[{ label: title }]}>
      <h1>{title}</h1>
      {error ? <ErrorAlert>{error}</ErrorAlert> : null}
      <form method="post" action={`${paymentsPath(ente.slug)}/posizioni/nuova`} novalidate>
        <CsrfField token={csrfToken(request, reply)} />
        <fieldset class="mb-4">
          <legend class="h4">{t('payments.bo.form.section.debt')}</legend>
          <div class="mb-3">
            <label for="posizione-servizio" class="form-label">
              {t('payments.bo.col.service')}
            </label>
            <select id="posizione-servizio" name="servizio" class="form-select" required>
              <option value="">{t('payments.bo.form.chooseService')}</option>
              {services.map((s) => (
                <option value={s.code} selected={v('servizio') === s.code}>
                  {s.name}
                </option>
              ))}
            </select>
          </div>
          <Field id="posizione-causale" name="causale" label={t('payments.bo.col.reason')} value={v('causale')} required maxLength={140} />
          <Field id="posizione-importo" name="importo" label={t('payments.bo.form.amount')} value={v('importo')} help={t('payments.bo.form.amount.help')} required maxLength={16} inputMode="decimal" />
          <Field id="posizione-riferimento" name="riferimento" label={t('payments.bo.position.ref')} value={v('riferimento')} help={t('payments.bo.form.ref.help')} maxLength={60} />
        </fieldset>
        <fieldset class="mb-4">
          <legend class="h4">{t('payments.bo.form.section.debtor')}</legend>
          <Field id="posizione-cf" name="cf_debitore" label={t('payments.bo.form.debtorCode')} value={v('cf_debitore')} required maxLength={16} />
          <Field id="posizione-nome" name="nome_debitore" label={t('payments.bo.form.debtorName')} value={v('nome_debitore')} required maxLength={200} />
          <Field id="posizione-email" name="email" type="email" label={t('payments.bo.form.email')} value={v('email')} maxLength={200} />
        </fieldset>
        <fieldset class="mb-4">
          <legend class="h4">{t('payments.bo.form.section.due')}</legend>
          <Field id="posizione-scadenza" name="scadenza" type="date" label={t('payments.bo.form.due')} value={v('scadenza')} help={t('payments.bo.form.due.help')} />
          <p id="rate-aiuto">{t('payments.bo.form.instalments.help')}</p>
          {Array.from({ length: MAX_FORM_INSTALMENTS }, (_, i) => (
            <div class="row g-2" role="group" aria-label={t('payments.bo.position.instalment', { n: i + 1 })}>
              <Field class="col-md-6" id={`rata-${i + 1}-importo`} name={`rata_${i + 1}_importo`} label={t('payments.bo.form.instalmentAmount', { n: i + 1 })} value={v(`rata_${i + 1}_importo`)} maxLength={16} inputMode="decimal" />
              <Field class="col-md-6" id={`rata-${i + 1}-scadenza`} name={`rata_${i + 1}_scadenza`} type="date" label={t('payments.bo.form.instalmentDue', { n: i + 1 })} value={v(`rata_${i + 1}_scadenza`)} />
            </div>
          ))}
        </fieldset>
        <fieldset class="mb-4">
          <legend class="h4">{t('payments.bo.form.section.second')}</legend>
          <p>{t('payments.bo.form.second.help')}</p>
          <Field id="secondo-cf" name="cf_secondo" label={t('payments.bo.form.secondCode')} value={v('cf_secondo')} maxLength={11} inputMode="numeric" />
          <Field id="secondo-iban" name="iban_secondo" label={t('payments.bo.form.secondIban')} value={v('iban_secondo')} maxLength={34} />
          <Field id="secondo-importo" name="importo_secondo" label={t('payments.bo.form.secondAmount')} value={v('importo_secondo')} maxLength={16} inputMode="decimal" />
          <Field id="secondo-causale" name="causale_secondo" label={t('payments.bo.form.secondReason')} value={v('causale_secondo')} maxLength={140} />
        </fieldset>
        <div class="form-check mb-4">
          <input class="form-check-input" type="checkbox" id="posizione-bozza" name="bozza" value="si" checked={v('bozza') === 'si'} />
          <label class="form-check-label" for="posizione-bozza">
            {t('payments.bo.form.draft')}
          </label>
        </div>
        <button type="submit" class="btn btn-primary">
          {t('payments.bo.form.submit')}
        </button>
      </form>
    </PaymentsLayout>
  );
}

/** The typed instalment rows (pairs with both fields empty skipped). */
function instalmentsOf(values: Values) {
  const out: { amountCents: number; dueDate: string }[] = [];
  for (let i = 1; i <= MAX_FORM_INSTALMENTS; i++) {
    const amount = values[`rata_${i}_importo`] ?? '';
    const due = values[`rata_${i}_scadenza`] ?? '';
    if (!amount && !due) continue;
    out.push({ amountCents: amountOf(amount, t('payments.bo.position.instalment', { n: i })), dueDate: dateOf(due, t('payments.bo.position.instalment', { n: i })) });
  }
  return out;
}

const Params = Type.Object({ slug: Type.String({ maxLength: 200 }) });

export function registerFormPages(app: App, platform: Platform) {
  const path = '/backoffice/enti/:slug/pagamenti/posizioni/nuova';
  const services = (enteId: string) => withEnte(platform.db.app, enteId, (trx) => trx.selectFrom('payment_service').select(['code', 'name']).where('active', '=', true).orderBy('name').execute());

  app.get(path, { schema: { hide: true, params: Params } }, async (request, reply) => {
    const g = await guard(request, reply, platform, request.params.slug, 'payments.manage');
    if (!g) return reply;
    return sendPage(reply, <PositionForm request={request} reply={reply} ente={g.ente} services={await services(g.ente.id)} values={{}} />);
  });

  app.post(path, { schema: { hide: true, params: Params } }, async (request, reply) => {
    const g = await guard(request, reply, platform, request.params.slug, 'payments.manage');
    if (!g) return reply;
    const values = fieldsOf(request.body);
    try {
      const input = positionInputOf({
        reference: values.riferimento,
        service: values.servizio ?? '',
        debtorFiscalCode: values.cf_debitore ?? '',
        debtorName: values.nome_debitore ?? '',
        email: values.email,
        reason: values.causale ?? '',
        amount: values.importo ?? '',
        dueDate: values.scadenza,
        instalments: instalmentsOf(values),
        second: { fiscalCode: values.cf_secondo, iban: values.iban_secondo, amount: values.importo_secondo, remittance: values.causale_secondo },
      });
      const { position, created } = await createPosition(platform.db.app, actorOf(request), g.ente.id, input, { publish: values.bozza !== 'si' });
      return reply.redirect(`${positionPath(g.ente.slug, position.id)}?esito=${created ? 'creata' : 'esistente'}`, 303);
    } catch (err) {
      if (!isFormProblem(err)) throw err;
      return sendPage(reply, <PositionForm request={request} reply={reply} ente={g.ente} services={await services(g.ente.id)} values={values} error={err.detail ?? err.title} />, err.status);
    }
  });
}
