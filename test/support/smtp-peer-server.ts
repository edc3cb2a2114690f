// The SMTP peer's own process (started by smtp-peer.ts): an SMTP server (the smtp-server library) on a free
// local port that stores every accepted message as NNNNN.eml (+ NNNNN.json with the envelope) in a folder.
// It can misbehave on purpose: answer 451 to the first messages, drop the connection after the data of the
// first messages (the client cannot know whether it was accepted), refuse some recipients with 550.
// Prints {"port": N} on stdout once listening; exits when its stdin closes (the test process ended).
import fs from 'node:fs';
import path from 'node:path';
import type { Socket } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface PeerProcessOptions {
  dir: string;
  /** The first N messages (after the drops) get 451 at the end of DATA. */
  fail451First: number;
  /** The first N messages: the connection is cut after their data, without an answer. */
  dropFirst: number;
  /** Recipients refused with 550 at RCPT TO (lower case). */
  rejectRecipients: string[];
}

const options = JSON.parse(process.argv[2] ?? '{}') as PeerProcessOptions;
let messagesSeen = 0;
let stored = 0;
const sockets = new Map<number, Socket>();

function store(raw: Buffer, envelope: { mailFrom: string | null; rcptTo: string[] }): string {
  const name = String(++stored).padStart(5, '0');
  fs.writeFileSync(path.join(options.dir, `${name}.json`), JSON.stringify({ ...envelope, receivedAt: new Date().toISOString() }));
  // Written under another name first, so a reader never sees half a message.
  fs.writeFileSync(path.join(options.dir, `${name}.eml.part`), raw);
  fs.renameSync(path.join(options.dir, `${name}.eml.part`), path.join(options.dir, `${name}.eml`));
  return name;
}

const server = new SMTPServer({
  logger: false,
  authOptional: true,
  disabledCommands: ['STARTTLS', 'AUTH'],
  banner: 'smtp-peer di prova',
  // Loopback only: no reason to ask DNS who 127.0.0.1 is (and wait for it on a machine without a resolver).
  disableReverseLookup: true,
  onRcptTo(address, _session, callback) {
    if (options.rejectRecipients.includes(address.address.toLowerCase())) {
      return callback(Object.assign(new Error(`Destinatario <${address.address}> sconosciuto`), { responseCode: 550 }));
    }
    return callback();
  },
  onData(stream, session, callback) {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => {
      const n = messagesSeen++;
      if (n < options.dropFirst) {
        sockets.get(session.remotePort)?.destroy();
        return;
      }
      if (n < options.dropFirst + options.fail451First) {
        return callback(Object.assign(new Error('Servizio temporaneamente non disponibile, riprovare'), { responseCode: 451 }));
      }
      const mailFrom = session.envelope.mailFrom ? session.envelope.mailFrom.address : null;
      const name = store(Buffer.concat(chunks), { mailFrom, rcptTo: session.envelope.rcptTo.map((r) => r.address) });
      return callback(null, `Ok: queued as ${name}`);
    });
  },
});

// A client that vanishes mid-transaction (a platform killed with SIGKILL) resets its socket; smtp-server reports
// that as an 'error' event, which would end this process if nobody listened. A real MTA carries on serving others.
server.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code !== 'ECONNRESET' && err.code !== 'EPIPE') process.stderr.write(`smtp-peer: ${err.message}\n`);
});

server.server.on('connection', (socket: Socket) => {
  const port = socket.remotePort;
  if (port === undefined) return;
  sockets.set(port, socket);
  socket.on('close', () => sockets.delete(port));
});

server.listen(0, '127.0.0.1', () => {
  const address = server.server.address();
  process.stdout.write(`${JSON.stringify({ port: typeof address === 'object' && address ? address.port : 0 })}\n`);
});

const exit = () => server.close(() => process.exit(0));
process.on('SIGTERM', exit);
process.stdin.on('end', exit);
process.stdin.resume();
