/**
 * Binary logistic regression as rms::lrm.fit computes it (rms 6.5-0), for the statistics that rms
 * reports from its own fits (val.prob's calibration intercept/slope, the nomogram's coefficients).
 * rms's Newton-Raphson starts at intercept = logit(ȳ) with zero slopes, clamps the linear
 * predictor to ±30, halves a step when -2LL rises, and stops one step after |Δ(-2LL)| ≤ 0.025
 * (maxit 12), so its estimates differ from the fully converged glm ones by about 1e-7.
 * Its rank statistics come from a frequency table of the predicted probability in 5001 bins
 * (bin = ⌊5000·p⌋ + 1): C = (concordant + ½ tied)/pairs, Dxy = (concordant - discordant)/pairs,
 * Gamma = (c - d)/(c + d), Tau-a = (c - d)/(n(n-1)/2); pairs tied within a bin count as ties.
 */
import { Matrix, solve } from 'ml-matrix';

export interface LrmFit {
  coefficients: Float64Array;
  /** -2 log-likelihood of the intercept-only model. */
  nullDeviance: number;
  /** -2 log-likelihood at the estimates. */
  deviance: number;
  linearPredictor: Float64Array;
  iterations: number;
  converged: boolean;
}

const clampedProb = (eta: number): number => 1 / (1 + Math.exp(-Math.min(Math.max(eta, -30), 30)));

function evaluate(x: Matrix, y: ArrayLike<number>, b: Float64Array) {
  const n = x.rows;
  const p = x.columns;
  const u = new Float64Array(p);
  const v = new Matrix(p, p);
  let ll = 0;
  for (let i = 0; i < n; i++) {
    let bx = 0;
    for (let j = 0; j < p; j++) bx += b[j] * x.get(i, j);
    const pi = clampedProb(bx);
    const w = pi * (1 - pi);
    ll += y[i] === 1 ? Math.log(pi) : Math.log(1 - pi);
    for (let j = 0; j < p; j++) {
      const xj = x.get(i, j);
      u[j] += (y[i] - pi) * xj;
      for (let k = 0; k <= j; k++) v.set(j, k, v.get(j, k) + w * xj * x.get(i, k));
    }
  }
  for (let j = 0; j < p; j++) for (let k = 0; k < j; k++) v.set(k, j, v.get(j, k));
  return { deviance: -2 * ll, u, v };
}

/** rms lrm.fit on a design matrix with the intercept in column 0. */
export function fitLrm(x: Matrix, y: ArrayLike<number>, options: { maxIterations?: number; devianceTolerance?: number } = {}): LrmFit {
  const maxit = options.maxIterations ?? 12;
  const dlike = options.devianceTolerance ?? 0.025;
  const n = x.rows;
  const p = x.columns;
  let events = 0;
  for (let i = 0; i < n; i++) events += y[i];
  const pbar = events / n;
  const nullDeviance = -2 * (events * Math.log(pbar) + (n - events) * Math.log(1 - pbar));
  const b = new Float64Array(p);
  b[0] = Math.log(pbar / (1 - pbar));
  const delta = new Float64Array(p);
  let oldL = 1e30;
  let step = 1;
  let converged = false;
  let iterations = 0;
  for (let iter = 1; iter <= maxit - 1; iter++) {
    iterations = iter;
    const cur = evaluate(x, y, b);
    if (cur.deviance > oldL) {
      step /= 2;
      for (let j = 0; j < p; j++) b[j] -= step * delta[j];
      continue;
    }
    step = 1;
    const d = solve(cur.v, Matrix.columnVector(Array.from(cur.u))).getColumn(0);
    for (let j = 0; j < p; j++) {
      delta[j] = d[j];
      b[j] += d[j];
    }
    if (Math.abs(oldL - cur.deviance) <= dlike) {
      converged = true;
      break;
    }
    oldL = cur.deviance;
  }
  const final = evaluate(x, y, b);
  const lp = new Float64Array(n);
  for (let i = 0; i < n; i++) for (let j = 0; j < p; j++) lp[i] += b[j] * x.get(i, j);
  return { coefficients: b, nullDeviance, deviance: final.deviance, linearPredictor: lp, iterations, converged };
}

export interface RmsRankStatistics {
  c: number;
  dxy: number;
  gamma: number;
  tauA: number;
}

/** rms's binned rank statistics of predicted probabilities against a 0/1 outcome. */
export function rmsRankStatistics(prob: ArrayLike<number>, y: ArrayLike<number>): RmsRankStatistics {
  const bins = 5001;
  const t0 = new Float64Array(bins + 1);
  const t1 = new Float64Array(bins + 1);
  let n1 = 0;
  for (let i = 0; i < prob.length; i++) {
    const k = Math.floor(5000 * prob[i] + 1);
    if (y[i] === 1) {
      t1[k]++;
      n1++;
    } else t0[k]++;
  }
  let con = 0;
  let dis = 0;
  let tie = 0;
  let above = n1;
  for (let k = 1; k <= bins; k++) {
    above -= t1[k];
    if (t0[k] > 0) {
      con += t0[k] * above;
      dis += t0[k] * (n1 - above - t1[k]);
      tie += t0[k] * t1[k];
    }
  }
  const total = con + dis + tie;
  const n = prob.length;
  return {
    c: (con + 0.5 * tie) / total,
    dxy: (con - dis) / total,
    gamma: con + dis > 0 ? (con - dis) / (con + dis) : 0,
    tauA: (con - dis) / ((n * (n - 1)) / 2),
  };
}
