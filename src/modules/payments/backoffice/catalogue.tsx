// The catalogue of what an ente collects (/backoffice/enti/{slug}/pagamenti/servizi): add, edit, deactivate
// and reactivate items (code, name, pagoPA taxonomy, account, spontaneous payment, fixed amount). An item in use
// by positions is never deleted: deactivated, no new position can use it.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { actorOf, csrfToken } from '../../../platform/auth/index.js';
import { recordAudit } from '../../../platform/audit/index.js';
import { withEnte } from '../../../platform/db/index.js';
import type { App } from '../../../platform/http/app.js';
import { notFound } from '../../../platform/http/problem.js';
import type { Platform } from '../../../platform/platform.js';
import type { Ente } from '../../../platform/tenancy/index.js';
import { t } from '../../../platform/views/i18n/index.js';
import { CsrfField } from '../../../platform/views/layout.js';
import { AmountError, formatCents, parseEuroToCents } from '../amounts.js';
import { TAXONOMY } from '../service.js';
import { configOf, type ServiceRow } from '../store.js';
import { ErrorSummary, Field, Outcome, PaymentsLayout, euro, fieldsOf, guard, paymentsPath, sendPage, type FieldErrors } from './common.js';

type ServiceValues = { code: string; name: string; taxonomy: string; iban_kind: string; spontaneous: string; fixed_amount: string };
type ServiceWrite = Pick<ServiceRow, 'name' | 'taxonomy' | 'iban_kind' | 'spontaneous' | 'fixed_amount_cents'>;

export function validateService(v: ServiceValues, hasPostal: boolean): { row?: ServiceWrite; errors: FieldErrors } {
  const errors: FieldErrors = {};
  if (!/^[a-z0-9_]{2,40}$/.test(v.code)) errors.code = t('payments.bo.catalogue.err.code');
  if (!v.name || v.name.length > 200) errors.name = t('payments.bo.catalogue.err.name');
  const taxonomy = v.taxonomy.toUpperCase();
  if (!TAXONOMY.test(taxonomy)) errors.taxonomy = t('payments.bo.catalogue.err.taxonomy');
  if (v.iban_kind !== 'bank' && v.iban_kind !== 'postal') errors.iban_kind = t('payments.bo.catalogue.err.kind');
  else if (v.iban_kind === 'postal' && !hasPostal) errors.iban_kind = t('payments.bo.catalogue.err.noPostal');
  let fixed: number | null = null;
  if (v.fixed_amount) {
    try {
      fixed = parseEuroToCents(v.fixed_amount);
    } catch (err) {
      if (!(err instanceof AmountError)) throw err;
      errors.fixed_amount = t('payments.bo.catalogue.err.amount', { detail: err.message });
    }
  }
  if (Object.keys(errors).length > 0) return { errors };
  return { errors, row: { name: v.name, taxonomy, iban_kind: v.iban_kind as 'bank' | 'postal', spontaneous: v.spontaneous === 'si', fixed_amount_cents: fixed } };
}

const valuesOf = (s: ServiceRow): ServiceValues => ({
  code: s.code,
  name: s.name,
  taxonomy: s.taxonomy,
  iban_kind: s.iban_kind,
  spontaneous: s.spontaneous ? 'si' : '',
  fixed_amount: s.fixed_amount_cents ? formatCents(Number(s.fixed_amount_cents)) : '',
});

