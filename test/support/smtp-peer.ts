// A real SMTP server for tests, in a separate process (smtp-peer-server.ts), so that what the platform sends
// really crosses a socket and an SMTP dialogue. The test side reads what it received, parsed with mailparser.
//
//   const peer = await startSmtpPeer({ fail451First: 2 });
//   … start the platform with SMTP_URL: peer.url …
//   const [mail] = await peer.waitFor((all) => all.length === 1);
//   await peer.stop();
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startPeerProcess, stopPeerProcess } from './peer-process.js';
import { simpleParser, type ParsedMail } from 'mailparser';
import type { PeerProcessOptions } from './smtp-peer-server.js';

export interface SmtpPeerOptions {
  /** Answer 451 (try again later) to the first N messages. */
  fail451First?: number;
  /** Cut the connection after the data of the first N messages, without answering. */
  dropFirst?: number;
  /** Refuse these recipients with 550. */
  rejectRecipients?: string[];
}

export interface ReceivedMail {
  /** Envelope sender and recipients (what the client said in MAIL FROM / RCPT TO). */
  mailFrom: string | null;
  rcptTo: string[];
  raw: string;
  parsed: ParsedMail;
  subject: string;
  text: string;
  messageId: string | undefined;
  inReplyTo: string | undefined;
  references: string[];
  /** A header field's raw value by name (any case). */
  header(name: string): string | undefined;
}

export interface SmtpPeer {
  /** smtp://127.0.0.1:port, for SMTP_URL. */
  url: string;
  port: number;
  /** Every message accepted so far, in the order received. */
  messages(): Promise<ReceivedMail[]>;
  /** Polls until `predicate` holds for the messages received (rejects after `timeoutMs`). */
  waitFor(predicate: (messages: ReceivedMail[]) => boolean, timeoutMs?: number): Promise<ReceivedMail[]>;
  stop(): Promise<void>;
}

async function parse(dir: string, name: string): Promise<ReceivedMail> {
  const raw = fs.readFileSync(path.join(dir, `${name}.eml`));
  const envelope = JSON.parse(fs.readFileSync(path.join(dir, `${name}.json`), 'utf8')) as { mailFrom: string | null; rcptTo: string[] };
  const parsed = await simpleParser(raw);
  const references = parsed.references === undefined ? [] : Array.isArray(parsed.references) ? parsed.references : [parsed.references];
  const header = (wanted: string) => {
    const line = parsed.headerLines.find((h) => h.key === wanted.toLowerCase());
    return line ? line.line.slice(line.line.indexOf(':') + 1).trim() : undefined;
  };
  return {
    mailFrom: envelope.mailFrom,
    rcptTo: envelope.rcptTo,
    raw: raw.toString('utf8'),
    parsed,
    subject: parsed.subject ?? '',
    text: parsed.text ?? '',
    messageId: parsed.messageId,
    inReplyTo: parsed.inReplyTo,
    references,
    header,
  };
}

export async function startSmtpPeer(options: SmtpPeerOptions = {}): Promise<SmtpPeer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cir-smtp-peer-'));
  const processOptions: PeerProcessOptions = {
    dir,
    fail451First: options.fail451First ?? 0,
    dropFirst: options.dropFirst ?? 0,
    rejectRecipients: (options.rejectRecipients ?? []).map((r) => r.toLowerCase()),
  };
  const { child, port } = await startPeerProcess('SMTP', 'smtp-peer-server.ts', processOptions);
  const cache = new Map<string, ReceivedMail>();
  const messages = async () => {
    const names = fs.readdirSync(dir).filter((f) => f.endsWith('.eml')).map((f) => f.slice(0, -4)).sort();
    for (const name of names) if (!cache.has(name)) cache.set(name, await parse(dir, name));
    return names.map((n) => cache.get(n)!);
  };
  return {
    url: `smtp://127.0.0.1:${port}`,
    port,
    messages,
    async waitFor(predicate, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const all = await messages();
        if (predicate(all)) return all;
        if (Date.now() > deadline) {
          const exited = child.exitCode !== null || child.signalCode !== null ? ` (the peer process has exited: ${child.exitCode ?? child.signalCode})` : '';
          throw new Error(`SMTP peer: condition not met within ${timeoutMs} ms${exited}; received ${all.length}: ${all.map((m) => `${m.rcptTo.join(',')} «${m.subject}»`).join('; ')}`);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async stop() {
      await stopPeerProcess(child);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
