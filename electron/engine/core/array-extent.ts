/**
 * Minimum, maximum and extent of a numeric array by a plain loop.
 *
 * `Math.min(...values)` passes every element as a call argument, so it throws
 * `RangeError: Maximum call stack size exceeded` once an array holds a few
 * hundred thousand numbers (a resampled tumour easily does). These helpers keep
 * Math.min/Math.max semantics exactly — NaN anywhere gives NaN, −0 < +0, an
 * empty array gives min = +Infinity and max = −Infinity — at any length.
 */

/** Smallest element (Math.min semantics); +Infinity for an empty array. */
export function arrayMin(values: ArrayLike<number>): number {
  let m = Infinity;
  for (let i = 0; i < values.length; i++) m = Math.min(m, values[i]);
  return m;
}

/** Largest element (Math.max semantics); −Infinity for an empty array. */
export function arrayMax(values: ArrayLike<number>): number {
  let m = -Infinity;
  for (let i = 0; i < values.length; i++) m = Math.max(m, values[i]);
  return m;
}

/** [min, max] in one pass (Math.min/Math.max semantics); [+Infinity, −Infinity] for an empty array. */
export function arrayExtent(values: ArrayLike<number>): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    lo = Math.min(lo, values[i]);
    hi = Math.max(hi, values[i]);
  }
  return [lo, hi];
}
