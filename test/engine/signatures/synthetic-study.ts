import { seededRandom } from '../../../electron/engine/stats/random.js';
import type { StudyInputs } from '../../../electron/engine/signatures/fit-set.js';
import { splitCohort } from '../../../electron/engine/signatures/split.js';
import { parseProtocol, type StudyProtocol } from '../../../electron/engine/signatures/protocol.js';

/** A small synthetic study table (no images): clinical text values, radiomics columns (5 informative of 20), deep outputs. */
export function syntheticStudy(n = 240, seed = 3): StudyInputs & { centres: string[]; latent: number[] } {
  const rng = seededRandom(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
  const centres = Array.from({ length: n }, (_, i) => (i < n * 0.7 ? 'A' : 'B'));
  const signal = Array.from({ length: n }, normal);
  const latent = signal.map((s) => 1 / (1 + Math.exp(-(-1.1 + 1.6 * s))));
  const y = Float64Array.from(latent, (p) => (rng.next() < p ? 1 : 0));
  const radiomicsNames = Array.from({ length: 20 }, (_, j) => `original_firstorder_F${String(j).padStart(2, '0')}`);
  const radiomics = Object.fromEntries(
    radiomicsNames.map((name, j) => [name, Float64Array.from(signal, (s) => (j < 5 ? 0.8 * s : 0) + normal() * (j + 1) + 100 * j)]),
  );
  const clinicalValues = signal.map((s, i) => ({
    age_years: String(Math.round(62 + 8 * normal())),
    sex: rng.next() < 0.5 ? 'male' : 'female',
    cea_ng_ml: (Math.exp(0.6 * s + 0.3 * normal()) * 3).toFixed(2),
    diameter_mm: (18 + 5 * s + 3 * normal()).toFixed(1),
    row: String(i),
  }));
  const deep = signal.map((s) => ({
    probabilities: Array.from({ length: 7 }, () => 1 / (1 + Math.exp(-(s + 0.8 * normal())))),
    meanFeatures: Array.from({ length: 6 }, (_, f) => (f < 2 ? s : 0) + normal()),
  }));
  const ids = Array.from({ length: n }, (_, i) => `${centres[i]}${String(i + 1).padStart(4, '0')}`);
  const split = splitCohort(
    ids.map((id, i) => ({ id, centre: centres[i], label: y[i] })),
    { trainingCentres: ['A'], validationFraction: 0.3, seed: 1, stratified: true },
  );
  return { ids, y, split, clinicalValues, radiomics, radiomicsNames, deep, repeat: new Map(), centres, latent };
}

/** A protocol for syntheticStudy's clinical columns (age, sex, CEA, diameter) with 5 LASSO folds; overrides replace whole sections. */
export function syntheticStudyProtocol(overrides: Record<string, unknown> = {}): StudyProtocol {
  return parseProtocol({
    clinical: {
      variables: [
        { column: 'age_years', kind: 'numeric', unit: 'years', range: [18, 100] },
        { column: 'sex', kind: 'binary', positive: 'male' },
        { column: 'cea_ng_ml', kind: 'numeric', unit: 'ng/mL', range: [0, 1000] },
        { column: 'diameter_mm', kind: 'numeric', unit: 'mm', range: [1, 100] },
      ],
    },
    selection: { lasso: { nFolds: 5 } },
    ...overrides,
  });
}
