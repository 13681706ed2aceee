import { parentPort } from 'node:worker_threads';
import { isHilumError } from './errors.js';
import type { WorkerReply, WorkerRequest } from './worker-pool.js';

/** Serves requests from a WorkerPool with the given handlers (call once, in the worker entry module). */
export function serveWorker(handlers: Record<string, (payload: never) => unknown>): void {
  if (!parentPort) throw new Error('serveWorker must run inside a worker thread');
  const port = parentPort;
  port.on('message', async (request: WorkerRequest) => {
    let reply: WorkerReply;
    try {
      const handler = handlers[request.kind];
      if (!handler) throw new Error(`unknown worker task '${request.kind}'`);
      reply = { id: request.id, ok: true, result: await handler(request.payload as never) };
    } catch (error) {
      reply = {
        id: request.id,
        ok: false,
        error: isHilumError(error)
          ? { ...error.toJSON(), hilum: true }
          : {
              code: 'INTERNAL_ERROR',
              message: error instanceof Error ? error.message : String(error),
              hilum: false,
              stack: error instanceof Error ? error.stack : undefined,
            },
      };
    }
    port.postMessage(reply);
  });
}
