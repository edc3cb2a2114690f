// The pagoPA node, played by a separate process for the tests (spawned by psp-node.ts): reads one JSON command a
// line on stdin, sends the SOAP request to the platform over HTTP, writes { id, status, body, ms } on stdout.
// The XML is written here from the WSDL/XSD by hand, independently of the product's own request builders.
import { createInterface } from 'node:readline';

const base = process.argv[2];
if (!base) throw new Error('usage: psp-node-peer.ts <platform url>');
const endpoint = `${base}/pagopa/paForNode`;
const NS = 'http://pagopa-api.pagopa.gov.it/pa/paForNode.xsd';

interface Station { idPA: string; idBrokerPA: string; idStation: string }
interface Subject { type?: 'F' | 'G'; fiscalCode: string; name: string }
interface Transfer { id: number; amount: string; fiscalCodePA: string; iban: string; remittance: string; category: string }
export interface ReceiptParams {
  receiptId: string;
  noticeNumber: string;
  fiscalCode?: string;
  outcome?: 'OK' | 'KO';
  creditorReferenceId: string;
  amount: string;
  debtor: Subject;
  payer?: Subject;
  transfers: Transfer[];
  paymentDateTime?: string;
  fee?: string;
}
export type Command =
  | { kind: 'verify' | 'getPayment' | 'getPaymentV2'; station: Station; noticeNumber: string; qrFiscalCode?: string; transferType?: 'POSTAL' | 'PAGOPA' }
  | { kind: 'sendRT' | 'sendRTV2'; station: Station; receipt: ReceiptParams }
  | { kind: 'raw'; body: string; soapAction?: string; contentType?: string };
type Line = Command & { id: number; times?: number };

const x = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const envelope = (inner: string) => `<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:nod="${NS}">
  <soapenv:Header/>
  <soapenv:Body>${inner}</soapenv:Body>
</soapenv:Envelope>`;
const head = (s: Station) => `<idPA>${x(s.idPA)}</idPA><idBrokerPA>${x(s.idBrokerPA)}</idBrokerPA><idStation>${x(s.idStation)}</idStation>`;
const qr = (fiscalCode: string, notice: string) => `<qrCode><fiscalCode>${x(fiscalCode)}</fiscalCode><noticeNumber>${x(notice)}</noticeNumber></qrCode>`;
const subject = (s: Subject) =>
  `<uniqueIdentifier><entityUniqueIdentifierType>${s.type ?? 'F'}</entityUniqueIdentifierType><entityUniqueIdentifierValue>${x(s.fiscalCode)}</entityUniqueIdentifierValue></uniqueIdentifier><fullName>${x(s.name)}</fullName>`;

function receipt(r: ReceiptParams, station: Station, v2: boolean): string {
  const transfers = r.transfers
    .map((t) => `<transfer><idTransfer>${t.id}</idTransfer><transferAmount>${t.amount}</transferAmount><fiscalCodePA>${t.fiscalCodePA}</fiscalCodePA>${v2 ? '<companyName>Ente</companyName>' : ''}<IBAN>${t.iban}</IBAN><remittanceInformation>${x(t.remittance)}</remittanceInformation><transferCategory>${x(t.category)}</transferCategory></transfer>`)
    .join('');
  return `<receipt>
    <receiptId>${x(r.receiptId)}</receiptId><noticeNumber>${r.noticeNumber}</noticeNumber><fiscalCode>${r.fiscalCode ?? station.idPA}</fiscalCode>
    <outcome>${r.outcome ?? 'OK'}</outcome><creditorReferenceId>${r.creditorReferenceId}</creditorReferenceId><paymentAmount>${r.amount}</paymentAmount>
    <description>Pagamento</description><companyName>Ente creditore</companyName>
    <debtor>${subject(r.debtor)}</debtor><transferList>${transfers}</transferList>
    <idPSP>TSTPSP01</idPSP><pspFiscalCode>00000000000</pspFiscalCode><PSPCompanyName>Banca di Prova</PSPCompanyName><idChannel>TSTPSP01_01</idChannel><channelDescription>app</channelDescription>
    ${r.payer ? `<payer>${subject(r.payer)}</payer>` : ''}<paymentMethod>CP</paymentMethod>${v2 ? '<paymentNote>nota</paymentNote>' : ''}<fee>${r.fee ?? '1.50'}</fee>
    ${v2 ? '<idBundle>b1</idBundle>' : ''}<paymentDateTime>${r.paymentDateTime ?? '2026-03-29T03:30:00'}</paymentDateTime><applicationDate>2026-03-29</applicationDate><transferDate>2026-03-30</transferDate>
  </receipt>`;
}

function build(c: Command): { body: string; action: string; contentType: string } {
  const contentType = 'text/xml; charset=utf-8';
  switch (c.kind) {
    case 'verify':
      return { action: 'paVerifyPaymentNotice', contentType, body: envelope(`<nod:paVerifyPaymentNoticeReq>${head(c.station)}${qr(c.qrFiscalCode ?? c.station.idPA, c.noticeNumber)}</nod:paVerifyPaymentNoticeReq>`) };
    case 'getPayment':
    case 'getPaymentV2': {
      const el = c.kind === 'getPayment' ? 'paGetPaymentReq' : 'paGetPaymentV2Request';
      const extra = c.transferType ? `<transferType>${c.transferType}</transferType>` : '';
      return { action: c.kind === 'getPayment' ? 'paGetPayment' : 'paGetPaymentV2', contentType, body: envelope(`<nod:${el}>${head(c.station)}${qr(c.qrFiscalCode ?? c.station.idPA, c.noticeNumber)}${extra}</nod:${el}>`) };
    }
    case 'sendRT':
    case 'sendRTV2': {
      const el = c.kind === 'sendRT' ? 'paSendRTReq' : 'paSendRTV2Request';
      return { action: c.kind === 'sendRT' ? 'paSendRT' : 'paSendRTV2', contentType, body: envelope(`<nod:${el}>${head(c.station)}${receipt(c.receipt, c.station, c.kind === 'sendRTV2')}</nod:${el}>`) };
    }
    case 'raw':
      return { action: c.soapAction ?? '', contentType: c.contentType ?? contentType, body: c.body };
  }
}

async function post(c: Command) {
  const { body, action, contentType } = build(c);
  const started = performance.now();
  const res = await fetch(endpoint, { method: 'POST', headers: { 'content-type': contentType, ...(action ? { soapaction: `"${action}"` } : {}) }, body });
  return { status: res.status, body: await res.text(), ms: performance.now() - started, request: body };
}

for await (const text of createInterface({ input: process.stdin })) {
  const line = JSON.parse(text) as Line;
  void (async () => {
    try {
      const results = await Promise.all(Array.from({ length: line.times ?? 1 }, () => post(line)));
      process.stdout.write(`${JSON.stringify({ id: line.id, results })}\n`);
    } catch (err) {
      process.stdout.write(`${JSON.stringify({ id: line.id, error: String(err) })}\n`);
    }
  })();
}
