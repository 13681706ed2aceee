import type { Vec3 } from '../../imaging/vec.js';
import { type BoxResponse, type FilterDomain, boxDims } from './domain.js';
import { WAVELET_FILTERS } from './wavelet-filters.js';
import { convolveAxisSingle, singlePrecisionFilters } from './wavelet-single.js';

/**
 * Undecimated (stationary) wavelet transform as PyRadiomics computes it with PyWavelets
 * (imageoperations._swt3 + pywt.swtn): an axis of odd length n is first extended by one voxel that
 * repeats voxel 0 (period P = n + 1), then each level filters every axis — x, then y, then z (in
 * 2D mode the slice-normal axis is skipped) — with the wavelet's decomposition low-pass (L) or
 * high-pass (H) filter f of length F, periodically:
 *
 *   out[i] = Σ_{j=0}^{F−1} f[j] · in[(i + F/2 − j) mod P]
 *
 * Levels never upsample the filters: PyRadiomics re-applies a one-level transform to the previous
 * approximation (LLL). Sub-band names list the filter of x, y, z in that order (wavelet-LLH = low
 * in x and y, high in z); level k > 1 is named wavelet<k>-….
 *
 * Only a window of the box plus F/2 voxels per level and side is filtered; indices are taken
 * modulo P, so the response inside the box equals the transform of the whole domain exactly.
 *
 * Precision follows PyWavelets (pywt._check_dtype): a float32 image is transformed in single
 * precision — float32 filter taps, every product and partial sum rounded to float32, in the order
 * of PyWavelets' periodised convolution (wavelet-single.ts) — and every other pixel type in double
 * precision. On a float32 CT (the IBSI CT phantom) the two differ by ~1e-5 HU, which moves e.g. a
 * wavelet median by 1e-4 relative.
 */
export interface WaveletSpec {
  wavelet: string;
  /** 0-based level of the first decomposition returned (PyRadiomics start_level). */
  startLevel: number;
  /** Number of levels returned (PyRadiomics level). */
  level: number;
  /** NumPy axes that are filtered, in order (x = 2, y = 1, z = 0); 2D mode drops the slice normal. */
  axes: number[];
}

export interface WaveletBand {
  /** PyRadiomics image type name, e.g. 'wavelet-LLH', 'wavelet2-HHL', 'wavelet-LLL'. */
  name: string;
  response: BoxResponse;
}

/** The sub-band names PyRadiomics yields, in its order: details of each level, then the last approximation. */
export function waveletBandNames(spec: WaveletSpec): string[] {
  const combos = letterCombos(spec.axes.length).filter((c) => c !== 'L'.repeat(spec.axes.length));
  const names: string[] = [];
  for (let k = 1; k <= spec.level; k++) for (const c of combos) names.push(`${k === 1 ? 'wavelet' : `wavelet${k}`}-${c}`);
  names.push(`${spec.level === 1 ? 'wavelet' : `wavelet${spec.level}`}-${'L'.repeat(spec.axes.length)}`);
  return names;
}

/** Voxels per side the transform reads around the box, per domain axis (x, y, z). */
export function waveletMargin(spec: WaveletSpec): Vec3 {
  const F = WAVELET_FILTERS[spec.wavelet].decLo.length;
  const levels = spec.startLevel + spec.level;
  const m = levels * (F >> 1);
  return [spec.axes.includes(2) ? m : 0, spec.axes.includes(1) ? m : 0, spec.axes.includes(0) ? m : 0];
}

/** Computes the requested sub-bands (all when `only` is absent) on the box. */
export function waveletBands(domain: FilterDomain, spec: WaveletSpec, only?: ReadonlySet<string>): WaveletBand[] {
  const single = domain.voxels instanceof Float32Array;
  const filters = single ? singlePrecisionFilters(spec.wavelet) : WAVELET_FILTERS[spec.wavelet];
  const F = filters.decLo.length;
  const half = F >> 1;
  const totalLevels = spec.startLevel + spec.level;
  // Domain axis index (x = 0) of each filtered NumPy axis, in filtering order.
  const order = spec.axes.map((numpyAxis) => 2 - numpyAxis);
  const period = domain.dims.map((n) => n + (n % 2)) as Vec3;

  // Input window: box widened by (F/2 − 1) on the low side and F/2 on the high side per level.
  const lo: Vec3 = [...domain.box.minIjk];
  const hi: Vec3 = [...domain.box.maxIjk];
  for (const a of order) {
    lo[a] -= totalLevels * (half - 1);
    hi[a] += totalLevels * half;
  }
  let approx: Grid = { lo, hi, values: readPeriodic(domain, lo, hi, period) };
  const names = waveletBandNames(spec);
  const wanted = (name: string) => !only || only.has(name);
  const out: WaveletBand[] = [];
  for (let levelIndex = 0; levelIndex < totalLevels; levelIndex++) {
    const reported = levelIndex >= spec.startLevel;
    const k = levelIndex - spec.startLevel + 1;
    const prefix = k === 1 ? 'wavelet' : `wavelet${k}`;
    const isLast = levelIndex === totalLevels - 1;
    // Breadth-first over axes, as pywt.swtn: after axis t there are 2^(t+1) sub-bands.
    let bands: { key: string; grid: Grid }[] = [{ key: '', grid: approx }];
    for (const axis of order) {
      const next: { key: string; grid: Grid }[] = [];
      for (const band of bands) {
        const keys = [band.key + 'L', band.key + 'H'];
        const needed = keys.map((key) => bandNeeded(key, order.length, reported, isLast, prefix, wanted));
        const convolve = (f: readonly number[]) =>
          single ? convolveAxisSingle(band.grid, axis, f, half, period[axis]) : convolveAxis(band.grid, axis, f, half);
        if (needed[0]) next.push({ key: keys[0], grid: convolve(filters.decLo) });
        if (needed[1]) next.push({ key: keys[1], grid: convolve(filters.decHi) });
      }
      bands = next;
    }
    const all = 'L'.repeat(order.length);
    for (const band of bands) {
      if (band.key === all) {
        approx = band.grid;
        continue;
      }
      out.push({ name: `${prefix}-${band.key}`, response: cropToBox(band.grid, domain) });
    }
    if (isLast && wanted(`${prefix}-${all}`)) out.push({ name: `${prefix}-${all}`, response: cropToBox(approx, domain) });
  }
  return out.sort((a, b) => names.indexOf(a.name) - names.indexOf(b.name));
}

