// Inbound e-mail: an SMTP listener (the smtp-server library) that hands each message to the module that owns
// its recipient (the help desk's assistenza@…). The kernel knows no module: modules declare a handler in their
// manifest. The sender gets 250 only once the handler has stored the message durably, so an accepted message
// is never lost; an oversized one is refused with 552 and an unknown recipient with 550, so the sender's own
// server bounces it; a failure while storing is a 451 and the sender retries later.
// The same path serves an MTA that pipes each message to the CLI instead (ingestRawMessage).
import type { Logger } from 'pino';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import type { ModuleManifest } from '../module.js';
import type { Platform } from '../platform.js';

export interface InboundMessage {
  raw: Buffer;
  /** Envelope sender (MAIL FROM); null for the empty sender of bounces and auto-replies. */
  mailFrom: string | null;
  /** Envelope recipients this handler accepted (lower case). */
  rcptTo: string[];
  remoteAddress: string | null;
  receivedAt: Date;
}

export interface InboundMailHandler {
  /** Whether this handler takes mail for `address` (lower case). */
  accepts(address: string): Promise<boolean> | boolean;
  /** Stores the message durably (then may process it); resolves once stored. Throw InboundRefusal to refuse it. */
  deliver(message: InboundMessage): Promise<void>;
}

/** A deliberate SMTP refusal (e.g. 550); any other error while delivering is a temporary failure (451). */
export class InboundRefusal extends Error {
  constructor(
    readonly responseCode: number,
    message: string,
  ) {
    super(message);
  }
}

/** The inbound handlers the modules declare. */
export function inboundHandlers(platform: Platform, modules: ModuleManifest[]): InboundMailHandler[] {
  return modules.flatMap((m) => (m.inboundMail ? [m.inboundMail(platform)] : []));
}

const normalise = (address: string) => address.trim().toLowerCase();

async function handlerFor(handlers: InboundMailHandler[], address: string): Promise<InboundMailHandler | undefined> {
  for (const handler of handlers) if (await handler.accepts(normalise(address))) return handler;
  return undefined;
}

const unknownRecipient = (address: string) => new InboundRefusal(550, `5.1.1 <${address}>: destinatario sconosciuto`);
const tooBig = (maxBytes: number) => new InboundRefusal(552, `5.3.4 Messaggio troppo grande (massimo ${maxBytes} byte)`);

/** Hands a complete message to the handler of each of its recipients; refuses it if none is known. */
export async function deliverInbound(
  handlers: InboundMailHandler[],
  message: { raw: Buffer; mailFrom: string | null; rcptTo: string[]; remoteAddress?: string | null; receivedAt?: Date },
): Promise<void> {
  const byHandler = new Map<InboundMailHandler, string[]>();
  for (const address of message.rcptTo.map(normalise)) {
    const handler = await handlerFor(handlers, address);
    if (!handler) continue;
    byHandler.set(handler, [...(byHandler.get(handler) ?? []), address]);
  }
  if (byHandler.size === 0) throw unknownRecipient(message.rcptTo[0] ?? '');
  const receivedAt = message.receivedAt ?? new Date();
  for (const [handler, rcptTo] of byHandler) {
    await handler.deliver({ raw: message.raw, mailFrom: message.mailFrom || null, rcptTo, remoteAddress: message.remoteAddress ?? null, receivedAt });
  }
}

/** sysexits codes an MTA pipe understands: 0 delivered, 67 unknown user (bounce), 75 try again later. */
export type PipeExitCode = 0 | 65 | 67 | 75;

/**
 * For an MTA that pipes each message to `cir` (e.g. Postfix pipe(8)): the same checks and delivery as the
 * SMTP listener, with the answer as an exit code (permanent refusals bounce, anything else is retried).
 */
export async function ingestRawMessage(
  handlers: InboundMailHandler[],
  message: { raw: Buffer; mailFrom: string | null; rcptTo: string[] },
  maxBytes: number,
): Promise<{ exitCode: PipeExitCode; message: string }> {
  try {
    if (message.raw.length > maxBytes) throw tooBig(maxBytes);
    await deliverInbound(handlers, message);
    return { exitCode: 0, message: 'ricevuto' };
  } catch (err) {
    if (err instanceof InboundRefusal) return { exitCode: err.responseCode === 550 ? 67 : 65, message: err.message };
    return { exitCode: 75, message: 'errore temporaneo: riprovare più tardi' };
  }
}

export interface InboundSmtp {
  /** The bound port (useful with port 0). */
  port: number;
  close(): Promise<void>;
}

const smtpError = (code: number, message: string) => Object.assign(new Error(message), { responseCode: code });

/** Collects the DATA stream; keeps no bytes past the limit (the server answers 552 for such a message). */
function readMessage(stream: SMTPServerDataStream, maxBytes: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    stream.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) chunks.push(chunk);
    });
    stream.once('error', reject);
    stream.once('end', () => resolve(stream.sizeExceeded ? undefined : Buffer.concat(chunks)));
  });
}

export async function startInboundSmtp(options: { host: string; port: number; maxBytes: number; handlers: InboundMailHandler[]; log: Logger }): Promise<InboundSmtp> {
  const { handlers, maxBytes, log } = options;
  const server = new SMTPServer({
    banner: 'Comuni in Rete',
    size: maxBytes,
    rejectOversized: true,
    // Receiving only: no relay, no login. TLS is the job of the MTA in front (see docs).
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    maxClients: 50,
    socketTimeout: 60_000,
    closeTimeout: 2_000,
    onRcptTo(address, _session, callback) {
      handlerFor(handlers, address.address).then(
        (handler) => callback(handler ? undefined : smtpError(550, unknownRecipient(address.address).message)),
        (err) => {
          log.error({ err }, 'inbound mail: recipient check failed');
          callback(smtpError(451, '4.3.0 Errore temporaneo: riprovare più tardi'));
        },
      );
    },
    onData(stream, session: SMTPServerSession, callback) {
      readMessage(stream, maxBytes)
        .then(async (raw) => {
          if (!raw) return callback(smtpError(552, tooBig(maxBytes).message));
          await deliverInbound(handlers, {
            raw,
            mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : null,
            rcptTo: session.envelope.rcptTo.map((r) => r.address),
            remoteAddress: session.remoteAddress,
          });
          callback(null, '2.0.0 Messaggio ricevuto');
        })
        .catch((err: unknown) => {
          if (err instanceof InboundRefusal) return callback(smtpError(err.responseCode, err.message));
          log.error({ err }, 'inbound mail: delivery failed, the sender will retry');
          callback(smtpError(451, '4.3.0 Errore temporaneo: riprovare più tardi'));
        });
    },
  });
  server.on('error', (err) => log.warn({ err }, 'inbound SMTP connection error'));
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.server.off('error', reject);
      resolve();
    });
  });
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  log.info({ port, host: options.host }, 'inbound SMTP listening');
  return {
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
