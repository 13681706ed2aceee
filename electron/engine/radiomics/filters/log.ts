import type { Vec3 } from '../../imaging/vec.js';
import { type BoxResponse, type FilterDomain, boxDims, isDoubleDomain, readWindow } from './domain.js';

/**
 * Laplacian of Gaussian as PyRadiomics computes it: SimpleITK's LaplacianRecursiveGaussianImageFilter
 * with NormalizeAcrossScale on, σ in mm. ITK approximates the Gaussian and its second derivative by
 * Deriche's fourth-order recursive (IIR) filters (Deriche 1993, with the coefficients ITK uses:
 * a₀ = 1.3530, 1.8151, ω₀ = 0.6681, λ₀ = −1.3932; a₁ = −0.3531, 0.0902, ω₁ = 2.0787, λ₁ = −1.3732 for
 * order 0 and a₀ = −1.3563, 5.2318, a₁ = 0.3446, −2.2355 for order 2), run forward and backward
 * along each line with the border value extended to infinity. For each axis d the image is
 * differentiated twice along d and smoothed along the other two axes; the Laplacian is
 * Σ_d σ² ∂²/∂x_d² (the d-th term scaled by 1/spacing_d²). As in ITK, every pass and the running
 * sum are stored in single precision (double precision for a double input).
 *
 * Only a window around the ROI box is filtered: the recursive filters decay as |z|ⁿ with
 * |z| = e^{−1.3732/σ_vox}, so a margin of 22 σ_vox + 8 voxels keeps the box response within 1e-12
 * of filtering the whole domain; where the window reaches the domain edge, the edge is handled
 * exactly as ITK does.
 */
export function logResponse(domain: FilterDomain, sigmaMm: number): BoxResponse {
  const store = isDoubleDomain(domain) ? (x: number) => x : Math.fround;
  const { lo, dims: w } = logWindow(domain, sigmaMm);
  const [wx, wy, wz] = w;
  const n = wx * wy * wz;
  const input = readWindow(domain, lo, w);
  const cumulative = new Float64Array(n);
  const a = new Float64Array(n);
  const b = new Float64Array(n);
  // Box range within the window, per axis; only lines that reach the box are filtered in the later passes.
  const boxRange = [0, 1, 2].map((ax) => [domain.box.minIjk[ax] - lo[ax], domain.box.maxIjk[ax] - lo[ax]] as [number, number]);
  const fullRange = [0, 1, 2].map((ax) => [0, w[ax] - 1] as [number, number]);
  const smoothAxes: Record<number, [number, number]> = { 0: [1, 2], 1: [0, 2], 2: [0, 1] };
  for (let dim = 0; dim < 3; dim++) {
    const [s0, s1] = smoothAxes[dim];
    const ranges = (keepBox: number[]) => [0, 1, 2].map((ax) => (keepBox.includes(ax) ? boxRange[ax] : fullRange[ax]));
    filterAxis(input, a, w, dim, recursiveGaussian(sigmaMm, domain.spacingMm[dim], 2), store, ranges([]));
    filterAxis(a, b, w, s0, recursiveGaussian(sigmaMm, domain.spacingMm[s0], 0), store, ranges([dim]));
    filterAxis(b, a, w, s1, recursiveGaussian(sigmaMm, domain.spacingMm[s1], 0), store, ranges([dim, s0]));
    const scale = 1 / (domain.spacingMm[dim] * domain.spacingMm[dim]);
    const [[x0, x1], [y0, y1], [z0, z1]] = boxRange;
    for (let z = z0; z <= z1; z++)
      for (let y = y0; y <= y1; y++) {
        let i = x0 + wx * (y + wy * z);
        for (let x = x0; x <= x1; x++, i++) cumulative[i] = store(cumulative[i] + scale * a[i]);
      }
  }
  const dims = boxDims(domain.box);
  const out = new Float64Array(dims[0] * dims[1] * dims[2]);
  const off = [domain.box.minIjk[0] - lo[0], domain.box.minIjk[1] - lo[1], domain.box.minIjk[2] - lo[2]];
  for (let z = 0, o = 0; z < dims[2]; z++)
    for (let y = 0; y < dims[1]; y++) {
      const src = off[0] + wx * (off[1] + y + wy * (off[2] + z));
      for (let x = 0; x < dims[0]; x++) out[o++] = cumulative[src + x];
    }
  return { dims, values: out };
}

