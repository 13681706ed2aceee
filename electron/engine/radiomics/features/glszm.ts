import { generateAngles } from '../angles.js';
import type { Discretized } from '../discretize.js';
import type { Roi } from '../roi.js';
import { type SizeMatrixStats, sizeMatrixStats } from './size-matrix.js';
import { paddedLevels } from './padded.js';
import { type TextureSettings, levelIndex, outOfPlaneAxis } from './texture-common.js';
import type { FeatureValues } from './types.js';

/**
 * Grey Level Size Zone Matrix features (Thibault 2009; PyRadiomics 3.1 radiomics/glszm.py; IBSI 1 §3.8).
 *
 * P(i, j) counts zones — connected ROI voxels of equal grey level i (26-connected in 3D, 8-connected
 * in-plane with force2D) — of j voxels. With N_z zones and N_p voxels (shared formulas in size-matrix.ts):
 *   SmallAreaEmphasis, LargeAreaEmphasis, GrayLevelNonUniformity(Normalized), SizeZoneNonUniformity(Normalized),
 *   ZonePercentage N_z/N_p, GrayLevelVariance, ZoneVariance, ZoneEntropy, Low/HighGrayLevelZoneEmphasis,
 *   SmallArea/LargeArea × Low/HighGrayLevelEmphasis.
 */
export function glszmFeatures(roi: Roi, d: Discretized, settings: TextureSettings, wanted: readonly string[]): FeatureValues {
  const { matrix, sizes } = glszmMatrix(roi, d, settings);
  const s = sizeMatrixStats(matrix, Float64Array.from(d.grayLevels), sizes);
  const out: FeatureValues = {};
  for (const name of wanted) out[name] = pick(name, s);
  return out;
}

function pick(name: string, s: SizeMatrixStats): number {
  switch (name) {
    case 'SmallAreaEmphasis':
      return s.smallEmphasis;
    case 'LargeAreaEmphasis':
      return s.largeEmphasis;
    case 'GrayLevelNonUniformity':
      return s.grayNonUniformity;
    case 'GrayLevelNonUniformityNormalized':
      return s.grayNonUniformityNormalized;
    case 'SizeZoneNonUniformity':
      return s.sizeNonUniformity;
    case 'SizeZoneNonUniformityNormalized':
      return s.sizeNonUniformityNormalized;
    case 'ZonePercentage':
      return s.total / s.elements;
    case 'GrayLevelVariance':
      return s.grayVariance;
    case 'ZoneVariance':
      return s.sizeVariance;
    case 'ZoneEntropy':
      return s.entropy;
    case 'LowGrayLevelZoneEmphasis':
      return s.lowGray;
    case 'HighGrayLevelZoneEmphasis':
      return s.highGray;
    case 'SmallAreaLowGrayLevelEmphasis':
      return s.smallLow;
    case 'SmallAreaHighGrayLevelEmphasis':
      return s.smallHigh;
    case 'LargeAreaLowGrayLevelEmphasis':
      return s.largeLow;
    case 'LargeAreaHighGrayLevelEmphasis':
      return s.largeHigh;
  }
  throw new Error(`unknown GLSZM feature ${name}`);
}

/** The size-zone matrix (K grey levels × the distinct zone sizes present, row-major) and those sizes. */
export function glszmMatrix(roi: Roi, d: Discretized, settings: TextureSettings): { matrix: Float64Array; sizes: Float64Array } {
  const [nx, ny, nz] = roi.dims;
  const angles = generateAngles([nz, ny, nx], [1], true, outOfPlaneAxis(settings));
  const index = levelIndex(d);
  const { levels, offsets, dims, pad } = paddedLevels(d, roi.dims, angles);
  const [px, py, pz] = dims;
  const na = offsets.length;
  // Voxels still to be assigned to a zone: ROI voxels (level > 0); the padding is never in the ROI.
  const todo = new Uint8Array(levels.length);
  for (let i = 0; i < levels.length; i++) todo[i] = levels[i] > 0 ? 1 : 0;
  const stack = new Int32Array(levels.length);
  const zoneLevel: number[] = [];
  const zoneSize: number[] = [];
  for (let z = pad; z < pz - pad; z++)
    for (let y = pad; y < py - pad; y++)
      for (let x = pad, start = px * (y + py * z) + pad; x < px - pad; x++, start++) {
        if (!todo[start]) continue;
        const gl = levels[start];
        let top = 0;
        stack[top++] = start;
        todo[start] = 0;
        let size = 0;
        while (top > 0) {
          const k = stack[--top];
          size++;
          for (let a = 0; a < na; a++) {
            const j = k + offsets[a];
            if (todo[j] && levels[j] === gl) {
              todo[j] = 0;
              stack[top++] = j;
            }
          }
        }
        zoneLevel.push(index[gl]);
        zoneSize.push(size);
      }
  const distinct = [...new Set(zoneSize)].sort((a, b) => a - b);
  const column = new Map(distinct.map((s, c) => [s, c]));
  const J = distinct.length;
  const matrix = new Float64Array(d.grayLevels.length * J);
  for (let z = 0; z < zoneSize.length; z++) matrix[zoneLevel[z] * J + (column.get(zoneSize[z]) as number)]++;
  return { matrix, sizes: Float64Array.from(distinct) };
}
