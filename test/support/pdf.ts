// Real PDFs for tests, made with pdfkit: one page per text.
import PDFDocument from 'pdfkit';

export function makePdf(...pages: string[]): Promise<Buffer> {
  const doc = new PDFDocument({ size: 'A4' });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve) => doc.on('end', () => resolve(Buffer.concat(chunks))));
  pages.forEach((text, i) => {
    if (i > 0) doc.addPage();
    doc.font('Helvetica').fontSize(12).text(text);
  });
  doc.end();
  return done;
}
