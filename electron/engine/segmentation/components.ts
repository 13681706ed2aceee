import type { Vec3 } from '../imaging/vec.js';

/** Neighbour offsets: 6-connectivity (faces) or 26-connectivity (faces, edges, corners). */
export type Connectivity = 6 | 26;

function neighbourOffsets(connectivity: Connectivity): Vec3[] {
  const out: Vec3[] = [];
  for (let dz = -1; dz <= 1; dz++)
    for (let dy = -1; dy <= 1; dy++)
      for (let dx = -1; dx <= 1; dx++) {
        const n = Math.abs(dx) + Math.abs(dy) + Math.abs(dz);
        if (n === 0 || (connectivity === 6 && n > 1)) continue;
        out.push([dx, dy, dz]);
      }
  return out;
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
  const offsets = neighbourOffsets(connectivity);
  while (head < tail) {
    const o = queue[head++];
    const k = Math.floor(o / plane);
    const j = Math.floor((o - k * plane) / nx);
    const i = o - k * plane - j * nx;
    for (const [dx, dy, dz] of offsets) {
      const a = i + dx;
      const b = j + dy;
      const c = k + dz;
      if (a < 0 || b < 0 || c < 0 || a >= nx || b >= ny || c >= nz) continue;
      const q = a + nx * (b + ny * c);
      if (out[q] || !accept(q)) continue;
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
  const offsets = neighbourOffsets(connectivity);
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
      for (const [dx, dy, dz] of offsets) {
        const a = i + dx;
        const b = j + dy;
        const c = k + dz;
        if (a < 0 || b < 0 || c < 0 || a >= nx || b >= ny || c >= nz) continue;
        const q = a + nx * (b + ny * c);
        if (!mask[q] || labels[q]) continue;
        labels[q] = label;
        queue[tail++] = q;
      }
    }
    sizes.push(tail);
  }
  return { labels, sizes };
}

/** Keeps only the component that contains `index` (or the largest one when index is −1). */
export function keepComponent(mask: Uint8Array, dims: Vec3, index: number, connectivity: Connectivity = 26): Uint8Array {
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

/** Fills cavities: background voxels not connected (6-connectivity) to the array border become foreground (axes of length 1 have no border). */
export function fillHoles3d(mask: Uint8Array, dims: Vec3): Uint8Array {
  const [nx, ny, nz] = dims;
  const border: number[] = [];
  for (let k = 0; k < nz; k++)
    for (let j = 0; j < ny; j++)
      for (let i = 0; i < nx; i++)
        if ((nx > 1 && (i === 0 || i === nx - 1)) || (ny > 1 && (j === 0 || j === ny - 1)) || (nz > 1 && (k === 0 || k === nz - 1))) {
          const o = i + nx * (j + ny * k);
          if (!mask[o]) border.push(o);
        }
  const outside = floodFill(dims, border, (q) => !mask[q], 6);
  const out = new Uint8Array(mask.length);
  for (let i = 0; i < mask.length; i++) out[i] = outside[i] ? 0 : 1;
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
