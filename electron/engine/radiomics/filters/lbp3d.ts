import { bsplineCoefficients } from '../../imaging/resample.js';
import type { Vec3 } from '../../imaging/vec.js';
import { type BoxResponse, type FilterDomain, boxDims, isDoubleDomain, readWindow } from './domain.js';
import { arrayMin } from '../../core/array-extent.js';

/**
 * Rotation-invariant local binary patterns in 3D (Banerjee et al. 2013) as PyRadiomics computes them
 * (imageoperations.getLBP3DImage), for ROI voxels only:
 *
 * - the image is sampled at the vertices v of an icosphere (icosahedron subdivided
 *   `subdivision` times, radius R, in voxel units of the NumPy (z, y, x) axes) around each ROI voxel
 *   by cubic spline interpolation (scipy map_coordinates, order 3, mirror-extended spline
 *   coefficients, 0 outside the image; integer images round the samples);
 * - k = excess kurtosis of the samples (scipy.stats.kurtosis; NaN for a flat neighbourhood);
 * - f_v = [sample_v ≥ centre]; c_{n,m} = Σ_v f_v Y_n^m(v) with PyRadiomics' angle convention
 *   (scipy sph_harm(m, n, θ = arccos(v_2/R), φ = atan2(v_1, v_0))); for each level n < `levels`
 *   the level map is Re √(Σ_v (Σ_m c_{n,m} Y_n^m(v))²) (a complex square, as PyRadiomics).
 *
 * Yields one image per level (lbp-3D-m1, …) and the kurtosis image (lbp-3D-k).
 */
export function lbp3dResponses(
  domain: FilterDomain,
  mask: Uint8Array,
  levels: number,
  radius: number,
  subdivision: number,
): { levels: BoxResponse[]; kurtosis: BoxResponse } {
  const dims = boxDims(domain.box);
  const vertices = icosphereVertices(subdivision, radius);
  const nv = vertices.length / 3;
  // Spherical harmonics at the vertices, grouped by degree n.
  const harmonics: { n: number; re: Float64Array; im: Float64Array }[] = [];
  for (let n = 0; n < levels; n++)
    for (let m = -n; m <= n; m++) {
      const re = new Float64Array(nv);
      const im = new Float64Array(nv);
      for (let v = 0; v < nv; v++) {
        const theta = Math.acos(vertices[v * 3 + 2] / radius);
        const phi = Math.atan2(vertices[v * 3 + 1], vertices[v * 3]);
        const [r, i] = sphericalHarmonic(m, n, theta, phi);
        re[v] = r;
        im[v] = i;
      }
      harmonics.push({ n, re, im });
    }

  const margin = Math.ceil(radius) + 40;
  const lo: Vec3 = [0, 0, 0];
  const w: Vec3 = [0, 0, 0];
  for (let a = 0; a < 3; a++) {
    lo[a] = Math.max(0, domain.box.minIjk[a] - margin);
    w[a] = Math.min(domain.dims[a] - 1, domain.box.maxIjk[a] + margin) - lo[a] + 1;
  }
  const window = readWindow(domain, lo, w);
  const coefficients = bsplineCoefficients({ dims: w, spacingMm: [1, 1, 1], originLps: [0, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1], voxels: window });
  const integerImage = !isDoubleDomain(domain) && !(domain.voxels instanceof Float32Array);
  const roundSample = integerImage
    ? (x: number) => (x > 0 ? Math.trunc(x + 0.5) : Math.trunc(x - 0.5))
    : domain.voxels instanceof Float32Array
      ? Math.fround
      : (x: number) => x;

  const n = dims[0] * dims[1] * dims[2];
  const levelMaps = Array.from({ length: levels }, () => new Float64Array(n));
  const kurtosis = new Float64Array(n);
  const samples = new Float64Array(nv);
  const bits = new Float64Array(nv);
  const sum = new Float64Array(levels * nv * 2);
  let o = 0;
  for (let z = 0; z < dims[2]; z++)
    for (let y = 0; y < dims[1]; y++)
      for (let x = 0; x < dims[0]; x++, o++) {
        if (!mask[o]) continue;
        const gx = domain.box.minIjk[0] + x;
        const gy = domain.box.minIjk[1] + y;
        const gz = domain.box.minIjk[2] + z;
        const centre = window[gx - lo[0] + w[0] * (gy - lo[1] + w[1] * (gz - lo[2]))];
        for (let v = 0; v < nv; v++) {
          // Vertex offsets are in NumPy (z, y, x) order.
          const pz = gz + vertices[v * 3];
          const py = gy + vertices[v * 3 + 1];
          const px = gx + vertices[v * 3 + 2];
          samples[v] = roundSample(splineSample(coefficients, w, lo, domain.dims, px, py, pz));
          bits[v] = samples[v] >= centre ? 1 : 0;
        }
        kurtosis[o] = excessKurtosis(samples);
        sum.fill(0);
        for (const h of harmonics) {
          let cr = 0;
          let ci = 0;
          for (let v = 0; v < nv; v++) {
            cr += bits[v] * h.re[v];
            ci += bits[v] * h.im[v];
          }
          for (let v = 0; v < nv; v++) {
            const k = (h.n * nv + v) * 2;
            sum[k] += cr * h.re[v] - ci * h.im[v];
            sum[k + 1] += cr * h.im[v] + ci * h.re[v];
          }
        }
        for (let level = 0; level < levels; level++) {
          let sr = 0;
          let si = 0;
          for (let v = 0; v < nv; v++) {
            const k = (level * nv + v) * 2;
            sr += sum[k] * sum[k] - sum[k + 1] * sum[k + 1];
            si += 2 * sum[k] * sum[k + 1];
          }
          levelMaps[level][o] = complexSqrtReal(sr, si);
        }
      }
  return { levels: levelMaps.map((values) => ({ dims, values })), kurtosis: { dims, values: kurtosis } };
}

