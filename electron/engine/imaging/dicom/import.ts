import path from 'node:path';
import { type Finding, HilumError, errorsOf, findingToError } from '../../core/errors.js';
import { WorkerPool, siblingModule } from '../../core/worker-pool.js';
import { type ImageGrid, gridFromAxes } from '../grid.js';
import { type Vec3, dot, scale, sub } from '../vec.js';
import type { Volume } from '../volume.js';
import type { DecodeFileResult, DecodeFileTask, VoxelType } from './decode-file.js';
import type { DicomInstanceHeader } from './instance.js';
import { type FrameStatistics, mergeStatistics } from './hu.js';
import { type HeaderScan, type SkippedFile, listFiles } from './scan.js';
import { type DicomSeries, groupSeries } from './series.js';
import { LOSSY_SYNTAXES, TRANSFER_SYNTAX_NAMES } from './tags.js';

export interface ImportProgress {
  phase: 'scan' | 'decode';
  done: number;
  total: number;
}

export interface ImportOptions {
  /** A pool to reuse; otherwise one is made for the call and closed after it. */
  pool?: WorkerPool;
  onProgress?: (progress: ImportProgress) => void;
}

export interface DicomScan {
  root: string;
  series: DicomSeries[];
  segmentations: DicomInstanceHeader[];
  skipped: SkippedFile[];
  findings: Finding[];
}

/** Files per scan task: large enough to amortise messaging, small enough to spread over workers. */
const SCAN_CHUNK = 32;

export function createDicomPool(size?: number): WorkerPool {
  return new WorkerPool(siblingModule(import.meta.url, 'dicom-worker'), size);
}

async function withPool<T>(options: ImportOptions, body: (pool: WorkerPool) => Promise<T>): Promise<T> {
  if (options.pool) return body(options.pool);
  const pool = createDicomPool();
  try {
    return await body(pool);
  } finally {
    await pool.close();
  }
}

/**
 * Scans a folder (recursively) or a single file for DICOM: reads every header in worker threads,
 * skips non-DICOM files with a reason, groups images into series and analyses each series'
 * geometry. No pixels are decoded.
 */
export async function scanDicom(root: string, options: ImportOptions = {}): Promise<DicomScan> {
  const files = listFiles(root);
  if (files.length === 0)
    throw new HilumError({
      code: 'EMPTY_FOLDER',
      message: `${root} holds no files`,
      hint: 'Choose the folder that contains the DICOM images (for a CD, the DICOM folder on it).',
      data: { path: root },
    });
  const chunks: string[][] = [];
  for (let i = 0; i < files.length; i += SCAN_CHUNK) chunks.push(files.slice(i, i + SCAN_CHUNK));
  let done = 0;
  const scans = await withPool(options, (pool) =>
    Promise.all(
      chunks.map(async (chunk) => {
        const result = await pool.run<HeaderScan>('scan', chunk);
        done += chunk.length;
        options.onProgress?.({ phase: 'scan', done, total: files.length });
        return result;
      }),
    ),
  );
  const headers = scans.flatMap((s) => s.headers);
  const skipped = scans.flatMap((s) => s.skipped);
  const grouping = groupSeries(headers);
  const findings = [...grouping.findings];
  if (skipped.length)
    findings.push({
      code: 'FILES_SKIPPED',
      severity: skipped.some((s) => s.code !== 'NOT_DICOM') ? 'warning' : 'info',
      message: `${skipped.length} file(s) were skipped: ${summariseSkipped(skipped)}`,
      data: { files: skipped.map((s) => ({ path: s.path, code: s.code })) },
    });
  if (grouping.series.length === 0 && grouping.segmentations.length === 0) {
    const only = skipped.length === 1 ? skipped[0] : undefined;
    throw new HilumError({
      code: only?.code ?? 'NO_DICOM_IMAGES',
      message: only
        ? only.message
        : `no DICOM images found in ${root} (${files.length} file(s) looked at${skipped.length ? '; ' + summariseSkipped(skipped) : ''})`,
      hint: 'Choose the folder that holds the CT images.',
      findings,
      data: { path: root },
    });
  }
  return { root, series: grouping.series, segmentations: grouping.segmentations, skipped, findings };
}

function summariseSkipped(skipped: SkippedFile[]): string {
  const byCode = new Map<string, string[]>();
  for (const s of skipped) byCode.set(s.code, [...(byCode.get(s.code) ?? []), path.basename(s.path)]);
  return [...byCode]
    .map(
      ([code, names]) =>
        `${names.length} ${code === 'NOT_DICOM' ? 'not DICOM' : code.toLowerCase().replace(/_/g, ' ')} (${names.slice(0, 3).join(', ')}${names.length > 3 ? ', …' : ''})`,
    )
    .join('; ');
}

