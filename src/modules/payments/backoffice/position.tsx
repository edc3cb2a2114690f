// The page of one position (/backoffice/enti/{slug}/pagamenti/posizioni/{id}): debtor, status, the payment
// options with their notice numbers in groups of four and the link to the notice PDF, the transfers, and the
// forms to publish a draft or cancel an unpaid position.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { actorOf, can, csrfToken } from '../../../platform/auth/index.js';
import type { App } from '../../../platform/http/app.js';
import { notFound } from '../../../platform/http/problem.js';
import type { Platform } from '../../../platform/platform.js';
import type { Ente } from '../../../platform/tenancy/index.js';
import { formatDate, t } from '../../../platform/views/i18n/index.js';
import { CsrfField } from '../../../platform/views/layout.js';
import { groupedNoticeNumber } from '../iuv.js';
import { cancelPosition, getPosition, publishPosition, type PositionView } from '../service.js';
import { ErrorAlert, Outcome, PaymentsLayout, StatusBadge, UUID, euro, fieldsOf, formatDateTime, guard, isFormProblem, paymentsPath, sendPage, type Guarded } from './common.js';

export const positionPath = (slug: string, id: string) => `${paymentsPath(slug)}/posizioni/${id}`;

function Options({ ente, view }: { ente: Ente; view: PositionView }) {
  return (
    <div class="table-responsive mb-4">
      <table class="table align-middle">
        <caption>{t('payments.bo.position.options')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('payments.bo.position.option')}</th>
            <th scope="col">{t('payments.bo.position.notice')}</th>
            <th scope="col" class="text-end">
              {t('payments.bo.col.amount')}
            </th>
            <th scope="col">{t('payments.bo.col.due')}</th>
            <th scope="col">{t('payments.bo.col.status')}</th>
          </tr>
        </thead>
        <tbody>
          {view.options.map((o) => (
            <tr>
              <th scope="row">{o.instalment === null ? t('payments.bo.position.single') : t('payments.bo.position.instalment', { n: o.instalment })}</th>
              <td>
                <span class="font-monospace">{groupedNoticeNumber(o.noticeNumber)}</span>
                <span class="d-block small">IUV {o.iuv}</span>
              </td>
              <td class="text-end">{euro(o.amountCents)}</td>
              <td>
                {formatDate(o.dueDate)}
                {o.retentionDate ? <span class="d-block small">{t('payments.bo.position.retention', { date: formatDate(o.retentionDate) })}</span> : null}
              </td>
              <td>{o.status === 'paid' ? t('payments.bo.position.paidOn', { when: formatDateTime(o.paidAt) }) : o.payable ? t('payments.bo.position.payable') : t('payments.bo.position.notPayable')}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {view.status !== 'draft' && view.status !== 'cancelled' ? (
        <p>
          <a class="btn btn-outline-primary" href={`${positionPath(ente.slug, view.id)}/avviso.pdf`}>
            {t('payments.bo.position.noticePdf')}
          </a>
        </p>
      ) : null}
    </div>
  );
}

function Transfers({ view }: { view: PositionView }) {
  const first = view.options[0];
  if (!first) return null;
  return (
    <div class="table-responsive mb-4">
      <table class="table">
        <caption>{t('payments.bo.position.transfers', { option: first.instalment === null ? t('payments.bo.position.single') : t('payments.bo.position.instalment', { n: first.instalment }) })}</caption>
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">{t('payments.bo.position.beneficiary')}</th>
            <th scope="col">IBAN</th>
            <th scope="col">{t('payments.bo.position.taxonomy')}</th>
            <th scope="col" class="text-end">
              {t('payments.bo.col.amount')}
            </th>
          </tr>
        </thead>
        <tbody>
          {first.transfers.map((tr) => (
            <tr>
              <th scope="row">{tr.idx}</th>
              <td>{tr.beneficiaryFiscalCode}</td>
              <td class="font-monospace">{tr.iban}</td>
              <td>{tr.taxonomy}</td>
              <td class="text-end">{euro(tr.amountCents)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function PositionPage({ request, reply, g, view, error, esito }: { request: FastifyRequest; reply: FastifyReply; g: Guarded; view: PositionView; error?: string | undefined; esito?: string | undefined }) {
  const { ente } = g;
  const title = t('payments.bo.position.title', { reason: view.reason });
  const manager = can(g.staff, ente.id, 'payments.manage');
  const path = positionPath(ente.slug, view.id);
  const cancellable = view.status !== 'cancelled' && view.status !== 'paid' && view.status !== 'partially_paid';
  return (
    <PaymentsLayout request={request} ente={ente} title={title} crumbs={[{ label: view.debtor.name }]}>
      <h1>{title}</h1>
      <Outcome esito={esito} />
      {error ? <ErrorAlert>{error}</ErrorAlert> : null}
      <dl class="row">
        <dt class="col-sm-3">{t('payments.bo.col.status')}</dt>
        <dd class="col-sm-9">
          <StatusBadge status={view.status} />
        </dd>
        <dt class="col-sm-3">{t('payments.bo.col.debtor')}</dt>
        <dd class="col-sm-9">
          {view.debtor.name} ({view.debtor.fiscalCode}){view.debtor.email ? ` – ${view.debtor.email}` : ''}
        </dd>
        <dt class="col-sm-3">{t('payments.bo.col.service')}</dt>
        <dd class="col-sm-9">{view.serviceCode}</dd>
        <dt class="col-sm-3">{t('payments.bo.col.amount')}</dt>
        <dd class="col-sm-9">{euro(view.amountCents)}</dd>
        <dt class="col-sm-3">{t('payments.bo.position.ref')}</dt>
        <dd class="col-sm-9">{view.externalRef ?? '—'}</dd>
        <dt class="col-sm-3">{t('payments.bo.position.created')}</dt>
        <dd class="col-sm-9">{formatDateTime(view.createdAt)}</dd>
        {view.cancelledAt ? (
          <>
            <dt class="col-sm-3">{t('payments.bo.position.cancelled')}</dt>
            <dd class="col-sm-9">{formatDateTime(view.cancelledAt)}</dd>
          </>
        ) : null}
      </dl>
      <h2 class="h4">{t('payments.bo.position.options')}</h2>
      <Options ente={ente} view={view} />
      <h2 class="h4">{t('payments.bo.position.transfersTitle')}</h2>
      <Transfers view={view} />
      {manager && view.status === 'draft' ? (
        <form method="post" action={`${path}/pubblica`} class="mb-4">
          <CsrfField token={csrfToken(request, reply)} />
          <button type="submit" class="btn btn-primary">
            {t('payments.bo.position.publish')}
          </button>
        </form>
      ) : null}
      {manager && cancellable ? (
        <section aria-labelledby="annulla" class="mb-4">
          <h2 id="annulla" class="h4">
            {t('payments.bo.position.cancelTitle')}
          </h2>
          <form method="post" action={`${path}/annulla`}>
            <CsrfField token={csrfToken(request, reply)} />
            <div class="mb-3">
              <label for="annulla-motivo" class="form-label">
                {t('payments.bo.position.cancelReason')}
              </label>
              <input id="annulla-motivo" name="reason" class="form-control" required maxLength={500} />
            </div>
            <button type="submit" class="btn btn-danger">
              {t('payments.bo.position.cancel')}
            </button>
          </form>
        </section>
      ) : null}
    </PaymentsLayout>
  );
}

const Params = Type.Object({ slug: Type.String({ maxLength: 200 }), id: Type.String({ maxLength: 40 }) });

export function registerPositionPages(app: App, platform: Platform) {
  const path = '/backoffice/enti/:slug/pagamenti/posizioni/:id';
  const load = async (enteId: string, id: string) => {
    const view = UUID.test(id) ? await getPosition(platform.db.app, enteId, id) : undefined;
    if (!view) throw notFound(t('payments.bo.position.notFound'));
    return view;
  };

  app.get(path, { schema: { hide: true, params: Params, querystring: Type.Object({ esito: Type.Optional(Type.String({ maxLength: 40 })) }) } }, async (request, reply) => {
    const g = await guard(request, reply, platform, request.params.slug, 'payments.read');
    if (!g) return reply;
    return sendPage(reply, <PositionPage request={request} reply={reply} g={g} view={await load(g.ente.id, request.params.id)} esito={request.query.esito} />);
  });

  for (const action of ['pubblica', 'annulla'] as const) {
    app.post(`${path}/${action}`, { schema: { hide: true, params: Params } }, async (request, reply) => {
      const g = await guard(request, reply, platform, request.params.slug, 'payments.manage');
      if (!g) return reply;
      const view = await load(g.ente.id, request.params.id);
      try {
        if (action === 'pubblica') await publishPosition(platform.db.app, actorOf(request), g.ente.id, view.id);
        else await cancelPosition(platform.db.app, actorOf(request), g.ente.id, view.id, fieldsOf(request.body).reason ?? '');
      } catch (err) {
        if (!isFormProblem(err)) throw err;
        return sendPage(reply, <PositionPage request={request} reply={reply} g={g} view={view} error={err.detail ?? err.title} />, err.status);
      }
      return reply.redirect(`${positionPath(g.ente.slug, view.id)}?esito=${action === 'pubblica' ? 'pubblicata' : 'annullata'}`, 303);
    });
  }
}
