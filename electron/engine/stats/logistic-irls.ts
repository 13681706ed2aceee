/**
 * Maximum-likelihood logistic regression by iteratively reweighted least squares, reproducing
 * R's glm.fit(family = binomial()) step by step: start at μ = (y + ½)/2, working response
 * z = η + (y-μ)/μ'(η), weights w = μ'(η)²/(μ(1-μ)), a Householder-QR weighted least-squares
 * solve, and convergence when |D - D_old|/(|D| + 0.1) < ε. The logit link is clamped as R's
 * C code does (|η| > 30 → μ at DBL_EPSILON), so iteration counts and the covariance matrix
 * (from the last iteration's working weights, as summary.glm) agree with R.
 * For the canonical logit link IRLS is exactly Newton-Raphson on the log-likelihood.
 */
import type { Matrix } from 'ml-matrix';
import { sum } from './descriptive.js';
import { inverseFromTriangular, weightedLeastSquares, weightedR } from './linear-algebra.js';

const DBL_EPSILON = 2.220446049250313e-16;
const ETA_LIMIT = 30;

/** Inverse logit with R's clamping (C_logit_linkinv). */
export function logitLinkInverse(eta: number): number {
  const t = eta < -ETA_LIMIT ? DBL_EPSILON : eta > ETA_LIMIT ? 1 / DBL_EPSILON : Math.exp(eta);
  return t / (1 + t);
}

/** dμ/dη with R's clamping (C_logit_mu_eta). */
function logitMuEta(eta: number): number {
  if (eta > ETA_LIMIT || eta < -ETA_LIMIT) return DBL_EPSILON;
  const e = Math.exp(eta);
  const o = 1 + e;
  return e / (o * o);
}

/** Binomial deviance contribution 2[y log(y/μ) + (1-y) log((1-y)/(1-μ))] for a 0/1 outcome. */
export function binomialDevianceResidual(y: number, mu: number): number {
  return y === 1 ? 2 * Math.log(1 / mu) : 2 * Math.log(1 / (1 - mu));
}

/** Deviance -2·log-likelihood of 0/1 outcomes at probabilities μ. */
export function binomialDeviance(y: ArrayLike<number>, mu: ArrayLike<number>): number {
  const d = new Float64Array(y.length);
  for (let i = 0; i < y.length; i++) d[i] = binomialDevianceResidual(y[i], mu[i]);
  return sum(d);
}

export interface IrlsOptions {
  /** Relative deviance change for convergence (R's glm.control epsilon). Default 1e-14: fully converged. */
  epsilon?: number;
  /** Maximum iterations (R's glm.control maxit). Default 100. */
  maxIterations?: number;
  /** Known offset added to the linear predictor. */
  offset?: ArrayLike<number>;
}

export interface IrlsResult {
  coefficients: Float64Array;
  linearPredictor: Float64Array;
  fitted: Float64Array;
  deviance: number;
  iterations: number;
  converged: boolean;
  /** (X'WX)⁻¹ with the working weights of the last iteration (R's summary.glm covariance). */
  covariance: Matrix;
  /** (X'WX)⁻¹ with W = μ(1-μ) at the final estimates (the Newton/observed-information covariance). */
  covarianceAtEstimate: Matrix;
  /** Coefficients after every iteration (for separation diagnostics). */
  history: Float64Array[];
  /** Index of a design column that is a linear combination of the others, or -1. */
  dependentColumn: number;
}

/** Fits logistic regression of 0/1 `y` on the design matrix `x` (include the intercept column yourself). */
export function fitIrls(x: Matrix, y: ArrayLike<number>, options: IrlsOptions = {}): IrlsResult {
  const epsilon = options.epsilon ?? 1e-14;
  const maxIterations = options.maxIterations ?? 100;
  const n = x.rows;
  const p = x.columns;
  const offset = options.offset ?? new Float64Array(n);
  const eta = new Float64Array(n);
  const mu = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const m0 = (y[i] + 0.5) / 2;
    eta[i] = Math.log(m0 / (1 - m0));
    mu[i] = logitLinkInverse(eta[i]);
  }
  let devOld = binomialDeviance(y, mu);
  let deviance = devOld;
  let coefficients: Float64Array = new Float64Array(p);
  let lastR: Matrix | null = null;
  let converged = false;
  let iterations = 0;
  const history: Float64Array[] = [];
  const z = new Float64Array(n);
  const w = new Float64Array(n);
  for (let iter = 1; iter <= maxIterations; iter++) {
    iterations = iter;
    for (let i = 0; i < n; i++) {
      const d = logitMuEta(eta[i]);
      z[i] = eta[i] - offset[i] + (y[i] - mu[i]) / d;
      w[i] = Math.sqrt((d * d) / (mu[i] * (1 - mu[i])));
    }
    const solution = weightedLeastSquares(x, z, w);
    if (solution.dependentColumn >= 0) return dependentResult(solution.dependentColumn, x, iter);
    lastR = solution.r;
    const start = solution.coefficients;
    for (let i = 0; i < n; i++) {
      let s = offset[i];
      for (let j = 0; j < p; j++) s += x.get(i, j) * start[j];
      eta[i] = s;
      mu[i] = logitLinkInverse(s);
    }
    deviance = binomialDeviance(y, mu);
    coefficients = start;
    history.push(start);
    if (Math.abs(deviance - devOld) / (Math.abs(deviance) + 0.1) < epsilon) {
      converged = true;
      break;
    }
    devOld = deviance;
  }
  const wAt = Float64Array.from(mu, (m) => m * (1 - m));
  return {
    coefficients,
    linearPredictor: eta,
    fitted: mu,
    deviance,
    iterations,
    converged,
    covariance: inverseFromTriangular(lastR as Matrix),
    covarianceAtEstimate: inverseFromTriangular(weightedR(x, wAt)),
    history,
    dependentColumn: -1,
  };
}

function dependentResult(column: number, x: Matrix, iterations: number): IrlsResult {
  const nan = new Float64Array(x.columns).fill(NaN);
  return {
    coefficients: nan,
    linearPredictor: new Float64Array(x.rows).fill(NaN),
    fitted: new Float64Array(x.rows).fill(NaN),
    deviance: NaN,
    iterations,
    converged: false,
    covariance: x.clone().fill(NaN),
    covarianceAtEstimate: x.clone().fill(NaN),
    history: [],
    dependentColumn: column,
  };
}
