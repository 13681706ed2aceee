/**
 * Descriptive statistics with R's conventions: two-pass means (as R's mean.default, which
 * refines the first pass by the mean residual), n-1 variances, type-7 quantiles and midranks.
 */

/** Sum with Neumaier compensation, so long columns keep full precision. */
export function sum(values: ArrayLike<number>): number {
  let s = 0;
  let c = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    const t = s + v;
    c += Math.abs(s) >= Math.abs(v) ? s - t + v : v - t + s;
    s = t;
  }
  return s + c;
}

/** Mean refined by a second pass over the residuals (R's mean.default does the same in long double). */
export function mean(values: ArrayLike<number>): number {
  const n = values.length;
  const m = sum(values) / n;
  let r = 0;
  for (let i = 0; i < n; i++) r += values[i] - m;
  return m + r / n;
}

/** Sample variance with the n-1 denominator (R's var). */
export function variance(values: ArrayLike<number>): number {
  const n = values.length;
  const m = mean(values);
  let ss = 0;
  let s = 0;
  for (let i = 0; i < n; i++) {
    const d = values[i] - m;
    ss += d * d;
    s += d;
  }
  return (ss - (s * s) / n) / (n - 1);
}

/** Sample covariance with the n-1 denominator. */
export function covariance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  const ma = mean(a);
  const mb = mean(b);
  let s = 0;
  for (let i = 0; i < n; i++) s += (a[i] - ma) * (b[i] - mb);
  return s / (n - 1);
}

/** Largest value (a loop: spreading long arrays into Math.max overflows the call stack). */
export function maxOf(values: ArrayLike<number>): number {
  let m = -Infinity;
  for (let i = 0; i < values.length; i++) if (values[i] > m) m = values[i];
  return m;
}

/** Ascending copy as a Float64Array. */
export function sorted(values: ArrayLike<number>): Float64Array {
  return Float64Array.from(values).sort();
}

/** Median (mean of the two middle values for even n), as R's median. */
export function median(values: ArrayLike<number>): number {
  const s = sorted(values);
  const n = s.length;
  const h = n >> 1;
  return n % 2 === 1 ? s[h] : (s[h - 1] + s[h]) / 2;
}

/**
 * Quantiles of type 7 (R's default): with index = 1 + (n-1)p, lo = floor, hi = ceiling and
 * h = index - lo, q = (1-h)·x[lo] + h·x[hi]; written in R's exact arithmetic order so that
 * quantile breaks compare bit-for-bit with R's (cut() and Hosmer-Lemeshow groups depend on it).
 */
export function quantileType7(values: ArrayLike<number>, probs: readonly number[]): number[] {
  const x = sorted(values);
  const n = x.length;
  return probs.map((p) => {
    const index = 1 + Math.max(n - 1, 0) * p;
    const lo = Math.floor(index);
    const hi = Math.ceil(index);
    const qs = x[lo - 1];
    const xhi = x[hi - 1];
    if (index > lo && xhi !== qs) {
      const h = index - lo;
      return (1 - h) * qs + h * xhi;
    }
    return qs;
  });
}

/** Ranks with ties given their average rank (midranks, R's rank(ties.method = "average")). */
export function midranks(values: ArrayLike<number>): Float64Array {
  const n = values.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => values[a] - values[b]);
  const ranks = new Float64Array(n);
  let i = 0;
  while (i < n) {
    let j = i;
    while (j + 1 < n && values[order[j + 1]] === values[order[i]]) j++;
    const r = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) ranks[order[k]] = r;
    i = j + 1;
  }
  return ranks;
}

/** Sizes of the groups of tied values (only groups of 2 or more). */
export function tieSizes(values: ArrayLike<number>): number[] {
  const s = sorted(values);
  const sizes: number[] = [];
  let i = 0;
  while (i < s.length) {
    let j = i;
    while (j + 1 < s.length && s[j + 1] === s[i]) j++;
    if (j > i) sizes.push(j - i + 1);
    i = j + 1;
  }
  return sizes;
}

/** Splits values into the rows where the 0/1 outcome is 1 and where it is 0. */
export function splitByOutcome(values: ArrayLike<number>, y: ArrayLike<number>): { cases: Float64Array; controls: Float64Array } {
  let m = 0;
  for (let i = 0; i < y.length; i++) m += y[i] === 1 ? 1 : 0;
  const cases = new Float64Array(m);
  const controls = new Float64Array(y.length - m);
  let a = 0;
  let b = 0;
  for (let i = 0; i < y.length; i++) {
    if (y[i] === 1) cases[a++] = values[i];
    else controls[b++] = values[i];
  }
  return { cases, controls };
}
