import type { ImageGrid } from '../imaging/grid.js';
import type { Vec3 } from '../imaging/vec.js';

/**
 * An axis-aligned LPS grid (identity direction) for rendering phantoms: voxel centre of (i, j, k)
 * is origin + (i·sx, j·sy, k·sz).
 */
export class RenderGrid implements ImageGrid {
  readonly direction: ImageGrid['direction'] = [1, 0, 0, 0, 1, 0, 0, 0, 1];

  constructor(
    readonly dims: Vec3,
    readonly spacingMm: Vec3,
    readonly originLps: Vec3,
  ) {}

  get voxelCount(): number {
    return this.dims[0] * this.dims[1] * this.dims[2];
  }

  world(i: number, j: number, k: number): Vec3 {
    return [this.originLps[0] + i * this.spacingMm[0], this.originLps[1] + j * this.spacingMm[1], this.originLps[2] + k * this.spacingMm[2]];
  }

  /** Voxel index range covering a world box, clipped to the grid; null when they do not meet. */
  indexBox(loMm: Vec3, hiMm: Vec3): { lo: Vec3; hi: Vec3 } | null {
    const lo = [0, 1, 2].map((a) => Math.max(0, Math.ceil((loMm[a] - this.originLps[a]) / this.spacingMm[a]))) as Vec3;
    const hi = [0, 1, 2].map((a) => Math.min(this.dims[a] - 1, Math.floor((hiMm[a] - this.originLps[a]) / this.spacingMm[a]))) as Vec3;
    return lo.every((v, a) => v <= hi[a]) ? { lo, hi } : null;
  }

  /** A grid of the given physical size centred at a point. */
  static around(centreLps: Vec3, sizeMm: Vec3, spacingMm: Vec3): RenderGrid {
    const dims = sizeMm.map((s, a) => Math.max(1, Math.round(s / spacingMm[a]))) as Vec3;
    const origin = centreLps.map((c, a) => c - ((dims[a] - 1) * spacingMm[a]) / 2) as Vec3;
    return new RenderGrid(dims, spacingMm, origin);
  }
}
