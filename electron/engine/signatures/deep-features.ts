/**
 * From a patient's backbone outputs to the MIL and deep candidate features: the multi-instance
 * aggregation (probability histogram and bag-of-words TF-IDF, deep/mil.ts) and the principal
 * components of the mean-pooled slice features, both fitted on the training split and frozen.
 * The feature table carries the slice probabilities as deep_p_NN and the pooled vectors as
 * deep_mean_NNN / deep_max_NNN.
 */
import { HilumError } from '../core/errors.js';
import { fitMil, type MilState, transformMil } from '../deep/mil.js';

export interface DeepOutputs {
  probabilities: number[];
  /** Mean-pooled slice feature vector. */
  meanFeatures: number[];
}

/** The deep outputs of every patient from feature-table columns. */
export function deepOutputsFromColumns(names: readonly string[], row: (name: string) => number): DeepOutputs {
  const pNames = names.filter((n) => /^deep_p_\d+$/.test(n));
  const mNames = names.filter((n) => /^deep_mean_\d+$/.test(n));
  if (!pNames.length) throw new HilumError({ code: 'FEATURES_MISSING', message: 'the feature table has no slice probabilities (deep_p_NN columns)' });
  return { probabilities: pNames.map(row), meanFeatures: mNames.map(row) };
}

export function fitDeepAggregation(
  training: DeepOutputs[],
  options: { plhBins: number; words: number; meanProbability?: boolean; pcaComponents: number },
): MilState {
  const pca = Math.min(options.pcaComponents, training[0]?.meanFeatures.length ?? 0, Math.max(0, training.length - 1));
  return fitMil(
    training.map((p) => ({ probabilities: p.probabilities, features: p.meanFeatures.length ? [Float32Array.from(p.meanFeatures)] : undefined })),
    { plhBins: options.plhBins, words: options.words, meanProbability: options.meanProbability, pcaComponents: pca || undefined },
  );
}

/** MIL features (mil_plh_*, mil_bow_*) and deep PCA features (deep_pca_*) of one patient. */
export function deepPatientFeatures(state: MilState, p: DeepOutputs): Record<string, number> {
  const all = transformMil(state, { probabilities: p.probabilities, features: state.pca ? [Float32Array.from(p.meanFeatures)] : undefined });
  return Object.fromEntries(Object.entries(all).filter(([k]) => k.startsWith('mil_') || k.startsWith('deep_pca_')));
}
