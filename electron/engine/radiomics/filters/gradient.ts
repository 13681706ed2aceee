import type { Vec3 } from '../../imaging/vec.js';
import { type BoxResponse, type FilterDomain, boxDims, readWindow } from './domain.js';

/**
 * Gradient magnitude as PyRadiomics computes it (SimpleITK GradientMagnitudeImageFilter):
 * central differences g_a = (x[i+1] − x[i−1]) / (2 s_a) along each axis (s_a the spacing, or 1
 * without `gradientUseSpacing`), the domain edge replicated (zero-flux Neumann), and
 * |∇x| = √(Σ_a g_a²), in double precision.
 */
export function gradientResponse(domain: FilterDomain, useSpacing: boolean): BoxResponse {
  const dims = boxDims(domain.box);
  const lo: Vec3 = [0, 0, 0];
  const w: Vec3 = [0, 0, 0];
  for (let a = 0; a < 3; a++) {
    lo[a] = Math.max(0, domain.box.minIjk[a] - 1);
    w[a] = Math.min(domain.dims[a] - 1, domain.box.maxIjk[a] + 1) - lo[a] + 1;
  }
  const v = readWindow(domain, lo, w);
  const [wx, wy] = w;
  const strides = [1, wx, wx * wy];
  const coefficient = [0, 1, 2].map((a) => 0.5 * (useSpacing ? 1 / domain.spacingMm[a] : 1));
  const out = new Float64Array(dims[0] * dims[1] * dims[2]);
  const [x0, y0, z0] = domain.box.minIjk;
  const [nx, ny, nz] = domain.dims;
  const [cx, cy, cz] = coefficient;
  let o = 0;
  for (let z = z0; z < z0 + dims[2]; z++)
    for (let y = y0; y < y0 + dims[1]; y++)
      for (let x = x0; x < x0 + dims[0]; x++) {
        const c = x - lo[0] + wx * (y - lo[1] + wy * (z - lo[2]));
        const gx = -cx * v[x > 0 ? c - 1 : c] + 0 * v[c] + cx * v[x < nx - 1 ? c + 1 : c];
        const gy = -cy * v[y > 0 ? c - strides[1] : c] + 0 * v[c] + cy * v[y < ny - 1 ? c + strides[1] : c];
        const gz = -cz * v[z > 0 ? c - strides[2] : c] + 0 * v[c] + cz * v[z < nz - 1 ? c + strides[2] : c];
        out[o++] = Math.sqrt(gx * gx + gy * gy + gz * gz);
      }
  return { dims, values: out };
}
