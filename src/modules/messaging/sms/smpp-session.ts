// One SMPP 3.4 transceiver session to the CST's aggregator (the `smpp` package does the PDUs and the socket):
// bind_transceiver with the system_id/password of SMPP_URL, enquire_link every 30 s (a peer that stops answering
// is dropped), reconnection with exponential back-off whenever the connection goes, a window of submit_sm
// awaiting their response, deliver_sm handed to the channel and answered with the status it decides, and unbind at
// shutdown.
//
// What a caller of submit() learns: the SMSC's message_id; a SubmitError with the SMSC's status (the part was NOT
// accepted); or a SubmitUncertainError — the submit_sm left on a connection that was lost (or went silent) before
// its response: the SMSC may or may not have accepted it. Parts not yet written wait for the next bind.
import type { Logger } from 'pino';
import smpp, { type PDU, type Session } from 'smpp';

export interface SmppTarget {
  host: string;
  port: number;
  systemId: string;
  password: string;
}

export function parseSmppUrl(url: string): SmppTarget {
  const u = new URL(url);
  return { host: u.hostname, port: Number(u.port) || 2775, systemId: decodeURIComponent(u.username), password: decodeURIComponent(u.password) };
}

/** The SMSC answered submit_sm with an error status: not accepted. */
export class SubmitError extends Error {
  constructor(readonly status: number) {
    super(`${statusName(status)} (0x${status.toString(16).padStart(2, '0')})`);
    this.name = 'SubmitError';
  }
}

/** Sent, but no response: accepted or not, nobody knows. */
export class SubmitUncertainError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'SubmitUncertainError';
  }
}

export class SessionStoppedError extends Error {
  constructor() {
    super('sessione SMPP chiusa');
    this.name = 'SessionStoppedError';
  }
}

const NAMES = new Map(Object.entries(smpp.errors).map(([name, code]) => [code, name]));
export const statusName = (status: number) => NAMES.get(status) ?? 'ESME_UNKNOWN';

export interface SmppSessionOptions {
  url: string;
  window: number;
  log: Logger;
  /** Decides the deliver_sm_resp status of a deliver_sm (receipt or incoming SMS); 0 = done. */
  onDeliver: (pdu: PDU) => Promise<number>;
  enquireLinkMs?: number;
  responseTimeoutMs?: number;
  reconnectMinMs?: number;
  reconnectMaxMs?: number;
}

interface Outstanding {
  resolve: (messageId: string) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

export class SmppSession {
  private readonly target: SmppTarget;
  private session: Session | null = null;
  private bound = false;
  private stopping = false;
  private failures = 0;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private keepAlive: NodeJS.Timeout | null = null;
  private readonly outstanding = new Map<Session, Set<Outstanding>>();
  private inFlight = 0;
  private readonly slotWaiters: (() => void)[] = [];
  /** Binds so far (a test and the logs see reconnections). */
  binds = 0;

  constructor(private readonly options: SmppSessionOptions) {
    this.target = parseSmppUrl(options.url);
  }

  get isBound(): boolean {
    return this.bound;
  }

  start(): void {
    this.stopping = false;
    this.connect();
  }

  private connect(): void {
    if (this.stopping) return;
    const { log } = this.options;
    const session = smpp.connect({ host: this.target.host, port: this.target.port });
    this.session = session;
    this.outstanding.set(session, new Set());
    session.on('error', (err: Error) => log.debug({ err }, 'SMPP socket error'));
    session.on('connect', () => {
      session.bind_transceiver({ system_id: this.target.systemId, password: this.target.password, interface_version: 0x34 }, (pdu: PDU) => {
        if (pdu.command_status !== 0) {
          log.error({ status: statusName(pdu.command_status) }, 'SMPP bind refused');
          this.failures += 3; // wrong credentials do not fix themselves quickly
          session.destroy();
          return;
        }
        this.bound = true;
        this.binds++;
        this.failures = 0;
        log.info({ host: this.target.host, port: this.target.port, systemId: this.target.systemId }, 'SMPP bound (transceiver)');
        this.startKeepAlive(session);
        this.wakeWaiters();
      });
    });
    session.on('enquire_link', (pdu: PDU) => session.send(pdu.response()));
    session.on('unbind', (pdu: PDU) => {
      this.bound = false;
      session.send(pdu.response(), () => session.close());
    });
    session.on('deliver_sm', (pdu: PDU) => {
      this.options.onDeliver(pdu).then(
        (status) => session.send(pdu.response(status ? { command_status: status } : {})),
        (err) => {
          log.error({ err }, 'deliver_sm not handled; the SMSC will retry');
          session.send(pdu.response({ command_status: smpp.errors.ESME_RX_T_APPN ?? 0x64 }));
        },
      );
    });
    session.on('close', () => this.onClose(session));
  }

