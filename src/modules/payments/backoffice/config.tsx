// The pagoPA configuration of an ente (/backoffice/enti/{slug}/pagamenti/configurazione): fiscal code,
// segregation code (unique among the enti of the same broker: checked through an audited cross-ente read),
// accounts, CBILL code, broker and station. Errors are shown in Italian next to each field.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { actorOf, csrfToken } from '../../../platform/auth/index.js';
import { recordAudit, recordAuditEvent, type Actor } from '../../../platform/audit/index.js';
import { withCrossEnteRead, withEnte, type DB } from '../../../platform/db/index.js';
import type { App } from '../../../platform/http/app.js';
import { isValidItalianIban, normalizeIban } from '../../../platform/identity/iban.js';
import { isValidPartitaIva } from '../../../platform/identity/partita-iva.js';
import type { Platform } from '../../../platform/platform.js';
import { getCstEnte, type Ente } from '../../../platform/tenancy/index.js';
import { t } from '../../../platform/views/i18n/index.js';
import { CsrfField } from '../../../platform/views/layout.js';
import type { Kysely } from 'kysely';
import { configOf, type ConfigRow } from '../store.js';
import { ErrorSummary, Field, Outcome, PaymentsLayout, fieldsOf, guard, paymentsPath, sendPage, type FieldErrors } from './common.js';

const FIELDS = ['fiscal_code', 'business_name', 'segregation_code', 'bank_iban', 'postal_iban', 'postal_account_holder', 'postal_auth_code', 'cbill_code', 'broker_id', 'station_id', 'help_text'] as const;
type ConfigValues = Record<(typeof FIELDS)[number], string>;

export type ConfigWrite = Omit<ConfigRow, 'ente_id' | 'updated_at' | 'application_code'>;

/** Checks the typed values; returns the row to write or the message of each wrong field. */
export function validateConfig(v: ConfigValues): { row?: ConfigWrite; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const fiscal = v.fiscal_code.replace(/\s/g, '');
  if (!isValidPartitaIva(fiscal)) errors.fiscal_code = t('payments.bo.config.err.fiscal');
  if (!v.business_name) errors.business_name = t('payments.bo.config.err.name');
  if (!/^[0-9]{2}$/.test(v.segregation_code)) errors.segregation_code = t('payments.bo.config.err.segregation');
  const bank = normalizeIban(v.bank_iban);
  const postal = normalizeIban(v.postal_iban);
  if (bank && !isValidItalianIban(bank)) errors.bank_iban = t('payments.bo.config.err.iban');
  if (postal && (!isValidItalianIban(postal) || postal.slice(5, 10) !== '07601')) errors.postal_iban = t('payments.bo.config.err.postalIban');
  if (!bank && !postal) errors.bank_iban = t('payments.bo.config.err.noIban');
  if (postal && !v.postal_account_holder) errors.postal_account_holder = t('payments.bo.config.err.holder');
  const cbill = v.cbill_code.toUpperCase();
  if (cbill && !/^[A-Z0-9]{5}$/.test(cbill)) errors.cbill_code = t('payments.bo.config.err.cbill');
  if (!isValidPartitaIva(v.broker_id)) errors.broker_id = t('payments.bo.config.err.broker');
  if (!/^[0-9]{11}_[0-9]{2}$/.test(v.station_id) || !v.station_id.startsWith(`${v.broker_id}_`)) errors.station_id = t('payments.bo.config.err.station');
  if (v.help_text.length > 1000) errors.help_text = t('payments.bo.config.err.help');
  if (Object.keys(errors).length > 0) return { errors };
  return {
    errors,
    row: {
      fiscal_code: fiscal,
      business_name: v.business_name.slice(0, 200),
      segregation_code: v.segregation_code,
      bank_iban: bank || null,
      postal_iban: postal || null,
      postal_account_holder: postal ? v.postal_account_holder.slice(0, 200) : null,
      postal_auth_code: postal ? v.postal_auth_code.slice(0, 100) || null : null,
      cbill_code: cbill || null,
      broker_id: v.broker_id,
      station_id: v.station_id,
      help_text: v.help_text || null,
    },
  };
}

