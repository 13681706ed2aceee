/**
 * The API's PACS handlers (docs/pacs.md): test a node, find studies and series, retrieve a CT series
 * into the engine's managed PACS folder, and send the DICOM objects a prediction staged, each
 * answer recorded in the case store's audit log. The node travels with each request: the UI keeps
 * the configured nodes in its settings.
 */
import { existsSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { HilumError } from '../engine/core/errors.js';
import { echoPacs } from '../engine/pacs/echo.js';
import { findSeries, findStudies } from '../engine/pacs/find.js';
import { retrieveCtSeries } from '../engine/pacs/retrieve.js';
import { sendAndRecord } from '../engine/pacs/send-record.js';
import type * as store from '../engine/store/index.js';
import type { ApiParams } from './contract.js';
import type { HandlerResult } from './dispatch.js';

export interface PacsContext {
  /** Where retrieved series go: `<dataDir>/pacs/<SeriesInstanceUID>`. */
  pacsDir: string;
  /** The only folder whose files may be sent: where predict.run stages DICOM objects. */
  dicomDir: string;
  /** Runs a body on the case store (read-write). */
  withStore: <T>(body: (db: store.Db) => T) => T;
  /** Opens the store for an asynchronous body (the send awaits the PACS between its writes). */
  withStoreAsync: <T>(body: (db: store.Db) => Promise<T>) => Promise<T>;
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
      const r = await retrieveCtSeries(node, { studyInstanceUid, ...(seriesInstanceUid ? { seriesInstanceUid } : {}) }, ctx.pacsDir);
      return { folder: r.folder, series: r.series, instances: r.files.length, bytes: r.bytes, seconds: r.seconds };
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
