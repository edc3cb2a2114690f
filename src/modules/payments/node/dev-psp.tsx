// The development PSP simulator (dev and demo only, like the dev IdP: on when config.devIdp is true). It stands
// where pagoPA's checkout would be: the citizen area links its "Paga" button to checkoutUrl(); the page shows
// what is due and, on "Paga", plays the node against OUR SOAP endpoint over real HTTP — paVerifyPaymentNotice,
// paGetPaymentV2, then paSendRTV2 with a receipt — and sends the citizen back to the return URL with the outcome.
// In production the button goes to the pagoPA checkout instead and the real node sends the receipt.
import { randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { csrfToken } from '../../../platform/auth/index.js';
import { todayInRome } from '../../../platform/calendar/index.js';
import { withCrossEnteRead } from '../../../platform/db/index.js';
import type { App } from '../../../platform/http/app.js';
import { HttpProblem } from '../../../platform/http/problem.js';
import type { Platform } from '../../../platform/platform.js';
import { t } from '../../../platform/views/i18n/index.js';
import { CsrfField, Layout, renderDocument } from '../../../platform/views/layout.js';
import { viewerOf } from '../../../platform/views/viewer.js';
import { formatCents } from '../amounts.js';
import { groupedNoticeNumber } from '../iuv.js';
import { getPaymentV2RequestBody, sendRTV2RequestBody, verifyRequestBody, type StationIds } from './requests.js';
import { child, childText, childrenNamed, decimalToCents } from './schema.js';
import { SOAP_PATH } from './soap.js';
import { parseXml, type XmlElement } from './xml.js';
import './messages.js';

export const DEV_PSP_PATH = '/dev-psp/checkout';
const PSP = { id: 'CIRDEVPSP', name: 'PSP di sviluppo Comuni in Rete', channelId: 'CIRDEVPSP_01', channelDescription: 'app' };
const FEE_CENTS = 100;

/**
 * Where the citizen pays a notice: the development simulator when it is on (config.devIdp), else null (in
 * production this is the pagoPA checkout, reached through its own integration). `returnUrl` must be a path of
 * this platform ("/asti/pagamenti"); the outcome comes back as ?esito=OK|KO.
 */
export function checkoutUrl(platform: Pick<Platform, 'config'>, input: { enteFiscalCode: string; noticeNumber: string; returnUrl: string }): string | null {
  if (!platform.config.devIdp) return null;
  const query = new URLSearchParams({ ente: input.enteFiscalCode, notice: input.noticeNumber, return: input.returnUrl });
  return `${DEV_PSP_PATH}?${query}`;
}

interface Checkout {
  ente: string;
  notice: string;
  returnUrl: string;
}

/** Only paths of this platform are accepted as return URL (no open redirect). */
const safeReturn = (value: string) => /^\/(?![/\\])[^\s]*$/.test(value) && value.length <= 500;

function checkoutOf(source: Record<string, unknown> | undefined): Checkout {
  const ente = String(source?.ente ?? '').trim();
  const notice = String(source?.notice ?? '').replace(/\s/g, '');
  const returnUrl = String(source?.return ?? '').trim();
  if (!/^[0-9]{11}$/.test(ente) || !/^[0-9]{18}$/.test(notice) || !safeReturn(returnUrl)) throw new HttpProblem(400, 'Richiesta non valida', t('payments.devPsp.badRequest'));
  return { ente, notice, returnUrl };
}

async function stationOf(platform: Platform, fiscalCode: string): Promise<StationIds> {
  const config = await withCrossEnteRead(platform.db.app, (trx) => trx.selectFrom('payment_config').select(['broker_id', 'station_id']).where('fiscal_code', '=', fiscalCode).executeTakeFirst());
  if (!config) throw new HttpProblem(404, 'Ente sconosciuto', t('payments.devPsp.unknownEnte'));
  return { idPA: fiscalCode, idBrokerPA: config.broker_id, idStation: config.station_id };
}

interface NodeAnswer {
  outcome: 'OK' | 'KO';
  body: XmlElement;
  faultCode?: string | undefined;
  faultDescription?: string | undefined;
}

/** One call to our endpoint, as the node makes it. */
async function callNode(platform: Platform, action: string, body: string): Promise<NodeAnswer> {
  let text: string;
  try {
    const res = await fetch(`${platform.config.publicUrl}${SOAP_PATH}`, { method: 'POST', headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: action }, body, signal: AbortSignal.timeout(5_000) });
    text = await res.text();
  } catch {
    throw new HttpProblem(502, 'Servizio non raggiungibile', t('payments.devPsp.unreachable'));
  }
  const response = parseXml(text).children.find((c) => c.name === 'Body')?.children[0];
  if (!response) throw new HttpProblem(502, 'Servizio non raggiungibile', t('payments.devPsp.unreachable'));
  const fault = child(response, 'fault');
  return { outcome: childText(response, 'outcome') === 'OK' ? 'OK' : 'KO', body: response, faultCode: childText(fault, 'faultCode'), faultDescription: childText(fault, 'description') };
}

