// The PDFs of the albo: render them, read the text back with pdf.js, check the facts are there.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { getMeta } from 'unpdf';
import { formatFileSize, formatItalianDate, pdfSafe, renderCertificate, renderRegisterPdf, type CertificateData, type RegisterRow } from './certificate.js';
import { extractPdfText, inspectDocument } from './documents.js';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

const base: CertificateData = {
  enteName: 'Comune di Nizza Monferrato',
  enteDetails: 'Provincia di Asti',
  register: { number: 123, year: 2025 },
  actType: 'Deliberazione della Giunta comunale',
  subject: 'Approvazione del progetto esecutivo di riqualificazione della piazza Garibaldi e delle vie limitrofe – opere di urbanizzazione',
  issuingOffice: 'Area tecnica – Servizio lavori pubblici',
  act: { number: '45', date: '2025-02-03' },
  period: { from: '2025-02-05', to: '2025-02-19', days: 15 },
  documents: [
    { role: 'principale', fileName: 'delibera-45-2025.pdf.p7m', sizeBytes: 1_258_291, sha256: sha('principale') },
    { role: 'allegato', fileName: 'planimetria.pdf', sizeBytes: 34_567, sha256: sha('allegato'), title: 'Planimetria generale' },
  ],
  issue: { place: 'Nizza Monferrato', date: '2025-02-20' },
  responsible: { name: 'Dott.ssa Maria Teresa Bianchi' },
};

async function textOf(pdf: Buffer): Promise<{ text: string; pages: number }> {
  assert.equal(inspectDocument(pdf, 'referto.pdf', 50 * 1024 * 1024).kind, 'pdf'); // our own output passes our own check
  const extracted = await extractPdfText(pdf);
  assert.ok(extracted.ok, extracted.error);
  return { text: extracted.text.replace(/\s+/g, ' '), pages: extracted.pages };
}

