// The part of the `smpp` package (node-smpp, plain JavaScript, no published types) that the SMS channel and the
// test SMPP peer use.
declare module 'smpp' {
  import type { EventEmitter } from 'node:events';
  import type { Server as NetServer, Socket } from 'node:net';

  export interface PDU {
    command: string;
    command_id: number;
    command_status: number;
    sequence_number: number;
    [field: string]: any;
    isResponse(): boolean;
    response(options?: Record<string, unknown>): PDU;
  }

  export class Session extends EventEmitter {
    socket: Socket;
    server?: Server;
    send(pdu: PDU, responseCallback?: (pdu: PDU) => void, sendCallback?: (pdu: PDU) => void): boolean;
    close(callback?: () => void): void;
    destroy(callback?: () => void): void;
    pause(): void;
    resume(): void;
    [command: string]: any;
  }

  export class Server extends NetServer {
    sessions: Session[];
  }

  /** CommonJS: its exports are set in loops, so Node sees them only on the default export. */
  const smpp: {
    PDU: { new (command: string, options?: Record<string, unknown>): PDU };
    connect(options: { host: string; port: number; auto_enquire_link_period?: number }, listener?: () => void): Session;
    createServer(options: Record<string, unknown>, listener?: (session: Session) => void): Server;
    commands: Record<string, { id: number; params?: Record<string, { filter?: unknown }> }>;
    gsmCoder: { decode(value: Buffer, encoding: number): string; encode(value: string, encoding: number): Buffer };
    errors: Record<string, number>;
  };
  export default smpp;
}
