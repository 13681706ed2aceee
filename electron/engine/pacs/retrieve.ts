import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { HilumError } from '../core/errors.js';
import { runAssociation } from './association.js';
import { CGetRequest, Status, type DimseCStoreRequest } from './dimse.js';
import { findSeries, type SeriesMatch } from './find.js';
import type { PacsNode } from './node.js';

/** CT Image Storage and Enhanced CT Image Storage (PS3.4 B.5). */
const CT_SOP_CLASSES = new Set(['1.2.840.10008.5.1.4.1.1.2', '1.2.840.10008.5.1.4.1.1.2.1']);

export interface RetrieveProgress {
  received: number;
  /** Instances the PACS announced (from the series query, then its C-GET answers). */
  total: number | null;
  bytes: number;
}

export interface RetrieveOptions {
  onProgress?: (progress: RetrieveProgress) => void;
  signal?: AbortSignal;
}

export interface RetrieveResult {
  /** The finished series folder: `<destRoot>/<SeriesInstanceUID>`. */
  folder: string;
  series: SeriesMatch;
  files: string[];
  bytes: number;
  seconds: number;
}

/**
 * Picks the CT series to retrieve from a study: the one named, or else the CT series with the most
 * instances. A study without CT is PACS_NO_CT; a series the PACS does not know is PACS_NOT_FOUND.
 */
export async function chooseCtSeries(node: PacsNode, studyInstanceUid: string, seriesInstanceUid?: string): Promise<SeriesMatch> {
  const all = await findSeries(node, studyInstanceUid);
  if (all.length === 0)
    throw new HilumError({ code: 'PACS_NOT_FOUND', message: `The PACS ${node.aeTitle} has no study ${studyInstanceUid}`, data: { studyInstanceUid } });
  if (seriesInstanceUid !== undefined) {
    const named = all.find((s) => s.seriesInstanceUid === seriesInstanceUid);
    if (!named)
      throw new HilumError({
        code: 'PACS_NOT_FOUND',
        message: `The study ${studyInstanceUid} on ${node.aeTitle} has no series ${seriesInstanceUid}`,
        data: { studyInstanceUid, seriesInstanceUid },
      });
    if (named.modality !== 'CT')
      throw new HilumError({
        code: 'PACS_NO_CT',
        message: `Series ${seriesInstanceUid} is ${named.modality || 'of unknown modality'}, not CT`,
        hint: 'Hilum predicts from CT; choose the study’s CT series.',
        data: { studyInstanceUid, seriesInstanceUid, modality: named.modality },
      });
    return named;
  }
  const ct = all.filter((s) => s.modality === 'CT');
  if (ct.length === 0)
    throw new HilumError({
      code: 'PACS_NO_CT',
      message: `The study ${studyInstanceUid} on ${node.aeTitle} has no CT series (it has ${[...new Set(all.map((s) => s.modality || '?'))].join(', ')})`,
      hint: 'Hilum predicts from CT; choose a study with a chest CT.',
      data: { studyInstanceUid, modalities: all.map((s) => s.modality) },
    });
  return ct.reduce((best, s) => ((s.instanceCount ?? 0) > (best.instanceCount ?? 0) ? s : best));
}

/**
 * Retrieves one CT series by C-GET (PS3.4 C.4.3) into `<destRoot>/<SeriesInstanceUID>`. Instances
 * arrive in a hidden temporary folder that is renamed into place only after the PACS reported every
 * sub-operation successful and each file is on disk, so a refused, cancelled or aborted transfer
 * leaves nothing behind. A retrieved instance that is not CT fails the whole retrieve (PACS_NO_CT).
 */
export async function retrieveCtSeries(
  node: PacsNode,
  target: { studyInstanceUid: string; seriesInstanceUid?: string },
  destRoot: string,
  options: RetrieveOptions = {},
): Promise<RetrieveResult> {
  const started = performance.now();
  const series = await chooseCtSeries(node, target.studyInstanceUid, target.seriesInstanceUid);
  mkdirSync(destRoot, { recursive: true });
  const partial = path.join(destRoot, `.partial-${randomBytes(6).toString('hex')}`);
  mkdirSync(partial);
  const files: string[] = [];
  let bytes = 0;
  let total = series.instanceCount;
  let notCt: string | undefined;
  let final: { status: number; failures: number; completed: number } | undefined;
  const report = () => options.onProgress?.({ received: files.length, total, bytes });
  // What the series query announced, before the first instance arrives.
  report();
  try {
    const request = CGetRequest.createSeriesGetRequest(series.studyInstanceUid, series.seriesInstanceUid);
    request.on('response', (response) => {
      const status = response.getStatus();
      const remaining = response.getRemaining();
      if (status === Status.Pending && typeof remaining === 'number')
        total = remaining + response.getCompleted() + response.getFailures() + response.getWarnings();
      if (status !== Status.Pending) final = { status, failures: response.getFailures() ?? 0, completed: response.getCompleted() ?? 0 };
    });
    const onStore = async (store: DimseCStoreRequest): Promise<number> => {
      const dataset = store.getDataset();
      if (!dataset) return 0xa900;
      const sop = String(dataset.getElement('SOPInstanceUID') ?? '');
      const sopClass = String(dataset.getElement('SOPClassUID') ?? '');
      if (!CT_SOP_CLASSES.has(sopClass)) notCt ??= sopClass;
      // The SOP Instance UID is a UID (digits and dots) but is checked before it becomes a file name.
      const name = /^[0-9.]{1,64}$/.test(sop) ? `${sop}.dcm` : `instance-${files.length + 1}.dcm`;
      const file = path.join(partial, name);
      await new Promise<void>((resolve, reject) => dataset.toFile(file, (error) => (error ? reject(error) : resolve())));
      files.push(file);
      bytes += statSync(file).size;
      report();
      return Status.Success;
    };
    await runAssociation(node, [request], { onStore, ...(options.signal ? { signal: options.signal } : {}) });
    if (notCt !== undefined)
      throw new HilumError({
        code: 'PACS_NO_CT',
        message: `The series ${series.seriesInstanceUid} holds a non-CT instance (SOP class ${notCt})`,
        data: { seriesInstanceUid: series.seriesInstanceUid, sopClassUid: notCt },
      });
    if (!final || final.status !== Status.Success || final.failures > 0 || files.length === 0)
      throw new HilumError({
        code: 'PACS_RETRIEVE_INCOMPLETE',
        message: `The PACS ${node.aeTitle} did not deliver the whole series: ${files.length} instance(s) received, final status ${final ? '0x' + final.status.toString(16) : 'none'}, ${final?.failures ?? 0} failed`,
        hint: 'Nothing was kept. Try again, or check the PACS log.',
        data: { received: files.length, status: final?.status ?? null, failures: final?.failures ?? null },
      });
    const folder = path.join(destRoot, series.seriesInstanceUid);
    const finished = files.map((f) => path.join(folder, path.basename(f)));
    if (existsSync(folder)) {
      // A series retrieved before is replaced whole, never merged.
      const old = `${partial}-old`;
      renameSync(folder, old);
      renameSync(partial, folder);
      rmSync(old, { recursive: true, force: true });
    } else renameSync(partial, folder);
    return { folder, series, files: finished, bytes, seconds: (performance.now() - started) / 1000 };
  } finally {
    rmSync(partial, { recursive: true, force: true });
  }
}
