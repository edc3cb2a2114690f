// The document layer of the albo: what an upload is (by content), signed .p7m files, text extraction.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { DocumentRejected, describeContent, extractPdfText, fileNameFor, formatMegabytes, inspectDocument, type RejectionReason } from './documents.js';
import { makePdf } from '../../../test/support/pdf.js';

const MAX = 5 * 1024 * 1024;


// ---------------------------------------------------------------------------------------------------------
// A tiny DER/BER encoder, enough to wrap a document in a CMS SignedData like a CAdES signer does.

function derLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}
const tlv = (tag: number, ...content: Buffer[]) => {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), derLength(body.length), body]);
};
/** BER indefinite length: tag, 0x80, content, end-of-contents. */
const indefinite = (tag: number, ...content: Buffer[]) => Buffer.concat([Buffer.from([tag, 0x80]), ...content, Buffer.from([0, 0])]);
const seq = (...c: Buffer[]) => tlv(0x30, ...c);
const set = (...c: Buffer[]) => tlv(0x31, ...c);
const int = (n: number) => tlv(0x02, Buffer.from([n]));
const octets = (b: Buffer) => tlv(0x04, b);
const nul = () => Buffer.from([0x05, 0x00]);
const explicit0 = (...c: Buffer[]) => tlv(0xa0, ...c);
function oid(dotted: string): Buffer {
  const [a, b, ...rest] = dotted.split('.').map(Number);
  const out = [a! * 40 + b!];
  for (const n of rest) {
    const groups: number[] = [];
    for (let v = n; ; v = Math.floor(v / 128)) {
      groups.unshift(v % 128);
      if (v < 128) break;
    }
    groups.forEach((g, i) => out.push(i < groups.length - 1 ? g | 0x80 : g));
  }
  return tlv(0x06, Buffer.from(out));
}

const OID = { signedData: '1.2.840.113549.1.7.2', data: '1.2.840.113549.1.7.1', sha256: '2.16.840.1.101.3.4.2.1', rsa: '1.2.840.113549.1.1.1', cn: '2.5.4.3' };

interface SignOptions {
  detached?: boolean;
  /** BER with indefinite lengths and the content in chunks of this size (as streaming signers write). */
  chunked?: number;
  signers?: number;
}

function signerInfo(): Buffer {
  const issuer = seq(set(seq(oid(OID.cn), tlv(0x0c, Buffer.from('CA di prova')))));
  return seq(int(1), seq(issuer, int(42)), seq(oid(OID.sha256), nul()), seq(oid(OID.rsa), nul()), octets(Buffer.alloc(256, 0xab)));
}

function signedData(content: Buffer, options: SignOptions = {}): Buffer {
  const signers = set(...Array.from({ length: options.signers ?? 1 }, signerInfo));
  const certificates = tlv(0xa0, seq(int(3), seq(oid(OID.rsa), nul())));
  const digests = set(seq(oid(OID.sha256), nul()));
  if (options.chunked) {
    const chunks: Buffer[] = [];
    for (let i = 0; i < content.length; i += options.chunked) chunks.push(octets(content.subarray(i, i + options.chunked)));
    const eContent = options.detached ? [] : [indefinite(0xa0, indefinite(0x24, ...chunks))];
    const encap = indefinite(0x30, oid(OID.data), ...eContent);
    return indefinite(0x30, oid(OID.signedData), indefinite(0xa0, indefinite(0x30, int(1), digests, encap, certificates, signers)));
  }
  const encap = seq(oid(OID.data), ...(options.detached ? [] : [explicit0(octets(content))]));
  return seq(oid(OID.signedData), explicit0(seq(int(1), digests, encap, certificates, signers)));
}

// ---------------------------------------------------------------------------------------------------------

function rejected(fn: () => unknown, reason: RejectionReason, message?: RegExp): DocumentRejected {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof DocumentRejected, `expected DocumentRejected, got ${String(err)}`);
    assert.equal(err.reason, reason, err.message);
    if (message) assert.match(err.message, message);
    return err;
  }
  assert.fail('expected DocumentRejected');
}

