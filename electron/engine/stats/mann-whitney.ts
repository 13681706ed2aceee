/**
 * Wilcoxon rank-sum / Mann-Whitney U test as R's wilcox.test(x, y) with its defaults.
 * W = Σ ranks of x - n₁(n₁+1)/2 (the U of group x, midranks for ties). R uses the exact null
 * distribution when n₁ < 50, n₂ < 50 and there are no ties; otherwise the normal approximation
 * z = (W - n₁n₂/2 - ½·sign)/σ with continuity correction and the tie-corrected
 * σ² = n₁n₂/12·[(n₁+n₂+1) - Σ(t³-t)/((n₁+n₂)(n₁+n₂-1))]; p = 2·min(Φ(z), 1-Φ(z)).
 */
import { HilumError } from '../core/errors.js';
import { midranks, tieSizes } from './descriptive.js';
import { pnorm } from './distributions.js';
import { pwilcox, pwilcoxUpper } from './wilcoxon-distribution.js';

export interface MannWhitneyOptions {
  /** 'auto' follows R's rule; true/false force the exact or the normal method. */
  exact?: boolean | 'auto';
  /** Continuity correction in the normal approximation (R's default true). */
  correct?: boolean;
}

export interface MannWhitneyResult {
  /** R's W: the Mann-Whitney U of the first group. */
  w: number;
  p: number;
  method: 'exact' | 'normal';
  /** True when the values contain ties (R then cannot use the exact test). */
  ties: boolean;
}

export function mannWhitney(x: ArrayLike<number>, y: ArrayLike<number>, options: MannWhitneyOptions = {}, name = 'feature'): MannWhitneyResult {
  const n1 = x.length;
  const n2 = y.length;
  if (n1 < 1 || n2 < 1)
    throw new HilumError({ code: 'GROUP_TOO_SMALL', message: `Mann-Whitney test on '${name}' needs values in both groups`, data: { name, n1, n2 } });
  const all = new Float64Array(n1 + n2);
  all.set(x as ArrayLike<number>, 0);
  all.set(y as ArrayLike<number>, n1);
  const r = midranks(all);
  let rankSum = 0;
  for (let i = 0; i < n1; i++) rankSum += r[i];
  const w = rankSum - (n1 * (n1 + 1)) / 2;
  const ties = tieSizes(all);
  const hasTies = ties.length > 0;
  const wantExact = options.exact ?? 'auto';
  const exact = wantExact === 'auto' ? n1 < 50 && n2 < 50 && !hasTies : wantExact && !hasTies;
  if (exact) {
    const p = w > (n1 * n2) / 2 ? pwilcoxUpper(w, n1, n2) : pwilcox(w, n1, n2);
    return { w, p: Math.min(2 * p, 1), method: 'exact', ties: hasTies };
  }
  const correct = options.correct ?? true;
  let z = w - (n1 * n2) / 2;
  const tieTerm = ties.reduce((s, t) => s + t ** 3 - t, 0);
  const sigma = Math.sqrt(((n1 * n2) / 12) * (n1 + n2 + 1 - tieTerm / ((n1 + n2) * (n1 + n2 - 1))));
  if (sigma === 0) throw new HilumError({ code: 'CONSTANT_FEATURE', message: `feature '${name}' is constant; a rank test is undefined`, data: { name } });
  const correction = correct ? Math.sign(z) * 0.5 : 0;
  z = (z - correction) / sigma;
  const p = 2 * Math.min(pnorm(z), pnorm(-z));
  return { w, p: Math.min(p, 1), method: 'normal', ties: hasTies };
}
