// The SMPP peer's own process (started by smpp-peer.ts): an SMSC on a free local port built on the `smpp`
// package's server side. It behaves like an aggregator's SMSC where it matters to the platform:
// - bind_transceiver/receiver/transmitter checked against system_id/password; enquire_link answered; unbind.
// - submit_sm: checks the PDU (destination digits with TON 1, short_message ≤ 140 octets, UDHI ⇔ a concatenation
//   UDH, data_coding 0 or 8), gives a message_id, stores the accepted part (submits.jsonl, one JSON per line).
// - delivery receipts (registered_delivery 1): a deliver_sm per accepted part, in the SMPP 3.4 Appendix B text
//   format plus the receipted_message_id / message_state TLVs. Receipts are kept per system_id until a bound
//   session acknowledges them: none bound (the ESME crashed) → delivered on the next bind; deliver_sm_resp with
//   an error (e.g. ESME_RX_T_APPN) or a connection lost → tried again later. Nothing is lost.
// - on purpose: ESME_RTHROTTLED / ESME_RMSGQFUL for the next N submits, ESME_RINVDSTADR for some numbers,
//   UNDELIV receipts for others, the connection cut right after the Nth submit_sm (after storing it, or without).
// Control: JSON lines on stdin {id, cmd, …} → JSON line on stdout {id, result}; the first stdout line is {port}.
// Exits when its stdin closes (the test process ended).
import fs from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import smpp, { type PDU, type Session } from 'smpp';

export interface SmppPeerBehaviour {
  /** Answer ESME_RTHROTTLED (0x58) to the next N submit_sm. */
  throttleNext: number;
  /** Answer ESME_RMSGQFUL (0x14) to the next N submit_sm. */
  queueFullNext: number;
  /** Cut the connection right after these submit_sm (1-based count since start), having accepted and stored them. */
  dropAfterAccepting: number[];
  /** Cut the connection on receiving these submit_sm, without accepting them. */
  dropWithoutAccepting: number[];
  /** Destinations (digits as sent) refused with ESME_RINVDSTADR. */
  rejectDestinations: string[];
  /** Destinations whose receipts say UNDELIV. */
  undeliverable: string[];
  /** Delay before a receipt is due, and between tries of one not acknowledged. */
  receiptDelayMs: number;
  receiptRetryMs: number;
}

export interface SmppPeerProcessOptions extends SmppPeerBehaviour {
  dir: string;
  systemId: string;
  password: string;
}

export interface StoredSubmit {
  n: number;
  id: string;
  systemId: string;
  source: string;
  sourceTon: number;
  dest: string;
  destTon: number;
  esmClass: number;
  dataCoding: number;
  registered: number;
  /** Concatenation header (IEI 0x00), when present. */
  concat: { ref: number; total: number; seq: number } | null;
  text: string;
  octets: number;
  at: string;
}

const options = JSON.parse(process.argv[2] ?? '{}') as SmppPeerProcessOptions;
const submitsFile = path.join(options.dir, 'submits.jsonl');
// Raw short_message bytes: the peer decodes them itself (the library's own GSM 03.38 table, UTF-16BE).
const rawFilter = { encode: (v: unknown) => v, decode: (v: unknown) => v };
smpp.commands.submit_sm!.params!.short_message!.filter = rawFilter;

interface Receipt {
  systemId: string;
  params: Record<string, unknown>;
  dueAt: number;
}
/** Receipts not yet acknowledged, oldest first; at most RECEIPT_WINDOW in flight on a session at a time. */
const receipts: Receipt[] = [];
const inFlight = new Map<Session, Set<Receipt>>();
const RECEIPT_WINDOW = 200;
const bound = new Map<Session, string>();
const stats = { binds: 0, bindFailures: 0, submits: 0, accepted: 0, throttled: 0, queueFull: 0, rejected: 0, dropped: 0, receiptsDelivered: 0, receiptsRetried: 0, enquireLinks: 0, unbinds: 0, mo: 0 };
let nextId = 0x10000;

const pad = (n: number) => String(n).padStart(2, '0');
const smppDate = (d: Date) => `${pad(d.getUTCFullYear() % 100)}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}`;

