/**
 * Stratified bootstrap CI of the AUC (pROC's ci.auc(method = "bootstrap", boot.stratified = TRUE)):
 * cases and controls are resampled separately with replacement, the AUC is recomputed in the
 * original direction, and the CI is the type-7 percentile interval. Seeded, so reproducible;
 * the resamples differ from R's (different random stream).
 */
import { quantileType7 } from './descriptive.js';
import { seededRandom } from './random.js';
import { aucMannWhitney, type RocCurve } from './roc.js';

export interface BootstrapAucOptions {
  replicates?: number;
  seed?: number;
  level?: number;
}

export interface BootstrapAucCi {
  ci: [number, number];
  replicates: number;
  seed: number;
  aucs: Float64Array;
}

export function bootstrapAucCi(roc: RocCurve, options: BootstrapAucOptions = {}): BootstrapAucCi {
  const replicates = options.replicates ?? 2000;
  const seed = options.seed ?? 1;
  const level = options.level ?? 0.95;
  const rng = seededRandom(seed);
  const m = roc.cases.length;
  const n = roc.controls.length;
  const cases = new Float64Array(m);
  const controls = new Float64Array(n);
  const aucs = new Float64Array(replicates);
  for (let b = 0; b < replicates; b++) {
    for (let i = 0; i < m; i++) cases[i] = roc.cases[rng.int(m)];
    for (let j = 0; j < n; j++) controls[j] = roc.controls[rng.int(n)];
    aucs[b] = aucMannWhitney(cases, controls, roc.direction);
  }
  const a = (1 - level) / 2;
  const [lo, hi] = quantileType7(aucs, [a, 1 - a]);
  return { ci: [lo, hi], replicates, seed, aucs };
}
