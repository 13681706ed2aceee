import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { HilumError } from '../core/errors.js';
import { loadVolume } from '../imaging/load.js';
import type { ValidationCase } from './segmentation-validation.js';

/**
 * A folder of real nodules laid out as the LIDC-IDRI crops are shared: `nodules.csv` (one row per
 * nodule: `file`, `diameter_mm`, `Texture`, …; plain comma-separated, no quoted fields) with
 * `image/<file>` (CT, HU) and `mask/<file>` (the readers' mask on the same grid).
 */
export interface LidcRow {
  file: string;
  diameterMm: number;
  texture: string;
}

export function readLidcIndex(dir: string): LidcRow[] {
  const csvPath = path.join(dir, 'nodules.csv');
  if (!existsSync(csvPath)) throw new HilumError({ code: 'PATH_NOT_FOUND', message: `${csvPath} does not exist` });
  const [header, ...lines] = readFileSync(csvPath, 'utf8').trim().split(/\r?\n/);
  const columns = header.split(',');
  const at = (name: string) => {
    const i = columns.indexOf(name);
    if (i < 0) throw new HilumError({ code: 'MANIFEST_INVALID', message: `${csvPath} has no column ${name}` });
    return i;
  };
  const [file, diameter, texture] = [at('file'), at('diameter_mm'), at('Texture')];
  return lines.map((line) => {
    const cells = line.split(',');
    return { file: cells[file], diameterMm: Number(cells[diameter]), texture: cells[texture] };
  });
}

/** Loads one nodule of such a folder as a validation case (the mask must share the CT's grid). */
export async function loadLidcCase(dir: string, row: LidcRow): Promise<ValidationCase> {
  const ct = (await loadVolume(path.join(dir, 'image', row.file))).volume;
  const mask = (await loadVolume(path.join(dir, 'mask', row.file))).volume;
  if (mask.dims.some((d, a) => d !== ct.dims[a]))
    throw new HilumError({
      code: 'MASK_GEOMETRY_MISMATCH',
      message: `${row.file}: the mask's grid ${mask.dims.join('×')} is not the CT's ${ct.dims.join('×')}`,
    });
  const truth = new Uint8Array(mask.voxels.length);
  for (let i = 0; i < truth.length; i++) truth[i] = mask.voxels[i] > 0 ? 1 : 0;
  return { id: row.file.replace(/\.nii(\.gz)?$/, ''), ct, truth, texture: row.texture, readerDiameterMm: row.diameterMm };
}
