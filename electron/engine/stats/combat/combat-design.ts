/**
 * The standardisation step of ComBat (Johnson, Li & Rabinovic 2007, eq. 2.1 and section 3.1):
 * per feature g, the linear model  x_ig = α_g + Σ_k c_ik β_gk + Σ_b 1[i ∈ b] γ_gb + ε_ig  is
 * fitted by least squares on batch indicators and the covariates (with a reference batch r its
 * indicator is replaced by a column of ones, so the other batches are contrasts to it, Stein et al.
 * 2015). Then
 *   α_g   = Σ_b (n_b/N) γ̂_gb, or the reference batch's coefficient,
 *   σ²_g  = mean of the squared residuals (over the reference batch's samples when there is one),
 *   z_ig  = (x_ig − α_g − Σ_k c_ik β_gk)/σ_g.
 */
import { Matrix, QrDecomposition } from 'ml-matrix';
import { HilumError } from '../../core/errors.js';

export interface Standardisation {
  grandMean: number[];
  pooledVariance: number[];
  /** [covariate][feature] */
  covariateEffects: number[][];
}

/** Least-squares fit of the ComBat design; `batchIndex[i]` indexes `batchNames`. */
export function fitStandardisation(
  features: readonly ArrayLike<number>[],
  batchIndex: readonly number[],
  batchCount: number,
  covariates: readonly ArrayLike<number>[],
  covariateNames: readonly string[],
  reference: number | null,
): Standardisation {
  const n = batchIndex.length;
  const G = features.length;
  const p = batchCount + covariates.length;
  const x = new Matrix(n, p);
  for (let i = 0; i < n; i++) {
    for (let b = 0; b < batchCount; b++) x.set(i, b, b === reference || batchIndex[i] === b ? 1 : 0);
    covariates.forEach((c, k) => x.set(i, batchCount + k, c[i]));
  }
  const qr = new QrDecomposition(x);
  const r = qr.upperTriangularMatrix;
  for (let j = 0; j < p; j++) {
    let norm = 0;
    for (let i = 0; i < n; i++) norm += x.get(i, j) ** 2;
    if (!(Math.abs(r.get(j, j)) > 1e-7 * Math.sqrt(norm)))
      throw new HilumError({
        code: 'HARMONISE_CONFOUNDED',
        message:
          j < batchCount
            ? 'the covariates are confounded with the batches: the batch effect cannot be told apart from the effect to preserve'
            : `covariate ${covariateNames[j - batchCount]} is constant or a combination of the batches and the other covariates`,
        hint: 'Leave out the covariate, or harmonise within strata instead.',
        data: { column: j < batchCount ? 'batch' : covariateNames[j - batchCount] },
      });
  }
  const y = new Matrix(n, G);
  for (let g = 0; g < G; g++) for (let i = 0; i < n; i++) y.set(i, g, features[g][i]);
  const beta = qr.solve(y);
  const counts = new Array<number>(batchCount).fill(0);
  for (const b of batchIndex) counts[b]++;
  const grandMean = new Array<number>(G);
  const pooledVariance = new Array<number>(G);
  const fitted = x.mmul(beta);
  for (let g = 0; g < G; g++) {
    let a = 0;
    if (reference !== null) a = beta.get(reference, g);
    else for (let b = 0; b < batchCount; b++) a += (counts[b] / n) * beta.get(b, g);
    grandMean[g] = a;
    let ss = 0;
    let m = 0;
    for (let i = 0; i < n; i++) {
      if (reference !== null && batchIndex[i] !== reference) continue;
      ss += (features[g][i] - fitted.get(i, g)) ** 2;
      m++;
    }
    pooledVariance[g] = ss / m;
  }
  const covariateEffects = covariates.map((_, k) => Array.from({ length: G }, (__, g) => beta.get(batchCount + k, g)));
  return { grandMean, pooledVariance, covariateEffects };
}

/** α_g + Σ_k c_k β_gk for one sample. */
export function standardMean(s: Standardisation, g: number, covariateValues: readonly number[]): number {
  let m = s.grandMean[g];
  for (let k = 0; k < covariateValues.length; k++) m += covariateValues[k] * s.covariateEffects[k][g];
  return m;
}
