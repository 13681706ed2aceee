/**
 * R's pretty(x, n) (R 4.2, src/appl/pretty.c R_pretty with its defaults min.n = n %/% 3,
 * shrink.sml = 0.75, high.u.bias = 1.5, u5.bias = 0.5 + 1.5·high.u.bias, bounds = TRUE):
 * a unit from {1, 2, 5, 10}·10^k near range/n, favouring the larger units, and the multiples of
 * it that cover the range, generated as R's seq.int(from, to, length.out) does (from both ends).
 */
const DBL_EPSILON = 2.220446049250313e-16;
const ROUNDING_EPS = 1e-10;

export function pretty(values: ArrayLike<number>, n = 5): number[] {
  let lo = Infinity;
  let up = -Infinity;
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) continue;
    lo = Math.min(lo, values[i]);
    up = Math.max(up, values[i]);
  }
  const minN = Math.floor(n / 3);
  const shrink = 0.75;
  const h = 1.5;
  const h5 = 0.5 + 1.5 * h;
  const dx = up - lo;
  let cell: number;
  let small: boolean;
  if (dx === 0 && up === 0) {
    cell = 1;
    small = true;
  } else {
    cell = Math.max(Math.abs(lo), Math.abs(up));
    let U = 1 + (h5 >= 1.5 * h + 0.5 ? 1 / (1 + h) : 1.5 / (1 + h5));
    U *= Math.max(1, n) * DBL_EPSILON;
    small = dx < cell * U * 3;
  }
  if (small) {
    if (cell > 10) cell = 9 + cell / 10;
    cell *= shrink;
    if (minN > 1) cell /= minN;
  } else {
    cell = dx;
    if (n > 1) cell /= n;
  }
  const base = 10 ** Math.floor(Math.log10(cell));
  let unit = base;
  let ns = 2 * base;
  if (ns - cell < h * (cell - unit)) {
    unit = ns;
    ns = 5 * base;
    if (ns - cell < h5 * (cell - unit)) {
      unit = ns;
      ns = 10 * base;
      if (ns - cell < h * (cell - unit)) unit = ns;
    }
  }
  let nsI = Math.floor(lo / unit + ROUNDING_EPS);
  let nuI = Math.ceil(up / unit - ROUNDING_EPS);
  while (nsI * unit > lo + ROUNDING_EPS * unit) nsI--;
  while (nuI * unit < up - ROUNDING_EPS * unit) nuI++;
  let k = Math.floor(0.5 + nuI - nsI);
  if (k < minN) {
    k = minN - k;
    if (nsI >= 0) {
      nuI += Math.floor(k / 2);
      nsI -= Math.floor(k / 2) + (k % 2);
    } else {
      nsI -= Math.floor(k / 2);
      nuI += Math.floor(k / 2) + (k % 2);
    }
    k = minN;
  }
  const from = nsI * unit;
  const to = nuI * unit;
  const s = seqLength(from, to, k + 1);
  if (k > 0) {
    const delta = (to - from) / k;
    for (let i = 0; i < s.length; i++) if (Math.abs(s[i]) < 1e-14 * delta) s[i] = 0;
  }
  return s;
}

/** R's seq.int(from, to, length.out = n): interior points computed from the nearer end. */
export function seqLength(from: number, to: number, n: number): number[] {
  if (n === 1) return [from];
  const out = new Array<number>(n);
  out[0] = from;
  out[n - 1] = to;
  const by = (to - from) / (n - 1);
  for (let i = 1; i < n - 1; i++) out[i] = i < n / 2 ? from + i * by : to - (n - 1 - i) * by;
  return out;
}
