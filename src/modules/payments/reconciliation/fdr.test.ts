// The FdR reader against the official schemas: the fixtures validate with xmllint --schema (1_0_4 or 1_0_5) and
// are read as such; for a set of broken variants the reader and xmllint give the same verdict; DTDs, entities and
// malformed documents are refused before anything is read. Also: the treasury remittance, the bank statement CSV
// and the match of a line to its receipt.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FdrError, parseFdr } from './fdr.js';
import { fixture, xmllintVersions } from './fixtures/xmllint.js';
import { fdrXml } from './fdr-xml.js';
import { expectedAmount, matchLine, type OptionCandidate } from './matching.js';
import { flowRefOf, lineKey, parseStatement } from './treasury.js';

function ourVersions(xml: string): string[] {
  try {
    return parseFdr(Buffer.from(xml)).schemaVersions;
  } catch (err) {
    if (err instanceof FdrError) return [];
    throw err;
  }
}

describe('FdR reader', () => {
  it('reads the 1_0_4 fixture, which xmllint validates against 1_0_4 only', () => {
    const xml = fixture('fdr-1_0_4.xml');
    assert.deepEqual(xmllintVersions(xml), ['1_0_4']);
    const flow = parseFdr(Buffer.from(xml));
    assert.deepEqual(flow.schemaVersions, ['1_0_4']);
    assert.equal(flow.flowId, '2026-11-20BCITITMM-S104001');
    // no zone: Italian time (winter, UTC+1)
    assert.equal(flow.flowDateTime.toISOString(), '2026-11-21T06:15:00.000Z');
    assert.equal(flow.settlementDate, '2026-11-21');
    assert.deepEqual(flow.sender, { type: 'B', code: 'BCITITMM', name: 'Intesa Sanpaolo S.p.A.' });
    assert.equal(flow.bic, 'BCITITMM');
    assert.deepEqual(flow.receiver, { code: '80010050054', name: 'Comune di Asti & frazioni' });
    assert.equal(flow.declaredCount, 3);
    assert.equal(flow.declaredTotalCents, 17_540);
    assert.deepEqual(flow.lines, [
      { iuv: '01999999999990101', iur: 'RT-104-0001', transferIndex: 1, amountCents: 10_000, outcomeCode: '0', outcomeDate: '2026-11-20' },
      { iuv: '01999999999990202', iur: 'RT-104-0002', transferIndex: null, amountCents: 5_040, outcomeCode: '3', outcomeDate: '2026-11-20' },
      { iuv: '01999999999990303', iur: 'RT-104-0003', transferIndex: 2, amountCents: 2_500, outcomeCode: '9', outcomeDate: '2026-11-19' },
    ]);
  });

  it('reads the 1_0_5 fixture, which xmllint validates against 1_0_5 only', () => {
    const xml = fixture('fdr-1_0_5.xml');
    assert.deepEqual(xmllintVersions(xml), ['1_0_5']);
    const flow = parseFdr(Buffer.from(xml));
    assert.deepEqual(flow.schemaVersions, ['1_0_5']);
    assert.equal(flow.objectVersion, '1.1');
    assert.equal(flow.flowDateTime.toISOString(), '2026-11-21T06:00:00.000Z');
    assert.deepEqual(flow.sender, { type: 'A', code: '03069', name: null });
    assert.equal(flow.bic, null);
    assert.deepEqual(
      flow.lines.map((l) => [l.outcomeCode, l.amountCents]),
      [['4', 2_221], ['8', 1_500]],
    );
  });

  it('writes flows (demo, tests) that validate against both schemas when the codes allow it', () => {
    const xml = fdrXml({
      flowId: '2026-03-29ABI03069-S1',
      flowDateTime: '2026-03-29T02:30:00',
      settlementId: 'R1',
      settlementDate: '2026-03-30',
      psp: { code: 'ABI03069', name: 'Banca <demo> & C.' },
      receiver: { fiscalCode: '80010050054', name: 'Comune di Asti' },
      lines: [{ iuv: '01000000000012373', iur: 'X', amountCents: 1, date: '2026-03-29' }],
    });
    assert.deepEqual(xmllintVersions(xml), ['1_0_4', '1_0_5']);
    const flow = parseFdr(Buffer.from(xml));
    assert.deepEqual(flow.schemaVersions, ['1_0_4', '1_0_5']);
    assert.equal(flow.sender.name, 'Banca <demo> & C.');
    // 02:30 of the night summer time starts does not exist in Rome: read as winter time
    assert.equal(flow.flowDateTime.toISOString(), '2026-03-29T01:30:00.000Z');
  });

  it('agrees with xmllint on valid and broken variants', () => {
    const base = fixture('fdr-1_0_4.xml');
    const first = (s: string, from: string, to: string) => {
      assert.ok(s.includes(from), `variant source missing: ${from}`);
      return s.replace(from, to);
    };
    const variants: [string, string][] = [
      ['amount with one decimal', first(base, '<singoloImportoPagato>100.00', '<singoloImportoPagato>100.0')],
      ['amount with three decimals', first(base, '<singoloImportoPagato>100.00', '<singoloImportoPagato>100.000')],
      ['amount zero', first(base, '<singoloImportoPagato>100.00', '<singoloImportoPagato>0.00')],
      ['amount with spaces (collapsed)', first(base, '<singoloImportoPagato>100.00', '<singoloImportoPagato>\n 100.00 ')],
      ['total 0.00 allowed', first(base, '<importoTotalePagamenti>175.40', '<importoTotalePagamenti>0.00')],
      ['total too large', first(base, '<importoTotalePagamenti>175.40', '<importoTotalePagamenti>1000000000.00')],
      ['impossible date', first(base, '<dataRegolamento>2026-11-21', '<dataRegolamento>2026-02-30')],
      ['date with zone', first(base, '<dataRegolamento>2026-11-21', '<dataRegolamento>2026-11-21+01:00')],
      ['date-time without seconds', first(base, '<dataOraFlusso>2026-11-21T07:15:00', '<dataOraFlusso>2026-11-21T07:15')],
      ['date-time with zone', first(base, '<dataOraFlusso>2026-11-21T07:15:00', '<dataOraFlusso>2026-11-21T07:15:00+01:00')],
      ['unknown object version', first(base, '<versioneOggetto>1.0', '<versioneOggetto>2.0')],
      ['object version with spaces', first(base, '<versioneOggetto>1.0', '<versioneOggetto> 1.0')],
      ['flow id with a dot', first(base, '<identificativoFlusso>2026-11-20BCITITMM', '<identificativoFlusso>2026.11-20BCITITMM')],
      ['flow id of 36 characters', first(base, '<identificativoFlusso>2026-11-20BCITITMM-S104001', `<identificativoFlusso>${'A'.repeat(36)}`)],
      ['missing dataRegolamento', first(base, '<dataRegolamento>2026-11-21</dataRegolamento>', '')],
      ['elements out of order', first(first(base, '<numeroTotalePagamenti>3</numeroTotalePagamenti>', ''), '<importoTotalePagamenti>175.40</importoTotalePagamenti>', '<importoTotalePagamenti>175.40</importoTotalePagamenti><numeroTotalePagamenti>3</numeroTotalePagamenti>')],
      ['element repeated', first(base, '<dataRegolamento>2026-11-21</dataRegolamento>', '<dataRegolamento>2026-11-21</dataRegolamento><dataRegolamento>2026-11-21</dataRegolamento>')],
      ['unknown element', first(base, '<numeroTotalePagamenti>', '<nota>x</nota><numeroTotalePagamenti>')],
      ['no payment lines', base.replace(/<datiSingoliPagamenti>[\s\S]*<\/datiSingoliPagamenti>/, '')],
      ['outcome code 7', first(base, '<codiceEsitoSingoloPagamento>0', '<codiceEsitoSingoloPagamento>7')],
      ['outcome code 4 beside 3 (neither schema)', first(base, '<codiceEsitoSingoloPagamento>0', '<codiceEsitoSingoloPagamento>4')],
      ['outcome 0 only (both schemas)', base.replace(/<codiceEsitoSingoloPagamento>[39]/g, '<codiceEsitoSingoloPagamento>0')],
      ['transfer index 6', first(base, '<indiceDatiSingoloPagamento>1', '<indiceDatiSingoloPagamento>6')],
      ['transfer index with spaces', first(base, '<indiceDatiSingoloPagamento>1', '<indiceDatiSingoloPagamento> 1 ')],
      ['receiver type A', first(base, '<tipoIdentificativoUnivoco>G', '<tipoIdentificativoUnivoco>A')],
      ['sender type G', first(base, '<tipoIdentificativoUnivoco>B', '<tipoIdentificativoUnivoco>G')],
      ['sender name of 2 characters', first(base, 'Intesa Sanpaolo S.p.A.', 'IS')],
      ['empty settlement id', first(base, 'SCT20261121A0001', '')],
      ['count zero', first(base, '<numeroTotalePagamenti>3', '<numeroTotalePagamenti>0')],
      ['count 3.0', first(base, '<numeroTotalePagamenti>3', '<numeroTotalePagamenti>3.0')],
      ['count 3.5', first(base, '<numeroTotalePagamenti>3', '<numeroTotalePagamenti>3.5')],
      ['count differs from the lines (schema-valid)', first(base, '<numeroTotalePagamenti>3', '<numeroTotalePagamenti>4')],
      ['text between elements', first(base, '<numeroTotalePagamenti>', 'oops<numeroTotalePagamenti>')],
      ['attribute on an element', first(base, '<numeroTotalePagamenti>', '<numeroTotalePagamenti id="x">')],
      ['xsi attribute allowed', first(base, '<FlussoRiversamento xmlns=', '<FlussoRiversamento xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="a b" xmlns=')],
      ['wrong namespace', base.replace('http://www.digitpa.gov.it/schemas/2011/Pagamenti/', 'http://example.org/pagamenti/')],
      ['child in no namespace', first(base, '<numeroTotalePagamenti>3</numeroTotalePagamenti>', '<numeroTotalePagamenti xmlns="">3</numeroTotalePagamenti>')],
      ['element content inside a simple element', first(base, '<numeroTotalePagamenti>3', '<numeroTotalePagamenti><b>3</b>')],
      ['CDATA in a text', first(base, 'RT-104-0001', '<![CDATA[RT-104-0001]]>')],
      ['character reference', first(base, 'RT-104-0001', 'RT-104-&#48;001')],
    ];
    for (const [label, xml] of variants) {
      assert.deepEqual(ourVersions(xml), xmllintVersions(xml), `${label}: our verdict differs from xmllint`);
    }
  });

  it('refuses DTDs, entities and malformed documents before reading them', () => {
    const base = fixture('fdr-1_0_4.xml');
    const cases: [string, string, FdrError['kind']][] = [
      ['internal entity', base.replace('<FlussoRiversamento', '<!DOCTYPE FlussoRiversamento [<!ENTITY x "boom">]>\n<FlussoRiversamento').replace('RT-104-0001', '&x;'), 'unsafe'],
      ['billion laughs', `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><lolz>&lol2;</lolz>`, 'unsafe'],
      ['external entity', `<?xml version="1.0"?><!DOCTYPE a [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><a>&xxe;</a>`, 'unsafe'],
      ['doctype without entities', `<?xml version="1.0"?><!doctype a><a/>`, 'unsafe'],
      ['undeclared entity', base.replace('RT-104-0001', '&nbsp;'), 'unsafe'],
      ['unclosed tag', base.replace('</istitutoRicevente>', ''), 'malformed'],
      ['not XML', 'IUV;importo\n0101;10.00\n', 'malformed'],
      ['two roots', `${base}<altro/>`, 'malformed'],
      ['Latin-1 declared', base.replace('encoding="UTF-8"', 'encoding="ISO-8859-1"'), 'malformed'],
      ['undeclared prefix', base.replace('<numeroTotalePagamenti>3</numeroTotalePagamenti>', '<x:numeroTotalePagamenti>3</x:numeroTotalePagamenti>'), 'malformed'],
    ];
    for (const [label, xml, kind] of cases) {
      assert.throws(() => parseFdr(Buffer.from(xml)), (err: unknown) => err instanceof FdrError && err.kind === kind, label);
    }
    assert.throws(() => parseFdr(Buffer.from([0x3c, 0x61, 0xff, 0x3e])), (err: unknown) => err instanceof FdrError && err.kind === 'malformed', 'invalid UTF-8');
    assert.throws(() => parseFdr(Buffer.alloc(10 * 1024 * 1024 + 1, 0x20)), (err: unknown) => err instanceof FdrError && err.kind === 'too_large');
  });
});

