import { Matrix, SingularValueDecomposition } from 'ml-matrix';
import { HilumError } from '../core/errors.js';

/**
 * Multi-instance learning: from the slice-level outputs of a patient's bag to patient features.
 *
 * - Predicted-likelihood histogram (PLH): the share of the patient's slices whose probability
 *   falls in each of `plhBins` equal bins on [0, 1] (the last bin includes 1).
 * - Bag of words with TF-IDF: each slice's probability is a "word", the bin it falls in between
 *   edges fitted on the training slices (their quantiles, so every word is used equally often in
 *   training); TF = count / slices, IDF = ln((1 + N) / (1 + df)) + 1 with N training patients and df
 *   those with the word (the smoothed form scikit-learn uses), and the TF-IDF vector is
 *   L2-normalised per patient.
 * - Mean probability (optional, `meanProbability`): the mean of the slice probabilities, the
 *   classic mean-pooling MIL operator. Unlike a histogram bin it moves monotonically with every
 *   slice's probability, so a scanner that shifts all of them (another centre) keeps the patients'
 *   order; the histogram and words, whose LASSO weights need not be monotone, do not.
 * - Deep features: the slice feature vectors pooled per patient by mean and by maximum, and
 *   optionally the mean-pooled vector projected on its first principal components, the basis
 *   (training mean and right singular vectors of the centred training matrix, each signed so its
 *   largest loading is positive) fitted on the training patients.
 *
 * Fitting (on the training cohort) and transforming are separate; the fitted state is plain JSON,
 * frozen into the model bundle.
 */
export interface MilState {
  version: 1;
  plhBins: number;
  /** Inner edges of the word bins (words − 1 ascending values). */
  wordEdges: number[];
  idf: number[];
  /** Length of the slice feature vectors the state was fitted with (0 when none). */
  featureLength: number;
  /** Adds mil_mean_probability; absent in states fitted before it existed. */
  meanProbability?: boolean;
  /** Frozen PCA of the mean-pooled deep features, when asked for. */
  pca?: { mean: number[]; components: number[][]; explainedVarianceRatio: number[] };
}

export interface PatientSlices {
  /** Slice probabilities (sigmoid of the backbone's logits). */
  probabilities: number[];
  /** Slice feature vectors (pooled penultimate layer), one per slice; optional. */
  features?: Float32Array[];
}

export interface MilFitOptions {
  plhBins?: number;
  words?: number;
  /** Principal components of the mean-pooled deep features to keep (0 or absent: none). */
  pcaComponents?: number;
  /** Also the mean slice probability (mil_mean_probability). */
  meanProbability?: boolean;
}

export function fitMil(training: PatientSlices[], options: MilFitOptions = {}): MilState {
  const plhBins = options.plhBins ?? 10;
  const words = options.words ?? 8;
  if (!training.length) throw new HilumError({ code: 'INVALID_ARGUMENT', message: 'MIL needs at least one training patient' });
  if (!Number.isInteger(words) || words < 2 || !Number.isInteger(plhBins) || plhBins < 2)
    throw new HilumError({ code: 'INVALID_ARGUMENT', message: 'MIL needs at least 2 words and 2 histogram bins' });
  const all = training.flatMap((p) => checkedProbabilities(p.probabilities)).sort((a, b) => a - b);
  const wordEdges: number[] = [];
  for (let w = 1; w < words; w++) wordEdges.push(all[Math.min(all.length - 1, Math.floor((w * all.length) / words))]);
  const df = new Array(words).fill(0);
  for (const p of training) {
    const seen = new Set(p.probabilities.map((x) => wordOf(x, wordEdges)));
    for (const w of seen) df[w]++;
  }
  const n = training.length;
  const featureLength = training[0].features?.[0]?.length ?? 0;
  const state: MilState = { version: 1, plhBins, wordEdges, idf: df.map((d) => Math.log((1 + n) / (1 + d)) + 1), featureLength };
  if (options.meanProbability) state.meanProbability = true;
  if (options.pcaComponents) state.pca = fitPca(training, options.pcaComponents, featureLength);
  return state;
}

