/**
 * Exact null distribution of the Mann-Whitney statistic U for group sizes m and n without ties
 * (R's dwilcox/pwilcox): the number of arrangements c(u; m, n) with U = u obeys
 * c(u; m, n) = c(u - n; m - 1, n) + c(u; m, n - 1), counted here by a rolling table over n
 * with additions only, so the counts keep full relative precision.
 */
const cache = new Map<string, Float64Array>();

/** Frequencies c(u; m, n) for u = 0…mn. */
export function wilcoxonCounts(m: number, n: number): Float64Array {
  const key = `${m},${n}`;
  const hit = cache.get(key);
  if (hit) return hit;
  // prev[i] holds c(·; i, j-1), cur[i] holds c(·; i, j)
  let prev: Float64Array[] = Array.from({ length: m + 1 }, (_, i) => (i === 0 ? Float64Array.of(1) : Float64Array.of(1)));
  for (let j = 1; j <= n; j++) {
    const cur: Float64Array[] = [Float64Array.of(1)];
    for (let i = 1; i <= m; i++) {
      const c = new Float64Array(i * j + 1);
      const fromLeft = cur[i - 1]; // c(·; i-1, j), shifted by j
      const fromPrev = prev[i]; // c(·; i, j-1)
      for (let u = 0; u < fromPrev.length; u++) c[u] += fromPrev[u];
      for (let u = 0; u < fromLeft.length; u++) c[u + j] += fromLeft[u];
      cur.push(c);
    }
    prev = cur;
  }
  const counts = prev[m];
  if (cache.size > 64) cache.clear();
  cache.set(key, counts);
  return counts;
}

/** P(U ≤ q) under H0 (R's pwilcox(q, m, n)); q is floored as R does. */
export function pwilcox(q: number, m: number, n: number): number {
  const c = wilcoxonCounts(m, n);
  const k = Math.floor(q + 1e-7);
  if (k < 0) return 0;
  let below = 0;
  let total = 0;
  for (let u = 0; u < c.length; u++) {
    total += c[u];
    if (u <= k) below += c[u];
  }
  return below / total;
}

/** P(U ≥ q) under H0, summed directly over the upper tail. */
export function pwilcoxUpper(q: number, m: number, n: number): number {
  const c = wilcoxonCounts(m, n);
  const k = Math.ceil(q - 1e-7);
  let above = 0;
  let total = 0;
  for (let u = 0; u < c.length; u++) {
    total += c[u];
    if (u >= k) above += c[u];
  }
  return above / total;
}