const romeNow = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Rome', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });

function backTo(returnUrl: string, outcome: 'OK' | 'KO', code?: string): string {
  const url = new URL(returnUrl, 'http://platform.invalid');
  url.searchParams.set('esito', outcome);
  if (code) url.searchParams.set('codice', code);
  return `${url.pathname}${url.search}`;
}

/** The payment itself: getPaymentV2, then the receipt with paSendRTV2, as the node does after the PSP's OK. */
async function pay(platform: Platform, ids: StationIds, checkout: Checkout, payer: { fiscalCode: string; name: string } | null): Promise<{ outcome: 'OK' | 'KO'; code?: string | undefined }> {
  const payment = await callNode(platform, 'paGetPaymentV2', getPaymentV2RequestBody(ids, checkout.notice));
  if (payment.outcome !== 'OK') return { outcome: 'KO', code: payment.faultCode };
  const data = child(payment.body, 'data')!;
  const debtorId = child(child(data, 'debtor'), 'uniqueIdentifier');
  const debtor = { type: childText(debtorId, 'entityUniqueIdentifierType') as 'F' | 'G', fiscalCode: childText(debtorId, 'entityUniqueIdentifierValue')!, name: childText(child(data, 'debtor'), 'fullName')! };
  const now = romeNow.format(new Date()).replace(' ', 'T');
  const receipt = await callNode(platform, 'paSendRTV2', sendRTV2RequestBody(ids, {
    receiptId: randomBytes(16).toString('hex'),
    noticeNumber: checkout.notice,
    creditorReferenceId: childText(data, 'creditorReferenceId')!,
    amountCents: decimalToCents(childText(data, 'paymentAmount')!),
    description: childText(data, 'description')!,
    companyName: childText(data, 'companyName')!,
    debtor,
    payer: payer ? { type: 'F', fiscalCode: payer.fiscalCode, name: payer.name } : debtor,
    transfers: childrenNamed(child(data, 'transferList'), 'transfer').map((tr) => ({
      idTransfer: Number(childText(tr, 'idTransfer')),
      amountCents: decimalToCents(childText(tr, 'transferAmount')!),
      fiscalCodePA: childText(tr, 'fiscalCodePA')!,
      iban: childText(tr, 'IBAN')!,
      remittance: childText(tr, 'remittanceInformation')!,
      category: childText(tr, 'transferCategory')!,
    })),
    psp: PSP,
    paymentMethod: 'CP',
    feeCents: FEE_CENTS,
    paymentDateTime: now,
    applicationDate: todayInRome(),
  }));
  return { outcome: receipt.outcome, code: receipt.faultCode };
}

