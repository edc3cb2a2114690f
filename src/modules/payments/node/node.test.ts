// The SOAP interface the pagoPA node calls, against real PostgreSQL, with the node played by a separate process
// over HTTP (test/support/psp-node.ts): every operation OK and every fault, each real response validated with
// xmllint against the official paForNode.xsd and the SOAP envelope schema; getPayment retried gives the same
// answer; receipts recorded once (resent, 20 at once), instalments, double payments, the debtor's mail;
// hostile or broken input (DTD, entity bomb, external entity, wrong namespace, malformed, 3 decimals,
// 6 transfers, wrong ente/broker/station) answered with a fault or 400, never 5xx, and no row changed.
// Receipt PDFs and the PSP simulator: people.test.ts.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { GIULIA, MARIO, startNodeFixture, type NodeFixture } from '../../../../test/support/psp-fixture.js';
import { PspNode, assertValidEnvelope, assertValidResponse, bodyElement, xmlText, type ReceiptParams } from '../../../../test/support/psp-node.js';
import type { TestPlatform } from '../../../../test/support/platform.js';
import { systemActor } from '../../../platform/audit/index.js';
import { addDays, todayInRome } from '../../../platform/calendar/index.js';
import type { PositionInput } from '../index.js';
import { cancelPosition, type PositionView } from '../service.js';
import { verifyBenchTarget, verifyRequestBody } from './index.js';
import { romeDateTime } from './receipts.js';
import { parseXml } from './xml.js';

