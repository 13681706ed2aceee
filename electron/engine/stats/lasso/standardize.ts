/**
 * glmnet's standardisation (standardize = TRUE with unit weights): each column is centred on its
 * mean and divided by its 1/N standard deviation √(Σ(x-x̄)²/N); coefficients fitted on that scale
 * map back as βⱼ = βⱼˢ/sⱼ and β₀ = β₀ˢ - Σ βⱼ x̄ⱼ.
 */
import { HilumError } from '../../core/errors.js';
import { mean } from '../descriptive.js';

export interface Standardization {
  means: Float64Array;
  sds: Float64Array;
  /** Features constant on these rows (only with allowConstant): standardised to 0, so they never enter. */
  constant: boolean[];
}

/**
 * Means and 1/N standard deviations of the columns (rows given by `rows`, all rows if omitted).
 * A constant column is an error, unless `allowConstant` (a cross-validation training part, where
 * glmnet likewise just leaves such a feature out).
 */
export function standardization(
  columns: readonly ArrayLike<number>[],
  names: readonly string[],
  rows?: ArrayLike<number>,
  allowConstant = false,
): Standardization {
  const p = columns.length;
  const means = new Float64Array(p);
  const sds = new Float64Array(p);
  const constant = new Array<boolean>(p).fill(false);
  columns.forEach((col, j) => {
    const v = rows ? Float64Array.from(rows, (i) => col[i]) : Float64Array.from(col);
    const m = mean(v);
    let ss = 0;
    for (let i = 0; i < v.length; i++) ss += (v[i] - m) ** 2;
    means[j] = m;
    sds[j] = Math.sqrt(ss / v.length);
    if (!(sds[j] > 0) && allowConstant) {
      constant[j] = true;
      sds[j] = 1;
      return;
    }
    if (!(sds[j] > 0))
      throw new HilumError({
        code: 'CONSTANT_FEATURE',
        message: `feature '${names[j]}' is constant; LASSO cannot standardise it`,
        hint: 'Remove constant (or nearly empty) features before the LASSO.',
        data: { name: names[j] },
      });
  });
  return { means, sds, constant };
}

/** Row-major standardised design (n × p) for the given rows. */
export function standardizedDesign(columns: readonly ArrayLike<number>[], s: Standardization, rows: ArrayLike<number>): Float64Array {
  const n = rows.length;
  const p = columns.length;
  const z = new Float64Array(n * p);
  for (let i = 0; i < n; i++) {
    const r = rows[i];
    for (let j = 0; j < p; j++) z[i * p + j] = s.constant[j] ? 0 : (columns[j][r] - s.means[j]) / s.sds[j];
  }
  return z;
}
