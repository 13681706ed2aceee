import type { Vec3 } from '../imaging/vec.js';
import { type BoundingBox, labelBoundingBox, padBoundingBox } from '../imaging/volume.js';

export interface DistanceOptions {
  /**
   * Only this box is transformed, as if the grid ended at its faces; the rest of the output is
   * `outside`. The caller picks a box in which that gives the whole grid's values where it reads them.
   */
  box?: BoundingBox;
  /** The value of the output outside the box (default Infinity). */
  outside?: number;
  /** The features are the unset voxels (distance to the mask's complement: depth inside the mask). */
  unsetAreFeatures?: boolean;
  /**
   * Distances beyond this (mm) come out as Infinity, for a caller that only compares them with it:
   * a partial sum over the farther axes never exceeds the whole, so the distances within the limit
   * keep their nearest feature, and the passes skip the parabolas of what lies beyond it.
   */
  limitMm?: number;
}

/**
 * Exact squared Euclidean distance transform in millimetres on an anisotropic 3-D grid
 * (Felzenszwalb & Huttenlocher, "Distance transforms of sampled functions", Theory of Computing
 * 2012): one 1-D pass per axis. Input: 1 = feature voxel. Output: the squared distance from every
 * voxel to the nearest feature (Infinity when there is none).
 *
 * The first pass (along i) needs no parabolas: on a binary row the distance is w²·(q − p)² to the
 * nearest feature p, found by one sweep each way. The other passes take the lower envelope of the
 * parabolas f(p) + w²·(q − p)² over each line. Lines with no finite value are skipped.
 */
export function squaredDistanceToFeatures(features: Uint8Array, dims: Vec3, spacingMm: Vec3, options: DistanceOptions = {}): Float64Array {
  const [nx, ny] = dims;
  const { minIjk: lo, maxIjk: hi } = options.box ?? { minIjk: [0, 0, 0] as Vec3, maxIjk: dims.map((n) => n - 1) as Vec3 };
  const d = new Float64Array(dims[0] * dims[1] * dims[2]);
  const outside = options.outside ?? Infinity;
  if (outside !== 0) d.fill(outside);
  const zeroIsFeature = options.unsetAreFeatures === true;
  const strides: Vec3 = [1, nx, nx * ny];
  const limit2 = options.limitMm === undefined ? Infinity : options.limitMm * options.limitMm;
  nearestAlongRows(features, zeroIsFeature, d, strides, lo, hi, spacingMm[0] * spacingMm[0], limit2);
  const length = Math.max(hi[1] - lo[1], hi[2] - lo[2]) + 1;
  const scratch = { f: new Float64Array(length), g: new Float64Array(length), v: new Int32Array(length), z: new Float64Array(length + 1) };
  for (const axis of [1, 2] as const) {
    const n = hi[axis] - lo[axis] + 1;
    if (n < 2) continue;
    const w2 = spacingMm[axis] * spacingMm[axis];
    const stride = strides[axis];
    // Lines along `axis`, visited with i innermost so that neighbouring lines share cache lines.
    const other = axis === 1 ? 2 : 1;
    for (let b = lo[other]; b <= hi[other]; b++)
      for (let i = lo[0]; i <= hi[0]; i++) envelopeAlongLine(d, i + b * strides[other] + lo[axis] * stride, stride, n, w2, limit2, scratch);
  }
  return d;
}

/** First pass: d = w²·(q − p)² to the nearest feature p along each row of the box (Infinity when the row has none, or beyond the limit). */
function nearestAlongRows(features: Uint8Array, zeroIsFeature: boolean, d: Float64Array, strides: Vec3, lo: Vec3, hi: Vec3, w2: number, limit2: number): void {
  const n = hi[0] - lo[0] + 1;
  for (let k = lo[2]; k <= hi[2]; k++)
    for (let j = lo[1]; j <= hi[1]; j++) {
      const start = lo[0] + j * strides[1] + k * strides[2];
      let last = -1;
      for (let q = 0; q < n; q++) {
        if ((features[start + q] === 0) === zeroIsFeature) last = q;
        const fromLast = last < 0 ? Infinity : w2 * (q - last) * (q - last);
        d[start + q] = fromLast > limit2 ? Infinity : fromLast;
      }
      if (last < 0) continue;
      let next = -1;
      for (let q = n - 1; q >= 0; q--) {
        if ((features[start + q] === 0) === zeroIsFeature) next = q;
        if (next < 0) continue;
        const fromNext = w2 * (q - next) * (q - next);
        if (fromNext < d[start + q] && fromNext <= limit2) d[start + q] = fromNext;
      }
    }
}

