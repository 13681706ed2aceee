import type { Vec3 } from '../imaging/vec.js';

/**
 * Exact squared Euclidean distance transform in millimetres on an anisotropic 3-D grid
 * (Felzenszwalb & Huttenlocher, "Distance transforms of sampled functions", Theory of Computing
 * 2012): one 1-D lower-envelope-of-parabolas pass per axis. Input: 1 = feature voxel. Output: the
 * squared distance from every voxel to the nearest feature (Infinity when there is none).
 */
export function squaredDistanceToFeatures(features: Uint8Array, dims: Vec3, spacingMm: Vec3): Float64Array {
  const [nx, ny, nz] = dims;
  const d = new Float64Array(nx * ny * nz);
  for (let i = 0; i < d.length; i++) d[i] = features[i] ? 0 : Infinity;
  const maxLen = Math.max(nx, ny, nz);
  const f = new Float64Array(maxLen);
  const out = new Float64Array(maxLen);
  const v = new Int32Array(maxLen);
  const z = new Float64Array(maxLen + 1);
  const lengths = [nx, ny, nz];
  const strides = [1, nx, nx * ny];
  for (let axis = 0; axis < 3; axis++) {
    const n = lengths[axis];
    const stride = strides[axis];
    const w2 = spacingMm[axis] * spacingMm[axis];
    const [oa, ob] = [0, 1, 2].filter((a) => a !== axis);
    for (let b = 0; b < lengths[ob]; b++)
      for (let a = 0; a < lengths[oa]; a++) {
        const start = a * strides[oa] + b * strides[ob];
        for (let q = 0; q < n; q++) f[q] = d[start + q * stride];
        envelope(f, n, w2, v, z, out);
        for (let q = 0; q < n; q++) d[start + q * stride] = out[q];
      }
  }
  return d;
}

/** 1-D pass: out[q] = min_p ( f[p] + w²·(q − p)² ). */
function envelope(f: Float64Array, n: number, w2: number, v: Int32Array, z: Float64Array, out: Float64Array): void {
  let k = -1;
  for (let q = 0; q < n; q++) {
    if (f[q] === Infinity) continue;
    if (k < 0) {
      k = 0;
      v[0] = q;
      z[0] = -Infinity;
      z[1] = Infinity;
      continue;
    }
    let s = 0;
    for (;;) {
      const p = v[k];
      s = (f[q] + w2 * q * q - (f[p] + w2 * p * p)) / (2 * w2 * (q - p));
      if (s <= z[k] && k > 0) k--;
      else break;
    }
    if (s <= z[k]) {
      v[k] = q;
      z[k + 1] = Infinity;
    } else {
      k++;
      v[k] = q;
      z[k] = s;
      z[k + 1] = Infinity;
    }
  }
  if (k < 0) {
    for (let q = 0; q < n; q++) out[q] = Infinity;
    return;
  }
  let j = 0;
  for (let q = 0; q < n; q++) {
    while (z[j + 1] < q) j++;
    const p = v[j];
    out[q] = f[p] + w2 * (q - p) * (q - p);
  }
}

/** Dilation by a ball of radius r (mm): voxels within r of the set. */
export function dilateMm(mask: Uint8Array, dims: Vec3, spacingMm: Vec3, radiusMm: number): Uint8Array {
  const d = squaredDistanceToFeatures(mask, dims, spacingMm);
  const r2 = radiusMm * radiusMm;
  const out = new Uint8Array(mask.length);
  for (let i = 0; i < d.length; i++) out[i] = d[i] <= r2 ? 1 : 0;
  return out;
}

/** Erosion by a ball of radius r (mm): voxels farther than r from the complement (the array edge is no boundary). */
export function erodeMm(mask: Uint8Array, dims: Vec3, spacingMm: Vec3, radiusMm: number): Uint8Array {
  const complement = new Uint8Array(mask.length);
  for (let i = 0; i < mask.length; i++) complement[i] = mask[i] ? 0 : 1;
  const d = squaredDistanceToFeatures(complement, dims, spacingMm);
  const r2 = radiusMm * radiusMm;
  const out = new Uint8Array(mask.length);
  for (let i = 0; i < d.length; i++) out[i] = mask[i] && d[i] > r2 ? 1 : 0;
  return out;
}

/** Closing (dilate, then erode) by a ball of radius r mm: fills gaps and bites narrower than the ball. */
export function closeMm(mask: Uint8Array, dims: Vec3, spacingMm: Vec3, radiusMm: number): Uint8Array {
  return erodeMm(dilateMm(mask, dims, spacingMm, radiusMm), dims, spacingMm, radiusMm);
}
