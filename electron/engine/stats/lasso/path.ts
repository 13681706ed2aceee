/**
 * LASSO-penalised logistic regression along a λ path with glmnet's conventions (glmnet 4.1,
 * family = "binomial", alpha = 1, standardize = TRUE): standardisation with 1/N SDs
 * (standardize.ts); λ_max = maxⱼ |Σᵢ zᵢⱼ(yᵢ - ȳ)|/N; by default nlambda = 100 values falling
 * geometrically to λ_max·r with r = 0.01 when n < p, else 1e-4 (the first λ reported as
 * exp(2·log λ₂ - log λ₃), as glmnet does); a computed path stops early, from the 5th λ on, when
 * the deviance ratio exceeds 0.999 or grows by less than 1e-5 from the previous λ (glmnet's lognet
 * with glmnet.control devmax, fdev); any path stops when the fitted probabilities have all
 * saturated (mean π(1-π) ≤ 1e-9, lognet's vmin), otherwise a user-given λ list (fitted decreasing,
 * lambda-grid.ts) is fitted in full. Each λ is solved warm-started to
 * convergence (solver.ts); coefficients are returned on the original scale and the
 * standardised scale. dev.ratio = 1 - D/D_null.
 */
import { HilumError } from '../../core/errors.js';
import { binomialDeviance } from '../logistic-irls.js';
import { checkModelData, INTERCEPT, type ModelData } from '../design.js';
import { kktCheck, linearPredictor, type KktCheck } from './objective.js';
import { checkLambdaGrid, type LambdaGridOptions } from './lambda-grid.js';
import { solveLambda } from './solver.js';
import { standardization, standardizedDesign, type Standardization } from './standardize.js';

export interface LassoPathOptions extends LambdaGridOptions {
  /** Convergence tolerance of the solver on the standardised coefficients. */
  tolerance?: number;
  /** Also report the KKT conditions at each λ. */
  kkt?: boolean;
}

export interface LassoPath {
  features: string[];
  lambda: number[];
  /** Intercepts on the original scale. */
  a0: number[];
  /** Coefficients on the original scale: beta[k][j] for λ_k and feature j. */
  beta: number[][];
  /** Coefficients on the standardised scale (βⱼ·sⱼ). */
  betaStandardized: number[][];
  df: number[];
  devRatio: number[];
  nullDeviance: number;
  objective: number[];
  kkt?: KktCheck[];
  standardization: Standardization;
  /** True when a computed path stopped before nLambda values. */
  stoppedEarly: boolean;
}

/** Internal: fit a λ list on a subset of rows (used by the full fit and the CV folds). */
export function fitRows(
  columns: readonly ArrayLike<number>[],
  names: readonly string[],
  y: ArrayLike<number>,
  rows: ArrayLike<number>,
  options: LassoPathOptions & { allowConstant?: boolean },
): LassoPath {
  const n = rows.length;
  const p = columns.length;
  const s = standardization(columns, names, rows, options.allowConstant ?? false);
  const z = standardizedDesign(columns, s, rows);
  const yy = Float64Array.from(rows, (i) => y[i]);
  let ybar = 0;
  for (let i = 0; i < n; i++) ybar += yy[i];
  ybar /= n;
  if (ybar === 0 || ybar === 1)
    throw new HilumError({
      code: 'ONE_CLASS_ONLY',
      message: 'a LASSO training set holds only one outcome class',
      hint: 'Use stratified folds or fewer folds.',
    });
  const nullDeviance = binomialDeviance(yy, new Float64Array(n).fill(ybar));
  let lambdas: number[];
  const computed = !options.lambda;
  if (options.lambda) lambdas = [...options.lambda];
  else {
    let lmax = 0;
    for (let j = 0; j < p; j++) {
      let g = 0;
      for (let i = 0; i < n; i++) g += z[i * p + j] * (yy[i] - ybar);
      lmax = Math.max(lmax, Math.abs(g) / n);
    }
    const nl = options.nLambda ?? 100;
    const ratio = options.lambdaMinRatio ?? (n < p ? 0.01 : 1e-4);
    const alf = ratio ** (1 / (nl - 1));
    lambdas = [lmax];
    let l = lmax;
    for (let k = 1; k < nl; k++) lambdas.push((l *= alf));
    if (nl > 2) lambdas[0] = Math.exp(2 * Math.log(lambdas[1]) - Math.log(lambdas[2]));
  }
  const out: LassoPath = {
    features: [...names],
    lambda: [],
    a0: [],
    beta: [],
    betaStandardized: [],
    df: [],
    devRatio: [],
    nullDeviance,
    objective: [],
    standardization: s,
    stoppedEarly: false,
    ...(options.kkt ? { kkt: [] } : {}),
  };
  let start: { a0: number; beta: Float64Array } = { a0: Math.log(ybar / (1 - ybar)), beta: new Float64Array(p) };
  for (let k = 0; k < lambdas.length; k++) {
    const sol = solveWithStrongRules(z, yy, n, p, lambdas[k], k > 0 ? lambdas[k - 1] : lambdas[k], start, options.tolerance);
    start = { a0: sol.a0, beta: sol.beta };
    const mu = Float64Array.from(sol.eta, (e) => 1 / (1 + Math.exp(-e)));
    const dev = binomialDeviance(yy, mu);
    const beta = Array.from(sol.beta, (b, j) => b / s.sds[j]);
    let a0 = sol.a0;
    for (let j = 0; j < p; j++) a0 -= beta[j] * s.means[j];
    out.lambda.push(lambdas[k]);
    out.a0.push(a0);
    out.beta.push(beta);
    out.betaStandardized.push(Array.from(sol.beta));
    out.df.push(sol.beta.reduce((c, b) => c + (b !== 0 ? 1 : 0), 0));
    out.devRatio.push(1 - dev / nullDeviance);
    out.objective.push(sol.objective);
    if (out.kkt) out.kkt.push(kktCheck(z, yy, n, p, sol.a0, sol.beta, lambdas[k]));
    // glmnet stops a path whose fitted probabilities have all saturated (mean π(1-π) ≤ ~1e-9), for any λ list
    let meanW = 0;
    for (const m of mu) meanW += m * (1 - m);
    const saturated = meanW / n <= (1 + 1e-9) * 1e-9 * (1 - 1e-9);
    const stop = saturated || (computed && k >= 4 && (out.devRatio[k] > 0.999 || out.devRatio[k] - out.devRatio[k - 1] < 1e-5));
    if (stop) {
      out.stoppedEarly = k < lambdas.length - 1;
      break;
    }
  }
  return out;
}

