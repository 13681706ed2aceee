import type { Vec3 } from '../../imaging/vec.js';
import type { Grid } from './wavelet.js';
import { WAVELET_FILTERS, type WaveletFilters } from './wavelet-filters.js';

/**
 * The single-precision stationary wavelet step, bit for bit as PyWavelets 1.1 runs it on a float32
 * array (pywt keeps float32 data in float32; integers and float64 go through double precision):
 *
 * - taps: the float32 coefficient tables; coiflets are stored divided by √2 and multiplied back
 *   in float32, h_f = fl(fl(c)·fl(√2)), every other family is fl(c);
 * - out[o] = Σ_j h[j]·in[(o + F/2 − j) mod P], each product and each partial sum rounded to
 *   float32 (C `float` arithmetic, no fused multiply-add), summed over j = 0…F−1 — except where
 *   i = o + F/2 ≥ P (the last F/2 outputs of an axis), where pywt's periodised convolution
 *   (downsampling_convolution_periodization, step 1) adds the wrapped taps first, in the order
 *   j = i−P, i−P−1, …, 0, then j = i−P+1, …, F−1.
 * Rounding order matters: float32 sums in another order differ in the last bits, and the
 * features that rank values (median, percentiles) see those bits.
 */

const cache = new Map<string, WaveletFilters>();

/** PyWavelets' float32 decomposition filters of a wavelet. */
export function singlePrecisionFilters(name: string): WaveletFilters {
  let f = cache.get(name);
  if (!f) {
    const double = WAVELET_FILTERS[name];
    const toSingle = name.startsWith('coif') ? coifletTap : Math.fround;
    f = { decLo: double.decLo.map(toSingle), decHi: double.decHi.map(toSingle) };
    cache.set(name, f);
  }
  return f;
}

const SQRT2_SINGLE = Math.fround(Math.SQRT2);

/** fl(fl(c)·fl(√2)) from the double tap c·√2 (c is recovered to well within float32 resolution). */
function coifletTap(tap: number): number {
  return Math.fround(Math.fround(tap / Math.SQRT2) * SQRT2_SINGLE);
}

/**
 * Filters one axis of a grid in single precision (see above); `period` is the axis's padded length P.
 * Output index i of the grid reads inputs i + F/2 − j, as the double-precision convolveAxis.
 */
export function convolveAxisSingle(g: Grid, axis: number, f: readonly number[], half: number, period: number): Grid {
  const F = f.length;
  const lo: Vec3 = [...g.lo];
  const hi: Vec3 = [...g.hi];
  lo[axis] += half - 1;
  hi[axis] -= half;
  const inDims = dimsOf(g.lo, g.hi);
  const outDims = dimsOf(lo, hi);
  const out = new Float64Array(outDims[0] * outDims[1] * outDims[2]);
  const stride = [1, inDims[0], inDims[0] * inDims[1]][axis];
  // Tap order of each output position along the axis: ascending, or pywt's wrapped order.
  const orders = Array.from({ length: outDims[axis] }, (_, t) => wrappedOrder(lo[axis] + t, half, F, period));
  const shift = [lo[0] - g.lo[0], lo[1] - g.lo[1], lo[2] - g.lo[2]];
  const v = g.values;
  let o = 0;
  for (let z = 0; z < outDims[2]; z++)
    for (let y = 0; y < outDims[1]; y++) {
      let centre = shift[0] + inDims[0] * (y + shift[1] + inDims[1] * (z + shift[2]));
      for (let x = 0; x < outDims[0]; x++, centre++) {
        const order = orders[axis === 0 ? x : axis === 1 ? y : z];
        let sum = 0;
        if (order === null) {
          let tap = centre + half * stride;
          for (let j = 0; j < F; j++, tap -= stride) sum = Math.fround(sum + Math.fround(f[j] * v[tap]));
        } else
          for (let k = 0; k < F; k++) {
            const j = order[k];
            sum = Math.fround(sum + Math.fround(f[j] * v[centre + (half - j) * stride]));
          }
        out[o++] = sum;
      }
    }
  return { lo, hi, values: out };
}

/** The order in which pywt sums the taps of the output at domain coordinate `c` (any integer; taken modulo P). */
export function tapOrder(c: number, half: number, F: number, period: number): Int32Array {
  const i = (((c % period) + period) % period) + half;
  const order = new Int32Array(F);
  if (i < period) {
    for (let j = 0; j < F; j++) order[j] = j;
    return order;
  }
  let k = 0;
  for (let j = i - period; j >= 0; j--) order[k++] = j;
  for (let j = i - period + 1; j < F; j++) order[k++] = j;
  return order;
}

/** The tap order where it is not plain ascending, else null. */
function wrappedOrder(c: number, half: number, F: number, period: number): Int32Array | null {
  const order = tapOrder(c, half, F, period);
  return order.every((j, k) => j === k) ? null : order;
}

function dimsOf(lo: Vec3, hi: Vec3): Vec3 {
  return [hi[0] - lo[0] + 1, hi[1] - lo[1] + 1, hi[2] - lo[2] + 1];
}