/** PyRadiomics applies a σ only when every axis has at least ⌈σ/spacing⌉ + 1 voxels (and at least 4). */
export function logApplicable(dims: Vec3, spacingMm: Vec3, sigmaMm: number): boolean {
  return dims.every((n, a) => n >= 4 && n >= Math.ceil(sigmaMm / spacingMm[a]) + 1);
}

/** Voxels per side that the LoG of σ reads around the box, per axis. */
export function logMargin(spacingMm: Vec3, sigmaMm: number): Vec3 {
  return spacingMm.map((s) => Math.ceil((22 * sigmaMm) / s) + 8) as Vec3;
}

function logWindow(domain: FilterDomain, sigmaMm: number): { lo: Vec3; dims: Vec3 } {
  const lo: Vec3 = [0, 0, 0];
  const dims: Vec3 = [0, 0, 0];
  const margins = logMargin(domain.spacingMm, sigmaMm);
  for (let a = 0; a < 3; a++) {
    const margin = margins[a];
    const start = Math.max(0, domain.box.minIjk[a] - margin);
    const end = Math.min(domain.dims[a] - 1, domain.box.maxIjk[a] + margin);
    lo[a] = start;
    dims[a] = end - start + 1;
  }
  return { lo, dims };
}

/** Coefficients of ITK's RecursiveSeparableImageFilter for one σ, spacing and derivative order. */
interface RecursiveCoefficients {
  n0: number;
  n1: number;
  n2: number;
  n3: number;
  d1: number;
  d2: number;
  d3: number;
  d4: number;
  m1: number;
  m2: number;
  m3: number;
  m4: number;
  bn1: number;
  bn2: number;
  bn3: number;
  bn4: number;
  bm1: number;
  bm2: number;
  bm3: number;
  bm4: number;
}

