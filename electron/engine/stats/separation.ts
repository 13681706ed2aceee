/**
 * Detection of complete and quasi-complete separation in logistic regression (Albert & Anderson
 * 1984): the maximum-likelihood estimate is infinite exactly when some direction d ≠ 0 has
 * (2yᵢ-1)·xᵢ'd ≥ 0 for every row. Newton/IRLS iterates then run off along such a direction,
 * so the last IRLS step is a candidate d; the check below verifies it on every row, which turns
 * R's vague "fitted probabilities numerically 0 or 1" warning into a certificate.
 */
import type { Matrix } from 'ml-matrix';
import { fitIrls, type IrlsResult } from './logistic-irls.js';
import { INTERCEPT } from './design.js';

/** What was found when the outcome is separated by the predictors. */
export interface SeparationReport {
  /** complete: every row is predicted perfectly along d; quasi-complete: some rows lie on the boundary. */
  kind: 'complete' | 'quasi-complete';
  /** The separating direction (unit length over the standardised coefficients), by coefficient name. */
  direction: Record<string, number>;
  /** Predictors that carry the separating direction. */
  variables: string[];
  /** Rows whose outcome the direction predicts perfectly. */
  separatedRows: number;
}

const NUMERICALLY_ZERO = 10 * 2.220446049250313e-16;

/** True when a fit shows the symptoms of separation (no convergence, or probabilities at 0 or 1 in R's sense). */
export function looksSeparated(fit: IrlsResult): boolean {
  if (!fit.converged) return true;
  for (const m of fit.fitted) if (m < NUMERICALLY_ZERO || m > 1 - NUMERICALLY_ZERO) return true;
  return false;
}

/** Looks for a separating direction; null when the data are not separated. */
export function findSeparation(x: Matrix, y: ArrayLike<number>, names: readonly string[], fit: IrlsResult): SeparationReport | null {
  if (!looksSeparated(fit)) return null;
  // Keep iterating past the deviance criterion: under separation every step moves along d.
  const longer = fitIrls(x, y, { epsilon: 0, maxIterations: Math.max(fit.iterations, 30) + 10 });
  const h = longer.history;
  if (h.length < 2) return null;
  const p = x.columns;
  const a = h[h.length - 1];
  const b = h[h.length - 2];
  // Candidates for d: the last step, and (when the iterates have reached the floating-point floor of
  // the deviance, where steps are noise) the final coefficient vector itself, which points along d.
  const step = new Float64Array(p);
  for (let j = 0; j < p; j++) step[j] = a[j] - b[j];
  for (const d of [step, Float64Array.from(a)]) {
    const report = certify(x, y, names, d);
    if (report) return report;
  }
  return null;
}

/** Checks that (2yᵢ − 1)·xᵢ'd ≥ 0 on every row, strictly on some; the report when it holds. */
function certify(x: Matrix, y: ArrayLike<number>, names: readonly string[], d: Float64Array): SeparationReport | null {
  const p = x.columns;
  let dNorm = 0;
  for (let j = 0; j < p; j++) dNorm += d[j] * d[j];
  dNorm = Math.sqrt(dNorm);
  if (!(dNorm > 0)) return null;
  let strict = 0;
  let boundary = 0;
  for (let i = 0; i < x.rows; i++) {
    let s = 0;
    let xn = 0;
    for (let j = 0; j < p; j++) {
      s += x.get(i, j) * d[j];
      xn += x.get(i, j) * x.get(i, j);
    }
    const signed = (2 * y[i] - 1) * s;
    const tol = 1e-6 * Math.sqrt(xn) * dNorm;
    if (signed < -tol) return null;
    if (signed > tol) strict++;
    else boundary++;
  }
  if (strict === 0) return null;
  const scale = new Float64Array(p);
  for (let j = 0; j < p; j++) {
    let m = 0;
    let ss = 0;
    for (let i = 0; i < x.rows; i++) m += x.get(i, j);
    m /= x.rows;
    for (let i = 0; i < x.rows; i++) ss += (x.get(i, j) - m) ** 2;
    scale[j] = j === 0 ? 1 : Math.sqrt(ss / x.rows);
  }
  const std = Array.from(d, (v, j) => v * scale[j]);
  const norm = Math.hypot(...std.slice(1)) || 1;
  const direction: Record<string, number> = {};
  const variables: string[] = [];
  names.forEach((name, j) => {
    direction[name] = std[j] / norm;
    if (name !== INTERCEPT && Math.abs(std[j] / norm) > 1e-6) variables.push(name);
  });
  return { kind: boundary === 0 ? 'complete' : 'quasi-complete', direction, variables, separatedRows: strict };
}