describe('renderCertificate', () => {
  test('states the register number, act, period, documents with hashes and the certifying sentence', async () => {
    const pdf = await renderCertificate(base);
    const { text, pages } = await textOf(pdf);
    assert.equal(pages, 1);
    for (const expected of [
      'Comune di Nizza Monferrato',
      'Provincia di Asti',
      'Referto di pubblicazione',
      'Registro n. 123/2025',
      'Deliberazione della Giunta comunale',
      'riqualificazione della piazza Garibaldi',
      'Area tecnica – Servizio lavori pubblici',
      'n. 45 del 03/02/2025',
      'dal 05/02/2025 al 19/02/2025 per 15 giorni consecutivi',
      'Fine effettiva della pubblicazione',
      'Documento principale: delibera-45-2025.pdf.p7m (1,2 MB)',
      'Allegato 1: planimetria.pdf (33,8 kB) – Planimetria generale',
      `SHA-256: ${sha('principale')}`,
      `SHA-256: ${sha('allegato')}`,
      "Si attesta che l'atto sopra indicato è stato pubblicato all'albo pretorio online di questo ente dal 05/02/2025 al 19/02/2025 per 15 giorni consecutivi ai sensi dell’art. 32 della L. 69/2009.",
      'Nizza Monferrato, 20/02/2025',
      'Il responsabile della pubblicazione',
      'Dott.ssa Maria Teresa Bianchi',
      'pagina 1 di 1',
    ]) {
      assert.ok(text.includes(expected), `missing «${expected}» in:\n${text}`);
    }
    assert.doesNotMatch(text, /BOZZA|ANNULLATO|richiesta di/);

    const { info } = await getMeta(new Uint8Array(pdf));
    assert.equal(info.Title, 'Referto di pubblicazione n. 123/2025 – Comune di Nizza Monferrato');
    assert.equal(info.Author, 'Comune di Nizza Monferrato');
    assert.ok(info.CreationDate);
  });

  test('requester, extensions for interruptions, effective end and corrections', async () => {
    const pdf = await renderCertificate({
      ...base,
      requester: 'Unione dei Comuni Colline di Langa e del Barbera',
      extensions: [
        { from: '2025-02-10T08:00', to: '2025-02-10T20:30', daysAdded: 1, reason: 'Manutenzione straordinaria del server' },
        { from: '2025-02-14', to: '2025-02-15', daysAdded: 2, reason: 'Guasto della linea' },
      ],
      effectiveEnd: '2025-02-22',
      corrects: { number: 99, year: 2025, subject: 'Avviso di gara' },
      correctedBy: [{ number: 140, year: 2025 }],
    });
    const { text } = await textOf(pdf);
    for (const expected of [
      'Pubblicato su richiesta di Unione dei Comuni Colline di Langa e del Barbera',
      'Interruzione dal 10/02/2025 ore 08:00 al 10/02/2025 ore 20:30: 1 giorno aggiunto. Motivo: Manutenzione straordinaria del server',
      'Interruzione dal 14/02/2025 al 15/02/2025: 2 giorni aggiunti. Motivo: Guasto della linea',
      'Fine effettiva della pubblicazione 22/02/2025',
      "Rettifica dell'atto n. 99/2025 – Avviso di gara",
      "Rettificato dall'atto n. 140/2025",
      'dal 05/02/2025 al 22/02/2025 per 15 giorni consecutivi, più 3 giorni di proroga per interruzione del servizio,',
    ]) {
      assert.ok(text.includes(expected), `missing «${expected}» in:\n${text}`);
    }
  });

  test('an annulled publication is stamped ANNULLATO with date and reason', async () => {
    const { text } = await textOf(await renderCertificate({ ...base, annulment: { date: '2025-02-12', reason: 'Errore materiale negli allegati' } }));
    assert.match(text, /ANNULLATO/);
    assert.ok(text.includes('Pubblicazione annullata il 12/02/2025. Motivo: Errore materiale negli allegati'));
    // The annulled act stays on the albo, stamped, until the end of its period.
    assert.ok(text.includes("l'atto è stato annullato il 12/02/2025 ed è rimasto pubblicato con l'indicazione dell'annullamento."));
    assert.match(text, /Fine effettiva/);
  });

  test('a draft says BOZZA in the title and across every page', async () => {
    const many = Array.from({ length: 40 }, (_, i) => ({ role: 'allegato' as const, fileName: `allegato-${i + 1}.pdf`, sizeBytes: 1000 * i, sha256: sha(String(i)) }));
    const pdf = await renderCertificate({ ...base, draft: true, documents: [...base.documents, ...many] });
    const { text, pages } = await textOf(pdf);
    assert.ok(pages >= 2, `pages: ${pages}`);
    assert.match(text, /BOZZA – Referto di pubblicazione/);
    const watermarks = text.match(/BOZZA/g)?.length ?? 0;
    assert.ok(watermarks >= pages + 1, `${watermarks} BOZZA for ${pages} pages`);
    assert.ok(text.includes(`pagina ${pages} di ${pages}`));
    assert.ok(text.includes(`SHA-256: ${sha('39')}`));
  });

  test('Italian letters render, other scripts are transliterated, never dropped silently', async () => {
    const { text } = await textOf(
      await renderCertificate({ ...base, subject: 'Attività di pubblica utilità: perché è più così – «Łukasz Wałęsa» ✓', responsible: { name: 'Niccolò Dell’Acqua', title: 'Il funzionario incaricato' } }),
    );
    assert.ok(text.includes('Attività di pubblica utilità: perché è più così – «Lukasz Walesa» ?'), text);
    assert.ok(text.includes('Il funzionario incaricato Niccolò Dell’Acqua'));
  });

  test('refuses malformed dates (a programming error, not a user one)', async () => {
    await assert.rejects(renderCertificate({ ...base, period: { ...base.period, to: '2025-02-30' } }), TypeError);
    await assert.rejects(renderCertificate({ ...base, period: { ...base.period, from: '05/02/2025' } }), TypeError);
  });
});

