// The rules of adhesion to the CST protocol (pure functions, no database).
//
// - Signing enti adhere on the protocol date. A union or comunità montana that signs brings its member comuni
//   in, except the comuni it excludes (Frinco from Val Rilate, Cortandone from Val Triversa in 2010).
// - Enti invited but not signing on the day may adhere late within `lateAdhesionDays` days (inclusive).
// - After the window an adhesion is a subsequent one: it needs the act that grounds it (a deliberation).
// - An ente may withdraw (recesso); history is kept, the latest event decides the status.
import { addDays, isIsoDate } from '../../platform/calendar/index.js';
import type { AdhesionEventKind, AdhesionEventRow, Protocol } from './store.js';

export type AdhesionStatus = 'signed' | 'pending' | 'excluded' | 'withdrawn' | 'not_adhering';
export const adhesionStatuses: AdhesionStatus[] = ['signed', 'pending', 'excluded', 'withdrawn', 'not_adhering'];

export interface AdhesionState {
  status: AdhesionStatus;
  /** Date of the event that decided the status. */
  since: string | null;
  /** When the status comes from a union/comunità montana: its id. */
  viaEnteId: string | null;
  /** For pending enti: the last day of the late-adhesion window. */
  deadline: string | null;
}

const JOINS: AdhesionEventKind[] = ['signed', 'late_adhesion', 'subsequent_adhesion'];

export { addDays };

export function lateAdhesionDeadline(protocol: Protocol): string {
  return addDays(protocol.signedOn, protocol.lateAdhesionDays);
}

/** The status from an ente's own events only (undefined: it has none that decide). */
export function ownState(events: AdhesionEventRow[], protocol: Protocol, on: string): AdhesionState | undefined {
  const decisive = events.filter((e) => e.effectiveOn <= on || e.event === 'invited').sort((a, b) => (a.effectiveOn === b.effectiveOn ? a.id - b.id : a.effectiveOn < b.effectiveOn ? -1 : 1));
  const last = decisive.at(-1);
  if (!last) return undefined;
  const via = last.viaEnteId;
  switch (last.event) {
    case 'signed':
    case 'late_adhesion':
    case 'subsequent_adhesion':
      return { status: 'signed', since: last.effectiveOn, viaEnteId: null, deadline: null };
    case 'withdrawal':
      return { status: 'withdrawn', since: last.effectiveOn, viaEnteId: null, deadline: null };
    case 'exclusion':
      return { status: 'excluded', since: last.effectiveOn, viaEnteId: via, deadline: null };
    case 'invited':
      return { status: 'pending', since: last.effectiveOn, viaEnteId: null, deadline: lateAdhesionDeadline(protocol) };
  }
}

/**
 * The status of an ente given its own state and the states of the unions/comunità montane it belongs to
 * on `on`. Own events win; otherwise a signing parent brings the ente in.
 */
export function effectiveState(
  own: AdhesionState | undefined,
  parents: { enteId: string; state: AdhesionState | undefined; memberSince?: string }[],
): AdhesionState {
  if (own) return own;
  const signing = parents.find((p) => p.state?.status === 'signed');
  if (signing) {
    // A comune that joined the union after the signature adheres from the day it joined.
    const since = [signing.state!.since, signing.memberSince].filter((d): d is string => !!d).sort().at(-1) ?? null;
    return { status: 'signed', since, viaEnteId: signing.enteId, deadline: null };
  }
  const pending = parents.find((p) => p.state?.status === 'pending');
  if (pending) return { status: 'pending', since: pending.state!.since, viaEnteId: pending.enteId, deadline: pending.state!.deadline };
  return { status: 'not_adhering', since: null, viaEnteId: null, deadline: null };
}

export class AdhesionRuleError extends Error {}

/**
 * Which event an adhesion on `date` is, or why it cannot be recorded.
 * `current` is the ente's effective state today.
 */
export function classifyAdhesion(protocol: Protocol, current: AdhesionState, date: string, today: string, basis: string | null): AdhesionEventKind {
  if (!isIsoDate(date)) throw new AdhesionRuleError('Data non valida');
  if (date > today) throw new AdhesionRuleError('La data di adesione non può essere futura');
  if (date < protocol.signedOn) throw new AdhesionRuleError(`La data è precedente alla firma del protocollo (${protocol.signedOn})`);
  if (current.status === 'signed' && current.viaEnteId === null) throw new AdhesionRuleError("L'ente ha già aderito al protocollo");
  if (date === protocol.signedOn) return 'signed';
  if (date <= lateAdhesionDeadline(protocol)) return 'late_adhesion';
  if (!basis || basis.trim().length < 5) {
    throw new AdhesionRuleError(
      `Oltre i ${protocol.lateAdhesionDays} giorni dalla firma l'adesione è successiva: indicare l'atto di adesione (es. la delibera)`,
    );
  }
  return 'subsequent_adhesion';
}

export function checkWithdrawal(protocol: Protocol, current: AdhesionState, date: string, today: string, basis: string | null): void {
  if (!isIsoDate(date)) throw new AdhesionRuleError('Data non valida');
  if (current.status !== 'signed') throw new AdhesionRuleError("L'ente non aderisce al protocollo: non può recedere");
  if (date < protocol.signedOn || (current.since && date < current.since)) throw new AdhesionRuleError("La data di recesso è precedente all'adesione");
  if (date > addDays(today, 366)) throw new AdhesionRuleError('La data di recesso è troppo lontana nel futuro');
  if (!basis || basis.trim().length < 5) throw new AdhesionRuleError("Indicare l'atto di recesso (es. la delibera)");
}

export const isJoin = (kind: AdhesionEventKind) => JOINS.includes(kind);
