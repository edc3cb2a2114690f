// The pagoPA payment notice (avviso di pagamento, model 3.x of the pagoPA guide "Avviso di pagamento",
// Allegato 2 › Specifiche tecniche) as an A4 PDF: the same modules in the same order — header with the subject,
// creditor ente and recipient, "Quanto e quando pagare?", "Dove pagare?", then one payment block per payment
// option (the single payment and/or each instalment, each with its own notice number, amount, due date and QR
// code) followed, when the ente collects on a postal account, by its Poste "Bollettino PA" with the Data Matrix.
// Structure only: no pagoPA artwork is reproduced. Standard PDF fonts (no font files); the output is
// deterministic for the same position and date (bulk runs may regenerate a chunk after a crash).
import PDFDocument from 'pdfkit';
import { formatDate, t } from '../../../platform/views/i18n/index.js';
import { groupedNoticeNumber } from '../iuv.js';
import { formatCents } from '../amounts.js';
import type { OptionView, PositionView } from '../service.js';
import type { ConfigRow } from '../store.js';
import { POSTE_DOCUMENT_TYPE, darkRuns, dataMatrixModules, postalAccountOf, posteDataMatrixText, qrCodeText, qrModules, type ModuleMatrix } from './codes.js';
import './messages.js';

type Doc = PDFKit.PDFDocument;
export type NoticeConfig = Pick<ConfigRow, 'fiscal_code' | 'business_name' | 'postal_iban' | 'postal_account_holder' | 'postal_auth_code' | 'cbill_code' | 'help_text'>;

const MARGIN = 28;
const PAGE_WIDTH = 595.28;
const PAGE_HEIGHT = 841.89;
const WIDTH = PAGE_WIDTH - 2 * MARGIN;
const BLOCK_HEIGHT = 150;
const QR_SIZE = 71; // 25 mm, as the guide asks
const DM_SIZE = 62; // 22 mm
const INK = '#17324d';
const MUTED = '#5c6f82';
const RULE = '#a9b8c8';

/** Characters the standard PDF fonts show (WinAnsi); others are transliterated ('č' → 'c') or dropped. */
const WIN_ANSI_EXTRAS = new Set('€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ');
function winAnsi(text: string): string {
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (code < 0x20 || (code >= 0x7f && code < 0xa0)) out += code === 0x0a ? '\n' : ' ';
    else if (code < 0x100 || WIN_ANSI_EXTRAS.has(ch)) out += ch;
    else out += ch.normalize('NFKD').replace(/\p{M}+/gu, '').replace(/[^\x20-\xff]/g, '?');
  }
  return out;
}

/** The options a notice shows: unpaid ones; once an instalment is paid, the single payment is no longer offered. */
export function printableOptions(view: Pick<PositionView, 'status' | 'options'>): OptionView[] {
  if (view.status === 'draft' || view.status === 'cancelled' || view.status === 'paid') return [];
  const instalmentPaid = view.options.some((o) => o.instalment !== null && o.status === 'paid');
  return view.options.filter((o) => o.status === 'unpaid' && !(o.instalment === null && instalmentPaid));
}

export interface NoticeOptions {
  /** Creation date written in the PDF (default: when the position was published, else created). */
  generatedAt?: Date;
}

