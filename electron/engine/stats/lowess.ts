/**
 * LOWESS smoother, Cleveland (1979), with the algorithm of R's stats::lowess (clowess):
 * span ns = max(2, min(n, ⌊f·n + 1e-7⌋)) nearest points, tricube weights (1 within 0.001h,
 * 0 beyond 0.999h), a local line through the weighted centre when the points are spread by more
 * than 0.001·range, fitted values computed only every `delta` along x and linearly interpolated
 * in between, tied x values copied, and `iter` robustness passes with bisquare weights on
 * residuals scaled by 6·median|r| (stopping when that is below 1e-7 of the mean |r|).
 * Output is sorted by x, like R's lowess.
 */
export interface LowessOptions {
  /** Smoother span (R default 2/3). */
  f?: number;
  /** Robustness iterations (R default 3; rms::val.prob uses 0). */
  iter?: number;
  /** Distance within which fits are interpolated (R default 0.01·range(x)). */
  delta?: number;
}

export interface LowessCurve {
  x: Float64Array;
  y: Float64Array;
}

export function lowess(xIn: ArrayLike<number>, yIn: ArrayLike<number>, options: LowessOptions = {}): LowessCurve {
  const n = xIn.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => xIn[a] - xIn[b] || a - b);
  const x = Float64Array.from(order, (i) => xIn[i]);
  const y = Float64Array.from(order, (i) => yIn[i]);
  const f = options.f ?? 2 / 3;
  const iter = options.iter ?? 3;
  const delta = options.delta ?? 0.01 * (x[n - 1] - x[0]);
  const ys = new Float64Array(n);
  if (n < 2) {
    ys[0] = y[0];
    return { x, y: ys };
  }
  const ns = Math.max(2, Math.min(n, Math.floor(f * n + 1e-7)));
  const rw = new Float64Array(n).fill(1);
  const res = new Float64Array(n);
  const w = new Float64Array(n);
  for (let pass = 1; pass <= iter + 1; pass++) {
    const robust = pass > 1;
    let nleft = 0;
    let nright = ns - 1;
    let last = -1;
    let i = 0;
    for (;;) {
      if (nright < n - 1) {
        // slide the window right while that shrinks its radius about x[i]
        const d1 = x[i] - x[nleft];
        const d2 = x[nright + 1] - x[i];
        if (d1 > d2) {
          nleft++;
          nright++;
          continue;
        }
      }
      const fit = localFit(x, y, n, x[i], nleft, nright, w, robust ? rw : null);
      ys[i] = fit ?? y[i];
      if (last < i - 1) {
        const denom = x[i] - x[last];
        for (let j = last + 1; j < i; j++) {
          const alpha = (x[j] - x[last]) / denom;
          ys[j] = alpha * ys[i] + (1 - alpha) * ys[last];
        }
      }
      last = i;
      const cut = x[last] + delta;
      for (i = last + 1; i < n; i++) {
        if (x[i] > cut) break;
        if (x[i] === x[last]) {
          ys[i] = ys[last];
          last = i;
        }
      }
      i = Math.max(last + 1, i - 1);
      if (last >= n - 1) break;
    }
    for (let k = 0; k < n; k++) res[k] = y[k] - ys[k];
    if (pass > iter) break;
    let sc = 0;
    for (let k = 0; k < n; k++) sc += Math.abs(res[k]);
    sc /= n;
    const absRes = Float64Array.from(res, Math.abs).sort();
    const m1 = n >> 1;
    const cmad = n % 2 === 0 ? 3 * (absRes[m1] + absRes[n - m1 - 1]) : 6 * absRes[m1];
    if (cmad < 1e-7 * sc) break;
    const c9 = 0.999 * cmad;
    const c1 = 0.001 * cmad;
    for (let k = 0; k < n; k++) {
      const r = Math.abs(res[k]);
      rw[k] = r <= c1 ? 1 : r <= c9 ? (1 - (r / cmad) ** 2) ** 2 : 0;
    }
  }
  return { x, y: ys };
}

/** Weighted local linear fit at xs over the window [nleft, nright] (extended over ties on the right). */
function localFit(
  x: Float64Array,
  y: Float64Array,
  n: number,
  xs: number,
  nleft: number,
  nright: number,
  w: Float64Array,
  rw: Float64Array | null,
): number | null {
  const range = x[n - 1] - x[0];
  const h = Math.max(xs - x[nleft], x[nright] - xs);
  const h9 = 0.999 * h;
  const h1 = 0.001 * h;
  let a = 0;
  let j = nleft;
  while (j < n) {
    w[j] = 0;
    const r = Math.abs(x[j] - xs);
    if (r <= h9) {
      w[j] = r <= h1 ? 1 : (1 - (r / h) ** 3) ** 3;
      if (rw) w[j] *= rw[j];
      a += w[j];
    } else if (x[j] > xs) break;
    j++;
  }
  const nrt = j - 1;
  if (a <= 0) return null;
  for (j = nleft; j <= nrt; j++) w[j] /= a;
  if (h > 0) {
    a = 0;
    for (j = nleft; j <= nrt; j++) a += w[j] * x[j];
    let b = xs - a;
    let c = 0;
    for (j = nleft; j <= nrt; j++) c += w[j] * (x[j] - a) * (x[j] - a);
    if (Math.sqrt(c) > 0.001 * range) {
      b /= c;
      for (j = nleft; j <= nrt; j++) w[j] *= b * (x[j] - a) + 1;
    }
  }
  let ys = 0;
  for (j = nleft; j <= nrt; j++) ys += w[j] * y[j];
  return ys;
}
