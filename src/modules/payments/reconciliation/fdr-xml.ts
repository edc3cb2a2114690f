// Writes a FlussoRiversamento document (what a PSP sends through the node): for the demo data and for tests of
// the import. The output validates against FlussoRiversamento_1_0_4.xsd (codes 0, 3, 9) or _1_0_5.xsd (0, 4, 8, 9).
import { centsToDecimal } from '../amounts.js';
import { PAY_NS } from './fdr.js';

export interface FdrXmlInput {
  flowId: string;
  /** As written in dataOraFlusso, e.g. '2026-11-20T08:15:00'. */
  flowDateTime: string;
  settlementId: string;
  settlementDate: string;
  psp: { code: string; name: string; type?: 'G' | 'A' | 'B' };
  bic?: string;
  receiver: { fiscalCode: string; name: string };
  lines: { iuv: string; iur: string; transferIndex?: number; amountCents: number; outcome?: string; date: string }[];
  /** Defaults: the count and the sum of the lines. */
  declaredCount?: number;
  declaredTotalCents?: number;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function fdrXml(input: FdrXmlInput): string {
  const total = input.declaredTotalCents ?? input.lines.reduce((s, l) => s + l.amountCents, 0);
  const lines = input.lines
    .map(
      (l) => `  <pay_i:datiSingoliPagamenti>
    <pay_i:identificativoUnivocoVersamento>${esc(l.iuv)}</pay_i:identificativoUnivocoVersamento>
    <pay_i:identificativoUnivocoRiscossione>${esc(l.iur)}</pay_i:identificativoUnivocoRiscossione>
${l.transferIndex ? `    <pay_i:indiceDatiSingoloPagamento>${l.transferIndex}</pay_i:indiceDatiSingoloPagamento>\n` : ''}    <pay_i:singoloImportoPagato>${centsToDecimal(l.amountCents)}</pay_i:singoloImportoPagato>
    <pay_i:codiceEsitoSingoloPagamento>${l.outcome ?? '0'}</pay_i:codiceEsitoSingoloPagamento>
    <pay_i:dataEsitoSingoloPagamento>${l.date}</pay_i:dataEsitoSingoloPagamento>
  </pay_i:datiSingoliPagamenti>`,
    )
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>
<pay_i:FlussoRiversamento xmlns:pay_i="${PAY_NS}">
  <pay_i:versioneOggetto>1.0</pay_i:versioneOggetto>
  <pay_i:identificativoFlusso>${esc(input.flowId)}</pay_i:identificativoFlusso>
  <pay_i:dataOraFlusso>${input.flowDateTime}</pay_i:dataOraFlusso>
  <pay_i:identificativoUnivocoRegolamento>${esc(input.settlementId)}</pay_i:identificativoUnivocoRegolamento>
  <pay_i:dataRegolamento>${input.settlementDate}</pay_i:dataRegolamento>
  <pay_i:istitutoMittente>
    <pay_i:identificativoUnivocoMittente>
      <pay_i:tipoIdentificativoUnivoco>${input.psp.type ?? 'B'}</pay_i:tipoIdentificativoUnivoco>
      <pay_i:codiceIdentificativoUnivoco>${esc(input.psp.code)}</pay_i:codiceIdentificativoUnivoco>
    </pay_i:identificativoUnivocoMittente>
    <pay_i:denominazioneMittente>${esc(input.psp.name)}</pay_i:denominazioneMittente>
  </pay_i:istitutoMittente>
${input.bic ? `  <pay_i:codiceBicBancaDiRiversamento>${esc(input.bic)}</pay_i:codiceBicBancaDiRiversamento>\n` : ''}  <pay_i:istitutoRicevente>
    <pay_i:identificativoUnivocoRicevente>
      <pay_i:tipoIdentificativoUnivoco>G</pay_i:tipoIdentificativoUnivoco>
      <pay_i:codiceIdentificativoUnivoco>${esc(input.receiver.fiscalCode)}</pay_i:codiceIdentificativoUnivoco>
    </pay_i:identificativoUnivocoRicevente>
    <pay_i:denominazioneRicevente>${esc(input.receiver.name)}</pay_i:denominazioneRicevente>
  </pay_i:istitutoRicevente>
  <pay_i:numeroTotalePagamenti>${input.declaredCount ?? input.lines.length}</pay_i:numeroTotalePagamenti>
  <pay_i:importoTotalePagamenti>${centsToDecimal(total)}</pay_i:importoTotalePagamenti>
${lines}
</pay_i:FlussoRiversamento>
`;
}

/** The remittance of the treasury credit that carries a flow. */
export const treasuryRemittance = (flowId: string) => `/PUR/LGPE-RIVERSAMENTO/URI/${flowId}`;
