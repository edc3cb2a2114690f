// The documents of the albo pretorio: what an uploaded file really is (decided by its content, never by its
// name), and the text inside it for the privacy check. Pure functions, no database, no file store.
//
// Accepted: a PDF, or a CAdES signed file (.p7m: CMS SignedData, DER or BER, also base64 as some tools
// produce it) whose signed content is a PDF. The original bytes are what gets stored and published; for a
// .p7m `pdfBytes` is the signed PDF, used for text extraction only. The signature itself is NOT verified
// here (that needs the certificate chain and the EU trust list): this layer only reads the structure.
import { getDocumentProxy } from 'unpdf';
import { Asn1Error, readSignedData, signedDataCandidate, type SignedContent } from './cms.js';

/** Why a file was refused: a stable code for the API and tests (the message is the Italian explanation). */
export type RejectionReason =
  | 'empty'
  | 'too_large'
  | 'not_pdf'
  | 'damaged_pdf'
  | 'invalid_signed_file'
  | 'detached_signature'
  | 'signed_content_not_pdf';

/** A file that cannot be published; `message` is an Italian sentence for the person who uploaded it. */
export class DocumentRejected extends Error {
  override readonly name = 'DocumentRejected';
  constructor(
    message: string,
    readonly reason: RejectionReason,
    /** What the content looks like, when recognised (e.g. 'immagine JPEG'). */
    readonly detected: string | null = null,
  ) {
    super(message);
  }
}

export type DocumentKind = 'pdf' | 'p7m';

export interface InspectedDocument {
  kind: DocumentKind;
  mediaType: 'application/pdf' | 'application/pkcs7-mime';
  /** The PDF itself; for a .p7m the signed PDF inside it (a view of the input when possible, not a copy). */
  pdfBytes: Buffer;
  /** The original name with the extension its content calls for ('delibera.pdf', 'delibera.pdf.p7m'). */
  fileName: string;
}

/** The PDF header must start within the first KiB, and the end-of-file marker be within the last 2 KiB. */
const PDF_HEADER_WINDOW = 1024;
const PDF_EOF_WINDOW = 2048;
const PDF_HEADER = /%PDF-(?:1\.\d|2\.0)/;

const MB = 1024 * 1024;

/** Decides what a file is from its bytes; throws DocumentRejected (and nothing else) when it cannot be published. */
export function inspectDocument(bytes: Buffer, originalName: string, maxBytes: number): InspectedDocument {
  const name = displayName(originalName);
  if (bytes.length === 0) throw new DocumentRejected(`Il file «${name}» è vuoto.`, 'empty');
  if (bytes.length > maxBytes) {
    throw new DocumentRejected(
      `Il file «${name}» supera la dimensione massima consentita di ${formatMegabytes(maxBytes)} (è di ${formatMegabytes(bytes.length)}).`,
      'too_large',
    );
  }

  // Signed files first: a .p7m holds the whole PDF, so its bytes can pass the PDF test too (header near the
  // start, %%EOF near the end when the signer infos are short), while no PDF starts like a SignedData.
  const der = signedDataCandidate(bytes);
  if (der) {
    const pdfBytes = signedPdf(der, name);
    return { kind: 'p7m', mediaType: 'application/pkcs7-mime', pdfBytes, fileName: fileNameFor(originalName, 'p7m') };
  }

  const pdf = pdfProblem(bytes);
  if (pdf === null) return { kind: 'pdf', mediaType: 'application/pdf', pdfBytes: bytes, fileName: fileNameFor(originalName, 'pdf') };
  if (pdf === 'no_eof') {
    throw new DocumentRejected(
      `Il file «${name}» è un PDF incompleto o danneggiato (manca la fine del file): ricaricarlo o rigenerarlo.`,
      'damaged_pdf',
      'PDF incompleto',
    );
  }

  const detected = describeContent(bytes);
  const expectedSigned = /\.p7m$/i.test(name);
  throw new DocumentRejected(
    expectedSigned
      ? `Il file «${name}» non è un file firmato CAdES (.p7m) né un PDF (contenuto: ${detected}).`
      : `Il file «${name}» non è un PDF (contenuto: ${detected}).`,
    'not_pdf',
    detected,
  );
}

// ---------------------------------------------------------------------------------------------------------
// PDF

/** null when the bytes are a PDF (header near the start, %%EOF near the end). */
function pdfProblem(bytes: Buffer): 'no_header' | 'no_eof' | null {
  const head = bytes.subarray(0, PDF_HEADER_WINDOW + 8).toString('latin1');
  const match = PDF_HEADER.exec(head);
  if (!match || match.index >= PDF_HEADER_WINDOW) return 'no_header';
  return bytes.subarray(Math.max(0, bytes.length - PDF_EOF_WINDOW)).includes('%%EOF', 0, 'latin1') ? null : 'no_eof';
}

export const isPdf = (bytes: Buffer) => pdfProblem(bytes) === null;

/** A signed file inside a signed file ("firma matrioska") is unwrapped up to this many levels. */
const MAX_SIGNATURE_LEVELS = 4;