describe('treasury lines', () => {
  it('reads the flow id of a remittance whatever its spaces and case', () => {
    assert.equal(flowRefOf('/PUR/LGPE-RIVERSAMENTO/URI/2026-11-20ABI03069-S1'), '2026-11-20ABI03069-S1');
    assert.equal(flowRefOf('Bonifico SEPA /pur/lgpe-riversamento/uri/2026-11-20abi03069 -S1'), '2026-11-20ABI03069-S1');
    assert.equal(flowRefOf('/PUR /LGPE- RIVERSAMENTO/ URI/ 2026-11-20ABI03069-S1 ORD. PAGOPA'), '2026-11-20ABI03069-S1ORD');
    assert.equal(flowRefOf('Stipendi novembre'), undefined);
    assert.equal(flowRefOf('/PUR/LGPE-RIVERSAMENTO/URI/'), undefined);
  });

  it('keys a line by its bank reference, or by date, amount and remittance', () => {
    const line = { valueDate: '2026-11-21', amountCents: 100, remittance: '/PUR/LGPE-RIVERSAMENTO/URI/X', reference: null };
    assert.equal(lineKey(line), lineKey({ ...line, remittance: ' /pur/lgpe-riversamento/uri/x ' }));
    assert.notEqual(lineKey(line), lineKey({ ...line, amountCents: 101 }));
    assert.equal(lineKey({ ...line, reference: 'trn 1' }), 'ref:TRN 1');
  });

  it('reads a bank statement row by row', () => {
    const csv = [
      'Data valuta;Importo;Causale;Riferimento',
      '21/11/2026;1.234,56;/PUR/LGPE-RIVERSAMENTO/URI/2026-11-20ABI03069-S1;TRN001',
      '21/11/2026;-50,00;Commissioni;TRN002',
      '21/11/2026;300,00;Bonifico da privato;TRN003',
      '31/11/2026;10,00;/PUR/LGPE-RIVERSAMENTO/URI/F2;TRN004',
      '2026-11-22;10,005;/PUR/LGPE-RIVERSAMENTO/URI/F3;TRN005',
      '2026-11-22;15.5;/pur/lgpe-riversamento/uri/f4;',
    ].join('\r\n');
    const { rows, error } = parseStatement(Buffer.from(`\uFEFF${csv}`));
    assert.equal(error, undefined);
    assert.deepEqual(
      rows.map((r) => [r.line, r.outcome]),
      [[2, 'ok'], [3, 'ignored'], [4, 'ignored'], [5, 'error'], [6, 'error'], [7, 'ok']],
    );
    assert.deepEqual(rows[0]!.input, { valueDate: '2026-11-21', amountCents: 123_456, remittance: '/PUR/LGPE-RIVERSAMENTO/URI/2026-11-20ABI03069-S1', reference: 'TRN001' });
    assert.deepEqual(rows[5]!.input, { valueDate: '2026-11-22', amountCents: 1_550, remittance: '/pur/lgpe-riversamento/uri/f4', reference: null });
    assert.match(parseStatement(Buffer.from('a,b\n1,2\n')).error ?? '', /Intestazione/);
    assert.equal(parseStatement(Buffer.from('date,amount,remittance\n2026-11-21,10.00,/PUR/LGPE-RIVERSAMENTO/URI/F\n')).rows[0]!.outcome, 'ok');
  });
});