  private startKeepAlive(session: Session): void {
    const period = this.options.enquireLinkMs ?? 30_000;
    this.keepAlive = setInterval(() => {
      const timer = setTimeout(() => {
        this.options.log.warn('SMPP peer silent (no enquire_link_resp): reconnecting');
        session.destroy();
      }, this.options.responseTimeoutMs ?? 10_000);
      if (!session.enquire_link({}, () => clearTimeout(timer))) clearTimeout(timer);
    }, period);
    this.keepAlive.unref();
  }

  private onClose(session: Session): void {
    if (this.session === session) {
      this.session = null;
      this.bound = false;
      if (this.keepAlive) clearInterval(this.keepAlive);
      this.keepAlive = null;
    }
    const lost = this.outstanding.get(session) ?? new Set();
    this.outstanding.delete(session);
    for (const o of lost) {
      clearTimeout(o.timer);
      this.inFlight--;
      o.reject(new SubmitUncertainError('connessione SMPP persa prima della risposta'));
    }
    this.wakeWaiters();
    if (this.stopping) return;
    const min = this.options.reconnectMinMs ?? 250;
    const delay = Math.min(this.options.reconnectMaxMs ?? 30_000, min * 2 ** Math.min(this.failures, 10)) * (0.8 + Math.random() * 0.4);
    this.failures++;
    this.options.log.warn({ delay: Math.round(delay), lost: lost.size }, 'SMPP connection closed: reconnecting');
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.connect();
    }, delay);
  }

  private wakeWaiters(): void {
    for (const wake of this.slotWaiters.splice(0)) wake();
  }

  /** Waits until bound with a free slot in the window, and takes it. */
  private async slot(): Promise<Session> {
    for (;;) {
      if (this.stopping) throw new SessionStoppedError();
      if (this.bound && this.session && this.inFlight < this.options.window) {
        this.inFlight++; // taken here, in the same turn as the check
        return this.session;
      }
      await new Promise<void>((resolve) => this.slotWaiters.push(resolve));
    }
  }

  /** Submits one part; resolves with the SMSC message_id (see the errors above). */
  async submit(params: Record<string, unknown>): Promise<string> {
    for (;;) {
      const session = await this.slot();
      const pending = this.outstanding.get(session)!;
      const result = new Promise<string>((resolve, reject) => {
        const o: Outstanding = {
          resolve,
          reject,
          timer: setTimeout(() => {
            // No response in time: the session is not trustworthy any more; closing it fails every part in flight.
            this.options.log.warn('SMPP submit_sm without response: reconnecting');
            session.destroy();
          }, this.options.responseTimeoutMs ?? 10_000),
        };
        pending.add(o);
        const written = session.send(new smpp.PDU('submit_sm', params), (resp: PDU) => {
          if (!pending.delete(o)) return;
          clearTimeout(o.timer);
          this.inFlight--;
          this.wakeOne();
          if (resp.command_status === 0) resolve(String(resp.message_id));
          else reject(new SubmitError(resp.command_status));
        });
        if (!written) {
          pending.delete(o);
          clearTimeout(o.timer);
          this.inFlight--;
          reject(new NotWrittenError());
        }
      });
      try {
        return await result;
      } catch (err) {
        if (err instanceof NotWrittenError) {
          // Never left. The socket is gone but its 'close' is not processed yet: stop using this session and let
          // the event loop run (retrying at once would spin on microtasks and the close would never come).
          if (this.session === session) this.bound = false;
          session.destroy();
          await new Promise((resolve) => setImmediate(resolve));
          continue;
        }
        throw err;
      }
    }
  }

  private wakeOne(): void {
    this.slotWaiters.shift()?.();
  }

  /** Unbind (waiting briefly for unbind_resp) and close; parts waiting for a slot get SessionStoppedError. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.wakeWaiters();
    const session = this.session;
    if (!session) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => session.destroy(), 2000);
      session.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      if (!this.bound || !session.unbind({}, () => session.close())) session.destroy();
    });
  }
}

class NotWrittenError extends Error {}
