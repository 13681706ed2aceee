import type { BoundingBox, ScalarImage } from '../../imaging/volume.js';
import type { Vec3 } from '../../imaging/vec.js';

/**
 * The region of interest as the pipeline carries it once the mask has been checked: a binary mask
 * over its bounding box (inclusive, in the image's voxel indices). Everything outside the box is
 * background, so full-size masks are never copied.
 */
export interface RoiMask {
  box: BoundingBox;
  /** 1 inside the ROI, over the box (x fastest). */
  voxels: Uint8Array;
}

export function boxSize(box: BoundingBox): Vec3 {
  return [box.maxIjk[0] - box.minIjk[0] + 1, box.maxIjk[1] - box.minIjk[1] + 1, box.maxIjk[2] - box.minIjk[2] + 1];
}

/** Bounding box and voxel count of the voxels equal to `label`; null box when there are none. */
export function labelExtent(mask: ScalarImage, label: number): { box: BoundingBox | null; count: number } {
  const [nx, ny, nz] = mask.dims;
  const v = mask.voxels;
  const min: Vec3 = [nx, ny, nz];
  const max: Vec3 = [-1, -1, -1];
  let count = 0;
  let o = 0;
  for (let z = 0; z < nz; z++)
    for (let y = 0; y < ny; y++)
      for (let x = 0; x < nx; x++, o++) {
        if (v[o] !== label) continue;
        count++;
        if (x < min[0]) min[0] = x;
        if (x > max[0]) max[0] = x;
        if (y < min[1]) min[1] = y;
        if (y > max[1]) max[1] = y;
        if (z < min[2]) min[2] = z;
        if (z > max[2]) max[2] = z;
      }
  return { box: count ? { minIjk: min, maxIjk: max } : null, count };
}

/** The ROI (voxels equal to `label`) of a label image, over the given box. */
export function roiFromLabels(mask: ScalarImage, label: number, box: BoundingBox): RoiMask {
  const [nx, ny] = mask.dims;
  const [bx, by, bz] = boxSize(box);
  const out = new Uint8Array(bx * by * bz);
  let o = 0;
  for (let z = 0; z < bz; z++)
    for (let y = 0; y < by; y++) {
      const src = box.minIjk[0] + nx * (box.minIjk[1] + y + ny * (box.minIjk[2] + z));
      for (let x = 0; x < bx; x++) out[o++] = mask.voxels[src + x] === label ? 1 : 0;
    }
  return { box, voxels: out };
}

/** The part of an ROI inside a smaller box (PyRadiomics crops masks to the current bounding box). */
export function cropRoi(roi: RoiMask, box: BoundingBox): RoiMask {
  const [sx, sy, sz] = boxSize(roi.box);
  const [bx, by, bz] = boxSize(box);
  const out = new Uint8Array(bx * by * bz);
  const off = [box.minIjk[0] - roi.box.minIjk[0], box.minIjk[1] - roi.box.minIjk[1], box.minIjk[2] - roi.box.minIjk[2]];
  let o = 0;
  for (let z = 0; z < bz; z++)
    for (let y = 0; y < by; y++)
      for (let x = 0; x < bx; x++, o++) {
        const sxI = x + off[0];
        const syI = y + off[1];
        const szI = z + off[2];
        if (sxI < 0 || syI < 0 || szI < 0 || sxI >= sx || syI >= sy || szI >= sz) continue;
        out[o] = roi.voxels[sxI + sx * (syI + sy * szI)];
      }
  return { box, voxels: out };
}

/** Tight bounding box (image indices) and voxel count of an ROI; null box when empty. */
export function roiExtent(roi: RoiMask): { box: BoundingBox | null; count: number } {
  const [bx, by, bz] = boxSize(roi.box);
  const extent = labelExtent({ dims: [bx, by, bz], spacingMm: [1, 1, 1], originLps: [0, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1], voxels: roi.voxels }, 1);
  if (!extent.box) return extent;
  const o = roi.box.minIjk;
  return {
    count: extent.count,
    box: {
      minIjk: [extent.box.minIjk[0] + o[0], extent.box.minIjk[1] + o[1], extent.box.minIjk[2] + o[2]],
      maxIjk: [extent.box.maxIjk[0] + o[0], extent.box.maxIjk[1] + o[1], extent.box.maxIjk[2] + o[2]],
    },
  };
}

/** Copies an inclusive box of an image into float64 (x fastest). */
export function imageBoxValues(image: ScalarImage, box: BoundingBox): Float64Array {
  const [nx, ny] = image.dims;
  const [bx, by, bz] = boxSize(box);
  const out = new Float64Array(bx * by * bz);
  let o = 0;
  for (let z = 0; z < bz; z++)
    for (let y = 0; y < by; y++) {
      const src = box.minIjk[0] + nx * (box.minIjk[1] + y + ny * (box.minIjk[2] + z));
      for (let x = 0; x < bx; x++) out[o++] = image.voxels[src + x];
    }
  return out;
}

/**
 * Number of 26-connected components of an ROI (SimpleITK ConnectedComponentImageFilter with
 * FullyConnected on, as PyRadiomics' VolumeNum diagnostic).
 */
export function connectedComponents(roi: RoiMask): number {
  const [nx, ny, nz] = boxSize(roi.box);
  const todo = roi.voxels.slice();
  const stack = new Int32Array(todo.length);
  let components = 0;
  for (let start = 0; start < todo.length; start++) {
    if (!todo[start]) continue;
    components++;
    let top = 0;
    stack[top++] = start;
    todo[start] = 0;
    while (top > 0) {
      const k = stack[--top];
      const x = k % nx;
      const y = Math.floor(k / nx) % ny;
      const z = Math.floor(k / (nx * ny));
      for (let dz = -1; dz <= 1; dz++) {
        const cz = z + dz;
        if (cz < 0 || cz >= nz) continue;
        for (let dy = -1; dy <= 1; dy++) {
          const cy = y + dy;
          if (cy < 0 || cy >= ny) continue;
          for (let dx = -1; dx <= 1; dx++) {
            const cx = x + dx;
            if (cx < 0 || cx >= nx) continue;
            const j = cx + nx * (cy + ny * cz);
            if (todo[j]) {
              todo[j] = 0;
              stack[top++] = j;
            }
          }
        }
      }
    }
  }
  return components;
}