/** Later passes, in place along one line of n values: d(q) = min_p ( d(p) + w²·(q − p)² ) (Infinity beyond the limit). */
function envelopeAlongLine(
  d: Float64Array,
  start: number,
  stride: number,
  n: number,
  w2: number,
  limit2: number,
  scratch: { f: Float64Array; g: Float64Array; v: Int32Array; z: Float64Array },
): void {
  const { f, g, v, z } = scratch;
  let finite = false;
  for (let q = 0, o = start; q < n; q++, o += stride) {
    f[q] = d[o];
    if (f[q] !== Infinity) finite = true;
  }
  if (!finite) return;
  // The lower envelope: v holds its parabolas' vertices, z the boundaries between them. Inside a run
  // of zeros (features) the answer is 0, and outside it the run's two ends are nearer than its
  // interior, so the interior's parabolas are left out (and its zeros written back below).
  let k = -1;
  for (let q = 0; q < n; q++) {
    if (f[q] === Infinity || (f[q] === 0 && q > 0 && q < n - 1 && f[q - 1] === 0 && f[q + 1] === 0)) continue;
    g[q] = f[q] + w2 * q * q;
    if (k < 0) {
      k = 0;
      v[0] = q;
      z[0] = -Infinity;
      z[1] = Infinity;
      continue;
    }
    let s = 0;
    for (;;) {
      const p = v[k];
      s = (g[q] - g[p]) / (2 * w2 * (q - p));
      if (s <= z[k] && k > 0) k--;
      else break;
    }
    if (s <= z[k]) {
      v[k] = q;
      z[k + 1] = Infinity;
    } else {
      k++;
      v[k] = q;
      z[k] = s;
      z[k + 1] = Infinity;
    }
  }
  let j = 0;
  for (let q = 0, o = start; q < n; q++, o += stride) {
    while (z[j + 1] < q) j++;
    const p = v[j];
    const value = f[q] === 0 ? 0 : f[p] + w2 * (q - p) * (q - p);
    d[o] = value > limit2 ? Infinity : value;
  }
}

/**
 * Squared distance (mm²) from each set voxel to the nearest unset one (the array's edge is no
 * boundary; Infinity when every voxel is set), 0 at unset voxels: the transform of the complement.
 * The nearest unset voxel lies within the mask's box grown by one voxel (the grown faces are unset),
 * so only that box is transformed.
 */
export function squaredDepthInside(mask: Uint8Array, dims: Vec3, spacingMm: Vec3): Float64Array {
  const box = labelBoundingBox({ dims, voxels: mask });
  if (!box) return new Float64Array(mask.length);
  return squaredDistanceToFeatures(mask, dims, spacingMm, { box: padBoundingBox(box, dims, 1), outside: 0, unsetAreFeatures: true });
}

/** Dilation by a ball of radius r (mm): voxels within r of the set. */
export function dilateMm(mask: Uint8Array, dims: Vec3, spacingMm: Vec3, radiusMm: number): Uint8Array {
  const d = squaredDistanceToFeatures(mask, dims, spacingMm, { limitMm: radiusMm });
  const r2 = radiusMm * radiusMm;
  const out = new Uint8Array(mask.length);
  for (let i = 0; i < d.length; i++) out[i] = d[i] <= r2 ? 1 : 0;
  return out;
}

/** Erosion by a ball of radius r (mm): voxels farther than r from the complement (the array edge is no boundary). */
export function erodeMm(mask: Uint8Array, dims: Vec3, spacingMm: Vec3, radiusMm: number): Uint8Array {
  const d = squaredDistanceToFeatures(mask, dims, spacingMm, { unsetAreFeatures: true, limitMm: radiusMm });
  const r2 = radiusMm * radiusMm;
  const out = new Uint8Array(mask.length);
  for (let i = 0; i < d.length; i++) out[i] = mask[i] && d[i] > r2 ? 1 : 0;
  return out;
}

/** Closing (dilate, then erode) by a ball of radius r mm: fills gaps and bites narrower than the ball. */
export function closeMm(mask: Uint8Array, dims: Vec3, spacingMm: Vec3, radiusMm: number): Uint8Array {
  return erodeMm(dilateMm(mask, dims, spacingMm, radiusMm), dims, spacingMm, radiusMm);
}

/**
 * Closing by a large ball on a grid coarsened 2× along every axis finer than 0.9 mm (a voxel is set
 * when at least half of its block is), brought back to the fine grid and united with the mask:
 * for balls of 10 mm and more the result differs from closeMm by at most a fine voxel at the
 * bridged surface, at an eighth to a half of the cost.
 */
