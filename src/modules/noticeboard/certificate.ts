// PDFs the albo pretorio issues: the "referto di pubblicazione" of one act (what was published, when, for how
// long, with which documents and fingerprints) and the register of publications. Plain data in, PDF bytes out:
// pdfkit with its standard fonts (Helvetica, Courier: no external font files), so text is limited to the
// Windows-1252 repertoire, which covers Italian; other characters are transliterated by pdfSafe().
import PDFDocument from 'pdfkit';

/** A reference to another publication of the register ("n. 12/2025"). */
export interface RegisterRef {
  number: number;
  year: number;
  subject?: string | null;
}

export interface CertificateDocument {
  role: 'principale' | 'allegato';
  fileName: string;
  sizeBytes: number;
  /** Hex SHA-256 of the published bytes (for a .p7m, of the signed file as published). */
  sha256: string;
  /** A description when it says more than the file name. */
  title?: string | null;
}

/** A service interruption during the publication and the days it added at the end. */
export interface ServiceInterruption {
  /** 'YYYY-MM-DD', or 'YYYY-MM-DDTHH:MM' (Italian local time) when the hour is known. */
  from: string;
  to: string;
  daysAdded: number;
  reason: string;
}

/** Everything the referto shows. Dates are 'YYYY-MM-DD' strings (Italian calendar days). */
export interface CertificateData {
  /** 'Comune di Asti'. */
  enteName: string;
  /** An optional second header line, e.g. 'Provincia di Asti' or the address. */
  enteDetails?: string | null;
  /** A preview: title "BOZZA – …" and a diagonal BOZZA on every page. */
  draft?: boolean;
  register: { number: number; year: number };
  /** 'Deliberazione della Giunta comunale', 'Avviso', … */
  actType: string;
  subject: string;
  issuingOffice: string;
  /** Number and date of the act itself, as the issuing office assigned them. */
  act?: { number?: string | null; date?: string | null } | null;
  /** The body the act was published for, when published on behalf of another ente. */
  requester?: string | null;
  /** The ordinary period: first day, last day, number of days. */
  period: { from: string; to: string; days: number };
  extensions?: ServiceInterruption[];
  /** Last day after extensions (defaults to period.to). */
  effectiveEnd?: string | null;
  annulment?: { date: string; reason: string } | null;
  /** This act corrects that one ("rettifica dell'atto n. …"). */
  corrects?: RegisterRef | null;
  /** This act was corrected by these ones ("rettificato dall'atto n. …"). */
  correctedBy?: RegisterRef[];
  documents: CertificateDocument[];
  issue: { place: string; date: string };
  responsible: { name: string; title?: string | null };
  /** The PDF CreationDate (default: now). */
  generatedAt?: Date;
}

export type RegisterStatus = 'pubblicato' | 'scaduto' | 'annullato' | 'rettificato';

export interface RegisterRow {
  number: number;
  year: number;
  actType: string;
  subject: string;
  /** 'YYYY-MM-DD' or null when not known. */
  from: string | null;
  to: string | null;
  status: RegisterStatus;
  requester?: string | null;
}

// ---------------------------------------------------------------------------------------------------------
// Text and formats

/** Characters the standard PDF fonts can show (WinAnsiEncoding): ASCII, Latin-1 and the 0x80-0x9F extras. */
const WIN_ANSI_EXTRAS = new Set('€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ');
const REPLACEMENTS: Record<string, string> = { '\u2032': "'", '\u2033': '"', '\u2212': '-', '\u2010': '-', '\u2011': '-', '\u00ad': '' };

