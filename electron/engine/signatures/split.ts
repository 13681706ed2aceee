/**
 * The study split: patients of the training centre(s) are divided at random into training and
 * validation (stratified by outcome, seeded, so the same manifest and seed always give the same
 * split); every other centre is the external test, as in the paper's two-centre design.
 */
import { HilumError } from '../core/errors.js';
import { seededRandom, shuffled } from '../stats/random.js';

export type SplitName = 'training' | 'validation' | 'external';
export const SPLITS: readonly SplitName[] = ['training', 'validation', 'external'];

export interface SplitPatient {
  id: string;
  centre: string;
  label: number;
}

export interface SplitSettings {
  trainingCentres: readonly string[];
  validationFraction: number;
  seed: number;
  stratified: boolean;
}

/** The split of every patient, in the order given. Within each class, round(fraction · n) go to validation. */
export function splitCohort(patients: readonly SplitPatient[], settings: SplitSettings): SplitName[] {
  const training = new Set(settings.trainingCentres);
  const inTraining = patients.map((p, i) => ({ p, i })).filter(({ p }) => training.has(p.centre));
  if (!inTraining.length)
    throw new HilumError({
      code: 'STUDY_NO_TRAINING_CENTRE',
      message: `no patient belongs to the training centre(s) ${[...training].join(', ')}`,
      hint: 'Set split.trainingCentres in the protocol to centres of the manifest.',
      data: { centres: [...new Set(patients.map((p) => p.centre))] },
    });
  const out: SplitName[] = patients.map((p) => (training.has(p.centre) ? 'training' : 'external'));
  const rng = seededRandom(settings.seed);
  const groups = settings.stratified ? [0, 1].map((c) => inTraining.filter(({ p }) => p.label === c)) : [inTraining];
  for (const group of groups) {
    const k = Math.round(settings.validationFraction * group.length);
    for (const { i } of shuffled(group, rng).slice(0, k)) out[i] = 'validation';
  }
  return out;
}
