/**
 * The paper's evaluation of a signature set, per signature and split: AUC with its DeLong 95 % CI;
 * accuracy, sensitivity, specificity, PPV and NPV at the Youden threshold chosen on the training
 * split (the same threshold applied to validation and external test); DeLong's paired test of the
 * combined model against each other signature; calibration (Hosmer-Lemeshow, Brier, intercept and
 * slope, decile curve); decision curves; and the oracle AUC of the generator's latent probability.
 */
import { HilumError, isHilumError } from '../core/errors.js';
import { brierScore, calibrationInterceptSlope } from '../stats/calibration.js';
import { decisionCurve, type DecisionCurve } from '../stats/decision-curve.js';
import { delongAuc, delongPairedTest } from '../stats/delong.js';
import { hosmerLemeshow } from '../stats/hosmer-lemeshow.js';
import { metricsAt, rocCurve, youdenBest, type RocCurve } from '../stats/roc.js';
import { SIGNATURE_NAMES, type SignatureName } from './fit-set.js';
import { SPLITS, type SplitName } from './split.js';

export interface MetricsRow {
  signature: SignatureName;
  split: SplitName;
  n: number;
  events: number;
  auc: number;
  aucCi: [number, number];
  threshold: number;
  accuracy: number;
  sensitivity: number;
  specificity: number;
  /** null when no patient is called positive (PPV) or negative (NPV) at the threshold. */
  ppv: number | null;
  npv: number | null;
}

/** Statistics that can be undefined for a degenerate cohort part are null, never NaN. */
export interface CalibrationRow {
  signature: SignatureName;
  split: SplitName;
  brier: number;
  hosmerLemeshow: { statistic: number | null; df: number; p: number | null };
  intercept: number | null;
  slope: number | null;
  /** Deciles of predicted risk: mean predicted vs observed proportion. */
  curve: { predicted: number; observed: number; n: number }[];
}

export interface DelongRow {
  split: SplitName;
  versus: SignatureName;
  aucCombined: number;
  aucOther: number;
  /** null when the two signatures rank every patient alike (the difference has no variance). */
  z: number | null;
  p: number | null;
}

export interface StudyMetrics {
  rows: MetricsRow[];
  delong: DelongRow[];
  calibration: CalibrationRow[];
  decisionCurves: { split: SplitName; curves: Record<SignatureName, DecisionCurve> }[];
  roc: { split: SplitName; curves: Record<SignatureName, { fpr: number[]; tpr: number[] }> }[];
  oracle: { split: SplitName; auc: number; aucCi: [number, number] }[];
  /** Training Youden threshold of each signature's probability. */
  thresholds: Record<SignatureName, number>;
}

function rowsOf(split: readonly SplitName[], part: SplitName): number[] {
  return split.flatMap((s, i) => (s === part ? [i] : []));
}