/** PCA basis of the patients' mean-pooled slice features (SVD of the centred matrix). */
function fitPca(training: PatientSlices[], k: number, d: number): NonNullable<MilState['pca']> {
  if (!d || training.some((p) => !p.features?.length))
    throw new HilumError({ code: 'INVALID_ARGUMENT', message: 'PCA of deep features needs slice features for every training patient' });
  if (!Number.isInteger(k) || k < 1 || k > Math.min(d, training.length - 1))
    throw new HilumError({ code: 'INVALID_ARGUMENT', message: `PCA components must be 1…${Math.min(d, training.length - 1)}, got ${k}` });
  const pooled = training.map((p) => meanPool(p.features!, d));
  const mean = Array.from({ length: d }, (_, f) => pooled.reduce((s, v) => s + v[f], 0) / pooled.length);
  const centred = new Matrix(pooled.map((v) => v.map((x, f) => x - mean[f])));
  const svd = new SingularValueDecomposition(centred, { computeLeftSingularVectors: false, autoTranspose: true });
  const v = svd.rightSingularVectors;
  const squares = svd.diagonal.map((s) => s * s);
  const total = squares.reduce((a, b) => a + b, 0) || 1;
  const components = Array.from({ length: k }, (_, c) => {
    const column = Array.from({ length: d }, (_, f) => v.get(f, c));
    const largest = column.reduce((best, x) => (Math.abs(x) > Math.abs(best) ? x : best), 0);
    return largest < 0 ? column.map((x) => -x) : column;
  });
  return { mean, components, explainedVarianceRatio: squares.slice(0, k).map((s) => s / total) };
}

function meanPool(features: Float32Array[], d: number): number[] {
  const out = new Array(d).fill(0);
  for (const v of features) for (let f = 0; f < d; f++) out[f] += v[f] / features.length;
  return out;
}

/** The named patient features: mil_plh_binNN, mil_bow_wordNN, and deep_mean_NNN / deep_max_NNN (and deep_pca_NN with a PCA basis) when slice features are given. */
export function transformMil(state: MilState, patient: PatientSlices): Record<string, number> {
  const probabilities = checkedProbabilities(patient.probabilities);
  const out: Record<string, number> = {};
  const n = probabilities.length;
  const histogram = new Array(state.plhBins).fill(0);
  for (const p of probabilities) histogram[Math.min(state.plhBins - 1, Math.floor(p * state.plhBins))]++;
  histogram.forEach((c, b) => (out[`mil_plh_bin${pad(b, 2)}`] = c / n));
  const tf = new Array(state.idf.length).fill(0);
  for (const p of probabilities) tf[wordOf(p, state.wordEdges)] += 1 / n;
  const tfidf = tf.map((t, w) => t * state.idf[w]);
  const length = Math.hypot(...tfidf) || 1;
  tfidf.forEach((v, w) => (out[`mil_bow_word${pad(w, 2)}`] = v / length));
  if (state.meanProbability) out.mil_mean_probability = probabilities.reduce((sum, p) => sum + p, 0) / n;
  if (patient.features?.length) {
    const d = patient.features[0].length;
    if (state.featureLength && d !== state.featureLength)
      throw new HilumError({ code: 'INVALID_ARGUMENT', message: `slice features have ${d} values; the MIL state was fitted with ${state.featureLength}` });
    for (let f = 0; f < d; f++) {
      let sum = 0;
      let max = -Infinity;
      for (const v of patient.features) {
        sum += v[f];
        if (v[f] > max) max = v[f];
      }
      out[`deep_mean_${pad(f, 3)}`] = sum / patient.features.length;
      out[`deep_max_${pad(f, 3)}`] = max;
    }
    if (state.pca) {
      const pooled = meanPool(patient.features, d);
      state.pca.components.forEach((component, c) => {
        out[`deep_pca_${pad(c, 2)}`] = component.reduce((s, w, f) => s + w * (pooled[f] - state.pca!.mean[f]), 0);
      });
    }
  }
  return out;
}

/** Index of the word a probability falls in: the number of edges at or below it. */
function wordOf(p: number, edges: number[]): number {
  let w = 0;
  while (w < edges.length && p >= edges[w]) w++;
  return w;
}

function checkedProbabilities(values: number[]): number[] {
  if (!values.length) throw new HilumError({ code: 'INVALID_ARGUMENT', message: 'a patient has no slice probabilities' });
  for (const v of values) if (!(v >= 0 && v <= 1)) throw new HilumError({ code: 'INVALID_ARGUMENT', message: `slice probability ${v} is not in [0, 1]` });
  return values;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}
