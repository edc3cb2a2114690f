// POST /pagopa/paForNode: the SOAP 1.1 document/literal endpoint the pagoPA node calls (paForNode.wsdl). Every
// answer is the operation's response element (outcome OK, or KO with a PAA_* fault) with HTTP 200; a message
// whose operation cannot be told gets a SOAP Fault with 400, and a body that is not XML at all a 400 problem.
// No path answers 5xx: unexpected errors become PAA_SYSTEM_ERROR, and a slow answer is cut at the deadline
// (the node retries; every operation is idempotent).
import type { App } from '../../../platform/http/app.js';
import { badRequest } from '../../../platform/http/problem.js';
import type { Platform } from '../../../platform/platform.js';
import { FAULTS, NodeFault, faultNodes, type FaultCode } from './faults.js';
import { getPayment, resolveStation, verifyNotice, type StationContext } from './operations.js';
import { sendReceipt } from './receipts.js';
import { REQUESTS, SchemaError, checkRequest, child, childText, type Operation, type RequestName } from './schema.js';
import { XmlSyntaxError, escapeXml, parseXml, renderNodes, type XmlElement, type XmlNode } from './xml.js';

export const SOAP_NS = 'http://schemas.xmlsoap.org/soap/envelope/';
export const PAFN_NS = 'http://pagopa-api.pagopa.gov.it/pa/paForNode.xsd';
export const SOAP_PATH = '/pagopa/paForNode';
/** Under the node's 2 s: past this the answer is PAA_SYSTEM_ERROR and the node tries again. */
const DEADLINE_MS = 1_500;
/** Receipts are a few kB; an MBD attachment a few more. */
const BODY_LIMIT = 512 * 1024;

const byOperation = new Map<string, RequestName>(Object.entries(REQUESTS).map(([name, r]) => [r.operation, name as RequestName]));

export function envelope(responseName: string, nodes: readonly XmlNode[]): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="${SOAP_NS}" xmlns:pafn="${PAFN_NS}"><soapenv:Body>` +
    `<pafn:${responseName}>${renderNodes(nodes)}</pafn:${responseName}></soapenv:Body></soapenv:Envelope>`
  );
}

function soapFault(message: string): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="${SOAP_NS}"><soapenv:Body><soapenv:Fault>` +
    `<faultcode>soapenv:Client</faultcode><faultstring>${escapeXml(message)}</faultstring></soapenv:Fault></soapenv:Body></soapenv:Envelope>`
  );
}

export interface SoapAnswer {
  status: number;
  body: string;
  operation?: Operation;
  faultCode?: FaultCode;
}

const ko = (request: RequestName, code: FaultCode, description: string, id: string): SoapAnswer => ({
  status: 200,
  body: envelope(REQUESTS[request].response, faultNodes(code, description, id)),
  operation: REQUESTS[request].operation,
  faultCode: code,
});

