/**
 * Linear interpolation as R's approx(x, y, xout, ties = mean, rule = 1): points sorted by x,
 * tied x collapsed to the mean of their y, NaN outside [min x, max x].
 */
export function approx(x: ArrayLike<number>, y: ArrayLike<number>, xout: ArrayLike<number>): Float64Array {
  const order = Array.from({ length: x.length }, (_, i) => i).sort((a, b) => x[a] - x[b]);
  const xs: number[] = [];
  const ys: number[] = [];
  for (let k = 0; k < order.length;) {
    let j = k;
    let s = 0;
    while (j < order.length && x[order[j]] === x[order[k]]) s += y[order[j++]];
    xs.push(x[order[k]]);
    ys.push(s / (j - k));
    k = j;
  }
  const out = new Float64Array(xout.length);
  const n = xs.length;
  for (let t = 0; t < xout.length; t++) {
    const v = xout[t];
    if (!(v >= xs[0] && v <= xs[n - 1])) {
      out[t] = NaN;
      continue;
    }
    let lo = 0;
    let hi = n - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (v < xs[mid]) hi = mid;
      else lo = mid;
    }
    if (v === xs[hi]) out[t] = ys[hi];
    else if (v === xs[lo]) out[t] = ys[lo];
    else out[t] = ys[lo] + (ys[hi] - ys[lo]) * ((v - xs[lo]) / (xs[hi] - xs[lo]));
  }
  return out;
}
