// Sends e-mail to an SMTP server FROM A SEPARATE PROCESS, as another organisation's mail server would: the test
// process spawns this same file as a child (node smtp-send.ts --child), which delivers each message
// with nodemailer's SMTP client (it declares SIZE when the server advertises it) or with a hand-driven SMTP
// dialogue ('raw': bytes exactly as given, no SIZE declared, so limits must hold at end of DATA), and reports
// the SMTP outcome of each: accepted (250) or the refusal code.
import { spawn } from 'node:child_process';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import MailComposer from 'nodemailer/lib/mail-composer';

export interface SmtpTarget {
  host: string;
  port: number;
}

export interface OutgoingMail {
  /** Envelope sender (MAIL FROM); '' for the empty sender of a bounce. */
  from: string;
  /** Envelope recipients (RCPT TO). */
  to: string[];
  /** The message exactly as sent. */
  raw: Buffer | string;
  client?: 'nodemailer' | 'raw';
}

export interface SmtpOutcome {
  accepted: boolean;
  /** 250 when accepted, else the refusal code (550, 552, 451 …); 0 for a connection failure. */
  code: number;
  response: string;
  /** Recipients the server refused while accepting the message for the others. */
  rejected?: string[];
}

interface WireMail {
  from: string;
  to: string[];
  raw: string; // base64
  client: 'nodemailer' | 'raw';
}

const here = fileURLToPath(import.meta.url);

/** Sends the messages in order from one child process; one outcome per message. */
export async function smtpSendAll(target: SmtpTarget, mails: OutgoingMail[]): Promise<SmtpOutcome[]> {
  const wire: WireMail[] = mails.map((m) => ({ from: m.from, to: m.to, raw: Buffer.from(m.raw).toString('base64'), client: m.client ?? 'nodemailer' }));
  // Node 24 runs this TypeScript file directly (type stripping): a faster start than through tsx.
  const child = spawn(process.execPath, [here, '--child'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  child.stdin.end(JSON.stringify({ target, mails: wire }));
  const code: number = await new Promise((resolve) => child.on('close', (c) => resolve(c ?? 1)));
  if (code !== 0) throw new Error(`smtp-send child exited with ${code}: ${err.slice(0, 2000)}`);
  return JSON.parse(out) as SmtpOutcome[];
}

export async function smtpSend(target: SmtpTarget, mail: OutgoingMail): Promise<SmtpOutcome> {
  return (await smtpSendAll(target, [mail]))[0]!;
}

/** Builds a well-formed message with nodemailer's composer (used by tests; sending is the child's job). */
export function composeMail(options: ConstructorParameters<typeof MailComposer>[0]): Promise<Buffer> {
  return new MailComposer(options).compile().build();
}

// ------------------------------------------------------------------------------------------ the child

async function sendWithNodemailer(target: SmtpTarget, mail: WireMail): Promise<SmtpOutcome> {
  const { createTransport } = await import('nodemailer');
  const transport = createTransport({ host: target.host, port: target.port, secure: false, ignoreTLS: true, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 });
  try {
    const info = await transport.sendMail({ envelope: { from: mail.from, to: mail.to }, raw: Buffer.from(mail.raw, 'base64') });
    return { accepted: true, code: Number(/^(\d{3})/.exec(info.response)?.[1] ?? 250), response: info.response, rejected: info.rejected.map(String) };
  } catch (error) {
    const e = error as { responseCode?: number; response?: string; message: string };
    return { accepted: false, code: e.responseCode ?? 0, response: e.response ?? e.message };
  } finally {
    transport.close();
  }
}

/** A plain SMTP dialogue over a socket: EHLO, MAIL, RCPT…, DATA (dot-stuffed), QUIT. */
async function sendRaw(target: SmtpTarget, mail: WireMail): Promise<SmtpOutcome> {
  const socket = net.connect(target.port, target.host);
  let buffer = '';
  const waiting: ((line: string) => void)[] = [];
  socket.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('latin1');
    let end: number;
    while ((end = buffer.indexOf('\r\n')) >= 0) {
      const line = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      // Multi-line replies ('250-…') end with the line that has a space after the code.
      if (/^\d{3} /.test(line) || /^\d{3}$/.test(line)) waiting.shift()?.(line);
    }
  });
  const failed = new Promise<never>((_, reject) => socket.once('error', reject));
  const reply = () => Promise.race([new Promise<string>((resolve) => waiting.push(resolve)), failed]);
  const command = async (text: string) => {
    const next = reply();
    socket.write(`${text}\r\n`);
    return next;
  };
  const outcome = (line: string): SmtpOutcome => ({ accepted: line.startsWith('250'), code: Number(line.slice(0, 3)), response: line });
  try {
    const greeting = await reply();
    if (!greeting.startsWith('220')) return outcome(greeting);
    await command('EHLO sender.example');
    let line = await command(`MAIL FROM:<${mail.from}>`);
    if (!line.startsWith('250')) return outcome(line);
    for (const to of mail.to) {
      line = await command(`RCPT TO:<${to}>`);
      if (!line.startsWith('250')) return outcome(line);
    }
    line = await command('DATA');
    if (!line.startsWith('354')) return outcome(line);
    const body = Buffer.from(mail.raw, 'base64').toString('latin1').replace(/\r?\n/g, '\r\n').replace(/^\./gm, '..');
    const done = reply();
    socket.write(body.endsWith('\r\n') ? body : `${body}\r\n`, 'latin1');
    socket.write('.\r\n');
    const result = outcome(await done);
    await command('QUIT').catch(() => undefined);
    return result;
  } catch (error) {
    return { accepted: false, code: 0, response: (error as Error).message };
  } finally {
    socket.destroy();
  }
}

async function child(): Promise<void> {
  let input = '';
  for await (const chunk of process.stdin) input += chunk;
  const { target, mails } = JSON.parse(input) as { target: SmtpTarget; mails: WireMail[] };
  const results: SmtpOutcome[] = [];
  for (const mail of mails) results.push(mail.client === 'raw' ? await sendRaw(target, mail) : await sendWithNodemailer(target, mail));
  process.stdout.write(JSON.stringify(results));
}

if (process.argv[1] === here && process.argv.includes('--child')) {
  child().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
