/** Feature name (without image type and class prefix) → value, in output order. */
export type FeatureValues = Record<string, number>;

/** NumPy's nanmean: the mean of the values that are not NaN; NaN when there are none. */
export function nanMean(values: ArrayLike<number>): number {
  let sum = 0;
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isNaN(v)) {
      sum += v;
      n++;
    }
  }
  return n ? sum / n : NaN;
}

/** numpy.spacing(1): the ε PyRadiomics adds inside logarithms and divisions. */
export const EPS = 2.220446049250313e-16;
