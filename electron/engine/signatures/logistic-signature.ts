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
  /** Covariance of (intercept, coefficients…) in that order (R's vcov(glm)); absent in bundles made before it was recorded. */
  covariance?: number[][];
  /** Each term's mean on the training split (x̄ₜᵣₐᵢₙ, for input contributions); absent in bundles made before it was recorded. */
  termMeans?: number[];
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
    covariance: fit.covariance,
    table: fit.coefficients.map((c) => ({ name: c.name, estimate: c.estimate, se: c.se, p: c.p, oddsRatio: c.oddsRatio, oddsRatioCi: c.oddsRatioCi })),
  };
}

/**
 * Wald interval of one patient's linear predictor η = xᵀβ (x = (1, x₁, …)):
 * se(η) = √(xᵀ V x), interval η ± z·se, mapped through plogis to a probability interval.
 * Returns null when the signature carries no covariance (bundles from before it was recorded).
 */
export function predictionInterval(
  s: LogisticSignature,
  values: Record<string, number>,
  z = 1.959963984540054,
): { linearPredictor: number; se: number; probability: [number, number] } | null {
  if (!s.covariance) return null;
  const x = [1, ...s.terms.map((t) => values[t])];
  if (x.some((v) => !Number.isFinite(v))) throw new HilumError({ code: 'FEATURE_MISSING', message: `${s.name} signature: a term has no finite value` });
  const eta = s.intercept + s.terms.reduce((acc, t, j) => acc + s.coefficients[j] * values[t], 0);
  let variance = 0;
  for (let i = 0; i < x.length; i++) for (let j = 0; j < x.length; j++) variance += x[i] * s.covariance[i][j] * x[j];
  const se = Math.sqrt(Math.max(0, variance));
  return { linearPredictor: eta, se, probability: [plogis(eta - z * se), plogis(eta + z * se)] };
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
