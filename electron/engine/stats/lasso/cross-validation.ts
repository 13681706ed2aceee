/**
 * K-fold cross-validation of the LASSO path as cv.glmnet (glmnet 4.1, family = "binomial"):
 * the full-data λ sequence is refitted on each training part (standardisation recomputed there);
 * held-out rows are predicted at every λ. Measures:
 * - deviance: probabilities clipped to [1e-5, 1 - 1e-5], per-row -2[y log p + (1-y) log(1-p)],
 *   averaged within each fold;
 * - auc: the Mann-Whitney AUC within each fold, ties counting ½ (this reproduces cv.glmnet's values,
 *   including folds whose model is empty and predicts one value for everyone).
 * cvm = fold-size-weighted mean of the fold values, cvsd = √(weighted mean of (fold - cvm)²/(K-1));
 * λ_min = the largest λ with the best cvm (lowest deviance, highest AUC); λ_1se = the largest λ
 * whose cvm is within one cvsd of the best (cvm ≤ cvm_min + cvsd_min, or ≥ for AUC).
 */
import { HilumError } from '../../core/errors.js';
import { checkModelData, type ModelData } from '../design.js';
import { checkFolds, makeFolds } from '../folds.js';
import { aucMannWhitney } from '../roc.js';
import { checkLambdaGrid } from './lambda-grid.js';
import { coefficientsAt, fitRows, type LassoPath, type LassoPathOptions } from './path.js';
import { arrayMin } from '../../core/array-extent.js';

export type CvMeasure = 'deviance' | 'auc';

export interface LassoCvOptions extends LassoPathOptions {
  /** Fold of each row (1…K); default: seeded folds. */
  foldid?: ArrayLike<number>;
  nFolds?: number;
  seed?: number;
  /** Stratify the seeded folds by outcome (default true). */
  stratified?: boolean;
  measure?: CvMeasure;
}

export interface LassoCv {
  path: LassoPath;
  measure: CvMeasure;
  lambda: number[];
  cvm: number[];
  cvsd: number[];
  /** Per fold and λ: the fold's value of the measure. */
  foldValues: number[][];
  nzero: number[];
  /** 0-based index of λ_min / λ_1se in `lambda`. */
  indexMin: number;
  index1se: number;
  lambdaMin: number;
  lambda1se: number;
  coefficientsMin: Record<string, number>;
  coefficients1se: Record<string, number>;
  /** Features with a non-zero coefficient at λ_1se, in feature order. */
  selected1se: string[];
  foldid: number[];
  /** Seed of the folds when they were drawn here. */
  seed?: number;
  /** (fold, λ index) pairs whose held-out predictions contained ties across classes (AUC only). */
  tiedFolds: { fold: number; lambdaIndex: number }[];
}

const PROB_MIN = 1e-5;

/** Held-out predictions of every fold refit at every λ of the full-data path. */
export interface LassoFoldPredictions {
  path: LassoPath;
  lambda: number[];
  foldid: number[];
  nFolds: number;
  seed?: number;
  y: ArrayLike<number>;
  /** probability[l][i]: held-out probability of row i at λ_l (from the fit without i's fold). */
  probability: Float64Array[];
}

/** Refits the path on each training part and predicts the held-out rows (the expensive half of CV). */
export function lassoFoldPredictions(data: ModelData, features: readonly string[], given: LassoCvOptions = {}): LassoFoldPredictions {
  checkModelData(data, features);
  const options = checkLambdaGrid(given, true);
  const n = data.y.length;
  const seed = options.seed ?? 1;
  const foldid = options.foldid ? Array.from(options.foldid) : makeFolds(data.y, options.nFolds ?? 10, seed, options.stratified ?? true);
  const k = checkFolds(foldid, n);
  const columns = features.map((f) => data.x[f]);
  const all = Float64Array.from({ length: n }, (_, i) => i);
  const path = fitRows(columns, features, data.y, all, options);
  const lambda = path.lambda;
  const probability = lambda.map(() => new Float64Array(n));
  for (let f = 1; f <= k; f++) {
    const train = Float64Array.from(all.filter((i) => foldid[i] !== f));
    const test = Array.from(all.filter((i) => foldid[i] === f));
    const fit = fitRows(columns, features, data.y, train, { ...options, lambda, allowConstant: true });
    lambda.forEach((_, l0) => {
      // a fold path that stopped early (saturated fit) predicts with its last λ, as cv.glmnet does
      const l = Math.min(l0, fit.a0.length - 1);
      for (const i of test) {
        let eta = fit.a0[l];
        for (let j = 0; j < columns.length; j++) eta += fit.beta[l][j] * columns[j][i];
        probability[l0][i] = 1 / (1 + Math.exp(-eta));
      }
    });
  }
  return { path, lambda, foldid, nFolds: k, ...(options.foldid ? {} : { seed }), y: data.y, probability };
}