function decode(pdu: PDU): { concat: StoredSubmit['concat']; text: string; octets: number; error?: number } {
  const raw: Buffer = Buffer.isBuffer(pdu.short_message) ? pdu.short_message : Buffer.alloc(0);
  let body = raw;
  let concat: StoredSubmit['concat'] = null;
  if (pdu.esm_class & 0x40) {
    const udhl = raw[0] ?? 0;
    const udh = raw.subarray(1, 1 + udhl);
    body = raw.subarray(1 + udhl);
    for (let i = 0; i + 1 < udh.length; i += 2 + udh[i + 1]!) {
      if (udh[i] === 0x00 && udh[i + 1] === 3) concat = { ref: udh[i + 2]!, total: udh[i + 3]!, seq: udh[i + 4]! };
    }
    if (!concat) return { concat, text: '', octets: raw.length, error: smpp.errors.ESME_RINVESMCLASS ?? 0x43 };
  }
  let text: string;
  if (pdu.data_coding === 0) {
    // Unpacked septets, one per octet: 160 alone, 153 after a 6-octet UDH (the 7-bit packing on the air).
    if (body.some((b) => b > 0x7f)) return { concat, text: '', octets: raw.length, error: smpp.errors.ESME_RINVMSGLEN ?? 1 };
    if (body.length > (concat ? 153 : 160)) return { concat, text: '', octets: raw.length, error: smpp.errors.ESME_RINVMSGLEN ?? 1 };
    text = smpp.gsmCoder.decode(body, 0);
  } else if (pdu.data_coding === 8) {
    if (raw.length > 140 || body.length % 2 !== 0) return { concat, text: '', octets: raw.length, error: smpp.errors.ESME_RINVMSGLEN ?? 1 };
    text = Buffer.from(body).swap16().toString('utf16le');
  } else {
    return { concat, text: '', octets: raw.length, error: 0x0104 /* ESME_RINVDCS (3.4: reserved range, used by SMSCs) */ };
  }
  return { concat, text, octets: raw.length };
}

function queueReceipt(systemId: string, stored: StoredSubmit): void {
  const failed = options.undeliverable.includes(stored.dest);
  const now = new Date();
  const text =
    `id:${stored.id} sub:001 dlvr:${failed ? '000' : '001'} submit date:${smppDate(now)} done date:${smppDate(now)} ` +
    `stat:${failed ? 'UNDELIV' : 'DELIVRD'} err:${failed ? '001' : '000'} text:${stored.text.slice(0, 20)}`;
  receipts.push({
    systemId,
    dueAt: Date.now() + options.receiptDelayMs,
    params: {
      source_addr_ton: stored.destTon,
      source_addr_npi: 1,
      source_addr: stored.dest,
      dest_addr_ton: stored.sourceTon,
      dest_addr_npi: stored.sourceTon === 5 ? 0 : 1,
      destination_addr: stored.source,
      esm_class: 0x04,
      data_coding: 0,
      short_message: text,
      receipted_message_id: stored.id,
      message_state: failed ? 5 : 2,
    },
  });
}

function retry(receipt: Receipt): void {
  receipt.dueAt = Date.now() + options.receiptRetryMs;
  receipts.push(receipt);
  stats.receiptsRetried++;
}

function pumpReceipts(): void {
  const now = Date.now();
  for (const [session, systemId] of bound) {
    const flying = inFlight.get(session) ?? new Set<Receipt>();
    inFlight.set(session, flying);
    let skipped = 0;
    while (flying.size < RECEIPT_WINDOW && skipped < receipts.length) {
      const receipt = receipts[skipped]!;
      if (receipt.dueAt > now) break;
      if (receipt.systemId !== systemId) {
        skipped++;
        continue;
      }
      receipts.splice(skipped, 1);
      flying.add(receipt);
      const sent = session.send(new smpp.PDU('deliver_sm', receipt.params), (resp) => {
        if (!flying.delete(receipt)) return;
        if (resp.command_status !== 0) retry(receipt);
        else stats.receiptsDelivered++;
      });
      if (!sent) {
        flying.delete(receipt);
        retry(receipt);
        break;
      }
    }
  }
}
/** A session gone with receipts unanswered: they are tried again (on this or the next bind). */
function releaseReceipts(session: Session): void {
  for (const receipt of inFlight.get(session) ?? []) retry(receipt);
  inFlight.delete(session);
}
setInterval(pumpReceipts, 20).unref();

