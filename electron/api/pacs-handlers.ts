/**
 * The API's PACS handlers (docs/pacs.md): test a node, find studies and series, retrieve a CT series
 * into the engine's managed PACS folder, and send the DICOM objects a prediction staged, each
 * answer recorded in the case store's audit log. The node travels with each request: the UI keeps
 * the configured nodes in its settings.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { HilumError } from '../engine/core/errors.js';
import { echoPacs } from '../engine/pacs/echo.js';
import { findSeries, findStudies } from '../engine/pacs/find.js';
import { type RetrieveOptions, type RetrieveResult, retrieveCtSeries } from '../engine/pacs/retrieve.js';
import { sendAndRecord } from '../engine/pacs/send-record.js';
import type * as store from '../engine/store/index.js';
import type { ApiParams } from './contract.js';
import { type HandlerResult, errorPayload } from './dispatch.js';

type RetrieveStatus = HandlerResult<'pacs.retrieveStatus'>;

function retrieved(r: RetrieveResult): HandlerResult<'pacs.retrieve'> {
  return { folder: r.folder, series: r.series, instances: r.files.length, bytes: r.bytes, seconds: r.seconds };
}

/** One retrieve running in the background: its progress, its end, and the A-ABORT that cancels it. */
class RetrieveJob {
  readonly id = randomUUID();
  private readonly controller = new AbortController();
  private state: RetrieveStatus = { jobId: this.id, state: 'running', received: 0, expected: null, bytes: 0, result: null, error: null };
  readonly ended: Promise<void>;

  constructor(run: (options: RetrieveOptions) => Promise<RetrieveResult>) {
    this.ended = run({
      signal: this.controller.signal,
      onProgress: (p) => {
        this.state = { ...this.state, received: p.received, expected: p.total, bytes: p.bytes };
      },
    }).then(
      (r) => {
        this.state = { ...this.state, state: 'done', received: r.files.length, bytes: r.bytes, result: retrieved(r) };
      },
      (error: unknown) => {
        const e =
          error instanceof HilumError
            ? error
            : new HilumError({ code: 'PACS_RETRIEVE_INCOMPLETE', message: error instanceof Error ? error.message : String(error) });
        this.state = { ...this.state, state: e.code === 'PACS_CANCELLED' ? 'cancelled' : 'failed', error: errorPayload(e) };
      },
    );
  }

  status(): RetrieveStatus {
    return { ...this.state };
  }

  running(): boolean {
    return this.state.state === 'running';
  }

  /** Sends the A-ABORT and waits until the retrieve has stopped and removed its partial folder. */
  async cancel(): Promise<RetrieveStatus> {
    this.controller.abort();
    await this.ended;
    return this.status();
  }
}

/**
 * The background retrieves of one handler table (one window or connection). A finished one stays
 * readable until newer ones push it out; the table's dispose cancels those still running.
 */
export class PacsRetrieves {
  private readonly jobs = new Map<string, RetrieveJob>();
  private static readonly KEPT = 16;

  start(run: (options: RetrieveOptions) => Promise<RetrieveResult>): RetrieveJob {
    const running = [...this.jobs.values()].find((j) => j.running());
    if (running)
      throw new HilumError({
        code: 'PACS_RETRIEVE_RUNNING',
        message: 'a retrieve from the PACS is already running',
        hint: 'Wait for it to finish or cancel it first.',
        data: { jobId: running.id },
      });
    const job = new RetrieveJob(run);
    this.jobs.set(job.id, job);
    for (const [id, j] of this.jobs) {
      if (this.jobs.size <= PacsRetrieves.KEPT) break;
      if (!j.running()) this.jobs.delete(id);
    }
    return job;
  }

  get(jobId: string): RetrieveJob {
    const job = this.jobs.get(jobId);
    if (!job)
      throw new HilumError({
        code: 'PACS_JOB_UNKNOWN',
        message: 'no retrieve with this ID runs in this session',
        hint: 'Retrieve the series again.',
        data: { jobId },
      });
    return job;
  }