/** Y_n^m(θ, φ) as scipy.special.sph_harm(m, n, θ, φ): azimuth θ, polar φ, Condon–Shortley phase. */
export function sphericalHarmonic(m: number, n: number, theta: number, phi: number): [number, number] {
  const am = Math.abs(m);
  let p = associatedLegendre(n, am, Math.cos(phi));
  if (m < 0) p *= (am % 2 ? -1 : 1) * (factorial(n - am) / factorial(n + am));
  const norm = Math.sqrt(((2 * n + 1) / (4 * Math.PI)) * (factorial(n - m) / factorial(n + m)));
  return [norm * p * Math.cos(m * theta), norm * p * Math.sin(m * theta)];
}

function associatedLegendre(n: number, m: number, x: number): number {
  let pmm = 1;
  if (m > 0) {
    const s = Math.sqrt((1 - x) * (1 + x));
    let f = 1;
    for (let i = 1; i <= m; i++) {
      pmm *= -f * s;
      f += 2;
    }
  }
  if (n === m) return pmm;
  let pmm1 = x * (2 * m + 1) * pmm;
  if (n === m + 1) return pmm1;
  let pnm = 0;
  for (let l = m + 2; l <= n; l++) {
    pnm = (x * (2 * l - 1) * pmm1 - (l + m - 1) * pmm) / (l - m);
    pmm = pmm1;
    pmm1 = pnm;
  }
  return pnm;
}

function factorial(k: number): number {
  let f = 1;
  for (let i = 2; i <= k; i++) f *= i;
  return f;
}

/** Real part of the principal square root of re + i·im. */
function complexSqrtReal(re: number, im: number): number {
  const r = Math.hypot(re, im);
  return Math.sqrt((r + re) / 2);
}

/** scipy.stats.kurtosis (Fisher, biased): μ₄/μ₂² − 3, NaN when the samples are (numerically) constant. */
function excessKurtosis(x: Float64Array): number {
  let mean = 0;
  for (let i = 0; i < x.length; i++) mean += x[i];
  mean /= x.length;
  let m2 = 0;
  let m4 = 0;
  for (let i = 0; i < x.length; i++) {
    const d = x[i] - mean;
    m2 += d * d;
    m4 += d * d * d * d;
  }
  m2 /= x.length;
  m4 /= x.length;
  const resolution = 1e-15;
  if (m2 <= (resolution * mean) ** 2) return NaN;
  return m4 / (m2 * m2) - 3;
}

/** Tap indices (x, y, z blocks of 4) and weights of the current spline sample; reused, not reallocated. */
const tapIndex = new Int32Array(12);
const tapWeight = new Float64Array(12);

