import { statSync } from 'node:fs';
import { type Finding, HilumError } from '../core/errors.js';
import type { WorkerPool } from '../core/worker-pool.js';
import { deshearVolume } from './deshear.js';
import { asHuVolume, imageFileFormat, readImageFile } from './image-files.js';
import { hasOrthonormalDirection } from './grid.js';
import type { Volume } from './volume.js';
import { type ImportProgress, chooseSeries, loadSeriesVolume, scanDicom } from './dicom/import.js';
import type { DicomSeries } from './dicom/series.js';

export interface VolumeLoadOptions {
  /** Which series, when a DICOM folder holds several (number, UID or UID prefix). */
  series?: string;
  /** Explicitly resample unevenly spaced slices to this spacing (mm). */
  regularizeSliceSpacingMm?: number;
  /** Explicitly resample a gantry-tilted series onto an orthogonal grid. */
  deshear?: boolean;
  pool?: WorkerPool;
  onProgress?: (p: ImportProgress) => void;
}

export interface LoadedVolume {
  volume: Volume;
  source: 'dicom' | 'nifti' | 'nrrd';
  series: DicomSeries | null;
  findings: Finding[];
}

/** Loads a CT from a DICOM folder/file or a NIfTI/NRRD file, refusing doubtful geometry unless a fix is asked for by name. */
export async function loadVolume(input: string, options: VolumeLoadOptions = {}): Promise<LoadedVolume> {
  let isFile: boolean;
  try {
    isFile = statSync(input).isFile();
  } catch {
    throw new HilumError({ code: 'PATH_NOT_FOUND', message: `${input} does not exist` });
  }
  let result: LoadedVolume;
  const format = isFile ? imageFileFormat(input) : null;
  if (format) {
    const read = readImageFile(input);
    result = { volume: asHuVolume(read.image), source: format, series: null, findings: read.findings };
  } else {
    const scan = await scanDicom(input, options);
    const series = chooseSeries(scan, options.series);
    const loaded = await loadSeriesVolume(series, options);
    result = { volume: loaded.volume, source: 'dicom', series, findings: [...scan.findings, ...loaded.findings] };
  }
  if (options.deshear && !hasOrthonormalDirection(result.volume)) {
    result.volume = deshearVolume(result.volume);
    result.findings.push({
      code: 'DESHEARED',
      severity: 'warning',
      message: 'the tilted series was resampled onto an orthogonal grid (linear interpolation), as requested',
    });
  }
  return result;
}
