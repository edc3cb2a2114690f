// Printable PDFs of the on-site interventions: the technician's day plan (visits grouped by ente) and the
// intervention report with who confirmed it and when. pdfkit with its standard fonts (no font files), so
// text is kept to the Windows-1252 repertoire, which covers Italian.
import PDFDocument from 'pdfkit';
import type { DayPlanGroup, VisitView } from './service.js';
import { hoursText, romeParts } from './time.js';

type Doc = PDFKit.PDFDocument;

/** Text the standard fonts can show: accents of other alphabets stripped, the rest replaced by '?'. */
export function pdfText(text: string): string {
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (code === 0x0a) out += '\n';
    else if (code < 0x20 || code === 0x7f || (code >= 0x80 && code < 0xa0)) out += code === 0x09 ? ' ' : '';
    else if (code < 0x100 || '€‘’“”–—…•'.includes(ch)) out += ch;
    else {
      const base = ch.normalize('NFKD').replace(/\p{M}+/gu, '');
      out += base && [...base].every((c) => c.codePointAt(0)! < 0x100) ? base : '?';
    }
  }
  return out;
}

const dmy = (date: string) => `${date.slice(8, 10)}/${date.slice(5, 7)}/${date.slice(0, 4)}`;
const at = (d: Date) => `${dmy(romeParts(d).date)} ore ${romeParts(d).time}`;

function open(title: string, createdAt: Date): { doc: Doc; done: Promise<Buffer> } {
  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: 50, bottom: 60, left: 50, right: 50 },
    bufferPages: true,
    pdfVersion: '1.7',
    lang: 'it-IT',
    displayTitle: true,
    info: { Title: pdfText(title), Author: 'CST – help desk', Creator: 'Comuni in Rete', CreationDate: createdAt },
  });
  const done = new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  return { doc, done };
}

function finish(doc: Doc, footer: string): void {
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    const bottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0; // writing in the margin must not open a new page
    doc.font('Helvetica').fontSize(8).fillColor('#444444');
    doc.text(pdfText(`${footer} – pagina ${i - range.start + 1} di ${range.count}`), doc.page.margins.left, doc.page.height - bottom + 20, {
      width: doc.page.width - doc.page.margins.left - doc.page.margins.right,
      align: 'center',
      lineBreak: false,
    });
    doc.page.margins.bottom = bottom;
  }
  doc.end();
}

const heading = (doc: Doc, text: string, size = 15) => doc.font('Helvetica-Bold').fontSize(size).fillColor('#000000').text(pdfText(text));
const line = (doc: Doc, text: string, bold = false) => doc.font(bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(10).fillColor('#000000').text(pdfText(text));

function field(doc: Doc, label: string, value: string): void {
  const left = doc.page.margins.left;
  const top = doc.y;
  doc.font('Helvetica-Bold').fontSize(10).fillColor('#333333').text(pdfText(label), left, top, { width: 140 });
  const labelBottom = doc.y;
  doc.font('Helvetica').fontSize(10).fillColor('#000000').text(pdfText(value), left + 150, top, { width: doc.page.width - left - doc.page.margins.right - 150 });
  doc.x = left;
  doc.y = Math.max(doc.y, labelBottom) + 4;
}

/** The day plan of a technician (or of the desk) for `date`, grouped by ente. */
export async function renderDayPlanPdf(plan: { date: string; technician: string; groups: DayPlanGroup[]; totalMinutes: number }, createdAt = new Date()): Promise<Buffer> {
  const title = `Piano di giornata del ${dmy(plan.date)} – ${plan.technician}`;
  const { doc, done } = open(title, createdAt);
  heading(doc, 'Help desk del CST – interventi in sede', 11);
  heading(doc, title);
  const count = plan.groups.reduce((n, g) => n + g.visits.length, 0);
  line(doc, `${count} interventi, ${hoursText(plan.totalMinutes)} ore pianificate`);
  doc.moveDown();
  if (count === 0) line(doc, 'Nessun intervento pianificato per questo giorno.');
  for (const group of plan.groups) {
    if (doc.y > doc.page.height - 160) doc.addPage();
    heading(doc, group.ente.name, 13);
    line(doc, `Presso la sede di ${group.ente.name}`);
    doc.moveDown(0.3);
    for (const v of group.visits) {
      line(doc, `${v.start}–${v.end}  ${v.technician.name}${v.state === 'done' ? ' (svolto)' : ''}${v.overContract ? ' – fuori contratto' : ''}`, true);
      if (v.notes) line(doc, `Note: ${v.notes}`);
      for (const tk of v.tickets) doc.font('Helvetica').fontSize(10).text(pdfText(`• Ticket ${tk.label} – ${tk.subject}`), { indent: 12 });
      if (v.tickets.length === 0) doc.font('Helvetica').fontSize(10).text('Nessun ticket collegato.', { indent: 12 });
      doc.moveDown(0.5);
    }
    doc.moveDown(0.5);
  }
  finish(doc, title);
  return done;
}

const REPORT_STATUS = { awaiting: "in attesa di conferma dell'ente", confirmed: "confermato dall'ente", disputed: "contestato dall'ente" } as const;

/** The intervention report of one visit, with the ente's confirmation (or dispute) when there is one. */
export async function renderReportPdf(visit: VisitView, createdAt = new Date()): Promise<Buffer> {
  const r = visit.report;
  const title = `Rapporto d'intervento del ${dmy(visit.date)} – ${visit.ente.name}`;
  const { doc, done } = open(title, createdAt);
  heading(doc, 'Help desk del CST – rapporto d’intervento in sede', 11);
  heading(doc, title);
  doc.moveDown();
  field(doc, 'Ente', visit.ente.name);
  field(doc, 'Tecnico', visit.technician.name);
  field(doc, 'Intervento pianificato', `${dmy(visit.date)} dalle ${visit.start} alle ${visit.end}`);
  if (r) {
    field(doc, 'Tempo impiegato', `${hoursText(r.minutes)} ore${r.actualStart && r.actualEnd ? ` (dalle ${romeParts(r.actualStart).time} alle ${romeParts(r.actualEnd).time})` : ''}`);
    field(doc, 'Anno di competenza', String(r.year));
    field(doc, 'Attività svolte', r.activities);
  }
  if (visit.overContract) field(doc, 'Contratto', 'Intervento fuori contratto');
  field(doc, 'Ticket coperti', visit.tickets.length === 0 ? 'Nessuno' : visit.tickets.map((tk) => `${tk.label} – ${tk.subject}${tk.outcome ? `: ${tk.outcome}` : ''}`).join('\n'));
  doc.moveDown();
  if (!r) line(doc, 'Nessun rapporto registrato.');
  else {
    field(doc, 'Stato del rapporto', REPORT_STATUS[r.status]);
    field(doc, 'Registrato da', `${r.recordedBy}, ${at(r.recordedAt)}`);
    if (r.status === 'confirmed' && r.decidedBy && r.decidedAt) field(doc, 'Confermato da', `${r.decidedBy}, ${at(r.decidedAt)}`);
    if (r.status === 'disputed' && r.decidedBy && r.decidedAt) field(doc, 'Contestato da', `${r.decidedBy}, ${at(r.decidedAt)}: ${r.disputeReason ?? ''}`);
  }
  finish(doc, title);
  return done;
}
