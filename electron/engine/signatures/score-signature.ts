/**
 * A feature signature (radiomics, MIL, DLRad) as the paper builds it, fitted on the training split only:
 *   1. candidates with a non-finite value for any patient, or constant on training, are dropped (reported);
 *   2. z-score with the training mean and SD (n − 1): z = (x − μ) / σ;
 *   3. ICC filter (radiomics features, when repeat segmentations exist): keep ICC(A,1) ≥ threshold;
 *   4. univariate test (Mann-Whitney U by default): keep p < threshold;
 *   5. correlation pruning as caret::findCorrelation (|r| > cutoff);
 *   6. LASSO logistic regression, λ by k-fold CV (glmnet conventions), at λ_min or λ_1se;
 *      score = β₀ + Σ βⱼ zⱼ over the non-zero coefficients (the paper's Rad-score);
 *   7. a logistic model P = 1 / (1 + e^−(a + b·score)) on training turns the score into a probability.
 * Safeguard: when the chosen λ keeps no feature, the largest λ of the path that keeps one is used,
 * with a finding.
 */
import type { Finding } from '../core/errors.js';
import { HilumError } from '../core/errors.js';
import { correlationMatrix } from '../stats/correlation.js';
import { mean, variance } from '../stats/descriptive.js';
import { findCorrelation } from '../stats/find-correlation.js';
import { univariateFilter } from '../stats/feature-filter.js';
import { iccTable } from '../stats/icc.js';
import { crossValidateLasso } from '../stats/lasso/cross-validation.js';
import { coefficientsAt } from '../stats/lasso/path.js';
import { fitLogistic } from '../stats/logistic-regression.js';
import { INTERCEPT } from '../stats/design.js';
import type { FeatureSelectionSettings } from './protocol.js';
import { appendAll } from '../core/append-all.js';

export interface ScoreSignature {
  kind: 'lasso-score';
  name: string;
  features: string[];
  /** Training mean and SD of each selected feature. */
  scaler: { mean: number[]; sd: number[] };
  /** LASSO coefficients on the z-scores, and the intercept. */
  coefficients: number[];
  intercept: number;
  /** P = plogis(a + b·score), fitted on training. */
  calibration: { intercept: number; slope: number; method: 'maximum-likelihood' | 'firth' };
  lambda: number;
  /** `none`: no feature passed the univariate test, no LASSO ran, and the signature has no feature. */
  lambdaRule: 'lambda.min' | 'lambda.1se' | 'first-non-empty' | 'none';
}

export interface SelectionTrace {
  candidates: number;
  droppedNonFinite: string[];
  droppedConstant: string[];
  icc: { applied: boolean; patients: number; threshold: number; kept: number; reason?: string };
  test: { name: string; threshold: number; kept: number };
  correlation: { method: string; cutoff: number; dropped: number; kept: number };
  lasso: {
    nFolds: number;
    seed: number;
    measure: string;
    lambdaMin: number;
    lambda1se: number;
    lambdaUsed: number;
    selected: number;
    cvm: number[];
    cvsd: number[];
    lambda: number[];
    nzero: number[];
  };
}

export interface ScoreSignatureFit {
  signature: ScoreSignature;
  trace: SelectionTrace;
  findings: Finding[];
}

export interface FeatureMatrix {
  names: string[];
  /** columns[name] = values over all patients (all splits). */
  columns: Record<string, Float64Array>;
}

