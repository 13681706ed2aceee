/**
 * A new batch (a centre or scanner the harmonisation was not fitted on) estimated from a group of
 * its own samples against the frozen parameters — the idea of M-ComBat's fixed reference (Stein et
 * al. 2015) applied to the whole training fit:
 *   the training standardisation (α_g, β_g, σ_g) is kept fixed; the new samples are standardised
 *   with it, z_ig = (x_ig − α_g − Σ_k c_ik β_gk)/σ_g; the batch's γ̂_g (mean of z) and δ̂_g (n−1
 *   variance of z) are shrunk by the same empirical Bayes as at the fit (Johnson, Li & Rabinovic
 *   2007: priors across the features of this batch, parametric or not, location-only or not).
 * The training batches' parameters, and so their harmonised values, do not change. A batch needs at
 * least two samples (a variance); one patient from an unseen centre is refused.
 */
import { HilumError } from '../../core/errors.js';
import { mean, variance } from '../descriptive.js';
import { checkedColumns } from './combat-input.js';
import { estimateBatchEffects } from './combat-priors.js';
import type { CombatData, CombatParams } from './combat-types.js';

/** The smallest group of samples a new batch may be estimated from. */
export const MIN_NEW_BATCH_SAMPLES = 2;

export function estimateNewBatch(params: CombatParams, batchName: string, data: Omit<CombatData, 'featureNames' | 'covariateNames' | 'batch'>): CombatParams {
  if (params.batches[batchName])
    throw new HilumError({
      code: 'HARMONISE_BATCH_EXISTS',
      message: `harmonisation: batch '${batchName}' is already known (${params.batches[batchName].source}); its parameters are frozen`,
    });
  const n = Object.values(data.features)[0]?.length ?? 0;
  if (n < MIN_NEW_BATCH_SAMPLES)
    throw new HilumError({
      code: 'HARMONISE_BATCH_TOO_SMALL',
      message: `harmonisation: batch '${batchName}' has ${n} sample(s); a new centre's batch effect cannot be estimated from fewer than ${MIN_NEW_BATCH_SAMPLES} of its own patients`,
      hint: 'Collect a group of patients from the new centre (ComBat is usually run with 20 or more per batch) and estimate the batch from them.',
      data: { batch: batchName, samples: n },
    });
  const batch = new Array<string>(n).fill(batchName);
  const { features, covariates } = checkedColumns({ ...data, batch, featureNames: params.features, covariateNames: params.covariates });
  const z = features.map((x, g) => {
    const sd = Math.sqrt(params.pooledVariance[g]);
    return Float64Array.from({ length: n }, (_, i) => {
      let m = params.grandMean[g];
      for (let k = 0; k < covariates.length; k++) m += covariates[k][i] * params.covariateEffects[k][g];
      return (x[i] - m) / sd;
    });
  });
  const gammaHat = z.map((col) => mean(col));
  const deltaHat = params.meanOnly ? gammaHat.map(() => 1) : z.map((col) => variance(col));
  const est = estimateBatchEffects(z, gammaHat, deltaHat, { parametric: params.parametric, meanOnly: params.meanOnly, tolerance: params.tolerance });
  return {
    ...params,
    batches: { ...params.batches, [batchName]: { samples: n, source: 'new-batch', gammaHat, deltaHat, ...est } },
  };
}
