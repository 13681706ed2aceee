/**
 * A logistic-model signature (clinical; combined): P = plogis(β₀ + Σ βⱼ xⱼ) over named, encoded
 * predictors, with its coefficient table (OR, 95 % CI, p) for the report.
 */
import { HilumError } from '../core/errors.js';
import { plogis } from '../stats/distributions.js';
import { INTERCEPT } from '../stats/design.js';
import type { LogisticFit } from '../stats/logistic-regression.js';

export interface LogisticSignature {
  kind: 'logistic';
  name: string;
  terms: string[];
  intercept: number;
  coefficients: number[];
  method: 'maximum-likelihood' | 'firth';
  table: { name: string; estimate: number; se: number; p: number; oddsRatio: number; oddsRatioCi: [number, number] }[];
}

export function logisticSignature(name: string, fit: LogisticFit): LogisticSignature {
  return {
    kind: 'logistic',
    name,
    terms: [...fit.terms.filter((t) => t !== INTERCEPT)],
    intercept: fit.estimates[INTERCEPT],
    coefficients: fit.terms.filter((t) => t !== INTERCEPT).map((t) => fit.estimates[t]),
    method: fit.method,
    table: fit.coefficients.map((c) => ({ name: c.name, estimate: c.estimate, se: c.se, p: c.p, oddsRatio: c.oddsRatio, oddsRatioCi: c.oddsRatioCi })),
  };
}

/** Linear predictor β₀ + Σ βⱼ xⱼ for n patients. */
export function linearPredictorOf(s: LogisticSignature, columns: Record<string, ArrayLike<number>>, n: number): Float64Array {
  const out = new Float64Array(n).fill(s.intercept);
  s.terms.forEach((t, j) => {
    const col = columns[t];
    if (!col) throw new HilumError({ code: 'FEATURE_MISSING', message: `${s.name} signature needs ${t}, which the case lacks` });
    for (let i = 0; i < n; i++) out[i] += s.coefficients[j] * col[i];
  });
  return out;
}

export function probabilities(lp: ArrayLike<number>): Float64Array {
  return Float64Array.from(lp, plogis);
}
