import { generateAngles } from '../angles.js';
import type { Discretized } from '../discretize.js';
import type { Roi } from '../roi.js';
import { type SizeMatrixStats, sizeMatrixStats } from './size-matrix.js';
import { type TextureSettings, angleWeight, levelIndex, outOfPlaneAxis } from './texture-common.js';
import { type FeatureValues, nanMean } from './types.js';

/**
 * Grey Level Run Length Matrix features (Galloway 1975; PyRadiomics 3.1 radiomics/glrlm.py; IBSI 1 §3.7).
 *
 * P(i, j|θ) counts runs — maximal sequences of consecutive ROI voxels with grey level i along
 * direction θ (13 directions in 3D) — of length j; a voxel outside the ROI ends a run. A direction
 * in which no line holds two ROI voxels is dropped. With `weightingNorm` the direction matrices are
 * summed with weights exp(−‖d‖²) first; otherwise features are averaged over directions.
 * With N_r runs and N_p = Σ j·p_r(j) voxels (see size-matrix.ts for the shared formulas):
 *   ShortRunEmphasis, LongRunEmphasis, GrayLevelNonUniformity(Normalized), RunLengthNonUniformity(Normalized),
 *   RunPercentage N_r/N_p, GrayLevelVariance, RunVariance, RunEntropy, Low/HighGrayLevelRunEmphasis,
 *   ShortRun/LongRun × Low/HighGrayLevelEmphasis.
 */
export function glrlmFeatures(roi: Roi, d: Discretized, settings: TextureSettings, wanted: readonly string[]): FeatureValues {
  const { matrices, maxRun } = glrlmMatrices(roi, d, settings);
  const grays = Float64Array.from(d.grayLevels);
  const runLengths = Float64Array.from({ length: maxRun }, (_, k) => k + 1);
  const perAngle = matrices.map((P) => sizeMatrixStats(P, grays, runLengths));
  const out: FeatureValues = {};
  for (const name of wanted) out[name] = nanMean(perAngle.map((s) => pick(name, s)));
  return out;
}

function pick(name: string, s: SizeMatrixStats): number {
  switch (name) {
    case 'ShortRunEmphasis':
      return s.smallEmphasis;
    case 'LongRunEmphasis':
      return s.largeEmphasis;
    case 'GrayLevelNonUniformity':
      return s.grayNonUniformity;
    case 'GrayLevelNonUniformityNormalized':
      return s.grayNonUniformityNormalized;
    case 'RunLengthNonUniformity':
      return s.sizeNonUniformity;
    case 'RunLengthNonUniformityNormalized':
      return s.sizeNonUniformityNormalized;
    case 'RunPercentage':
      return (s.total === 0 ? NaN : s.total) / s.elements;
    case 'GrayLevelVariance':
      return s.grayVariance;
    case 'RunVariance':
      return s.sizeVariance;
    case 'RunEntropy':
      return s.entropy;
    case 'LowGrayLevelRunEmphasis':
      return s.lowGray;
    case 'HighGrayLevelRunEmphasis':
      return s.highGray;
    case 'ShortRunLowGrayLevelEmphasis':
      return s.smallLow;
    case 'ShortRunHighGrayLevelEmphasis':
      return s.smallHigh;
    case 'LongRunLowGrayLevelEmphasis':
      return s.largeLow;
    case 'LongRunHighGrayLevelEmphasis':
      return s.largeHigh;
  }
  throw new Error(`unknown GLRLM feature ${name}`);
}

/** Run-length matrices (K grey levels × maxRun lengths, row-major), one per direction with runs, or one merged. */
export function glrlmMatrices(roi: Roi, d: Discretized, settings: TextureSettings): { matrices: Float64Array[]; maxRun: number } {
  const [nx, ny, nz] = roi.dims;
  const angles = generateAngles([nz, ny, nx], [1], false, outOfPlaneAxis(settings));
  const K = d.grayLevels.length;
  const index = levelIndex(d);
  const maxRun = Math.max(nx, ny, nz);
  const levels = d.levels;
  const counts = angles.map(() => new Float64Array(K * maxRun));
  for (let a = 0; a < angles.length; a++) {
    const [dz, dy, dx] = angles[a];
    const P = counts[a];
    const step = dz * nx * ny + dy * nx + dx;
    let multiElement = false;
    for (let z = 0; z < nz; z++)
      for (let y = 0; y < ny; y++)
        for (let x = 0; x < nx; x++) {
          // A line starts where the previous voxel along the direction falls outside the box.
          const pz = z - dz;
          const py = y - dy;
          const pxx = x - dx;
          if (pz >= 0 && pz < nz && py >= 0 && py < ny && pxx >= 0 && pxx < nx) continue;
          const length = Math.min(stepsInside(z, dz, nz), stepsInside(y, dy, ny), stepsInside(x, dx, nx));
          let o = x + nx * (y + ny * z);
          let gl = -1;
          let run = 0;
          let elements = 0;
          for (let t = 0; t < length; t++, o += step) {
            const g = levels[o];
            if (g > 0) {
              elements++;
              const k = index[g];
              if (gl === -1) {
                gl = k;
                run = 1;
              } else if (k === gl) run++;
              else {
                P[gl * maxRun + run - 1]++;
                gl = k;
                run = 1;
              }
            } else if (gl !== -1) {
              P[gl * maxRun + run - 1]++;
              gl = -1;
              run = 0;
            }
          }
          if (gl !== -1) P[gl * maxRun + run - 1]++;
          if (elements > 1) multiElement = true;
        }
    if (!multiElement) P.fill(0);
  }
  return { matrices: mergeAngles(counts, angles, settings, roi.spacingMm), maxRun };
}

/** Voxels a line visits from coordinate c with step d (−1, 0, 1) in an axis of n voxels. */
function stepsInside(c: number, d: number, n: number): number {
  return d > 0 ? n - c : d < 0 ? c + 1 : Infinity;
}

/** Merges direction matrices with weights when a norm is set, and drops empty directions when several remain. */
export function mergeAngles(
  counts: Float64Array[],
  angles: readonly [number, number, number][],
  settings: TextureSettings,
  spacingMm: readonly number[],
): Float64Array[] {
  let matrices = counts;
  if (settings.weightingNorm !== null) {
    const spacingZyx = [spacingMm[2], spacingMm[1], spacingMm[0]];
    const merged = new Float64Array(counts[0]?.length ?? 0);
    for (let a = 0; a < counts.length; a++) {
      const w = angleWeight(settings.weightingNorm, angles[a], spacingZyx);
      for (let k = 0; k < merged.length; k++) merged[k] += counts[a][k] * w;
    }
    matrices = [merged];
  }
  if (matrices.length > 1) matrices = matrices.filter((P) => P.some((v) => v !== 0));
  return matrices;
}
