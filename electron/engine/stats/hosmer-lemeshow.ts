/**
 * Hosmer-Lemeshow goodness-of-fit test as ResourceSelection::hoslem.test(y, p, g = 10) (0.3-6):
 * breaks = unique(quantile(p, seq(0, 1, 1/g))) with R's type-7 quantiles; groups by
 * cut(p, breaks, include.lowest = TRUE), i.e. intervals (a, b] with the first closed;
 * statistic Σ over groups and both outcome columns of (O - E)²/E; df = G - 2 where G counts the
 * non-empty groups; p from the χ² upper tail. Other groupings (equal-size groups by rank,
 * Stata/Hmisc deciles) give other values.
 */
import { HilumError } from '../core/errors.js';
import { quantileType7 } from './descriptive.js';
import { pchisqUpper } from './distributions.js';

export interface HosmerLemeshowResult {
  statistic: number;
  df: number;
  p: number;
  breaks: number[];
  groupN: number[];
  observedEvents: number[];
  observedNonEvents: number[];
  expectedEvents: number[];
  expectedNonEvents: number[];
  meanPredicted: number[];
  observedRate: number[];
}

export function hosmerLemeshow(y: ArrayLike<number>, p: ArrayLike<number>, groups = 10): HosmerLemeshowResult {
  // seq(0, 1, 1/g) in R is 0 + k·(1/g)
  const by = 1 / groups;
  const probs = Array.from({ length: groups + 1 }, (_, k) => k * by);
  const breaks = [...new Set(quantileType7(p, probs))];
  const g = breaks.length - 1;
  if (g < 3)
    throw new HilumError({
      code: 'TOO_FEW_RISK_GROUPS',
      message: `the predicted probabilities form only ${g} distinct risk groups; the Hosmer-Lemeshow test needs at least 3`,
      data: { groups: g },
    });
  const groupOf = (v: number): number => {
    // first interval is [b0, b1], then (b_{k-1}, b_k]
    if (v < breaks[0] || v > breaks[g]) return -1;
    let lo = 0;
    let hi = g;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (v > breaks[mid]) lo = mid;
      else hi = mid;
    }
    return lo;
  };
  const n = new Array<number>(g).fill(0);
  const o1 = new Array<number>(g).fill(0);
  const e1 = new Array<number>(g).fill(0);
  for (let i = 0; i < p.length; i++) {
    const k = groupOf(p[i]);
    n[k]++;
    o1[k] += y[i];
    e1[k] += p[i];
  }
  const o0 = n.map((c, k) => c - o1[k]);
  const e0 = n.map((c, k) => c - e1[k]);
  let statistic = 0;
  let nonEmpty = 0;
  for (let k = 0; k < g; k++) {
    if (n[k] === 0) continue;
    nonEmpty++;
    statistic += (o0[k] - e0[k]) ** 2 / e0[k] + (o1[k] - e1[k]) ** 2 / e1[k];
  }
  const df = nonEmpty - 2;
  return {
    statistic,
    df,
    p: pchisqUpper(statistic, df),
    breaks,
    groupN: n,
    observedEvents: o1,
    observedNonEvents: o0,
    expectedEvents: e1,
    expectedNonEvents: e0,
    meanPredicted: e1.map((e, k) => e / n[k]),
    observedRate: o1.map((o, k) => o / n[k]),
  };
}