/** The PDF signed inside a .p7m, unwrapping nested signatures; DocumentRejected for anything else. */
function signedPdf(der: Buffer, name: string): Buffer {
  let current = der;
  for (let level = 0; level < MAX_SIGNATURE_LEVELS; level++) {
    let content: SignedContent;
    try {
      content = readSignedData(current);
    } catch (err) {
      // Asn1Error for what the reader refuses; anything else (it should not happen) gets the same answer.
      const detail = err instanceof Asn1Error ? err.message : 'struttura non leggibile';
      throw new DocumentRejected(`Il file «${name}» non è un file firmato CAdES (.p7m) valido: ${detail}.`, 'invalid_signed_file');
    }
    if (content.kind === 'detached') {
      throw new DocumentRejected(
        `Il file «${name}» contiene solo la firma (firma separata, "detached"), non il documento firmato: caricare il file .p7m completo.`,
        'detached_signature',
      );
    }
    if (content.kind === 'not_signed_data') break; // cannot happen after startsLikeSignedData, kept for safety
    current = content.bytes;
    if (current.length === 0) break;
    const nested = signedDataCandidate(current);
    if (nested) {
      if (level === MAX_SIGNATURE_LEVELS - 1) {
        throw new DocumentRejected(`Il file «${name}» contiene troppe firme annidate una dentro l'altra.`, 'invalid_signed_file');
      }
      current = nested;
      continue;
    }
    const problem = pdfProblem(current);
    if (problem === null) return current;
    if (problem === 'no_eof') {
      throw new DocumentRejected(
        `Il file firmato «${name}» contiene un PDF incompleto o danneggiato (manca la fine del file).`,
        'signed_content_not_pdf',
        'PDF incompleto',
      );
    }
    break;
  }
  const detected = current.length === 0 ? 'vuoto' : describeContent(current);
  throw new DocumentRejected(`Il file firmato «${name}» non contiene un PDF (contenuto firmato: ${detected}).`, 'signed_content_not_pdf', detected);
}

// ---------------------------------------------------------------------------------------------------------
// What a refused file looks like, in words for the message.

const startsWith = (b: Buffer, ...sig: number[]) => b.length >= sig.length && sig.every((v, i) => b[i] === v);
const asciiAt = (b: Buffer, offset: number, s: string) => b.subarray(offset, offset + s.length).toString('latin1') === s;

