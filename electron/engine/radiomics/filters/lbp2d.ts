import type { Vec3 } from '../../imaging/vec.js';
import { type BoxResponse, type FilterDomain, boxDims, isDoubleDomain, readWindow } from './domain.js';

/**
 * Local binary patterns in 2D, slice by slice, as PyRadiomics computes them with scikit-image's
 * local_binary_pattern (Ojala 2002). The slice plane is normal to `force2Ddimension` (NumPy axis:
 * 0 = z → slices (y, x); 1 = y → (z, x); 2 = x → (y, z)). For P samples on a circle of radius R
 * (offsets row −R sin(2πp/P), column R cos(2πp/P), rounded to 5 decimals), each sample is the
 * bilinear interpolation of the slice (0 outside it) and s_p = [sample ≥ centre]:
 *
 *   default  Σ s_p 2^p                 ror  minimum of the P bit rotations of the default code
 *   uniform  Σ s_p when the chain s_0…s_{P−1} changes at most twice (not counting the wrap), else P + 1
 *   var      variance of the P samples (NaN when 0)
 *
 * PyRadiomics writes the codes back into the image's own pixel type, so integer images truncate.
 */
export type Lbp2DMethod = 'default' | 'ror' | 'uniform' | 'var';

export function lbp2dResponse(domain: FilterDomain, radius: number, samples: number, method: Lbp2DMethod, force2Ddimension: number): BoxResponse {
  const dims = boxDims(domain.box);
  // Domain axes (x = 0) of the slice rows and columns.
  const [rowAxis, colAxis] = force2Ddimension === 0 ? [1, 0] : force2Ddimension === 1 ? [2, 0] : [1, 2];
  const reach = Math.ceil(radius) + 1;
  const lo: Vec3 = [...domain.box.minIjk];
  const w: Vec3 = [...dims];
  for (const a of [rowAxis, colAxis]) {
    lo[a] = Math.max(0, domain.box.minIjk[a] - reach);
    w[a] = Math.min(domain.dims[a] - 1, domain.box.maxIjk[a] + reach) - lo[a] + 1;
  }
  const v = readWindow(domain, lo, w);
  const strides = [1, w[0], w[0] * w[1]];
  const rowOffsets = new Float64Array(samples);
  const colOffsets = new Float64Array(samples);
  for (let p = 0; p < samples; p++) {
    rowOffsets[p] = roundHalfEven(-radius * Math.sin((2 * Math.PI * p) / samples), 5);
    colOffsets[p] = roundHalfEven(radius * Math.cos((2 * Math.PI * p) / samples), 5);
  }
  const rows = domain.dims[rowAxis];
  const cols = domain.dims[colAxis];
  const castInteger = !isDoubleDomain(domain) && !(domain.voxels instanceof Float32Array);
  const texture = new Float64Array(samples);
  const signs = new Uint8Array(samples);
  const out = new Float64Array(dims[0] * dims[1] * dims[2]);
  const pixel = (base: number, r: number, c: number): number =>
    r < 0 || r >= rows || c < 0 || c >= cols ? 0 : v[base + (r - lo[rowAxis]) * strides[rowAxis] + (c - lo[colAxis]) * strides[colAxis]];
  let o = 0;
  const idx: Vec3 = [0, 0, 0];
  for (let z = 0; z < dims[2]; z++)
    for (let y = 0; y < dims[1]; y++)
      for (let x = 0; x < dims[0]; x++) {
        idx[0] = domain.box.minIjk[0] + x;
        idx[1] = domain.box.minIjk[1] + y;
        idx[2] = domain.box.minIjk[2] + z;
        const r0 = idx[rowAxis];
        const c0 = idx[colAxis];
        // Offset of the slice's (row 0, column 0) position within the window, at this voxel's slice.
        const base =
          (idx[0] - lo[0]) * strides[0] +
          (idx[1] - lo[1]) * strides[1] +
          (idx[2] - lo[2]) * strides[2] -
          (r0 - lo[rowAxis]) * strides[rowAxis] -
          (c0 - lo[colAxis]) * strides[colAxis];
        const centre = pixel(base, r0, c0);
        for (let p = 0; p < samples; p++) {
          const r = r0 + rowOffsets[p];
          const c = c0 + colOffsets[p];
          const minr = Math.floor(r);
          const minc = Math.floor(c);
          const maxr = Math.ceil(r);
          const maxc = Math.ceil(c);
          const dr = r - minr;
          const dc = c - minc;
          const top = (1 - dc) * pixel(base, minr, minc) + dc * pixel(base, minr, maxc);
          const bottom = (1 - dc) * pixel(base, maxr, minc) + dc * pixel(base, maxr, maxc);
          texture[p] = (1 - dr) * top + dr * bottom;
          signs[p] = texture[p] - centre >= 0 ? 1 : 0;
        }
        let code = lbpCode(texture, signs, samples, method);
        if (castInteger) code = Math.trunc(code);
        out[o++] = code;
      }
  return { dims, values: out };
}

function lbpCode(texture: Float64Array, s: Uint8Array, P: number, method: Lbp2DMethod): number {
  if (method === 'var') {
    let sum = 0;
    let sq = 0;
    for (let p = 0; p < P; p++) {
      sum += texture[p];
      sq += texture[p] * texture[p];
    }
    const variance = (sq - (sum * sum) / P) / P;
    return variance !== 0 ? variance : NaN;
  }
  if (method === 'uniform') {
    let changes = 0;
    for (let p = 0; p < P - 1; p++) if (s[p] !== s[p + 1]) changes++;
    if (changes > 2) return P + 1;
    let ones = 0;
    for (let p = 0; p < P; p++) ones += s[p];
    return ones;
  }
  let code = 0;
  for (let p = 0; p < P; p++) code += s[p] * 2 ** p;
  if (method === 'ror') {
    let best = code;
    let rotated = code;
    for (let k = 1; k < P; k++) {
      rotated = (rotated >>> 1) | ((rotated & 1) << (P - 1));
      if (rotated < best) best = rotated;
    }
    code = best;
  }
  return code;
}

/** NumPy's round(x, decimals): scale, round half to even, unscale. */
function roundHalfEven(x: number, decimals: number): number {
  const f = 10 ** decimals;
  const y = x * f;
  let r = Math.round(y);
  if (Math.abs(y - Math.trunc(y)) === 0.5 && r % 2 !== 0) r -= 1;
  return r / f;
}