function ServiceForm({ request, reply, ente, values, errors, editing }: { request: FastifyRequest; reply: FastifyReply; ente: Ente; values: ServiceValues; errors: FieldErrors; editing: boolean }) {
  const base = `${paymentsPath(ente.slug)}/servizi`;
  return (
    <form method="post" action={editing ? `${base}/${values.code}` : base} novalidate>
      <CsrfField token={csrfToken(request, reply)} />
      <ErrorSummary errors={errors} prefix="servizio" />
      {editing ? (
        <p>
          {t('payments.bo.catalogue.code')}: <code>{values.code}</code>
        </p>
      ) : (
        <Field id="servizio-code" name="code" label={t('payments.bo.catalogue.code')} value={values.code} error={errors.code} help={t('payments.bo.catalogue.code.help')} required maxLength={40} />
      )}
      <Field id="servizio-name" name="name" label={t('payments.bo.catalogue.name')} value={values.name} error={errors.name} required maxLength={200} />
      <Field id="servizio-taxonomy" name="taxonomy" label={t('payments.bo.catalogue.taxonomy')} value={values.taxonomy} error={errors.taxonomy} help={t('payments.bo.catalogue.taxonomy.help')} required maxLength={12} />
      <div class="mb-3">
        <label for="servizio-iban_kind" class="form-label">
          {t('payments.bo.catalogue.kind')}
        </label>
        <select id="servizio-iban_kind" name="iban_kind" class={`form-select${errors.iban_kind ? ' is-invalid' : ''}`} aria-describedby={errors.iban_kind ? 'servizio-iban_kind-errore' : undefined}>
          <option value="bank" selected={values.iban_kind !== 'postal'}>
            {t('payments.bo.catalogue.kind.bank')}
          </option>
          <option value="postal" selected={values.iban_kind === 'postal'}>
            {t('payments.bo.catalogue.kind.postal')}
          </option>
        </select>
        {errors.iban_kind ? (
          <div id="servizio-iban_kind-errore" class="invalid-feedback d-block">
            {errors.iban_kind}
          </div>
        ) : null}
      </div>
      <div class="form-check mb-3">
        <input class="form-check-input" type="checkbox" id="servizio-spontaneous" name="spontaneous" value="si" checked={values.spontaneous === 'si'} />
        <label class="form-check-label" for="servizio-spontaneous">
          {t('payments.bo.catalogue.spontaneous')}
        </label>
      </div>
      <Field id="servizio-fixed_amount" name="fixed_amount" label={t('payments.bo.catalogue.fixed')} value={values.fixed_amount} error={errors.fixed_amount} help={t('payments.bo.catalogue.fixed.help')} maxLength={16} inputMode="decimal" />
      <button type="submit" class="btn btn-primary">
        {editing ? t('payments.bo.catalogue.save') : t('payments.bo.catalogue.add')}
      </button>
    </form>
  );
}

