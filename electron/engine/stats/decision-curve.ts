/**
 * Decision curve analysis (Vickers & Elkin 2006), as dcurves::dca and rmda::decision_curve:
 * net benefit NB(t) = TP/n - FP/n · t/(1-t) for treating patients with predicted risk at or
 * above t (dcurves' convention, `>=`; rmda uses `>`, the option 'greater'), treat-all
 * NB = ρ - (1-ρ)·t/(1-t) with prevalence ρ, treat-none NB = 0, and standardised net benefit
 * sNB = NB/ρ (rmda).
 */
import { HilumError } from '../core/errors.js';
import { assertBinaryOutcome, assertFinite, assertLength } from './validate.js';

export interface DecisionCurve {
  thresholds: number[];
  prevalence: number;
  netBenefit: number[];
  standardizedNetBenefit: number[];
  treatAll: number[];
  treatNone: number[];
}

/** The usual grid 0.01, 0.02, …, 0.99 (R's round(seq(0.01, 0.99, by = 0.01), 2)). */
export function defaultThresholds(): number[] {
  return Array.from({ length: 99 }, (_, k) => Math.round((0.01 + k * 0.01) * 100) / 100);
}

export function decisionCurve(
  y: ArrayLike<number>,
  p: ArrayLike<number>,
  options: { thresholds?: readonly number[]; positiveWhen?: 'atLeast' | 'greater' } = {},
): DecisionCurve {
  assertBinaryOutcome('outcome', y);
  assertLength('predicted probability', p, y.length);
  assertFinite('predicted probability', p);
  const thresholds = [...(options.thresholds ?? defaultThresholds())];
  for (const t of thresholds)
    if (!(t > 0 && t < 1))
      throw new HilumError({ code: 'BAD_THRESHOLD', message: `decision threshold ${t} must lie strictly between 0 and 1`, data: { threshold: t } });
  const n = y.length;
  let events = 0;
  for (let i = 0; i < n; i++) events += y[i];
  const rho = events / n;
  const strict = options.positiveWhen === 'greater';
  const netBenefit = thresholds.map((t) => {
    let tp = 0;
    let fp = 0;
    for (let i = 0; i < n; i++) {
      if (strict ? p[i] > t : p[i] >= t) {
        if (y[i] === 1) tp++;
        else fp++;
      }
    }
    return tp / n - (fp / n) * (t / (1 - t));
  });
  return {
    thresholds,
    prevalence: rho,
    netBenefit,
    standardizedNetBenefit: netBenefit.map((v) => v / rho),
    treatAll: thresholds.map((t) => rho - ((1 - rho) * t) / (1 - t)),
    treatNone: thresholds.map(() => 0),
  };
}