function CheckoutPage(props: { checkout: Checkout; verify: NodeAnswer; csrf: string; viewer: ReturnType<typeof viewerOf> }) {
  const { checkout, verify } = props;
  const option = child(child(verify.body, 'paymentList'), 'paymentOptionDescription');
  const amount = option ? formatCents(decimalToCents(childText(option, 'amount')!)) : '';
  return (
    <Layout title={t('payments.devPsp.title')} viewer={props.viewer} breadcrumbs={[{ label: t('app.name'), href: '/' }, { label: t('payments.devPsp.title') }]}>
      <h1 class="h2 mb-3">{t('payments.devPsp.title')}</h1>
      <div class="alert alert-warning" role="note">{t('payments.devPsp.warning')}</div>
      {verify.outcome === 'OK' ? (
        <section aria-labelledby="summary" class="mb-4">
          <h2 id="summary" class="h4">{t('payments.devPsp.summary')}</h2>
          <dl class="row">
            <dt class="col-sm-3">{t('payments.devPsp.ente')}</dt>
            <dd class="col-sm-9">{childText(verify.body, 'companyName')}</dd>
            <dt class="col-sm-3">{t('payments.devPsp.notice')}</dt>
            <dd class="col-sm-9" id="notice-number">{groupedNoticeNumber(checkout.notice)}</dd>
            <dt class="col-sm-3">{t('payments.devPsp.reason')}</dt>
            <dd class="col-sm-9">{childText(verify.body, 'paymentDescription')}</dd>
            <dt class="col-sm-3">{t('payments.devPsp.amount')}</dt>
            <dd class="col-sm-9" id="amount">{amount} €</dd>
          </dl>
          <p class="small">{t('payments.devPsp.fee', { fee: formatCents(FEE_CENTS) })}</p>
          <form method="post" action={DEV_PSP_PATH}>
            <CsrfField token={props.csrf} />
            <input type="hidden" name="ente" value={checkout.ente} />
            <input type="hidden" name="notice" value={checkout.notice} />
            <input type="hidden" name="return" value={checkout.returnUrl} />
            <button type="submit" class="btn btn-primary me-3">{t('payments.devPsp.pay', { amount })}</button>
            <a class="btn btn-outline-primary" href={checkout.returnUrl}>{t('payments.devPsp.back')}</a>
          </form>
        </section>
      ) : (
        <section aria-labelledby="not-payable">
          <div class="alert alert-danger" role="alert">
            <h2 id="not-payable" class="h4">{t('payments.devPsp.notPayable')}</h2>
            <p class="mb-0">{verify.faultDescription ?? verify.faultCode}</p>
          </div>
          <a class="btn btn-outline-primary" href={backTo(checkout.returnUrl, 'KO', verify.faultCode)}>{t('payments.devPsp.back')}</a>
        </section>
      )}
    </Layout>
  );
}

export function registerDevPsp(app: App, platform: Platform): void {
  if (!platform.config.devIdp) return;
  const page = (reply: FastifyReply, html: string) => reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(html);

  app.get(DEV_PSP_PATH, { schema: { hide: true } }, async (request: FastifyRequest, reply) => {
    const checkout = checkoutOf(request.query as Record<string, unknown>);
    const ids = await stationOf(platform, checkout.ente);
    const verify = await callNode(platform, 'paVerifyPaymentNotice', verifyRequestBody(ids, checkout.notice));
    return page(reply, renderDocument(<CheckoutPage checkout={checkout} verify={verify} csrf={csrfToken(request, reply)} viewer={viewerOf(request)} />));
  });

  app.post(DEV_PSP_PATH, { schema: { hide: true } }, async (request: FastifyRequest, reply) => {
    const checkout = checkoutOf(request.body as Record<string, unknown>);
    const ids = await stationOf(platform, checkout.ente);
    const verify = await callNode(platform, 'paVerifyPaymentNotice', verifyRequestBody(ids, checkout.notice));
    const citizen = request.citizen ? { fiscalCode: request.citizen.fiscalCode, name: `${request.citizen.givenName} ${request.citizen.familyName}` } : null;
    const result = verify.outcome === 'OK' ? await pay(platform, ids, checkout, citizen) : { outcome: 'KO' as const, code: verify.faultCode };
    return reply.redirect(backTo(checkout.returnUrl, result.outcome, result.code), 303);
  });
}
