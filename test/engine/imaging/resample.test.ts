import { describe, expect, it } from 'vitest';
import { gridWithSpacing, resampleImage } from '../../../electron/engine/imaging/resample.js';
import type { ImageGrid } from '../../../electron/engine/imaging/grid.js';
import { cropToBox, labelBoundingBox, type ScalarImage } from '../../../electron/engine/imaging/volume.js';

const line = (values: number[], spacing = 1): ScalarImage => ({
  dims: [values.length, 1, 1],
  spacingMm: [spacing, 1, 1],
  originLps: [0, 0, 0],
  direction: [1, 0, 0, 0, 1, 0, 0, 0, 1],
  voxels: Float64Array.from(values),
});
/** A 1-D target grid sampling world x positions start, start + step, … */
const points = (start: number, step: number, count: number): ImageGrid => ({
  dims: [count, 1, 1],
  spacingMm: [step, 1, 1],
  originLps: [start, 0, 0],
  direction: [1, 0, 0, 0, 1, 0, 0, 0, 1],
});
const sample = (image: ScalarImage, xs: number[], interpolator: 'nearest' | 'linear' | 'bspline') =>
  xs.map((x) => resampleImage(image, points(x, 1, 1), { interpolator, outputType: 'float64', defaultValue: -99 }).voxels[0]);

/** Cubic B-spline value at t ∈ [0, 4) of the centred basis shifted by 2 (β³(t − 2)). */
function beta3(x: number): number {
  const a = Math.abs(x);
  if (a < 1) return 2 / 3 - a * a + (a * a * a) / 2;
  if (a < 2) return (2 - a) ** 3 / 6;
  return 0;
}

/** Independent cubic B-spline interpolation: coefficients by dense Gaussian elimination with mirror boundaries. */
function referenceBspline(f: number[], x: number): number {
  const n = f.length;
  const mirror = (k: number) => (k < 0 ? -k : k >= n ? 2 * (n - 1) - k : k);
  const A = Array.from({ length: n }, () => new Array<number>(n + 1).fill(0));
  for (let i = 0; i < n; i++) {
    for (const [k, w] of [
      [i - 1, 1 / 6],
      [i, 4 / 6],
      [i + 1, 1 / 6],
    ] as const)
      A[i][mirror(k)] += w;
    A[i][n] = f[i];
  }
  for (let c = 0; c < n; c++) {
    const p = A.reduce((best, row, r) => (r >= c && Math.abs(row[c]) > Math.abs(A[best][c]) ? r : best), c);
    [A[c], A[p]] = [A[p], A[c]];
    for (let r = 0; r < n; r++)
      if (r !== c) {
        const m = A[r][c] / A[c][c];
        for (let k = c; k <= n; k++) A[r][k] -= m * A[c][k];
      }
  }
  const coef = A.map((row, i) => row[n] / row[i]);
  let v = 0;
  for (let k = Math.floor(x) - 1; k <= Math.floor(x) + 2; k++) v += coef[mirror(k)] * beta3(x - k);
  return v;
}

describe('resampling follows ITK conventions', () => {
  const f = [3, -1, 4, 1, -5, 9, 2, -6, 5, 3, -5, 8];

  it('reproduces the samples on the identity grid, for every interpolator', () => {
    for (const interpolator of ['nearest', 'linear', 'bspline'] as const) {
      const out = resampleImage(line(f), points(0, 1, f.length), { interpolator, outputType: 'float64' });
      out.voxels.forEach((v, i) => expect(v).toBeCloseTo(f[i], 9));
    }
  });

  it('nearest rounds half up; linear interpolates; outside [-0.5, n - 0.5) gets the default value', () => {
    expect(sample(line(f), [0.5, 1.49, 1.5, -0.5, 11.49, 11.5, -0.51], 'nearest')).toEqual([-1, -1, 4, 3, 8, -99, -99]);
    expect(sample(line(f), [0.25, 2.5, 11.2, -0.3], 'linear')).toEqual([3 + 0.25 * (-1 - 3), 2.5, 8, 3]);
  });

  it('cubic B-spline matches an independent dense-solve implementation with mirror boundaries', () => {
    const xs = [0.1, 0.5, 1.7, 3.3, 5.5, 8.05, 10.9, 11.4, -0.4];
    const got = sample(line(f), xs, 'bspline');
    xs.forEach((x, i) => expect(got[i]).toBeCloseTo(referenceBspline(f, x), 9));
  });

  it('cubic B-spline reproduces a cubic polynomial away from the borders', () => {
    const p = (x: number) => 0.01 * x ** 3 - 0.2 * x ** 2 + x - 3;
    const values = Array.from({ length: 60 }, (_, i) => p(i));
    const xs = [25.25, 30.5, 33.75];
    sample(line(values), xs, 'bspline').forEach((v, i) => expect(v).toBeCloseTo(p(xs[i]), 6));
  });

  it('integer outputs are clamped and truncated toward zero, as ITK casts', () => {
    const img: ScalarImage = { ...line([-2.7, 2.7, 40000, -40000]), voxels: Float32Array.from([-2.7, 2.7, 40000, -40000]) };
    const out = resampleImage(img, points(0, 1, 4), { interpolator: 'nearest', outputType: 'int16' });
    expect([...out.voxels]).toEqual([-2, 2, 32767, -32768]);
  });

  it('a new spacing keeps origin and direction and rounds the size up', () => {
    const g = gridWithSpacing(
      { dims: [512, 512, 20], spacingMm: [0.9765625, 0.9765625, 2], originLps: [1, 2, 3], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] },
      [1, 1, 1],
    );
    expect(g.dims).toEqual([500, 500, 40]);
    expect(g.originLps).toEqual([1, 2, 3]);
  });

  it('resamples through arbitrary directions: a grid rotated 90° about z reads the same world points', () => {
    const src: ScalarImage = {
      dims: [3, 2, 1],
      spacingMm: [1, 1, 1],
      originLps: [0, 0, 0],
      direction: [1, 0, 0, 0, 1, 0, 0, 0, 1],
      voxels: Float32Array.from([1, 2, 3, 4, 5, 6]),
    };
    // Target i runs along +y, j along −x, starting at world (2, 0, 0).
    const target: ImageGrid = { dims: [2, 3, 1], spacingMm: [1, 1, 1], originLps: [2, 0, 0], direction: [0, -1, 0, 1, 0, 0, 0, 0, 1] };
    const out = resampleImage(src, target, { interpolator: 'nearest' });
    expect([...out.voxels]).toEqual([3, 6, 2, 5, 1, 4]);
  });
});

describe('cropping', () => {
  it('crops to a label bounding box on the matching sub-grid', () => {
    const image: ScalarImage = {
      dims: [4, 3, 2],
      spacingMm: [0.5, 0.5, 2],
      originLps: [10, 20, 30],
      direction: [1, 0, 0, 0, 1, 0, 0, 0, 1],
      voxels: Uint8Array.from({ length: 24 }, (_, i) => (i === 6 || i === 19 ? 1 : 0)),
    };
    const box = labelBoundingBox(image, 1);
    expect(box).toEqual({ minIjk: [2, 1, 0], maxIjk: [3, 1, 1] });
    const crop = cropToBox(image, box as NonNullable<typeof box>);
    expect(crop.dims).toEqual([2, 1, 2]);
    expect(crop.originLps).toEqual([11, 20.5, 30]);
    expect([...crop.voxels]).toEqual([1, 0, 0, 1]);
    expect(labelBoundingBox(image, 2)).toBeNull();
  });
});
