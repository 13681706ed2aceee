import { Worker, type WorkerOptions } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { HilumError, type HilumErrorInit } from './errors.js';

/** Message protocol between a pool and its workers. */
export interface WorkerRequest {
  id: number;
  kind: string;
  payload: unknown;
}
export type WorkerReply = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: HilumErrorInit & { hilum: boolean; stack?: string } };

interface Pending {
  request: WorkerRequest;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * A small fixed-size pool of worker threads running one entry module. Tasks queue and go to the
 * next idle worker. A worker that dies fails its task with a clear error and is replaced.
 * The entry is given as the URL of a module next to the caller; from TypeScript sources (tests)
 * the worker loads it through tsx, from the build it loads the compiled .js.
 */
export class WorkerPool {
  private readonly workers: Worker[] = [];
  private readonly idle: Worker[] = [];
  private readonly queue: Pending[] = [];
  private readonly running = new Map<Worker, Pending>();
  private nextId = 1;
  private closed = false;

  constructor(
    private readonly entry: URL,
    readonly size: number = defaultPoolSize(),
  ) {
    for (let i = 0; i < size; i++) this.spawn();
  }

  run<T>(kind: string, payload: unknown, transfer: ArrayBuffer[] = []): Promise<T> {
    if (this.closed) return Promise.reject(new Error('worker pool is closed'));
    return new Promise<T>((resolve, reject) => {
      const request: WorkerRequest = { id: this.nextId++, kind, payload };
      this.queue.push({ request, resolve: resolve as (v: unknown) => void, reject });
      this.transfers.set(request.id, transfer);
      this.dispatch();
    });
  }

  /** Rejects every task still waiting for a worker (running ones finish); for a cancelled batch. */
  dropQueued(reason: Error): void {
    for (const p of this.queue.splice(0)) {
      this.transfers.delete(p.request.id);
      p.reject(reason);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const p of this.queue.splice(0)) p.reject(new Error('worker pool closed'));
    await Promise.all(this.workers.map((w) => w.terminate()));
    this.workers.length = 0;
    this.idle.length = 0;
  }

  private readonly transfers = new Map<number, ArrayBuffer[]>();

  private spawn(): void {
    const worker = moduleWorker(this.entry);
    worker.unref();
    worker.on('message', (reply: WorkerReply) => this.onReply(worker, reply));
    worker.on('error', (error) => this.onWorkerDeath(worker, error));
    worker.on('exit', (code) => {
      if (!this.closed && code !== 0) this.onWorkerDeath(worker, new Error(`worker exited with code ${code}`));
    });
    this.workers.push(worker);
    this.idle.push(worker);
  }

  private dispatch(): void {
    while (this.idle.length && this.queue.length) {
      const worker = this.idle.pop() as Worker;
      const pending = this.queue.shift() as Pending;
      this.running.set(worker, pending);
      worker.ref();
      const transfer = this.transfers.get(pending.request.id) ?? [];
      this.transfers.delete(pending.request.id);
      worker.postMessage(pending.request, transfer);
    }
  }

  private onReply(worker: Worker, reply: WorkerReply): void {
    const pending = this.running.get(worker);
    if (!pending || pending.request.id !== reply.id) return;
    this.running.delete(worker);
    worker.unref();
    this.idle.push(worker);
    if (reply.ok) pending.resolve(reply.result);
    else {
      const { hilum, stack, ...init } = reply.error;
      const error = hilum ? new HilumError(init) : Object.assign(new Error(init.message), { stack });
      pending.reject(error);
    }
    this.dispatch();
  }

  private onWorkerDeath(worker: Worker, error: Error): void {
    if (this.closed || !this.workers.includes(worker)) return;
    const pending = this.running.get(worker);
    this.running.delete(worker);
    this.workers.splice(this.workers.indexOf(worker), 1);
    const idleAt = this.idle.indexOf(worker);
    if (idleAt >= 0) this.idle.splice(idleAt, 1);
    pending?.reject(new HilumError({ code: 'WORKER_FAILED', message: `a background worker failed: ${error.message}`, cause: error }));
    this.spawn();
    this.dispatch();
  }
}

/** A worker thread running one entry module (.js from the build, .ts through tsx from sources). */
export function moduleWorker(entry: URL, options: WorkerOptions = {}): Worker {
  return entry.pathname.endsWith('.ts') ? typeScriptWorker(entry, options) : new Worker(entry, options);
}

/**
 * Running from TypeScript sources (the test suite), a worker first registers tsx's ESM hooks and
 * then imports the entry. The build never takes this path.
 */
function typeScriptWorker(entry: URL, options: WorkerOptions): Worker {
  const tsxApi = pathToFileURL(
    createRequire(import.meta.url)
      .resolve('tsx/esm/api')
      .replace(/\.cjs$/, '.mjs'),
  ).href;
  const code = `import(${JSON.stringify(tsxApi)}).then((api) => { api.register(); return import(${JSON.stringify(entry.href)}); });`;
  return new Worker(code, { ...options, eval: true });
}

export function defaultPoolSize(): number {
  return Math.max(1, Math.min(availableParallelism(), 4));
}

/** The URL of a sibling module, with the extension of the running code (.ts from sources, .js from the build). */
export function siblingModule(importMetaUrl: string, baseName: string): URL {
  const ext = importMetaUrl.endsWith('.ts') ? '.ts' : '.js';
  return new URL(`./${baseName}${ext}`, importMetaUrl);
}
