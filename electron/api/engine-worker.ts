/**
 * The engine's own thread: the API's handler table and dispatcher running in a worker thread, so
 * that a long computation (a click-to-segment, a prediction with its report) never blocks the
 * process that serves the window. Log entries made while answering travel back with the answer.
 */
import { serveWorker } from '../engine/core/worker-host.js';
import type { ApiResponseMessage } from './contract.js';
import { type ApiLogEntry, type HandlerTable, dispatch } from './dispatch.js';
import { createHandlerTable } from './handlers.js';

export interface EngineWorkerContext {
  dataDir: string;
  dbFile: string;
  shell: 'electron' | 'browser';
  checkResponses?: boolean;
}

let table: HandlerTable | null = null;
/** The pool gives this worker one task at a time, so one list of entries serves the current task. */
let logs: ApiLogEntry[] = [];

serveWorker({
  init: (ctx: EngineWorkerContext) => {
    table = createHandlerTable({ ...ctx, log: (entry) => logs.push(entry) });
    return true;
  },
  dispatch: async (message: unknown): Promise<{ answer: ApiResponseMessage; logs: ApiLogEntry[] }> => {
    if (!table) throw new Error('the engine worker was not initialised');
    logs = [];
    const answer = await dispatch(table, message);
    return { answer, logs };
  },
});