/** cv.glmnet's summary of held-out predictions for one measure: cvm, cvsd, λ_min and λ_1se. */
export function summarizeLassoCv(pred: LassoFoldPredictions, measure: CvMeasure = 'deviance'): LassoCv {
  const { lambda, foldid, nFolds: k, path, y } = pred;
  const L = lambda.length;
  const foldValues: number[][] = [];
  const weights: number[] = [];
  const tiedFolds: { fold: number; lambdaIndex: number }[] = [];
  for (let f = 1; f <= k; f++) {
    const test: number[] = [];
    foldid.forEach((g, i) => g === f && test.push(i));
    const values: number[] = [];
    for (let l = 0; l < L; l++) {
      const prob = test.map((i) => pred.probability[l][i]);
      const yt = test.map((i) => y[i]);
      if (measure === 'deviance') {
        let s = 0;
        prob.forEach((p0, t) => {
          const p = Math.min(Math.max(p0, PROB_MIN), 1 - PROB_MIN);
          s += -2 * (yt[t] === 1 ? Math.log(p) : Math.log(1 - p));
        });
        values.push(s / test.length);
      } else {
        const cases = prob.filter((_, t) => yt[t] === 1);
        const controls = prob.filter((_, t) => yt[t] === 0);
        if (cases.length === 0 || controls.length === 0)
          throw new HilumError({
            code: 'ONE_CLASS_ONLY',
            message: `fold ${f} holds only one outcome class; its AUC is undefined`,
            hint: 'Use stratified folds or fewer folds.',
          });
        const controlSet = new Set(controls);
        if (cases.some((c) => controlSet.has(c))) tiedFolds.push({ fold: f, lambdaIndex: l });
        values.push(aucMannWhitney(cases, controls, '<'));
      }
    }
    foldValues.push(values);
    weights.push(test.length);
  }
  const wsum = weights.reduce((a, b) => a + b, 0);
  const cvm: number[] = [];
  const cvsd: number[] = [];
  for (let l = 0; l < L; l++) {
    let m = 0;
    foldValues.forEach((v, f) => (m += weights[f] * v[l]));
    m /= wsum;
    let s = 0;
    foldValues.forEach((v, f) => (s += weights[f] * (v[l] - m) ** 2));
    cvm.push(m);
    cvsd.push(Math.sqrt(s / wsum / (k - 1)));
  }
  const sign = measure === 'auc' ? -1 : 1;
  const loss = cvm.map((v) => sign * v);
  const best = arrayMin(loss);
  const indexMin = lambdaIndexOfLargest(
    lambda,
    loss.map((v) => v <= best),
  );
  const bound = loss[indexMin] + cvsd[indexMin];
  const index1se = lambdaIndexOfLargest(
    lambda,
    loss.map((v) => v <= bound),
  );
  const coefficients1se = coefficientsAt(path, index1se);
  return {
    path,
    measure,
    lambda,
    cvm,
    cvsd,
    foldValues,
    nzero: path.df,
    indexMin,
    index1se,
    lambdaMin: lambda[indexMin],
    lambda1se: lambda[index1se],
    coefficientsMin: coefficientsAt(path, indexMin),
    coefficients1se,
    selected1se: path.features.filter((f) => coefficients1se[f] !== 0),
    foldid,
    ...(pred.seed !== undefined ? { seed: pred.seed } : {}),
    tiedFolds,
  };
}

/** K-fold cross-validated LASSO (cv.glmnet). */
export function crossValidateLasso(data: ModelData, features: readonly string[], options: LassoCvOptions = {}): LassoCv {
  return summarizeLassoCv(lassoFoldPredictions(data, features, options), options.measure ?? 'deviance');
}

function lambdaIndexOfLargest(lambda: number[], ok: boolean[]): number {
  let bestIdx = -1;
  for (let l = 0; l < lambda.length; l++) if (ok[l] && (bestIdx < 0 || lambda[l] > lambda[bestIdx])) bestIdx = l;
  return bestIdx;
}
