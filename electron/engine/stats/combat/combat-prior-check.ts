/**
 * Does ComBat's parametric scale prior fit a batch? (The question sva's `prior.plots` answers by eye.)
 *
 * The inverse-gamma prior of a batch's variances is fitted by moments across features
 * (a = (2s² + m²)/s², b = (m s² + m³)/s², m and s² the mean and variance of δ̂²_g), so a handful of
 * features whose variance differs by orders of magnitude between centres set m and s², and with them
 * the prior mean b/(a − 1). The posterior δ*_g = (½ Σ_j (z_jg − γ*_g)² + b)/(n/2 + a − 1) then
 * moves every other feature towards that mean: on a paper-sized phantom cohort's 1,130 radiomics
 * features one wavelet feature with δ̂² = 2.9·10⁶ made b = 2,758 and the typical feature's
 * variance ×22, shrinking the external centre's harmonised features ~4.7-fold (docs/study.md).
 *
 * The check: the median over features of δ*_g/δ̂²_g. Where the prior fits, shrinkage moves a
 * typical feature's variance a little (a ratio near 1); outside [1/2, 2] the prior, not the data,
 * sets the scale, and the batch gets a HARMONISE_PRIOR_MISFIT warning naming the features that
 * drive it. Location-only fits, the non-parametric prior and the reference batch (δ* = 1 by
 * definition) are not checked.
 */
import type { Finding } from '../../core/errors.js';
import { median } from '../descriptive.js';
import type { CombatParams } from './combat-types.js';

/** The largest factor by which the prior may move the typical feature's variance before the fit is called a misfit. */
export const PRIOR_MISFIT_FACTOR = 2;

/** The median of δ*_g/δ̂²_g over a batch's features with δ̂² > 0 (NaN when none). */
export function typicalScaleShrinkage(deltaHat: readonly number[], deltaStar: readonly number[]): number {
  const ratios = deltaHat.flatMap((d, g) => (d > 0 && Number.isFinite(d) && Number.isFinite(deltaStar[g]) ? [deltaStar[g] / d] : []));
  return ratios.length ? median(ratios) : Number.NaN;
}

/** A warning when the parametric scale prior, not the data, sets batch `batchName`'s variances; null when it fits or is not used. */
export function scalePriorMisfit(params: CombatParams, batchName: string): Finding | null {
  const batch = params.batches[batchName];
  if (!batch || !params.parametric || params.meanOnly || batchName === params.referenceBatch) return null;
  const { a, b } = batch.prior;
  if (a === null || b === null) return null;
  const ratio = typicalScaleShrinkage(batch.deltaHat, batch.deltaStar);
  if (!(ratio > PRIOR_MISFIT_FACTOR || ratio < 1 / PRIOR_MISFIT_FACTOR)) return null;
  const drivers = batch.deltaHat
    .map((d, g) => ({ feature: params.features[g], deltaHat: d }))
    .sort((x, y) => y.deltaHat - x.deltaHat)
    .slice(0, 3);
  const priorMean = a > 1 ? b / (a - 1) : Number.POSITIVE_INFINITY;
  const typical = median(batch.deltaHat);
  const fmt = (v: number) => (Math.abs(v) >= 1e4 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(2) : v.toPrecision(3));
  return {
    code: 'HARMONISE_PRIOR_MISFIT',
    severity: 'warning',
    message:
      `harmonisation: ComBat's parametric scale prior does not fit batch ${batchName}: fitted by moments across ${params.features.length} features, ` +
      `its mean (${fmt(priorMean)}) is set by a few features whose variance differs by orders of magnitude between batches ` +
      `(${drivers.map((d) => `${d.feature} δ̂² = ${fmt(d.deltaHat)}`).join(', ')}; the median feature's δ̂² is ${fmt(typical)}), ` +
      `and it multiplies the typical feature's variance by ${fmt(ratio)} (median δ*/δ̂²), so the prior, not the data, sets this batch's scale`,
    hint: 'Use the non-parametric prior (protocol harmonisation.parametric: false; hilum harmonise fit --non-parametric), or leave those features out of the harmonisation.',
    data: { batch: batchName, medianScaleRatio: ratio, priorMean, medianDeltaHat: typical, drivers },
  };
}

/** The misfit warnings of every batch of a fit. */
export function scalePriorMisfits(params: CombatParams): Finding[] {
  return Object.keys(params.batches).flatMap((name) => {
    const f = scalePriorMisfit(params, name);
    return f ? [f] : [];
  });
}