/** (1/N)·Σᵢ zᵢⱼ(yᵢ − πᵢ) for every feature at the linear predictor η. */
function scoreGradient(z: Float64Array, y: Float64Array, n: number, p: number, eta: Float64Array): Float64Array {
  const g = new Float64Array(p);
  for (let i = 0; i < n; i++) {
    const r = (y[i] - 1 / (1 + Math.exp(-eta[i]))) / n;
    if (r === 0) continue;
    const o = i * p;
    for (let j = 0; j < p; j++) g[j] += z[o + j] * r;
  }
  return g;
}

/**
 * One λ with glmnet's sequential strong rule (Tibshirani et al. 2012): the problem is solved on
 * the features already active or with |gⱼ| ≥ 2λ − λ_prev at the previous solution, then the KKT
 * condition |gⱼ| ≤ λ is checked on every other feature and violators are added until none is left.
 * The result is the solution of the full problem; the solver only sees the few features that
 * can be active, which is what makes a path over hundreds of features affordable.
 */
function solveWithStrongRules(
  z: Float64Array,
  y: Float64Array,
  n: number,
  p: number,
  lambda: number,
  previousLambda: number,
  start: { a0: number; beta: Float64Array },
  tolerance: number | undefined,
): { a0: number; beta: Float64Array; eta: Float64Array; objective: number } {
  const eta0 = linearPredictor(z, n, p, start.a0, start.beta);
  const g0 = scoreGradient(z, y, n, p, eta0);
  const inSet = new Uint8Array(p);
  for (let j = 0; j < p; j++) if (start.beta[j] !== 0 || Math.abs(g0[j]) >= 2 * lambda - previousLambda) inSet[j] = 1;
  for (;;) {
    const set: number[] = [];
    for (let j = 0; j < p; j++) if (inSet[j]) set.push(j);
    const m = set.length;
    const zs = new Float64Array(n * m);
    for (let i = 0; i < n; i++) for (let u = 0; u < m; u++) zs[i * m + u] = z[i * p + set[u]];
    const sol = solveLambda(zs, y, n, m, lambda, { a0: start.a0, beta: Float64Array.from(set, (j) => start.beta[j]) }, { tolerance });
    const beta = new Float64Array(p);
    set.forEach((j, u) => (beta[j] = sol.beta[u]));
    const g = scoreGradient(z, y, n, p, sol.eta);
    let violated = false;
    for (let j = 0; j < p; j++)
      if (!inSet[j] && Math.abs(g[j]) > lambda) {
        inSet[j] = 1;
        violated = true;
      }
    if (!violated) return { a0: sol.a0, beta, eta: sol.eta, objective: sol.objective };
    start = { a0: sol.a0, beta };
  }
}

/** LASSO path of the 0/1 outcome on the named features. */
export function fitLassoPath(data: ModelData, features: readonly string[], options: LassoPathOptions = {}): LassoPath {
  checkModelData(data, features);
  if (features.length < 1) throw new HilumError({ code: 'EMPTY_MODEL', message: 'the LASSO needs at least one feature' });
  const rows = Float64Array.from({ length: data.y.length }, (_, i) => i);
  return fitRows(
    features.map((f) => data.x[f]),
    features,
    data.y,
    rows,
    checkLambdaGrid(options),
  );
}

/** Coefficients of path step k by name (original scale, with '(Intercept)'). */
export function coefficientsAt(path: LassoPath, k: number): Record<string, number> {
  return { [INTERCEPT]: path.a0[k], ...Object.fromEntries(path.features.map((f, j) => [f, path.beta[k][j]])) };
}
