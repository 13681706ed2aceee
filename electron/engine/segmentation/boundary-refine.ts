/**
 * Local-contrast boundary refinement of a grown nodule mask.
 *
 * A global threshold puts a nodule's edge at one HU level, but the contrast between a nodule and its
 * surroundings varies around it (denser dependent lung, a vessel's partial volume, ground glass on one
 * side), and noise makes the thresholded edge ragged. Each voxel of the mask's edge band — a voxel with
 * an in-plane 8-neighbour on the other side of the edge — is decided again against the contrast around it:
 *
 *   inside  ⇔  v ≥ μout + f · (μin − μout)
 *
 * where μin and μout are the mean (smoothed) values of the mask's and the other voxels within `windowMm`,
 * leaving out what is not nodule or lung: voxels above the vessel cut (vessels, calcification) and air
 * below −1000 HU. f = 0.5 would be the local half-maximum; readers outline a nodule's outer edge, nearer the lung
 * (f < 0.5). One pass; only the band changes, so the mask moves by at most one voxel in-plane.
 */
import type { Vec3 } from '../imaging/vec.js';
import { labelBoundingBox, padBoundingBox } from '../imaging/volume.js';

export interface BoundaryRefineOptions {
  /** Radius (mm) of the neighbourhood whose inside and outside means set a voxel's level. */
  windowMm: number;
  /** Where between the local outside mean (0) and inside mean (1) the edge lies. */
  fraction: number;
  /** Values above this (the vessel cut) count in neither mean. */
  ceilingHu: number;
}

/** Air below this counts in neither mean (outside the body, the trachea). */
const AIR_HU = -1000;

export function refineBoundaryByLocalContrast(
  region: Uint8Array,
  values: Float32Array,
  dims: Vec3,
  spacingMm: Vec3,
  allowed: Uint8Array,
  options: BoundaryRefineOptions,
): Uint8Array {
  const [nx, ny, nz] = dims;
  const offsets = windowOffsets(dims, spacingMm, options.windowMm);
  // The same offsets as index steps, for voxels whose whole window lies inside the grid.
  const steps = new Int32Array(offsets.length / 3);
  for (let w = 0; w < steps.length; w++) steps[w] = offsets[3 * w] + nx * (offsets[3 * w + 1] + ny * offsets[3 * w + 2]);
  const reach = [0, 1, 2].map((a) => offsets.reduce((m, v, w) => (w % 3 === a ? Math.max(m, Math.abs(v)) : m), 0));
  const out = region.slice();
  // Edge voxels lie within the mask's box grown by one voxel in-plane.
  const box = labelBoundingBox({ dims, voxels: region });
  if (!box) return out;
  const { minIjk: lo, maxIjk: hi } = padBoundingBox(box, dims, [1, 1, 0]);
  for (let k = lo[2]; k <= hi[2]; k++)
    for (let j = lo[1]; j <= hi[1]; j++)
      for (let i = lo[0]; i <= hi[0]; i++) {
        const o = i + nx * (j + ny * k);
        if (!allowed[o] || !onInPlaneEdge(region, nx, ny, i, j, k)) continue;
        const inside = i >= reach[0] && j >= reach[1] && k >= reach[2] && i < nx - reach[0] && j < ny - reach[1] && k < nz - reach[2];
        const m = inside
          ? windowMeansInside(region, values, o, steps, options.ceilingHu)
          : windowMeansAtEdge(region, values, dims, i, j, k, offsets, options.ceilingHu);
        if (!m.countIn || !m.countOut) continue;
        const outside = m.sumOut / m.countOut;
        const level = outside + options.fraction * (m.sumIn / m.countIn - outside);
        out[o] = values[o] >= level ? 1 : 0;
      }
  return out;
}

/** Sums and counts of the window's inside and outside values (below the ceiling; outside above air), in the offsets' order. */
interface WindowSums {
  sumIn: number;
  countIn: number;
  sumOut: number;
  countOut: number;
}

/** The window's sums for a voxel whose whole window lies inside the grid: offsets as index steps, no bounds checks. */
function windowMeansInside(region: Uint8Array, values: Float32Array, o: number, steps: Int32Array, ceilingHu: number): WindowSums {
  const sums: WindowSums = { sumIn: 0, countIn: 0, sumOut: 0, countOut: 0 };
  for (let w = 0; w < steps.length; w++) addToWindow(sums, region[o + steps[w]], values[o + steps[w]], ceilingHu);
  return sums;
}

/** One window value into the sums: inside the region, or outside it above air; a value above the ceiling is left out. */
function addToWindow(sums: WindowSums, inside: number, v: number, ceilingHu: number): void {
  if (v > ceilingHu) return;
  if (inside) {
    sums.sumIn += v;
    sums.countIn++;
  } else if (v > AIR_HU) {
    sums.sumOut += v;
    sums.countOut++;
  }
}

/** The window's sums near the grid's edge: offsets that leave the grid are skipped. */
function windowMeansAtEdge(
  region: Uint8Array,
  values: Float32Array,
  dims: Vec3,
  i: number,
  j: number,
  k: number,
  offsets: Int32Array,
  ceilingHu: number,
): WindowSums {
  const [nx, ny, nz] = dims;
  const sums: WindowSums = { sumIn: 0, countIn: 0, sumOut: 0, countOut: 0 };
  for (let w = 0; w < offsets.length; w += 3) {
    const a = i + offsets[w];
    const b = j + offsets[w + 1];
    const c = k + offsets[w + 2];
    if (a < 0 || b < 0 || c < 0 || a >= nx || b >= ny || c >= nz) continue;
    const q = a + nx * (b + ny * c);
    addToWindow(sums, region[q], values[q], ceilingHu);
  }
  return sums;
}

/** True when an in-plane 8-neighbour of (i, j, k) lies on the other side of the mask's edge. */
function onInPlaneEdge(region: Uint8Array, nx: number, ny: number, i: number, j: number, k: number): boolean {
  const here = region[i + nx * (j + ny * k)];
  for (let dj = -1; dj <= 1; dj++)
    for (let di = -1; di <= 1; di++) {
      const a = i + di;
      const b = j + dj;
      if ((di || dj) && a >= 0 && b >= 0 && a < nx && b < ny && region[a + nx * (b + ny * k)] !== here) return true;
    }
  return false;
}

/** Voxel offsets within a ball of `radiusMm`, as (di, dj, dk) triples. */
function windowOffsets(dims: Vec3, spacingMm: Vec3, radiusMm: number): Int32Array {
  const reach = spacingMm.map((s, a) => Math.min(dims[a] - 1, Math.floor(radiusMm / s)));
  const offsets: number[] = [];
  for (let dk = -reach[2]; dk <= reach[2]; dk++)
    for (let dj = -reach[1]; dj <= reach[1]; dj++)
      for (let di = -reach[0]; di <= reach[0]; di++)
        if ((di * spacingMm[0]) ** 2 + (dj * spacingMm[1]) ** 2 + (dk * spacingMm[2]) ** 2 <= radiusMm * radiusMm) offsets.push(di, dj, dk);
  return Int32Array.from(offsets);
}