/** Picks the series the user named (by id, UID, UID prefix or 1-based index); several series and no choice is an error. */
export function chooseSeries(scan: DicomScan, choice?: string): DicomSeries {
  if (scan.series.length === 0)
    throw new HilumError({ code: 'NO_IMAGE_SERIES', message: `${scan.root} holds no image series (only ${scan.segmentations.length} segmentation object(s))` });
  if (choice === undefined) {
    if (scan.series.length === 1) return scan.series[0];
    throw new HilumError({
      code: 'SEVERAL_SERIES',
      message:
        `${scan.root} holds ${scan.series.length} series; Hilum does not pick one for you:\n` +
        scan.series.map((s, i) => `  ${i + 1}. ${describeSeriesLine(s)}`).join('\n'),
      hint: 'Choose one with --series N (its number above) or --series UID.',
      data: { series: scan.series.map((s) => s.id) },
    });
  }
  const index = /^\d+$/.test(choice) ? Number(choice) - 1 : -1;
  const found =
    scan.series[index] ?? scan.series.find((s) => s.id === choice || s.seriesInstanceUid === choice) ?? scan.series.find((s) => s.id.startsWith(choice));
  if (!found)
    throw new HilumError({ code: 'SERIES_NOT_FOUND', message: `no series '${choice}' in ${scan.root}`, data: { series: scan.series.map((s) => s.id) } });
  return found;
}

export function describeSeriesLine(s: DicomSeries): string {
  const slices = s.stack?.slices.length ?? s.instances.length;
  return `${s.modality || '?'} "${s.description || 'no description'}" ${s.format.columns}×${s.format.rows}×${slices} (${s.id})`;
}

export interface LoadOptions extends ImportOptions {
  /**
   * Resample unevenly spaced slices to this spacing (mm, along the slice normal) by linear
   * interpolation. Only on request: uneven spacing is an error otherwise. Gaps are never filled.
   */
  regularizeSliceSpacingMm?: number;
}

export interface LoadedSeries {
  volume: Volume;
  series: DicomSeries;
  statistics: { minHu: number; maxHu: number; meanHu: number; paddingVoxels: number };
  decoders: string[];
  findings: Finding[];
}

/** Statistics over all slices of a series (decoded for this and discarded); works whatever its geometry. */
export async function seriesStatistics(series: DicomSeries, options: ImportOptions = {}): Promise<{ stats: FrameStatistics; decoders: string[] }> {
  const slots = allSlices(series);
  const results = await decodeSlots(series, slots, null, integerRescale(series) ? 'int16' : 'float32', options);
  return { stats: mergeStatistics(results.flatMap((r) => r.stats)), decoders: [...new Set(results.flatMap((r) => r.decoders))] };
}

/**
 * Decodes a series into a HU volume on its exact grid. Refuses (HilumError) when the series has a
 * geometry error, naming it; warnings travel with the result. Int16 voxels when the rescale is
 * integral and every value fits, Float32 otherwise.
 */
export async function loadSeriesVolume(series: DicomSeries, options: LoadOptions = {}): Promise<LoadedSeries> {
  const findings = [...series.findings];
  const stack = series.stack;
  const errors = errorsOf(findings);
  const regularize = options.regularizeSliceSpacingMm;
  const onlySpacingErrors = errors.length > 0 && errors.every((e) => e.code === 'UNEVEN_SLICE_SPACING');
  if (errors.length && !(regularize && onlySpacingErrors)) throw findingToError(errors[0], findings);
  if (!stack || (!stack.grid && !regularize))
    throw findingToError(errors[0] ?? { code: 'MISSING_GEOMETRY', severity: 'error', message: 'the series has no usable slice geometry' }, findings);
  const lossy = series.transferSyntaxes.filter((t) => LOSSY_SYNTAXES.has(t));
  if (lossy.length)
    findings.push({
      code: 'LOSSY_COMPRESSION',
      severity: 'warning',
      message: `pixel data was compressed with loss (${lossy.map((t) => TRANSFER_SYNTAX_NAMES[t] ?? t).join(', ')}); HU values differ from the scanner's original`,
      hint: 'Texture features are sensitive to lossy compression; prefer a lossless export for radiomics.',
    });

  return withPool(options, async (pool) => {
    const withPoolOptions = { ...options, pool };
    let type: VoxelType = integerRescale(series) ? 'int16' : 'float32';
    let attempt = await decodeIntoVolume(series, type, withPoolOptions);
    if (attempt.overflow && type === 'int16') {
      type = 'float32';
      attempt = await decodeIntoVolume(series, type, withPoolOptions);
    }
    const merged = mergeStatistics(attempt.results.flatMap((r) => r.stats));
    const statistics = { minHu: merged.min, maxHu: merged.max, meanHu: merged.sum / merged.count, paddingVoxels: merged.paddingVoxels };
    const decoders = [...new Set(attempt.results.flatMap((r) => r.decoders))];
    let volume: Volume;
    if (stack.grid) volume = { ...stack.grid, voxels: attempt.voxels };
    else {
      volume = regularizeSlices(series, attempt.voxels, regularize as number);
      findings.splice(findings.indexOf(errors[0]), 1);
      findings.push({
        code: 'SLICES_RESAMPLED',
        severity: 'warning',
        message: `slices were resampled from uneven spacing (${fmt(stack.spacing?.minMm ?? 0)}–${fmt(stack.spacing?.maxMm ?? 0)} mm) to ${fmt(regularize as number)} mm by linear interpolation, as requested`,
      });
    }
    return { volume, series, statistics, decoders, findings };
  });
}

