/**
 * Voxel-wise operations on masks of one grid, each a single tight loop in a function of its own:
 * called by every variant of every click, they are optimised once and stay so, where the same loop
 * inlined in a long function would run cold on a click's first pass.
 */

/** a ∧ b. */
export function intersectMasks(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] && b[i] ? 1 : 0;
  return out;
}

/** The number of set voxels. */
export function countSet(mask: Uint8Array): number {
  let count = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i]) count++;
  return count;
}

/** The mask's voxels whose value is above the threshold (a new mask). */
export function maskAbove(mask: Uint8Array, values: Float64Array, threshold: number): Uint8Array {
  const out = new Uint8Array(mask.length);
  for (let i = 0; i < mask.length; i++) out[i] = mask[i] && values[i] > threshold ? 1 : 0;
  return out;
}

/** Unsets, in place, the mask's voxels whose value is not at most the limit (NaN included). */
export function keepAtMost(mask: Uint8Array, values: Float64Array, limit: number): void {
  for (let i = 0; i < mask.length; i++) if (mask[i] && !(values[i] <= limit)) mask[i] = 0;
}

/** 1 where the value is above the threshold (a new mask). */
export function above(values: Float64Array, threshold: number): Uint8Array {
  const out = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = values[i] > threshold ? 1 : 0;
  return out;
}

/** The values under the mask that are at most `maxValue`, sorted ascending. */
export function sortedValuesUnder(mask: Uint8Array, values: Float32Array, maxValue: number): Float64Array {
  let count = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i] && values[i] <= maxValue) count++;
  const out = new Float64Array(count);
  for (let i = 0, c = 0; i < mask.length; i++) if (mask[i] && values[i] <= maxValue) out[c++] = values[i];
  return out.sort();
}
