/**
 * Distribution functions: thin wrappers over @stdlib (accurate in the tails) plus the F quantile,
 * which @stdlib does not ship here, found by bisection on the F CDF.
 */
import gammaln from '@stdlib/math-base-special-gammaln';
import chisqCdf from '@stdlib/stats-base-dists-chisquare-cdf';
import fCdf from '@stdlib/stats-base-dists-f-cdf';
import normalCdf from '@stdlib/stats-base-dists-normal-cdf';
import normalQuantile from '@stdlib/stats-base-dists-normal-quantile';
import tCdf from '@stdlib/stats-base-dists-t-cdf';
import tQuantile from '@stdlib/stats-base-dists-t-quantile';

/** Standard normal CDF Φ(x). */
export function pnorm(x: number): number {
  return normalCdf(x, 0, 1);
}

/** Standard normal quantile Φ⁻¹(p). */
export function qnorm(p: number): number {
  return normalQuantile(p, 0, 1);
}

/** Two-sided normal p-value 2·Φ(-|z|). */
export function pnormTwoSided(z: number): number {
  return Math.min(1, 2 * pnorm(-Math.abs(z)));
}

/** Two-sided Student t p-value 2·P(T_df ≤ -|t|), from the lower tail so tiny p-values keep their precision. */
export function ptTwoSided(t: number, df: number): number {
  return Math.min(1, 2 * tCdf(-Math.abs(t), df));
}

/** Student t quantile. */
export function qt(p: number, df: number): number {
  return tQuantile(p, df);
}

/**
 * Upper tail P(X > x) of χ²_df. For integer df the closed forms keep tiny p-values (LR tests of
 * strong models, 1e-140) to full relative precision:
 * even df = 2k: e^{-x/2} Σ_{i<k} (x/2)^i/i!;  odd df = 2k+1: 2Φ(-√x) + 2φ(√x) Σ_{i=1..k} x^{i-½}/(1·3···(2i-1)).
 * Other df fall back to 1 - CDF.
 */
export function pchisqUpper(x: number, df: number): number {
  if (!(x > 0)) return 1;
  if (Number.isInteger(df) && df >= 1 && df <= 400) {
    const half = x / 2;
    let s = 0;
    if (df % 2 === 0) {
      for (let i = 0; i < df / 2; i++) s += Math.exp(i * Math.log(half) - gammaln(i + 1) - half);
      return Math.min(1, s);
    }
    const r = Math.sqrt(x);
    // log of x^{i-1/2}/(1·3···(2i-1)) built up term by term
    let logTerm = 0;
    for (let i = 1; i <= (df - 1) / 2; i++) {
      logTerm += Math.log(x) - Math.log(2 * i - 1);
      s += Math.exp(logTerm - 0.5 * Math.log(x) + Math.log(2) - half - 0.5 * Math.log(2 * Math.PI));
    }
    return Math.min(1, 2 * pnorm(-r) + s);
  }
  return Math.max(0, 1 - chisqCdf(x, df));
}

/** Upper tail P(X > x) of F(df1, df2). */
export function pfUpper(x: number, df1: number, df2: number): number {
  if (!(x > 0)) return 1;
  return Math.max(0, 1 - fCdf(x, df1, df2));
}

/** F(df1, df2) quantile: bisection on the CDF to full double precision (the CDF is monotone). */
export function qf(p: number, df1: number, df2: number): number {
  if (p <= 0) return 0;
  if (p >= 1) return Infinity;
  let lo = 0;
  let hi = 1;
  while (fCdf(hi, df1, df2) < p) {
    lo = hi;
    hi *= 2;
    if (hi > 1e300) return Infinity;
  }
  for (let i = 0; i < 200; i++) {
    const mid = 0.5 * (lo + hi);
    if (mid === lo || mid === hi) break;
    if (fCdf(mid, df1, df2) < p) lo = mid;
    else hi = mid;
  }
  return 0.5 * (lo + hi);
}

/** Logistic function 1/(1+e^-η), written to avoid overflow for large |η|. */
export function plogis(eta: number): number {
  if (eta >= 0) return 1 / (1 + Math.exp(-eta));
  const e = Math.exp(eta);
  return e / (1 + e);
}

/** Logit log(p/(1-p)). */
export function qlogis(p: number): number {
  return Math.log(p / (1 - p));
}