export function closeMmCoarse(mask: Uint8Array, dims: Vec3, spacingMm: Vec3, radiusMm: number): Uint8Array {
  const factor = spacingMm.map((s) => (s < 0.9 ? 2 : 1)) as Vec3;
  if (factor.every((f) => f === 1)) return closeMm(mask, dims, spacingMm, radiusMm);
  const [nx, ny, nz] = dims;
  const coarseDims = dims.map((n, a) => Math.ceil(n / factor[a])) as Vec3;
  const [cx, cy] = coarseDims;
  const counts = new Uint8Array(coarseDims[0] * coarseDims[1] * coarseDims[2]);
  const totals = new Uint8Array(counts.length);
  // Coarse offsets per fine index along each axis, so the inner loops only add.
  const ci = Int32Array.from({ length: nx }, (_, i) => Math.floor(i / factor[0]));
  const cj = Int32Array.from({ length: ny }, (_, j) => cx * Math.floor(j / factor[1]));
  const ck = Int32Array.from({ length: nz }, (_, k) => cx * cy * Math.floor(k / factor[2]));
  for (let k = 0, o = 0; k < nz; k++)
    for (let j = 0; j < ny; j++) {
      const row = ck[k] + cj[j];
      for (let i = 0; i < nx; i++, o++) {
        const c = row + ci[i];
        totals[c]++;
        counts[c] += mask[o] ? 1 : 0;
      }
    }
  const coarse = new Uint8Array(counts.length);
  for (let c = 0; c < coarse.length; c++) coarse[c] = 2 * counts[c] >= totals[c] ? 1 : 0;
  const closed = closeMm(coarse, coarseDims, spacingMm.map((s, a) => s * factor[a]) as Vec3, radiusMm);
  const out = new Uint8Array(mask.length);
  for (let k = 0, o = 0; k < nz; k++)
    for (let j = 0; j < ny; j++) {
      const row = ck[k] + cj[j];
      for (let i = 0; i < nx; i++, o++) out[o] = mask[o] || closed[row + ci[i]] ? 1 : 0;
    }
  return out;
}

/**
 * closeMmEdgeReplicated(mask, dims, spacingMm, radiusMm, closeMmCoarse), bit for bit, without the
 * padded fine grid: each coarse voxel's count of set fine voxels is summed straight from the mask
 * (a padded voxel reads the nearest edge voxel), first along rows, then over the block's rows;
 * after the coarse closing, only the mask's own grid is read back.
 */
export function closeMmCoarseEdgeReplicated(mask: Uint8Array, dims: Vec3, spacingMm: Vec3, radiusMm: number): Uint8Array {
  const factor = spacingMm.map((s) => (s < 0.9 ? 2 : 1)) as Vec3;
  if (factor.every((f) => f === 1)) return closeMmEdgeReplicated(mask, dims, spacingMm, radiusMm, closeMm);
  const pad = spacingMm.map((s, a) => (dims[a] > 1 ? Math.ceil(radiusMm / s) : 0)) as Vec3;
  const grid = coarsePaddedGrid(dims, pad, factor);
  const coarse = coarsenEdgeReplicated(mask, dims, grid);
  const closed = closeMm(coarse, grid.coarseDims, spacingMm.map((s, a) => s * factor[a]) as Vec3, radiusMm);
  return uniteWithCoarse(mask, dims, closed, grid);
}

/** The coarse grid of a mask padded by `pad` voxels per side and coarsened by `factor` (see closeMmCoarseEdgeReplicated). */
interface CoarsePaddedGrid {
  pad: Vec3;
  factor: Vec3;
  coarseDims: Vec3;
  /** Per axis: the mask index each padded index reads (the nearest inside the mask). */
  source: [Int32Array, Int32Array, Int32Array];
  /** Per axis: how many padded indices each coarse index holds. */
  blockSize: [Int32Array, Int32Array, Int32Array];
}

function coarsePaddedGrid(dims: Vec3, pad: Vec3, factor: Vec3): CoarsePaddedGrid {
  const padded = dims.map((n, a) => n + 2 * pad[a]) as Vec3;
  const coarseDims = padded.map((n, a) => Math.ceil(n / factor[a])) as Vec3;
  const perAxis = (make: (a: number) => Int32Array) => [make(0), make(1), make(2)] as [Int32Array, Int32Array, Int32Array];
  return {
    pad,
    factor,
    coarseDims,
    source: perAxis((a) => Int32Array.from({ length: padded[a] }, (_, p) => Math.min(dims[a] - 1, Math.max(0, p - pad[a])))),
    blockSize: perAxis((a) => Int32Array.from({ length: coarseDims[a] }, (_, c) => Math.min(factor[a], padded[a] - c * factor[a]))),
  };
}

