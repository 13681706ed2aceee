/**
 * DeLong, DeLong & Clarke-Pearson (1988) variance of the AUC and the paired test of two
 * correlated AUCs, as pROC's var(method = "delong"), ci.auc(method = "delong") and
 * roc.test(method = "delong", paired = TRUE). Placements from midranks (Sun & Xu 2014):
 * V10ᵢ = (R_i^all - R_i^cases)/n for the m cases, V01ⱼ = 1 - (R_j^all - R_j^controls)/m for the
 * n controls; AUC = mean(V10); Var = var(V10)/m + var(V01)/n (sample variances);
 * Cov(A₁, A₂) = cov(V10¹, V10²)/m + cov(V01¹, V01²)/n; z = (A₁ - A₂)/√(V₁ + V₂ - 2C).
 */
import type { Finding } from '../core/errors.js';
import { HilumError } from '../core/errors.js';
import { covariance, mean, midranks, variance } from './descriptive.js';
import { pnormTwoSided, qnorm } from './distributions.js';
import type { RocCurve } from './roc.js';

export interface Placements {
  v10: Float64Array;
  v01: Float64Array;
  auc: number;
}

/** DeLong placements of the cases (v10) and controls (v01), in the curve's direction. */
export function delongPlacements(roc: Pick<RocCurve, 'cases' | 'controls' | 'direction'>): Placements {
  const sign = roc.direction === '<' ? 1 : -1;
  const m = roc.cases.length;
  const n = roc.controls.length;
  const cases = Float64Array.from(roc.cases, (v) => sign * v);
  const controls = Float64Array.from(roc.controls, (v) => sign * v);
  const all = new Float64Array(m + n);
  all.set(cases, 0);
  all.set(controls, m);
  const rAll = midranks(all);
  const rCases = midranks(cases);
  const rControls = midranks(controls);
  const v10 = Float64Array.from(rCases, (r, i) => (rAll[i] - r) / n);
  const v01 = Float64Array.from(rControls, (r, j) => 1 - (rAll[m + j] - r) / m);
  return { v10, v01, auc: mean(v10) };
}

export interface DelongAuc {
  auc: number;
  variance: number;
  se: number;
  ci: [number, number];
}

/** AUC with its DeLong variance and normal CI auc ± z·√Var, clipped to [0, 1] as pROC. */
export function delongAuc(roc: RocCurve, level = 0.95): DelongAuc {
  const p = delongPlacements(roc);
  const v = variance(p.v10) / p.v10.length + variance(p.v01) / p.v01.length;
  const z = qnorm(1 - (1 - level) / 2);
  const se = Math.sqrt(v);
  return { auc: roc.auc, variance: v, se, ci: [Math.max(0, roc.auc - z * se), Math.min(1, roc.auc + z * se)] };
}

export interface DelongTest {
  auc1: number;
  auc2: number;
  covariance: number;
  z: number;
  p: number;
  /** CI of AUC₁ - AUC₂. */
  diffCi: [number, number];
  findings: Finding[];
}

/** Paired DeLong test of two ROC curves on the same rows (same outcome vector). */
export function delongPairedTest(roc1: RocCurve, roc2: RocCurve, level = 0.95): DelongTest {
  if (roc1.nCases !== roc2.nCases || roc1.nControls !== roc2.nControls)
    throw new HilumError({
      code: 'UNPAIRED_CURVES',
      message: `a paired DeLong test needs both curves on the same cases and controls (found ${roc1.nCases}/${roc1.nControls} and ${roc2.nCases}/${roc2.nControls})`,
    });
  const a = delongPlacements(roc1);
  const b = delongPlacements(roc2);
  const m = a.v10.length;
  const n = a.v01.length;
  const v1 = variance(a.v10) / m + variance(a.v01) / n;
  const v2 = variance(b.v10) / m + variance(b.v01) / n;
  const c = covariance(a.v10, b.v10) / m + covariance(a.v01, b.v01) / n;
  const se = Math.sqrt(v1 + v2 - 2 * c);
  const diff = roc1.auc - roc2.auc;
  const z = diff / se;
  const q = qnorm(1 - (1 - level) / 2);
  const findings: Finding[] = [];
  if (roc1.direction !== roc2.direction)
    findings.push({
      code: 'ROC_DIRECTIONS_DIFFER',
      severity: 'warning',
      message: `the curves have different directions (${roc1.direction} and ${roc2.direction}); the comparison is of AUCs in opposite senses (pROC warns likewise)`,
    });
  return { auc1: roc1.auc, auc2: roc2.auc, covariance: c, z, p: pnormTwoSided(z), diffCi: [diff - q * se, diff + q * se], findings };
}