/** The text with what the standard fonts cannot show transliterated ('ł' → 'l', 'ő' → 'o') or replaced by '?'. */
export function pdfSafe(text: string): string {
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (code === 0x0a) out += '\n';
    else if (code < 0x20 || code === 0x7f || (code >= 0x80 && code < 0xa0)) out += code === 0x09 ? ' ' : '';
    else if (code < 0x100 || WIN_ANSI_EXTRAS.has(ch)) out += ch;
    else if (REPLACEMENTS[ch] !== undefined) out += REPLACEMENTS[ch];
    else {
      const base = ch.normalize('NFKD').replace(/\p{M}+/gu, '');
      out += [...base].every((c) => c.codePointAt(0)! < 0x100) && base ? base : { ł: 'l', Ł: 'L', đ: 'd', Đ: 'D', ø: 'o', Ø: 'O', ı: 'i' }[ch] ?? '?';
    }
  }
  return out;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const ISO_LOCAL_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::\d{2}(?:\.\d+)?)?$/;

/** 'YYYY-MM-DD' → 'dd/mm/yyyy'; 'YYYY-MM-DDTHH:MM' → 'dd/mm/yyyy ore HH:MM'; an instant with zone → Italian time. */
export function formatItalianDate(value: string): string {
  let m = ISO_DATE.exec(value);
  if (m) {
    checkCalendarDate(value, +m[1]!, +m[2]!, +m[3]!);
    return `${m[3]}/${m[2]}/${m[1]}`;
  }
  m = ISO_LOCAL_TIME.exec(value);
  if (m) {
    checkCalendarDate(value, +m[1]!, +m[2]!, +m[3]!);
    return `${m[3]}/${m[2]}/${m[1]} ore ${m[4]}:${m[5]}`;
  }
  const instant = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})$/.test(value) ? new Date(value) : null;
  if (!instant || Number.isNaN(instant.getTime())) throw new TypeError(`invalid date: ${JSON.stringify(value)}`);
  const { date, time } = romeParts(instant);
  return `${date} ore ${time}`;
}

function checkCalendarDate(value: string, y: number, mo: number, d: number): void {
  const probe = new Date(Date.UTC(y, mo - 1, d));
  if (probe.getUTCFullYear() !== y || probe.getUTCMonth() !== mo - 1 || probe.getUTCDate() !== d) throw new TypeError(`invalid date: ${JSON.stringify(value)}`);
}

const ROME = new Intl.DateTimeFormat('it-IT', { timeZone: 'Europe/Rome', day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });

function romeParts(at: Date): { date: string; time: string } {
  const parts = Object.fromEntries(ROME.formatToParts(at).map((p) => [p.type, p.value]));
  return { date: `${parts.day}/${parts.month}/${parts.year}`, time: `${parts.hour}:${parts.minute}` };
}

/** '512 byte', '34,5 kB', '1,2 MB' (binary multiples, Italian decimal comma). */
export function formatFileSize(bytes: number): string {
  const it = (n: number) => n.toLocaleString('it-IT', { maximumFractionDigits: 1 });
  if (bytes < 1024) return `${bytes} byte`;
  if (bytes < 1024 * 1024) return `${it(bytes / 1024)} kB`;
  return `${it(bytes / (1024 * 1024))} MB`;
}

const registerLabel = (r: { number: number; year: number }) => `${r.number}/${r.year}`;
const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

// ---------------------------------------------------------------------------------------------------------
// pdfkit plumbing

type Doc = PDFKit.PDFDocument;

function newDocument(options: { title: string; author: string; subject: string; landscape?: boolean; createdAt?: Date }): Doc {
  return new PDFDocument({
    size: 'A4',
    layout: options.landscape ? 'landscape' : 'portrait',
    margins: options.landscape ? { top: 36, bottom: 44, left: 36, right: 36 } : { top: 56, bottom: 64, left: 56, right: 56 },
    bufferPages: true, // page numbers and watermarks are drawn on every page at the end
    pdfVersion: '1.7',
    lang: 'it-IT',
    displayTitle: true,
    info: {
      Title: pdfSafe(options.title),
      Author: pdfSafe(options.author),
      Subject: pdfSafe(options.subject),
      Creator: 'Comuni in Rete',
      CreationDate: options.createdAt ?? new Date(),
    },
  });
}

