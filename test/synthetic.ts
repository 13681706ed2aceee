import type { Volume } from '../electron/engine/imaging/volume.js';
import type { Mat3, Vec3 } from '../electron/engine/imaging/vec.js';

/** A small synthetic CT whose HU encode the voxel index, so any misplaced slice or flipped axis shows. */
export function indexVolume(dims: Vec3, options: { spacingMm?: Vec3; originLps?: Vec3; direction?: Mat3 } = {}): Volume {
  const [nx, ny, nz] = dims;
  const voxels = new Int16Array(nx * ny * nz);
  for (let k = 0; k < nz; k++) for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++) voxels[i + nx * (j + ny * k)] = -1000 + i + 10 * j + 100 * k;
  return {
    dims,
    spacingMm: options.spacingMm ?? [0.7, 0.7, 1.25],
    originLps: options.originLps ?? [-10, -20, -30],
    direction: options.direction ?? [1, 0, 0, 0, 1, 0, 0, 0, 1],
    voxels,
  };
}
