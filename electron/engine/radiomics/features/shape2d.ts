import { HilumError } from '../../core/errors.js';
import type { Vec3 } from '../../imaging/vec.js';
import { positionCovarianceEigenvalues } from './eigen.js';
import type { FeatureValues } from './types.js';

/**
 * 2D shape features of a single-slice ROI (PyRadiomics 3.1 radiomics/shape2D.py + cshape.c), for
 * force2D extraction with the ROI one voxel thick along `force2Ddimension` (NumPy axis).
 *
 * Marching squares on the slice (padded by one empty pixel) with vertices at pixel-edge midpoints
 * gives a closed contour of segments (a, b): perimeter P = Σ‖a − b‖; mesh surface A = ½ Σ (a × b)
 * (signed, so the contour's enclosed area); maximum diameter = largest distance between contour
 * vertices. Axis lengths use the eigenvalues λ_minor ≤ λ_major of the covariance of pixel centres (mm).
 *
 *   MeshSurface A · PixelSurface N·(s_row s_col) · Perimeter P · PerimeterSurfaceRatio P/A
 *   Sphericity 2√(πA)/P · SphericalDisproportion P/(2√(πA)) · MaximumDiameter
 *   MajorAxisLength 4√λ_major · MinorAxisLength 4√λ_minor · Elongation √(λ_minor/λ_major)
 */
export function shape2DFeatures(
  mask: Uint8Array,
  dims: Vec3,
  spacingMm: Vec3,
  force2Ddimension: number,
  wanted: readonly string[],
  caseName: string,
): FeatureValues {
  // NumPy axes (z, y, x) in domain terms: numpy axis k ↔ domain axis 2 − k.
  const planeAxes = [0, 1, 2].filter((k) => k !== force2Ddimension).map((k) => 2 - k); // [row axis, column axis]
  const normalAxis = 2 - force2Ddimension;
  if (dims[normalAxis] > 1)
    throw new HilumError({
      code: 'RADIOMICS_SHAPE2D_NOT_2D',
      message: `${caseName}: shape2D needs an ROI one voxel thick along dimension ${force2Ddimension}, but it spans ${dims[normalAxis]} voxels`,
      hint: 'Use a single-slice mask, or leave shape2D out of the parameter file.',
    });
  const rows = dims[planeAxes[0]];
  const cols = dims[planeAxes[1]];
  const spacing = [spacingMm[planeAxes[0]], spacingMm[planeAxes[1]]];
  const strides = [1, dims[0], dims[0] * dims[1]];
  const pr = rows + 2;
  const pc = cols + 2;
  const padded = new Uint8Array(pr * pc);
  let count = 0;
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) {
      const v = mask[r * strides[planeAxes[0]] + c * strides[planeAxes[1]]];
      padded[(r + 1) * pc + c + 1] = v;
      count += v;
    }
  const contour = marchingSquares(padded, pr, pc, spacing);
  const coords = new Float64Array(count * 2);
  let k = 0;
  for (let r = 0; r < pr; r++)
    for (let c = 0; c < pc; c++)
      if (padded[r * pc + c]) {
        coords[k++] = r * spacing[0];
        coords[k++] = c * spacing[1];
      }
  const [minor, major] = positionCovarianceEigenvalues(coords, 2);
  const A = contour.surface;
  const P = contour.perimeter;
  const all: Record<string, () => number> = {
    MeshSurface: () => A,
    PixelSurface: () => count * (spacing[1] * spacing[0]),
    Perimeter: () => P,
    PerimeterSurfaceRatio: () => P / A,
    Sphericity: () => (2 * Math.sqrt(Math.PI * A)) / P,
    SphericalDisproportion: () => 1 / ((2 * Math.sqrt(Math.PI * A)) / P),
    MaximumDiameter: () => contour.diameter,
    MajorAxisLength: () => (major < 0 ? NaN : Math.sqrt(major) * 4),
    MinorAxisLength: () => (minor < 0 ? NaN : Math.sqrt(minor) * 4),
    Elongation: () => (minor < 0 || major < 0 ? NaN : Math.sqrt(minor / major)),
  };
  const out: FeatureValues = {};
  for (const name of wanted) out[name] = all[name]();
  return out;
}

/**
 * Square corners (row, column): p0 (0,0), p1 (0,1), p2 (1,1), p3 (1,0); edge midpoints v0 (0,½),
 * v1 (½,1), v2 (1,½), v3 (½,0). Segments per square index, oriented so that a × b sums to the
 * enclosed area; the two saddle cases keep the set corners apart.
 */
const SEGMENTS: readonly (readonly number[])[] = [
  [],
  [3, 0],
  [0, 1],
  [3, 1],
  [1, 2],
  [1, 2, 3, 0],
  [0, 2],
  [3, 2],
  [2, 3],
  [2, 0],
  [0, 1, 2, 3],
  [2, 1],
  [1, 3],
  [1, 0],
  [0, 3],
  [],
];
const MIDPOINTS: readonly (readonly [number, number])[] = [
  [0, 0.5],
  [0.5, 1],
  [1, 0.5],
  [0.5, 0],
];

function marchingSquares(padded: Uint8Array, rows: number, cols: number, spacing: number[]): { perimeter: number; surface: number; diameter: number } {
  let perimeter = 0;
  let surface = 0;
  const vertices: number[] = [];
  for (let r = 0; r < rows - 1; r++)
    for (let c = 0; c < cols - 1; c++) {
      let square = 0;
      if (padded[r * cols + c]) square |= 1;
      if (padded[r * cols + c + 1]) square |= 2;
      if (padded[(r + 1) * cols + c + 1]) square |= 4;
      if (padded[(r + 1) * cols + c]) square |= 8;
      if (square === 0 || square === 15) continue;
      const segs = SEGMENTS[square];
      for (let t = 0; t < segs.length; t += 2) {
        const a0 = (r + MIDPOINTS[segs[t]][0]) * spacing[0];
        const a1 = (c + MIDPOINTS[segs[t]][1]) * spacing[1];
        const b0 = (r + MIDPOINTS[segs[t + 1]][0]) * spacing[0];
        const b1 = (c + MIDPOINTS[segs[t + 1]][1]) * spacing[1];
        surface += a0 * b1 - b0 * a1;
        const d0 = a0 - b0;
        const d1 = a1 - b1;
        perimeter += Math.sqrt(d0 * d0 + d1 * d1);
      }
      // Each grid point is corner p3 of one square; with p3 cleared (complement), edges v3 and v2 hold a vertex when p0 or p2 is set.
      const s = square > 7 ? square ^ 0xf : square;
      if (s & 1) vertices.push((r + 0.5) * spacing[0], c * spacing[1]);
      if (s & 4) vertices.push((r + 1) * spacing[0], (c + 0.5) * spacing[1]);
    }
  let best = 0;
  for (let i = 0; i < vertices.length; i += 2)
    for (let j = i + 2; j < vertices.length; j += 2) {
      const d0 = vertices[i] - vertices[j];
      const d1 = vertices[i + 1] - vertices[j + 1];
      const d = d0 * d0 + d1 * d1;
      if (d > best) best = d;
    }
  return { perimeter, surface: surface / 2, diameter: Math.sqrt(best) };
}
