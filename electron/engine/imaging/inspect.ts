import { statSync } from 'node:fs';
import path from 'node:path';
import { type Finding, HilumError } from '../core/errors.js';
import { engineVersion } from '../core/version.js';
import type { WorkerPool } from '../core/worker-pool.js';
import { type ImageGrid, gridFromAxes } from './grid.js';
import { imageFileFormat, readImageFile } from './image-files.js';
import { type Mat3, type Vec3, scale } from './vec.js';
import { intensityStatistics, labelCounts } from './volume.js';
import { type ImportProgress, scanDicom, seriesStatistics } from './dicom/import.js';
import type { DicomSeries } from './dicom/series.js';
import { readDicomSeg, segOwnGrid } from './dicom/seg-read.js';
import { TRANSFER_SYNTAX_NAMES } from './dicom/tags.js';

export interface GeometryReport {
  dims: Vec3;
  spacingMm: Vec3;
  originLps: Vec3;
  direction: Mat3;
}

export interface SeriesReport extends GeometryReport {
  uid: string;
  id: string;
  modality: string;
  description: string;
  seriesNumber: number | null;
  manufacturer: string;
  convolutionKernel: string;
  files: number;
  slices: number;
  /** Slice spacing measured from positions along the normal (null for one slice). */
  sliceSpacingMm: { min: number; max: number; median: number; uniform: boolean } | null;
  tiltDeg: number;
  /** True when the series can be loaded as a volume as it is (no geometry error). */
  loadable: boolean;
  hu: { min: number; max: number; mean: number };
  paddingVoxels: number;
  transferSyntaxes: { uid: string; name: string }[];
  decoders: string[];
  warnings: Finding[];
}

export interface ImageFileReport extends GeometryReport {
  file: string;
  format: string;
  voxelType: string;
  values: { min: number; max: number; mean: number };
  /** For integer images with few distinct values: voxels per value. */
  labels: Record<string, number> | null;
  warnings: Finding[];
}

export interface SegmentationReport extends GeometryReport {
  file: string;
  type: string;
  referencedSeriesUid: string;
  transferSyntax: string;
  frames: number;
  segments: { number: number; label: string; voxels: number }[];
}

export interface InspectReport {
  path: string;
  engineVersion: string;
  series: SeriesReport[];
  images: ImageFileReport[];
  segmentations: SegmentationReport[];
  skippedFiles: { path: string; code: string; message: string }[];
  warnings: Finding[];
}

/** Describes what a path holds: DICOM series (with decoded HU statistics), NIfTI/NRRD images, or SEG objects. */
export async function inspectPath(target: string, options: { pool?: WorkerPool; onProgress?: (p: ImportProgress) => void } = {}): Promise<InspectReport> {
  const report: InspectReport = { path: target, engineVersion: engineVersion(), series: [], images: [], segmentations: [], skippedFiles: [], warnings: [] };
  let isFile = false;
  try {
    isFile = statSync(target).isFile();
  } catch {
    throw new HilumError({ code: 'PATH_NOT_FOUND', message: `${target} does not exist` });
  }
  if (isFile && imageFileFormat(target)) {
    report.images.push(inspectImageFile(target));
    return report;
  }
  const scan = await scanDicom(target, options);
  report.warnings = scan.findings;
  report.skippedFiles = scan.skipped;
  for (const series of scan.series) {
    const { stats, decoders } = await seriesStatistics(series, options);
    report.series.push(describeSeries(series, { min: stats.min, max: stats.max, mean: stats.sum / stats.count }, stats.paddingVoxels, decoders));
  }
  for (const h of scan.segmentations) {
    const seg = await readDicomSeg(h.filePath);
    const grid = segOwnGrid(seg);
    const counts = new Map<number, number>();
    seg.frames.forEach((f, i) => {
      const px = seg.pixels[i];
      if (seg.type === 'LABELMAP') {
        for (let p = 0; p < px.length; p++) if (px[p]) counts.set(px[p], (counts.get(px[p]) ?? 0) + 1);
      } else {
        let c = 0;
        const threshold = seg.type === 'FRACTIONAL' ? seg.maximumFractionalValue / 2 : 1;
        for (let p = 0; p < px.length; p++) if (px[p] >= threshold) c++;
        counts.set(f.segmentNumber ?? 0, (counts.get(f.segmentNumber ?? 0) ?? 0) + c);
      }
    });
    report.segmentations.push({
      file: path.relative(process.cwd(), h.filePath) || h.filePath,
      type: seg.type,
      referencedSeriesUid: seg.referencedSeriesUid,
      transferSyntax: TRANSFER_SYNTAX_NAMES[seg.transferSyntaxUid] ?? seg.transferSyntaxUid,
      frames: seg.frames.length,
      segments: seg.segments.map((s) => ({ number: s.number, label: s.label, voxels: counts.get(s.number) ?? 0 })),
      ...geometry(grid),
    });
  }
  return report;
}

