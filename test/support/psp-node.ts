// The pagoPA node as a real protocol peer for the tests: a separate process (psp-node-peer.ts) that sends SOAP
// requests to the platform over HTTP. Also: XSD validation of the platform's responses with xmllint against
// the official schemas in ../shared/specs/pagopa (paForNode.xsd for the body element, envelope.xsd for the
// SOAP envelope).
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcessByStdio } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import type { Command } from './psp-node-peer.js';

export type { Command, ReceiptParams } from './psp-node-peer.js';

const root = path.resolve(import.meta.dirname, '..', '..');
const specs = path.resolve(root, '..', 'shared', 'specs', 'pagopa');
export const PA_FOR_NODE_XSD = path.join(specs, 'wsdl', 'xsd', 'paForNode.xsd');
export const ENVELOPE_XSD = path.join(specs, 'xsd-common', 'envelope.xsd');

export interface NodeResult {
  status: number;
  body: string;
  ms: number;
  request: string;
}

export class PspNode {
  private next = 1;
  private readonly waiting = new Map<number, (value: { results?: NodeResult[]; error?: string }) => void>();

  private constructor(private readonly child: ChildProcessByStdio<import("node:stream").Writable, import("node:stream").Readable, null>) {
    createInterface({ input: child.stdout }).on('line', (line) => {
      const message = JSON.parse(line) as { id: number; results?: NodeResult[]; error?: string };
      this.waiting.get(message.id)?.(message);
      this.waiting.delete(message.id);
    });
  }

  static start(platformUrl: string): PspNode {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'psp-node-peer.ts'), platformUrl], { cwd: root, stdio: ['pipe', 'pipe', 'inherit'] });
    return new PspNode(child);
  }

  /** Sends `command` `times` times at once; the results in order. */
  async many(command: Command, times: number): Promise<NodeResult[]> {
    const id = this.next++;
    const answer = await new Promise<{ results?: NodeResult[]; error?: string }>((resolve) => {
      this.waiting.set(id, resolve);
      this.child.stdin.write(`${JSON.stringify({ ...command, id, times })}\n`);
    });
    if (answer.error) throw new Error(`psp node: ${answer.error}`);
    return answer.results!;
  }

  async send(command: Command): Promise<NodeResult> {
    return (await this.many(command, 1))[0]!;
  }

  async close(): Promise<void> {
    this.child.stdin.end();
    if (this.child.exitCode === null) await new Promise((resolve) => this.child.once('exit', resolve));
  }
}

const run = promisify(execFile);

/** The response element inside the SOAP Body as a document of its own, with the envelope's namespace declarations. */
export function bodyElement(envelopeXml: string): string {
  const envelopeTag = envelopeXml.match(/<([A-Za-z_][\w.-]*:)?Envelope\b[^>]*>/)?.[0] ?? '';
  const declarations = [...envelopeTag.matchAll(/\sxmlns(:[\w.-]+)?="[^"]*"/g)].map((m) => m[0]);
  const inner = envelopeXml.match(/<(?:[\w.-]+:)?Body\b[^>]*>([\s\S]*)<\/(?:[\w.-]+:)?Body>/)?.[1]?.trim() ?? '';
  assert.ok(inner, 'no SOAP Body content');
  return inner.replace(/^<([\w.:-]+)/, (start) => `${start}${declarations.join('')}`);
}

async function xmllint(schema: string, xml: string): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cir-xsd-'));
  const file = path.join(dir, 'doc.xml');
  fs.writeFileSync(file, xml);
  try {
    await run('xmllint', ['--noout', '--nonet', '--schema', schema, file]);
  } catch (err) {
    const e = err as { stderr?: string };
    assert.fail(`not valid against ${path.basename(schema)}:\n${e.stderr}\n${xml.slice(0, 2000)}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Asserts a SOAP message (e.g. a SOAP Fault, which has no paForNode element) validates against envelope.xsd. */
export const assertValidEnvelope = (envelopeXml: string) => xmllint(ENVELOPE_XSD, envelopeXml);

/** Asserts the SOAP response validates: the envelope (envelope.xsd) and its body element (paForNode.xsd). */
export async function assertValidResponse(envelopeXml: string): Promise<void> {
  await xmllint(ENVELOPE_XSD, envelopeXml);
  await xmllint(PA_FOR_NODE_XSD, bodyElement(envelopeXml));
}

/** The text of the first element named `name` (any prefix) in `xml`. */
export function xmlText(xml: string, name: string): string | undefined {
  const m = xml.match(new RegExp(`<(?:[\\w.-]+:)?${name}>([^<]*)</(?:[\\w.-]+:)?${name}>`));
  return m?.[1];
}