/**
 * Another ente of the same broker already using the segregation code (their notice numbers would collide).
 * A cross-ente read, audited on the CST ente.
 */
export async function segregationClash(db: Kysely<DB>, actor: Actor, enteId: string, segregationCode: string, brokerId: string): Promise<string | undefined> {
  const cst = await getCstEnte(db);
  const other = await withCrossEnteRead(db, (trx) =>
    trx
      .selectFrom('payment_config as c')
      .innerJoin('ente as e', 'e.id', 'c.ente_id')
      .select('e.name')
      .where('c.segregation_code', '=', segregationCode)
      .where('c.broker_id', '=', brokerId)
      .where('c.ente_id', '!=', enteId)
      .executeTakeFirst(),
  );
  if (cst) await recordAuditEvent(db, { enteId: cst.id, actor, action: 'cross_ente_read', entity: 'payment_config', entityId: enteId, after: { purpose: 'segregation_code_unique', segregationCode, brokerId } });
  return other?.name;
}

function valuesOf(config: ConfigRow | undefined, ente: Ente, cstFiscalCode: string): ConfigValues {
  return {
    fiscal_code: config?.fiscal_code ?? ente.fiscalCode ?? '',
    business_name: config?.business_name ?? ente.name,
    segregation_code: config?.segregation_code ?? '',
    bank_iban: config?.bank_iban ?? '',
    postal_iban: config?.postal_iban ?? '',
    postal_account_holder: config?.postal_account_holder ?? '',
    postal_auth_code: config?.postal_auth_code ?? '',
    cbill_code: config?.cbill_code ?? '',
    broker_id: config?.broker_id ?? cstFiscalCode,
    station_id: config?.station_id ?? (cstFiscalCode ? `${cstFiscalCode}_01` : ''),
    help_text: config?.help_text ?? '',
  };
}

function ConfigPage({ request, reply, ente, values, errors, esito }: { request: FastifyRequest; reply: FastifyReply; ente: Ente; values: ConfigValues; errors: FieldErrors; esito?: string | undefined }) {
  const title = t('payments.bo.config.title', { name: ente.name });
  const field = (name: (typeof FIELDS)[number], extra: { required?: boolean; help?: string; maxLength?: number; inputMode?: string } = {}) => (
    <Field id={`config-${name}`} name={name} label={t(`payments.bo.config.${name}`)} value={values[name]} error={errors[name]} {...extra} />
  );
  return (
    <PaymentsLayout request={request} ente={ente} title={title} crumbs={[{ label: t('payments.bo.config.crumb') }]}>
      <h1>{title}</h1>
      <p>{t('payments.bo.config.intro')}</p>
      <Outcome esito={esito} />
      <ErrorSummary errors={errors} prefix="config" />
      <form method="post" action={`${paymentsPath(ente.slug)}/configurazione`} novalidate>
        <CsrfField token={csrfToken(request, reply)} />
        <fieldset class="mb-4">
          <legend class="h4">{t('payments.bo.config.section.ente')}</legend>
          {field('business_name', { required: true, maxLength: 200 })}
          {field('fiscal_code', { required: true, help: t('payments.bo.config.fiscal_code.help'), maxLength: 11, inputMode: 'numeric' })}
          {field('segregation_code', { required: true, help: t('payments.bo.config.segregation_code.help'), maxLength: 2, inputMode: 'numeric' })}
        </fieldset>
        <fieldset class="mb-4">
          <legend class="h4">{t('payments.bo.config.section.accounts')}</legend>
          {field('bank_iban', { help: t('payments.bo.config.bank_iban.help'), maxLength: 34 })}
          {field('postal_iban', { help: t('payments.bo.config.postal_iban.help'), maxLength: 34 })}
          {field('postal_account_holder', { maxLength: 200 })}
          {field('postal_auth_code', { help: t('payments.bo.config.postal_auth_code.help'), maxLength: 100 })}
          {field('cbill_code', { help: t('payments.bo.config.cbill_code.help'), maxLength: 5 })}
        </fieldset>
        <fieldset class="mb-4">
          <legend class="h4">{t('payments.bo.config.section.broker')}</legend>
          {field('broker_id', { required: true, help: t('payments.bo.config.broker_id.help'), maxLength: 11, inputMode: 'numeric' })}
          {field('station_id', { required: true, help: t('payments.bo.config.station_id.help'), maxLength: 14 })}
        </fieldset>
        <div class="mb-4">
          <label for="config-help_text" class="form-label">
            {t('payments.bo.config.help_text')}
          </label>
          <textarea id="config-help_text" name="help_text" rows={3} maxLength={1000} class={`form-control${errors.help_text ? ' is-invalid' : ''}`} aria-describedby={errors.help_text ? 'config-help_text-errore' : undefined}>
            {values.help_text}
          </textarea>
          {errors.help_text ? (
            <div id="config-help_text-errore" class="invalid-feedback d-block">
              {errors.help_text}
            </div>
          ) : null}
        </div>
        <button type="submit" class="btn btn-primary">
          {t('payments.bo.config.save')}
        </button>
      </form>
    </PaymentsLayout>
  );
}

