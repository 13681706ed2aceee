/**
 * Eigenvalues of a small symmetric matrix (row-major n×n) by cyclic Jacobi rotations, ascending.
 * Used for the principal axes of the ROI (n = 2 or 3), where it is exact to rounding.
 */
export function symmetricEigenvalues(m: readonly number[], n: number): number[] {
  const a = Float64Array.from(m);
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p * n + q] * a[p * n + q];
    if (off === 0) break;
    for (let p = 0; p < n; p++)
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q];
        if (apq === 0) continue;
        const app = a[p * n + p];
        const aqq = a[q * n + q];
        const theta = (aqq - app) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p];
          const akq = a[k * n + q];
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k];
          const aqk = a[q * n + k];
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
      }
  }
  const out: number[] = [];
  for (let k = 0; k < n; k++) out.push(a[k * n + k]);
  return out.sort((x, y) => x - y);
}

/**
 * Eigenvalues of the covariance of voxel positions (mm), as PyRadiomics computes the principal axes:
 * coordinates scaled by spacing, centred, divided by √N, covariance = XᵀX. Values in (−1e-10, 0)
 * are rounding errors of flat ROIs and become 0. `coords` holds N points of `dim` coordinates.
 */
export function positionCovarianceEigenvalues(coords: Float64Array, dim: number): number[] {
  const n = coords.length / dim;
  const mean = new Float64Array(dim);
  for (let k = 0; k < n; k++) for (let d = 0; d < dim; d++) mean[d] += coords[k * dim + d];
  for (let d = 0; d < dim; d++) mean[d] /= n;
  const root = Math.sqrt(n);
  const cov = new Array<number>(dim * dim).fill(0);
  const v = new Float64Array(dim);
  for (let k = 0; k < n; k++) {
    for (let d = 0; d < dim; d++) v[d] = (coords[k * dim + d] - mean[d]) / root;
    for (let r = 0; r < dim; r++) for (let c = 0; c < dim; c++) cov[r * dim + c] += v[r] * v[c];
  }
  return symmetricEigenvalues(cov, dim).map((e) => (e < 0 && e > -1e-10 ? 0 : e));
}
