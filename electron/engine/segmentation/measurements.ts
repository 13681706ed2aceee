import type { ImageGrid } from '../imaging/grid.js';
import { type Vec3, column, dot } from '../imaging/vec.js';
import { type BoundingBox, type Volume, labelBoundingBox } from '../imaging/volume.js';
import { noduleBody, solidComponent } from './solid-component.js';

/** Default HU above which tumour tissue counts as solid (consolidation) for the CTR. */
export const SOLID_THRESHOLD_HU = -300;

export interface NoduleMeasurements {
  voxelCount: number;
  volumeMl: number;
  /** Longest in-plane diameter of the nodule's body (spicules excluded) over all axial slices, edge to edge (mm), and its slice. */
  longestAxialDiameterMm: number;
  longestAxialSlice: number;
  /** Longest axial diameter of the solid component (voxels ≥ solidThresholdHu, see solid-component.ts) (mm). */
  solidDiameterMm: number;
  /** Consolidation-to-tumour ratio: solid diameter / tumour diameter. */
  ctr: number;
  meanHu: number;
  solidThresholdHu: number;
}

/**
 * Volume, longest axial diameter, solid-component diameter and CTR of a mask on a CT, the way a
 * radiologist measures them: the longest line within any axial slice, edge to edge (the convex
 * hull of the pixels' corners), of the nodule's body (spicules excluded) and of its solid component
 * (the consolidation without spicules and vessels); see solid-component.ts.
 */
export function measureNodule(
  mask: Uint8Array,
  ct: Volume | null,
  grid: ImageGrid,
  solidThresholdHu = SOLID_THRESHOLD_HU,
  /** A box known to hold every set voxel (the mask's box is then looked for in it only). */
  searchBox?: BoundingBox,
): NoduleMeasurements {
  // Every measurement is local to the mask: measured on its bounding box (and a margin of the CT
  // around it), not the whole grid, which spares a brush edit several whole-volume passes.
  const crop = cropAroundMask(mask, ct?.voxels ?? null, grid.dims, MEASURE_MARGIN, searchBox);
  if (!crop) return { voxelCount: 0, volumeMl: 0, longestAxialDiameterMm: 0, longestAxialSlice: -1, solidDiameterMm: 0, ctr: 0, meanHu: NaN, solidThresholdHu };
  const m = measureOnGrid(crop.mask, crop.hu, { ...grid, dims: crop.dims }, solidThresholdHu);
  return m.longestAxialSlice >= 0 ? { ...m, longestAxialSlice: m.longestAxialSlice + crop.lo[2] } : m;
}

/**
 * Voxels of margin kept around the mask's box: the opening and the solid component read one voxel
 * beyond it (solid-component.ts's padded box); the crop's edge then lies where the image's edge is
 * or where the full grid would be read the same.
 */
const MEASURE_MARGIN = 2;

/**
 * Inclusive voxel-index box [lo, hi] of the mask's non-zero voxels (i fastest), or null when there are none;
 * only `searchBox` is scanned when one is given (it must hold every set voxel).
 */
export function maskBox(
  mask: Uint8Array,
  dims: [number, number, number],
  searchBox?: BoundingBox,
): [[number, number, number], [number, number, number]] | null {
  const box = searchBox ? boxWithin(mask, dims, searchBox) : labelBoundingBox({ dims, voxels: mask });
  return box && [box.minIjk, box.maxIjk];
}

/** The bounding box of the set voxels that lie within `searchBox`, or null. */
function boxWithin(mask: Uint8Array, dims: Vec3, searchBox: BoundingBox): BoundingBox | null {
  const { minIjk: lo, maxIjk: hi } = searchBox;
  const sub: Vec3 = [hi[0] - lo[0] + 1, hi[1] - lo[1] + 1, hi[2] - lo[2] + 1];
  const part = new Uint8Array(sub[0] * sub[1] * sub[2]);
  for (let k = 0, q = 0; k < sub[2]; k++)
    for (let j = 0; j < sub[1]; j++, q += sub[0]) {
      const row = lo[0] + dims[0] * (lo[1] + j + dims[1] * (lo[2] + k));
      part.set(mask.subarray(row, row + sub[0]), q);
    }
  const box = labelBoundingBox({ dims: sub, voxels: part });
  return box && { minIjk: box.minIjk.map((v, a) => v + lo[a]) as Vec3, maxIjk: box.maxIjk.map((v, a) => v + lo[a]) as Vec3 };
}

/**
 * The mask's bounding box grown by `margin` (clipped to the grid), with the mask's and the CT's
 * voxels in it (i fastest); null for an empty mask.
 */
export function cropAroundMask(
  mask: Uint8Array,
  hu: ArrayLike<number> | null,
  dims: [number, number, number],
  margin: number,
  searchBox?: BoundingBox,
): { lo: [number, number, number]; dims: [number, number, number]; mask: Uint8Array; hu: Float32Array | null } | null {
  const [nx, ny] = dims;
  const box = maskBox(mask, dims, searchBox);
  if (!box) return null;
  const [lo, hi] = box;
  const from = lo.map((v) => Math.max(0, v - margin)) as [number, number, number];
  const to = hi.map((v, a) => Math.min(dims[a] - 1, v + margin));
  const size = to.map((v, a) => v - from[a] + 1) as [number, number, number];
  const out = new Uint8Array(size[0] * size[1] * size[2]);
  const outHu = hu ? new Float32Array(out.length) : null;
  for (let k = 0, q = 0; k < size[2]; k++)
    for (let j = 0; j < size[1]; j++) {
      const row = from[0] + nx * (from[1] + j + ny * (from[2] + k));
      for (let i = 0; i < size[0]; i++, q++) {
        out[q] = mask[row + i];
        if (outHu) outHu[q] = hu![row + i];
      }
    }
  return { lo: from, dims: size, mask: out, hu: outHu };
}

