/**
 * Honest stacking (cross-fitting): a signature score that is a predictor of another model (the
 * DLRad score in the combined nomogram, a score's probability calibration) must not be the score
 * of a fit that has seen the same patient, or the second model over-trusts it. The training rows
 * are dealt into K folds stratified by outcome; for each fold k the signature is fitted on the
 * training rows outside k and scores the rows of k:
 *
 *   ŝᵢ^oof = s(xᵢ; θ̂₋ₖ₍ᵢ₎),   θ̂₋ₖ = fit on {training rows j : fold(j) ≠ k}
 *
 * The second model is fitted on (ŝ^oof, …); the bundle applies it to the full-training fit's score.
 */
import { HilumError, isHilumError } from '../core/errors.js';
import { makeFolds } from '../stats/folds.js';

export interface OutOfFoldSettings {
  folds: number;
  seed: number;
}

export interface OutOfFold {
  /** One value per patient: the out-of-fold score on training rows, NaN elsewhere. */
  score: Float64Array;
  /** One value per patient: the fold (1…K) of a training row, 0 elsewhere. */
  fold: Int32Array;
}

/**
 * Out-of-fold scores of the training rows. `fitAndScore(trainingMask)` fits the signature on the
 * rows the mask marks and returns the score of every patient.
 */
export function outOfFoldScores(
  name: string,
  training: readonly boolean[],
  y: ArrayLike<number>,
  settings: OutOfFoldSettings,
  fitAndScore: (trainingMask: boolean[]) => ArrayLike<number>,
): OutOfFold {
  const n = training.length;
  const trainRows = training.flatMap((t, i) => (t ? [i] : []));
  const events = trainRows.reduce((s, i) => s + y[i], 0);
  if (Math.min(events, trainRows.length - events) < settings.folds)
    throw new HilumError({
      code: 'STACKING_TOO_FEW_EVENTS',
      message: `${name}: the training split has ${Math.min(events, trainRows.length - events)} patients in its smaller outcome group, fewer than the ${settings.folds} out-of-fold folds of stacking`,
      hint: 'Lower stacking.folds in the protocol, or use a larger cohort.',
    });
  const foldOfTrainRow = makeFolds(
    trainRows.map((i) => y[i]),
    settings.folds,
    settings.seed,
  );
  const fold = new Int32Array(n);
  trainRows.forEach((row, k) => (fold[row] = foldOfTrainRow[k]));
  const score = new Float64Array(n).fill(Number.NaN);
  for (let k = 1; k <= settings.folds; k++) {
    const mask = training.map((t, i) => t && fold[i] !== k);
    let scores: ArrayLike<number>;
    try {
      scores = fitAndScore(mask);
    } catch (error) {
      if (!isHilumError(error)) throw error;
      throw new HilumError({
        code: 'STACKING_FOLD_FAILED',
        message: `${name}: the out-of-fold fit without fold ${k} of ${settings.folds} failed: ${error.message}`,
        hint: 'A fold has too few patients for the signature; lower stacking.folds in the protocol, or use a larger cohort.',
        data: { fold: k, cause: error.code },
      });
    }
    for (let i = 0; i < n; i++) if (fold[i] === k) score[i] = scores[i];
  }
  return { score, fold };
}
