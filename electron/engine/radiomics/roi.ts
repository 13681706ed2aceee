import type { Vec3 } from '../imaging/vec.js';

/**
 * An image cropped to the bounding box of the region of interest, as the feature classes see it
 * (PyRadiomics crops to the box without padding before computing features). Voxels are stored with
 * x fastest: offset = x + nx·(y + ny·z), which is also NumPy's [z, y, x] C order.
 */
export interface Roi {
  dims: Vec3;
  spacingMm: Vec3;
  /** Intensities (original or filtered), float64. */
  values: Float64Array;
  /** 1 inside the ROI, 0 outside. */
  mask: Uint8Array;
}

/** Number of voxels inside the ROI. */
export function roiVoxelCount(roi: Roi): number {
  let n = 0;
  for (let i = 0; i < roi.mask.length; i++) n += roi.mask[i];
  return n;
}

/** The ROI's intensities in storage order. */
export function roiValues(roi: Roi): Float64Array {
  const out = new Float64Array(roiVoxelCount(roi));
  let k = 0;
  for (let i = 0; i < roi.mask.length; i++) if (roi.mask[i]) out[k++] = roi.values[i];
  return out;
}

/** Neighbour offset (dz, dy, dx) in NumPy axis order, PyRadiomics' convention for angles. */
export type Angle = [number, number, number];
