/**
 * glmnet's binomial LASSO objective on the standardised scale,
 * F(β₀, β) = -(1/N)·Σ[yᵢηᵢ - log(1 + e^ηᵢ)] + λ·Σ|βⱼ|,  η = β₀ + Zβ,
 * and its optimality (KKT) conditions: |gⱼ| ≤ λ where βⱼ = 0 and gⱼ = λ·sign(βⱼ) otherwise, with
 * gⱼ = (1/N)·Σ zᵢⱼ(yᵢ - πᵢ), plus Σ(yᵢ - πᵢ) = 0 for the unpenalised intercept.
 */
export function linearPredictor(z: Float64Array, n: number, p: number, a0: number, beta: Float64Array, out = new Float64Array(n)): Float64Array {
  for (let i = 0; i < n; i++) {
    let s = a0;
    const o = i * p;
    for (let j = 0; j < p; j++) if (beta[j] !== 0) s += z[o + j] * beta[j];
    out[i] = s;
  }
  return out;
}

/** Negative mean log-likelihood -(1/N)Σ[yη - log(1+e^η)], overflow-safe. */
export function meanNegLogLik(y: ArrayLike<number>, eta: Float64Array): number {
  let s = 0;
  for (let i = 0; i < eta.length; i++) {
    const e = eta[i];
    const softplus = e > 0 ? e + Math.log1p(Math.exp(-e)) : Math.log1p(Math.exp(e));
    s += softplus - y[i] * e;
  }
  return s / eta.length;
}

export function lassoObjective(y: ArrayLike<number>, eta: Float64Array, beta: Float64Array, lambda: number): number {
  let l1 = 0;
  for (const b of beta) l1 += Math.abs(b);
  return meanNegLogLik(y, eta) + lambda * l1;
}

export interface KktCheck {
  maxViolationActive: number;
  maxViolationInactive: number;
  interceptScore: number;
}

export function kktCheck(z: Float64Array, y: ArrayLike<number>, n: number, p: number, a0: number, beta: Float64Array, lambda: number): KktCheck {
  const eta = linearPredictor(z, n, p, a0, beta);
  const r = Float64Array.from(eta, (e, i) => y[i] - 1 / (1 + Math.exp(-e)));
  let active = 0;
  let inactive = 0;
  let score = 0;
  for (let i = 0; i < n; i++) score += r[i];
  for (let j = 0; j < p; j++) {
    let g = 0;
    for (let i = 0; i < n; i++) g += z[i * p + j] * r[i];
    g /= n;
    if (beta[j] !== 0) active = Math.max(active, Math.abs(g - lambda * Math.sign(beta[j])));
    else inactive = Math.max(inactive, Math.max(Math.abs(g) - lambda, 0));
  }
  return { maxViolationActive: active, maxViolationInactive: inactive, interceptScore: score / n };
}
