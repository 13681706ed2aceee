import { generateAngles } from '../angles.js';
import type { Discretized } from '../discretize.js';
import type { Roi } from '../roi.js';
import { type SizeMatrixStats, sizeMatrixStats } from './size-matrix.js';
import { paddedLevels } from './padded.js';
import { type TextureSettings, levelIndex, outOfPlaneAxis } from './texture-common.js';
import type { FeatureValues } from './types.js';

/**
 * Grey Level Dependence Matrix features (Sun & Wee 1983; PyRadiomics 3.1 radiomics/gldm.py; IBSI 1
 * §3.11 NGLDM with coarseness α = gldm_a).
 *
 * For every ROI voxel, its dependence is 1 + the number of ROI neighbours (within `distances`,
 * infinity norm) whose grey level differs by at most α; P(i, j) counts voxels of grey level i and
 * dependence j. Shared formulas in size-matrix.ts:
 *   Small/LargeDependenceEmphasis, GrayLevelNonUniformity, DependenceNonUniformity(Normalized),
 *   GrayLevelVariance, DependenceVariance, DependenceEntropy, Low/HighGrayLevelEmphasis,
 *   SmallDependence/LargeDependence × Low/HighGrayLevelEmphasis.
 */
export function gldmFeatures(roi: Roi, d: Discretized, settings: TextureSettings, wanted: readonly string[]): FeatureValues {
  const { matrix, dependences } = gldmMatrix(roi, d, settings);
  const s = sizeMatrixStats(matrix, Float64Array.from(d.grayLevels), dependences);
  const out: FeatureValues = {};
  for (const name of wanted) out[name] = pick(name, s);
  return out;
}

function pick(name: string, s: SizeMatrixStats): number {
  switch (name) {
    case 'SmallDependenceEmphasis':
      return s.smallEmphasis;
    case 'LargeDependenceEmphasis':
      return s.largeEmphasis;
    case 'GrayLevelNonUniformity':
      return s.grayNonUniformity;
    case 'DependenceNonUniformity':
      return s.sizeNonUniformity;
    case 'DependenceNonUniformityNormalized':
      return s.sizeNonUniformityNormalized;
    case 'GrayLevelVariance':
      return s.grayVariance;
    case 'DependenceVariance':
      return s.sizeVariance;
    case 'DependenceEntropy':
      return s.entropy;
    case 'LowGrayLevelEmphasis':
      return s.lowGray;
    case 'HighGrayLevelEmphasis':
      return s.highGray;
    case 'SmallDependenceLowGrayLevelEmphasis':
      return s.smallLow;
    case 'SmallDependenceHighGrayLevelEmphasis':
      return s.smallHigh;
    case 'LargeDependenceLowGrayLevelEmphasis':
      return s.largeLow;
    case 'LargeDependenceHighGrayLevelEmphasis':
      return s.largeHigh;
  }
  throw new Error(`unknown GLDM feature ${name}`);
}

/** The dependence matrix (K grey levels × (number of neighbours + 1) dependences, row-major). */
export function gldmMatrix(roi: Roi, d: Discretized, settings: TextureSettings): { matrix: Float64Array; dependences: Float64Array } {
  const [nx, ny, nz] = roi.dims;
  const angles = generateAngles([nz, ny, nx], settings.distances, true, outOfPlaneAxis(settings));
  const index = levelIndex(d);
  const J = angles.length + 1;
  const matrix = new Float64Array(d.grayLevels.length * J);
  const { levels, offsets, dims, pad } = paddedLevels(d, roi.dims, angles);
  const [px, py, pz] = dims;
  const alpha = settings.gldmA;
  const na = offsets.length;
  for (let z = pad; z < pz - pad; z++)
    for (let y = pad; y < py - pad; y++)
      for (let x = pad, o = px * (y + py * z) + pad; x < px - pad; x++, o++) {
        const g = levels[o];
        if (g === 0) continue;
        let dep = 0;
        for (let a = 0; a < na; a++) {
          const n = levels[o + offsets[a]];
          if (n > 0 && Math.abs(g - n) <= alpha) dep++;
        }
        matrix[index[g] * J + dep]++;
      }
  return { matrix, dependences: Float64Array.from({ length: J }, (_, k) => k + 1) };
}