function CataloguePage(props: { request: FastifyRequest; reply: FastifyReply; ente: Ente; items: ServiceRow[]; values: ServiceValues; errors: FieldErrors; esito?: string | undefined }) {
  const { request, reply, ente, items } = props;
  const title = t('payments.bo.catalogue.title', { name: ente.name });
  const base = `${paymentsPath(ente.slug)}/servizi`;
  const csrf = csrfToken(request, reply);
  return (
    <PaymentsLayout request={request} ente={ente} title={title} crumbs={[{ label: t('payments.bo.catalogue.crumb') }]}>
      <h1>{title}</h1>
      <Outcome esito={props.esito} />
      <div class="table-responsive mb-5">
        <table class="table align-middle">
          <caption>{t('payments.bo.catalogue.caption', { name: ente.name })}</caption>
          <thead>
            <tr>
              <th scope="col">{t('payments.bo.catalogue.code')}</th>
              <th scope="col">{t('payments.bo.catalogue.name')}</th>
              <th scope="col">{t('payments.bo.catalogue.taxonomy')}</th>
              <th scope="col">{t('payments.bo.catalogue.kind')}</th>
              <th scope="col">{t('payments.bo.catalogue.spontaneousShort')}</th>
              <th scope="col">{t('payments.bo.catalogue.fixed')}</th>
              <th scope="col">{t('payments.bo.catalogue.state')}</th>
              <th scope="col">{t('payments.bo.catalogue.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {items.map((s) => (
              <tr>
                <th scope="row">
                  <code>{s.code}</code>
                </th>
                <td>{s.name}</td>
                <td>{s.taxonomy}</td>
                <td>{t(`payments.bo.catalogue.kind.${s.iban_kind}`)}</td>
                <td>{s.spontaneous ? t('payments.bo.yes') : t('payments.bo.no')}</td>
                <td>{s.fixed_amount_cents ? euro(Number(s.fixed_amount_cents)) : '—'}</td>
                <td>{s.active ? t('payments.bo.catalogue.active') : t('payments.bo.catalogue.inactive')}</td>
                <td class="d-flex flex-wrap gap-2">
                  <a class="btn btn-sm btn-outline-primary" href={`${base}/${s.code}`} aria-label={t('payments.bo.catalogue.editOf', { name: s.name })}>
                    {t('payments.bo.catalogue.edit')}
                  </a>
                  <form method="post" action={`${base}/${s.code}/stato`}>
                    <input type="hidden" name="_csrf" value={csrf} />
                    <input type="hidden" name="active" value={s.active ? 'no' : 'si'} />
                    <button type="submit" class="btn btn-sm btn-outline-secondary" aria-label={t(s.active ? 'payments.bo.catalogue.deactivateOf' : 'payments.bo.catalogue.activateOf', { name: s.name })}>
                      {s.active ? t('payments.bo.catalogue.deactivate') : t('payments.bo.catalogue.activate')}
                    </button>
                  </form>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <section aria-labelledby="nuovo-servizio">
        <h2 id="nuovo-servizio" class="h4">
          {t('payments.bo.catalogue.new')}
        </h2>
        <ServiceForm request={request} reply={reply} ente={ente} values={props.values} errors={props.errors} editing={false} />
      </section>
    </PaymentsLayout>
  );
}

const Params = Type.Object({ slug: Type.String({ maxLength: 200 }) });
const ItemParams = Type.Object({ slug: Type.String({ maxLength: 200 }), code: Type.String({ maxLength: 60 }) });
const empty: ServiceValues = { code: '', name: '', taxonomy: '', iban_kind: 'bank', spontaneous: '', fixed_amount: '' };
const typedOf = (body: unknown): ServiceValues => {
  const f = fieldsOf(body);
  return { code: f.code ?? '', name: f.name ?? '', taxonomy: f.taxonomy ?? '', iban_kind: f.iban_kind ?? '', spontaneous: f.spontaneous ?? '', fixed_amount: f.fixed_amount ?? '' };
};

export function registerCataloguePages(app: App, platform: Platform) {
  const path = '/backoffice/enti/:slug/pagamenti/servizi';
  const list = (enteId: string) => withEnte(platform.db.app, enteId, (trx) => trx.selectFrom('payment_service').selectAll().orderBy('active', 'desc').orderBy('name').execute());
  const hasPostal = async (enteId: string) => Boolean((await withEnte(platform.db.app, enteId, (trx) => configOf(trx)))?.postal_iban);

  app.get(path, { schema: { hide: true, params: Params, querystring: Type.Object({ esito: Type.Optional(Type.String({ maxLength: 40 })) }) } }, async (request, reply) => {
    const g = await guard(request, reply, platform, request.params.slug, 'payments.manage');
    if (!g) return reply;
    return sendPage(reply, <CataloguePage request={request} reply={reply} ente={g.ente} items={await list(g.ente.id)} values={empty} errors={{}} esito={request.query.esito} />);
  });

  app.post(path, { schema: { hide: true, params: Params } }, async (request, reply) => {
    const g = await guard(request, reply, platform, request.params.slug, 'payments.manage');
    if (!g) return reply;
    const values = typedOf(request.body);
    const { row, errors } = validateService(values, await hasPostal(g.ente.id));
    const saved =
      row &&
      (await withEnte(platform.db.app, g.ente.id, async (trx) => {
        const inserted = await trx.insertInto('payment_service').values({ ente_id: g.ente.id, code: values.code, ...row }).onConflict((oc) => oc.columns(['ente_id', 'code']).doNothing()).returning('code').executeTakeFirst();
        if (inserted) await recordAudit(trx, { enteId: g.ente.id, actor: actorOf(request), action: 'payment_service.create', entity: 'payment_service', entityId: values.code, after: row });
        return Boolean(inserted);
      }));
    if (row && !saved) errors.code = t('payments.bo.catalogue.err.duplicate');
    if (!saved) return sendPage(reply, <CataloguePage request={request} reply={reply} ente={g.ente} items={await list(g.ente.id)} values={values} errors={errors} />, 422);
    return reply.redirect(`${paymentsPath(g.ente.slug)}/servizi?esito=servizio-aggiunto`, 303);
  });

  const itemPage = (request: FastifyRequest, reply: FastifyReply, ente: Ente, values: ServiceValues, errors: FieldErrors, status = 200) => {
    const title = t('payments.bo.catalogue.editTitle', { name: values.name || values.code });
    return sendPage(
      reply,
      <PaymentsLayout request={request} ente={ente} title={title} crumbs={[{ label: t('payments.bo.catalogue.crumb'), href: `${paymentsPath(ente.slug)}/servizi` }, { label: values.code }]}>
        <h1>{title}</h1>
        <ServiceForm request={request} reply={reply} ente={ente} values={values} errors={errors} editing />
      </PaymentsLayout>,
      status,
    );
  };
  const find = async (enteId: string, code: string) => {
    const row = await withEnte(platform.db.app, enteId, (trx) => trx.selectFrom('payment_service').selectAll().where('code', '=', code).executeTakeFirst());
    if (!row) throw notFound(t('payments.bo.catalogue.notFound'));
    return row;
  };

  app.get(`${path}/:code`, { schema: { hide: true, params: ItemParams } }, async (request, reply) => {
    const g = await guard(request, reply, platform, request.params.slug, 'payments.manage');
    if (!g) return reply;
    return itemPage(request, reply, g.ente, valuesOf(await find(g.ente.id, request.params.code)), {});
  });

  app.post(`${path}/:code`, { schema: { hide: true, params: ItemParams } }, async (request, reply) => {
    const g = await guard(request, reply, platform, request.params.slug, 'payments.manage');
    if (!g) return reply;
    const before = await find(g.ente.id, request.params.code);
    const values = { ...typedOf(request.body), code: before.code };
    const { row, errors } = validateService(values, await hasPostal(g.ente.id));
    if (!row) return itemPage(request, reply, g.ente, values, errors, 422);
    await withEnte(platform.db.app, g.ente.id, async (trx) => {
      await trx.updateTable('payment_service').set(row).where('code', '=', before.code).execute();
      await recordAudit(trx, { enteId: g.ente.id, actor: actorOf(request), action: 'payment_service.update', entity: 'payment_service', entityId: before.code, before, after: row });
    });
    return reply.redirect(`${paymentsPath(g.ente.slug)}/servizi?esito=servizio-salvato`, 303);
  });

  app.post(`${path}/:code/stato`, { schema: { hide: true, params: ItemParams } }, async (request, reply) => {
    const g = await guard(request, reply, platform, request.params.slug, 'payments.manage');
    if (!g) return reply;
    const before = await find(g.ente.id, request.params.code);
    const active = fieldsOf(request.body).active === 'si';
    await withEnte(platform.db.app, g.ente.id, async (trx) => {
      await trx.updateTable('payment_service').set({ active }).where('code', '=', before.code).execute();
      await recordAudit(trx, { enteId: g.ente.id, actor: actorOf(request), action: active ? 'payment_service.activate' : 'payment_service.deactivate', entity: 'payment_service', entityId: before.code });
    });
    return reply.redirect(`${paymentsPath(g.ente.slug)}/servizi?esito=${active ? 'servizio-attivato' : 'servizio-disattivato'}`, 303);
  });
}
