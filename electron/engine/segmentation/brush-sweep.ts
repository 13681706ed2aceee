import type { Vec3 } from '../imaging/vec.js';

/** Inclusive voxel index bounds. */
export interface VoxelBox {
  min: Vec3;
  max: Vec3;
}

/**
 * Visits, once each, every voxel the brush covers when swept EXACTLY along a polyline (no dabs, so
 * no gaps however far apart the points are):
 *
 * - `'sphere'`: the capsule of the polyline — every voxel centre within `radiusMm` (physical mm,
 *   anisotropic spacing honoured) of some point of some segment;
 * - `'disc'`: the swept axial disc — a voxel (i, j, k) is covered when some point P(t) of the
 *   polyline lies in slice k (`Math.round(z) === k`) and (i, j) is within `radiusMm` of P(t) in
 *   that slice. A polyline within one slice is the 2-D capsule in that slice; one that crosses
 *   slices paints each slice along the part of the path that lies in it.
 *
 * A single point (or a zero-length segment) covers exactly what one dab centred there covers.
 * `points` are continuous voxel indices (i, j, k). Costs the sum of the segments' bounding boxes.
 */
export function sweepBrush(
  points: readonly Vec3[],
  dims: Vec3,
  spacingMm: Vec3,
  radiusMm: number,
  shape: 'sphere' | 'disc',
  visit: (offset: number) => void,
): void {
  const [nx, ny, nz] = dims;
  const [sx, sy, sz] = spacingMm;
  const r2 = radiusMm * radiusMm;
  const reach = spacingMm.map((s) => Math.ceil(radiusMm / s));
  const seen = new Set<number>();
  const mark = (o: number) => {
    if (seen.has(o)) return;
    seen.add(o);
    visit(o);
  };

  /** The covered voxels of slices kLo..kHi around the segment a→b (in-plane only for a disc). */
  function segment(a: Vec3, b: Vec3, kLo: number, kHi: number, inPlane: boolean) {
    // The segment in mm relative to a.
    const ux = (b[0] - a[0]) * sx;
    const uy = (b[1] - a[1]) * sy;
    const uz = inPlane ? 0 : (b[2] - a[2]) * sz;
    const uu = ux * ux + uy * uy + uz * uz;
    const iLo = Math.max(0, Math.ceil(Math.min(a[0], b[0]) - reach[0]));
    const iHi = Math.min(nx - 1, Math.floor(Math.max(a[0], b[0]) + reach[0]));
    const jLo = Math.max(0, Math.ceil(Math.min(a[1], b[1]) - reach[1]));
    const jHi = Math.min(ny - 1, Math.floor(Math.max(a[1], b[1]) + reach[1]));
    for (let k = Math.max(0, kLo); k <= Math.min(nz - 1, kHi); k++) {
      const dz = inPlane ? 0 : (k - a[2]) * sz;
      for (let j = jLo; j <= jHi; j++) {
        const dy = (j - a[1]) * sy;
        for (let i = iLo; i <= iHi; i++) {
          const dx = (i - a[0]) * sx;
          const t = uu > 0 ? Math.min(1, Math.max(0, (dx * ux + dy * uy + dz * uz) / uu)) : 0;
          const ex = dx - t * ux;
          const ey = dy - t * uy;
          const ez = dz - t * uz;
          if (ex * ex + ey * ey + ez * ez > r2) continue;
          mark(i + nx * (j + ny * k));
        }
      }
    }
  }

  const at = (a: Vec3, b: Vec3, t: number): Vec3 => [a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1]), a[2] + t * (b[2] - a[2])];
  const pairs: [Vec3, Vec3][] = points.length === 1 ? [[points[0], points[0]]] : points.slice(1).map((b, n) => [points[n], b]);
  for (const [a, b] of pairs) {
    if (shape === 'sphere') {
      segment(a, b, Math.ceil(Math.min(a[2], b[2]) - reach[2]), Math.floor(Math.max(a[2], b[2]) + reach[2]), false);
      continue;
    }
    const dz = b[2] - a[2];
    if (dz === 0) {
      const k = Math.round(a[2]);
      segment(a, b, k, k, true);
      continue;
    }
    // Each slice the segment passes through gets the part of it whose rounded z is that slice.
    const k0 = Math.round(Math.min(a[2], b[2]));
    const k1 = Math.round(Math.max(a[2], b[2]));
    for (let k = k0; k <= k1; k++) {
      const tA = Math.max(0, Math.min(1, (k - 0.5 - a[2]) / dz));
      const tB = Math.max(0, Math.min(1, (k + 0.5 - a[2]) / dz));
      segment(at(a, b, Math.min(tA, tB)), at(a, b, Math.max(tA, tB)), k, k, true);
    }
  }
}

/** The inclusive index box of voxel offsets (only those where `include(n)` holds, when given); null for none. */
export function offsetsBox(offsets: ArrayLike<number>, dims: Vec3, include?: (n: number) => boolean): VoxelBox | null {
  const [nx, ny] = dims;
  const min: Vec3 = [Infinity, Infinity, Infinity];
  const max: Vec3 = [-1, -1, -1];
  for (let n = 0; n < offsets.length; n++) {
    if (include && !include(n)) continue;
    const o = offsets[n];
    const i = o % nx;
    const j = Math.floor(o / nx) % ny;
    const k = Math.floor(o / (nx * ny));
    if (i < min[0]) min[0] = i;
    if (i > max[0]) max[0] = i;
    if (j < min[1]) min[1] = j;
    if (j > max[1]) max[1] = j;
    if (k < min[2]) min[2] = k;
    if (k > max[2]) max[2] = k;
  }
  return max[0] < 0 ? null : { min, max };
}
