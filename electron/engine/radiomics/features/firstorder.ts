import type { Discretized } from '../discretize.js';
import type { Roi } from '../roi.js';
import { EPS, type FeatureValues } from './types.js';

/**
 * First-order statistics of the ROI intensities X (N_p voxels), as PyRadiomics 3.1 defines them
 * (radiomics/firstorder.py; IBSI 1 §3.3–3.4 where they agree). c is `voxelArrayShift`, p(i) the
 * histogram of the discretised grey levels, ε = 2.2e-16 (numpy.spacing(1)).
 *
 *   Energy = Σ (X + c)²            TotalEnergy = V_voxel · Energy        RootMeanSquared = √(Energy / N_p)
 *   Entropy = −Σ p(i) log₂(p(i) + ε)                                       Uniformity = Σ p(i)²
 *   Mean, Minimum, Maximum, Range, Median, 10/90Percentile, InterquartileRange = P75 − P25
 *     (percentiles by linear interpolation, numpy's default)
 *   MeanAbsoluteDeviation = mean |X − X̄|; RobustMeanAbsoluteDeviation: the same over P10 ≤ X ≤ P90
 *   Variance = μ₂, StandardDeviation = √μ₂ (deprecated), Skewness = μ₃ / μ₂^1.5, Kurtosis = μ₄ / μ₂²
 *     (μ_k central moments; 0 for a flat region). Kurtosis is not the IBSI excess kurtosis (+3).
 */
export function firstOrderFeatures(roi: Roi, discretized: Discretized, voxelArrayShift: number, wanted: readonly string[]): FeatureValues {
  const n = countInside(roi.mask);
  const x = new Float64Array(n);
  for (let i = 0, k = 0; i < roi.mask.length; i++) if (roi.mask[i]) x[k++] = roi.values[i];
  const sorted = x.slice().sort();

  let sum = 0;
  let energy = 0;
  for (let i = 0; i < n; i++) {
    sum += x[i];
    const s = x[i] + voxelArrayShift;
    energy += s * s;
  }
  const mean = sum / n;
  let m2 = 0;
  let m3 = 0;
  let m4 = 0;
  let mad = 0;
  for (let i = 0; i < n; i++) {
    const d = x[i] - mean;
    const d2 = d * d;
    m2 += d2;
    m3 += d2 * d;
    m4 += d2 * d2;
    mad += Math.abs(d);
  }
  m2 /= n;
  m3 /= n;
  m4 /= n;
  mad /= n;

  const histogram = binCounts(discretized);
  let entropy = 0;
  let uniformity = 0;
  for (const c of histogram) {
    const p = c / n;
    entropy -= p * Math.log2(p + EPS);
    uniformity += p * p;
  }

  const p10 = percentile(sorted, 10);
  const p90 = percentile(sorted, 90);
  const voxelVolume = roi.spacingMm[0] * roi.spacingMm[1] * roi.spacingMm[2];

  const all: Record<string, () => number> = {
    '10Percentile': () => p10,
    '90Percentile': () => p90,
    Energy: () => energy,
    TotalEnergy: () => energy * voxelVolume,
    Entropy: () => entropy,
    Minimum: () => sorted[0],
    Maximum: () => sorted[n - 1],
    Mean: () => mean,
    Median: () => median(sorted),
    InterquartileRange: () => percentile(sorted, 75) - percentile(sorted, 25),
    Range: () => sorted[n - 1] - sorted[0],
    MeanAbsoluteDeviation: () => mad,
    RobustMeanAbsoluteDeviation: () => robustMad(sorted, p10, p90),
    RootMeanSquared: () => (n === 0 ? 0 : Math.sqrt(energy / n)),
    StandardDeviation: () => Math.sqrt(m2),
    Skewness: () => (m2 === 0 ? 0 : m3 / Math.pow(m2, 1.5)),
    Kurtosis: () => (m2 === 0 ? 0 : m4 / (m2 * m2)),
    Variance: () => m2,
    Uniformity: () => uniformity,
  };
  const out: FeatureValues = {};
  for (const name of wanted) out[name] = all[name]();
  return out;
}

function countInside(mask: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < mask.length; i++) n += mask[i];
  return n;
}

function binCounts(d: Discretized): number[] {
  const counts = new Map<number, number>();
  for (let i = 0; i < d.levels.length; i++) {
    const b = d.levels[i];
    if (b > 0) counts.set(b, (counts.get(b) ?? 0) + 1);
  }
  return [...counts.keys()].sort((a, b) => a - b).map((b) => counts.get(b) as number);
}

/** numpy.percentile with linear interpolation on sorted data: index q/100·(n − 1). */
export function percentile(sorted: Float64Array, q: number): number {
  const n = sorted.length;
  const pos = (q / 100) * (n - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, n - 1);
  const t = pos - lo;
  // numpy's _lerp: a + (b − a)·t, or b − (b − a)·(1 − t) when t ≥ 0.5.
  const a = sorted[lo];
  const b = sorted[hi];
  const diff = b - a;
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}

/** numpy.median: the middle value, or the mean of the two middle values. */
function median(sorted: Float64Array): number {
  const n = sorted.length;
  const h = n >> 1;
  return n % 2 ? sorted[h] : (sorted[h - 1] + sorted[h]) / 2;
}

function robustMad(sorted: Float64Array, p10: number, p90: number): number {
  let sum = 0;
  let count = 0;
  for (let i = 0; i < sorted.length; i++) {
    const v = sorted[i];
    if (v >= p10 && v <= p90) {
      sum += v;
      count++;
    }
  }
  const mean = sum / count;
  let dev = 0;
  for (let i = 0; i < sorted.length; i++) {
    const v = sorted[i];
    if (v >= p10 && v <= p90) dev += Math.abs(v - mean);
  }
  return dev / count;
}
