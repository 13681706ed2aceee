/** Where "the nodule" is for the viewer to open at and to go back to. */
import { indexToLps } from './geometry.js';
import type { Vec3, VolumeGeometry } from './types.js';

/**
 * The nodule's centre (LPS): the centre of the mask's voxel box when there is a mask with voxels
 * in it, else the point segmentation started from (the click), else a centre known beforehand (the
 * demo case's), else null (nothing to go to).
 */
export function noduleCentre(g: VolumeGeometry, known: { maskBox?: [Vec3, Vec3] | null; seedLps?: Vec3 | null; expectedLps?: Vec3 | null }): Vec3 | null {
  if (known.maskBox) {
    const [lo, hi] = known.maskBox;
    return indexToLps(g, [0, 1, 2].map((a) => (lo[a] + hi[a]) / 2) as Vec3);
  }
  return known.seedLps ?? known.expectedLps ?? null;
}