/** Cubic B-spline value at a domain position (x, y, z); 0 outside [0, n − 1] (scipy 'constant' mode). */
function splineSample(c: Float64Array, w: Vec3, lo: Vec3, dims: Vec3, x: number, y: number, z: number): number {
  if (x < 0 || y < 0 || z < 0 || x > dims[0] - 1 || y > dims[1] - 1 || z > dims[2] - 1) return 0;
  cubicTaps(x - lo[0], w[0], 0);
  cubicTaps(y - lo[1], w[1], 4);
  cubicTaps(z - lo[2], w[2], 8);
  let s = 0;
  for (let k = 0; k < 4; k++) {
    let sy = 0;
    for (let j = 0; j < 4; j++) {
      const row = w[0] * (tapIndex[4 + j] + w[1] * tapIndex[8 + k]);
      let sx = 0;
      for (let i = 0; i < 4; i++) sx += tapWeight[i] * c[row + tapIndex[i]];
      sy += tapWeight[4 + j] * sx;
    }
    s += tapWeight[8 + k] * sy;
  }
  return s;
}

/** Cubic B-spline weights of position t and its 4 tap indices, mirrored at the ends (into tapIndex/tapWeight at `at`). */
function cubicTaps(t: number, n: number, at: number): void {
  const f = Math.floor(t);
  const u = t - f;
  const w3 = (u * u * u) / 6;
  const w0 = 1 / 6 + (u * (u - 1)) / 2 - w3;
  const w2 = u + w0 - 2 * w3;
  tapWeight[at] = w0;
  tapWeight[at + 1] = 1 - w0 - w2 - w3;
  tapWeight[at + 2] = w2;
  tapWeight[at + 3] = w3;
  for (let d = 0; d < 4; d++) {
    let k = f - 1 + d;
    if (n === 1) k = 0;
    else {
      if (k < 0) k = -k;
      if (k > n - 1) k = 2 * (n - 1) - k;
      k = Math.min(Math.max(k, 0), n - 1);
    }
    tapIndex[at + d] = k;
  }
}

/**
 * Vertices (flat x3) of trimesh's icosphere: the unit-radius icosahedron with vertices
 * (±1, ±t, 0), (0, ±1, ±t), (±t, 0, ±1), t = golden ratio, subdivided by adding edge midpoints,
 * each subdivision projected onto the sphere of radius R.
 */
export function icosphereVertices(subdivisions: number, radius: number): Float64Array {
  const t = (1 + Math.sqrt(5)) / 2;
  const base = [-1, t, 0, 1, t, 0, -1, -t, 0, 1, -t, 0, 0, -1, t, 0, 1, t, 0, -1, -t, 0, 1, -t, t, 0, -1, t, 0, 1, -t, 0, -1, -t, 0, 1];
  const scale = Math.sqrt(1 + t * t);
  let points: number[][] = [];
  for (let i = 0; i < base.length; i += 3) points.push([base[i] / scale, base[i + 1] / scale, base[i + 2] / scale]);
  let edgeLength = Math.hypot(points[0][0] - points[1][0], points[0][1] - points[1][1], points[0][2] - points[1][2]);
  let edges = neighbourPairs(points, edgeLength);
  for (let s = 0; s < subdivisions; s++) {
    const mids = edges.map(([a, b]) => [(points[a][0] + points[b][0]) / 2, (points[a][1] + points[b][1]) / 2, (points[a][2] + points[b][2]) / 2]);
    points = [...points, ...mids].map((p) => {
      const r = Math.hypot(p[0], p[1], p[2]);
      return [p[0] + (p[0] / r) * (radius - r), p[1] + (p[1] / r) * (radius - r), p[2] + (p[2] / r) * (radius - r)];
    });
    edgeLength = arrayMin(neighbourDistances(points));
    edges = neighbourPairs(points, edgeLength);
  }
  return Float64Array.from(points.flat());
}

function neighbourDistances(points: number[][]): number[] {
  const d: number[] = [];
  for (let i = 0; i < points.length; i++)
    for (let j = i + 1; j < points.length; j++) d.push(Math.hypot(points[i][0] - points[j][0], points[i][1] - points[j][1], points[i][2] - points[j][2]));
  return d;
}

/** Pairs of points at the mesh edge length (the triangle edges of a geodesic sphere are its shortest chords). */
function neighbourPairs(points: number[][], edgeLength: number): [number, number][] {
  const pairs: [number, number][] = [];
  for (let i = 0; i < points.length; i++)
    for (let j = i + 1; j < points.length; j++) {
      const d = Math.hypot(points[i][0] - points[j][0], points[i][1] - points[j][1], points[i][2] - points[j][2]);
      if (d < edgeLength * 1.2) pairs.push([i, j]);
    }
  return pairs;
}
