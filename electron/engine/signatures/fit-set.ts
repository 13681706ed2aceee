/**
 * Fits the five signatures of the method on the training split and scores every patient:
 * - clinical: univariable logistic screening (p < pEnter) → multivariable model → independent
 *   factors (p < pKeep, or backward AIC) → logistic model on those factors;
 * - radiomics: the feature-signature recipe (score-signature.ts) on the radiomics features;
 * - MIL: the same recipe on the MIL features (probability histogram, bag of words);
 * - DLRad: the same recipe on the radiomics and MIL features together (and, when the protocol asks,
 *   principal components of the pooled deep features);
 * - combined: logistic model on the DLRad score and the clinical independent factors (the nomogram).
 * Honest stacking (protocol stacking.outOfFold, out-of-fold.ts): the score calibrations and the
 * combined model are fitted on out-of-fold scores of the training patients; everything applies the
 * full-training signatures.
 */
import type { Finding } from '../core/errors.js';
import { HilumError, isHilumError } from '../core/errors.js';
import type { MilState } from '../deep/mil.js';
import { fitLogistic } from '../stats/logistic-regression.js';
import { screenThenFit } from '../stats/screening.js';
import { assertBinaryOutcome } from '../stats/validate.js';
import { type ClinicalEncoding, encodeClinical, encodedColumns, fitClinicalEncoding } from './clinical-encoding.js';
import { type DeepOutputs, deepPatientFeatures, fitDeepAggregation } from './deep-features.js';
import { type LogisticSignature, linearPredictorOf, logisticSignature, probabilities } from './logistic-signature.js';
import type { FeatureSelectionSettings, StudyProtocol } from './protocol.js';
import { type ScoreSignature, type SelectionTrace, fitScoreCalibration, fitScoreSignature, hasSpread, scoreOf } from './score-signature.js';
import { outOfFoldScores } from './out-of-fold.js';
import { type FrozenHarmonisation, harmonisePatient, harmoniseStudyRadiomics } from './harmonisation.js';
import { applyCombat } from '../stats/combat/index.js';
import type { SplitName } from './split.js';
import { appendAll } from '../core/append-all.js';

export const SIGNATURE_NAMES = ['clinical', 'radiomics', 'mil', 'dlrad', 'combined'] as const;
export type SignatureName = (typeof SIGNATURE_NAMES)[number];
/** The feature signatures (LASSO scores), whose scores are predictors of other models. */
export const SCORE_NAMES = ['radiomics', 'mil', 'dlrad'] as const;
export type ScoreName = (typeof SCORE_NAMES)[number];

export interface SignatureSet {
  clinicalEncoding: ClinicalEncoding;
  /** Univariable screening and multivariable model of the clinical variables (for the report). */
  clinicalModelling: {
    univariable: { name: string; oddsRatio: number; oddsRatioCi: [number, number]; p: number; entered: boolean }[];
    multivariable: { name: string; oddsRatio: number; oddsRatioCi: [number, number]; p: number }[];
    independentFactors: string[];
  };
  deepAggregation: MilState;
  radiomicsFeatureNames: string[];
  /** The frozen ComBat harmonisation of the radiomics features (protocol harmonisation), when the study harmonised. */
  harmonisation?: FrozenHarmonisation;
  clinical: LogisticSignature;
  radiomics: ScoreSignature;
  mil: ScoreSignature;
  dlrad: ScoreSignature;
  combined: LogisticSignature;
}

export interface StudyInputs {
  ids: string[];
  y: Float64Array;
  split: SplitName[];
  clinicalValues: Record<string, string>[];
  /** Radiomics feature columns by name (all patients). */
  radiomics: Record<string, Float64Array>;
  radiomicsNames: string[];
  deep: DeepOutputs[];
  /** Each patient's batch (the manifest's harmonisation.batchColumn); needed when the protocol harmonises. */
  batch?: string[];
  /** Radiomics of repeat segmentations: patient row → values in radiomicsNames order. */
  repeat: Map<number, number[]>;
}

