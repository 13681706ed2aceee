/**
 * Firth's bias-reduced logistic regression (Firth 1993; Heinze & Schemper 2002), the safeguard
 * used when the outcome is separated: it maximises the penalised log-likelihood
 * l*(β) = l(β) + ½·log|X'WX|, whose estimates are always finite. Newton steps on the modified
 * score U*(β) = X'(y - π + h(½ - π)), with hᵢ the diagonal of the hat matrix W½X(X'WX)⁻¹X'W½,
 * a step cap of 5 and step halving on l* (the defaults of R's logistf). Standard errors come
 * from (X'WX)⁻¹ at the estimate (Wald); logistf's default profile-penalised CIs are not used.
 */
import type { Matrix } from 'ml-matrix';
import { plogis } from './distributions.js';
import { inverseFromTriangular, weightedR } from './linear-algebra.js';
import { arrayMax } from '../core/array-extent.js';

export interface FirthResult {
  coefficients: Float64Array;
  covariance: Matrix;
  linearPredictor: Float64Array;
  fitted: Float64Array;
  /** Unpenalised log-likelihood at the Firth estimate. */
  logLik: number;
  penalizedLogLik: number;
  iterations: number;
  converged: boolean;
}

function logLikelihood(x: Matrix, y: ArrayLike<number>, b: Float64Array): { ll: number; eta: Float64Array } {
  const eta = new Float64Array(x.rows);
  let ll = 0;
  for (let i = 0; i < x.rows; i++) {
    let s = 0;
    for (let j = 0; j < x.columns; j++) s += x.get(i, j) * b[j];
    eta[i] = s;
    // log π = -log(1+e^-η), log(1-π) = -log(1+e^η), both computed without overflow
    const lp = s >= 0 ? -Math.log1p(Math.exp(-s)) : s - Math.log1p(Math.exp(s));
    const lq = s >= 0 ? -s - Math.log1p(Math.exp(-s)) : -Math.log1p(Math.exp(s));
    ll += y[i] === 1 ? lp : lq;
  }
  return { ll, eta };
}

function penalized(x: Matrix, y: ArrayLike<number>, b: Float64Array) {
  const { ll, eta } = logLikelihood(x, y, b);
  const pi = Float64Array.from(eta, plogis);
  const r = weightedR(
    x,
    Float64Array.from(pi, (p) => p * (1 - p)),
  );
  let logDet = 0;
  for (let j = 0; j < x.columns; j++) logDet += 2 * Math.log(Math.abs(r.get(j, j)));
  return { ll, pll: ll + 0.5 * logDet, eta, pi, r };
}

/** Fits Firth's penalised logistic regression on a design matrix that includes the intercept column. */
export function fitFirth(x: Matrix, y: ArrayLike<number>, options: { maxIterations?: number; tolerance?: number } = {}): FirthResult {
  const maxIterations = options.maxIterations ?? 200;
  const tol = options.tolerance ?? 1e-10;
  const n = x.rows;
  const p = x.columns;
  let b = new Float64Array(p);
  let cur = penalized(x, y, b);
  let converged = false;
  let iterations = 0;
  for (let iter = 1; iter <= maxIterations; iter++) {
    iterations = iter;
    const v = inverseFromTriangular(cur.r);
    const score = new Float64Array(p);
    for (let i = 0; i < n; i++) {
      const w = cur.pi[i] * (1 - cur.pi[i]);
      let h = 0;
      for (let j = 0; j < p; j++) {
        let s = 0;
        for (let k = 0; k < p; k++) s += v.get(j, k) * x.get(i, k);
        h += x.get(i, j) * s;
      }
      h *= w;
      const r = y[i] - cur.pi[i] + h * (0.5 - cur.pi[i]);
      for (let j = 0; j < p; j++) score[j] += x.get(i, j) * r;
    }
    const delta = new Float64Array(p);
    let maxDelta = 0;
    for (let j = 0; j < p; j++) {
      let s = 0;
      for (let k = 0; k < p; k++) s += v.get(j, k) * score[k];
      delta[j] = s;
      maxDelta = Math.max(maxDelta, Math.abs(s));
    }
    const maxScore = arrayMax(Array.from(score, Math.abs));
    if (maxDelta < tol && maxScore < tol) {
      converged = true;
      break;
    }
    if (maxDelta > 5) for (let j = 0; j < p; j++) delta[j] *= 5 / maxDelta;
    let step = 1;
    let next = b;
    let trial = cur;
    for (let half = 0; half < 30; half++) {
      next = Float64Array.from(b, (v0, j) => v0 + step * delta[j]);
      trial = penalized(x, y, next);
      if (trial.pll >= cur.pll - 1e-12 * Math.abs(cur.pll)) break;
      step /= 2;
    }
    b = next;
    cur = trial;
  }
  return {
    coefficients: b,
    covariance: inverseFromTriangular(cur.r),
    linearPredictor: cur.eta,
    fitted: cur.pi,
    logLik: cur.ll,
    penalizedLogLik: cur.pll,
    iterations,
    converged,
  };
}