function collect(doc: Doc): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
}

/** Draws on every buffered page: footer text with "pagina x di y" and, optionally, a diagonal watermark. */
function finishPages(doc: Doc, footer: string, watermark: string | null): void {
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    const page = doc.page;
    const bottom = page.margins.bottom;
    page.margins.bottom = 0; // writing below the margin must not open a new page
    if (watermark) {
      const cx = page.width / 2;
      const cy = page.height / 2;
      doc.save();
      doc.font('Helvetica-Bold').fontSize(120).fillColor('#b00020').fillOpacity(0.12);
      const w = doc.widthOfString(watermark);
      doc.rotate(-50, { origin: [cx, cy] });
      doc.text(watermark, cx - w / 2, cy - 60, { lineBreak: false });
      doc.restore();
    }
    doc.font('Helvetica').fontSize(8).fillColor('#444444').fillOpacity(1);
    doc.text(pdfSafe(`${footer} – pagina ${i - range.start + 1} di ${range.count}`), page.margins.left, page.height - bottom + 18, {
      width: page.width - page.margins.left - page.margins.right,
      align: 'center',
      lineBreak: false,
    });
    page.margins.bottom = bottom;
  }
}

/** Keeps the text within `maxLines` lines of `width`, cutting at a word with '…'. */
function fitLines(doc: Doc, text: string, width: number, maxLines: number): string {
  const limit = doc.currentLineHeight(true) * maxLines + 0.5;
  if (doc.heightOfString(text, { width }) <= limit) return text;
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (doc.heightOfString(`${text.slice(0, mid).trimEnd()}…`, { width }) <= limit) lo = mid;
    else hi = mid - 1;
  }
  const cut = text.slice(0, lo);
  const atWord = cut.replace(/\s+\S*$/, '');
  return `${(atWord.length >= cut.length * 0.6 ? atWord : cut).replace(/[\s,;:.–-]+$/, '')}…`;
}

// ---------------------------------------------------------------------------------------------------------
// Referto di pubblicazione

const LABEL_WIDTH = 150;
const GAP = 10;

