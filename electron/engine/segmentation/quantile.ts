/**
 * The q-quantile of a sample, linearly interpolated between order statistics as on sorted values:
 * x(lo) + (pos − lo)·(x(hi) − x(lo)), pos = (n − 1)·q, lo = ⌊pos⌋, hi = ⌈pos⌉. NaN for no values.
 */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  if (!sorted.length) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
}

/** Buckets the values are counted into by quantileBySelection. */
const BUCKETS = 1024;

/**
 * quantileSorted of the values once sorted, without sorting them all (selection in linear time):
 * the values are counted into equal-width buckets between their minimum and maximum (the bucket
 * index is monotonic in the value, so buckets keep the values' order), and only the buckets that
 * hold the two order statistics are sorted.
 */
export function quantileBySelection(values: Float32Array, q: number): number {
  const n = values.length;
  if (!n) return NaN;
  const pos = (n - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    if (values[i] < min) min = values[i];
    if (values[i] > max) max = values[i];
  }
  if (min === max) return min;
  const scale = BUCKETS / (max - min);
  const bucketOf = (v: number) => Math.min(BUCKETS - 1, Math.floor((v - min) * scale));
  const counts = new Int32Array(BUCKETS);
  for (let i = 0; i < n; i++) counts[bucketOf(values[i])]++;
  // The buckets holding ranks lo and hi, and the rank of the first value in the first of them.
  let first = 0;
  let before = 0;
  while (before + counts[first] <= lo) before += counts[first++];
  let last = first;
  let upTo = before + counts[first];
  while (upTo <= hi) upTo += counts[++last];
  const held = new Float32Array(upTo - before);
  for (let i = 0, c = 0; i < n; i++) {
    const b = bucketOf(values[i]);
    if (b >= first && b <= last) held[c++] = values[i];
  }
  held.sort();
  const a = held[lo - before];
  return a + (pos - lo) * (held[hi - before] - a);
}