/** The coarse mask: a coarse voxel is set when at least half of its padded fine voxels are. */
function coarsenEdgeReplicated(mask: Uint8Array, dims: Vec3, grid: CoarsePaddedGrid): Uint8Array {
  const [nx, ny, nz] = dims;
  const [cx, cy, cz] = grid.coarseDims;
  const [fx, fy, fz] = grid.factor;
  const [sourceI, sourceJ, sourceK] = grid.source;
  const [blockI, blockJ, blockK] = grid.blockSize;
  // Set voxels per coarse column of each mask row.
  const rowCounts = new Uint8Array(cx * ny * nz);
  for (let r = 0; r < ny * nz; r++) {
    const from = r * nx;
    const to = r * cx;
    for (let p = 0; p < sourceI.length; p++) rowCounts[to + Math.floor(p / fx)] += mask[from + sourceI[p]] ? 1 : 0;
  }
  const coarse = new Uint8Array(cx * cy * cz);
  const counts = new Uint16Array(cx);
  for (let ck = 0; ck < cz; ck++)
    for (let cj = 0; cj < cy; cj++) {
      counts.fill(0);
      for (let k = ck * fz; k < ck * fz + blockK[ck]; k++)
        for (let j = cj * fy; j < cj * fy + blockJ[cj]; j++) {
          const row = (sourceJ[j] + ny * sourceK[k]) * cx;
          for (let ci = 0; ci < cx; ci++) counts[ci] += rowCounts[row + ci];
        }
      const blockRows = blockJ[cj] * blockK[ck];
      for (let ci = 0, c = cx * (cj + cy * ck); ci < cx; ci++, c++) coarse[c] = 2 * counts[ci] >= blockRows * blockI[ci] ? 1 : 0;
    }
  return coarse;
}

/** The mask united with the closed coarse mask, read back on the mask's own grid. */
function uniteWithCoarse(mask: Uint8Array, dims: Vec3, closed: Uint8Array, grid: CoarsePaddedGrid): Uint8Array {
  const [nx, ny, nz] = dims;
  const [cx, cy] = grid.coarseDims;
  const { pad, factor } = grid;
  const out = new Uint8Array(mask.length);
  const ci = Int32Array.from({ length: nx }, (_, i) => Math.floor((i + pad[0]) / factor[0]));
  for (let k = 0, o = 0; k < nz; k++)
    for (let j = 0; j < ny; j++) {
      const row = cx * (Math.floor((j + pad[1]) / factor[1]) + cy * Math.floor((k + pad[2]) / factor[2]));
      for (let i = 0; i < nx; i++, o++) out[o] = mask[o] || closed[row + ci[i]] ? 1 : 0;
    }
  return out;
}

/**
 * A closing that treats the array's edge as if the image went on unchanged beyond it: the mask is
 * padded by the ball's radius with its edge voxels repeated (replicate padding), closed, and cropped
 * back. Without it a narrow band of chest wall between the lung and the edge of a tight crop is
 * bridged over as if lung lay beyond the edge. `close` is closeMm or closeMmCoarse.
 */
export function closeMmEdgeReplicated(
  mask: Uint8Array,
  dims: Vec3,
  spacingMm: Vec3,
  radiusMm: number,
  close: (mask: Uint8Array, dims: Vec3, spacingMm: Vec3, radiusMm: number) => Uint8Array = closeMm,
): Uint8Array {
  const pad = spacingMm.map((s, a) => (dims[a] > 1 ? Math.ceil(radiusMm / s) : 0)) as Vec3;
  const [nx, ny, nz] = dims;
  const padded = dims.map((n, a) => n + 2 * pad[a]) as Vec3;
  const [px, py, pz] = padded;
  const clamp = (v: number, n: number) => (v < 0 ? 0 : v >= n ? n - 1 : v);
  const big = new Uint8Array(px * py * pz);
  for (let k = 0, o = 0; k < pz; k++) {
    const sk = clamp(k - pad[2], nz);
    for (let j = 0; j < py; j++) {
      const row = nx * (clamp(j - pad[1], ny) + ny * sk);
      for (let i = 0; i < px; i++, o++) big[o] = mask[row + clamp(i - pad[0], nx)];
    }
  }
  const closed = close(big, padded, spacingMm, radiusMm);
  const out = new Uint8Array(mask.length);
  for (let k = 0, o = 0; k < nz; k++)
    for (let j = 0; j < ny; j++) {
      const row = pad[0] + px * (j + pad[1] + py * (k + pad[2]));
      for (let i = 0; i < nx; i++, o++) out[o] = closed[row + i];
    }
  return out;
}