/** The referto (relata) di pubblicazione of one act, as an A4 PDF. */
export async function renderCertificate(data: CertificateData): Promise<Buffer> {
  const reg = registerLabel(data.register);
  const title = `${data.draft ? 'BOZZA – ' : ''}Referto di pubblicazione`;
  const doc = newDocument({ title: `${title} n. ${reg} – ${data.enteName}`, author: data.enteName, subject: data.subject, createdAt: data.generatedAt });
  const done = collect(doc);
  const left = doc.page.margins.left;
  const width = doc.page.width - left - doc.page.margins.right;
  const bottomLimit = () => doc.page.height - doc.page.margins.bottom;
  const ensure = (height: number) => {
    if (doc.y + height > bottomLimit() && height < bottomLimit() - doc.page.margins.top) doc.addPage();
  };
  const write = (text: string, options: PDFKit.Mixins.TextOptions = {}) => doc.text(pdfSafe(text), options);

  // Header
  doc.font('Helvetica-Bold').fontSize(16).fillColor('#000000');
  write(data.enteName, { align: 'center', width });
  if (data.enteDetails) doc.font('Helvetica').fontSize(10).text(pdfSafe(data.enteDetails), { align: 'center', width });
  doc.font('Helvetica').fontSize(10).fillColor('#444444');
  write('Albo pretorio online', { align: 'center', width });
  doc.moveDown(0.5);
  doc.moveTo(left, doc.y).lineTo(left + width, doc.y).lineWidth(0.8).strokeColor('#888888').stroke();
  doc.moveDown(1);

  doc.font('Helvetica-Bold').fontSize(15).fillColor(data.draft ? '#b00020' : '#000000');
  write(title, { align: 'center', width });
  doc.font('Helvetica-Bold').fontSize(12).fillColor('#000000');
  write(`Registro n. ${reg}`, { align: 'center', width });
  doc.moveDown(1);

  if (data.annulment) {
    const reason = `Pubblicazione annullata il ${formatItalianDate(data.annulment.date)}. Motivo: ${data.annulment.reason}`;
    doc.font('Helvetica').fontSize(10);
    const boxHeight = 34 + doc.heightOfString(pdfSafe(reason), { width: width - 20 }) + 12;
    ensure(boxHeight + 10);
    const top = doc.y;
    doc.rect(left, top, width, boxHeight).lineWidth(2).strokeColor('#b00020').stroke();
    doc.font('Helvetica-Bold').fontSize(22).fillColor('#b00020').text('ANNULLATO', left, top + 8, { width, align: 'center' });
    doc.font('Helvetica').fontSize(10).fillColor('#000000').text(pdfSafe(reason), left + 10, top + 38, { width: width - 20, align: 'center' });
    doc.x = left;
    doc.y = top + boxHeight + 12;
  }

  // Facts, as label / value rows
  const field = (label: string, value: string | string[]) => {
    const values = (Array.isArray(value) ? value : [value]).map(pdfSafe);
    doc.font('Helvetica').fontSize(10);
    const valueWidth = width - LABEL_WIDTH - GAP;
    const height = values.reduce((h, v) => h + doc.heightOfString(v, { width: valueWidth }) + 2, 0);
    ensure(Math.min(height, 200));
    const top = doc.y;
    doc.font('Helvetica-Bold').fontSize(10).fillColor('#333333').text(pdfSafe(label), left, top, { width: LABEL_WIDTH });
    const labelBottom = doc.y;
    const labelPage = doc.page;
    doc.font('Helvetica').fontSize(10).fillColor('#000000');
    doc.y = top;
    for (const v of values) {
      doc.text(v, left + LABEL_WIDTH + GAP, doc.y, { width: valueWidth });
      doc.moveDown(0.15);
    }
    doc.x = left;
    // A very long value may have continued on a new page: then the label is behind us.
    doc.y = (doc.page === labelPage ? Math.max(doc.y, labelBottom) : doc.y) + 5;
  };

  field('Tipo di atto', data.actType);
  field('Oggetto', data.subject);
  field('Ufficio emittente', data.issuingOffice);
  const actNumber = data.act?.number?.trim();
  const actDate = data.act?.date ? formatItalianDate(data.act.date) : null;
  if (actNumber || actDate) field("Estremi dell'atto", [actNumber ? `n. ${actNumber}` : null, actDate ? `del ${actDate}` : null].filter(Boolean).join(' '));
  if (data.requester) field('Ente richiedente', `Pubblicato su richiesta di ${data.requester}`);
  const from = formatItalianDate(data.period.from);
  const to = formatItalianDate(data.period.to);
  field('Periodo di pubblicazione', `dal ${from} al ${to} per ${plural(data.period.days, 'giorno consecutivo', 'giorni consecutivi')}`);
  const extensions = data.extensions ?? [];
  const extraDays = extensions.reduce((sum, e) => sum + e.daysAdded, 0);
  if (extensions.length > 0) {
    field(
      'Proroghe per interruzione del servizio',
      extensions.map(
        (e) => `Interruzione dal ${formatItalianDate(e.from)} al ${formatItalianDate(e.to)}: ${plural(e.daysAdded, 'giorno aggiunto', 'giorni aggiunti')}. Motivo: ${e.reason}`,
      ),
    );
  }
  const effectiveEnd = formatItalianDate(data.effectiveEnd ?? data.period.to);
  // An annulled act stays on the albo, stamped, until the end of its period: the end does not change.
  field('Fine effettiva della pubblicazione', effectiveEnd);
  const refText = (r: RegisterRef) => `n. ${registerLabel(r)}${r.subject ? ` – ${r.subject}` : ''}`;
  if (data.corrects) field('Rettifica', `Rettifica dell'atto ${refText(data.corrects)}`);
  for (const r of data.correctedBy ?? []) field('Rettificato', `Rettificato dall'atto ${refText(r)}`);

  // Documents with their fingerprints
  doc.moveDown(0.5);
  ensure(60);
  doc.font('Helvetica-Bold').fontSize(11).fillColor('#000000').text('Documenti pubblicati', left, doc.y, { width });
  doc.moveDown(0.3);
  let attachmentNo = 0;
  data.documents.forEach((d, i) => {
    const role = d.role === 'principale' ? 'Documento principale' : `Allegato ${++attachmentNo}`;
    const line = `${i + 1}. ${role}: ${d.fileName} (${formatFileSize(d.sizeBytes)})${d.title && d.title !== d.fileName ? ` – ${d.title}` : ''}`;
    doc.font('Helvetica').fontSize(10);
    ensure(doc.heightOfString(pdfSafe(line), { width }) + 24);
    doc.fillColor('#000000').text(pdfSafe(line), left, doc.y, { width });
    doc.font('Courier').fontSize(8.5).fillColor('#222222');
    doc.text(pdfSafe(`SHA-256: ${d.sha256.toLowerCase()}`), left + 14, doc.y + 1, { width: width - 14 });
    doc.moveDown(0.4);
  });
  if (data.documents.length === 0) write('Nessun documento.', { width });

  // The statement
  doc.moveDown(0.8);
  const ground = 'ai sensi dell’art. 32 della L. 69/2009';
  const extra = extraDays > 0 ? `, più ${plural(extraDays, 'giorno', 'giorni')} di proroga per interruzione del servizio,` : '';
  const statement =
    `Si attesta che l'atto sopra indicato è stato pubblicato all'albo pretorio online di questo ente dal ${from} al ${effectiveEnd} ` +
    `per ${plural(data.period.days, 'giorno consecutivo', 'giorni consecutivi')}${extra} ${ground}` +
    (data.annulment ? `; l'atto è stato annullato il ${formatItalianDate(data.annulment.date)} ed è rimasto pubblicato con l'indicazione dell'annullamento.` : '.');
  doc.font('Helvetica').fontSize(10.5);
  ensure(doc.heightOfString(pdfSafe(statement), { width }) + 110);
  doc.fillColor('#000000').text(pdfSafe(statement), left, doc.y, { width, align: 'justify' });
  doc.moveDown(1.5);
  write(`${data.issue.place}, ${formatItalianDate(data.issue.date)}`, { width });
  doc.moveDown(1.5);
  const signX = left + width / 2;
  doc.text(pdfSafe(data.responsible.title?.trim() || 'Il responsabile della pubblicazione'), signX, doc.y, { width: width / 2, align: 'center' });
  doc.moveDown(0.3);
  doc.font('Helvetica-Bold').text(pdfSafe(data.responsible.name), signX, doc.y, { width: width / 2, align: 'center' });

  finishPages(doc, `${data.enteName} – Referto di pubblicazione n. ${reg}`, data.draft ? 'BOZZA' : null);
  doc.end();
  return done;
}

