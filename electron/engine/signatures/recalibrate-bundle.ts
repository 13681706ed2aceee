/**
 * A site's recalibrated bundle: the combined model's linear predictor lp is recalibrated on the
 * site's own cohort (stats/recalibration.ts: logit P = a + lp, or a + b·lp; Steyerberg 2019, ch. 20)
 * and folded into the combined signature, so every consumer of the bundle (bedside, nomogram, reports)
 * uses it unchanged:
 *   β₀' = a + b·β₀,  β' = b·β,  Cov' = b²·Cov (a and b taken as fixed),
 *   nomogram: points per unit xβ ÷ b (a patient's points stay the same), risk axis re-placed,
 *   Youden threshold and reference distribution of the combined probability mapped through
 *   p ↦ plogis(a + b·logit p) (monotone, so the same patients fall above it).
 * The other signatures, the parent's metrics and its training distribution of them are kept as they
 * were. The new bundle's provenance names its parent (name and content hash) and the recalibration
 * with the site cohort's calibration before and after; it is sealed (hashed) like any other bundle.
 */
import { HilumError } from '../core/errors.js';
import { engineVersion } from '../core/version.js';
import { brierScore, calibrationInterceptSlope } from '../stats/calibration.js';
import { pnormTwoSided, plogis, qlogis } from '../stats/distributions.js';
import { hosmerLemeshow } from '../stats/hosmer-lemeshow.js';
import { DEFAULT_RISK_AT } from '../stats/nomogram.js';
import { fitRecalibration, type RecalibrationMethod } from '../stats/recalibration.js';
import { type ModelBundle, type NomogramScales, sealBundle, type UnsealedBundle } from './bundle.js';
import type { LogisticSignature } from './logistic-signature.js';
import { decileCurve } from './study-metrics.js';

/** Calibration of a probability on a cohort. */
export interface CalibrationSummary {
  n: number;
  events: number;
  observedRate: number;
  meanPredicted: number;
  brier: number;
  hosmerLemeshow: { statistic: number | null; df: number; p: number | null };
  /** glm(y ~ logit p): intercept and slope; and calibration-in-the-large glm(y ~ offset(logit p)). */
  intercept: number;
  slope: number;
  interceptInTheLarge: number;
  curve: { predicted: number; observed: number; n: number }[];
}

export interface BundleRecalibration {
  method: RecalibrationMethod;
  intercept: number;
  slope: number;
  interceptSe: number;
  slopeSe: number | null;
  /** The site cohort it was fitted on. */
  cohort: { source: string; sha256: string; patients: number; events: number };
  before: CalibrationSummary;
  after: CalibrationSummary;
}

/** The site's patients: outcome and the parent bundle's combined linear predictor. */
export interface SiteCohort {
  source: string;
  sha256: string;
  ids: string[];
  y: Float64Array;
  linearPredictor: Float64Array;
}

export function calibrationSummary(y: Float64Array, p: Float64Array): CalibrationSummary {
  const line = calibrationInterceptSlope(y, p);
  let hl: CalibrationSummary['hosmerLemeshow'] = { statistic: null, df: 0, p: null };
  try {
    const h = hosmerLemeshow(y, p);
    hl = { statistic: Number.isFinite(h.statistic) ? h.statistic : null, df: h.df, p: Number.isFinite(h.p) ? h.p : null };
  } catch {
    // Too few distinct risk groups for the test (a tiny cohort): reported as null.
  }
  const n = y.length;
  const events = y.reduce((s, v) => s + v, 0);
  return {
    n,
    events,
    observedRate: events / n,
    meanPredicted: p.reduce((s, v) => s + v, 0) / n,
    brier: brierScore(y, p),
    hosmerLemeshow: hl,
    intercept: line.intercept,
    slope: line.slope,
    interceptInTheLarge: line.interceptInTheLarge,
    curve: decileCurve(y, p),
  };
}

