import { generateAngles } from '../angles.js';
import type { Discretized } from '../discretize.js';
import type { Roi } from '../roi.js';
import { generalEigenvalues } from './eigen-general.js';
import { paddedLevels } from './padded.js';
import { type TextureSettings, angleWeight, levelIndex, outOfPlaneAxis } from './texture-common.js';
import { EPS, type FeatureValues, nanMean } from './types.js';

/**
 * Grey Level Co-occurrence Matrix features (Haralick 1973; PyRadiomics 3.1 radiomics/glcm.py; IBSI 1 §3.6).
 *
 * P(i,j|θ) counts voxel pairs inside the ROI at offset θ (13 angles in 3D at distance 1) with grey
 * levels i and j; symmetrical by default (P + Pᵀ). Rows and columns of grey levels absent from the
 * ROI are dropped, so i and j run over the grey levels present. With `weightingNorm` the angle
 * matrices are summed with weights exp(−‖d‖²) before the features; otherwise each feature is
 * computed per angle and averaged (angles without pairs ignored). p = P / ΣP; p_x, p_y marginals;
 * μ_x = Σ i p, μ_y = Σ j p; p_{x+y}(k) over i + j = k (k = 2…2N_g), p_{x−y}(k) over |i − j| = k
 * (k = 0…N_g − 1), N_g the largest grey level; ε = 2.2e-16; HX, HY, HXY = entropies of p_x, p_y, p;
 * HXY1 = −Σ p log₂(p_x p_y + ε), HXY2 = −Σ p_x p_y log₂(p_x p_y + ε).
 *
 *   Autocorrelation Σ p·i·j · JointAverage μ_x · ClusterProminence/Shade/Tendency Σ p (i + j − μ_x − μ_y)^{4,3,2}
 *   Contrast Σ p (i − j)² · Correlation (Σ p (i − μ_x)(j − μ_y)) / (σ_x σ_y + ε), 1 when σ_x σ_y = 0
 *   DifferenceAverage DA = Σ k p_{x−y} · DifferenceEntropy −Σ p_{x−y} log₂(p_{x−y} + ε) · DifferenceVariance Σ (k − DA)² p_{x−y}
 *   JointEnergy Σ p² · JointEntropy HXY · Imc1 (HXY − HXY1) / max(HX, HY) (0 if both 0)
 *   Imc2 √(1 − e^{−2 (HXY2 − HXY)}) (0 if HXY2 = HXY) · Idm Σ p_{x−y} / (1 + k²) · Idmn Σ p_{x−y} / (1 + k²/N_g²)
 *   Id Σ p_{x−y} / (1 + k) · Idn Σ p_{x−y} / (1 + k/N_g) · InverseVariance Σ_{k≥1} p_{x−y} / k²
 *   MaximumProbability max p · SumAverage Σ k p_{x+y} · SumEntropy −Σ p_{x+y} log₂(p_{x+y} + ε) · SumSquares Σ p (i − μ_x)²
 *   MCC √λ₂, λ₂ the second largest eigenvalue of Q(i,j) = Σ_k p(i,k) p(j,k) / (p_x(i) p_y(k) + ε) (1 for one grey level)
 */
export function glcmFeatures(roi: Roi, d: Discretized, settings: TextureSettings, wanted: readonly string[]): FeatureValues {
  const matrices = glcmMatrices(roi, d, settings);
  const ng = d.ng;
  const levels = Float64Array.from(d.grayLevels);
  const perAngle: Record<string, number[]> = {};
  for (const name of wanted) perAngle[name] = [];
  for (const p of matrices) {
    const values = angleFeatures(p, levels, ng, wanted);
    for (const name of wanted) perAngle[name].push(values[name]);
  }
  const out: FeatureValues = {};
  for (const name of wanted) out[name] = nanMean(perAngle[name]);
  return out;
}

/**
 * The normalised co-occurrence matrices (K×K over the K grey levels present, row-major), one per
 * angle that has pairs, or one merged matrix when a weighting norm is set.
 */