export function fitScoreSignature(
  name: string,
  data: FeatureMatrix,
  y: ArrayLike<number>,
  training: readonly boolean[],
  settings: FeatureSelectionSettings,
  options: {
    repeat?: { rows: number[]; columns: Record<string, Float64Array> };
    iccFeatures?: (feature: string) => boolean;
    separation?: 'firth' | 'error';
  } = {},
): ScoreSignatureFit {
  const findings: Finding[] = [];
  const trainRows = training.flatMap((t, i) => (t ? [i] : []));
  const yTrain = Float64Array.from(trainRows, (i) => y[i]);
  const pick = (col: Float64Array) => Float64Array.from(trainRows, (i) => col[i]);
  const droppedNonFinite = data.names.filter((f) => data.columns[f].some((v) => !Number.isFinite(v)));
  const finite = data.names.filter((f) => !droppedNonFinite.includes(f));
  const droppedConstant = finite.filter((f) => {
    const t = pick(data.columns[f]);
    return t.every((v) => v === t[0]);
  });
  let kept = finite.filter((f) => !droppedConstant.includes(f));
  if (droppedNonFinite.length)
    findings.push({
      code: 'FEATURES_NOT_FINITE',
      severity: 'info',
      message: `${name}: ${droppedNonFinite.length} feature(s) with a missing or infinite value were left out`,
      data: { features: droppedNonFinite },
    });
  if (droppedConstant.length)
    findings.push({
      code: 'FEATURES_CONSTANT',
      severity: 'info',
      message: `${name}: ${droppedConstant.length} feature(s) constant on the training split were left out`,
      data: { features: droppedConstant },
    });
  if (!kept.length)
    throw new HilumError({
      code: 'SIGNATURE_NO_FEATURES',
      message: `${name}: every candidate feature is constant or missing on the training split`,
      data: { candidates: data.names.length },
    });

  // 2. z-scores with training statistics.
  const stats = new Map(kept.map((f) => [f, { mu: mean(pick(data.columns[f])), sd: Math.sqrt(variance(pick(data.columns[f]))) }]));
  const z = (f: string, col: Float64Array) => {
    const { mu, sd } = stats.get(f)!;
    return Float64Array.from(col, (v) => (v - mu) / sd);
  };

  // 3. ICC between repeat segmentations.
  const icc: SelectionTrace['icc'] = { applied: false, patients: options.repeat?.rows.length ?? 0, threshold: settings.iccThreshold, kept: kept.length };
  const iccApplies = kept.some((f) => !options.iccFeatures || options.iccFeatures(f));
  if (options.repeat && options.repeat.rows.length >= 5 && iccApplies) {
    const rep = options.repeat;
    icc.applied = true;
    kept = kept.filter((f) => {
      if (options.iccFeatures && !options.iccFeatures(f)) return true;
      const second = rep.columns[f];
      if (!second) return true;
      const ratings = rep.rows.map((row, k) => [data.columns[f][row], second[k]]);
      try {
        return iccTable(ratings).irr.agreementSingle.value >= settings.iccThreshold;
      } catch {
        // No within-patient variation at all: perfectly reproducible.
        return true;
      }
    });
    icc.kept = kept.length;
  } else
    icc.reason = !iccApplies
      ? 'no radiomics features among the candidates'
      : options.repeat
        ? `only ${options.repeat.rows.length} patients have a repeat segmentation (at least 5 needed)`
        : 'no repeat segmentations in the manifest';

  // 4. Univariate test on the training split.
  const trainCols = Object.fromEntries(kept.map((f) => [f, pick(data.columns[f])]));
  const tested = univariateFilter({ y: yTrain, x: trainCols, outcomeName: 'outcome' }, kept, { test: settings.test, pThreshold: settings.pThreshold });
  kept = tested.filter((r) => r.passed).map((r) => r.name);
  if (!kept.length) {
    // Nothing to select from: the signature keeps no feature and says so; its probability is the
    // training prevalence (fitScoreCalibration). A study goes on with the other signatures.
    findings.push({
      code: 'SIGNATURE_NO_FEATURES',
      severity: 'warning',
      message: `${name}: no feature differs between the outcome groups of the training split (${settings.test}, p < ${settings.pThreshold}), so the signature has no feature`,
      hint: 'The cohort may be too small or the features uninformative; a larger cohort, or a higher selection.pThreshold in the protocol.',
      data: { tested: tested.length },
    });
    return emptyFit(name, yTrain, options.separation ?? 'firth', findings, {
      candidates: data.names.length,
      droppedNonFinite,
      droppedConstant,
      icc,
      test: { name: settings.test, threshold: settings.pThreshold, kept: 0 },
      correlation: { method: settings.correlation.method, cutoff: settings.correlation.cutoff, dropped: 0, kept: 0 },
    });
  }

  // 5. Correlation pruning.
  const before = kept.length;
  if (kept.length > 1) {
    const matrix = correlationMatrix(trainCols, kept, settings.correlation.method);
    const drop = new Set(findCorrelation(matrix, kept, { cutoff: settings.correlation.cutoff }));
    kept = kept.filter((f) => !drop.has(f));
  }

  // 6. LASSO with cross-validation on the z-scores.
  const zTrain = Object.fromEntries(kept.map((f) => [f, z(f, trainCols[f])]));
  const lassoData = { y: yTrain, x: zTrain, outcomeName: 'outcome' };
  const minority = Math.min(
    yTrain.reduce((s, v) => s + v, 0),
    yTrain.length - yTrain.reduce((s, v) => s + v, 0),
  );
  const nFolds = Math.min(settings.lasso.nFolds, minority);
  if (nFolds < 3)
    throw new HilumError({
      code: 'TOO_FEW_EVENTS',
      message: `${name}: ${minority} patients in the smaller outcome group of the training split cannot support ${settings.lasso.nFolds}-fold cross-validation`,
    });
  let coefficients: Record<string, number>;
  let lambda: number;
  let lambdaRule: ScoreSignature['lambdaRule'] = settings.lasso.lambda;
  let cvLambda: number[];
  let cvm: number[];
  let cvsd: number[];
  let nzero: number[];
  let lambdaMin: number;
  let lambda1se: number;
  if (kept.length === 1) {
    // One feature: nothing to shrink between; its unpenalised logistic coefficient is the score.
    const fit = fitLogistic(lassoData, kept, { onSeparation: options.separation ?? 'firth' });
    coefficients = fit.estimates;
    lambda = 0;
    lambdaMin = lambda1se = 0;
    cvLambda = cvm = cvsd = nzero = [];
    findings.push({ code: 'SIGNATURE_SINGLE_FEATURE', severity: 'info', message: `${name}: one feature passed the filters; it enters unpenalised` });
  } else {
    const cv = crossValidateLasso(lassoData, kept, {
      nFolds,
      seed: settings.lasso.seed,
      measure: settings.lasso.measure,
      ...(settings.lasso.lambdaGrid
        ? { lambda: settings.lasso.lambdaGrid }
        : { lambdaMinRatio: settings.lasso.lambdaMinRatio, ...(settings.lasso.nLambda !== undefined ? { nLambda: settings.lasso.nLambda } : {}) }),
    });
    let k = settings.lasso.lambda === 'lambda.min' ? cv.indexMin : cv.index1se;
    if (cv.indexMin === cv.lambda.length - 1 && !cv.path.stoppedEarly)
      findings.push({
        code: 'LASSO_LAMBDA_AT_PATH_END',
        severity: 'warning',
        message: settings.lasso.lambdaGrid
          ? `${name}: the cross-validated optimum is the smallest λ of the given grid (${cv.lambda[cv.lambda.length - 1]}); a longer grid may find a better one`
          : `${name}: the cross-validated optimum is the smallest λ of the path (λ/λmax = ${settings.lasso.lambdaMinRatio}); a longer path may find a better one`,
        hint: settings.lasso.lambdaGrid
          ? 'Add smaller values to selection.lasso.lambdaGrid in the protocol.'
          : 'Lower selection.lasso.lambdaMinRatio in the protocol (e.g. 0.001).',
      });
    if (cv.path.df[k] === 0) {
      const first = cv.path.df.findIndex((d) => d > 0);
      if (first < 0) throw new HilumError({ code: 'SIGNATURE_NO_FEATURES', message: `${name}: the LASSO path keeps no feature at any λ` });
      findings.push({
        code: 'LASSO_EMPTY_AT_LAMBDA',
        severity: 'warning',
        message: `${name}: LASSO keeps no feature at ${settings.lasso.lambda}; the largest λ that keeps one (${cv.path.lambda[first].toPrecision(4)}) is used`,
      });
      k = first;
      lambdaRule = 'first-non-empty';
    }
    coefficients = coefficientsAt(cv.path, k);
    lambda = cv.path.lambda[k];
    lambdaMin = cv.lambdaMin;
    lambda1se = cv.lambda1se;
    cvLambda = cv.lambda;
    cvm = cv.cvm;
    cvsd = cv.cvsd;
    nzero = cv.nzero;
  }
  const selected = kept.filter((f) => coefficients[f] !== 0 && coefficients[f] !== undefined);
  const signature: ScoreSignature = {
    kind: 'lasso-score',
    name,
    features: selected,
    scaler: { mean: selected.map((f) => stats.get(f)!.mu), sd: selected.map((f) => stats.get(f)!.sd) },
    coefficients: selected.map((f) => coefficients[f]),
    intercept: coefficients[INTERCEPT],
    calibration: { intercept: 0, slope: 1, method: 'maximum-likelihood' },
    lambda,
    lambdaRule,
  };
  // 7. Score → probability on the training split.
  const scoreTrain = scoreOf(signature, Object.fromEntries(selected.map((f) => [f, trainCols[f]])), trainRows.length);
  const calib = fitScoreCalibration(name, scoreTrain, yTrain, options.separation ?? 'firth');
  appendAll(findings, calib.findings);
  signature.calibration = calib.calibration;
  const trace: SelectionTrace = {
    candidates: data.names.length,
    droppedNonFinite,
    droppedConstant,
    icc,
    test: { name: settings.test, threshold: settings.pThreshold, kept: tested.filter((r) => r.passed).length },
    correlation: { method: settings.correlation.method, cutoff: settings.correlation.cutoff, dropped: before - kept.length, kept: kept.length },
    lasso: {
      nFolds,
      seed: settings.lasso.seed,
      measure: settings.lasso.measure,
      lambdaMin,
      lambda1se,
      lambdaUsed: lambda,
      selected: selected.length,
      cvm,
      cvsd,
      lambda: cvLambda,
      nzero,
    },
  };
  return { signature, trace, findings };
}