// ---------------------------------------------------------------------------------------------------------
// Registro delle pubblicazioni

const STATUS_LABELS: Record<RegisterStatus, string> = { pubblicato: 'Pubblicato', scaduto: 'Scaduto', annullato: 'Annullato', rettificato: 'Rettificato' };

interface Column {
  header: string;
  width: number;
  maxLines: number;
  value: (row: RegisterRow) => string;
}

const COLUMNS: Column[] = [
  { header: 'N./anno', width: 58, maxLines: 1, value: (r) => registerLabel(r) },
  { header: 'Tipo', width: 110, maxLines: 2, value: (r) => r.actType },
  { header: 'Oggetto', width: 262, maxLines: 3, value: (r) => r.subject.replace(/\s+/g, ' ').trim() },
  { header: 'Dal', width: 62, maxLines: 1, value: (r) => (r.from ? formatItalianDate(r.from) : '—') },
  { header: 'Al', width: 62, maxLines: 1, value: (r) => (r.to ? formatItalianDate(r.to) : '—') },
  { header: 'Stato', width: 72, maxLines: 1, value: (r) => STATUS_LABELS[r.status] },
  { header: 'Richiedente', width: 144, maxLines: 2, value: (r) => r.requester ?? '' },
];
const CELL_PAD = 3;
const TABLE_FONT = 8;

