import { gaussianBlur3d } from '../imaging/gaussian.js';
import type { Vec3 } from '../imaging/vec.js';
import type { Volume } from '../imaging/volume.js';

/** A box of a CT, copied out as Float32 (optionally smoothed), with index helpers. */
export class RegionOfInterest {
  readonly dims: Vec3;
  readonly spacingMm: Vec3;
  readonly values: Float32Array;
  readonly size: number;

  constructor(
    ct: Volume,
    readonly lo: Vec3,
    readonly hi: Vec3,
    smoothingSigmaMm: number,
  ) {
    this.dims = hi.map((h, a) => h - lo[a] + 1) as Vec3;
    this.spacingMm = [...ct.spacingMm];
    const [rx, ry, rz] = this.dims;
    const [nx, ny] = ct.dims;
    this.size = rx * ry * rz;
    this.values = new Float32Array(this.size);
    for (let k = 0; k < rz; k++)
      for (let j = 0; j < ry; j++) {
        const src = lo[0] + nx * (lo[1] + j + ny * (lo[2] + k));
        for (let i = 0; i < rx; i++) this.values[i + rx * (j + ry * k)] = ct.voxels[src + i];
      }
    if (smoothingSigmaMm > 0) gaussianBlur3d(this.values, this.dims, this.spacingMm, [smoothingSigmaMm, smoothingSigmaMm, smoothingSigmaMm]);
  }

  /** The box of half-size `halfMm` around a voxel, clipped to the image. */
  static around(ct: Volume, centre: Vec3, halfMm: number, smoothingSigmaMm: number): RegionOfInterest {
    const lo = centre.map((v, a) => Math.max(0, v - Math.ceil(halfMm / ct.spacingMm[a]))) as Vec3;
    const hi = centre.map((v, a) => Math.min(ct.dims[a] - 1, v + Math.ceil(halfMm / ct.spacingMm[a]))) as Vec3;
    return new RegionOfInterest(ct, lo, hi, smoothingSigmaMm);
  }

  /** ROI index of a CT voxel. */
  index(voxel: Vec3): number {
    const [rx, ry] = this.dims;
    return voxel[0] - this.lo[0] + rx * (voxel[1] - this.lo[1] + ry * (voxel[2] - this.lo[2]));
  }

  contains(voxel: Vec3): boolean {
    return voxel.every((v, a) => v >= this.lo[a] && v <= this.hi[a]);
  }

  /** ROI (i, j, k) of an index. */
  ijk(index: number): Vec3 {
    const [rx, ry] = this.dims;
    const k = Math.floor(index / (rx * ry));
    const j = Math.floor((index - k * rx * ry) / rx);
    return [index - k * rx * ry - j * rx, j, k];
  }

  /** CT voxel of an ROI index. */
  voxel(index: number): Vec3 {
    const [i, j, k] = this.ijk(index);
    return [i + this.lo[0], j + this.lo[1], k + this.lo[2]];
  }

  distanceMm(a: number, b: number): number {
    const p = this.ijk(a);
    const q = this.ijk(b);
    return Math.hypot((p[0] - q[0]) * this.spacingMm[0], (p[1] - q[1]) * this.spacingMm[1], (p[2] - q[2]) * this.spacingMm[2]);
  }

  /** Visits every ROI index within radius mm of index `from` (and in the mask, when one is given). */
  forEachWithin(from: number, radiusMm: number, visit: (index: number) => void, mask?: Uint8Array): void {
    const [nx, ny, nz] = this.dims;
    const [i0, j0, k0] = this.ijk(from);
    const s = this.spacingMm;
    const reach = s.map((v) => Math.ceil(radiusMm / v));
    const r2 = radiusMm * radiusMm;
    for (let k = Math.max(0, k0 - reach[2]); k <= Math.min(nz - 1, k0 + reach[2]); k++)
      for (let j = Math.max(0, j0 - reach[1]); j <= Math.min(ny - 1, j0 + reach[1]); j++)
        for (let i = Math.max(0, i0 - reach[0]); i <= Math.min(nx - 1, i0 + reach[0]); i++) {
          const o = i + nx * (j + ny * k);
          if (mask && !mask[o]) continue;
          if (((i - i0) * s[0]) ** 2 + ((j - j0) * s[1]) ** 2 + ((k - k0) * s[2]) ** 2 <= r2) visit(o);
        }
  }

  /** The set index nearest to `from` (mm), or −1 when the set is empty. */
  nearestIn(mask: Uint8Array, from: number): number {
    if (mask[from]) return from;
    let best = -1;
    let bestD = Infinity;
    for (let o = 0; o < mask.length; o++) {
      if (!mask[o]) continue;
      const d = this.distanceMm(o, from);
      if (d < bestD) {
        bestD = d;
        best = o;
      }
    }
    return best;
  }

  /** The number of the mask's set voxels that lie on a face of the box that is not the image's own edge (onInnerFace). */
  countOnInnerFaces(mask: Uint8Array, imageDims: Vec3): number {
    const [rx, ry, rz] = this.dims;
    let count = 0;
    for (let k = 0; k < rz; k++)
      for (let j = 0; j < ry; j++) {
        const row = rx * (j + ry * k);
        // Inside the box's j and k range only a row's two ends can lie on a face.
        const wholeRow = k === 0 || k === rz - 1 || j === 0 || j === ry - 1;
        for (let i = 0; i < rx; i += wholeRow || i === rx - 1 ? 1 : rx - 1) if (mask[row + i] && this.onInnerFace(row + i, imageDims)) count++;
      }
    return count;
  }

  /** True when the index lies on a face of the box that is not the image's own edge. */
  onInnerFace(index: number, imageDims: Vec3): boolean {
    const [i, j, k] = this.ijk(index);
    const [rx, ry, rz] = this.dims;
    return (
      (i === 0 && this.lo[0] > 0) ||
      (j === 0 && this.lo[1] > 0) ||
      (k === 0 && this.lo[2] > 0) ||
      (i === rx - 1 && this.hi[0] < imageDims[0] - 1) ||
      (j === ry - 1 && this.hi[1] < imageDims[1] - 1) ||
      (k === rz - 1 && this.hi[2] < imageDims[2] - 1)
    );
  }
}