/** The notice of a position as PDF bytes. Throws when the position has nothing left to pay (see printableOptions). */
export async function noticePdf(view: PositionView, config: NoticeConfig, ente: { name: string }, options: NoticeOptions = {}): Promise<Buffer> {
  const printable = printableOptions(view);
  if (printable.length === 0) throw new Error(`position ${view.id} has no payable option to print`);
  const single = printable.find((o) => o.instalment === null);
  const instalments = printable.filter((o) => o.instalment !== null);
  const first = single ?? instalments[0]!;
  const doc = new PDFDocument({
    font: null as unknown as string, // the standard fonts are attached below, with their metrics shared
    size: 'A4',
    margin: MARGIN,
    bufferPages: true,
    pdfVersion: '1.7',
    lang: 'it-IT',
    info: {
      Title: winAnsi(t('payments.notice.docTitle', { notice: first.noticeNumber })),
      Author: winAnsi(config.business_name || ente.name),
      Subject: winAnsi(view.reason),
      Creator: 'Comuni in Rete',
      CreationDate: options.generatedAt ?? view.publishedAt ?? view.createdAt,
    },
  });
  useSharedFonts(doc);
  const done = collect(doc);
  let y = header(doc, view, config, ente);
  y = amountAndChannels(doc, y, single, instalments);
  doc.font('Helvetica-Oblique').fontSize(8.5).fillColor(MUTED).text(t('payments.notice.useBlock'), MARGIN, y, { width: WIDTH });
  y += 18;
  const groups: [string | null, OptionView[]][] =
    single && instalments.length > 0
      ? [[t('payments.notice.block.singleHeading'), [single]], [t('payments.notice.block.instalmentsHeading'), instalments]]
      : [[null, printable]];
  for (const [heading, list] of groups) {
    if (heading) {
      y = ensureRoom(doc, y, 18 + BLOCK_HEIGHT);
      doc.font('Helvetica-Bold').fontSize(11).fillColor(INK).text(heading, MARGIN, y, { width: WIDTH });
      y += 18;
    }
    for (const option of list) {
      y = ensureRoom(doc, y, BLOCK_HEIGHT);
      y = paymentBlock(doc, y, view, config, ente, option, instalments.length);
      if (config.postal_iban) {
        y = ensureRoom(doc, y, BLOCK_HEIGHT);
        y = postalBlock(doc, y, view, config, option);
      }
    }
  }
  pageNumbers(doc);
  doc.end();
  return done;
}

// pdfkit builds a StandardFont for every font a document uses, and each one parses the font's AFM metrics
// (glyph widths and some 2,700 kerning pairs) again, then measures and encodes every string glyph by glyph.
// The metrics never change: the fonts of a notice are clones of one StandardFont per name, built once per
// thread (same prototype and fields, only the document and the font id differ), whose width and encoding
// of a string are memoised (labels and headings repeat on every notice). Same bytes as without the sharing.
const NOTICE_FONTS = ['Helvetica', 'Helvetica-Bold', 'Helvetica-Oblique'] as const;
const MEMO_LIMIT = 20_000;
type StandardFontLike = { font: unknown; encode(text: string): unknown; widthOfString(text: string, size: number): number };
const fontTemplates = new Map<string, StandardFontLike>();

function fontTemplate(name: string): StandardFontLike {
  let template = fontTemplates.get(name);
  if (template) return template;
  const font = (new PDFDocument({ font: name, autoFirstPage: false }) as unknown as { _font: StandardFontLike })._font;
  const proto = Object.getPrototypeOf(font) as StandardFontLike;
  const widths = new Map<string, number>();
  const encodings = new Map<string, unknown>();
  template = Object.assign(font, {
    // The unit width (size 1000) is cached; × size / 1000 as pdfkit does, so the result is the same number.
    widthOfString(this: StandardFontLike, text: string, size: number): number {
      let unit = widths.get(text);
      if (unit === undefined) {
        if (widths.size >= MEMO_LIMIT) widths.clear();
        widths.set(text, (unit = proto.widthOfString.call(this, text, 1000)));
      }
      return unit * (size / 1000);
    },
    // pdfkit only reads the [hex codes, positions] it gets back (it concatenates into new arrays).
    encode(this: StandardFontLike, text: string): unknown {
      let encoded = encodings.get(text);
      if (encoded === undefined) {
        if (encodings.size >= MEMO_LIMIT) encodings.clear();
        encodings.set(text, (encoded = proto.encode.call(this, text)));
      }
      return encoded;
    },
  });
  fontTemplates.set(name, template);
  return template;
}

/**
 * Attaches the notice fonts to a document created with `font: null`, Helvetica first (as pdfkit's default, F1).
 * Should pdfkit's internals ever differ from what this expects, the document just uses pdfkit's own fonts.
 */
function useSharedFonts(doc: Doc) {
  const d = doc as unknown as { _fontFamilies?: Record<string, unknown>; _fontCount?: number };
  if (!sharingWorks(d)) {
    doc.font(NOTICE_FONTS[0]);
    return;
  }
  for (const name of NOTICE_FONTS) {
    const template = fontTemplate(name);
    d._fontFamilies[name] = Object.assign(Object.create(Object.getPrototypeOf(template) as object) as object, template, { document: doc, id: `F${++d._fontCount}` });
  }
  doc.font(NOTICE_FONTS[0]);
}

