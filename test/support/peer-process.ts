// A test's protocol peer (SMTP, SMPP, App IO) runs in a process of its own, so that what the platform sends really
// crosses a socket. The peer script gets its options as one JSON argument and prints {"port": n} as its first
// stdout line once listening; any later lines belong to the caller (e.g. the SMPP peer's control replies).
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface, type Interface } from 'node:readline';

const root = path.resolve(import.meta.dirname, '..', '..');

export interface PeerProcess {
  child: ChildProcess;
  port: number;
  /** The peer's stdout after the port line. */
  lines: Interface;
}

/** Starts `script` (a .ts file beside this one) with `options`; resolves once it listens. */
export async function startPeerProcess(name: string, script: string, options: unknown): Promise<PeerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, script), JSON.stringify(options)], { cwd: root, stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the ${name} peer did not start within 20 s`)), 20_000);
      child.once('exit', (code) => reject(new Error(`the ${name} peer exited with code ${code}`)));
      lines.once('line', (line) => {
        clearTimeout(timer);
        resolve((JSON.parse(line) as { port: number }).port);
      });
    });
    return { child, port, lines };
  } catch (err) {
    child.kill();
    throw err;
  }
}

/** Ends the peer (stdin closed, SIGTERM) and waits for it to exit. */
export async function stopPeerProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.stdin?.end();
  child.kill('SIGTERM');
  await exited;
}