/** A short Italian description of what the bytes look like ('immagine JPEG', 'pagina HTML', 'testo', …). */
export function describeContent(bytes: Buffer): string {
  if (bytes.length === 0) return 'vuoto';
  if (startsWith(bytes, 0x50, 0x4b, 0x03, 0x04) || startsWith(bytes, 0x50, 0x4b, 0x05, 0x06)) {
    if (bytes.includes('word/document', 0, 'latin1')) return 'documento Word (DOCX)';
    if (bytes.includes('xl/workbook', 0, 'latin1')) return 'foglio Excel (XLSX)';
    if (bytes.includes('ppt/presentation', 0, 'latin1')) return 'presentazione PowerPoint (PPTX)';
    if (bytes.includes('application/vnd.oasis.opendocument.text', 0, 'latin1')) return 'documento OpenDocument (ODT)';
    if (bytes.includes('application/vnd.oasis.opendocument.spreadsheet', 0, 'latin1')) return 'foglio OpenDocument (ODS)';
    return 'archivio ZIP';
  }
  if (startsWith(bytes, 0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1)) return 'documento Office in formato binario (DOC, XLS o PPT)';
  if (startsWith(bytes, 0xff, 0xd8, 0xff)) return 'immagine JPEG';
  if (startsWith(bytes, 0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'immagine PNG';
  if (asciiAt(bytes, 0, 'GIF87a') || asciiAt(bytes, 0, 'GIF89a')) return 'immagine GIF';
  if (startsWith(bytes, 0x49, 0x49, 0x2a, 0x00) || startsWith(bytes, 0x4d, 0x4d, 0x00, 0x2a)) return 'immagine TIFF';
  if (asciiAt(bytes, 0, 'RIFF') && asciiAt(bytes, 8, 'WEBP')) return 'immagine WebP';
  if (asciiAt(bytes, 0, 'Rar!')) return 'archivio RAR';
  if (startsWith(bytes, 0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c)) return 'archivio 7-Zip';
  if (startsWith(bytes, 0x1f, 0x8b)) return 'archivio compresso (gzip)';
  if (startsWith(bytes, 0x7f, 0x45, 0x4c, 0x46) || (asciiAt(bytes, 0, 'MZ') && bytes.includes('PE\0\0', 0, 'latin1'))) return 'programma eseguibile';
  if (asciiAt(bytes, 0, '{\\rtf')) return 'documento RTF';

  const sample = bytes.subarray(0, 4096);
  if (!looksLikeText(sample)) return bytes[0] === 0x30 ? 'dati binari in formato ASN.1 (ad esempio un certificato)' : 'dati binari non riconosciuti';
  const text = sample.toString('utf8').replace(/^\uFEFF/, '').trimStart();
  if (/^(?:<!--[\s\S]*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b/i.test(text) || /<html[\s>]/i.test(text)) return 'pagina HTML';
  if (/^<svg[\s>]/i.test(text) || (/^<\?xml/i.test(text) && /<svg[\s>]/i.test(text))) return 'immagine SVG';
  if (/^<\?xml/i.test(text) || /^<[A-Za-z][\w:.-]*[\s>]/.test(text)) return /FatturaElettronica/.test(text) ? 'fattura elettronica XML' : 'documento XML';
  if (/^(?:Return-Path|Received|MIME-Version|From|Message-ID):/im.test(text.slice(0, 300)) && /^Subject:/im.test(text)) return 'messaggio di posta elettronica';
  return 'testo';
}

/** No NUL bytes and almost no control characters: a text file. */
function looksLikeText(sample: Buffer): boolean {
  let control = 0;
  for (const b of sample) {
    if (b === 0) return false;
    if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x0c) control++;
  }
  return control <= sample.length / 100;
}

// ---------------------------------------------------------------------------------------------------------
// Names and sizes in messages

/** The last path segment, without control characters, shortened: safe to put in a message. */
function displayName(originalName: string): string {
  const base = (originalName.split(/[\\/]/).pop() ?? '').replace(/[\u0000-\u001f\u007f-\u009f]/g, '').trim();
  if (!base) return 'senza nome';
  return base.length > 120 ? `${base.slice(0, 80)}…${base.slice(-30)}` : base;
}

/** The upload's name with the extension its content calls for: 'x.pdf' for a PDF, 'x.pdf.p7m' for a signed PDF. */
export function fileNameFor(originalName: string, kind: DocumentKind): string {
  const base = displayName(originalName);
  const stem = base === 'senza nome' ? 'documento' : base.replace(/(?:\.pdf)?(?:\.p7m)*$/i, '') || 'documento';
  return kind === 'pdf' ? `${stem}.pdf` : `${stem}.pdf.p7m`;
}

/** '20 MB', '2,5 MB', '0,3 MB' (binary megabytes, Italian decimal comma). */
export function formatMegabytes(bytes: number): string {
  const mb = bytes / MB;
  const digits = mb >= 100 || Number.isInteger(mb) ? 0 : 1;
  const value = Math.max(mb, bytes > 0 ? 0.1 : 0);
  return `${value.toLocaleString('it-IT', { maximumFractionDigits: digits, minimumFractionDigits: 0 })} MB`;
}

// ---------------------------------------------------------------------------------------------------------
// Text extraction (pdf.js through unpdf)

export interface ExtractedText {
  /** The text of the pages read, pages separated by a blank line; '' when the PDF could not be read. */
  text: string;
  /** False when the PDF could not be opened (damaged, encrypted, …): `text` is then ''. */
  ok: boolean;
  /** Pages in the document (0 when it could not be opened). */
  pages: number;
  /** True when a bound stopped the reading (pages, characters or time) before the end. */
  truncated: boolean;
  /** Why the PDF could not be read, for the log. */
  error?: string;
}

export interface ExtractOptions {
  maxPages?: number;
  maxChars?: number;
  /** Stop reading further pages after this long (checked between pages). */
  timeBudgetMs?: number;
}

export const EXTRACT_MAX_PAGES = 200;
export const EXTRACT_MAX_CHARS = 2 * MB;

/** The text of a PDF, bounded to the first 200 pages and 2 MB of text; never throws. */
export async function extractPdfText(pdfBytes: Buffer, options: ExtractOptions = {}): Promise<ExtractedText> {
  const maxPages = options.maxPages ?? EXTRACT_MAX_PAGES;
  const maxChars = options.maxChars ?? EXTRACT_MAX_CHARS;
  const deadline = Date.now() + (options.timeBudgetMs ?? 60_000);
  let pdf: Awaited<ReturnType<typeof getDocumentProxy>> | undefined;
  try {
    // pdf.js takes ownership of the array it is given: hand it a copy, never the caller's buffer.
    pdf = await getDocumentProxy(new Uint8Array(pdfBytes), { verbosity: 0, stopAtErrors: false });
    const pages = pdf.numPages;
    const texts: string[] = [];
    let chars = 0;
    let truncated = pages > maxPages;
    for (let n = 1; n <= Math.min(pages, maxPages); n++) {
      if (n > 1 && Date.now() > deadline) {
        truncated = true;
        break;
      }
      const page = await pdf.getPage(n);
      const content = await page.getTextContent();
      let pageText = '';
      for (const item of content.items) if ('str' in item) pageText += item.str + (item.hasEOL ? '\n' : '');
      page.cleanup();
      if (chars + pageText.length > maxChars) {
        texts.push(pageText.slice(0, maxChars - chars));
        truncated = true;
        break;
      }
      texts.push(pageText);
      chars += pageText.length;
    }
    const text = texts.join('\n').replace(/[^\S\n]+/g, ' ').replace(/ ?\n ?/g, '\n').replace(/\n{3,}/g, '\n\n').trim();
    return { text, ok: true, pages, truncated };
  } catch (err) {
    return { text: '', ok: false, pages: 0, truncated: false, error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) };
  } finally {
    await pdf?.destroy().catch(() => undefined);
  }
}