/** The operation named by the SOAPAction header ("paSendRT", with or without quotes), if it is one of ours. */
function actionOf(header: string | string[] | undefined): RequestName | undefined {
  const value = (Array.isArray(header) ? header[0] : header)?.trim().replace(/^"|"$/g, '') ?? '';
  return byOperation.get(value.split(/[/#]/).pop() ?? '');
}

/** Who raised a fault (faultBean.id): the ente's fiscal code when the request names a plausible one. */
function faultId(wrapper: XmlElement | undefined): string {
  const idPA = childText(wrapper, 'idPA')?.trim();
  return idPA && /^[0-9]{11}$/.test(idPA) ? idPA : 'paForNode';
}

async function dispatch(platform: Platform, name: RequestName, wrapper: XmlElement, raw: string): Promise<XmlNode[]> {
  const station: StationContext = await resolveStation(platform, {
    idPA: childText(wrapper, 'idPA')!.trim(),
    idBrokerPA: childText(wrapper, 'idBrokerPA')!.trim(),
    idStation: childText(wrapper, 'idStation')!.trim(),
  });
  switch (name) {
    case 'paVerifyPaymentNoticeReq':
      return verifyNotice(platform, station, child(wrapper, 'qrCode')!);
    case 'paGetPaymentReq':
    case 'paGetPaymentV2Request':
      return getPayment(platform, station, wrapper, name === 'paGetPaymentV2Request');
    case 'paSendRTReq':
    case 'paSendRTV2Request':
      return sendReceipt(platform, station, child(wrapper, 'receipt')!, raw, name === 'paSendRTV2Request');
  }
}

/** Answers one SOAP request (also used in process by tests and benchmarks). */
export async function answerSoap(platform: Platform, raw: string, soapAction?: string | string[]): Promise<SoapAnswer> {
  const hinted = actionOf(soapAction);
  let root: XmlElement;
  try {
    root = parseXml(raw);
  } catch (err) {
    if (!(err instanceof XmlSyntaxError)) throw err;
    if (hinted) return ko(hinted, 'PAA_SINTASSI_EXTRAXSD', `Messaggio non accettato: ${err.message}`, 'paForNode');
    return { status: 400, body: soapFault(`Messaggio non accettato: ${err.message}`) };
  }
  const body = root.ns === SOAP_NS && root.name === 'Envelope' ? root.children.find((c) => c.ns === SOAP_NS && c.name === 'Body') : undefined;
  const wrapper = body?.children.length === 1 ? body.children[0] : undefined;
  const name = wrapper && Object.hasOwn(REQUESTS, wrapper.name) ? (wrapper.name as RequestName) : hinted;
  if (!name) return { status: 400, body: soapFault('Busta SOAP 1.1 o operazione non riconosciuta') };
  const id = faultId(wrapper);
  if (!wrapper || wrapper.name !== name) return ko(name, 'PAA_SINTASSI_XSD', 'Il corpo SOAP deve contenere la sola richiesta dell’operazione indicata', id);
  if (wrapper.ns !== PAFN_NS) return ko(name, 'PAA_SINTASSI_XSD', `Namespace della richiesta non valido: atteso ${PAFN_NS}`, id);
  try {
    checkRequest(wrapper, name);
  } catch (err) {
    if (err instanceof SchemaError) return ko(name, 'PAA_SINTASSI_XSD', err.message, id);
    throw err;
  }
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), DEADLINE_MS);
  });
  try {
    const nodes = await Promise.race([dispatch(platform, name, wrapper, raw), deadline]);
    if (nodes === 'late') {
      platform.log.warn({ operation: REQUESTS[name].operation }, 'paForNode: answer past the deadline, PAA_SYSTEM_ERROR sent');
      return ko(name, 'PAA_SYSTEM_ERROR', 'Servizio temporaneamente non disponibile: riprovare', id);
    }
    return { status: 200, body: envelope(REQUESTS[name].response, nodes), operation: REQUESTS[name].operation };
  } catch (err) {
    if (err instanceof NodeFault) return ko(name, err.code, err.description, id);
    platform.log.error({ err, operation: REQUESTS[name].operation }, 'paForNode: unexpected error');
    return ko(name, 'PAA_SYSTEM_ERROR', 'Errore interno dell’ente creditore: riprovare', id);
  } finally {
    clearTimeout(timer);
  }
}

const XML_TYPE = /^(text\/xml|application\/soap\+xml|application\/xml)\s*(;|$)/i;

export async function registerSoapRoute(app: App, platform: Platform): Promise<void> {
  // An encapsulated scope: this route alone reads its body as raw text, whatever the content type says.
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'string', bodyLimit: BODY_LIMIT }, (_request, body, done) => done(null, body));
    scope.post(SOAP_PATH, { schema: { hide: true }, bodyLimit: BODY_LIMIT }, async (request, reply) => {
      const type = request.headers['content-type'] ?? '';
      if (!XML_TYPE.test(type)) throw badRequest('Il servizio accetta solo messaggi SOAP (Content-Type text/xml)');
      const answer = await answerSoap(platform, typeof request.body === 'string' ? request.body : '', request.headers.soapaction);
      if (answer.faultCode && answer.faultCode !== 'PAA_PAGAMENTO_DUPLICATO') request.log.info({ operation: answer.operation, fault: answer.faultCode }, 'paForNode fault');
      return reply.status(answer.status).header('cache-control', 'no-store').type('text/xml; charset=utf-8').send(answer.body);
    });
  });
}

export { FAULTS };