function integerRescale(series: DicomSeries): boolean {
  return series.instances.every((h) => h.frames.every((f) => Number.isInteger(f.rescaleSlope) && Number.isInteger(f.rescaleIntercept)));
}

interface Slot {
  header: DicomInstanceHeader;
  frameIndex: number;
  slot: number;
}

function allSlices(series: DicomSeries): Slot[] {
  if (series.stack) return series.stack.slices.map((s, slot) => ({ header: series.instances[s.fileIndex], frameIndex: s.frameIndex, slot }));
  let slot = 0;
  return series.instances.flatMap((header) => header.frames.map((_, frameIndex) => ({ header, frameIndex, slot: slot++ })));
}

async function decodeSlots(
  series: DicomSeries,
  slots: Slot[],
  buffer: SharedArrayBuffer | null,
  type: VoxelType,
  options: ImportOptions,
): Promise<DecodeFileResult[]> {
  const byFile = new Map<DicomInstanceHeader, { frameIndex: number; slot: number }[]>();
  for (const s of slots) byFile.set(s.header, [...(byFile.get(s.header) ?? []), { frameIndex: s.frameIndex, slot: s.slot }]);
  const sliceVoxels = series.format.rows * series.format.columns;
  let done = 0;
  return withPool(options, (pool) =>
    Promise.all(
      [...byFile].map(async ([header, frames]) => {
        const task: DecodeFileTask = { header, frames, target: { buffer, type, sliceVoxels } };
        const result = await pool.run<DecodeFileResult>('decode', task);
        done += frames.length;
        options.onProgress?.({ phase: 'decode', done, total: slots.length });
        return result;
      }),
    ),
  );
}

async function decodeIntoVolume(series: DicomSeries, type: VoxelType, options: ImportOptions) {
  const slots = allSlices(series);
  const sliceVoxels = series.format.rows * series.format.columns;
  const buffer = new SharedArrayBuffer(slots.length * sliceVoxels * (type === 'int16' ? 2 : 4));
  const results = await decodeSlots(series, slots, buffer, type, options);
  const voxels = type === 'int16' ? new Int16Array(buffer) : new Float32Array(buffer);
  return { voxels, results, overflow: results.some((r) => r.stats.some((s) => s.overflow)) };
}

/** Linear interpolation of sorted slices onto evenly spaced positions along the slice normal. */
function regularizeSlices(series: DicomSeries, stackVoxels: Int16Array | Float32Array, spacingMm: number): Volume {
  const stack = series.stack as NonNullable<DicomSeries['stack']>;
  const positions = stack.normalPositionsMm;
  const first = positions[0];
  const count = Math.floor((positions[positions.length - 1] - first) / spacingMm + 1e-6) + 1;
  const sliceVoxels = series.format.rows * series.format.columns;
  const out = new Float32Array(count * sliceVoxels);
  let a = 0;
  for (let k = 0; k < count; k++) {
    const t = first + k * spacingMm;
    while (a + 1 < positions.length - 1 && positions[a + 1] <= t) a++;
    const b = Math.min(a + 1, positions.length - 1);
    const w = b === a ? 0 : (t - positions[a]) / (positions[b] - positions[a]);
    const A = a * sliceVoxels;
    const B = b * sliceVoxels;
    const O = k * sliceVoxels;
    for (let p = 0; p < sliceVoxels; p++) out[O + p] = stackVoxels[A + p] + w * (stackVoxels[B + p] - stackVoxels[A + p]);
  }
  const f0 = series.instances[stack.slices[0].fileIndex].frames[stack.slices[0].frameIndex];
  const firstPos = stack.slices[0].positionLps;
  const lastPos = stack.slices[stack.slices.length - 1].positionLps;
  const line = sub(lastPos, firstPos);
  const alongNormal = dot(line, stack.normal);
  const step = scale(line, spacingMm / alongNormal) as Vec3;
  const [rowSpacing, colSpacing] = f0.pixelSpacingMm as [number, number];
  const grid: ImageGrid = gridFromAxes([series.format.columns, series.format.rows, count], firstPos, [
    scale(f0.rowDirection as Vec3, colSpacing),
    scale(f0.columnDirection as Vec3, rowSpacing),
    step,
  ]);
  return { ...grid, voxels: out };
}

function fmt(x: number): string {
  return (Math.round(x * 100) / 100).toString();
}
