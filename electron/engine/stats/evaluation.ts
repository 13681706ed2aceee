import { HilumError } from '../core/errors.js';
import { brierScore, calibrationInterceptSlope } from './calibration.js';
import { decisionCurve, type DecisionCurve } from './decision-curve.js';
import { delongAuc, delongPairedTest } from './delong.js';
import { hosmerLemeshow, type HosmerLemeshowResult } from './hosmer-lemeshow.js';
import { type ThresholdMetrics, rocCurve, youdenBest } from './roc.js';

export interface ScoreEvaluation {
  score: string;
  n: number;
  cases: number;
  controls: number;
  /** pROC's direction: '<' when higher scores mean cases. */
  direction: '<' | '>';
  auc: number;
  aucSe: number;
  auc95: [number, number];
  /** Youden-best threshold(s) and their metrics (pROC's coords(best)). */
  youden: ThresholdMetrics[];
  /** With probabilities only. */
  calibration?: {
    brier: number;
    hosmerLemeshow: HosmerLemeshowResult;
    intercept: number;
    slope: number;
    interceptInTheLarge: number;
  };
  decisionCurve?: DecisionCurve;
}

export interface PairedComparison {
  score1: string;
  score2: string;
  auc1: number;
  auc2: number;
  z: number;
  p: number;
}

export interface EvaluationReport {
  outcome: string;
  scores: ScoreEvaluation[];
  /** DeLong's paired test for every pair of scores. */
  comparisons: PairedComparison[];
}

/**
 * Evaluates one or more scores against a 0/1 outcome the way the reference R packages report it:
 * ROC with pROC's conventions (auto direction, midpoint thresholds), AUC with its DeLong variance
 * and 95 % CI, the Youden-best threshold with sensitivity, specificity, accuracy, PPV and NPV,
 * DeLong's paired test between every two scores, and — when the scores are probabilities — the
 * Brier score, Hosmer-Lemeshow test (10 groups), calibration intercept and slope, and net benefit
 * over thresholds 0.01…0.99.
 */
export function evaluateScores(
  outcome: string,
  y: ArrayLike<number>,
  scores: Record<string, ArrayLike<number>>,
  options: { probability?: boolean } = {},
): EvaluationReport {
  const names = Object.keys(scores);
  if (!names.length) throw new HilumError({ code: 'INVALID_ARGUMENT', message: 'give at least one score to evaluate' });
  const rocs = Object.fromEntries(names.map((name) => [name, rocCurve(y, scores[name], { predictorName: name })]));
  const evaluations = names.map((name): ScoreEvaluation => {
    const roc = rocs[name];
    const d = delongAuc(roc);
    const e: ScoreEvaluation = {
      score: name,
      n: roc.nCases + roc.nControls,
      cases: roc.nCases,
      controls: roc.nControls,
      direction: roc.direction,
      auc: roc.auc,
      aucSe: d.se,
      auc95: [d.ci[0], d.ci[1]],
      youden: youdenBest(roc),
    };
    if (options.probability) {
      const p = scores[name];
      for (let i = 0; i < p.length; i++)
        if (!(p[i] >= 0 && p[i] <= 1))
          throw new HilumError({
            code: 'NOT_A_PROBABILITY',
            message: `score ${name}: value ${p[i]} (row ${i + 1}) is not a probability in [0, 1]`,
            hint: 'Leave out --probability for risk scores that are not probabilities.',
          });
      const line = calibrationInterceptSlope(y, p);
      e.calibration = {
        brier: brierScore(y, p),
        hosmerLemeshow: hosmerLemeshow(y, p),
        intercept: line.intercept,
        slope: line.slope,
        interceptInTheLarge: line.interceptInTheLarge,
      };
      e.decisionCurve = decisionCurve(y, p);
    }
    return e;
  });
  const comparisons: PairedComparison[] = [];
  for (let a = 0; a < names.length; a++)
    for (let b = a + 1; b < names.length; b++) {
      const t = delongPairedTest(rocs[names[a]], rocs[names[b]]);
      comparisons.push({ score1: names[a], score2: names[b], auc1: t.auc1, auc2: t.auc2, z: t.z, p: t.p });
    }
  return { outcome, scores: evaluations, comparisons };
}
