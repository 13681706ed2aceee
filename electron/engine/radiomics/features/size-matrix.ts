import { EPS } from './types.js';

/**
 * Statistics shared by the run-length, size-zone and dependence matrices. P(i, j) counts elements
 * (runs, zones, voxels) with grey level i and size j (run length, zone size, dependence count);
 * N = ΣP, p = P/N, p_g(i) = Σ_j P, p_s(j) = Σ_i P, and i, j are the actual grey levels and sizes.
 *
 *   smallEmphasis Σ p_s/j² / N · largeEmphasis Σ p_s j² / N · grayNonUniformity Σ p_g² / N (normalized: / N²)
 *   sizeNonUniformity Σ p_s² / N (normalized: / N²) · grayVariance Σ p (i − Σ p i)² · sizeVariance Σ p (j − Σ p j)²
 *   entropy −Σ p log₂(p + ε) · lowGray Σ p_g/i² / N · highGray Σ p_g i² / N
 *   smallLow Σ P/(i² j²) / N · smallHigh Σ P i²/j² / N · largeLow Σ P j²/i² / N · largeHigh Σ P i² j² / N
 *   elements Σ_j p_s(j)·j (voxels represented)
 */
export interface SizeMatrixStats {
  total: number;
  elements: number;
  smallEmphasis: number;
  largeEmphasis: number;
  grayNonUniformity: number;
  grayNonUniformityNormalized: number;
  sizeNonUniformity: number;
  sizeNonUniformityNormalized: number;
  grayVariance: number;
  sizeVariance: number;
  entropy: number;
  lowGray: number;
  highGray: number;
  smallLow: number;
  smallHigh: number;
  largeLow: number;
  largeHigh: number;
}

/** P is row-major K×J (grey level × size); `sizes[j]` is the size of column j. */
export function sizeMatrixStats(P: Float64Array, grays: ArrayLike<number>, sizes: ArrayLike<number>): SizeMatrixStats {
  const K = grays.length;
  const J = sizes.length;
  const pg = new Float64Array(K);
  const ps = new Float64Array(J);
  let total = 0;
  let smallLow = 0;
  let smallHigh = 0;
  let largeLow = 0;
  let largeHigh = 0;
  for (let a = 0; a < K; a++) {
    const i2 = grays[a] * grays[a];
    for (let b = 0; b < J; b++) {
      const v = P[a * J + b];
      if (v === 0) continue;
      const j2 = sizes[b] * sizes[b];
      pg[a] += v;
      ps[b] += v;
      total += v;
      smallLow += v / (i2 * j2);
      smallHigh += (v * i2) / j2;
      largeLow += (v * j2) / i2;
      largeHigh += v * (j2 * i2);
    }
  }
  const N = total === 0 ? NaN : total;
  let smallEmphasis = 0;
  let largeEmphasis = 0;
  let sizeNonUniformity = 0;
  let elements = 0;
  let uj = 0;
  for (let b = 0; b < J; b++) {
    const j = sizes[b];
    smallEmphasis += ps[b] / (j * j);
    largeEmphasis += ps[b] * (j * j);
    sizeNonUniformity += ps[b] * ps[b];
    elements += ps[b] * j;
    uj += (ps[b] / N) * j;
  }
  let grayNonUniformity = 0;
  let lowGray = 0;
  let highGray = 0;
  let ui = 0;
  for (let a = 0; a < K; a++) {
    const i = grays[a];
    grayNonUniformity += pg[a] * pg[a];
    lowGray += pg[a] / (i * i);
    highGray += pg[a] * (i * i);
    ui += (pg[a] / N) * i;
  }
  let grayVariance = 0;
  let sizeVariance = 0;
  let entropy = 0;
  for (let a = 0; a < K; a++) {
    const di = grays[a] - ui;
    for (let b = 0; b < J; b++) {
      const p = P[a * J + b] / N;
      if (p === 0) continue;
      const dj = sizes[b] - uj;
      grayVariance += p * di * di;
      sizeVariance += p * dj * dj;
      entropy -= p * Math.log2(p + EPS);
    }
  }
  return {
    total,
    elements,
    smallEmphasis: smallEmphasis / N,
    largeEmphasis: largeEmphasis / N,
    grayNonUniformity: grayNonUniformity / N,
    grayNonUniformityNormalized: grayNonUniformity / (N * N),
    sizeNonUniformity: sizeNonUniformity / N,
    sizeNonUniformityNormalized: sizeNonUniformity / (N * N),
    grayVariance,
    sizeVariance,
    entropy,
    lowGray: lowGray / N,
    highGray: highGray / N,
    smallLow: smallLow / N,
    smallHigh: smallHigh / N,
    largeLow: largeLow / N,
    largeHigh: largeHigh / N,
  };
}
