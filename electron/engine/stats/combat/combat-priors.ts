/**
 * Empirical-Bayes estimation of the batch effects of ComBat (Johnson, Li & Rabinovic 2007,
 * sections 3.1–3.2 and the supplement's non-parametric prior), per batch, across features.
 *
 * Priors from the per-feature estimates γ̂_g, δ̂²_g of one batch:
 *   γ̄ = mean(γ̂), τ² = var(γ̂); δ̂² ~ InvGamma(a, b) by moments: a = (2s² + m²)/s², b = (m s² + m³)/s²
 *   with m, s² the mean and variance of δ̂².
 * Parametric posterior (iterated to a fixed point from δ* = δ̂):
 *   γ* = (n τ² γ̂ + δ* γ̄)/(n τ² + δ*),   δ* = (½ Σ_j (x_j − γ*)² + b)/(n/2 + a − 1);
 * stopping when max(|Δγ|/γ_old, |Δδ|/δ_old) ≤ tol (signed denominators, as sva's it.sol).
 * Non-parametric: for feature g, the other features' (γ̂_k, δ̂_k) are the prior's support, weighted
 * by the likelihood of g's data, L_k = Π_j φ(x_j; γ̂_k, δ̂_k); γ* and δ* are the weighted means.
 */
import { mean, variance } from '../descriptive.js';

export interface BatchEstimates {
  gammaStar: number[];
  deltaStar: number[];
  prior: { gammaBar: number; tau2: number; a: number | null; b: number | null };
  iterations: number;
}

/** Moment estimate of the inverse-gamma shape. */
export function inverseGammaShape(d: ArrayLike<number>): number {
  const m = mean(d);
  const s2 = variance(d);
  return (2 * s2 + m * m) / s2;
}

/** Moment estimate of the inverse-gamma scale. */
export function inverseGammaScale(d: ArrayLike<number>): number {
  const m = mean(d);
  const s2 = variance(d);
  return (m * s2 + m * m * m) / s2;
}

/**
 * The empirical-Bayes γ*, δ* of one batch. `data[g]` holds the standardised values of feature g
 * for the batch's samples; `gammaHat`, `deltaHat` their mean and n−1 variance.
 */
export function estimateBatchEffects(
  data: readonly Float64Array[],
  gammaHat: readonly number[],
  deltaHat: readonly number[],
  options: { parametric: boolean; meanOnly: boolean; tolerance: number },
): BatchEstimates {
  const gammaBar = mean(gammaHat);
  const tau2 = variance(gammaHat);
  const a = options.meanOnly ? NaN : inverseGammaShape(deltaHat);
  const b = options.meanOnly ? NaN : inverseGammaScale(deltaHat);
  const prior = { gammaBar, tau2, a: options.meanOnly ? null : a, b: options.meanOnly ? null : b };
  const G = gammaHat.length;
  if (options.meanOnly && options.parametric) {
    // sva: postmean(γ̂, γ̄, n = 1, δ* = 1, τ²).
    const gammaStar = gammaHat.map((g) => (tau2 * g + gammaBar) / (tau2 + 1));
    return { gammaStar, deltaStar: new Array<number>(G).fill(1), prior, iterations: 0 };
  }
  if (options.parametric) return { ...iterateParametric(data, gammaHat, deltaHat, gammaBar, tau2, a, b, options.tolerance), prior };
  const np = nonParametric(data, gammaHat, deltaHat);
  return { gammaStar: np.gammaStar, deltaStar: options.meanOnly ? new Array<number>(G).fill(1) : np.deltaStar, prior, iterations: 0 };
}

function iterateParametric(
  data: readonly Float64Array[],
  gammaHat: readonly number[],
  deltaHat: readonly number[],
  gammaBar: number,
  tau2: number,
  a: number,
  b: number,
  tolerance: number,
): Omit<BatchEstimates, 'prior'> {
  const G = gammaHat.length;
  let gOld = gammaHat.slice();
  let dOld = deltaHat.slice();
  let iterations = 0;
  const maxIterations = 100000;
  for (let change = 1; change > tolerance && iterations < maxIterations;) {
    const gNew = new Array<number>(G);
    const dNew = new Array<number>(G);
    change = -Infinity;
    for (let g = 0; g < G; g++) {
      const x = data[g];
      const n = x.length;
      gNew[g] = (tau2 * n * gammaHat[g] + dOld[g] * gammaBar) / (tau2 * n + dOld[g]);
      let sum2 = 0;
      for (let j = 0; j < n; j++) sum2 += (x[j] - gNew[g]) ** 2;
      dNew[g] = (0.5 * sum2 + b) / (n / 2 + a - 1);
      change = Math.max(change, Math.abs(gNew[g] - gOld[g]) / gOld[g], Math.abs(dNew[g] - dOld[g]) / dOld[g]);
    }
    gOld = gNew;
    dOld = dNew;
    iterations++;
  }
  return { gammaStar: gOld, deltaStar: dOld, iterations };
}

/**
 * The non-parametric posterior means. The likelihoods are summed on the log scale after
 * subtracting their maximum (the ratio is the same as sva's, which underflows for large batches).
 */
function nonParametric(data: readonly Float64Array[], gammaHat: readonly number[], deltaHat: readonly number[]): { gammaStar: number[]; deltaStar: number[] } {
  const G = gammaHat.length;
  const gammaStar = new Array<number>(G);
  const deltaStar = new Array<number>(G);
  const logLik = new Float64Array(G);
  for (let g = 0; g < G; g++) {
    const x = data[g];
    const n = x.length;
    const xBar = mean(x);
    let ss = 0;
    for (let j = 0; j < n; j++) ss += (x[j] - xBar) ** 2;
    let top = -Infinity;
    for (let k = 0; k < G; k++) {
      if (k === g) continue;
      const d = deltaHat[k];
      const sum2 = n * (xBar - gammaHat[k]) ** 2 + ss;
      logLik[k] = -(n / 2) * Math.log(2 * Math.PI * d) - sum2 / (2 * d);
      if (logLik[k] > top) top = logLik[k];
    }
    let w = 0;
    let wg = 0;
    let wd = 0;
    for (let k = 0; k < G; k++) {
      if (k === g) continue;
      const l = Math.exp(logLik[k] - top);
      w += l;
      wg += l * gammaHat[k];
      wd += l * deltaHat[k];
    }
    gammaStar[g] = wg / w;
    deltaStar[g] = wd / w;
  }
  return { gammaStar, deltaStar };
}
