/**
 * The small dense linear algebra the models need, on ml-matrix: weighted least squares by
 * Householder QR (as R's glm.fit, so ill-conditioned radiomics designs keep their precision)
 * and the inverse of X'WX from the triangular factor.
 */
import { Matrix, QrDecomposition } from 'ml-matrix';

/** Result of a weighted least-squares solve. */
export interface WlsSolution {
  coefficients: Float64Array;
  /** Upper-triangular factor R of √W·X (so X'WX = R'R). */
  r: Matrix;
  /** Index of the first column found linearly dependent on the earlier ones, or -1. */
  dependentColumn: number;
}

/**
 * Minimises Σ wᵢ(zᵢ - xᵢ'b)² through the QR factorisation of √W·X. A column whose
 * diagonal element of R is below `tol` times its own weighted norm is reported as dependent
 * (R's dqrdc2 rule, with R's glm tolerance 1e-7 by default).
 */
export function weightedLeastSquares(x: Matrix, z: ArrayLike<number>, sqrtW: ArrayLike<number>, tol = 1e-7): WlsSolution {
  const n = x.rows;
  const p = x.columns;
  const xw = new Matrix(n, p);
  const zw = new Matrix(n, 1);
  const colNorm = new Float64Array(p);
  for (let i = 0; i < n; i++) {
    const w = sqrtW[i];
    for (let j = 0; j < p; j++) {
      const v = x.get(i, j) * w;
      xw.set(i, j, v);
      colNorm[j] += v * v;
    }
    zw.set(i, 0, z[i] * w);
  }
  const qr = new QrDecomposition(xw);
  const r = qr.upperTriangularMatrix;
  let dependentColumn = -1;
  for (let j = 0; j < p; j++) {
    if (!(Math.abs(r.get(j, j)) > tol * Math.sqrt(colNorm[j]))) {
      dependentColumn = j;
      break;
    }
  }
  if (dependentColumn >= 0) return { coefficients: new Float64Array(p).fill(NaN), r, dependentColumn };
  const b = qr.solve(zw);
  return { coefficients: Float64Array.from(b.getColumn(0)), r, dependentColumn };
}

/** (R'R)⁻¹ for an upper-triangular R: the inverse of X'WX, as R's chol2inv. */
export function inverseFromTriangular(r: Matrix): Matrix {
  const p = r.rows;
  const rinv = new Matrix(p, p);
  for (let j = 0; j < p; j++) {
    rinv.set(j, j, 1 / r.get(j, j));
    for (let i = j - 1; i >= 0; i--) {
      let s = 0;
      for (let k = i + 1; k <= j; k++) s += r.get(i, k) * rinv.get(k, j);
      rinv.set(i, j, -s / r.get(i, i));
    }
  }
  return rinv.mmul(rinv.transpose());
}

/** X'WX factor at the given weights: R of √W·X. */
export function weightedR(x: Matrix, w: ArrayLike<number>): Matrix {
  const sqrtW = Float64Array.from(w, (v) => Math.sqrt(v));
  return weightedLeastSquares(x, new Float64Array(x.rows), sqrtW, 0).r;
}
