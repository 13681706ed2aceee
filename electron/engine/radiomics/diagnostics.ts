import { createHash } from 'node:crypto';
import { engineVersion } from '../core/version.js';
import { type ImageGrid, indexToWorld } from '../imaging/grid.js';
import type { ScalarArray, ScalarImage } from '../imaging/volume.js';
import type { Vec3 } from '../imaging/vec.js';
import { numpyMean } from './numpy-sum.js';
import { PyInt, PyTuple, type PyValue, pyFloat, pyRepr } from './python-repr.js';
import { type RoiMask, boxSize, connectedComponents, imageBoxValues } from './preprocess/roi-mask.js';
import { arrayMax, arrayMin } from '../core/array-extent.js';

/**
 * PyRadiomics-style diagnostics (radiomics/generalinfo.py): every feature vector carries the
 * versions, the settings, and what the image and ROI looked like at each stage (original,
 * interpolated, corrected, resegmented), printed as PyRadiomics prints them. Hilum records its own
 * engine version instead of PyRadiomics' library versions.
 */
export type Diagnostics = Record<string, string>;

/** PyRadiomics release whose features and names Hilum reproduces. */
export const PYRADIOMICS_COMPATIBILITY = 'v3.1.0';

export function versionDiagnostics(): Diagnostics {
  return {
    diagnostics_Versions_Hilum: engineVersion(),
    diagnostics_Versions_PyRadiomicsCompatibility: PYRADIOMICS_COMPATIBILITY,
    diagnostics_Versions_Node: process.versions.node,
  };
}

export function configurationDiagnostics(settings: Record<string, PyValue>, imageTypes: Record<string, PyValue>): Diagnostics {
  return {
    diagnostics_Configuration_Settings: pyRepr(settings),
    diagnostics_Configuration_EnabledImageTypes: pyRepr(imageTypes),
  };
}

/** SHA-1 of the voxel buffer in little-endian storage order (SimpleITK's Hash), optionally as UInt32. */
export function voxelHash(voxels: ScalarArray, asUint32 = false): string {
  const hash = createHash('sha1');
  if (!asUint32) hash.update(new Uint8Array(voxels.buffer, voxels.byteOffset, voxels.byteLength));
  else {
    const chunk = new Uint32Array(1 << 20);
    for (let start = 0; start < voxels.length; start += chunk.length) {
      const n = Math.min(chunk.length, voxels.length - start);
      for (let i = 0; i < n; i++) chunk[i] = voxels[start + i] >>> 0;
      hash.update(new Uint8Array(chunk.buffer, 0, n * 4));
    }
  }
  return hash.digest('hex');
}

const tuple = (v: readonly number[], ints = false): string => pyRepr(new PyTuple(v.map((x) => (ints ? new PyInt(x) : x))));

export function imageDiagnostics(image: ScalarImage, stage: 'original' | 'interpolated'): Diagnostics {
  const prefix = `diagnostics_Image-${stage}_`;
  const out: Diagnostics = {};
  if (stage === 'original') {
    out[prefix + 'Hash'] = voxelHash(image.voxels);
    out[prefix + 'Dimensionality'] = '3D';
  }
  let min = Infinity;
  let max = -Infinity;
  const v = image.voxels;
  for (let i = 0; i < v.length; i++) {
    if (v[i] < min) min = v[i];
    if (v[i] > max) max = v[i];
  }
  out[prefix + 'Spacing'] = tuple(image.spacingMm);
  out[prefix + 'Size'] = tuple(image.dims, true);
  out[prefix + 'Mean'] = pyFloat(numpyMean(v));
  out[prefix + 'Minimum'] = pyFloat(min);
  out[prefix + 'Maximum'] = pyFloat(max);
  return out;
}

/**
 * ROI diagnostics on a grid: bounding box (x, y, z, size x, size y, size z), voxel count, number of
 * 26-connected parts, centre of mass (index and mm); with the image, the ROI's mean, min and max.
 */
export function maskDiagnostics(
  stage: 'original' | 'interpolated' | 'corrected' | 'resegmented',
  grid: ImageGrid,
  roi: RoiMask,
  labelImage: ScalarImage | null,
  image: ScalarImage | null,
): Diagnostics {
  const prefix = `diagnostics_Mask-${stage}_`;
  const out: Diagnostics = {};
  if (stage === 'original' && labelImage) out[prefix + 'Hash'] = voxelHash(labelImage.voxels, true);
  out[prefix + 'Spacing'] = tuple(grid.spacingMm);
  out[prefix + 'Size'] = tuple(grid.dims, true);
  const size = boxSize(roi.box);
  const [bx, by, bz] = size;
  let count = 0;
  let sx = 0;
  let sy = 0;
  let sz = 0;
  const lo: Vec3 = [Infinity, Infinity, Infinity];
  const hi: Vec3 = [-Infinity, -Infinity, -Infinity];
  let o = 0;
  for (let z = 0; z < bz; z++)
    for (let y = 0; y < by; y++)
      for (let x = 0; x < bx; x++, o++) {
        if (!roi.voxels[o]) continue;
        count++;
        sx += x;
        sy += y;
        sz += z;
        lo[0] = Math.min(lo[0], x);
        lo[1] = Math.min(lo[1], y);
        lo[2] = Math.min(lo[2], z);
        hi[0] = Math.max(hi[0], x);
        hi[1] = Math.max(hi[1], y);
        hi[2] = Math.max(hi[2], z);
      }
  const b = roi.box.minIjk;
  const xmin: Vec3 = [lo[0] + b[0], lo[1] + b[1], lo[2] + b[2]];
  const xmax: Vec3 = [hi[0] + b[0], hi[1] + b[1], hi[2] + b[2]];
  const sum: Vec3 = [sx + count * b[0], sy + count * b[1], sz + count * b[2]];
  out[prefix + 'BoundingBox'] = tuple([xmin[0], xmin[1], xmin[2], xmax[0] - xmin[0] + 1, xmax[1] - xmin[1] + 1, xmax[2] - xmin[2] + 1], true);
  out[prefix + 'VoxelNum'] = String(count);
  out[prefix + 'VolumeNum'] = String(connectedComponents(roi));
  const centre = sum.map((s) => s / count) as Vec3;
  out[prefix + 'CenterOfMassIndex'] = tuple(centre);
  out[prefix + 'CenterOfMass'] = tuple(indexToWorld(grid, centre));
  if (image) {
    const values = imageBoxValues(image, roi.box);
    const inside: number[] = [];
    for (let i = 0; i < values.length; i++) if (roi.voxels[i]) inside.push(values[i]);
    out[prefix + 'Mean'] = pyFloat(numpyMean(inside));
    out[prefix + 'Minimum'] = pyFloat(arrayMin(inside));
    out[prefix + 'Maximum'] = pyFloat(arrayMax(inside));
  }
  return out;
}
