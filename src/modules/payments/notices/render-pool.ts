// A small pool of worker threads that render notice PDFs (noticePdf) off the main event loop, for bulk runs.
// A notice is mostly CPU (the Data Matrix and QR encoders, pdfkit's layout and deflate): on the web server's
// own thread a roll of 100,000 would starve the HTTP requests, and it would use one core only.
//
// Input and output are plain data (structured clone of the position view; the PDF bytes come back as a
// transferred ArrayBuffer), and noticePdf is deterministic, so a notice rendered here is byte for byte the one
// the main thread would render.
//
// Lifecycle: workers start on first use, up to `size`. An idle worker is unref'd, so it never keeps the process
// alive (a platform that stops, a test file that ends, exit as if the pool were not there); all of them are
// terminated after `idleMs` without work, and close() ends them at once. A worker that dies (an uncaught error,
// out of memory) fails the notice it held with that error and is replaced on the next task.
//
// The worker is a .ts file: under tsx (npm start, npm test, npm run bench) worker threads inherit the parent's
// execArgv, which carries tsx's loader (`--import …/tsx/dist/loader.mjs`); when the parent was started without
// it (tsx registered through its API), the pool gives the worker tsx's loader itself.
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import type { PositionView } from '../service.js';
import type { NoticeConfig, NoticeOptions } from './pdf.js';

export interface RenderInput {
  view: PositionView;
  config: NoticeConfig;
  ente: { name: string };
  options: NoticeOptions;
}

/** Messages between the pool and render-worker.ts. */
export interface RenderRequest extends RenderInput {
  id: number;
}
export type RenderReply = { id: number; bytes: ArrayBuffer } | { id: number; error: { name: string; message: string; stack?: string } };

export interface RenderPoolOptions {
  /** Worker threads (default: NOTICES_RENDER_WORKERS, else min(4, available parallelism)). */
  size?: number;
  /** Terminate the workers after this long without work (default 30 s). */
  idleMs?: number;
}

interface Task {
  id: number;
  input: RenderInput;
  resolve: (bytes: Buffer) => void;
  reject: (err: Error) => void;
}

interface Slot {
  worker: Worker;
  task: Task | null;
}

