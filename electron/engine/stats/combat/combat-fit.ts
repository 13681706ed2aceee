/**
 * ComBat (Johnson, Li & Rabinovic 2007) fitted on training data: the standardisation, each batch's
 * location/scale estimates γ̂ (mean) and δ̂ (n−1 variance) of the standardised data, their
 * empirical-Bayes shrinkage, frozen as `CombatParams`; and the harmonised training data, which
 * reproduces sva::ComBat (par.prior, mean.only, ref.batch, mod). Features constant within a batch are
 * passed through unchanged; a batch of one sample makes the fit location-only (sva does the same).
 * A single batch may be fitted as the reference batch (its standardisation only), so that other
 * centres can be estimated against it later.
 */
import { appendAll } from '../../core/append-all.js';
import type { Finding } from '../../core/errors.js';
import { HilumError } from '../../core/errors.js';
import { mean, variance } from '../descriptive.js';
import { applyCombat } from './combat-apply.js';
import { fitStandardisation } from './combat-design.js';
import { checkedColumns } from './combat-input.js';
import { scalePriorMisfits } from './combat-prior-check.js';
import { estimateBatchEffects } from './combat-priors.js';
import { COMBAT_FORMAT, type CombatBatch, type CombatData, type CombatOptions, type CombatParams } from './combat-types.js';

export interface CombatFit {
  params: CombatParams;
  /** The harmonised training features. */
  adjusted: Record<string, Float64Array>;
  findings: Finding[];
}

export function fitCombat(data: CombatData, options: CombatOptions = {}): CombatFit {
  const { features, covariates, covariateNames } = checkedColumns(data);
  const findings: Finding[] = [];
  const batchNames = [...new Set(data.batch)].sort();
  const reference = options.referenceBatch === undefined ? null : batchNames.indexOf(options.referenceBatch);
  // One batch is allowed only as the reference: the fit is then its standardisation, and other
  // centres are estimated against it afterwards (estimateNewBatch).
  if (batchNames.length < 2 && reference === null)
    throw new HilumError({
      code: 'HARMONISE_ONE_BATCH',
      message: `harmonisation needs at least two batches, or one named as the reference batch; the data have one (${batchNames[0] ?? 'none'})`,
      hint: 'Name the training centre as the reference batch, then estimate each other centre from its own patients.',
    });
  if (reference === -1)
    throw new HilumError({
      code: 'HARMONISE_INVALID',
      message: `harmonisation: the reference batch '${options.referenceBatch}' is not among the batches (${batchNames.join(', ')})`,
    });
  const batchIndex = data.batch.map((b) => batchNames.indexOf(b));
  const members = batchNames.map((_, b) => batchIndex.flatMap((x, i) => (x === b ? [i] : [])));
  let meanOnly = options.meanOnly ?? false;
  if (!meanOnly && members.some((m) => m.length < 2)) {
    meanOnly = true;
    findings.push({
      code: 'HARMONISE_MEAN_ONLY',
      severity: 'warning',
      message: `harmonisation: batch ${batchNames[members.findIndex((m) => m.length < 2)]} has one sample, so only the location is adjusted (mean only)`,
    });
  }
  const parametric = options.parametric ?? true;
  const tolerance = options.tolerance ?? 1e-4;

  // Features with zero variance within a batch of two or more samples stay as they are.
  const keep: number[] = [];
  const unchanged: string[] = [];
  data.featureNames.forEach((name, g) => {
    const constant = members.some((m) => m.length > 1 && m.every((i) => features[g][i] === features[g][m[0]]));
    if (constant) unchanged.push(name);
    else keep.push(g);
  });
  if (unchanged.length)
    findings.push({
      code: 'HARMONISE_CONSTANT_FEATURES',
      severity: 'info',
      message: `harmonisation: ${unchanged.length} feature(s) constant within a batch were left unchanged`,
      data: { features: unchanged },
    });
  if (keep.length < 2)
    throw new HilumError({
      code: 'HARMONISE_TOO_FEW_FEATURES',
      message: `harmonisation needs at least two features that vary within every batch (the priors are estimated across features); there are ${keep.length}`,
    });
  const kept = keep.map((g) => features[g]);
  const std = fitStandardisation(kept, batchIndex, batchNames.length, covariates, covariateNames, reference);
  const n = data.batch.length;
  const z = kept.map((x, g) => {
    const out = new Float64Array(n);
    const sd = Math.sqrt(std.pooledVariance[g]);
    for (let i = 0; i < n; i++) {
      let m = std.grandMean[g];
      for (let k = 0; k < covariates.length; k++) m += covariates[k][i] * std.covariateEffects[k][g];
      out[i] = (x[i] - m) / sd;
    }
    return out;
  });

  const batchData = members.map((m) => z.map((col) => Float64Array.from(m, (i) => col[i])));
  const means = batchData.map((rows) => rows.map((r) => mean(r)));
  const batches: Record<string, CombatBatch> = {};
  batchNames.forEach((name, b) => {
    // With a reference batch the others' locations are contrasts to it (the design's intercept).
    const gammaHat = means[b].map((m, g) => (reference === null || b === reference ? m : m - means[reference][g]));
    const deltaHat = meanOnly ? gammaHat.map(() => 1) : batchData[b].map((r) => variance(r));
    const est = estimateBatchEffects(batchData[b], gammaHat, deltaHat, {
      parametric: parametric || b === reference,
      meanOnly,
      tolerance: b === reference ? Infinity : tolerance,
    });
    // The reference batch is the target: no adjustment (sva sets γ* = 0, δ* = 1 for it).
    if (b === reference) Object.assign(est, { gammaStar: gammaHat.map(() => 0), deltaStar: gammaHat.map(() => 1), iterations: 0 });
    batches[name] = { samples: members[b].length, source: 'training', gammaHat, deltaHat, ...est };
  });
  const params: CombatParams = {
    format: COMBAT_FORMAT,
    parametric,
    meanOnly,
    referenceBatch: reference === null ? null : batchNames[reference],
    tolerance,
    features: keep.map((g) => data.featureNames[g]),
    unchanged,
    covariates: covariateNames,
    grandMean: std.grandMean,
    pooledVariance: std.pooledVariance,
    covariateEffects: std.covariateEffects,
    batches,
  };
  appendAll(findings, scalePriorMisfits(params));
  return { params, adjusted: applyCombat(params, data), findings };
}
