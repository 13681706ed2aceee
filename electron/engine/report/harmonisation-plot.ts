/**
 * The picture of a ComBat batch's scale prior (sva's `prior.plots` for δ): the distribution over
 * features of the batch's variance estimates δ̂²_g, the inverse-gamma prior fitted to them by
 * moments, and the empirical-Bayes δ*_g the harmonisation uses, all on a log10 axis. Where the prior
 * fits, the three lie on top of each other; where a few extreme features set it, the prior's mass
 * and the δ* sit far to the right of the data (HARMONISE_PRIOR_MISFIT, stats/combat/combat-prior-check.ts).
 *
 * Densities of u = log10 δ: a histogram of the values (share per bin / bin width), and for the
 * prior δ ~ InvGamma(a, b), f(u) = f_δ(10^u)·10^u·ln 10 with
 * ln f_δ(δ) = a ln b − ln Γ(a) − (a + 1) ln δ − b/δ.
 */
import gammaln from '@stdlib/math-base-special-gammaln';
import type { CombatParams } from '../stats/combat/index.js';
import { typicalScaleShrinkage } from '../stats/combat/index.js';
import { arrayMax, arrayMin } from '../core/array-extent.js';
import { lineChartSvg } from './svg-chart.js';

/** Density of log10 δ under δ ~ InvGamma(a, b). */
export function inverseGammaLog10Density(u: number, a: number, b: number): number {
  const d = 10 ** u;
  return Math.exp(a * Math.log(b) - gammaln(a) - (a + 1) * Math.log(d) - b / d) * d * Math.LN10;
}

/** Histogram density (share per bin divided by bin width) of values on [lo, hi] in `bins` bins, as a step line. */
export function histogramDensitySteps(values: readonly number[], lo: number, hi: number, bins: number): { x: number[]; y: number[] } {
  const width = (hi - lo) / bins;
  const counts = new Array<number>(bins).fill(0);
  for (const v of values) if (v >= lo && v <= hi) counts[Math.min(bins - 1, Math.floor((v - lo) / width))]++;
  const x: number[] = [];
  const y: number[] = [];
  counts.forEach((c, k) => {
    const h = values.length ? c / values.length / width : 0;
    x.push(lo + k * width, lo + (k + 1) * width);
    y.push(h, h);
  });
  return { x, y };
}

/** The scale-prior plot of one batch, or null where it has no parametric scale prior (location only, non-parametric, the reference batch). */
export function harmonisationPriorSvg(params: CombatParams, batchName: string): string | null {
  const batch = params.batches[batchName];
  if (!batch || params.meanOnly || !params.parametric || batchName === params.referenceBatch) return null;
  const { a, b } = batch.prior;
  if (a === null || b === null || !(a > 0) || !(b > 0)) return null;
  const logs = (v: readonly number[]) => v.filter((d) => d > 0 && Number.isFinite(d)).map((d) => Math.log10(d));
  const data = logs(batch.deltaHat);
  const shrunk = logs(batch.deltaStar);
  const all = [...data, ...shrunk];
  const lo = Math.floor(arrayMin(all));
  // A range of a multiple of 5 decades puts the chart's 5 ticks on whole decades.
  const hi = lo + 5 * Math.max(1, Math.ceil((Math.ceil(arrayMax(all)) - lo) / 5));
  const bins = Math.max(10, Math.min(60, (hi - lo) * 6));
  const hData = histogramDensitySteps(data, lo, hi, bins);
  const hStar = histogramDensitySteps(shrunk, lo, hi, bins);
  const grid = Array.from({ length: 241 }, (_, k) => lo + ((hi - lo) * k) / 240);
  const prior = grid.map((u) => inverseGammaLog10Density(u, a, b));
  const top = Math.max(arrayMax(hData.y), arrayMax(hStar.y), arrayMax(prior.filter(Number.isFinite)));
  const ratio = typicalScaleShrinkage(batch.deltaHat, batch.deltaStar);
  return lineChartSvg({
    title: `ComBat scale prior — batch ${batchName} (median δ*/δ̂² = ${ratio.toPrecision(3)})`,
    xLabel: 'log10 variance of the standardised feature in this batch',
    yLabel: 'Density (features)',
    xRange: [lo, hi],
    yRange: [0, Math.ceil(top * 10) / 10 || 1],
    width: 760,
    series: [
      { name: `δ̂² of ${data.length} features`, ...hData },
      { name: 'inverse-gamma prior (moments)', x: grid, y: prior, dashed: true },
      { name: 'δ* after shrinkage', ...hStar },
    ],
  });
}
