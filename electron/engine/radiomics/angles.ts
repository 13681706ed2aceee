import type { Angle } from './roi.js';
import { arrayMax } from '../core/array-extent.js';

/**
 * Neighbour offsets (dz, dy, dx) for the texture matrices, in PyRadiomics' order and with its rules
 * (cmatrices.c build_angles): every offset whose infinity norm is one of `distances`, enumerated
 * from (+d, +d, +d) downwards with x changing fastest; offsets that reach beyond the ROI box in some
 * axis, or that move along the out-of-plane axis when extracting in 2D, are left out. Without
 * `bidirectional` only the first half (one of each ± pair) is kept: 13 angles for distance 1 in 3D.
 *
 * `boxSize` is the ROI box size in NumPy order (z, y, x); `force2Ddimension` is the NumPy axis
 * of the slice normal, or -1 for 3D.
 */
export function generateAngles(boxSize: Angle, distances: readonly number[], bidirectional: boolean, force2Ddimension: number): Angle[] {
  const maxDistance = arrayMax(distances);
  const wanted = new Set(distances);
  const all: Angle[] = [];
  for (let dz = maxDistance; dz >= -maxDistance; dz--)
    for (let dy = maxDistance; dy >= -maxDistance; dy--)
      for (let dx = maxDistance; dx >= -maxDistance; dx--) {
        const a: Angle = [dz, dy, dx];
        let valid = true;
        for (let d = 0; d < 3; d++) {
          if ((d === force2Ddimension && a[d] !== 0) || a[d] >= boxSize[d] || a[d] <= -boxSize[d]) valid = false;
        }
        const norm = Math.max(Math.abs(dz), Math.abs(dy), Math.abs(dx));
        if (valid && norm > 0 && wanted.has(norm)) all.push(a);
      }
  // The valid set is symmetric (a and −a) and enumerated in mirrored order: the first half holds one of each pair.
  return bidirectional ? all : all.slice(0, all.length / 2);
}

/** Flat index step of an angle in a box of size (nx, ny) with x fastest. */
export function angleStride(a: Angle, nx: number, ny: number): number {
  return a[0] * nx * ny + a[1] * nx + a[2];
}
