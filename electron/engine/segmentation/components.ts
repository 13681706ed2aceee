import type { Vec3 } from '../imaging/vec.js';
import { labelBoundingBox, padBoundingBox } from '../imaging/volume.js';

/** Neighbour offsets: 6-connectivity (faces) or 26-connectivity (faces, edges, corners). */
export type Connectivity = 6 | 26;

/** The neighbour offsets per axis, and as index steps on a grid (valid where every neighbour is inside it). */
interface NeighbourSteps {
  di: Int32Array;
  dj: Int32Array;
  dk: Int32Array;
  step: Int32Array;
}

function neighbourSteps(dims: Vec3, connectivity: Connectivity): NeighbourSteps {
  const offsets: Vec3[] = [];
  for (let dz = -1; dz <= 1; dz++)
    for (let dy = -1; dy <= 1; dy++)
      for (let dx = -1; dx <= 1; dx++) {
        const n = Math.abs(dx) + Math.abs(dy) + Math.abs(dz);
        if (n === 0 || (connectivity === 6 && n > 1)) continue;
        offsets.push([dx, dy, dz]);
      }
  return {
    di: Int32Array.from(offsets, (d) => d[0]),
    dj: Int32Array.from(offsets, (d) => d[1]),
    dk: Int32Array.from(offsets, (d) => d[2]),
    step: Int32Array.from(offsets, (d) => d[0] + dims[0] * (d[1] + dims[1] * d[2])),
  };
}

/** The neighbour `s` of voxel o at (i, j, k), or −1 when it lies outside the grid. */
function neighbourOf(steps: NeighbourSteps, s: number, o: number, i: number, j: number, k: number, dims: Vec3): number {
  const a = i + steps.di[s];
  const b = j + steps.dj[s];
  const c = k + steps.dk[s];
  if (a < 0 || b < 0 || c < 0 || a >= dims[0] || b >= dims[1] || c >= dims[2]) return -1;
  return o + steps.step[s];
}

/**
 * Flood fill from seed voxels through voxels where `accept(index)` is true; returns the filled set.
 * Breadth-first with a typed queue (no per-voxel allocation).
 */
export function floodFill(dims: Vec3, seeds: number[], accept: (index: number) => boolean, connectivity: Connectivity = 6): Uint8Array {
  const [nx, ny, nz] = dims;
  const plane = nx * ny;
  const out = new Uint8Array(nx * ny * nz);
  const queue = new Int32Array(out.length);
  let head = 0;
  let tail = 0;
  for (const s of seeds)
    if (!out[s] && accept(s)) {
      out[s] = 1;
      queue[tail++] = s;
    }
  if (connectivity === 6) {
    // The common case, unrolled: the six face neighbours by index offset.
    const visit = (q: number) => {
      if (!out[q] && accept(q)) {
        out[q] = 1;
        queue[tail++] = q;
      }
    };
    while (head < tail) {
      const o = queue[head++];
      const k = Math.floor(o / plane);
      const j = Math.floor((o - k * plane) / nx);
      const i = o - k * plane - j * nx;
      if (i > 0) visit(o - 1);
      if (i < nx - 1) visit(o + 1);
      if (j > 0) visit(o - nx);
      if (j < ny - 1) visit(o + nx);
      if (k > 0) visit(o - plane);
      if (k < nz - 1) visit(o + plane);
    }
    return out;
  }
  const steps = neighbourSteps(dims, connectivity);
  while (head < tail) {
    const o = queue[head++];
    const k = Math.floor(o / plane);
    const j = Math.floor((o - k * plane) / nx);
    const i = o - k * plane - j * nx;
    const interior = i > 0 && j > 0 && k > 0 && i < nx - 1 && j < ny - 1 && k < nz - 1;
    for (let s = 0; s < steps.step.length; s++) {
      const q = interior ? o + steps.step[s] : neighbourOf(steps, s, o, i, j, k, dims);
      if (q < 0 || out[q] || !accept(q)) continue;
      out[q] = 1;
      queue[tail++] = q;
    }
  }
  return out;
}

/** Labels connected components of a mask (1, 2, …); returns labels and each component's voxel count (index = label). */
export function labelComponents(mask: Uint8Array, dims: Vec3, connectivity: Connectivity = 26): { labels: Int32Array; sizes: number[] } {
  const [nx, ny, nz] = dims;
  const plane = nx * ny;
  const labels = new Int32Array(mask.length);
  const sizes = [0];
  const queue = new Int32Array(mask.length);
  const steps = neighbourSteps(dims, connectivity);
  for (let start = 0; start < mask.length; start++) {
    if (!mask[start] || labels[start]) continue;
    const label = sizes.length;
    let head = 0;
    let tail = 0;
    labels[start] = label;
    queue[tail++] = start;
    while (head < tail) {
      const o = queue[head++];
      const k = Math.floor(o / plane);
      const j = Math.floor((o - k * plane) / nx);
      const i = o - k * plane - j * nx;
      const interior = i > 0 && j > 0 && k > 0 && i < nx - 1 && j < ny - 1 && k < nz - 1;
      for (let s = 0; s < steps.step.length; s++) {
        const q = interior ? o + steps.step[s] : neighbourOf(steps, s, o, i, j, k, dims);
        if (q < 0 || !mask[q] || labels[q]) continue;
        labels[q] = label;
        queue[tail++] = q;
      }
    }
    sizes.push(tail);
  }
  return { labels, sizes };
}

