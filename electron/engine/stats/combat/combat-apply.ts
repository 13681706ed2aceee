/**
 * Applies frozen ComBat parameters to samples of known batches (Johnson, Li & Rabinovic 2007, eq. 3.3):
 *   x*_ig = σ_g (z_ig − γ*_bg)/√δ*_bg + α_g + Σ_k c_ik β_gk,   z_ig = (x_ig − α_g − Σ_k c_ik β_gk)/σ_g,
 * for sample i of batch b. Samples of the reference batch, and features left unchanged at the fit,
 * are returned as they are. Uses only the parameters, so a new patient of a known centre is
 * harmonised exactly as the training patients were.
 */
import { HilumError } from '../../core/errors.js';
import { checkedColumns } from './combat-input.js';
import type { CombatData, CombatParams } from './combat-types.js';

export function applyCombat(params: CombatParams, data: Omit<CombatData, 'featureNames' | 'covariateNames'>): Record<string, Float64Array> {
  const names = [...params.features, ...params.unchanged];
  const { features, covariates } = checkedColumns({ ...data, featureNames: names, covariateNames: params.covariates });
  const n = data.batch.length;
  for (let i = 0; i < n; i++)
    if (!params.batches[data.batch[i]])
      throw new HilumError({
        code: 'HARMONISE_UNKNOWN_BATCH',
        message: `harmonisation: ${data.rowIds?.[i] ?? `sample ${i + 1}`} is from batch '${data.batch[i]}', which the harmonisation was not fitted on (it knows ${Object.keys(params.batches).join(', ')})`,
        hint: 'Estimate the new batch from a group of its own patients first (hilum harmonise estimate-batch; for a model bundle, hilum harmonise add-batch).',
        data: { batch: data.batch[i] },
      });
  const out: Record<string, Float64Array> = {};
  params.features.forEach((name, g) => {
    const x = features[g];
    const col = new Float64Array(n);
    const sd = Math.sqrt(params.pooledVariance[g]);
    for (let i = 0; i < n; i++) {
      const batch = data.batch[i];
      if (batch === params.referenceBatch) {
        col[i] = x[i];
        continue;
      }
      const b = params.batches[batch];
      let m = params.grandMean[g];
      for (let k = 0; k < covariates.length; k++) m += covariates[k][i] * params.covariateEffects[k][g];
      const z = (x[i] - m) / sd;
      col[i] = ((z - b.gammaStar[g]) / Math.sqrt(b.deltaStar[g])) * sd + m;
    }
    out[name] = col;
  });
  params.unchanged.forEach((name, j) => (out[name] = Float64Array.from(features[params.features.length + j])));
  return out;
}