describe('paForNode SOAP interface', () => {
  let f: NodeFixture;
  let t: TestPlatform;
  let node: PspNode;
  let enteId: string;
  let station: NodeFixture['station'];
  let companyName: string;
  let single: PositionView;
  let tari: PositionView;
  const create = (extra: Partial<PositionInput> = {}, publish = true) => f.create(extra, publish);
  const receiptFor = (p: PositionView, optionIndex = 0, receiptId?: string) => f.receiptFor(p, optionIndex, receiptId);

  /** Row counts of everything a SOAP request may write. */
  const counts = async () => {
    const { rows } = await sql<{ receipts: number; paid_options: number; paid_positions: number; files: number; mails: number; audit: number }>`select
      (select count(*)::int from payment_receipt) as receipts,
      (select count(*)::int from payment_option where status = 'paid') as paid_options,
      (select count(*)::int from payment_position where status in ('paid', 'partially_paid')) as paid_positions,
      (select count(*)::int from stored_file) as files,
      (select count(*)::int from mail_outbox) as mails,
      (select count(*)::int from audit_log) as audit`.execute(t.platform.db.owner);
    return rows[0]!;
  };

  const verify = (noticeNumber: string, over: Partial<typeof station> = {}) => node.send({ kind: 'verify', station: { ...station, ...over }, noticeNumber });
  const faultOf = (body: string) => xmlText(body, 'faultCode');

  before(async () => {
    f = await startNodeFixture();
    ({ t, node, enteId, station, companyName } = f);
    single = await create({ amountCents: 12_345, transfers: [{ amountCents: 10_000 }, { amountCents: 2_345, beneficiaryFiscalCode: station.idBrokerPA, iban: 'IT60X0542811101000000123456', remittance: 'Quota provinciale' }] });
    tari = await create({
      amountCents: 20_000,
      instalments: [
        { amountCents: 10_000, dueDate: addDays(todayInRome(), 10) },
        { amountCents: 10_000, dueDate: addDays(todayInRome(), 40) },
      ],
    });
  });
  after(async () => {
    await f?.close();
  });

  it('sends requests that are themselves valid for paForNode.xsd (the peer is a faithful node)', async () => {
    const p = await create();
    for (const command of [
      { kind: 'verify', station, noticeNumber: p.options[0]!.noticeNumber },
      { kind: 'getPayment', station, noticeNumber: p.options[0]!.noticeNumber },
      { kind: 'getPaymentV2', station, noticeNumber: p.options[0]!.noticeNumber, transferType: 'POSTAL' },
      { kind: 'sendRT', station, receipt: receiptFor(p, 0, 'RT-shape-1') },
      { kind: 'sendRTV2', station, receipt: receiptFor(p, 0, 'RT-shape-2') },
    ] as const) {
      const r = await node.send(command);
      await assertValidResponse(r.request);
      await assertValidResponse(r.body);
    }
  });

  it('verifies a notice: amount, due date, description, allCCP, within 2 s, schema-valid', async () => {
    const o = single.options[0]!;
    const r = await verify(o.noticeNumber);
    assert.equal(r.status, 200);
    assert.ok(r.ms < 2000, `answered in ${r.ms} ms`);
    await assertValidResponse(r.body);
    assert.equal(xmlText(r.body, 'outcome'), 'OK');
    assert.equal(xmlText(r.body, 'amount'), '123.45');
    assert.equal(xmlText(r.body, 'options'), 'EQ');
    assert.equal(xmlText(r.body, 'dueDate'), o.dueDate);
    assert.equal(xmlText(r.body, 'detailDescription'), single.reason);
    assert.equal(xmlText(r.body, 'allCCP'), 'false');
    assert.equal(xmlText(r.body, 'fiscalCodePA'), station.idPA);
    assert.equal(xmlText(r.body, 'companyName'), companyName);
  });

  it('gets the payment (V1 and V2) with its transfers; the same request retried gives the same answer', async () => {
    const o = single.options[0]!;
    const v1 = await node.send({ kind: 'getPayment', station, noticeNumber: o.noticeNumber });
    await assertValidResponse(v1.body);
    assert.equal(xmlText(v1.body, 'creditorReferenceId'), o.iuv);
    assert.equal(xmlText(v1.body, 'paymentAmount'), '123.45');
    const again = await node.send({ kind: 'getPayment', station, noticeNumber: o.noticeNumber });
    assert.equal(again.body, v1.body);

    const [v2, v2again] = await node.many({ kind: 'getPaymentV2', station, noticeNumber: o.noticeNumber }, 2);
    await assertValidResponse(v2!.body);
    assert.equal(v2!.body, v2again!.body);
    const data = parseXml(v2!.body).children[0]!.children[0]!.children.find((c) => c.name === 'data')!;
    const transfers = data.children.find((c) => c.name === 'transferList')!.children;
    assert.equal(transfers.length, 2);
    const field = (i: number, name: string) => transfers[i]!.children.find((c) => c.name === name)?.text;
    assert.deepEqual([field(0, 'idTransfer'), field(0, 'transferAmount'), field(0, 'fiscalCodePA'), field(0, 'IBAN'), field(0, 'transferCategory')], ['1', '100.00', station.idPA, o.transfers[0]!.iban, '9/0101108TS/']);
    assert.deepEqual([field(1, 'transferAmount'), field(1, 'fiscalCodePA'), field(1, 'IBAN'), field(1, 'remittanceInformation')], ['23.45', station.idBrokerPA, 'IT60X0542811101000000123456', 'Quota provinciale']);
    assert.match(v2!.body, /<metadata><mapEntry><key>codiceServizio<\/key><value>tari<\/value><\/mapEntry><\/metadata>/);
    assert.equal(xmlText(v2!.body, 'entityUniqueIdentifierValue'), MARIO.fiscalCode);
    assert.equal(xmlText(v2!.body, 'e-mail'), 'mario.rossi@example.it');

    // A Poste PSP (transferType POSTAL): the ente's own share goes to its postal account, the Provincia's stays.
    const postal = await node.send({ kind: 'getPaymentV2', station, noticeNumber: o.noticeNumber, transferType: 'POSTAL' });
    await assertValidResponse(postal.body);
    const ibans = [...postal.body.matchAll(/<IBAN>([^<]+)<\/IBAN>/g)].map((m) => m[1]);
    assert.match(ibans[0]!, /^IT\d\d[A-Z]07601/);
    assert.equal(ibans[1], 'IT60X0542811101000000123456');
  });

  it('answers each PAA fault, schema-valid', async () => {
    const unknown = `301${'9'.repeat(15)}`;
    const draft = await create({}, false);
    const cancelled = await create();
    await cancelPosition(t.platform.db.app, systemActor, enteId, cancelled.id, 'errore di emissione');
    const expired = await create();
    await t.platform.db.owner.updateTable('payment_option').set({ due_date: addDays(todayInRome(), -1) }).where('position_id', '=', expired.id).execute();
    const cases: [string, Promise<{ body: string; status: number }>][] = [
      ['PAA_PAGAMENTO_SCONOSCIUTO', verify(unknown)],
      ['PAA_PAGAMENTO_SCONOSCIUTO', verify(draft.options[0]!.noticeNumber)],
      ['PAA_PAGAMENTO_ANNULLATO', verify(cancelled.options[0]!.noticeNumber)],
      ['PAA_PAGAMENTO_SCADUTO', verify(expired.options[0]!.noticeNumber)],
      ['PAA_PAGAMENTO_SCADUTO', node.send({ kind: 'getPaymentV2', station, noticeNumber: expired.options[0]!.noticeNumber })],
      ['PAA_ID_DOMINIO_ERRATO', verify(single.options[0]!.noticeNumber, { idPA: '99999999999' })],
      ['PAA_ID_DOMINIO_ERRATO', node.send({ kind: 'verify', station, noticeNumber: single.options[0]!.noticeNumber, qrFiscalCode: '00000000000' })],
      ['PAA_ID_INTERMEDIARIO_ERRATO', verify(single.options[0]!.noticeNumber, { idBrokerPA: '11111111111' })],
      ['PAA_STAZIONE_INT_ERRATA', verify(single.options[0]!.noticeNumber, { idStation: `${station.idBrokerPA}_99` })],
      ['PAA_SINTASSI_XSD', verify('12345')],
    ];
    for (const [code, pending] of cases) {
      const r = await pending;
      assert.equal(r.status, 200, code);
      assert.equal(xmlText(r.body, 'outcome'), 'KO');
      assert.equal(faultOf(r.body), code);
      assert.ok(xmlText(r.body, 'faultString') && xmlText(r.body, 'description') && xmlText(r.body, 'id'));
      assert.doesNotMatch(r.body, /select|postgres|Error:|at .*\.ts/i, 'no internals leak');
      await assertValidResponse(r.body);
    }
  });

  it('records a receipt once: option and position paid, raw XML stored, mail queued once; resending answers OK', async () => {
    const p = await create();
    const receipt = receiptFor(p);
    receipt.paymentDateTime = '2026-03-29T03:30:00'; // the DST morning: 03:30 CEST = 01:30 UTC
    const before = await counts();
    const first = await node.send({ kind: 'sendRT', station, receipt });
    assert.equal(first.status, 200);
    await assertValidResponse(first.body);
    assert.equal(xmlText(first.body, 'outcome'), 'OK');
    const second = await node.send({ kind: 'sendRT', station, receipt });
    assert.equal(xmlText(second.body, 'outcome'), 'OK');
    await assertValidResponse(second.body);
    const after = await counts();
    assert.equal(after.receipts, before.receipts + 1);
    assert.equal(after.mails, before.mails + 1);
    const row = await t.platform.db.owner.selectFrom('payment_receipt').selectAll().where('receipt_id', '=', receipt.receiptId).executeTakeFirstOrThrow();
    assert.equal(row.payment_date_time?.toISOString(), '2026-03-29T01:30:00.000Z');
    assert.equal(row.payer_fiscal_code, GIULIA.fiscalCode);
    assert.equal(Number(row.fee_cents), 150);
    assert.equal(row.duplicate_of, null);
    const stored = await t.platform.db.owner.selectFrom('stored_file').select('media_type').where('sha256', '=', row.raw_sha256).executeTakeFirstOrThrow();
    assert.equal(stored.media_type, 'application/xml');
    const position = await t.platform.db.owner.selectFrom('payment_position').select('status').where('id', '=', p.id).executeTakeFirstOrThrow();
    assert.equal(position.status, 'paid');
    const mails = await t.platform.db.owner.selectFrom('mail_outbox').selectAll().where('idempotency_key', '=', `payment-receipt:${receipt.receiptId}`).execute();
    assert.equal(mails.length, 1);
    assert.deepEqual(mails[0]!.recipients, ['mario.rossi@example.it']);
    assert.match(mails[0]!.text_body, /123,45 euro/);
    assert.match(mails[0]!.text_body, new RegExp(`/asti/pagamenti/ricevute/${row.id}\\.pdf`));
    const audit = await t.platform.db.owner.selectFrom('audit_log').select('action').where('entity_id', '=', row.id).execute();
    assert.deepEqual(audit.map((a) => a.action), ['payment_receipt.receive']);
    // Paid now: verify and getPayment say so.
    assert.equal(faultOf((await verify(p.options[0]!.noticeNumber)).body), 'PAA_PAGAMENTO_DUPLICATO');
  });

  it('pays instalments with paSendRTV2: partially paid, then paid after the last; the whole amount is no longer payable', async () => {
    const [full, first, second] = tari.options;
    assert.equal(full!.instalment, null);
    const r1 = await node.send({ kind: 'sendRTV2', station, receipt: receiptFor(tari, 1) });
    await assertValidResponse(r1.body);
    assert.equal(xmlText(r1.body, 'outcome'), 'OK');
    const status = async () => (await t.platform.db.owner.selectFrom('payment_position').select('status').where('id', '=', tari.id).executeTakeFirstOrThrow()).status;
    assert.equal(await status(), 'partially_paid');
    assert.equal(faultOf((await verify(full!.noticeNumber)).body), 'PAA_PAGAMENTO_DUPLICATO');
    assert.equal(faultOf((await verify(first!.noticeNumber)).body), 'PAA_PAGAMENTO_DUPLICATO');
    assert.equal(xmlText((await verify(second!.noticeNumber)).body, 'outcome'), 'OK');
    await node.send({ kind: 'sendRTV2', station, receipt: receiptFor(tari, 2) });
    assert.equal(await status(), 'paid');
  });

  it('keeps a second payment of a paid option (another receiptId) flagged as duplicate, answering OK', async () => {
    const p = await create();
    const one = receiptFor(p, 0, 'RT-double-1');
    await node.send({ kind: 'sendRTV2', station, receipt: one });
    const two = await node.send({ kind: 'sendRTV2', station, receipt: { ...one, receiptId: 'RT-double-2' } });
    assert.equal(xmlText(two.body, 'outcome'), 'OK');
    await assertValidResponse(two.body);
    const rows = await t.platform.db.owner.selectFrom('payment_receipt').select(['id', 'receipt_id', 'duplicate_of']).where('notice_number', '=', p.options[0]!.noticeNumber).orderBy('received_at').execute();
    assert.equal(rows.length, 2);
    assert.equal(rows[0]!.duplicate_of, null);
    assert.equal(rows[1]!.duplicate_of, rows[0]!.id);
  });

  it('records 20 identical receipts sent at once as one payment', async () => {
    const p = await create();
    const before = await counts();
    const results = await node.many({ kind: 'sendRTV2', station, receipt: receiptFor(p, 0, 'RT-burst') }, 20);
    for (const r of results) {
      assert.equal(r.status, 200);
      assert.equal(xmlText(r.body, 'outcome'), 'OK');
      assert.ok(r.ms < 2000, `answered in ${r.ms} ms`);
    }
    const after = await counts();
    assert.equal(after.receipts - before.receipts, 1);
    assert.equal(after.paid_options - before.paid_options, 1);
    assert.equal(after.mails - before.mails, 1);
  });

  it('refuses hostile and broken messages with a fault or 400, never 5xx, and changes nothing', async () => {
    const p = await create();
    const good = receiptFor(p, 0, 'RT-never');
    const envelopeOf = (inner: string) =>
      `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:n="http://pagopa-api.pagopa.gov.it/pa/paForNode.xsd"><soapenv:Body>${inner}</soapenv:Body></soapenv:Envelope>`;
    const verifyInner = (ns = 'n') => `<${ns}:paVerifyPaymentNoticeReq><idPA>${station.idPA}</idPA><idBrokerPA>${station.idBrokerPA}</idBrokerPA><idStation>${station.idStation}</idStation><qrCode><fiscalCode>${station.idPA}</fiscalCode><noticeNumber>${p.options[0]!.noticeNumber}</noticeNumber></qrCode></${ns}:paVerifyPaymentNoticeReq>`;
    const bomb = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>${envelopeOf(verifyInner().replace(station.idPA, '&lol3;'))}`;
    const external = `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>${envelopeOf(verifyInner().replace('<idPA>', '<idPA>&xxe;'))}`;
    const send = (kind: 'sendRT' | 'sendRTV2', receipt: ReceiptParams, over: Partial<typeof station> = {}) => node.send({ kind, station: { ...station, ...over }, receipt });
    const sixTransfers = { ...good, transfers: Array.from({ length: 6 }, (_, i) => ({ ...good.transfers[0]!, id: i + 1 })) };
    const before = await counts();
    const cases: [string, Promise<{ status: number; body: string }>, number, string | null][] = [
      ['entity bomb', node.send({ kind: 'raw', body: bomb, soapAction: 'paVerifyPaymentNotice' }), 200, 'PAA_SINTASSI_EXTRAXSD'],
      ['external entity', node.send({ kind: 'raw', body: external, soapAction: 'paSendRT' }), 200, 'PAA_SINTASSI_EXTRAXSD'],
      ['DTD, no SOAPAction', node.send({ kind: 'raw', body: external }), 400, null],
      ['wrong namespace', node.send({ kind: 'raw', body: envelopeOf(verifyInner().replace(/<n:|<\/n:/g, (m) => m.replace('n:', 'w:')).replace('<w:paVerifyPaymentNoticeReq>', '<w:paVerifyPaymentNoticeReq xmlns:w="http://example.com/wrong">')), soapAction: 'paVerifyPaymentNotice' }), 200, 'PAA_SINTASSI_XSD'],
      ['qualified children', node.send({ kind: 'raw', body: envelopeOf(verifyInner().replace('<idPA>', '<n:idPA>').replace('</idPA>', '</n:idPA>')), soapAction: 'paVerifyPaymentNotice' }), 200, 'PAA_SINTASSI_XSD'],
      ['SOAP 1.2 envelope', node.send({ kind: 'raw', body: envelopeOf(verifyInner()).replace('http://schemas.xmlsoap.org/soap/envelope/', 'http://www.w3.org/2003/05/soap-envelope'), soapAction: 'paVerifyPaymentNotice' }), 200, 'PAA_SINTASSI_XSD'],
      ['malformed XML', node.send({ kind: 'raw', body: envelopeOf(verifyInner()).replace('</idPA>', '</idpa>'), soapAction: 'paVerifyPaymentNotice' }), 200, 'PAA_SINTASSI_EXTRAXSD'],
      ['malformed, no SOAPAction', node.send({ kind: 'raw', body: '<soapenv:Envelope' }), 400, null],
      ['undefined entity', node.send({ kind: 'raw', body: envelopeOf(verifyInner()).replace('<idPA>', '<idPA>&nbsp;'), soapAction: 'paVerifyPaymentNotice' }), 200, 'PAA_SINTASSI_EXTRAXSD'],
      ['unknown operation', node.send({ kind: 'raw', body: envelopeOf('<n:paDemandPaymentNoticeRequest/>') }), 400, null],
      ['two roots', node.send({ kind: 'raw', body: `${envelopeOf(verifyInner())}<x/>`, soapAction: 'paVerifyPaymentNotice' }), 200, 'PAA_SINTASSI_EXTRAXSD'],
      ['3-decimal amount', send('sendRT', { ...good, amount: '123.450' }), 200, 'PAA_SINTASSI_XSD'],
      ['3-decimal transfer', send('sendRTV2', { ...good, transfers: [{ ...good.transfers[0]!, amount: '123.451' }] }), 200, 'PAA_SINTASSI_XSD'],
      ['6 transfers', send('sendRTV2', sixTransfers), 200, 'PAA_SINTASSI_XSD'],
      ['wrong amount', send('sendRTV2', { ...good, amount: '1.00', transfers: [{ ...good.transfers[0]!, amount: '1.00' }] }), 200, 'PAA_SEMANTICA'],
      ['wrong ente in receipt', send('sendRTV2', { ...good, fiscalCode: '00000000000' }), 200, 'PAA_SEMANTICA'],
      ['unknown notice receipt', send('sendRTV2', { ...good, noticeNumber: `301${'8'.repeat(15)}` }), 200, 'PAA_PAGAMENTO_SCONOSCIUTO'],
      ['wrong idPA', send('sendRT', good, { idPA: '99999999999' }), 200, 'PAA_ID_DOMINIO_ERRATO'],
      ['wrong broker', send('sendRT', good, { idBrokerPA: '11111111111' }), 200, 'PAA_ID_INTERMEDIARIO_ERRATO'],
      ['wrong station', send('sendRT', good, { idStation: 'STAZIONE_X' }), 200, 'PAA_STAZIONE_INT_ERRATA'],
      ['JSON, not SOAP', node.send({ kind: 'raw', body: '{"idPA":"1"}', contentType: 'application/json' }), 400, null],
      ['empty body', node.send({ kind: 'raw', body: '', soapAction: 'paSendRT' }), 200, 'PAA_SINTASSI_EXTRAXSD'],
    ];
    for (const [label, pending, status, fault] of cases) {
      const r = await pending;
      assert.equal(r.status, status, `${label}: ${r.status} ${r.body.slice(0, 300)}`);
      if (fault) {
        assert.equal(faultOf(r.body), fault, label);
        await assertValidResponse(r.body);
      } else if (r.body.startsWith('<?xml')) {
        assert.match(r.body, /<soapenv:Fault><faultcode>soapenv:Client<\/faultcode>/, label);
        await assertValidEnvelope(r.body);
      } else {
        assert.equal(JSON.parse(r.body).status, 400, label);
      }
      assert.doesNotMatch(r.body, /root:|\/bin\/bash/, `${label}: no external entity content`);
    }
    assert.deepEqual(await counts(), before);
  });

  it('gives the benchmark a real paVerifyPaymentNotice for the demo notices of Asti', async () => {
    const target = await verifyBenchTarget(t.platform.db);
    assert.deepEqual(target.ids, station);
    const seeded = await t.platform.db.owner.selectFrom('payment_option').select('notice_number').where('ente_id', '=', enteId).where('position_id', 'in', (q) => q.selectFrom('payment_position').select('id').where('external_ref', '=', 'TARI-2026-000001')).execute();
    for (const o of seeded) assert.ok(target.noticeNumbers.includes(o.notice_number), o.notice_number);
    const r = await node.send({ kind: 'raw', body: verifyRequestBody(target.ids, target.noticeNumbers[0]!), soapAction: target.headers.soapaction! });
    assert.equal(xmlText(r.body, 'outcome'), 'OK');
    await assertValidResponse(r.body);
  });

  it('reads payment times without a zone as Rome wall time, winter and summer', () => {
    assert.equal(romeDateTime('2026-01-15T10:00:00').toISOString(), '2026-01-15T09:00:00.000Z');
    assert.equal(romeDateTime('2026-07-15T10:00:00').toISOString(), '2026-07-15T08:00:00.000Z');
    assert.equal(romeDateTime('2026-12-31T23:30:00').toISOString(), '2026-12-31T22:30:00.000Z');
    assert.equal(romeDateTime('2026-07-15T10:00:00Z').toISOString(), '2026-07-15T10:00:00.000Z');
  });
});

// The body-element extraction the XSD checks rely on keeps the envelope's namespace declarations.
describe('test support: body element', () => {
  it('copies the envelope namespaces onto the body element', () => {
    const out = bodyElement('<s:Envelope xmlns:s="urn:s" xmlns:p="urn:p"><s:Body><p:x><a>1</a></p:x></s:Body></s:Envelope>');
    assert.equal(out, '<p:x xmlns:s="urn:s" xmlns:p="urn:p"><a>1</a></p:x>');
  });
});