export interface PatientScores {
  /** Per signature: the score (linear predictor) and probability of each patient. */
  score: Record<SignatureName, Float64Array>;
  probability: Record<SignatureName, Float64Array>;
}

export interface SignatureSetFit {
  set: SignatureSet;
  scores: PatientScores;
  /** Honest stacking: the out-of-fold score of every training patient (NaN elsewhere), when the protocol asks for it. */
  outOfFold?: { folds: number; fold: Int32Array; score: Record<ScoreName, Float64Array> };
  traces: Record<'radiomics' | 'mil' | 'dlrad', SelectionTrace>;
  /** The encoded clinical columns of every patient. */
  clinicalColumns: Record<string, Float64Array>;
  findings: Finding[];
}

export function fitSignatureSet(inputs: StudyInputs, protocol: StudyProtocol): SignatureSetFit {
  const n = inputs.ids.length;
  const training = inputs.split.map((s) => s === 'training');
  const trainRows = training.flatMap((t, i) => (t ? [i] : []));
  const findings: Finding[] = [];
  for (const part of ['training', 'validation', 'external'] as const) {
    const rows = inputs.split.flatMap((s, i) => (s === part ? [i] : []));
    if (!rows.length) continue;
    assertBinaryOutcome(
      `outcome in the ${part} split`,
      Float64Array.from(rows, (i) => inputs.y[i]),
      { rowIds: rows.map((i) => inputs.ids[i]) },
    );
  }
  const separation = protocol.separation;

  // Clinical.
  const rows = inputs.ids.map((id, i) => ({ id, values: inputs.clinicalValues[i] }));
  const enc = fitClinicalEncoding(protocol.clinical.variables, rows, training, protocol.clinical.missing);
  appendAll(findings, enc.findings);
  const clinicalCols = columnsOf(
    rows.map((r) => encodeClinical(enc.encoding, r.values, `patient ${r.id}`)),
    encodedColumns(enc.encoding),
  );
  const candidates = encodedColumns(enc.encoding).filter((c) => {
    const t = trainRows.map((i) => clinicalCols[c][i]);
    const constant = t.every((v) => v === t[0]);
    if (constant) findings.push({ code: 'FEATURES_CONSTANT', severity: 'info', message: `clinical: ${c} is constant on the training split and was left out` });
    return !constant;
  });
  const trainData = (cols: Record<string, Float64Array>, names: readonly string[]) => ({
    y: Float64Array.from(trainRows, (i) => inputs.y[i]),
    x: Object.fromEntries(names.map((c) => [c, Float64Array.from(trainRows, (i) => cols[c][i])])),
    outcomeName: protocol.outcome.column,
    rowIds: trainRows.map((i) => inputs.ids[i]),
  });
  const screening = screenThenFit(trainData(clinicalCols, candidates), candidates, {
    pEnter: protocol.clinical.pEnter,
    pKeep: protocol.clinical.pKeep,
    selection: protocol.clinical.selection,
    onSeparation: separation,
  });
  appendAll(
    findings,
    screening.findings.map((f) => ({ ...f, message: `clinical: ${f.message}` })),
  );
  if (!screening.independentFactors.length)
    throw new HilumError({
      code: 'CLINICAL_NO_FACTOR',
      message: `no clinical variable is an independent risk factor on the training split (univariable p < ${protocol.clinical.pEnter}, multivariable p < ${protocol.clinical.pKeep})`,
      hint: 'The cohort may be too small; or relax clinical.pEnter / clinical.pKeep in the protocol.',
      data: { entered: screening.entered },
    });
  const clinicalFit = fitLogistic(trainData(clinicalCols, screening.independentFactors), screening.independentFactors, { onSeparation: separation });
  appendAll(
    findings,
    clinicalFit.findings.map((f) => ({ ...f, message: `clinical signature: ${f.message}` })),
  );
  // Training means of each term: the reference point of the input contributions (contributions.ts).
  const trainingMeans = (cols: Record<string, ArrayLike<number>>, terms: readonly string[]) =>
    terms.map((t) => trainRows.reduce((sum, i) => sum + cols[t][i], 0) / trainRows.length);
  const clinical = logisticSignature('clinical', clinicalFit);
  clinical.termMeans = trainingMeans(clinicalCols, clinical.terms);

  // Deep aggregation (MIL vocabulary, IDF, PCA basis) on training.
  const deepAggregation = fitDeepAggregation(
    trainRows.map((i) => inputs.deep[i]),
    protocol.deep,
  );
  const deepCols = columnsOf(inputs.deep.map((d) => deepPatientFeatures(deepAggregation, d)));
  const milNames = Object.keys(deepCols).filter((k) => k.startsWith('mil_'));
  const pcaNames = Object.keys(deepCols).filter((k) => k.startsWith('deep_pca_'));

  const repeatRows = [...inputs.repeat.keys()];
  let repeat: { rows: number[]; columns: Record<string, Float64Array> } | undefined = repeatRows.length
    ? {
        rows: repeatRows,
        columns: Object.fromEntries(inputs.radiomicsNames.map((f, j) => [f, Float64Array.from(repeatRows, (r) => inputs.repeat.get(r)![j])])),
      }
    : undefined;

  // Optional harmonisation of the radiomics features (ComBat across centres or scanners), before selection.
  let radiomicsCols = inputs.radiomics;
  let harmonisation: FrozenHarmonisation | undefined;
  if (protocol.harmonisation) {
    if (!inputs.batch)
      throw new HilumError({ code: 'HARMONISE_BATCH_MISSING', message: `harmonisation: no ${protocol.harmonisation.batchColumn} was given for the patients` });
    const h = harmoniseStudyRadiomics(protocol.harmonisation, {
      ids: inputs.ids,
      batch: inputs.batch,
      training,
      radiomics: inputs.radiomics,
      radiomicsNames: inputs.radiomicsNames,
      covariates: clinicalCols,
    });
    appendAll(findings, h.findings);
    radiomicsCols = h.radiomics;
    harmonisation = h.params;
    // Repeat segmentations: same patient, same batch, same adjustment.
    if (repeat) {
      const r = repeat;
      const names = [...h.params.features, ...h.params.unchanged];
      const adjusted = applyCombat(h.params, {
        batch: r.rows.map((i) => inputs.batch![i]),
        features: Object.fromEntries(names.map((f) => [f, r.columns[f]])),
        covariates: Object.fromEntries(h.params.covariates.map((c) => [c, Float64Array.from(r.rows, (i) => clinicalCols[c][i])])),
      });
      repeat = { rows: r.rows, columns: { ...r.columns, ...adjusted } };
    }
  }
  const radiomicsSet = new Set(inputs.radiomicsNames);
  const featureColumns = { ...radiomicsCols, ...deepCols };
  const fitScoreOn = (name: ScoreName, names: string[], mask: readonly boolean[]) =>
    fitScoreSignature(name, { names, columns: featureColumns }, inputs.y, mask, selectionFor(protocol.selection, name), {
      repeat,
      iccFeatures: (f) => radiomicsSet.has(f),
      separation,
    });
  const scoreCandidates: Record<ScoreName, string[]> = {
    radiomics: inputs.radiomicsNames,
    mil: milNames,
    dlrad: [...inputs.radiomicsNames, ...milNames, ...pcaNames],
  };
  const fits = {} as Record<ScoreName, ReturnType<typeof fitScoreSignature>>;
  for (const name of SCORE_NAMES) {
    fits[name] = fitScoreOn(name, scoreCandidates[name], training);
    appendAll(findings, fits[name].findings);
  }

  const allColumns: Record<string, Float64Array> = { ...radiomicsCols, ...deepCols, ...clinicalCols };
  const score = {} as Record<SignatureName, Float64Array>;
  const probability = {} as Record<SignatureName, Float64Array>;
  score.clinical = linearPredictorOf(clinical, clinicalCols, n);
  for (const name of SCORE_NAMES) score[name] = scoreOf(fits[name].signature, allColumns, n);

  // Honest stacking: the scores that are predictors of another model (their calibration; the DLRad
  // score in the combined model) enter those training fits out-of-fold.
  const yTrain = Float64Array.from(trainRows, (i) => inputs.y[i]);
  const stacking = protocol.stacking;
  const outOfFold = {} as Record<ScoreName, Float64Array>;
  let fold: Int32Array = new Int32Array(n);
  let stacked = false;
  if (stacking.outOfFold) {
    try {
      for (const name of SCORE_NAMES) {
        const oof = outOfFoldScores(name, training, inputs.y, stacking, (mask) =>
          scoreOf(fitScoreOn(name, scoreCandidates[name], mask).signature, allColumns, n),
        );
        outOfFold[name] = oof.score;
        fold = oof.fold;
      }
      stacked = true;
    } catch (error) {
      // A training split too small for the folds (or a fold that selects nothing): in-sample, said loudly.
      if (!isHilumError(error) || !error.code.startsWith('STACKING_')) throw error;
      findings.push({
        code: 'STACKING_IN_SAMPLE',
        severity: 'warning',
        message: `${error.message}; the calibrations and the combined model were fitted on in-sample scores, which over-trust the DLRad score`,
        hint: error.hint,
      });
    }
  }
  if (stacked) {
    for (const name of SCORE_NAMES) {
      // A signature without features already gives every patient the training prevalence.
      if (!fits[name].signature.features.length) continue;
      const calib = fitScoreCalibration(
        name,
        trainRows.map((i) => outOfFold[name][i]),
        yTrain,
        separation,
      );
      appendAll(findings, calib.findings);
      fits[name].signature.calibration = calib.calibration;
    }
    findings.push({
      code: 'STACKING_OUT_OF_FOLD',
      severity: 'info',
      message: `the radiomics, MIL and DLRad calibrations and the combined model were fitted on out-of-fold scores of the ${trainRows.length} training patients (${stacking.folds} folds); the bundle applies the full-training signatures`,
    });
  } else for (const name of SCORE_NAMES) outOfFold[name] = score[name];
  for (const name of SCORE_NAMES) {
    const c = fits[name].signature.calibration;
    probability[name] = probabilities(score[name].map((s) => c.intercept + c.slope * s));
  }
  probability.clinical = probabilities(score.clinical);

  // Combined: DLRad score + the clinical independent factors; fitted on the out-of-fold DLRad score,
  // applied (to every patient, and in the bundle) with the full-training DLRad score.
  const combinedTerms = ['dlrad_score', ...screening.independentFactors];
  if (!hasSpread(trainRows.map((i) => score.dlrad[i])))
    throw new HilumError({
      code: 'SIGNATURE_EMPTY',
      message: `the DLRad score is the same for all ${trainRows.length} training patients (its LASSO kept no informative feature), so the combined model would have no image term`,
      hint: 'Use more training patients, or a smaller selection.lasso.lambdaMinRatio or a lambdaGrid reaching lower; the extracted features are cached, so the next run only fits.',
    });
  const combinedFit = fitLogistic(trainData({ ...clinicalCols, dlrad_score: outOfFold.dlrad }, combinedTerms), combinedTerms, { onSeparation: separation });
  appendAll(
    findings,
    combinedFit.findings.map((f) => ({ ...f, message: `combined: ${f.message}` })),
  );
  const combinedCols = { ...clinicalCols, dlrad_score: score.dlrad };
  const combined = logisticSignature('combined', combinedFit);
  combined.termMeans = trainingMeans(combinedCols, combined.terms);
  score.combined = linearPredictorOf(combined, combinedCols, n);
  probability.combined = probabilities(score.combined);

  const set: SignatureSet = {
    clinicalEncoding: enc.encoding,
    clinicalModelling: {
      univariable: screening.univariable.map((u) => ({
        name: u.name,
        oddsRatio: u.coefficient.oddsRatio,
        oddsRatioCi: u.coefficient.oddsRatioCi,
        p: u.coefficient.p,
        entered: u.selected,
      })),
      multivariable: (screening.multivariable?.coefficients.slice(1) ?? []).map((c) => ({
        name: c.name,
        oddsRatio: c.oddsRatio,
        oddsRatioCi: c.oddsRatioCi,
        p: c.p,
      })),
      independentFactors: screening.independentFactors,
    },
    deepAggregation,
    radiomicsFeatureNames: inputs.radiomicsNames,
    ...(harmonisation ? { harmonisation } : {}),
    clinical,
    radiomics: fits.radiomics.signature,
    mil: fits.mil.signature,
    dlrad: fits.dlrad.signature,
    combined,
  };
  return {
    set,
    scores: { score, probability },
    traces: { radiomics: fits.radiomics.trace, mil: fits.mil.trace, dlrad: fits.dlrad.trace },
    outOfFold: stacked ? { folds: stacking.folds, fold, score: outOfFold } : undefined,
    clinicalColumns: clinicalCols,
    findings,
  };
}