/** A signature without features: score 0 for every patient, calibrated to the training prevalence. */
function emptyFit(
  name: string,
  yTrain: Float64Array,
  separation: 'firth' | 'error',
  findings: Finding[],
  trace: Omit<SelectionTrace, 'lasso'>,
): ScoreSignatureFit {
  const calib = fitScoreCalibration(name, new Float64Array(yTrain.length), yTrain, separation);
  appendAll(findings, calib.findings);
  return {
    signature: {
      kind: 'lasso-score',
      name,
      features: [],
      scaler: { mean: [], sd: [] },
      coefficients: [],
      intercept: 0,
      calibration: calib.calibration,
      lambda: 0,
      lambdaRule: 'none',
    },
    trace: {
      ...trace,
      lasso: { nFolds: 0, seed: 0, measure: 'none', lambdaMin: 0, lambda1se: 0, lambdaUsed: 0, selected: 0, cvm: [], cvsd: [], lambda: [], nzero: [] },
    },
    findings,
  };
}

/**
 * The score's probability scale, P = 1 / (1 + e^−(a + b·score)), by logistic regression of the
 * outcome on the given training scores (in-sample, or out-of-fold for honest stacking).
 */
export function fitScoreCalibration(
  name: string,
  score: ArrayLike<number>,
  y: ArrayLike<number>,
  separation: 'firth' | 'error',
): { calibration: ScoreSignature['calibration']; findings: Finding[] } {
  // A LASSO that kept no feature gives every patient the same score: no slope can be fitted, and the
  // signature's honest probability is the training prevalence, P = ȳ (intercept logit ȳ, slope 0).
  if (!hasSpread(score)) {
    let events = 0;
    for (let i = 0; i < y.length; i++) events += y[i];
    const prevalence = Math.min(1 - 1e-6, Math.max(1e-6, events / y.length));
    return {
      calibration: { intercept: Math.log(prevalence / (1 - prevalence)), slope: 0, method: 'maximum-likelihood' },
      findings: [
        {
          code: 'SIGNATURE_CONSTANT',
          severity: 'warning',
          message: `${name}: the score is the same for every training patient (no feature was kept), so the signature gives every patient the training prevalence, ${(100 * prevalence).toFixed(1)} %`,
          hint: 'A larger training cohort, or a λ path reaching lower (selection.lasso.lambdaMinRatio, lambdaGrid), lets the LASSO keep features.',
        },
      ],
    };
  }
  const calib = fitLogistic({ y: Float64Array.from(y), x: { score: Float64Array.from(score) }, outcomeName: 'outcome' }, ['score'], {
    onSeparation: separation,
  });
  return {
    calibration: { intercept: calib.estimates[INTERCEPT], slope: calib.estimates.score, method: calib.method },
    findings: calib.findings.map((f) => ({ ...f, message: `${name} calibration: ${f.message}` })),
  };
}

/** False when every value is the same (to rounding). */
export function hasSpread(values: ArrayLike<number>): boolean {
  for (let i = 1; i < values.length; i++) if (Math.abs(values[i] - values[0]) > 1e-12 * (1 + Math.abs(values[0]))) return true;
  return false;
}

/** score = β₀ + Σ βⱼ (xⱼ − μⱼ) / σⱼ for n patients; every selected feature must be present and finite. */
export function scoreOf(s: ScoreSignature, columns: Record<string, ArrayLike<number>>, n: number): Float64Array {
  const out = new Float64Array(n).fill(s.intercept);
  s.features.forEach((f, j) => {
    const col = columns[f];
    if (!col) throw new HilumError({ code: 'FEATURE_MISSING', message: `${s.name} signature needs feature ${f}, which the case lacks` });
    for (let i = 0; i < n; i++) {
      if (!Number.isFinite(col[i])) throw new HilumError({ code: 'FEATURE_NOT_FINITE', message: `${s.name} signature: feature ${f} is ${col[i]}` });
      out[i] += (s.coefficients[j] * (col[i] - s.scaler.mean[j])) / s.scaler.sd[j];
    }
  });
  return out;
}