/** Whether a partial sub-band key (filters chosen so far) leads to a band that is needed. */
function bandNeeded(key: string, nAxes: number, reported: boolean, isLast: boolean, prefix: string, wanted: (name: string) => boolean): boolean {
  const allLow = /^L*$/.test(key);
  if (allLow && !isLast) return true; // the approximation feeds the next level
  if (!reported) return allLow;
  return letterCombos(nAxes - key.length).some((rest) => {
    const full = key + rest;
    return /^L*$/.test(full) ? isLast && wanted(`${prefix}-${full}`) : wanted(`${prefix}-${full}`);
  });
}

function letterCombos(n: number): string[] {
  let out = [''];
  for (let i = 0; i < n; i++) out = out.flatMap((s) => [s + 'L', s + 'H']);
  return out;
}

/** A float64 block of the (periodically extended) domain over inclusive index ranges. */
export interface Grid {
  lo: Vec3;
  hi: Vec3;
  values: Float64Array;
}

function gridDims(g: Grid): Vec3 {
  return [g.hi[0] - g.lo[0] + 1, g.hi[1] - g.lo[1] + 1, g.hi[2] - g.lo[2] + 1];
}

/** Reads domain voxels for indices that may fall outside [0, n): taken modulo the padded period, pad voxel = voxel 0. */
function readPeriodic(domain: FilterDomain, lo: Vec3, hi: Vec3, period: Vec3): Float64Array {
  const dims: Vec3 = [hi[0] - lo[0] + 1, hi[1] - lo[1] + 1, hi[2] - lo[2] + 1];
  const wrap = (i: number, a: number) => {
    let p = ((i % period[a]) + period[a]) % period[a];
    if (p === domain.dims[a]) p = 0;
    return p - domain.offset[a];
  };
  const xs = Int32Array.from({ length: dims[0] }, (_, k) => wrap(lo[0] + k, 0));
  const [rx, ry] = domain.regionDims;
  const out = new Float64Array(dims[0] * dims[1] * dims[2]);
  let o = 0;
  for (let z = 0; z < dims[2]; z++) {
    const zz = wrap(lo[2] + z, 2);
    for (let y = 0; y < dims[1]; y++) {
      const row = rx * (wrap(lo[1] + y, 1) + ry * zz);
      for (let x = 0; x < dims[0]; x++) out[o++] = domain.voxels[row + xs[x]];
    }
  }
  return out;
}

/**
 * Filters one axis; output index i reads inputs i + F/2 − j, j = 0…F − 1, so the valid output range
 * shrinks by F/2 − 1 at the low end and F/2 at the high end.
 */
function convolveAxis(g: Grid, axis: number, f: readonly number[], half: number): Grid {
  const F = f.length;
  const lo: Vec3 = [...g.lo];
  const hi: Vec3 = [...g.hi];
  lo[axis] += half - 1;
  hi[axis] -= half;
  const inDims = gridDims(g);
  const outDims: Vec3 = [hi[0] - lo[0] + 1, hi[1] - lo[1] + 1, hi[2] - lo[2] + 1];
  const out = new Float64Array(outDims[0] * outDims[1] * outDims[2]);
  const inStrides = [1, inDims[0], inDims[0] * inDims[1]];
  const stride = inStrides[axis];
  // Input index of output (x, y, z): the same position in the other axes, shifted along `axis`.
  const shift = [lo[0] - g.lo[0], lo[1] - g.lo[1], lo[2] - g.lo[2]];
  let o = 0;
  for (let z = 0; z < outDims[2]; z++)
    for (let y = 0; y < outDims[1]; y++) {
      let centre = shift[0] + inDims[0] * (y + shift[1] + inDims[1] * (z + shift[2]));
      for (let x = 0; x < outDims[0]; x++, centre++) {
        // centre is input index i (same coordinate); taps at i + half − j.
        let sum = 0;
        let tap = centre + half * stride;
        for (let j = 0; j < F; j++, tap -= stride) sum += f[j] * g.values[tap];
        out[o++] = sum;
      }
    }
  return { lo, hi, values: out };
}

function cropToBox(g: Grid, domain: FilterDomain): BoxResponse {
  const dims = boxDims(domain.box);
  const gd = gridDims(g);
  const off = [domain.box.minIjk[0] - g.lo[0], domain.box.minIjk[1] - g.lo[1], domain.box.minIjk[2] - g.lo[2]];
  const out = new Float64Array(dims[0] * dims[1] * dims[2]);
  let o = 0;
  for (let z = 0; z < dims[2]; z++)
    for (let y = 0; y < dims[1]; y++) {
      const src = off[0] + gd[0] * (off[1] + y + gd[1] * (off[2] + z));
      for (let x = 0; x < dims[0]; x++) out[o++] = g.values[src + x];
    }
  return { dims, values: out };
}