/** The combined signature with a + b·lp folded in; the coefficient table rescaled to match. */
function recalibratedSignature(s: LogisticSignature, a: number, b: number): LogisticSignature {
  const z = 1.959963984540054;
  const table = s.table.map((row, k) => {
    const estimate = k === 0 ? a + b * row.estimate : b * row.estimate;
    const se = Math.abs(b) * row.se;
    return {
      ...row,
      estimate,
      se,
      p: k === 0 ? pnormTwoSided(estimate / se) : row.p,
      oddsRatio: Math.exp(estimate),
      oddsRatioCi: [Math.exp(estimate - z * se), Math.exp(estimate + z * se)] as [number, number],
    };
  });
  return {
    ...s,
    intercept: a + b * s.intercept,
    coefficients: s.coefficients.map((c) => b * c),
    covariance: s.covariance?.map((r) => r.map((v) => b * b * v)),
    table,
  };
}

function recalibratedNomogram(n: NomogramScales, a: number, b: number): NomogramScales {
  const sc = n.pointsPerUnitXbeta / b;
  const lpAtZero = a + b * n.lpAtZeroPoints;
  const lo = Math.min(n.totalPointsAxis[0], n.riskAxis.points[0] ?? Infinity);
  const hi = Math.max(n.totalPointsAxis[n.totalPointsAxis.length - 1], n.riskAxis.points[n.riskAxis.points.length - 1] ?? -Infinity);
  const riskAxis = { points: [] as number[], risk: [] as number[] };
  for (const r of DEFAULT_RISK_AT) {
    const points = (qlogis(r) - lpAtZero) * sc;
    if (points < lo || points > hi) continue;
    riskAxis.points.push(points);
    riskAxis.risk.push(r);
  }
  return { ...n, pointsPerUnitXbeta: sc, lpAtZeroPoints: lpAtZero, riskAxis };
}

export function recalibrateBundle(
  parent: ModelBundle,
  cohort: SiteCohort,
  method: RecalibrationMethod,
  options: { name?: string; createdAt?: string } = {},
): { bundle: ModelBundle; recalibration: BundleRecalibration } {
  const fit = fitRecalibration(cohort.y, cohort.linearPredictor, method, cohort.ids);
  const a = fit.intercept;
  const b = fit.slope;
  if (!(b > 0))
    throw new HilumError({
      code: 'RECALIBRATION_SLOPE_NOT_POSITIVE',
      message: `the combined model ranks this cohort's patients the wrong way round (calibration slope ${b.toPrecision(3)}); recalibration cannot repair that`,
      hint: 'The model does not transfer to this site: re-develop it on the site’s data (hilum study) instead.',
      data: { slope: b },
    });
  const map = (p: number) => plogis(a + b * qlogis(p));
  const before = Float64Array.from(cohort.linearPredictor, plogis);
  const after = Float64Array.from(cohort.linearPredictor, (lp) => plogis(a + b * lp));
  const recalibration: BundleRecalibration = {
    method,
    intercept: a,
    slope: b,
    interceptSe: fit.interceptSe,
    slopeSe: fit.slopeSe,
    cohort: { source: cohort.source, sha256: cohort.sha256, patients: fit.n, events: fit.events },
    before: calibrationSummary(cohort.y, before),
    after: calibrationSummary(cohort.y, after),
  };
  const { contentSha256, ...content } = parent;
  const reference = content.referenceDistribution.combined;
  const unsealed: UnsealedBundle = {
    ...content,
    name: options.name ?? `${parent.name}-recalibrated`,
    createdAt: options.createdAt ?? new Date().toISOString(),
    engineVersion: engineVersion(),
    provenance: { ...content.provenance, parent: { name: parent.name, contentSha256 } },
    signatures: { ...content.signatures, combined: recalibratedSignature(content.signatures.combined, a, b) },
    thresholds: { ...content.thresholds, youden: { ...content.thresholds.youden, combined: map(content.thresholds.youden.combined) } },
    nomogram: recalibratedNomogram(content.nomogram, a, b),
    referenceDistribution: {
      ...content.referenceDistribution,
      combined: { score: reference.score.map((s) => a + b * s), probability: reference.probability.map(map) },
    },
    recalibration,
  };
  return { bundle: sealBundle(unsealed), recalibration };
}