/** The measurements of `mask` on `grid` (whole or cropped; the slice is the grid's), HU from `hu` when given. */
function measureOnGrid(mask: Uint8Array, hu: ArrayLike<number> | null, grid: ImageGrid, solidThresholdHu: number): NoduleMeasurements {
  const voxelMl = (grid.spacingMm[0] * grid.spacingMm[1] * grid.spacingMm[2]) / 1000;
  let count = 0;
  let huSum = 0;
  for (let i = 0; i < mask.length; i++) {
    if (!mask[i]) continue;
    count++;
    if (hu) huSum += hu[i];
  }
  const total = longestAxialDiameter(noduleBody(mask, grid.dims, grid.spacingMm), grid);
  const solidD = hu ? longestAxialDiameter(solidComponent(mask, hu, grid.dims, grid.spacingMm, solidThresholdHu), grid).diameterMm : 0;
  return {
    voxelCount: count,
    volumeMl: count * voxelMl,
    longestAxialDiameterMm: total.diameterMm,
    longestAxialSlice: total.slice,
    solidDiameterMm: solidD,
    ctr: total.diameterMm > 0 ? Math.min(1, solidD / total.diameterMm) : 0,
    meanHu: count && hu ? huSum / count : NaN,
    solidThresholdHu,
  };
}

/** Longest edge-to-edge distance within one axial slice of a mask, over all slices. */
export function longestAxialDiameter(mask: Uint8Array, grid: ImageGrid): { diameterMm: number; slice: number } {
  const [nx, ny, nz] = grid.dims;
  const rowDir = column(grid.direction, 0);
  const colDir = column(grid.direction, 1);
  // In-plane coordinates (along the row and column directions) of one index step in i and in j.
  const [sx, sy] = grid.spacingMm;
  const x0 = sx * dot(rowDir, rowDir);
  const x1 = sy * dot(colDir, rowDir);
  const y0 = sx * dot(rowDir, colDir);
  const y1 = sy * dot(colDir, colDir);
  let best = { diameterMm: 0, slice: -1 };
  const xs: number[] = [];
  const ys: number[] = [];
  for (let k = 0; k < nz; k++) {
    xs.length = 0;
    ys.length = 0;
    const base = k * nx * ny;
    for (let j = 0; j < ny; j++)
      for (let i = 0; i < nx; i++) {
        const o = base + i + nx * j;
        if (!mask[o]) continue;
        // Only boundary pixels can be hull vertices.
        if (i > 0 && i < nx - 1 && j > 0 && j < ny - 1 && mask[o - 1] && mask[o + 1] && mask[o - nx] && mask[o + nx]) continue;
        for (const [ci, cj] of [
          [-0.5, -0.5],
          [0.5, -0.5],
          [-0.5, 0.5],
          [0.5, 0.5],
        ]) {
          const a = i + ci;
          const b = j + cj;
          xs.push(a * x0 + b * x1);
          ys.push(a * y0 + b * y1);
        }
      }
    if (!xs.length) continue;
    const d = hullDiameter(xs, ys);
    if (d > best.diameterMm) best = { diameterMm: d, slice: k };
  }
  return best;
}

/** Diameter of a point set: convex hull (Andrew's monotone chain), then the farthest pair of hull vertices. */
function hullDiameter(xs: number[], ys: number[]): number {
  const idx = xs.map((_, i) => i).sort((a, b) => xs[a] - xs[b] || ys[a] - ys[b]);
  const crossZ = (o: number, a: number, b: number) => (xs[a] - xs[o]) * (ys[b] - ys[o]) - (ys[a] - ys[o]) * (xs[b] - xs[o]);
  const lower: number[] = [];
  for (const p of idx) {
    while (lower.length >= 2 && crossZ(lower[lower.length - 2], lower[lower.length - 1], p) <= 0) lower.pop();
    lower.push(p);
  }
  const upper: number[] = [];
  for (let t = idx.length - 1; t >= 0; t--) {
    const p = idx[t];
    while (upper.length >= 2 && crossZ(upper[upper.length - 2], upper[upper.length - 1], p) <= 0) upper.pop();
    upper.push(p);
  }
  const hull = [...lower.slice(0, -1), ...upper.slice(0, -1)];
  let best = 0;
  for (let a = 0; a < hull.length; a++)
    for (let b = a + 1; b < hull.length; b++) best = Math.max(best, Math.hypot(xs[hull[a]] - xs[hull[b]], ys[hull[a]] - ys[hull[b]]));
  return best;
}

/** Dice overlap 2|A∩B| / (|A| + |B|) of two masks on one grid. */
export function dice(a: Uint8Array, b: Uint8Array): number {
  let inter = 0;
  let sa = 0;
  let sb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ? 1 : 0;
    const y = b[i] ? 1 : 0;
    inter += x & y;
    sa += x;
    sb += y;
  }
  return sa + sb === 0 ? 1 : (2 * inter) / (sa + sb);
}