/**
 * Keeps only the component that contains `index` (or the largest one when index is −1). The
 * component of a given voxel is found by filling from it alone; only the largest needs every label.
 */
export function keepComponent(mask: Uint8Array, dims: Vec3, index: number, connectivity: Connectivity = 26): Uint8Array {
  if (index >= 0) return mask[index] ? floodFill(dims, [index], (q) => mask[q] !== 0, connectivity) : new Uint8Array(mask.length);
  const { labels, sizes } = labelComponents(mask, dims, connectivity);
  let keep = index >= 0 ? labels[index] : 0;
  if (index < 0) for (let l = 1; l < sizes.length; l++) if (sizes[l] > (sizes[keep] ?? 0)) keep = l;
  const out = new Uint8Array(mask.length);
  if (!keep) return out;
  for (let i = 0; i < mask.length; i++) out[i] = labels[i] === keep ? 1 : 0;
  return out;
}

/** Removes components smaller than `minVoxels`. */
export function removeSmallComponents(mask: Uint8Array, dims: Vec3, minVoxels: number, connectivity: Connectivity = 26): Uint8Array {
  const { labels, sizes } = labelComponents(mask, dims, connectivity);
  const out = new Uint8Array(mask.length);
  for (let i = 0; i < mask.length; i++) out[i] = labels[i] && sizes[labels[i]] >= minVoxels ? 1 : 0;
  return out;
}

/**
 * Fills cavities: background voxels not connected (6-connectivity) to the array border become
 * foreground (axes of length 1 have no border).
 *
 * Only the mask's bounding box grown by one voxel is searched: every background voxel outside the
 * mask's box reaches the border along a straight line that stays outside it, so the grown box's
 * faces stand for the border (where the box reaches the array's edge, the edge is the border itself).
 */
export function fillHoles3d(mask: Uint8Array, dims: Vec3): Uint8Array {
  const out = new Uint8Array(mask.length);
  const box = labelBoundingBox({ dims, voxels: mask });
  const { minIjk: lo, maxIjk: hi } = box ? padBoundingBox(box, dims, 1) : { minIjk: [0, 0, 0], maxIjk: dims.map((n) => n - 1) };
  const [nx, ny] = dims;
  const plane = nx * ny;
  const reached = new Uint8Array(mask.length);
  const queue = new Int32Array((hi[0] - lo[0] + 1) * (hi[1] - lo[1] + 1) * (hi[2] - lo[2] + 1));
  let tail = 0;
  // Seeds: background voxels on the grown box's faces that lie beyond the mask's box or on the border.
  const isSeedFace = (axis: number, v: number) => dims[axis] > 1 && (v === lo[axis] || v === hi[axis]);
  for (let k = lo[2]; k <= hi[2]; k++)
    for (let j = lo[1]; j <= hi[1]; j++)
      for (let i = lo[0], o = i + nx * (j + ny * k); i <= hi[0]; i++, o++)
        if (!mask[o] && (isSeedFace(0, i) || isSeedFace(1, j) || isSeedFace(2, k))) {
          reached[o] = 1;
          queue[tail++] = o;
        }
  const visit = (q: number) => {
    if (!mask[q] && !reached[q]) {
      reached[q] = 1;
      queue[tail++] = q;
    }
  };
  for (let head = 0; head < tail; head++) {
    const o = queue[head];
    const k = Math.floor(o / plane);
    const j = Math.floor((o - k * plane) / nx);
    const i = o - k * plane - j * nx;
    if (i > lo[0]) visit(o - 1);
    if (i < hi[0]) visit(o + 1);
    if (j > lo[1]) visit(o - nx);
    if (j < hi[1]) visit(o + nx);
    if (k > lo[2]) visit(o - plane);
    if (k < hi[2]) visit(o + plane);
  }
  for (let k = lo[2]; k <= hi[2]; k++)
    for (let j = lo[1]; j <= hi[1]; j++) for (let i = lo[0], o = i + nx * (j + ny * k); i <= hi[0]; i++, o++) out[o] = reached[o] ? 0 : 1;
  return out;
}

/** Fills holes slice by slice in the axial (k) planes (4-connectivity background). */
export function fillHolesAxial(mask: Uint8Array, dims: Vec3): Uint8Array {
  const [nx, ny, nz] = dims;
  const plane = nx * ny;
  const out = mask.slice();
  const slice = new Uint8Array(plane);
  for (let k = 0; k < nz; k++) {
    const base = k * plane;
    let any = false;
    for (let p = 0; p < plane; p++) any ||= mask[base + p] === 1;
    if (!any) continue;
    slice.set(mask.subarray(base, base + plane));
    const filled = fillHoles3d(slice, [nx, ny, 1]);
    out.set(filled, base);
  }
  return out;
}