function onSubmit(session: Session, systemId: string, pdu: PDU): void {
  const n = ++stats.submits;
  if (options.dropWithoutAccepting.includes(n)) {
    stats.dropped++;
    session.destroy();
    return;
  }
  const answer = (status: number, id?: string) => session.send(pdu.response(status ? { command_status: status } : { message_id: id }));
  if (options.throttleNext > 0) {
    options.throttleNext--;
    stats.throttled++;
    return void answer(smpp.errors.ESME_RTHROTTLED ?? 0x58);
  }
  if (options.queueFullNext > 0) {
    options.queueFullNext--;
    stats.queueFull++;
    return void answer(smpp.errors.ESME_RMSGQFUL ?? 0x14);
  }
  const dest = String(pdu.destination_addr ?? '');
  if (!/^\d{8,15}$/.test(dest) || pdu.dest_addr_ton !== 1 || options.rejectDestinations.includes(dest)) {
    stats.rejected++;
    return void answer(smpp.errors.ESME_RINVDSTADR ?? 0x0b);
  }
  const source = String(pdu.source_addr ?? '');
  if (source === '' || (pdu.source_addr_ton === 5 && source.length > 11)) {
    stats.rejected++;
    return void answer(smpp.errors.ESME_RINVSRCADR ?? 0x0a);
  }
  const decoded = decode(pdu);
  if (decoded.error) {
    stats.rejected++;
    return void answer(decoded.error);
  }
  const id = (nextId++).toString(16).toUpperCase();
  const stored: StoredSubmit = {
    n, id, systemId, source, sourceTon: pdu.source_addr_ton, dest, destTon: pdu.dest_addr_ton, esmClass: pdu.esm_class, dataCoding: pdu.data_coding,
    registered: pdu.registered_delivery, concat: decoded.concat, text: decoded.text, octets: decoded.octets, at: new Date().toISOString(),
  };
  fs.appendFileSync(submitsFile, `${JSON.stringify(stored)}\n`);
  stats.accepted++;
  if (pdu.registered_delivery & 0x03) queueReceipt(systemId, stored);
  if (options.dropAfterAccepting.includes(n)) {
    // Accepted and stored, but the response never leaves: the ESME cannot know.
    stats.dropped++;
    session.destroy();
    return;
  }
  answer(0, id);
}

const server = smpp.createServer({}, (session) => {
  session.on('error', () => undefined);
  session.on('close', () => {
    bound.delete(session);
    releaseReceipts(session);
  });
  const bind = (pdu: PDU) => {
    if (bound.has(session)) return void session.send(pdu.response({ command_status: smpp.errors.ESME_RALYBND ?? 5 }));
    if (pdu.system_id !== options.systemId || pdu.password !== options.password) {
      stats.bindFailures++;
      session.send(pdu.response({ command_status: smpp.errors.ESME_RINVPASWD ?? 0x0e }));
      return;
    }
    stats.binds++;
    session.send(pdu.response({ system_id: 'smpp-peer' }));
    if (pdu.command !== 'bind_transmitter') bound.set(session, options.systemId);
  };
  session.on('bind_transceiver', bind);
  session.on('bind_receiver', bind);
  session.on('bind_transmitter', bind);
  session.on('enquire_link', (pdu: PDU) => {
    stats.enquireLinks++;
    session.send(pdu.response());
  });
  session.on('unbind', (pdu: PDU) => {
    stats.unbinds++;
    bound.delete(session);
    releaseReceipts(session);
    session.send(pdu.response(), () => session.close());
  });
  session.on('submit_sm', (pdu: PDU) => {
    const systemId = bound.get(session);
    if (!systemId) return void session.send(pdu.response({ command_status: smpp.errors.ESME_RINVBNDSTS ?? 4 }));
    onSubmit(session, systemId, pdu);
  });
  session.on('deliver_sm_resp', () => undefined);
});

async function control(message: { cmd: string; [k: string]: any }): Promise<unknown> {
  switch (message.cmd) {
    case 'stats':
      return { ...stats, boundSessions: bound.size, receiptsPending: receipts.length + [...inFlight.values()].reduce((n, s) => n + s.size, 0) };
    case 'set':
      Object.assign(options, message.behaviour);
      return true;
    case 'drop':
      for (const session of [...bound.keys()]) session.destroy();
      return true;
    case 'mo': {
      // A citizen's SMS to the two-way number: deliver_sm (esm_class 0) to a bound session; answers its status.
      const session = [...bound.keys()][0];
      if (!session) return { status: -1 };
      stats.mo++;
      return new Promise((resolve) => {
        session.send(
          new smpp.PDU('deliver_sm', { source_addr_ton: 1, source_addr_npi: 1, source_addr: message.from, dest_addr_ton: 1, dest_addr_npi: 1, destination_addr: message.to, esm_class: 0, data_coding: 0, short_message: message.text }),
          (resp) => resolve({ status: resp.command_status }),
        );
      });
    }
    default:
      throw new Error(`unknown command ${message.cmd}`);
  }
}

createInterface({ input: process.stdin }).on('line', (line) => {
  const message = JSON.parse(line) as { id: number; cmd: string };
  control(message).then(
    (result) => process.stdout.write(`${JSON.stringify({ id: message.id, result })}\n`),
    (err: Error) => process.stdout.write(`${JSON.stringify({ id: message.id, error: err.message })}\n`),
  );
});

server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`${JSON.stringify({ port: typeof address === 'object' && address ? address.port : 0 })}\n`);
});
process.stdin.on('end', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));
