import type { BoundingBox, ScalarArray } from '../../imaging/volume.js';
import type { Vec3 } from '../../imaging/vec.js';

/**
 * The image a filter is defined on — PyRadiomics filters the whole (pre-processed) image, or the
 * resampled crop — and the ROI box whose response is needed. Only a region of the domain around the
 * box is held (`offset`, `regionDims`): each filter reads at most the window it needs, so work scales
 * with the ROI, not with the scan, while the response inside the box stays that of the filter
 * applied to the whole domain. All coordinates are domain voxel indices, x fastest.
 */
export interface FilterDomain {
  /** Size of the whole domain. */
  dims: Vec3;
  spacingMm: Vec3;
  /** Where the held region starts in the domain. */
  offset: Vec3;
  regionDims: Vec3;
  /** The held region's voxels in the domain's pixel type. */
  voxels: ScalarArray;
  /** ROI box (inclusive) in domain indices. */
  box: BoundingBox;
  /** Largest |value| over the whole domain (PyRadiomics' scale for the point-wise filters). */
  maxAbs: number;
}

/** A filter response on the ROI box (x fastest), with the box's dimensions. */
export interface BoxResponse {
  dims: Vec3;
  values: Float64Array;
}

export function boxDims(box: BoundingBox): Vec3 {
  return [box.maxIjk[0] - box.minIjk[0] + 1, box.maxIjk[1] - box.minIjk[1] + 1, box.maxIjk[2] - box.minIjk[2] + 1];
}

/**
 * Copies the domain voxels of an inclusive window (domain indices, inside the held region) to float64.
 */
export function readWindow(domain: FilterDomain, lo: Vec3, dims: Vec3): Float64Array {
  const [rx, ry] = domain.regionDims;
  const [ox, oy, oz] = domain.offset;
  const out = new Float64Array(dims[0] * dims[1] * dims[2]);
  const v = domain.voxels;
  let o = 0;
  for (let z = 0; z < dims[2]; z++)
    for (let y = 0; y < dims[1]; y++) {
      const src = lo[0] - ox + rx * (lo[1] - oy + y + ry * (lo[2] - oz + z));
      for (let x = 0; x < dims[0]; x++) out[o++] = v[src + x];
    }
  return out;
}

/** The box itself as float64 (the Original image type and the input of point-wise filters). */
export function domainBox(domain: FilterDomain): BoxResponse {
  const dims = boxDims(domain.box);
  return { dims, values: readWindow(domain, domain.box.minIjk, dims) };
}

/** Whether the domain's pixel type is double (ITK then computes filters in double precision). */
export function isDoubleDomain(domain: FilterDomain): boolean {
  return domain.voxels instanceof Float64Array;
}

/** Largest |value| of an array. */
export function maxAbsValue(v: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < v.length; i++) {
    const a = Math.abs(v[i]);
    if (a > m) m = a;
  }
  return m;
}

/**
 * Holds only the part of a domain image that filters with the given margins (voxels per axis and
 * side) can read; `fullAxes` marks axes a periodic filter may wrap along, which are then kept whole.
 */
export function regionOfDomain(
  voxels: ScalarArray,
  dims: Vec3,
  spacingMm: Vec3,
  box: BoundingBox,
  margin: Vec3,
  fullAxes: [boolean, boolean, boolean],
): FilterDomain {
  const lo: Vec3 = [0, 0, 0];
  const regionDims: Vec3 = [0, 0, 0];
  for (let a = 0; a < 3; a++) {
    const start = fullAxes[a] ? 0 : Math.max(0, box.minIjk[a] - margin[a]);
    const end = fullAxes[a] ? dims[a] - 1 : Math.min(dims[a] - 1, box.maxIjk[a] + margin[a]);
    lo[a] = start;
    regionDims[a] = end - start + 1;
  }
  const full: FilterDomain = { dims, spacingMm, offset: [0, 0, 0], regionDims: dims, voxels, box, maxAbs: maxAbsValue(voxels) };
  const sameSize = regionDims.every((n, a) => n === dims[a]);
  if (sameSize) return full;
  const Ctor = voxels.constructor as new (n: number) => ScalarArray;
  const region = new Ctor(regionDims[0] * regionDims[1] * regionDims[2]);
  const [nx, ny] = dims;
  let o = 0;
  for (let z = 0; z < regionDims[2]; z++)
    for (let y = 0; y < regionDims[1]; y++) {
      const src = lo[0] + nx * (lo[1] + y + ny * (lo[2] + z));
      region.set(voxels.subarray(src, src + regionDims[0]) as never, o);
      o += regionDims[0];
    }
  return { dims, spacingMm, offset: lo, regionDims, voxels: region, box, maxAbs: full.maxAbs };
}