/** ITK RecursiveGaussianImageFilter::SetUp for order 0 (smoothing) or 2 (second derivative, normalised by σ²). */
export function recursiveGaussian(sigmaMm: number, spacingMm: number, order: 0 | 2): RecursiveCoefficients {
  const sigmad = sigmaMm / spacingMm;
  const W1 = 0.6681;
  const L1 = -1.3932;
  const W2 = 2.0787;
  const L2 = -1.3732;
  const A1 = [1.353, -0.6724, -1.3563];
  const B1 = [1.8151, -3.4327, 5.2318];
  const A2 = [-0.3531, 0.6724, 0.3446];
  const B2 = [0.0902, 0.61, -2.2355];

  const cos1 = Math.cos(W1 / sigmad);
  const cos2 = Math.cos(W2 / sigmad);
  const exp1 = Math.exp(L1 / sigmad);
  const exp2 = Math.exp(L2 / sigmad);
  const d4 = exp1 * exp1 * exp2 * exp2;
  let d3 = -2 * cos1 * exp1 * exp2 * exp2;
  d3 += -2 * cos2 * exp2 * exp1 * exp1;
  let d2 = 4 * cos2 * cos1 * exp1 * exp2;
  d2 += exp1 * exp1 + exp2 * exp2;
  const d1 = -2 * (exp2 * cos2 + exp1 * cos1);
  const SD = 1.0 + d1 + d2 + d3 + d4;
  const DD = d1 + 2 * d2 + 3 * d3 + 4 * d4;
  const ED = d1 + 4 * d2 + 9 * d3 + 16 * d4;

  const nCoefficients = (a1: number, b1: number, a2: number, b2: number) => {
    const sin1 = Math.sin(W1 / sigmad);
    const sin2 = Math.sin(W2 / sigmad);
    const N0 = a1 + a2;
    let N1 = exp2 * (b2 * sin2 - (a2 + 2 * a1) * cos2);
    N1 += exp1 * (b1 * sin1 - (a1 + 2 * a2) * cos1);
    let N2 = (a1 + a2) * cos2 * cos1;
    N2 -= b1 * cos2 * sin1 + b2 * cos1 * sin2;
    N2 *= 2 * exp1 * exp2;
    N2 += a2 * exp1 * exp1 + a1 * exp2 * exp2;
    let N3 = exp2 * exp1 * exp1 * (b2 * sin2 - a2 * cos2);
    N3 += exp1 * exp2 * exp2 * (b1 * sin1 - a1 * cos1);
    return { N0, N1, N2, N3, SN: N0 + N1 + N2 + N3, DN: N1 + 2 * N2 + 3 * N3, EN: N1 + 4 * N2 + 9 * N3 };
  };

  let n0: number;
  let n1: number;
  let n2: number;
  let n3: number;
  if (order === 0) {
    const c = nCoefficients(A1[0], B1[0], A2[0], B2[0]);
    const alpha0 = (2 * c.SN) / SD - c.N0;
    n0 = c.N0 * (1 / alpha0);
    n1 = c.N1 * (1 / alpha0);
    n2 = c.N2 * (1 / alpha0);
    n3 = c.N3 * (1 / alpha0);
  } else {
    const normalization = sigmaMm * sigmaMm;
    const c0 = nCoefficients(A1[0], B1[0], A2[0], B2[0]);
    const c2 = nCoefficients(A1[2], B1[2], A2[2], B2[2]);
    const beta = -(2 * c2.SN - SD * c2.N0) / (2 * c0.SN - SD * c0.N0);
    n0 = c2.N0 + beta * c0.N0;
    n1 = c2.N1 + beta * c0.N1;
    n2 = c2.N2 + beta * c0.N2;
    n3 = c2.N3 + beta * c0.N3;
    const SN = c2.SN + beta * c0.SN;
    const DN = c2.DN + beta * c0.DN;
    const EN = c2.EN + beta * c0.EN;
    let alpha2 = EN * SD * SD - ED * SN * SD - 2 * DN * DD * SD + 2 * DD * DD * SN;
    alpha2 /= SD * SD * SD;
    n0 *= normalization / alpha2;
    n1 *= normalization / alpha2;
    n2 *= normalization / alpha2;
    n3 *= normalization / alpha2;
  }
  // Symmetric filters (orders 0 and 2): anti-causal coefficients and edge-extension terms.
  const m1 = n1 - d1 * n0;
  const m2 = n2 - d2 * n0;
  const m3 = n3 - d3 * n0;
  const m4 = -d4 * n0;
  const sn = n0 + n1 + n2 + n3;
  const sm = m1 + m2 + m3 + m4;
  const sd = 1.0 + d1 + d2 + d3 + d4;
  return {
    n0,
    n1,
    n2,
    n3,
    d1,
    d2,
    d3,
    d4,
    m1,
    m2,
    m3,
    m4,
    bn1: (d1 * sn) / sd,
    bn2: (d2 * sn) / sd,
    bn3: (d3 * sn) / sd,
    bn4: (d4 * sn) / sd,
    bm1: (d1 * sm) / sd,
    bm2: (d2 * sm) / sd,
    bm3: (d3 * sm) / sd,
    bm4: (d4 * sm) / sd,
  };
}

/**
 * Runs the recursive filter along the lines of `axis` of a window (x fastest) whose coordinates on
 * the other axes lie in `ranges` (inclusive), rounding each output with `store`.
 */