export function evaluateStudy(
  y: ArrayLike<number>,
  split: readonly SplitName[],
  probability: Record<SignatureName, Float64Array>,
  latent?: readonly (number | undefined)[],
): StudyMetrics {
  const parts = SPLITS.filter((s) => rowsOf(split, s).length > 0);
  const take = (values: ArrayLike<number>, rows: number[]) => Float64Array.from(rows, (i) => values[i]);
  const thresholds = {} as Record<SignatureName, number>;
  const trainRows = rowsOf(split, 'training');
  if (!trainRows.length) throw new HilumError({ code: 'STUDY_NO_TRAINING', message: 'the study has no training patients' });
  for (const s of SIGNATURE_NAMES) {
    const p = take(probability[s], trainRows);
    const roc = rocCurve(take(y, trainRows), p, { direction: '<' });
    // pROC also lists ±∞ when they tie for the best (a signature that gives every patient the same
    // probability ties only there): then the threshold is that probability, calling every patient positive.
    thresholds[s] = youdenBest(roc).find((b) => Number.isFinite(b.threshold))?.threshold ?? p[0];
  }
  const metrics: StudyMetrics = { rows: [], delong: [], calibration: [], decisionCurves: [], roc: [], oracle: [], thresholds };
  for (const part of parts) {
    const rows = rowsOf(split, part);
    const yp = take(y, rows);
    const rocs = {} as Record<SignatureName, RocCurve>;
    const rocPoints = {} as Record<SignatureName, { fpr: number[]; tpr: number[] }>;
    const curves = {} as Record<SignatureName, DecisionCurve>;
    for (const s of SIGNATURE_NAMES) {
      const p = take(probability[s], rows);
      const roc = rocCurve(yp, p, { direction: '<' });
      rocs[s] = roc;
      rocPoints[s] = { fpr: roc.specificities.map((sp) => 1 - sp), tpr: roc.sensitivities.slice() };
      const d = delongAuc(roc);
      const m = metricsAt(roc, thresholds[s]);
      metrics.rows.push({
        signature: s,
        split: part,
        n: rows.length,
        events: roc.nCases,
        auc: roc.auc,
        aucCi: [d.ci[0], d.ci[1]],
        threshold: thresholds[s],
        accuracy: m.accuracy,
        sensitivity: m.sensitivity,
        specificity: m.specificity,
        ppv: Number.isFinite(m.ppv) ? m.ppv : null,
        npv: Number.isFinite(m.npv) ? m.npv : null,
      });
      const hl = hosmerLemeshowOrNull(yp, p);
      const line = calibrationInterceptSlope(yp, p);
      metrics.calibration.push({
        signature: s,
        split: part,
        brier: brierScore(yp, p),
        hosmerLemeshow: { statistic: finiteOrNull(hl.statistic), df: hl.df, p: finiteOrNull(hl.p) },
        intercept: finiteOrNull(line.intercept),
        slope: finiteOrNull(line.slope),
        curve: decileCurve(yp, p),
      });
      curves[s] = decisionCurve(yp, p);
    }
    for (const s of SIGNATURE_NAMES.filter((x) => x !== 'combined')) {
      const t = delongPairedTest(rocs.combined, rocs[s]);
      metrics.delong.push({ split: part, versus: s, aucCombined: t.auc1, aucOther: t.auc2, z: finiteOrNull(t.z), p: finiteOrNull(t.p) });
    }
    metrics.decisionCurves.push({ split: part, curves });
    metrics.roc.push({ split: part, curves: rocPoints });
    if (latent && rows.every((i) => latent[i] !== undefined)) {
      const roc = rocCurve(yp, take(latent as number[], rows), { direction: '<' });
      const d = delongAuc(roc);
      metrics.oracle.push({ split: part, auc: roc.auc, aucCi: [d.ci[0], d.ci[1]] });
    }
  }
  return metrics;
}

/** The Hosmer-Lemeshow test, or nulls when the probabilities form too few risk groups for it (tiny or separated cohort parts). */
function hosmerLemeshowOrNull(y: Float64Array, p: Float64Array): { statistic: number; df: number; p: number } {
  try {
    return hosmerLemeshow(y, p);
  } catch (error) {
    if (isHilumError(error) && error.code === 'TOO_FEW_RISK_GROUPS') return { statistic: NaN, df: 0, p: NaN };
    throw error;
  }
}

function finiteOrNull(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

/** Patients sorted by predicted risk in ten groups of (nearly) equal size: mean predicted, observed proportion. */
export function decileCurve(y: Float64Array, p: Float64Array): CalibrationRow['curve'] {
  const order = Array.from(p.keys()).sort((a, b) => p[a] - p[b]);
  const groups = Math.min(10, order.length);
  const out: CalibrationRow['curve'] = [];
  for (let g = 0; g < groups; g++) {
    const members = order.slice(Math.floor((g * order.length) / groups), Math.floor(((g + 1) * order.length) / groups));
    if (!members.length) continue;
    out.push({
      predicted: members.reduce((s, i) => s + p[i], 0) / members.length,
      observed: members.reduce((s, i) => s + y[i], 0) / members.length,
      n: members.length,
    });
  }
  return out;
}
