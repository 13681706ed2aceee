import type { ScalarImage } from '../../imaging/volume.js';

/**
 * Intensity normalisation as PyRadiomics does it (imageoperations.normalizeImage = SimpleITK
 * Normalize, then optional outlier clipping, then scaling), over the whole image:
 *
 *   f(x) = s · clip((x − μ) / σ, −n, n)
 *
 * μ and σ are the mean and the sample standard deviation (N − 1) of all voxels (ITK
 * StatisticsImageFilter); n = `removeOutliers` (no clipping when null), s = `normalizeScale`.
 * The result is double precision, as SimpleITK's.
 */
export function normalizeImage(image: ScalarImage, scale: number, removeOutliers: number | null): ScalarImage<Float64Array> {
  const v = image.voxels;
  const n = v.length;
  let sum = 0;
  let sumOfSquares = 0;
  let c1 = 0;
  let c2 = 0;
  // Kahan summation, as ITK's CompensatedSummation.
  for (let i = 0; i < n; i++) {
    const x = v[i];
    const y1 = x - c1;
    const t1 = sum + y1;
    c1 = t1 - sum - y1;
    sum = t1;
    const y2 = x * x - c2;
    const t2 = sumOfSquares + y2;
    c2 = t2 - sumOfSquares - y2;
    sumOfSquares = t2;
  }
  const mean = sum / n;
  const variance = (sumOfSquares - (sum * sum) / n) / (n - 1);
  const sigma = Math.sqrt(variance);
  const shift = -mean;
  const factor = 1 / sigma;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let y = (v[i] + shift) * factor;
    if (removeOutliers !== null) {
      if (y > removeOutliers) y = removeOutliers;
      if (y < -removeOutliers) y = -removeOutliers;
    }
    out[i] = y * scale;
  }
  return { dims: [...image.dims], spacingMm: [...image.spacingMm], originLps: [...image.originLps], direction: [...image.direction], voxels: out };
}