function filterAxis(
  src: Float64Array,
  dst: Float64Array,
  dims: Vec3,
  axis: number,
  c: RecursiveCoefficients,
  store: (x: number) => number,
  ranges: [number, number][],
): void {
  const strides = [1, dims[0], dims[0] * dims[1]];
  const len = dims[axis];
  const stride = strides[axis];
  const [u, v] = [0, 1, 2].filter((d) => d !== axis);
  const line = new Float64Array(len);
  const out = new Float64Array(len);
  const scratch = new Float64Array(len);
  for (let bv = ranges[v][0]; bv <= ranges[v][1]; bv++)
    for (let au = ranges[u][0]; au <= ranges[u][1]; au++) {
      const start = au * strides[u] + bv * strides[v];
      for (let i = 0, o = start; i < len; i++, o += stride) line[i] = src[o];
      filterLine(out, line, scratch, len, c);
      for (let i = 0, o = start; i < len; i++, o += stride) dst[o] = store(out[i]);
    }
}

/** ITK RecursiveSeparableImageFilter::FilterDataArray: causal + anti-causal passes, border values extended. */
function filterLine(outs: Float64Array, data: Float64Array, s2: Float64Array, ln: number, c: RecursiveCoefficients): void {
  const s1 = outs;
  const { n0, n1, n2, n3, d1, d2, d3, d4, m1, m2, m3, m4, bn1, bn2, bn3, bn4, bm1, bm2, bm3, bm4 } = c;
  const v1 = data[0];
  s1[0] = v1 * n0 + v1 * n1 + v1 * n2 + v1 * n3;
  s1[1] = data[1] * n0 + v1 * n1 + v1 * n2 + v1 * n3;
  s1[2] = data[2] * n0 + data[1] * n1 + v1 * n2 + v1 * n3;
  s1[3] = data[3] * n0 + data[2] * n1 + data[1] * n2 + v1 * n3;
  s1[0] -= v1 * bn1 + v1 * bn2 + v1 * bn3 + v1 * bn4;
  s1[1] -= s1[0] * d1 + v1 * bn2 + v1 * bn3 + v1 * bn4;
  s1[2] -= s1[1] * d1 + s1[0] * d2 + v1 * bn3 + v1 * bn4;
  s1[3] -= s1[2] * d1 + s1[1] * d2 + s1[0] * d3 + v1 * bn4;
  for (let i = 4; i < ln; i++) {
    s1[i] = data[i] * n0 + data[i - 1] * n1 + data[i - 2] * n2 + data[i - 3] * n3;
    s1[i] -= s1[i - 1] * d1 + s1[i - 2] * d2 + s1[i - 3] * d3 + s1[i - 4] * d4;
  }
  const v2 = data[ln - 1];
  s2[ln - 1] = v2 * m1 + v2 * m2 + v2 * m3 + v2 * m4;
  s2[ln - 2] = data[ln - 1] * m1 + v2 * m2 + v2 * m3 + v2 * m4;
  s2[ln - 3] = data[ln - 2] * m1 + data[ln - 1] * m2 + v2 * m3 + v2 * m4;
  s2[ln - 4] = data[ln - 3] * m1 + data[ln - 2] * m2 + data[ln - 1] * m3 + v2 * m4;
  s2[ln - 1] -= v2 * bm1 + v2 * bm2 + v2 * bm3 + v2 * bm4;
  s2[ln - 2] -= s2[ln - 1] * d1 + v2 * bm2 + v2 * bm3 + v2 * bm4;
  s2[ln - 3] -= s2[ln - 2] * d1 + s2[ln - 1] * d2 + v2 * bm3 + v2 * bm4;
  s2[ln - 4] -= s2[ln - 3] * d1 + s2[ln - 2] * d2 + s2[ln - 1] * d3 + v2 * bm4;
  for (let i = ln - 4; i > 0; i--) {
    s2[i - 1] = data[i] * m1 + data[i + 1] * m2 + data[i + 2] * m3 + data[i + 3] * m4;
    s2[i - 1] -= s2[i] * d1 + s2[i + 1] * d2 + s2[i + 2] * d3 + s2[i + 3] * d4;
  }
  for (let i = 0; i < ln; i++) outs[i] += s2[i];
}