const WORKER_URL = new URL(`./render-worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url);

/** The default pool size: NOTICES_RENDER_WORKERS when set (0 renders on the main thread), else min(4, cores). */
export function defaultRenderWorkers(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.NOTICES_RENDER_WORKERS;
  if (raw !== undefined && raw !== '') {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 0 || n > 64) throw new Error(`NOTICES_RENDER_WORKERS must be a whole number from 0 to 64, got "${raw}"`);
    return n;
  }
  return Math.min(4, os.availableParallelism());
}

/**
 * Worker options: by default a worker inherits the parent's options (passing process.execArgv explicitly fails
 * under node --test, whose children list process-wide flags a worker refuses); only when the worker is
 * TypeScript and the parent has no tsx loader is tsx's loader given.
 */
function workerOptions(): { execArgv?: string[] } {
  const needsTsx = WORKER_URL.pathname.endsWith('.ts') && !process.execArgv.some((a) => /\btsx\b/.test(a));
  return needsTsx ? { execArgv: ['--import', import.meta.resolve('tsx')] } : {};
}

function reviveError(error: { name: string; message: string; stack?: string }): Error {
  const err = new Error(error.message);
  err.name = error.name;
  if (error.stack) err.stack = error.stack;
  return err;
}

export class RenderPool {
  readonly size: number;
  private readonly idleMs: number;
  private readonly slots: Slot[] = [];
  private readonly queue: Task[] = [];
  private nextId = 1;
  private idleTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(options: RenderPoolOptions = {}) {
    this.size = options.size ?? defaultRenderWorkers();
    if (!Number.isInteger(this.size) || this.size < 1) throw new Error(`render pool size must be at least 1, got ${this.size}`);
    this.idleMs = options.idleMs ?? 30_000;
  }

  /** Workers running now (0 before the first task and after an idle period). */
  get running(): number {
    return this.slots.length;
  }

  /** The notice as PDF bytes, rendered by a worker; rejects with the worker's error. */
  render(input: RenderInput): Promise<Buffer> {
    if (this.closed) return Promise.reject(new Error('notice render pool is closed'));
    return new Promise<Buffer>((resolve, reject) => {
      this.queue.push({ id: this.nextId++, input, resolve, reject });
      this.pump();
    });
  }

  /** Terminates the workers; tasks not finished are rejected. The pool cannot be used afterwards. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.idleTimer);
    const error = new Error('notice render pool is closed');
    for (const task of this.queue.splice(0)) task.reject(error);
    await this.terminateAll(error);
  }

  private async terminateAll(error: Error): Promise<void> {
    const slots = this.slots.splice(0);
    for (const slot of slots) {
      slot.task?.reject(error);
      slot.task = null;
    }
    await Promise.all(slots.map((s) => s.worker.terminate().catch(() => undefined)));
  }

  private pump(): void {
    clearTimeout(this.idleTimer);
    while (this.queue.length > 0) {
      let slot = this.slots.find((s) => s.task === null);
      if (!slot && this.slots.length < this.size) {
        try {
          slot = this.spawn();
        } catch (err) {
          // No thread could start (bad options, out of resources): the notice fails with the reason.
          this.queue.shift()!.reject(err instanceof Error ? err : new Error(String(err)));
          continue;
        }
      }
      if (!slot) break;
      const task = this.queue.shift()!;
      slot.task = task;
      slot.worker.ref(); // a worker with work keeps the process alive until it answers
      slot.worker.postMessage({ id: task.id, ...task.input } satisfies RenderRequest);
    }
    if (this.queue.length === 0 && this.slots.length > 0 && this.slots.every((s) => s.task === null)) {
      this.idleTimer = setTimeout(() => void this.terminateAll(new Error('notice render pool went idle')), this.idleMs);
      this.idleTimer.unref();
    }
  }

  private spawn(): Slot {
    const worker = new Worker(WORKER_URL, workerOptions());
    worker.unref();
    const slot: Slot = { worker, task: null };
    this.slots.push(slot);
    worker.on('message', (reply: RenderReply) => {
      const task = slot.task;
      if (!task || task.id !== reply.id) return;
      slot.task = null;
      worker.unref();
      if ('error' in reply) task.reject(reviveError(reply.error));
      else task.resolve(Buffer.from(reply.bytes));
      this.pump();
    });
    const gone = (err: Error) => {
      const index = this.slots.indexOf(slot);
      if (index < 0) return; // already removed (terminated by the pool)
      this.slots.splice(index, 1);
      const task = slot.task;
      slot.task = null;
      task?.reject(err);
      void worker.terminate().catch(() => undefined);
      if (!this.closed) this.pump();
    };
    worker.on('error', (err) => gone(err instanceof Error ? err : new Error(String(err))));
    worker.on('exit', (code) => gone(new Error(`notice render worker exited with code ${code}`)));
    return slot;
  }
}

let shared: RenderPool | null | undefined;

/**
 * The process's pool (created on first use), or null when NOTICES_RENDER_WORKERS=0: then notices render on the
 * calling thread. The pool needs no shutdown: idle workers never hold the process (see above).
 */
export function sharedRenderPool(): RenderPool | null {
  if (shared === undefined) {
    const size = defaultRenderWorkers();
    shared = size > 0 ? new RenderPool({ size }) : null;
  }
  return shared;
}

/** Terminates the shared pool's workers now (e.g. on shutdown); a later sharedRenderPool() starts a new one. */
export async function closeSharedRenderPool(): Promise<void> {
  const pool = shared;
  shared = undefined;
  await pool?.close();
}
