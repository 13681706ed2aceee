/**
 * Class-activation maps back on the images: a slice's map lives on the backbone's last feature grid
 * (H × W cells over the crop; 8 × 8 for the shipped backbone). It is upsampled bilinearly to the
 * crop's pixels (Zhou et al. 2016 upsample to the input size), and, through the crop's grid
 * (bagSliceGrid: centre, side, orientation, resize), resampled onto the CT slice nearest the bag
 * slice along the CT axis closest to the plane's normal — the slice the MPR views show.
 */
import { arrayMax, arrayMin } from '../core/array-extent.js';
import { type ImageGrid, indexToWorld, worldToIndex } from '../imaging/grid.js';
import type { Vec3 } from '../imaging/vec.js';

/** The map at continuous crop-pixel coordinates (u = column, v = row; pixel centres at integers), NaN outside the crop. */
export function camAtPixel(values: ArrayLike<number>, height: number, width: number, size: number, u: number, v: number): number {
  if (!(u >= -0.5 && u <= size - 0.5 && v >= -0.5 && v <= size - 0.5)) return NaN;
  // Cell centres sit at ((c + 0.5)·size/width − 0.5) pixels.
  const x = Math.min(width - 1, Math.max(0, ((u + 0.5) * width) / size - 0.5));
  const y = Math.min(height - 1, Math.max(0, ((v + 0.5) * height) / size - 0.5));
  const x0 = Math.min(width - 2, Math.floor(x));
  const y0 = Math.min(height - 2, Math.floor(y));
  const fx = width > 1 ? x - x0 : 0;
  const fy = height > 1 ? y - y0 : 0;
  const at = (r: number, c: number) => values[Math.min(height - 1, Math.max(0, r)) * width + Math.min(width - 1, Math.max(0, c))];
  return (1 - fy) * ((1 - fx) * at(y0, x0) + fx * at(y0, x0 + 1)) + fy * ((1 - fx) * at(y0 + 1, x0) + fx * at(y0 + 1, x0 + 1));
}

/** The map upsampled to the crop's size × size pixels (row-major), as drawn over the bag's slices. */
export function camOnCrop(values: ArrayLike<number>, height: number, width: number, size: number): Float32Array {
  const out = new Float32Array(size * size);
  for (let v = 0; v < size; v++) for (let u = 0; u < size; u++) out[v * size + u] = camAtPixel(values, height, width, size, u, v);
  return out;
}

/** A slice's map on the CT grid: one CT slice (index `index` along CT axis `axis`), the box lo…hi (inclusive), values with i fastest, NaN outside the crop. */
export interface CamPatch {
  axis: 0 | 1 | 2;
  index: number;
  /** Distance (mm) between the bag slice's plane and that CT slice's centre. */
  distanceMm: number;
  lo: Vec3;
  hi: Vec3;
  values: Float32Array;
}

const column = (g: ImageGrid, c: number): Vec3 => [g.direction[c], g.direction[3 + c], g.direction[6 + c]];
const dot = (a: Vec3, b: Vec3) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];

/** Resamples one slice's map (on its crop grid `crop`) onto the nearest CT slice; null when that slice lies outside the CT. */
export function camOnCtGrid(values: ArrayLike<number>, height: number, width: number, crop: ImageGrid, ct: ImageGrid): CamPatch | null {
  const size = crop.dims[0];
  const normal = column(crop, 2);
  const axis = [0, 1, 2].reduce((best, a) => (Math.abs(dot(column(ct, a), normal)) > Math.abs(dot(column(ct, best), normal)) ? a : best), 0) as 0 | 1 | 2;
  const centre = indexToWorld(crop, [(size - 1) / 2, (size - 1) / 2, 0]);
  const index = Math.round(worldToIndex(ct, centre)[axis]);
  if (index < 0 || index >= ct.dims[axis]) return null;
  const lo: Vec3 = [0, 0, 0];
  const hi: Vec3 = [0, 0, 0];
  const corners = [-0.5, size - 0.5].flatMap((u) => [-0.5, size - 0.5].map((v) => worldToIndex(ct, indexToWorld(crop, [u, v, 0]))));
  for (let a = 0; a < 3; a++) {
    if (a === axis) {
      lo[a] = hi[a] = index;
      continue;
    }
    lo[a] = Math.max(0, Math.floor(arrayMin(corners.map((c) => c[a]))));
    hi[a] = Math.min(ct.dims[a] - 1, Math.ceil(arrayMax(corners.map((c) => c[a]))));
  }
  const n = [0, 1, 2].map((a) => hi[a] - lo[a] + 1);
  const out = new Float32Array(n[0] * n[1] * n[2]);
  let o = 0;
  for (let k = lo[2]; k <= hi[2]; k++)
    for (let j = lo[1]; j <= hi[1]; j++)
      for (let i = lo[0]; i <= hi[0]; i++) {
        const [u, v] = worldToIndex(crop, indexToWorld(ct, [i, j, k]));
        out[o++] = camAtPixel(values, height, width, size, u, v);
      }
  const onCt = indexToWorld(ct, [0, 1, 2].map((a) => (a === axis ? index : worldToIndex(ct, centre)[a])) as Vec3);
  const distanceMm = Math.abs(dot([onCt[0] - centre[0], onCt[1] - centre[1], onCt[2] - centre[2]], normal));
  return { axis, index, distanceMm, lo, hi, values: out };
}