function describeSeries(series: DicomSeries, hu: { min: number; max: number; mean: number }, paddingVoxels: number, decoders: string[]): SeriesReport {
  const stack = series.stack;
  const grid = stack?.grid ?? nominalGrid(series);
  return {
    uid: series.seriesInstanceUid,
    id: series.id,
    modality: series.modality,
    description: series.description,
    seriesNumber: series.seriesNumber,
    manufacturer: series.manufacturer,
    convolutionKernel: series.convolutionKernel,
    files: series.instances.length,
    slices: stack?.slices.length ?? series.instances.reduce((n, h) => n + h.numberOfFrames, 0),
    ...geometry(grid),
    sliceSpacingMm: stack?.spacing
      ? { min: stack.spacing.minMm, max: stack.spacing.maxMm, median: stack.spacing.medianMm, uniform: stack.spacing.uniform }
      : null,
    tiltDeg: stack?.tiltDeg ?? 0,
    loadable: !series.findings.some((f) => f.severity === 'error'),
    hu,
    paddingVoxels,
    transferSyntaxes: series.transferSyntaxes.map((uid) => ({ uid, name: TRANSFER_SYNTAX_NAMES[uid] ?? 'unknown' })),
    decoders,
    warnings: series.findings,
  };
}

/** For series that cannot be loaded as they are: the grid they would have with their median slice step. */
function nominalGrid(series: DicomSeries): ImageGrid {
  const stack = series.stack;
  const f = series.instances[0].frames[0];
  const rows = series.format.rows;
  const cols = series.format.columns;
  if (!stack || !f.rowDirection || !f.columnDirection || !f.pixelSpacingMm)
    return { dims: [cols, rows, series.instances.length], spacingMm: [1, 1, 1], originLps: [0, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] };
  const step = stack.spacing?.medianMm ?? 1;
  return gridFromAxes([cols, rows, stack.slices.length], stack.slices[0].positionLps, [
    scale(f.rowDirection, f.pixelSpacingMm[1]),
    scale(f.columnDirection, f.pixelSpacingMm[0]),
    scale(stack.normal, step),
  ]);
}

function inspectImageFile(file: string): ImageFileReport {
  const read = readImageFile(file);
  const values = intensityStatistics(read.image.voxels);
  let labels: Record<string, number> | null = null;
  const integer = !(read.image.voxels instanceof Float32Array || read.image.voxels instanceof Float64Array);
  if (integer) {
    const counts = labelCounts(read.image.voxels);
    if (counts.size <= 256) labels = Object.fromEntries([...counts].sort((a, b) => a[0] - b[0]).map(([k, v]) => [String(k), v]));
  }
  return { file, format: read.format, voxelType: read.voxelType, ...geometry(read.image), values, labels, warnings: read.findings };
}

function geometry(g: ImageGrid): GeometryReport {
  const r = (x: number) => Math.round(x * 1e6) / 1e6;
  return { dims: [...g.dims], spacingMm: g.spacingMm.map(r) as Vec3, originLps: g.originLps.map(r) as Vec3, direction: g.direction.map(r) as Mat3 };
}