const Params = Type.Object({ slug: Type.String({ maxLength: 200 }) });

export function registerConfigPages(app: App, platform: Platform) {
  const path = '/backoffice/enti/:slug/pagamenti/configurazione';
  app.get(path, { schema: { hide: true, params: Params, querystring: Type.Object({ esito: Type.Optional(Type.String({ maxLength: 40 })) }) } }, async (request, reply) => {
    const g = await guard(request, reply, platform, request.params.slug, 'payments.manage');
    if (!g) return reply;
    const config = await withEnte(platform.db.app, g.ente.id, (trx) => configOf(trx));
    const cst = await getCstEnte(platform.db.app);
    return sendPage(reply, <ConfigPage request={request} reply={reply} ente={g.ente} values={valuesOf(config, g.ente, cst?.fiscalCode ?? '')} errors={{}} esito={request.query.esito} />);
  });

  app.post(path, { schema: { hide: true, params: Params } }, async (request, reply) => {
    const g = await guard(request, reply, platform, request.params.slug, 'payments.manage');
    if (!g) return reply;
    const typed = fieldsOf(request.body);
    const values = Object.fromEntries(FIELDS.map((f) => [f, typed[f] ?? ''])) as ConfigValues;
    const { row, errors } = validateConfig(values);
    const actor = actorOf(request);
    if (row) {
      const clash = await segregationClash(platform.db.app, actor, g.ente.id, row.segregation_code, row.broker_id);
      if (clash) errors.segregation_code = t('payments.bo.config.err.clash', { code: row.segregation_code, name: clash });
    }
    if (!row || Object.keys(errors).length > 0) {
      return sendPage(reply, <ConfigPage request={request} reply={reply} ente={g.ente} values={values} errors={errors} />, 422);
    }
    await withEnte(platform.db.app, g.ente.id, async (trx) => {
      const before = await configOf(trx);
      await trx
        .insertInto('payment_config')
        .values({ ente_id: g.ente.id, ...row, updated_at: new Date() })
        .onConflict((oc) => oc.column('ente_id').doUpdateSet({ ...row, updated_at: new Date() }))
        .execute();
      await recordAudit(trx, { enteId: g.ente.id, actor, action: before ? 'payment_config.update' : 'payment_config.create', entity: 'payment_config', entityId: g.ente.id, before: before ?? undefined, after: row });
    });
    return reply.redirect(`${paymentsPath(g.ente.slug)}/configurazione?esito=salvata`, 303);
  });
}
