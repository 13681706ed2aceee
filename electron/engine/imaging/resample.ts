import { HilumError } from '../core/errors.js';
import { type ImageGrid, indexToWorldMatrix, voxelCount } from './grid.js';
import { type Mat3, type Vec3, invert, isOrthonormal } from './vec.js';
import type { ScalarArray, ScalarImage } from './volume.js';

export type Interpolator = 'nearest' | 'linear' | 'bspline';
export type OutputType = 'float32' | 'float64' | 'int16' | 'uint8' | 'same';

export interface ResampleOptions {
  interpolator: Interpolator;
  /** Value of target voxels whose centre falls outside the source. Default 0. */
  defaultValue?: number;
  /** Voxel type of the result. Default 'float32' ('same' keeps the source type, as ITK's ResampleImageFilter does). */
  outputType?: OutputType;
}

/**
 * Resamples `image` onto `target` in world (LPS) space, with ITK's ResampleImageFilter conventions,
 * so that results agree with SimpleITK (and so with PyRadiomics):
 * - a target voxel takes the source value at the same world point; it is "inside" when its
 *   continuous source index lies in [-0.5, n - 0.5) on every axis, otherwise it gets `defaultValue`;
 * - nearest neighbour rounds half up, floor(x + 0.5);
 * - linear interpolation clamps the upper neighbour to the last voxel;
 * - 'bspline' is ITK's cubic B-spline interpolation: the image is first turned into B-spline
 *   coefficients (Unser, Aldroubi & Eden 1993, recursive filtering with pole z = √3 − 2 and
 *   mirror boundaries), then evaluated with the cubic B-spline weights on a 4×4×4 support;
 * - integer outputs are clamped to the type's range and truncated toward zero (ITK's cast).
 * Source and target may have any (even non-orthogonal) direction matrices.
 */
export function resampleImage(image: ScalarImage, target: ImageGrid, options: ResampleOptions): ScalarImage {
  const defaultValue = options.defaultValue ?? 0;
  const out = allocateOutput(image.voxels, voxelCount(target), options.outputType ?? 'float32');
  const cast = castFor(out);
  const toPoint = indexToWorldMatrix(target);
  const toIndex = physicalToIndexMatrix(image);
  // As ITK: every scanline's first voxel goes through physical space (point = origin + M·index, then
  // index = M⁻¹·(point − origin)); along the scanline the index step of voxel (1, 0, 0) is added.
  // Sample positions then agree with ITK to the last bit, which matters at nearest-neighbour ties.
  const continuous = (i: number, j: number, k: number): Vec3 => {
    const p: Vec3 = [0, 0, 0];
    for (let r = 0; r < 3; r++) {
      let v = target.originLps[r];
      v += toPoint[r * 3] * i;
      v += toPoint[r * 3 + 1] * j;
      v += toPoint[r * 3 + 2] * k;
      p[r] = v - image.originLps[r];
    }
    const c: Vec3 = [0, 0, 0];
    for (let r = 0; r < 3; r++) {
      let v = 0;
      v += toIndex[r * 3] * p[0];
      v += toIndex[r * 3 + 1] * p[1];
      v += toIndex[r * 3 + 2] * p[2];
      c[r] = v;
    }
    return c;
  };
  const origin = continuous(0, 0, 0);
  const next = continuous(1, 0, 0);
  const step: Vec3 = [next[0] - origin[0], next[1] - origin[1], next[2] - origin[2]];
  const sample = makeSampler(image, options.interpolator);
  const [nx, ny, nz] = image.dims;
  const [tx, ty, tz] = target.dims;
  let o = 0;
  for (let k = 0; k < tz; k++)
    for (let j = 0; j < ty; j++) {
      let [x, y, z] = continuous(0, j, k);
      for (let i = 0; i < tx; i++, o++) {
        const inside = x >= -0.5 && x < nx - 0.5 && y >= -0.5 && y < ny - 0.5 && z >= -0.5 && z < nz - 0.5;
        out[o] = cast(inside ? sample(x, y, z) : defaultValue);
        x += step[0];
        y += step[1];
        z += step[2];
      }
    }
  return {
    dims: [...target.dims],
    spacingMm: [...target.spacingMm],
    originLps: [...target.originLps],
    direction: [...target.direction],
    voxels: out,
  };
}

/**
 * ITK's physical-point-to-index matrix: diag(1/spacing)·directionᵀ for an orthonormal direction
 * (exact for scan directions), the general inverse of direction·diag(spacing) otherwise.
 */
