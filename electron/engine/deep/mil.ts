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
 * - Deep features: the slice feature vectors pooled per patient by mean and by maximum.
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
  return { version: 1, plhBins, wordEdges, idf: df.map((d) => Math.log((1 + n) / (1 + d)) + 1), featureLength };
}

/** The named patient features: mil_plh_binNN, mil_bow_wordNN, and deep_mean_NNN / deep_max_NNN when slice features are given. */
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
