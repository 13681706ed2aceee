import { type ImageGrid, cornerCentres } from './grid.js';
import { resampleImage } from './resample.js';
import { type Vec3, column, cross, dot, fromColumns, isOrthonormal, normalize, scale, add } from './vec.js';
import type { Volume } from './volume.js';
import { OUTSIDE_FOV_HU } from './dicom/hu.js';

/**
 * The orthogonal grid that covers a sheared (gantry-tilted) volume: same in-plane axes and
 * spacing, slice axis along the true slice normal with spacing = (slice step · normal), extended
 * in-plane so every source voxel centre lies inside.
 */
export function deshearedGrid(grid: ImageGrid): ImageGrid {
  const row = normalize(column(grid.direction, 0));
  const col = normalize(column(grid.direction, 1));
  const normal = normalize(cross(row, col));
  const sliceStep = scale(column(grid.direction, 2), grid.spacingMm[2]);
  const spacing: Vec3 = [grid.spacingMm[0], grid.spacingMm[1], Math.abs(dot(sliceStep, normal))];
  const axes = [row, col, normal];
  const corners = cornerCentres(grid);
  const lo: Vec3 = [Infinity, Infinity, Infinity];
  const hi: Vec3 = [-Infinity, -Infinity, -Infinity];
  for (const c of corners)
    for (let a = 0; a < 3; a++) {
      const d = dot(c, axes[a]);
      lo[a] = Math.min(lo[a], d);
      hi[a] = Math.max(hi[a], d);
    }
  const dims = [0, 1, 2].map((a) => Math.round((hi[a] - lo[a]) / spacing[a] + 1e-6) + 1) as Vec3;
  const origin = add(add(scale(row, lo[0]), scale(col, lo[1])), scale(normal, lo[2]));
  return { dims, spacingMm: spacing, originLps: origin, direction: fromColumns(row, col, normal) };
}

/** Resamples a tilted CT onto its orthogonal grid by linear interpolation (outside: OUTSIDE_FOV_HU). */
export function deshearVolume(volume: Volume): Volume {
  if (isOrthonormal(volume.direction)) return volume;
  const target = deshearedGrid(volume);
  const out = resampleImage(volume, target, { interpolator: 'linear', defaultValue: OUTSIDE_FOV_HU, outputType: 'float32' });
  return { ...target, voxels: out.voxels as Float32Array };
}
