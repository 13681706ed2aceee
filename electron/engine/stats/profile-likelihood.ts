/**
 * Profile-likelihood confidence interval of one logistic coefficient: the β_j where the profile
 * deviance D(β_j) = min over the other coefficients of D rises by χ²₁(level) above the minimum
 * (Venzon & Moolgavkar 1988). D(β_j) is a fit with β_j·x_j as an offset. The roots are found to
 * 1e-12 by regula falsi on the signed root; MASS's confint.glm (R) interpolates a spline over a coarse profile grid,
 * so it agrees only to about 1e-4.
 */
import type { Matrix } from 'ml-matrix';
import { qnorm } from './distributions.js';
import { fitIrls } from './logistic-irls.js';

function dropColumn(x: Matrix, j: number): Matrix {
  const keep = Array.from({ length: x.columns }, (_, k) => k).filter((k) => k !== j);
  return x.subMatrixColumn(keep);
}

export function profileConfidenceInterval(
  x: Matrix,
  y: ArrayLike<number>,
  j: number,
  estimates: ArrayLike<number>,
  se: number,
  minDeviance: number,
  level: number,
  offset?: ArrayLike<number>,
): [number, number] {
  const cut = qnorm(1 - (1 - level) / 2) ** 2;
  const rest = dropColumn(x, j);
  const n = x.rows;
  const excess = (b: number): number => {
    const off = new Float64Array(n);
    for (let i = 0; i < n; i++) off[i] = (offset ? offset[i] : 0) + b * x.get(i, j);
    const fit = rest.columns > 0 ? fitIrls(rest, y, { offset: off }) : null;
    const dev = fit ? fit.deviance : devianceAt(y, off);
    return dev - minDeviance - cut;
  };
  // signed-root scale: √(D(β_j) - D_min) is close to linear in β_j, so regula falsi (Illinois)
  // converges in a few refits
  const root = (b: number) => Math.sqrt(Math.max(excess(b) + cut, 0)) - Math.sqrt(cut);
  const bound = (sign: number): number => {
    const b0 = estimates[j];
    let inner = b0;
    let fInner = -Math.sqrt(cut);
    let step = 2 * se;
    let outer = b0 + sign * step;
    let fOuter = root(outer);
    let tries = 0;
    while (fOuter < 0) {
      inner = outer;
      fInner = fOuter;
      step *= 2;
      outer = b0 + sign * step;
      fOuter = root(outer);
      if (++tries > 40) return sign * Infinity;
    }
    let side = 0;
    for (let it = 0; it < 100; it++) {
      const mid = outer - (fOuter * (outer - inner)) / (fOuter - fInner);
      const fMid = root(mid);
      if (Math.abs(fMid) < 1e-12 || Math.abs(outer - inner) < 1e-12 * Math.max(1, Math.abs(mid))) return mid;
      if (fMid < 0) {
        inner = mid;
        fInner = fMid;
        if (side === -1) fOuter /= 2;
        side = -1;
      } else {
        outer = mid;
        fOuter = fMid;
        if (side === 1) fInner /= 2;
        side = 1;
      }
    }
    return 0.5 * (inner + outer);
  };
  return [bound(-1), bound(1)];
}

function devianceAt(y: ArrayLike<number>, eta: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < y.length; i++) {
    const p = 1 / (1 + Math.exp(-eta[i]));
    d += y[i] === 1 ? -2 * Math.log(p) : -2 * Math.log(1 - p);
  }
  return d;
}