function physicalToIndexMatrix(g: ImageGrid): Mat3 {
  const d = g.direction;
  if (!isOrthonormal(d, 1e-9)) return invert(indexToWorldMatrix(g));
  const inv = g.spacingMm.map((s) => 1 / s);
  return [d[0] * inv[0], d[3] * inv[0], d[6] * inv[0], d[1] * inv[1], d[4] * inv[1], d[7] * inv[1], d[2] * inv[2], d[5] * inv[2], d[8] * inv[2]];
}

/**
 * The grid PyRadiomics/SimpleITK use when resampling to a new spacing: same origin and direction,
 * size = ceil(size · oldSpacing / newSpacing) per axis (never below 1).
 */
export function gridWithSpacing(grid: ImageGrid, spacingMm: Vec3): ImageGrid {
  if (spacingMm.some((s) => !(s > 0))) throw new HilumError({ code: 'INVALID_SPACING', message: `spacing must be positive, got ${spacingMm.join(', ')}` });
  return {
    dims: grid.dims.map((n, a) => Math.max(1, Math.ceil((n * grid.spacingMm[a]) / spacingMm[a] - 1e-9))) as Vec3,
    spacingMm: [...spacingMm],
    originLps: [...grid.originLps],
    direction: [...grid.direction],
  };
}

type Sampler = (x: number, y: number, z: number) => number;

function makeSampler(image: ScalarImage, interpolator: Interpolator): Sampler {
  const [nx, ny, nz] = image.dims;
  const v = image.voxels;
  const sxy = nx * ny;
  if (interpolator === 'nearest') return (x, y, z) => v[Math.floor(x + 0.5) + nx * Math.floor(y + 0.5) + sxy * Math.floor(z + 0.5)];
  if (interpolator === 'linear')
    return (x, y, z) => {
      const [i0, i1, wx] = linearTaps(x, nx);
      const [j0, j1, wy] = linearTaps(y, ny);
      const [k0, k1, wz] = linearTaps(z, nz);
      const r0 = nx * j0 + sxy * k0;
      const r1 = nx * j1 + sxy * k0;
      const r2 = nx * j0 + sxy * k1;
      const r3 = nx * j1 + sxy * k1;
      const a = v[r0 + i0] + wx * (v[r0 + i1] - v[r0 + i0]);
      const b = v[r1 + i0] + wx * (v[r1 + i1] - v[r1 + i0]);
      const c = v[r2 + i0] + wx * (v[r2 + i1] - v[r2 + i0]);
      const d = v[r3 + i0] + wx * (v[r3 + i1] - v[r3 + i0]);
      const e = a + wy * (b - a);
      const f = c + wy * (d - c);
      return e + wz * (f - e);
    };
  const coefficients = bsplineCoefficients(image);
  const wi = new Float64Array(4);
  const wj = new Float64Array(4);
  const wk = new Float64Array(4);
  const ii = new Int32Array(4);
  const jj = new Int32Array(4);
  const kk = new Int32Array(4);
  return (x, y, z) => {
    cubicSupport(x, nx, ii, wi);
    cubicSupport(y, ny, jj, wj);
    cubicSupport(z, nz, kk, wk);
    let sum = 0;
    for (let c = 0; c < 4; c++) {
      const zoff = sxy * kk[c];
      let sy = 0;
      for (let b = 0; b < 4; b++) {
        const row = zoff + nx * jj[b];
        sy +=
          wj[b] *
          (wi[0] * coefficients[row + ii[0]] + wi[1] * coefficients[row + ii[1]] + wi[2] * coefficients[row + ii[2]] + wi[3] * coefficients[row + ii[3]]);
      }
      sum += wk[c] * sy;
    }
    return sum;
  };
}

/** Lower index, upper index (clamped to the last voxel) and fractional weight, as ITK's linear interpolator. */
function linearTaps(x: number, n: number): [number, number, number] {
  let base = Math.floor(x);
  if (base < 0) base = 0;
  const d = x - base;
  if (d <= 0) return [base, base, 0];
  return [base, Math.min(base + 1, n - 1), d];
}

/**
 * Support indices (mirrored at the borders) and cubic B-spline weights for coordinate x, as
 * ITK's BSplineInterpolateImageFunction: indices floor(x) − 1 … floor(x) + 2, t = x − floor(x),
 * w3 = t³/6, w0 = 1/6 + t(t − 1)/2 − w3, w2 = t + w0 − 2·w3, w1 = 1 − w0 − w2 − w3.
 */