export function glcmMatrices(roi: Roi, d: Discretized, settings: TextureSettings): Float64Array[] {
  const [nx, ny, nz] = roi.dims;
  const angles = generateAngles([nz, ny, nx], settings.distances, false, outOfPlaneAxis(settings));
  const K = d.grayLevels.length;
  const index = levelIndex(d);
  const counts = angles.map(() => new Float64Array(K * K));
  const { levels, offsets, dims, pad } = paddedLevels(d, roi.dims, angles);
  const [px, py, pz] = dims;
  for (let a = 0; a < angles.length; a++) {
    const P = counts[a];
    const step = offsets[a];
    for (let z = pad; z < pz - pad; z++)
      for (let y = pad; y < py - pad; y++)
        for (let x = pad, o = px * (y + py * z) + pad; x < px - pad; x++, o++) {
          const g = levels[o];
          if (g === 0) continue;
          const n = levels[o + step];
          if (n > 0) P[index[g] * K + index[n]]++;
        }
  }
  if (settings.symmetricalGLCM)
    for (const P of counts)
      for (let i = 0; i < K; i++)
        for (let j = i; j < K; j++) {
          const s = P[i * K + j] + P[j * K + i];
          P[i * K + j] = s;
          P[j * K + i] = s;
        }
  return normaliseAngles(counts, angles, settings, roi.spacingMm);
}

/** Merges (weighted) or keeps the per-angle matrices, drops empty angles, and normalises each to sum 1. */
export function normaliseAngles(
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
      const P = counts[a];
      for (let k = 0; k < P.length; k++) merged[k] += P[k] * w;
    }
    matrices = [merged];
  }
  let sums = matrices.map((P) => P.reduce((s, v) => s + v, 0));
  if (matrices.length > 1) {
    const all = sums;
    matrices = matrices.filter((_, a) => all[a] !== 0);
    sums = all.filter((s) => s !== 0);
  }
  return matrices.map((P, a) => {
    const s = sums[a] === 0 ? NaN : sums[a];
    const out = new Float64Array(P.length);
    for (let k = 0; k < P.length; k++) out[k] = P[k] / s;
    return out;
  });
}

function angleFeatures(p: Float64Array, levels: Float64Array, ng: number, wanted: readonly string[]): Record<string, number> {
  const K = levels.length;
  const px = new Float64Array(K);
  const py = new Float64Array(K);
  let ux = 0;
  let uy = 0;
  let autocorrelation = 0;
  let contrast = 0;
  let jointEnergy = 0;
  let hxy = 0;
  let maxProbability = -Infinity;
  const pxAddy = new Float64Array(2 * ng + 1);
  const pxSuby = new Float64Array(ng);
  for (let a = 0; a < K; a++) {
    const i = levels[a];
    for (let b = 0; b < K; b++) {
      const j = levels[b];
      const v = p[a * K + b];
      px[a] += v;
      py[b] += v;
      ux += i * v;
      uy += j * v;
      autocorrelation += v * i * j;
      contrast += v * (i - j) * (i - j);
      jointEnergy += v * v;
      hxy -= v * Math.log2(v + EPS);
      if (v > maxProbability) maxProbability = v;
      pxAddy[i + j] += v;
      pxSuby[Math.abs(i - j)] += v;
    }
  }
  const lazy: Record<string, () => number> = {
    Autocorrelation: () => autocorrelation,
    JointAverage: () => ux,
    ClusterProminence: () => clusterMoment(p, levels, ux, uy, 4),
    ClusterShade: () => clusterMoment(p, levels, ux, uy, 3),
    ClusterTendency: () => clusterMoment(p, levels, ux, uy, 2),
    Contrast: () => contrast,
    Correlation: () => correlation(p, levels, ux, uy),
    DifferenceAverage: () => differenceAverage(pxSuby),
    DifferenceEntropy: () => entropy(pxSuby),
    DifferenceVariance: () => {
      const da = differenceAverage(pxSuby);
      let s = 0;
      for (let k = 0; k < pxSuby.length; k++) s += pxSuby[k] * (k - da) * (k - da);
      return s;
    },
    JointEnergy: () => jointEnergy,
    JointEntropy: () => hxy,
    Imc1: () => {
      const hx = entropy(px);
      const hy = entropy(py);
      let hxy1 = 0;
      for (let a = 0; a < K; a++) for (let b = 0; b < K; b++) hxy1 -= p[a * K + b] * Math.log2(px[a] * py[b] + EPS);
      const div = Math.max(hx, hy);
      return div === 0 ? 0 : (hxy - hxy1) / div;
    },
    Imc2: () => {
      let hxy2 = 0;
      for (let a = 0; a < K; a++)
        for (let b = 0; b < K; b++) {
          const q = px[a] * py[b];
          hxy2 -= q * Math.log2(q + EPS);
        }
      if (hxy2 === hxy) return 0;
      return Math.sqrt(1 - Math.pow(Math.E, -2 * (hxy2 - hxy)));
    },
    Idm: () => sumOver(pxSuby, (k) => 1 / (1 + k * k)),
    Idmn: () => sumOver(pxSuby, (k) => 1 / (1 + (k * k) / (ng * ng))),
    Id: () => sumOver(pxSuby, (k) => 1 / (1 + k)),
    Idn: () => sumOver(pxSuby, (k) => 1 / (1 + k / ng)),
    InverseVariance: () => {
      let s = 0;
      for (let k = 1; k < pxSuby.length; k++) s += pxSuby[k] / (k * k);
      return s;
    },
    MaximumProbability: () => maxProbability,
    SumAverage: () => {
      let s = 0;
      for (let k = 2; k < pxAddy.length; k++) s += k * pxAddy[k];
      return s;
    },
    SumEntropy: () => entropy(pxAddy.subarray(2)),
    SumSquares: () => {
      let s = 0;
      for (let a = 0; a < K; a++) s += px[a] * (levels[a] - ux) * (levels[a] - ux);
      return s;
    },
    MCC: () => maximalCorrelationCoefficient(p, px, py),
  };
  const out: Record<string, number> = {};
  for (const name of wanted) out[name] = lazy[name]();
  return out;
}

