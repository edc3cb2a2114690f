// The machine-readable parts of a pagoPA notice: the QR code of every payment block and, when the ente
// collects on a postal account, the Data Matrix of the Poste "Bollettino PA". Pure functions: the strings
// (tested field by field) and the module matrices the PDF draws as vector squares.
//
// QR (pagoPA "Avviso di pagamento" 3.x, Allegato 2, Dati per il pagamento › Codice QR, docs.pagopa.it):
//   PAGOPA|002|<codice avviso, 18 digits>|<codice fiscale ente, 11>|<importo in centesimi, no padding>
//   ISO/IEC 18004, error correction M, UTF-8.
//
// Data Matrix (Poste Italiane, "Autorizzazione alla stampa in proprio", ed. 2019, ch. 4 "Bollettino PA
// integrato nell'avviso standard AgID", § 4.2 "Codifica bidimensionale Data Matrix", which the pagoPA notice
// guide points to for the postal part). The field order below was cross-checked against two public
// implementations: pagopa/pagopa-print-payment-notice-generator (TemplateDataMapper.generatePosteDataMatrix,
// the generator behind PagoPA's own print service) and pagopa/io-app (decodePosteDataMatrix, which reads the
// notice number at [15,33), the amount at [49,59) and the ente's fiscal code at [66,77)). 256 characters:
//   [0,13)    "codfase=NBPA;"            fixed: phase of the PA bollettino
//   [13,15)   "18"                       length of the next field
//   [15,33)   notice number              18 digits
//   [33,35)   "12"
//   [35,47)   postal account number      12 digits, zero-padded on the left
//   [47,49)   "10"
//   [49,59)   amount in euro cents       10 digits, zero-padded on the left
//   [59,60)   "3"
//   [60,63)   "896"                      document type (bollettino PA)
//   [63,66)   "1P1"                      identifiers of the pagoPA bollettino
//   [66,77)   ente's fiscal code         11
//   [77,93)   debtor's fiscal code       16, space-padded on the right
//   [93,133)  debtor's name              40, space-padded
//   [133,243) reason of the payment      110, space-padded
//   [243,255) filler                     12 spaces
//   [255]     "A"
// Free-text fields keep only the characters the Poste standard allows (letters, digits, space & ' - . : _ ,):
// accents lose their mark (è → e), anything else becomes a space.
import bwipjs from 'bwip-js';
import QRCode from 'qrcode';

export const POSTE_DOCUMENT_TYPE = '896';
export const DATA_MATRIX_LENGTH = 256;

/** The string of the QR code of one payment option. */
export function qrCodeText(noticeNumber: string, enteFiscalCode: string, amountCents: number): string {
  if (!/^[0-9]{18}$/.test(noticeNumber)) throw new Error(`notice number must have 18 digits: ${noticeNumber}`);
  if (!/^[0-9]{11}$/.test(enteFiscalCode)) throw new Error(`ente fiscal code must have 11 digits: ${enteFiscalCode}`);
  if (!Number.isSafeInteger(amountCents) || amountCents <= 0) throw new Error(`amount must be positive cents: ${amountCents}`);
  return `PAGOPA|002|${noticeNumber}|${enteFiscalCode}|${amountCents}`;
}

/** The 12-digit postal account number inside a BancoPosta IBAN (IT kk X 07601 CAB account). */
export function postalAccountOf(postalIban: string): string {
  const iban = postalIban.replace(/\s/g, '').toUpperCase();
  if (!/^IT[0-9]{2}[A-Z]07601[0-9]{5}[0-9]{12}$/.test(iban)) throw new Error(`not a postal IBAN: ${postalIban}`);
  return iban.slice(-12);
}

/** Free text for the Data Matrix: allowed characters only, cut or padded with spaces to `length`. */
export function posteText(value: string, length: number): string {
  const ascii = value.normalize('NFD').replace(/[\u0300-\u036f]/g, '');
  const allowed = ascii.replace(/[^A-Za-z0-9 &'\-.:_,]/g, ' ');
  return allowed.slice(0, length).padEnd(length, ' ');
}

export interface DataMatrixFields {
  noticeNumber: string;
  postalAccount: string;
  amountCents: number;
  enteFiscalCode: string;
  debtorFiscalCode: string;
  debtorName: string;
  reason: string;
}

/** The 256-character string of the Poste Bollettino PA Data Matrix (layout in the header comment). */
export function posteDataMatrixText(f: DataMatrixFields): string {
  if (!/^[0-9]{18}$/.test(f.noticeNumber)) throw new Error(`notice number must have 18 digits: ${f.noticeNumber}`);
  if (!/^[0-9]{1,12}$/.test(f.postalAccount)) throw new Error(`postal account must have at most 12 digits: ${f.postalAccount}`);
  if (!Number.isSafeInteger(f.amountCents) || f.amountCents <= 0 || f.amountCents > 9_999_999_999) throw new Error(`amount out of range: ${f.amountCents}`);
  if (!/^[0-9]{11}$/.test(f.enteFiscalCode)) throw new Error(`ente fiscal code must have 11 digits: ${f.enteFiscalCode}`);
  const codeline = `18${f.noticeNumber}12${f.postalAccount.padStart(12, '0')}10${String(f.amountCents).padStart(10, '0')}3${POSTE_DOCUMENT_TYPE}`;
  const text = [
    'codfase=NBPA;',
    codeline,
    '1P1',
    f.enteFiscalCode,
    posteText(f.debtorFiscalCode.toUpperCase(), 16),
    posteText(f.debtorName.toUpperCase(), 40),
    posteText(f.reason, 110),
    ' '.repeat(12),
    'A',
  ].join('');
  if (text.length !== DATA_MATRIX_LENGTH) throw new Error(`data matrix text has ${text.length} characters`);
  return text;
}

/** A square or rectangular grid of dark/light modules, row by row. */
export interface ModuleMatrix {
  width: number;
  height: number;
  /** 1 = dark, index y * width + x. */
  dark: ArrayLike<number>;
}

/** QR modules (error correction M, as the pagoPA guide asks). */
export function qrModules(text: string): ModuleMatrix {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: 'M' });
  return { width: modules.size, height: modules.size, dark: modules.data };
}

/** Data Matrix ECC 200 modules (52×52 for the 256 characters of the Poste string). */
export function dataMatrixModules(text: string): ModuleMatrix {
  const [symbol] = bwipjs.raw('datamatrix', text, {}) as { pixs: number[]; pixx: number; pixy: number }[];
  if (!symbol) throw new Error('data matrix encoder returned nothing');
  return { width: symbol.pixx, height: symbol.pixy, dark: symbol.pixs };
}

/**
 * The dark modules as horizontal runs [x, y, length]: the PDF draws one rectangle per run instead of one per
 * module (fewer operators, smaller and faster PDFs; the symbol stays vector as the guide requires).
 */
export function darkRuns(matrix: ModuleMatrix): [number, number, number][] {
  const runs: [number, number, number][] = [];
  for (let y = 0; y < matrix.height; y++) {
    let start = -1;
    for (let x = 0; x <= matrix.width; x++) {
      const on = x < matrix.width && matrix.dark[y * matrix.width + x] === 1;
      if (on && start < 0) start = x;
      if (!on && start >= 0) {
        runs.push([start, y, x - start]);
        start = -1;
      }
    }
  }
  return runs;
}
