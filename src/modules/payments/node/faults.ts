// The PAA_* faults of the creditor institution (SANP catalogue of EC errors) and the faultBean that carries them
// inside a KO response. faultString is the catalogue's text; description says what happened, never internals.
import { el, type XmlNode } from './xml.js';

export const FAULTS = {
  PAA_SINTASSI_EXTRAXSD: 'Errore di sintassi extra XSD.',
  PAA_SINTASSI_XSD: 'Errore di sintassi XSD.',
  PAA_ID_DOMINIO_ERRATO: 'La PAA non corrisponde al Dominio indicato.',
  PAA_ID_INTERMEDIARIO_ERRATO: 'Identificativo intermediario non corrispondente.',
  PAA_STAZIONE_INT_ERRATA: 'Stazione intermediario non corrispondente.',
  PAA_PAGAMENTO_SCONOSCIUTO: 'Pagamento in attesa risulta sconosciuto all’Ente Creditore.',
  PAA_PAGAMENTO_SCADUTO: 'Pagamento in attesa risulta scaduto all’Ente Creditore.',
  PAA_PAGAMENTO_ANNULLATO: 'Pagamento in attesa risulta annullato all’Ente Creditore.',
  PAA_PAGAMENTO_DUPLICATO: 'Pagamento in attesa risulta concluso all’Ente Creditore.',
  PAA_SEMANTICA: 'Errore semantico.',
  PAA_SYSTEM_ERROR: 'Errore generico.',
} as const;

export type FaultCode = keyof typeof FAULTS;

/** Thrown by the operations: becomes outcome KO with this fault. */
export class NodeFault extends Error {
  constructor(
    readonly code: FaultCode,
    readonly description: string,
  ) {
    super(`${code}: ${description}`);
  }
}

/** <outcome>KO</outcome><fault>…</fault> (common:ctResponse). `id` is who raised it: the ente's fiscal code when known. */
export function faultNodes(code: FaultCode, description: string, id: string): XmlNode[] {
  return [
    el('outcome', 'KO'),
    el('fault', [el('faultCode', code), el('faultString', FAULTS[code]), el('id', id), el('description', description)]),
  ];
}