describe('renderRegisterPdf', () => {
  const statuses = ['pubblicato', 'scaduto', 'annullato', 'rettificato'] as const;
  const rows: RegisterRow[] = Array.from({ length: 500 }, (_, i) => ({
    number: i + 1,
    year: 2025,
    actType: i % 3 === 0 ? 'Deliberazione del Consiglio comunale' : 'Determinazione dirigenziale',
    subject:
      i % 7 === 0
        ? `Atto ${i + 1}: ${'affidamento del servizio di manutenzione ordinaria e straordinaria del verde pubblico, '.repeat(6)}FINE-${i + 1}`
        : `Atto ${i + 1}: approvazione della spesa per la fornitura di materiale di cancelleria`,
    from: '2025-03-01',
    to: '2025-03-15',
    status: statuses[i % 4]!,
    requester: i % 10 === 0 ? 'Unione Colline di Langa e del Barbera' : null,
  }));

  test('500 rows: several landscape pages, header repeated, numbered pages, long subjects truncated', async () => {
    const pdf = await renderRegisterPdf({ enteName: 'Comune di Asti', year: 2025, generatedAt: new Date('2025-12-31T10:05:00Z') }, rows);
    const extracted = await extractPdfText(pdf);
    assert.ok(extracted.ok);
    const pages = extracted.pages;
    assert.ok(pages >= 5, `pages: ${pages}`);
    const text = extracted.text.replace(/\s+/g, ' ');
    const headers = text.match(/N\.\/anno Tipo Oggetto Dal Al Stato Richiedente/g)?.length ?? 0;
    assert.equal(headers, pages);
    assert.equal(text.match(/Registro delle pubblicazioni dell'albo pretorio online – Comune di Asti/g)?.length, pages);
    assert.ok(text.includes('Anno 2025 – generato il 31/12/2025 alle ore 11:05'));
    assert.ok(text.includes(`pagina 1 di ${pages}`) && text.includes(`pagina ${pages} di ${pages}`));
    for (const expected of ['1/2025', '250/2025', '500/2025', 'Pubblicato', 'Scaduto', 'Annullato', 'Rettificato', '01/03/2025', 'Unione Colline di Langa']) {
      assert.ok(text.includes(expected), `missing ${expected}`);
    }
    assert.ok(!text.includes('FINE-8 '), 'the long subject of row 8 is cut…');
    assert.ok(text.includes('verde pubblico… 01/03/2025'), '…at a word, with an ellipsis');

    const { info } = await getMeta(new Uint8Array(pdf));
    assert.equal(info.Title, 'Registro delle pubblicazioni – Comune di Asti – anno 2025');
  });

  test('no rows, all years', async () => {
    const pdf = await renderRegisterPdf({ enteName: 'Comune di Canelli', year: null, generatedAt: new Date() }, []);
    const { text, pages } = await textOf(pdf);
    assert.equal(pages, 1);
    assert.match(text, /Tutti gli anni/);
    assert.match(text, /Nessuna pubblicazione\./);
  });
});

describe('formats', () => {
  test('dates, sizes, safe text', () => {
    assert.equal(formatItalianDate('2025-02-05'), '05/02/2025');
    assert.equal(formatItalianDate('2025-02-05T09:30'), '05/02/2025 ore 09:30');
    assert.equal(formatItalianDate('2025-07-01T22:15:00Z'), '02/07/2025 ore 00:15'); // summer time in Rome
    assert.throws(() => formatItalianDate('2025-13-01'), TypeError);
    assert.equal(formatFileSize(512), '512 byte');
    assert.equal(formatFileSize(1536), '1,5 kB');
    assert.equal(formatFileSize(5 * 1024 * 1024), '5 MB');
    assert.equal(pdfSafe('àèéìòù ÀÈ € – “x” ő ł\u0007'), 'àèéìòù ÀÈ € – “x” o l');
  });
});
