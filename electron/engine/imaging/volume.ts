import { HilumError } from '../core/errors.js';
import { type ImageGrid, copyGrid, subGrid, voxelCount } from './grid.js';
import type { Vec3 } from './vec.js';

/** CT voxels: Int16 HU when the rescale is lossless in 16 bits, Float32 HU otherwise. */
export type HuArray = Int16Array | Float32Array;

/** A CT volume in Hounsfield units on an LPS grid. */
export interface Volume extends ImageGrid {
  voxels: HuArray;
}

/** A mask or label image on an LPS grid; 0 is background. */
export interface LabelMap extends ImageGrid {
  voxels: Uint8Array;
}

/** Any scalar image the readers and writers handle. */
export type ScalarArray = Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | Float32Array | Float64Array;
export interface ScalarImage<T extends ScalarArray = ScalarArray> extends ImageGrid {
  voxels: T;
}

export function assertVoxelCount(image: ScalarImage): void {
  if (image.voxels.length !== voxelCount(image))
    throw new HilumError({
      code: 'VOXEL_COUNT_MISMATCH',
      message: `image holds ${image.voxels.length} voxels but its size ${image.dims.join('×')} needs ${voxelCount(image)}`,
    });
}

/** Inclusive voxel bounding box. */
export interface BoundingBox {
  minIjk: Vec3;
  maxIjk: Vec3;
}

/** Bounding box of the voxels equal to `label` (or of all non-zero voxels); null when there are none. */
export function labelBoundingBox(mask: Pick<ScalarImage, 'dims' | 'voxels'>, label?: number): BoundingBox | null {
  const [nx, ny, nz] = mask.dims;
  const v = mask.voxels;
  const min: Vec3 = [nx, ny, nz];
  const max: Vec3 = [-1, -1, -1];
  const matches = (x: number) => (label === undefined ? x !== 0 : x === label);
  // A byte mask whose rows are whole 32-bit words: an empty row is seen four voxels at a time.
  const words =
    label === undefined && v instanceof Uint8Array && v.byteOffset % 4 === 0 && nx % 4 === 0 ? new Uint32Array(v.buffer, v.byteOffset, v.length / 4) : null;
  // Row by row: only a row's first and last match can move the box in i.
  for (let k = 0, row = 0; k < nz; k++)
    for (let j = 0; j < ny; j++, row += nx) {
      if (words && rowIsZero(words, row / 4, nx / 4)) continue;
      let first = 0;
      while (first < nx && !matches(v[row + first])) first++;
      if (first === nx) continue;
      let last = nx - 1;
      while (!matches(v[row + last])) last--;
      if (first < min[0]) min[0] = first;
      if (last > max[0]) max[0] = last;
      if (j < min[1]) min[1] = j;
      if (j > max[1]) max[1] = j;
      if (k < min[2]) min[2] = k;
      if (k > max[2]) max[2] = k;
    }
  return max[0] < 0 ? null : { minIjk: min, maxIjk: max };
}

function rowIsZero(words: Uint32Array, start: number, count: number): boolean {
  for (let w = start; w < start + count; w++) if (words[w] !== 0) return false;
  return true;
}

/** Grows a box by `padVoxels` on each side, clipped to the grid. */
export function padBoundingBox(box: BoundingBox, dims: Vec3, padVoxels: Vec3 | number): BoundingBox {
  const pad = typeof padVoxels === 'number' ? [padVoxels, padVoxels, padVoxels] : padVoxels;
  return {
    minIjk: box.minIjk.map((m, a) => Math.max(0, m - pad[a])) as Vec3,
    maxIjk: box.maxIjk.map((m, a) => Math.min(dims[a] - 1, m + pad[a])) as Vec3,
  };
}

/** Copies the voxels of an inclusive box into a new image on the matching sub-grid. */
export function cropToBox<T extends ScalarArray>(image: ScalarImage<T>, box: BoundingBox): ScalarImage<T> {
  const [nx, ny] = image.dims;
  const { minIjk: lo, maxIjk: hi } = box;
  for (let a = 0; a < 3; a++)
    if (lo[a] < 0 || hi[a] >= image.dims[a] || lo[a] > hi[a])
      throw new HilumError({
        code: 'CROP_OUT_OF_RANGE',
        message: `crop box [${lo.join(',')}]–[${hi.join(',')}] is not inside the image of size ${image.dims.join('×')}`,
      });
  const grid = subGrid(image, lo, hi);
  const [cx, cy, cz] = grid.dims;
  const Ctor = image.voxels.constructor as new (n: number) => T;
  const out = new Ctor(cx * cy * cz);
  for (let k = 0; k < cz; k++)
    for (let j = 0; j < cy; j++) {
      const src = lo[0] + nx * (lo[1] + j + ny * (lo[2] + k));
      out.set(image.voxels.subarray(src, src + cx) as never, cx * (j + cy * k));
    }
  return { ...grid, voxels: out };
}

/** Mean, minimum and maximum of the voxel values. */
export function intensityStatistics(voxels: ArrayLike<number>): { min: number; max: number; mean: number } {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (let i = 0; i < voxels.length; i++) {
    const x = voxels[i];
    if (x < min) min = x;
    if (x > max) max = x;
    sum += x;
  }
  return { min, max, mean: voxels.length ? sum / voxels.length : NaN };
}

/** Number of voxels per distinct value (for label images). */
export function labelCounts(voxels: ArrayLike<number>): Map<number, number> {
  const counts = new Map<number, number>();
  for (let i = 0; i < voxels.length; i++) counts.set(voxels[i], (counts.get(voxels[i]) ?? 0) + 1);
  return counts;
}

export function cloneImage<T extends ScalarArray>(image: ScalarImage<T>): ScalarImage<T> {
  return { ...copyGrid(image), voxels: image.voxels.slice() as T };
}
