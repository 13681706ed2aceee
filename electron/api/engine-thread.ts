/**
 * The caller's side of the engine worker (engine-worker.ts): `dispatch(message)` validates and runs
 * an API request on the engine's thread and resolves to its answer, which may carry a binary
 * ArrayBuffer. Electron's main process uses it so the window never waits on the engine.
 */
import { siblingModule, WorkerPool } from '../engine/core/worker-pool.js';
import type { ApiResponseMessage } from './contract.js';
import type { ApiLogEntry } from './dispatch.js';
import type { EngineWorkerContext } from './engine-worker.js';

export class EngineThread {
  private readonly pool = new WorkerPool(siblingModule(import.meta.url, 'engine-worker'), 1);
  private readonly ready: Promise<unknown>;

  constructor(
    ctx: EngineWorkerContext,
    private readonly log: (entry: ApiLogEntry) => void,
  ) {
    this.ready = this.pool.run('init', ctx);
  }

  async dispatch(message: unknown): Promise<ApiResponseMessage> {
    await this.ready;
    const { answer, logs } = await this.pool.run<{ answer: ApiResponseMessage; logs: ApiLogEntry[] }>('dispatch', message);
    for (const entry of logs) this.log(entry);
    return answer;
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
