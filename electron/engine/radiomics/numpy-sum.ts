/**
 * NumPy's summation order, so that means printed in diagnostics and thresholds derived from them
 * agree with PyRadiomics to the last bit: pairwise summation (8 accumulators, halves above 128
 * elements) within buffers of 8192 elements, the buffers added in order.
 */
export function numpySum(a: ArrayLike<number>): number {
  let total = 0;
  for (let start = 0; start < a.length; start += 8192) total += pairwiseSum(a, start, Math.min(8192, a.length - start));
  return total;
}

export function numpyMean(a: ArrayLike<number>): number {
  return numpySum(a) / a.length;
}

function pairwiseSum(a: ArrayLike<number>, start: number, n: number): number {
  if (n < 8) {
    let s = 0;
    for (let i = start; i < start + n; i++) s += a[i];
    return s;
  }
  if (n <= 128) {
    const r = [a[start], a[start + 1], a[start + 2], a[start + 3], a[start + 4], a[start + 5], a[start + 6], a[start + 7]];
    let i = 8;
    for (; i < n - (n % 8); i += 8) for (let k = 0; k < 8; k++) r[k] += a[start + i + k];
    let s = r[0] + r[1] + (r[2] + r[3]) + (r[4] + r[5] + (r[6] + r[7]));
    for (; i < n; i++) s += a[start + i];
    return s;
  }
  let half = n >> 1;
  half -= half % 8;
  return pairwiseSum(a, start, half) + pairwiseSum(a, start + half, n - half);
}