describe('matching a flow line', () => {
  const ente = '80010050054';
  const option: OptionCandidate = {
    id: 'o1',
    serviceCode: 'tari',
    amountCents: 31_500,
    transfers: [
      { idx: 1, fiscalCode: ente, amountCents: 30_000 },
      { idx: 2, fiscalCode: '80000000051', amountCents: 1_500 },
    ],
  };
  const receipt = { id: 'r1', receiptId: 'RT1', amountCents: 31_500, duplicateOf: null, transfers: [] };
  const line = { iuv: '01', iur: 'RT1', transferIndex: null as number | null, amountCents: 30_000, outcomeCode: '0' };

  it('expects the ente share of a payment split with another beneficiary', () => {
    assert.equal(expectedAmount({ transferIndex: null }, receipt, option, ente), 30_000);
    assert.equal(expectedAmount({ transferIndex: 2 }, receipt, option, ente), 1_500);
    const ownTransfers = { ...receipt, transfers: [{ idx: 1, amountCents: 29_000, fiscalCode: ente }, { idx: 2, amountCents: 2_500, fiscalCode: '80000000051' }] };
    assert.equal(expectedAmount({ transferIndex: null }, ownTransfers, option, ente), 29_000, "the receipt's transfers win");
  });

  it('gives each line its status', () => {
    assert.equal(matchLine(line, undefined, [], ente, new Set()).status, 'unknown_iuv');
    assert.equal(matchLine(line, option, [], ente, new Set()).status, 'missing_receipt');
    assert.equal(matchLine(line, option, [receipt], ente, new Set()).status, 'matched');
    assert.deepEqual(matchLine({ ...line, amountCents: 29_999 }, option, [receipt], ente, new Set()), { status: 'amount_mismatch', optionId: 'o1', receiptId: 'r1', serviceCode: 'tari', expectedCents: 30_000 });
    assert.equal(matchLine({ ...line, outcomeCode: '3' }, option, [receipt], ente, new Set()).status, 'revoked');
  });

  it('uses a receipt once per transfer: a second line for the same payment finds no receipt', () => {
    const used = new Set<string>();
    assert.equal(matchLine(line, option, [receipt], ente, used).status, 'matched');
    assert.equal(matchLine(line, option, [receipt], ente, used).status, 'missing_receipt');
    const double = { ...receipt, id: 'r2', receiptId: 'RT2', duplicateOf: 'r1' };
    const fresh = new Set<string>();
    assert.equal(matchLine({ ...line, iur: 'RT2' }, option, [receipt, double], ente, fresh).receiptId, 'r2', 'the IUR names the receipt');
    assert.equal(matchLine(line, option, [receipt, double], ente, fresh).receiptId, 'r1');
  });
});