/** The feature-selection settings of one score signature: its own λ rule where the protocol names one (selection.lasso.lambdaBySignature). */
export function selectionFor(selection: FeatureSelectionSettings, name: ScoreName): FeatureSelectionSettings {
  const rule = selection.lasso.lambdaBySignature?.[name];
  return rule && rule !== selection.lasso.lambda ? { ...selection, lasso: { ...selection.lasso, lambda: rule } } : selection;
}

/** Column-wise view of per-patient records (names: those of the first record unless given). */
function columnsOf(records: Record<string, number>[], names?: string[]): Record<string, Float64Array> {
  const keys = names ?? Object.keys(records[0] ?? {});
  return Object.fromEntries(keys.map((k) => [k, Float64Array.from(records, (r) => r[k])]));
}

/** Applies a fitted set to one patient: every signature's score and probability. */
export function applySignatureSet(
  set: SignatureSet,
  patient: {
    clinical: Record<string, string | number | undefined>;
    radiomics: Record<string, number>;
    deep: DeepOutputs;
    /** The patient's batch (centre or scanner) when the set harmonises its radiomics. */
    batch?: string;
  },
  who = 'patient',
): { score: Record<SignatureName, number>; probability: Record<SignatureName, number>; clinicalEncoded: Record<string, number> } {
  const clinicalEncoded = encodeClinical(set.clinicalEncoding, patient.clinical, who);
  const deep = deepPatientFeatures(set.deepAggregation, patient.deep);
  const radiomics = set.harmonisation ? harmonisePatient(set.harmonisation, patient.batch, patient.radiomics, clinicalEncoded, who) : patient.radiomics;
  const one = (v: Record<string, number>) => Object.fromEntries(Object.entries(v).map(([k, x]) => [k, [x]]));
  const columns = one({ ...radiomics, ...deep, ...clinicalEncoded });
  const score = {} as Record<SignatureName, number>;
  const probability = {} as Record<SignatureName, number>;
  score.clinical = linearPredictorOf(set.clinical, columns, 1)[0];
  probability.clinical = probabilities([score.clinical])[0];
  for (const name of ['radiomics', 'mil', 'dlrad'] as const) {
    const s = set[name];
    score[name] = scoreOf(s, columns, 1)[0];
    probability[name] = probabilities([s.calibration.intercept + s.calibration.slope * score[name]])[0];
  }
  score.combined = linearPredictorOf(set.combined, { ...columns, dlrad_score: [score.dlrad] }, 1)[0];
  probability.combined = probabilities([score.combined])[0];
  return { score, probability, clinicalEncoded };
}