/** The register of publications as a landscape A4 table, header repeated on every page, "pagina x di y". */
export async function renderRegisterPdf(meta: { enteName: string; year: number | null; generatedAt: Date }, rows: RegisterRow[]): Promise<Buffer> {
  const scope = meta.year === null ? 'tutti gli anni' : `anno ${meta.year}`;
  const doc = newDocument({
    title: `Registro delle pubblicazioni – ${meta.enteName} – ${scope}`,
    author: meta.enteName,
    subject: "Registro delle pubblicazioni dell'albo pretorio online",
    landscape: true,
    createdAt: meta.generatedAt,
  });
  const done = collect(doc);
  const left = doc.page.margins.left;
  const tableWidth = COLUMNS.reduce((w, c) => w + c.width, 0);
  const generated = romeParts(meta.generatedAt);

  const pageHeader = () => {
    doc.font('Helvetica-Bold').fontSize(12).fillColor('#000000');
    doc.text(pdfSafe(`Registro delle pubblicazioni dell'albo pretorio online – ${meta.enteName}`), left, doc.page.margins.top, { width: tableWidth });
    doc.font('Helvetica').fontSize(9).fillColor('#444444');
    doc.text(pdfSafe(`${scope[0]!.toUpperCase()}${scope.slice(1)} – generato il ${generated.date} alle ore ${generated.time}`), left, doc.y + 2, { width: tableWidth });
    doc.y += 8;
    drawRow(COLUMNS.map((c) => c.header), true);
  };

  const drawRow = (cells: string[], header: boolean) => {
    doc.font(header ? 'Helvetica-Bold' : 'Helvetica').fontSize(TABLE_FONT);
    const height = Math.max(...cells.map((text, i) => doc.heightOfString(text, { width: COLUMNS[i]!.width - 2 * CELL_PAD }))) + 2 * CELL_PAD;
    const top = doc.y;
    if (header) doc.rect(left, top, tableWidth, height).fillColor('#e6e9ee').fill();
    doc.fillColor('#000000');
    let x = left;
    cells.forEach((text, i) => {
      doc.text(text, x + CELL_PAD, top + CELL_PAD, { width: COLUMNS[i]!.width - 2 * CELL_PAD, lineBreak: true });
      x += COLUMNS[i]!.width;
    });
    doc.moveTo(left, top + height).lineTo(left + tableWidth, top + height).lineWidth(header ? 0.8 : 0.3).strokeColor('#999999').stroke();
    doc.x = left;
    doc.y = top + height;
  };

  pageHeader();
  if (rows.length === 0) {
    doc.font('Helvetica').fontSize(10).fillColor('#000000').text('Nessuna pubblicazione.', left, doc.y + 8);
  }
  for (const row of rows) {
    doc.font('Helvetica').fontSize(TABLE_FONT);
    const cells = COLUMNS.map((c) => fitLines(doc, pdfSafe(c.value(row)), c.width - 2 * CELL_PAD, c.maxLines));
    const height = Math.max(...cells.map((text, i) => doc.heightOfString(text, { width: COLUMNS[i]!.width - 2 * CELL_PAD }))) + 2 * CELL_PAD;
    if (doc.y + height > doc.page.height - doc.page.margins.bottom) {
      doc.addPage();
      pageHeader();
    }
    drawRow(cells, false);
  }

  finishPages(doc, `${meta.enteName} – Registro delle pubblicazioni (${scope})`, null);
  doc.end();
  return done;
}