  async cancelAll(): Promise<void> {
    await Promise.all([...this.jobs.values()].filter((j) => j.running()).map((j) => j.cancel()));
  }
}

export interface PacsContext {
  /** Where retrieved series go: `<dataDir>/pacs/<SeriesInstanceUID>`. */
  pacsDir: string;
  /** The only folder whose files may be sent: where predict.run stages DICOM objects. */
  dicomDir: string;
  /** Runs a body on the case store (read-write). */
  withStore: <T>(body: (db: store.Db) => T) => T;
  /** Opens the store for an asynchronous body (the send awaits the PACS between its writes). */
  withStoreAsync: <T>(body: (db: store.Db) => Promise<T>) => Promise<T>;
  /** The table's background retrieves. */
  retrieves: PacsRetrieves;
}

/** A file inside `root` (after resolving links), else PATH_NOT_ALLOWED. */
function stagedFile(root: string, file: string): string {
  const refused = new HilumError({
    code: 'PATH_NOT_ALLOWED',
    message: 'only DICOM files that Hilum wrote into its own DICOM folder can be sent',
    hint: 'Send the DICOM objects of a prediction made in this app.',
    data: { file },
  });
  if (!existsSync(root)) throw refused;
  const candidate = path.resolve(root, file);
  if (!existsSync(candidate)) throw refused;
  const real = realpathSync(candidate);
  if (!real.startsWith(realpathSync(root) + path.sep) || !statSync(real).isFile() || !real.toLowerCase().endsWith('.dcm')) throw refused;
  return real;
}

export function pacsHandlers(ctx: PacsContext) {
  return {
    async 'pacs.echo'({ node }: ApiParams<'pacs.echo'>): Promise<HandlerResult<'pacs.echo'>> {
      return echoPacs(node);
    },

    async 'pacs.find'({ node, query }: ApiParams<'pacs.find'>): Promise<HandlerResult<'pacs.find'>> {
      return { studies: await findStudies(node, query) };
    },

    async 'pacs.series'({ node, studyInstanceUid }: ApiParams<'pacs.series'>): Promise<HandlerResult<'pacs.series'>> {
      return { series: await findSeries(node, studyInstanceUid) };
    },

    async 'pacs.retrieve'({ node, studyInstanceUid, seriesInstanceUid }: ApiParams<'pacs.retrieve'>): Promise<HandlerResult<'pacs.retrieve'>> {
      return retrieved(await retrieveCtSeries(node, { studyInstanceUid, ...(seriesInstanceUid ? { seriesInstanceUid } : {}) }, ctx.pacsDir));
    },

    async 'pacs.retrieveStart'({ node, studyInstanceUid, seriesInstanceUid }: ApiParams<'pacs.retrieveStart'>): Promise<HandlerResult<'pacs.retrieveStart'>> {
      const job = ctx.retrieves.start((options) =>
        retrieveCtSeries(node, { studyInstanceUid, ...(seriesInstanceUid ? { seriesInstanceUid } : {}) }, ctx.pacsDir, options),
      );
      return { jobId: job.id };
    },

    async 'pacs.retrieveStatus'({ jobId }: ApiParams<'pacs.retrieveStatus'>): Promise<HandlerResult<'pacs.retrieveStatus'>> {
      return ctx.retrieves.get(jobId).status();
    },

    async 'pacs.retrieveCancel'({ jobId }: ApiParams<'pacs.retrieveCancel'>): Promise<HandlerResult<'pacs.retrieveCancel'>> {
      return ctx.retrieves.get(jobId).cancel();
    },

    async 'pacs.send'({ node, files }: ApiParams<'pacs.send'>): Promise<HandlerResult<'pacs.send'>> {
      const sources = files.map((f) => stagedFile(ctx.dicomDir, f));
      const results = await ctx.withStoreAsync((db) => sendAndRecord(db, node, sources, 'hilum'));
      return {
        results: results.map((r) => ({
          file: r.file,
          sopInstanceUid: r.sopInstanceUid,
          sopClassUid: r.sopClassUid,
          status: r.status,
          stored: r.stored,
          attempts: r.attempts,
        })),
      };
    },
  };
}
