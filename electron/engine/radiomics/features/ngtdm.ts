import { generateAngles } from '../angles.js';
import type { Discretized } from '../discretize.js';
import type { Roi } from '../roi.js';
import { paddedLevels } from './padded.js';
import { type TextureSettings, levelIndex, outOfPlaneAxis } from './texture-common.js';
import type { FeatureValues } from './types.js';

/**
 * Neighbouring Grey Tone Difference Matrix features (Amadasun & King 1989; PyRadiomics 3.1
 * radiomics/ngtdm.py; IBSI 1 §3.10).
 *
 * For each ROI voxel of grey level i, Ā is the mean grey level of its ROI neighbours (within
 * `distances`); s_i = Σ |i − Ā| over the voxels of level i (a voxel without ROI neighbours adds 0
 * but is still counted, as in PyRadiomics), n_i their count, N_vp = Σ n_i, p_i = n_i / N_vp,
 * N_gp the number of levels with p_i > 0:
 *   Coarseness 1 / Σ p_i s_i (10⁶ when 0)
 *   Contrast [Σ_i Σ_j p_i p_j (i − j)² / (N_gp (N_gp − 1))] · Σ s_i / N_vp (0 for one level)
 *   Busyness Σ p_i s_i / Σ_i Σ_j |i p_i − j p_j| (0 when the denominator is 0)
 *   Complexity Σ_i Σ_j |i − j| (p_i s_i + p_j s_j) / (p_i + p_j) / N_vp
 *   Strength Σ_i Σ_j (p_i + p_j)(i − j)² / Σ s_i (0 when Σ s_i = 0)
 */
export function ngtdmFeatures(roi: Roi, d: Discretized, settings: TextureSettings, wanted: readonly string[]): FeatureValues {
  const { n, s } = ngtdmMatrix(roi, d, settings);
  const levels = Float64Array.from(d.grayLevels);
  const K = levels.length;
  let nvp = 0;
  for (let k = 0; k < K; k++) nvp += n[k];
  const p = new Float64Array(K);
  let ngp = 0;
  let sumS = 0;
  let sumPs = 0;
  for (let k = 0; k < K; k++) {
    p[k] = n[k] / nvp;
    if (p[k] > 0) ngp++;
    sumS += s[k];
    sumPs += p[k] * s[k];
  }
  const all: Record<string, () => number> = {
    Coarseness: () => (sumPs === 0 ? 1e6 : 1 / sumPs),
    Contrast: () => {
      const div = ngp * (ngp - 1);
      if (div === 0) return 0;
      let t = 0;
      for (let a = 0; a < K; a++) for (let b = 0; b < K; b++) t += p[a] * p[b] * (levels[a] - levels[b]) ** 2;
      return (t * sumS) / nvp / div;
    },
    Busyness: () => {
      let absdiff = 0;
      for (let a = 0; a < K; a++) for (let b = 0; b < K; b++) if (p[a] > 0 && p[b] > 0) absdiff += Math.abs(levels[a] * p[a] - levels[b] * p[b]);
      return absdiff === 0 ? 0 : sumPs / absdiff;
    },
    Complexity: () => {
      let t = 0;
      for (let a = 0; a < K; a++)
        for (let b = 0; b < K; b++) {
          if (p[a] === 0 || p[b] === 0) continue;
          t += (Math.abs(levels[a] - levels[b]) * (p[a] * s[a] + p[b] * s[b])) / (p[a] + p[b]);
        }
      return t / nvp;
    },
    Strength: () => {
      if (sumS === 0) return 0;
      let t = 0;
      for (let a = 0; a < K; a++) for (let b = 0; b < K; b++) if (p[a] > 0 && p[b] > 0) t += (p[a] + p[b]) * (levels[a] - levels[b]) ** 2;
      return t / sumS;
    },
  };
  const out: FeatureValues = {};
  for (const name of wanted) out[name] = all[name]();
  return out;
}

/** n_i (voxel count) and s_i (summed absolute difference to the neighbourhood mean) per grey level present. */
export function ngtdmMatrix(roi: Roi, d: Discretized, settings: TextureSettings): { n: Float64Array; s: Float64Array } {
  const [nx, ny, nz] = roi.dims;
  const angles = generateAngles([nz, ny, nx], settings.distances, true, outOfPlaneAxis(settings));
  const index = levelIndex(d);
  const K = d.grayLevels.length;
  const n = new Float64Array(K);
  const s = new Float64Array(K);
  const { levels, offsets, dims, pad } = paddedLevels(d, roi.dims, angles);
  const [px, py, pz] = dims;
  const na = offsets.length;
  for (let z = pad; z < pz - pad; z++)
    for (let y = pad; y < py - pad; y++)
      for (let x = pad, o = px * (y + py * z) + pad; x < px - pad; x++, o++) {
        const g = levels[o];
        if (g === 0) continue;
        let count = 0;
        let sum = 0;
        for (let a = 0; a < na; a++) {
          const v = levels[o + offsets[a]];
          if (v > 0) {
            count++;
            sum += v;
          }
        }
        const k = index[g];
        n[k]++;
        s[k] += count === 0 ? 0 : Math.abs(g - sum / count);
      }
  return { n, s };
}
