/**
 * Cross-validation fold assignment. glmnet draws foldid = sample(rep(1:K, length = N)); R's random
 * stream cannot be reproduced here, so folds are drawn from a seeded generator instead. By default
 * they are stratified by outcome (each class dealt round-robin over the folds after shuffling), so
 * every fold keeps events and non-events in proportion.
 */
import { HilumError } from '../core/errors.js';
import { seededRandom, shuffled } from './random.js';

export function makeFolds(y: ArrayLike<number>, nFolds: number, seed: number, stratified = true): number[] {
  const n = y.length;
  if (!Number.isInteger(nFolds) || nFolds < 2 || nFolds > n)
    throw new HilumError({ code: 'BAD_FOLDS', message: `cannot make ${nFolds} folds from ${n} rows`, data: { nFolds, n } });
  const rng = seededRandom(seed);
  const folds = new Array<number>(n);
  const groups = stratified ? [0, 1].map((c) => Array.from({ length: n }, (_, i) => i).filter((i) => y[i] === c)) : [Array.from({ length: n }, (_, i) => i)];
  let offset = 0;
  for (const g of groups) {
    shuffled(g, rng).forEach((row, k) => (folds[row] = ((k + offset) % nFolds) + 1));
    offset += g.length;
  }
  return folds;
}

/** Checks user-given fold ids: integers 1…K, each fold non-empty. */
export function checkFolds(foldid: ArrayLike<number>, n: number): number {
  if (foldid.length !== n)
    throw new HilumError({
      code: 'LENGTH_MISMATCH',
      message: `foldid has ${foldid.length} values but the data have ${n} rows`,
      data: { length: foldid.length, n },
    });
  let k = 0;
  for (let i = 0; i < n; i++) {
    const f = foldid[i];
    if (!Number.isInteger(f) || f < 1)
      throw new HilumError({ code: 'BAD_FOLDS', message: `foldid in row ${i + 1} is ${f}; fold ids must be integers 1…K`, data: { row: i + 1, value: f } });
    k = Math.max(k, f);
  }
  const counts = new Array<number>(k + 1).fill(0);
  for (let i = 0; i < n; i++) counts[foldid[i]]++;
  for (let f = 1; f <= k; f++) if (counts[f] === 0) throw new HilumError({ code: 'BAD_FOLDS', message: `fold ${f} of ${k} is empty`, data: { fold: f } });
  if (k < 2) throw new HilumError({ code: 'BAD_FOLDS', message: 'cross-validation needs at least 2 folds' });
  return k;
}