let pdf: Buffer;
before(async () => {
  pdf = await makePdf('Determinazione n. 12 del 2025: è approvato il progetto di manutenzione.');
});

describe('inspectDocument: PDF', () => {
  test('accepts a PDF, whatever its name says', () => {
    const r = inspectDocument(pdf, 'determina.pdf', MAX);
    assert.deepEqual({ kind: r.kind, mediaType: r.mediaType, fileName: r.fileName }, { kind: 'pdf', mediaType: 'application/pdf', fileName: 'determina.pdf' });
    assert.equal(r.pdfBytes, pdf);
    assert.equal(inspectDocument(pdf, 'determina.pdf.p7m', MAX).fileName, 'determina.pdf');
    assert.equal(inspectDocument(pdf, 'C:\\fakepath\\scansione', MAX).fileName, 'scansione.pdf');
  });

  test('the header must start in the first KiB and %%EOF be in the last 2 KiB', () => {
    const junk = (n: number) => Buffer.alloc(n, 0x20);
    assert.equal(inspectDocument(Buffer.concat([junk(1000), pdf]), 'a.pdf', MAX).kind, 'pdf');
    rejected(() => inspectDocument(Buffer.concat([junk(1024), pdf]), 'a.pdf', MAX), 'not_pdf');
    assert.equal(inspectDocument(Buffer.concat([pdf, junk(2000)]), 'a.pdf', MAX).kind, 'pdf');
    rejected(() => inspectDocument(Buffer.concat([pdf, junk(2048)]), 'a.pdf', MAX), 'damaged_pdf', /«a\.pdf» è un PDF incompleto o danneggiato/);
    rejected(() => inspectDocument(pdf.subarray(0, pdf.length - 200), 'troncato.pdf', MAX), 'damaged_pdf');
    assert.equal(inspectDocument(Buffer.from('%PDF-2.0\n1 0 obj\n<<>>\nendobj\n%%EOF\n'), 'v2.pdf', MAX).kind, 'pdf');
    rejected(() => inspectDocument(Buffer.from('%PDF-3.1\n%%EOF\n'), 'v3.pdf', MAX), 'not_pdf');
  });

  test('refuses empty and too large files with the limit in MB', () => {
    rejected(() => inspectDocument(Buffer.alloc(0), 'vuoto.pdf', MAX), 'empty', /«vuoto\.pdf» è vuoto/);
    const big = Buffer.concat([pdf, Buffer.alloc(3 * 1024 * 1024)]);
    rejected(() => inspectDocument(big, 'grande.pdf', 2 * 1024 * 1024), 'too_large', /«grande\.pdf» supera la dimensione massima consentita di 2 MB \(è di 3 MB\)/);
    assert.equal(formatMegabytes(2.5 * 1024 * 1024), '2,5 MB');
    assert.equal(formatMegabytes(20 * 1024 * 1024), '20 MB');
  });

  test('names what a renamed file really is', () => {
    const cases: [Buffer, string][] = [
      [Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46, 0x49, 0x46, 0, 1]), 'immagine JPEG'],
      [Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]), 'immagine PNG'],
      [Buffer.concat([Buffer.from('PK\x03\x04\x14\x00', 'latin1'), Buffer.from('[Content_Types].xml word/document.xml')]), 'documento Word (DOCX)'],
      [Buffer.concat([Buffer.from('PK\x03\x04\x14\x00', 'latin1'), Buffer.from('xl/workbook.xml')]), 'foglio Excel (XLSX)'],
      [Buffer.concat([Buffer.from('PK\x03\x04\x14\x00', 'latin1'), Buffer.from('foto.jpg')]), 'archivio ZIP'],
      [Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0]), 'documento Office in formato binario (DOC, XLS o PPT)'],
      [Buffer.from('\uFEFF<!DOCTYPE html>\n<html lang="it"><body>Errore 404</body></html>'), 'pagina HTML'],
      [Buffer.from('<?xml version="1.0"?><p:FatturaElettronica versione="FPR12"/>'), 'fattura elettronica XML'],
      [Buffer.from('Verbale della seduta del consiglio comunale.\nPresenti: 12.'), 'testo'],
      [Buffer.from('0123 elenco dei partecipanti'), 'testo'], // starts with 0x30 like DER, but is text
      [Buffer.from([0x00, 0x01, 0x02, 0x03, 0x04, 0xfe]), 'dati binari non riconosciuti'],
    ];
    for (const [bytes, what] of cases) {
      assert.equal(describeContent(bytes), what);
      const err = rejected(() => inspectDocument(bytes, 'atto.pdf', MAX), 'not_pdf');
      assert.equal(err.message, `Il file «atto.pdf» non è un PDF (contenuto: ${what}).`);
      assert.equal(err.detected, what);
    }
    rejected(() => inspectDocument(cases[0]![0], 'atto.pdf.p7m', MAX), 'not_pdf', /«atto\.pdf\.p7m» non è un file firmato CAdES \(\.p7m\) né un PDF \(contenuto: immagine JPEG\)/);
  });

  test('keeps control characters and paths out of messages', () => {
    const err = rejected(() => inspectDocument(Buffer.from('ciao'), '/tmp/x/\u0007nome\u0000.pdf', MAX), 'not_pdf');
    assert.match(err.message, /«nome\.pdf»/);
    assert.equal(fileNameFor('', 'p7m'), 'documento.pdf.p7m');
  });
});

