import type { Discretized } from '../discretize.js';
import type { Angle } from '../roi.js';

/**
 * The discretised ROI box surrounded by `pad` empty voxels, so that neighbour offsets up to `pad`
 * never leave the array: a neighbour outside the box reads 0, exactly like a neighbour outside the
 * ROI, which is how PyRadiomics treats both. `levels` holds the bin index of ROI voxels and 0
 * elsewhere; `offsets` are the flat steps of the given angles.
 */
export interface PaddedLevels {
  levels: Int32Array;
  dims: [number, number, number];
  pad: number;
  offsets: Int32Array;
}

export function paddedLevels(d: Discretized, boxDims: readonly number[], angles: readonly Angle[]): PaddedLevels {
  const pad = angles.reduce((m, a) => Math.max(m, Math.abs(a[0]), Math.abs(a[1]), Math.abs(a[2])), 0);
  const [nx, ny, nz] = boxDims;
  const px = nx + 2 * pad;
  const py = ny + 2 * pad;
  const pz = nz + 2 * pad;
  const levels = new Int32Array(px * py * pz);
  for (let z = 0; z < nz; z++)
    for (let y = 0; y < ny; y++) levels.set(d.levels.subarray(nx * (y + ny * z), nx * (y + ny * z) + nx), pad + px * (y + pad + py * (z + pad)));
  const offsets = Int32Array.from(angles, (a) => a[0] * px * py + a[1] * px + a[2]);
  return { levels, dims: [px, py, pz], pad, offsets };
}