let sharing: boolean | undefined;
function sharingWorks(d: { _fontFamilies?: Record<string, unknown>; _fontCount?: number }): d is { _fontFamilies: Record<string, unknown>; _fontCount: number } {
  if (typeof d._fontFamilies !== 'object' || d._fontFamilies === null || typeof d._fontCount !== 'number') return false;
  if (sharing === undefined) {
    try {
      sharing = NOTICE_FONTS.every((name) => {
        const font = fontTemplate(name) as unknown as Record<string, unknown>;
        return typeof font.font === 'object' && typeof font.ascender === 'number' && font.name === name;
      });
    } catch {
      sharing = false;
    }
  }
  return sharing;
}

function collect(doc: Doc): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
}

function ensureRoom(doc: Doc, y: number, height: number): number {
  if (y + height <= PAGE_HEIGHT - MARGIN - 14) return y;
  doc.addPage();
  return MARGIN;
}

function label(doc: Doc, text: string, x: number, y: number, width: number) {
  doc.font('Helvetica').fontSize(7.5).fillColor(MUTED).text(text, x, y, { width, lineBreak: false });
}

function value(doc: Doc, text: string, x: number, y: number, width: number, size = 9.5, bold = true) {
  doc.font(bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(size).fillColor(INK).text(winAnsi(text), x, y, { width, height: size * 2.6, ellipsis: true });
}

function header(doc: Doc, view: PositionView, config: NoticeConfig, ente: { name: string }): number {
  doc.font('Helvetica-Bold').fontSize(17).fillColor(INK).text(t('payments.notice.title'), MARGIN, MARGIN, { width: WIDTH - 90 });
  doc.font('Helvetica').fontSize(12).text(winAnsi(view.reason), MARGIN, MARGIN + 22, { width: WIDTH - 90, height: 30, ellipsis: true });
  doc.font('Helvetica-Bold').fontSize(16).fillColor(INK).text('pagoPA', PAGE_WIDTH - MARGIN - 80, MARGIN + 2, { width: 80, align: 'right' });
  let y = MARGIN + 58;
  doc.moveTo(MARGIN, y).lineTo(PAGE_WIDTH - MARGIN, y).lineWidth(0.8).strokeColor(RULE).stroke();
  y += 10;
  const half = WIDTH / 2 - 10;
  const right = MARGIN + WIDTH / 2 + 10;
  label(doc, t('payments.notice.creditor'), MARGIN, y, half);
  label(doc, t('payments.notice.debtor'), right, y, half);
  value(doc, config.business_name || ente.name, MARGIN, y + 11, half, 11);
  value(doc, view.debtor.name, right, y + 11, half, 11);
  doc.font('Helvetica').fontSize(9).fillColor(INK);
  doc.text(t('payments.notice.fiscalCode', { code: config.fiscal_code }), MARGIN, y + 40, { width: half });
  doc.text(t('payments.notice.fiscalCode', { code: view.debtor.fiscalCode }), right, y + 40, { width: half });
  if (config.help_text) doc.fillColor(MUTED).text(winAnsi(config.help_text), MARGIN, y + 53, { width: half, height: 24, ellipsis: true });
  if (view.debtor.address) doc.fillColor(INK).text(winAnsi(view.debtor.address), right, y + 53, { width: half, height: 24, ellipsis: true });
  return y + 86;
}

function amountAndChannels(doc: Doc, y: number, single: OptionView | undefined, instalments: OptionView[]): number {
  const half = WIDTH / 2 - 10;
  const right = MARGIN + WIDTH / 2 + 10;
  const total = single ? single.amountCents : instalments.reduce((s, o) => s + o.amountCents, 0);
  const due = (single ?? instalments[0]!).dueDate;
  doc.rect(MARGIN, y, WIDTH, 136).fillColor('#f2f5f8').fill();
  const top = y + 10;
  doc.font('Helvetica-Bold').fontSize(11).fillColor(INK).text(t('payments.notice.howMuch'), MARGIN + 10, top, { width: half - 10 });
  doc.font('Helvetica-Bold').fontSize(18).text(t('payments.notice.amountDue', { amount: formatCents(total) }), MARGIN + 10, top + 18, { width: half - 10 });
  doc.font('Helvetica').fontSize(10).text(t('payments.notice.within', { date: formatDate(due) }), MARGIN + 10, top + 40, { width: half - 10 });
  let text = top + 56;
  if (instalments.length > 0) {
    doc.font('Helvetica').fontSize(8.5).text(t(single ? 'payments.notice.instalmentsTotal' : 'payments.notice.instalmentsOnly'), MARGIN + 10, text, { width: half - 10 });
    text += 14;
  }
  doc.font('Helvetica').fontSize(7).fillColor(MUTED).text(t('payments.notice.amountNote'), MARGIN + 10, text, { width: half - 10 });
  doc.font('Helvetica-Bold').fontSize(11).fillColor(INK).text(t('payments.notice.where'), right, top, { width: half - 10 });
  doc.font('Helvetica').fontSize(8).fillColor(MUTED).text(t('payments.notice.whereList'), right, top + 15, { width: half - 10 });
  doc.font('Helvetica-Bold').fontSize(9).fillColor(INK).text(t('payments.notice.online.title'), right, top + 32, { width: half - 10 });
  doc.font('Helvetica').fontSize(8).text(t('payments.notice.online.text'), right, top + 44, { width: half - 10 });
  doc.font('Helvetica-Bold').fontSize(9).text(t('payments.notice.physical.title'), right, top + 78, { width: half - 10 });
  doc.font('Helvetica').fontSize(8).text(t('payments.notice.physical.text'), right, top + 90, { width: half - 10 });
  return y + 146;
}

/** Draws a symbol as vector squares: one rectangle per horizontal run of dark modules. */
export function drawModules(doc: Doc, matrix: ModuleMatrix, x: number, y: number, size: number) {
  const unit = size / Math.max(matrix.width, matrix.height);
  doc.save().translate(x, y).scale(unit);
  // One content write for the whole path: the same `x y w 1 re` lines doc.rect() writes (the runs are integers).
  const ops = darkRuns(matrix).map(([rx, ry, length]) => `${rx} ${ry} ${length} 1 re`);
  if (ops.length > 0) doc.addContent(ops.join('\n'));
  doc.fillColor('#000000').fill();
  doc.restore();
}

function blockFrame(doc: Doc, y: number, title: string, right: string) {
  doc.rect(MARGIN, y, WIDTH, BLOCK_HEIGHT - 8).lineWidth(0.8).strokeColor(RULE).stroke();
  doc.rect(MARGIN, y, WIDTH, 22).fillColor('#e6ecf2').fill();
  doc.font('Helvetica-Bold').fontSize(10).fillColor(INK).text(title, MARGIN + 10, y + 7, { width: WIDTH - 130, height: 12, ellipsis: true });
  doc.font('Helvetica-Bold').fontSize(10).text(right, PAGE_WIDTH - MARGIN - 130, y + 7, { width: 120, align: 'right', lineBreak: false });
}

function optionTitle(option: OptionView, count: number): string {
  const name = option.instalment === null ? t('payments.notice.block.single') : t('payments.notice.block.instalmentOf', { n: option.instalment, count });
  return `${name} ${t('payments.notice.block.within', { date: formatDate(option.dueDate) })}`;
}

function paymentBlock(doc: Doc, y: number, view: PositionView, config: NoticeConfig, ente: { name: string }, option: OptionView, count: number): number {
  blockFrame(doc, y, optionTitle(option, count), `${t('payments.notice.block.amount')} ${formatCents(option.amountCents)}`);
  const top = y + 30;
  doc.font('Helvetica-Bold').fontSize(8).fillColor(INK).text(t('payments.notice.block.pagopa'), MARGIN + 10, top, { width: 160 });
  doc.font('Helvetica').fontSize(7.5).fillColor(MUTED).text(t(config.cbill_code ? 'payments.notice.block.qrHint' : 'payments.notice.block.qrHintNoCbill'), MARGIN + 10, top + 12, { width: 150 });
  drawModules(doc, qrModules(qrCodeText(option.noticeNumber, config.fiscal_code, option.amountCents)), MARGIN + 170, top, QR_SIZE);
  const col = MARGIN + 260;
  const colWidth = 140;
  label(doc, t('payments.notice.block.recipient'), col, top, colWidth);
  value(doc, view.debtor.name, col, top + 10, colWidth);
  label(doc, t('payments.notice.block.creditor'), col, top + 36, colWidth);
  value(doc, config.business_name || ente.name, col, top + 46, colWidth);
  label(doc, t('payments.notice.block.subject'), col, top + 72, colWidth);
  value(doc, view.reason, col, top + 82, colWidth, 8.5, false);
  const col2 = col + colWidth + 12;
  const col2Width = PAGE_WIDTH - MARGIN - 10 - col2;
  let row = top;
  if (config.cbill_code) {
    label(doc, t('payments.notice.block.cbill'), col2, row, col2Width);
    value(doc, config.cbill_code, col2, row + 10, col2Width);
    row += 36;
  }
  label(doc, t('payments.notice.block.noticeCode'), col2, row, col2Width);
  value(doc, groupedNoticeNumber(option.noticeNumber), col2, row + 10, col2Width);
  label(doc, t('payments.notice.block.creditorCf'), col2, row + 36, col2Width);
  value(doc, config.fiscal_code, col2, row + 46, col2Width);
  return y + BLOCK_HEIGHT;
}

function postalBlock(doc: Doc, y: number, view: PositionView, config: NoticeConfig, option: OptionView): number {
  const account = postalAccountOf(config.postal_iban!);
  blockFrame(doc, y, `${t('payments.notice.postal.title')} – ${optionTitle(option, view.options.filter((o) => o.instalment !== null).length)}`, `${t('payments.notice.block.amount')} ${formatCents(option.amountCents)}`);
  const top = y + 30;
  doc.font('Helvetica-Bold').fontSize(8).fillColor(INK).text(t('payments.notice.postal.channel'), MARGIN + 10, top, { width: 150 });
  doc.font('Helvetica-Bold').fontSize(9).text(t('payments.notice.postal.account', { account }), MARGIN + 10, top + 12, { width: 150 });
  doc.font('Helvetica').fontSize(8).text(winAnsi(t('payments.notice.postal.holder', { holder: config.postal_account_holder ?? config.business_name })), MARGIN + 10, top + 26, { width: 150, height: 30, ellipsis: true });
  doc.font('Helvetica').fontSize(7).fillColor(MUTED).text(t('payments.notice.postal.hint'), MARGIN + 10, top + 58, { width: 150 });
  const text = posteDataMatrixText({
    noticeNumber: option.noticeNumber,
    postalAccount: account,
    amountCents: option.amountCents,
    enteFiscalCode: config.fiscal_code,
    debtorFiscalCode: view.debtor.fiscalCode,
    debtorName: view.debtor.name,
    reason: view.reason,
  });
  drawModules(doc, dataMatrixModules(text), MARGIN + 175, top + 4, DM_SIZE);
  const col = MARGIN + 260;
  const colWidth = 140;
  label(doc, t('payments.notice.block.recipient'), col, top, colWidth);
  value(doc, view.debtor.name, col, top + 10, colWidth);
  label(doc, t('payments.notice.block.subject'), col, top + 36, colWidth);
  value(doc, view.reason, col, top + 46, colWidth, 8.5, false);
  if (config.postal_auth_code) label(doc, winAnsi(config.postal_auth_code), col, top + 82, colWidth);
  const col2 = col + colWidth + 12;
  const col2Width = PAGE_WIDTH - MARGIN - 10 - col2;
  label(doc, t('payments.notice.block.noticeCode'), col2, top, col2Width);
  value(doc, groupedNoticeNumber(option.noticeNumber), col2, top + 10, col2Width);
  label(doc, t('payments.notice.postal.type', { type: POSTE_DOCUMENT_TYPE }), col2, top + 36, col2Width);
  label(doc, t('payments.notice.block.creditorCf'), col2, top + 52, col2Width);
  value(doc, config.fiscal_code, col2, top + 62, col2Width);
  return y + BLOCK_HEIGHT;
}

function pageNumbers(doc: Doc) {
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    const bottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0; // writing below the margin must not open a new page
    doc.font('Helvetica').fontSize(7).fillColor(MUTED).text(t('payments.notice.page', { page: i + 1, pages: range.count }), MARGIN, PAGE_HEIGHT - MARGIN + 8, { width: WIDTH, align: 'right', lineBreak: false });
    doc.page.margins.bottom = bottom;
  }
}