describe('inspectDocument: signed files (.p7m)', () => {
  test('accepts a DER SignedData around a PDF and returns the PDF', () => {
    const p7m = signedData(pdf);
    const r = inspectDocument(p7m, 'delibera.pdf.p7m', MAX);
    assert.equal(r.kind, 'p7m');
    assert.equal(r.mediaType, 'application/pkcs7-mime');
    assert.ok(r.pdfBytes.equals(pdf));
    assert.equal(r.fileName, 'delibera.pdf.p7m');
    // By content, not by name.
    assert.equal(inspectDocument(p7m, 'delibera.pdf', MAX).fileName, 'delibera.pdf.p7m');
    assert.equal(inspectDocument(signedData(pdf, { signers: 3 }), 'x.p7m', MAX).kind, 'p7m');
  });

  test('accepts BER with indefinite lengths and the content in chunks', () => {
    for (const size of [1, 1000, 4096]) {
      const r = inspectDocument(signedData(pdf, { chunked: size }), 'chunked.p7m', MAX);
      assert.ok(r.pdfBytes.equals(pdf), `chunks of ${size}`);
    }
  });

  test('accepts base64 files, with or without PEM lines', () => {
    const der = signedData(pdf);
    const b64 = der.toString('base64').replace(/.{64}/g, '$&\r\n');
    assert.ok(inspectDocument(Buffer.from(b64), 'b64.p7m', MAX).pdfBytes.equals(pdf));
    const pem = `-----BEGIN PKCS7-----\n${der.toString('base64').replace(/.{64}/g, '$&\n')}\n-----END PKCS7-----\n`;
    assert.ok(inspectDocument(Buffer.from(pem), 'pem.p7m', MAX).pdfBytes.equals(pdf));
  });

  test('unwraps a signed file signed again (nested signatures)', () => {
    const twice = signedData(signedData(pdf, { chunked: 500 }));
    assert.ok(inspectDocument(twice, 'x.pdf.p7m.p7m', MAX).pdfBytes.equals(pdf));
    let deep = pdf;
    for (let i = 0; i < 6; i++) deep = signedData(deep);
    rejected(() => inspectDocument(deep, 'x.p7m', MAX), 'invalid_signed_file', /troppe firme annidate/);
  });

  test('refuses signed files that do not hold a PDF', () => {
    const xml = Buffer.from('<?xml version="1.0"?><p:FatturaElettronica versione="FPR12"></p:FatturaElettronica>');
    rejected(() => inspectDocument(signedData(xml), 'fattura.xml.p7m', MAX), 'signed_content_not_pdf', /«fattura\.xml\.p7m» non contiene un PDF \(contenuto firmato: fattura elettronica XML\)/);
    rejected(() => inspectDocument(signedData(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2])), 'foto.p7m', MAX), 'signed_content_not_pdf', /immagine JPEG/);
    rejected(() => inspectDocument(signedData(Buffer.alloc(0)), 'vuoto.p7m', MAX), 'signed_content_not_pdf', /vuoto/);
    rejected(() => inspectDocument(signedData(pdf.subarray(0, pdf.length - 100)), 'rotto.p7m', MAX), 'signed_content_not_pdf', /PDF incompleto/);
    rejected(() => inspectDocument(signedData(pdf, { detached: true }), 'firma.p7m', MAX), 'detached_signature', /firma separata/);
    rejected(() => inspectDocument(signedData(pdf, { detached: true, chunked: 100 }), 'firma.p7m', MAX), 'detached_signature');
    rejected(() => inspectDocument(signedData(pdf, { signers: 0 }), 'nofirme.p7m', MAX), 'invalid_signed_file', /nessuna firma/);
  });

  test('a certificate or other DER that is not SignedData is not a signed file', () => {
    const cert = seq(seq(int(2), seq(oid(OID.rsa), nul())), seq(oid(OID.sha256)));
    rejected(() => inspectDocument(cert, 'certificato.p7m', MAX), 'not_pdf', /dati binari in formato ASN\.1/);
    const envelope = seq(oid('1.2.840.113549.1.7.3'), explicit0(seq(int(0))));
    rejected(() => inspectDocument(envelope, 'cifrato.p7m', MAX), 'not_pdf');
  });

  test('every truncation of a signed file is refused cleanly', () => {
    for (const p7m of [signedData(pdf), signedData(pdf, { chunked: 700 })]) {
      for (let cut = 1; cut < p7m.length; cut += cut < 400 ? 1 : 37) {
        try {
          inspectDocument(p7m.subarray(0, cut), 'troncato.p7m', MAX);
          // A cut after the end of the PDF content can leave a parseable prefix only if signers are missing: never accepted.
          assert.fail(`a truncated file (${cut} of ${p7m.length} bytes) was accepted`);
        } catch (err) {
          assert.ok(err instanceof DocumentRejected, `cut at ${cut}: ${String(err)}`);
        }
      }
    }
  });

  test('random corruption never escapes as another error, never hangs', () => {
    let seed = 12345;
    const random = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    const originals = [signedData(pdf), signedData(pdf, { chunked: 300 })];
    const started = Date.now();
    for (let i = 0; i < 3000; i++) {
      const copy = Buffer.from(originals[i % 2]!);
      const flips = 1 + Math.floor(random() * 4);
      // Corrupt the structure (the first bytes and the end, where the signer infos are) more than the PDF.
      for (let f = 0; f < flips; f++) {
        const where = random() < 0.5 ? Math.floor(random() * 80) : Math.floor(random() * copy.length);
        copy[where] = Math.floor(random() * 256);
      }
      try {
        const r = inspectDocument(copy, 'x.p7m', MAX);
        assert.ok(r.kind === 'p7m' || r.kind === 'pdf');
      } catch (err) {
        assert.ok(err instanceof DocumentRejected, `mutation ${i}: ${String(err)}`);
      }
    }
    assert.ok(Date.now() - started < 20_000);
  });

  test('nesting bombs and absurd lengths are refused', () => {
    const head = Buffer.concat([Buffer.from([0x30, 0x80]), oid(OID.signedData), Buffer.from([0xa0, 0x80])]);
    const bomb = Buffer.concat([head, Buffer.alloc(200_000).fill(Buffer.from([0x30, 0x80]))]);
    rejected(() => inspectDocument(bomb, 'bomba.p7m', MAX), 'invalid_signed_file', /annidata troppo in profondità/);
    const huge = Buffer.concat([Buffer.from([0x30, 0x84, 0xff, 0xff, 0xff, 0xf0]), oid(OID.signedData), Buffer.from([0xa0, 0x84, 0x7f, 0xff, 0xff, 0xff])]);
    rejected(() => inspectDocument(huge, 'enorme.p7m', MAX), 'invalid_signed_file', /oltre la fine/);
    const longLength = Buffer.concat([Buffer.from([0x30, 0x82, 0x00, 0x20]), oid(OID.signedData), Buffer.from([0xa0, 0x89, 1, 2, 3, 4, 5, 6, 7, 8, 9])]);
    rejected(() => inspectDocument(Buffer.concat([longLength, Buffer.alloc(20)]), 'lungo.p7m', MAX), 'invalid_signed_file');
    const primitiveIndefinite = Buffer.concat([head, Buffer.from([0x04, 0x80, 0, 0, 0, 0])]);
    rejected(() => inspectDocument(primitiveIndefinite, 'x.p7m', MAX), 'invalid_signed_file');
  });
});