function cubicSupport(x: number, n: number, index: Int32Array, weight: Float64Array): void {
  const f = Math.floor(Math.fround(x));
  const t = x - f;
  const w3 = (t * t * t) / 6;
  const w0 = 1 / 6 + 0.5 * t * (t - 1) - w3;
  const w2 = t + w0 - 2 * w3;
  weight[0] = w0;
  weight[1] = 1 - w0 - w2 - w3;
  weight[2] = w2;
  weight[3] = w3;
  for (let c = 0; c < 4; c++) {
    let idx = f - 1 + c;
    if (n === 1) idx = 0;
    else {
      if (idx < 0) idx = -idx;
      if (idx >= n - 1) idx = n - 1 - (idx - (n - 1));
      if (idx < 0) idx = 0; // only for supports wider than the image
    }
    index[c] = idx;
  }
}

const POLE = Math.sqrt(3) - 2;
const TOLERANCE = 1e-10;

/** Cubic B-spline coefficients of an image, filtering each axis in turn (ITK's BSplineDecompositionImageFilter). */
export function bsplineCoefficients(image: ScalarImage): Float64Array {
  const c = Float64Array.from(image.voxels as ArrayLike<number>);
  const [nx, ny, nz] = image.dims;
  const strides = [1, nx, nx * ny];
  const lengths = [nx, ny, nz];
  for (let axis = 0; axis < 3; axis++) {
    const n = lengths[axis];
    if (n === 1) continue;
    const stride = strides[axis];
    const line = new Float64Array(n);
    const others = lengths.filter((_, a) => a !== axis);
    const otherStrides = strides.filter((_, a) => a !== axis);
    for (let b = 0; b < others[1]; b++)
      for (let a = 0; a < others[0]; a++) {
        const start = a * otherStrides[0] + b * otherStrides[1];
        for (let p = 0; p < n; p++) line[p] = c[start + p * stride];
        filterLine(line);
        for (let p = 0; p < n; p++) c[start + p * stride] = line[p];
      }
  }
  return c;
}

function filterLine(c: Float64Array): void {
  const n = c.length;
  const z = POLE;
  const gain = (1 - z) * (1 - 1 / z);
  for (let p = 0; p < n; p++) c[p] *= gain;
  // causal initialisation (mirror-symmetric boundary)
  const horizon = Math.ceil(Math.log(TOLERANCE) / Math.log(Math.abs(z)));
  if (horizon < n) {
    let zn = z;
    let sum = c[0];
    for (let p = 1; p < horizon; p++) {
      sum += zn * c[p];
      zn *= z;
    }
    c[0] = sum;
  } else {
    let zn = z;
    const iz = 1 / z;
    let z2n = Math.pow(z, n - 1);
    let sum = c[0] + z2n * c[n - 1];
    z2n *= z2n * iz;
    for (let p = 1; p <= n - 2; p++) {
      sum += (zn + z2n) * c[p];
      zn *= z;
      z2n *= iz;
    }
    c[0] = sum / (1 - zn * zn);
  }
  for (let p = 1; p < n; p++) c[p] += z * c[p - 1];
  c[n - 1] = (z / (z * z - 1)) * (z * c[n - 2] + c[n - 1]);
  for (let p = n - 2; p >= 0; p--) c[p] = z * (c[p + 1] - c[p]);
}

function allocateOutput(source: ScalarArray, n: number, type: OutputType): ScalarArray {
  switch (type) {
    case 'float32':
      return new Float32Array(n);
    case 'float64':
      return new Float64Array(n);
    case 'int16':
      return new Int16Array(n);
    case 'uint8':
      return new Uint8Array(n);
    case 'same':
      return new (source.constructor as new (n: number) => ScalarArray)(n);
  }
}

function castFor(out: ScalarArray): (x: number) => number {
  if (out instanceof Float32Array || out instanceof Float64Array) return (x) => x;
  const [lo, hi] = integerRange(out);
  return (x) => Math.trunc(x < lo ? lo : x > hi ? hi : x);
}

function integerRange(a: ScalarArray): [number, number] {
  if (a instanceof Int8Array) return [-128, 127];
  if (a instanceof Uint8Array) return [0, 255];
  if (a instanceof Int16Array) return [-32768, 32767];
  if (a instanceof Uint16Array) return [0, 65535];
  if (a instanceof Int32Array) return [-2147483648, 2147483647];
  return [0, 4294967295];
}