function clusterMoment(p: Float64Array, levels: Float64Array, ux: number, uy: number, power: number): number {
  const K = levels.length;
  let s = 0;
  for (let a = 0; a < K; a++)
    for (let b = 0; b < K; b++) {
      const d = levels[a] + levels[b] - ux - uy;
      s += p[a * K + b] * d ** power;
    }
  return s;
}

function correlation(p: Float64Array, levels: Float64Array, ux: number, uy: number): number {
  const K = levels.length;
  let vx = 0;
  let vy = 0;
  let cov = 0;
  for (let a = 0; a < K; a++)
    for (let b = 0; b < K; b++) {
      const v = p[a * K + b];
      const di = levels[a] - ux;
      const dj = levels[b] - uy;
      vx += v * di * di;
      vy += v * dj * dj;
      cov += v * di * dj;
    }
  const s = Math.sqrt(vx) * Math.sqrt(vy);
  return s === 0 ? 1 : cov / (s + EPS);
}

function differenceAverage(pxSuby: Float64Array): number {
  let s = 0;
  for (let k = 0; k < pxSuby.length; k++) s += k * pxSuby[k];
  return s;
}

function entropy(p: ArrayLike<number>): number {
  let s = 0;
  for (let k = 0; k < p.length; k++) s -= p[k] * Math.log2(p[k] + EPS);
  return s;
}

function sumOver(p: Float64Array, weight: (k: number) => number): number {
  let s = 0;
  for (let k = 0; k < p.length; k++) s += p[k] * weight(k);
  return s;
}

/**
 * MCC = √(second largest eigenvalue of Q). Q is not symmetric, so its eigenvalues come from a general
 * (Hessenberg–QR) solver, as numpy.linalg.eigvals; eigenvalues are ordered by real part.
 */
function maximalCorrelationCoefficient(p: Float64Array, px: Float64Array, py: Float64Array): number {
  const K = px.length;
  if (K < 2) return 1;
  const q = new Float64Array(K * K);
  for (let k = 0; k < K; k++) {
    const pyk = py[k];
    for (let i = 0; i < K; i++) {
      const pik = p[i * K + k];
      if (pik === 0) continue;
      const den = px[i] * pyk + EPS;
      for (let j = 0; j < K; j++) q[i * K + j] += (pik * p[j * K + k]) / den;
    }
  }
  const { re, im } = generalEigenvalues(q, K);
  const order = Array.from(re, (_, k) => k).sort((a, b) => re[a] - re[b] || im[a] - im[b]);
  const second = order[order.length - 2];
  const anyComplex = im.some((v) => v !== 0);
  const lambda = re[second];
  if (lambda >= 0) return Math.sqrt(lambda);
  // numpy: a negative real eigenvalue gives NaN (ignored by the angle mean); in a complex result, √ of it is imaginary → 0.
  return anyComplex ? 0 : NaN;
}
