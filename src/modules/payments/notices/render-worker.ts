// Worker thread of the notice render pool (render-pool.ts): renders one notice per message with noticePdf and
// answers with the PDF bytes (transferred, not copied) or with the error, which the pool hands to the caller.
import { parentPort } from 'node:worker_threads';
import { noticePdf } from './pdf.js';
import type { RenderReply, RenderRequest } from './render-pool.js';

const port = parentPort;
if (!port) throw new Error('render-worker.ts runs as a worker thread of the notice render pool');

port.on('message', (request: RenderRequest) => {
  noticePdf(request.view, request.config, request.ente, request.options).then(
    (pdf) => {
      // A Buffer may be a slice of a shared pool: transfer only a buffer that owns its memory, else copy it.
      const owned = pdf.buffer instanceof ArrayBuffer && pdf.byteOffset === 0 && pdf.byteLength === pdf.buffer.byteLength;
      const bytes = owned ? (pdf.buffer as ArrayBuffer) : new Uint8Array(pdf).buffer;
      port.postMessage({ id: request.id, bytes } satisfies RenderReply, [bytes]);
    },
    (err: unknown) => {
      const e = err instanceof Error ? err : new Error(String(err));
      port.postMessage({ id: request.id, error: { name: e.name, message: e.message, ...(e.stack ? { stack: e.stack } : {}) } } satisfies RenderReply);
    },
  );
});