describe('extractPdfText', () => {
  test('reads the text of a PDF, accents included', async () => {
    const r = await extractPdfText(pdf);
    assert.equal(r.ok, true);
    assert.equal(r.pages, 1);
    assert.equal(r.truncated, false);
    assert.match(r.text, /Determinazione n\. 12 del 2025: è approvato il progetto di manutenzione\./);
  });

  test('reads the PDF inside a signed file', async () => {
    const { pdfBytes } = inspectDocument(signedData(pdf, { chunked: 512 }), 'x.p7m', MAX);
    assert.match((await extractPdfText(pdfBytes)).text, /progetto di manutenzione/);
  });

  test('is bounded in pages and characters', async () => {
    const five = await makePdf('pagina uno', 'pagina due', 'pagina tre', 'pagina quattro', 'pagina cinque');
    const r = await extractPdfText(five, { maxPages: 2 });
    assert.equal(r.pages, 5);
    assert.equal(r.truncated, true);
    assert.match(r.text, /pagina uno[\s\S]*pagina due/);
    assert.doesNotMatch(r.text, /pagina tre/);
    const short = await extractPdfText(five, { maxChars: 15 });
    assert.equal(short.truncated, true);
    assert.ok(short.text.length <= 16, short.text);
  });

  test('returns ok: false instead of throwing on what pdf.js cannot read', async () => {
    const broken = await extractPdfText(Buffer.from('%PDF-1.7\ngarbage garbage\n%%EOF\n'));
    assert.equal(broken.ok, false);
    assert.equal(broken.text, '');
    assert.ok(broken.error);
    const nothing = await extractPdfText(Buffer.alloc(0));
    assert.equal(nothing.ok, false);
  });

  test('does not consume the caller’s buffer', async () => {
    const copy = Buffer.from(pdf);
    await extractPdfText(copy);
    assert.ok(copy.equals(pdf));
  });
});

describe('inspectDocument: base64 edge cases', () => {
  test('a large base64 file and a short PEM file', () => {
    const big = Buffer.concat([pdf, Buffer.alloc(8000, 0x20), Buffer.from('%%EOF\n')]);
    const der = signedData(big);
    const b64 = Buffer.from(der.toString('base64').replace(/.{76}/g, '$&\n'));
    assert.ok(b64.length > 4096);
    assert.ok(inspectDocument(b64, 'grande.p7m', MAX).pdfBytes.equals(big));
    const pem = Buffer.from(`-----BEGIN PKCS7-----\n${signedData(Buffer.from('%PDF-1.4\n%%EOF\n')).toString('base64')}\n-----END PKCS7-----\n`);
    assert.ok(pem.length < 4096);
    assert.equal(inspectDocument(pem, 'piccolo.p7m', MAX).kind, 'p7m');
    rejected(() => inspectDocument(Buffer.from('QUJD'.repeat(2000)), 'abc.p7m', MAX), 'not_pdf', /contenuto: testo/);
  });
});
