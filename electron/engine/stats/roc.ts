/**
 * ROC curves with pROC's conventions (pROC 1.18, roc(response, predictor, levels = c(0, 1))):
 * - direction 'auto': '<' (higher values mean a case) when median(controls) ≤ median(cases), else '>';
 * - thresholds: -Inf, the midpoints between consecutive distinct predictor values, +Inf
 *   (a midpoint that rounds onto a data value is moved to the value that keeps pROC's counts);
 * - with '<' a case is called when x ≥ t and the list runs from -Inf up; with '>' when x ≤ t,
 *   from +Inf down, so specificity increases along the list in both cases (pROC's sorted order);
 * - AUC = P(case > control) + ½P(tie) in the chosen direction (the Mann-Whitney statistic).
 */
import { HilumError } from '../core/errors.js';
import { maxOf, median, splitByOutcome } from './descriptive.js';
import { assertBinaryOutcome, assertFinite, assertLength, type RowNaming } from './validate.js';

export type RocDirection = '<' | '>';

export interface RocCurve {
  direction: RocDirection;
  nCases: number;
  nControls: number;
  auc: number;
  /** Thresholds in pROC's order (specificity increasing), with ±Infinity at the ends. */
  thresholds: number[];
  sensitivities: number[];
  specificities: number[];
  /** Predictor values of the cases and the controls, in row order. */
  cases: Float64Array;
  controls: Float64Array;
}

export interface RocOptions extends RowNaming {
  direction?: RocDirection | 'auto';
  predictorName?: string;
}

/** Direction by pROC's 'auto' rule. */
export function autoDirection(cases: ArrayLike<number>, controls: ArrayLike<number>): RocDirection {
  return median(controls) <= median(cases) ? '<' : '>';
}

/** Midpoint thresholds of pROC's roc.utils.thresholds, with its near-tie fix. */
export function rocThresholds(values: ArrayLike<number>, direction: RocDirection): number[] {
  const u = [...new Set(Array.from(values))].sort((a, b) => a - b);
  const out: number[] = [];
  const present = new Set(u);
  for (let i = 0; i <= u.length; i++) {
    const a = i === 0 ? -Infinity : u[i - 1];
    const b = i === u.length ? Infinity : u[i];
    let t = (a + b) / 2;
    if (Math.abs(t) > 1e100 && Number.isFinite(a) && Number.isFinite(b)) t = a / 2 + b / 2;
    if (present.has(t)) {
      // the mean of two nearly equal values rounded onto one of them: keep pROC's side
      if (direction === '<' && t === a) t = b;
      else if (direction === '>' && t === b) t = a;
    }
    out.push(t);
  }
  return out;
}

function countAtLeast(sortedValues: Float64Array, t: number): number {
  let lo = 0;
  let hi = sortedValues.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sortedValues[mid] < t) lo = mid + 1;
    else hi = mid;
  }
  return sortedValues.length - lo;
}

function countAtMost(sortedValues: Float64Array, t: number): number {
  let lo = 0;
  let hi = sortedValues.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sortedValues[mid] <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** True-positive and true-negative counts at a threshold, in pROC's sense of the direction. */
export function countsAt(cases: Float64Array, controls: Float64Array, threshold: number, direction: RocDirection): { tp: number; tn: number } {
  const sc = Float64Array.from(cases).sort();
  const sn = Float64Array.from(controls).sort();
  return countsAtSorted(sc, sn, threshold, direction);
}

function countsAtSorted(sc: Float64Array, sn: Float64Array, t: number, direction: RocDirection): { tp: number; tn: number } {
  return direction === '<' ? { tp: countAtLeast(sc, t), tn: sn.length - countAtLeast(sn, t) } : { tp: countAtMost(sc, t), tn: sn.length - countAtMost(sn, t) };
}

/** Mann-Whitney AUC P(case > control) + ½P(tie), with cases 'higher' in direction '<'. */
export function aucMannWhitney(cases: ArrayLike<number>, controls: ArrayLike<number>, direction: RocDirection): number {
  const sign = direction === '<' ? 1 : -1;
  const sn = Float64Array.from(controls, (v) => sign * v).sort();
  let s = 0;
  for (let i = 0; i < cases.length; i++) {
    const v = sign * cases[i];
    const below = countAtMost(sn, v);
    const strictlyBelow = sn.length - countAtLeast(sn, v);
    s += (below + strictlyBelow) / 2;
  }
  return s / (cases.length * controls.length);
}

/** ROC curve of a predictor for a 0/1 outcome. */
export function rocCurve(y: ArrayLike<number>, x: ArrayLike<number>, options: RocOptions = {}): RocCurve {
  const name = options.predictorName ?? 'predictor';
  assertBinaryOutcome('outcome', y, options);
  assertLength(name, x, y.length);
  assertFinite(name, x, options);
  const { cases, controls } = splitByOutcome(x, y);
  const wanted = options.direction ?? 'auto';
  const direction = wanted === 'auto' ? autoDirection(cases, controls) : wanted;
  const sc = Float64Array.from(cases).sort();
  const sn = Float64Array.from(controls).sort();
  const ascending = rocThresholds(x, direction);
  const thresholds = direction === '<' ? ascending : ascending.slice().reverse();
  const sensitivities: number[] = [];
  const specificities: number[] = [];
  for (const t of thresholds) {
    const { tp, tn } = countsAtSorted(sc, sn, t, direction);
    sensitivities.push(tp / sc.length);
    specificities.push(tn / sn.length);
  }
  if (thresholds.length < 2) throw new HilumError({ code: 'CONSTANT_FEATURE', message: `'${name}' has no values`, data: { name } });
  return {
    direction,
    nCases: cases.length,
    nControls: controls.length,
    auc: aucMannWhitney(cases, controls, direction),
    thresholds,
    sensitivities,
    specificities,
    cases,
    controls,
  };
}

/** Classification metrics at one threshold (pROC's coords quantities). */
export interface ThresholdMetrics {
  threshold: number;
  sensitivity: number;
  specificity: number;
  accuracy: number;
  ppv: number;
  npv: number;
  tp: number;
  tn: number;
  fp: number;
  fn: number;
  /** pROC's youden: sensitivity + specificity (no -1). */
  youden: number;
}

/** Metrics when calling a case at `threshold` in the curve's direction (x ≥ t for '<', x ≤ t for '>'). */
export function metricsAt(roc: Pick<RocCurve, 'cases' | 'controls' | 'direction'>, threshold: number): ThresholdMetrics {
  const { tp, tn } = countsAt(roc.cases, roc.controls, threshold, roc.direction);
  const m = roc.cases.length;
  const n = roc.controls.length;
  const sensitivity = tp / m;
  const specificity = tn / n;
  const fn = m - tp;
  const fp = n - tn;
  return {
    threshold,
    sensitivity,
    specificity,
    accuracy: (tp + tn) / (m + n),
    ppv: tp / (tp + fp),
    npv: tn / (tn + fn),
    tp,
    tn,
    fp,
    fn,
    youden: sensitivity + specificity,
  };
}

/**
 * Youden-optimal thresholds as pROC's coords(x = "best", best.method = "youden"): every threshold
 * where sensitivity + specificity equals its maximum (compared exactly, as pROC does), in the
 * curve's order.
 */
export function youdenBest(roc: RocCurve): ThresholdMetrics[] {
  const crit = roc.sensitivities.map((s, i) => s + roc.specificities[i]);
  const max = maxOf(crit);
  return roc.thresholds.filter((_, i) => crit[i] === max).map((t) => metricsAt(roc, t));
}
