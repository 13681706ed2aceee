import { type Mat3, type Vec3, add, column, fromColumns, invert, isOrthonormal, maxAbsDiff, mulVec, scale, sub } from './vec.js';

/**
 * The geometry of a voxel grid in LPS patient coordinates (millimetres), as DICOM and ITK define it:
 *
 *   worldLps = originLps + direction · diag(spacingMm) · voxelIjk
 *
 * `direction` is row-major with the axis directions as its columns (SimpleITK's GetDirection()
 * order). Column 0 is the direction of increasing i (DICOM row direction, along a row), column 1
 * of increasing j (down the columns), column 2 of increasing k (slice order). Voxels are stored
 * with i fastest: offset = i + nx·(j + ny·k). The direction is normally orthonormal; a CT with
 * gantry tilt keeps its exact, sheared slice axis (see docs/imaging.md).
 */
export interface ImageGrid {
  dims: Vec3;
  spacingMm: Vec3;
  originLps: Vec3;
  direction: Mat3;
}

/** How far two grids may differ and still be "the same grid". */
export interface GridTolerance {
  /** Largest allowed distance between corresponding voxel centres, in mm. */
  positionMm: number;
  /** Largest allowed relative spacing difference. */
  spacingRelative: number;
  /** Largest allowed difference of direction cosines. */
  direction: number;
}

/** Float32 storage in NIfTI and printed DICOM decimals both stay far inside these. */
export const DEFAULT_GRID_TOLERANCE: GridTolerance = {
  positionMm: 0.01,
  spacingRelative: 1e-4,
  direction: 1e-4,
};

export function voxelCount(grid: Pick<ImageGrid, 'dims'>): number {
  return grid.dims[0] * grid.dims[1] * grid.dims[2];
}

/** direction · diag(spacing): maps a voxel index step to a world step. */
export function indexToWorldMatrix(grid: ImageGrid): Mat3 {
  const d = grid.direction;
  const s = grid.spacingMm;
  return [d[0] * s[0], d[1] * s[1], d[2] * s[2], d[3] * s[0], d[4] * s[1], d[5] * s[2], d[6] * s[0], d[7] * s[1], d[8] * s[2]];
}

export function indexToWorld(grid: ImageGrid, voxelIjk: Vec3): Vec3 {
  return add(grid.originLps, mulVec(indexToWorldMatrix(grid), voxelIjk));
}

/** Continuous voxel index of a world point (no rounding, no bounds check). */
export function worldToIndex(grid: ImageGrid, worldLps: Vec3): Vec3 {
  return mulVec(invert(indexToWorldMatrix(grid)), sub(worldLps, grid.originLps));
}

/** The world positions of the 8 corner voxel centres. */
export function cornerCentres(grid: ImageGrid): Vec3[] {
  const [nx, ny, nz] = grid.dims;
  const out: Vec3[] = [];
  for (const k of [0, nz - 1]) for (const j of [0, ny - 1]) for (const i of [0, nx - 1]) out.push(indexToWorld(grid, [i, j, k]));
  return out;
}

/**
 * Lists, in words, how grid `b` differs from grid `a` beyond the tolerance; empty when they match.
 */
export function describeGridDifferences(a: ImageGrid, b: ImageGrid, tol: GridTolerance = DEFAULT_GRID_TOLERANCE): string[] {
  const out: string[] = [];
  const fmt = (v: readonly number[]) => '(' + v.map((x) => round(x, 4)).join(', ') + ')';
  if (a.dims.some((d, i) => d !== b.dims[i])) out.push(`size ${a.dims.join('×')} vs ${b.dims.join('×')}`);
  if (a.spacingMm.some((s, i) => Math.abs(s - b.spacingMm[i]) > tol.spacingRelative * Math.max(s, b.spacingMm[i])))
    out.push(`spacing ${fmt(a.spacingMm)} vs ${fmt(b.spacingMm)} mm`);
  if (maxAbsDiff(a.direction, b.direction) > tol.direction) out.push(`direction ${fmt(a.direction)} vs ${fmt(b.direction)}`);
  const originGap = Math.hypot(...sub(a.originLps, b.originLps));
  if (originGap > tol.positionMm) out.push(`origin ${fmt(a.originLps)} vs ${fmt(b.originLps)} mm (${round(originGap, 3)} mm apart)`);
  return out;
}

export function gridsMatch(a: ImageGrid, b: ImageGrid, tol: GridTolerance = DEFAULT_GRID_TOLERANCE): boolean {
  return describeGridDifferences(a, b, tol).length === 0;
}

export function copyGrid(grid: ImageGrid): ImageGrid {
  return {
    dims: [...grid.dims],
    spacingMm: [...grid.spacingMm],
    originLps: [...grid.originLps],
    direction: [...grid.direction],
  };
}

export function hasOrthonormalDirection(grid: ImageGrid): boolean {
  return isOrthonormal(grid.direction);
}

/**
 * Axis correspondence between two grids that sample the same voxel centres in a different axis
 * order or sense (a NIfTI written RAS next to a DICOM series, say). For each axis of `target`,
 * `sourceAxis[t]` is the source axis that runs along it and `flipped[t]` whether it runs backwards.
 * Null when the grids are not such a permutation of each other.
 */
export interface AxisPermutation {
  sourceAxis: Vec3;
  flipped: [boolean, boolean, boolean];
}

export function findAxisPermutation(source: ImageGrid, target: ImageGrid, tol: GridTolerance = DEFAULT_GRID_TOLERANCE): AxisPermutation | null {
  const sourceAxis: Vec3 = [-1, -1, -1];
  const flipped: [boolean, boolean, boolean] = [false, false, false];
  const used = new Set<number>();
  for (let t = 0; t < 3; t++) {
    const tv = column(target.direction, t);
    for (let s = 0; s < 3; s++) {
      if (used.has(s)) continue;
      const sv = column(source.direction, s);
      const same = maxAbsDiff(tv, sv) <= tol.direction;
      const opposite = maxAbsDiff(tv, scale(sv, -1)) <= tol.direction;
      if (!same && !opposite) continue;
      if (source.dims[s] !== target.dims[t]) return null;
      if (Math.abs(source.spacingMm[s] - target.spacingMm[t]) > tol.spacingRelative * target.spacingMm[t]) return null;
      sourceAxis[t] = s;
      flipped[t] = opposite;
      used.add(s);
      break;
    }
    if (sourceAxis[t] < 0) return null;
  }
  // The target origin must be one of the source's corner voxel centres, the one the permutation names.
  const cornerIndex: Vec3 = [0, 0, 0];
  for (let t = 0; t < 3; t++) cornerIndex[sourceAxis[t]] = flipped[t] ? source.dims[sourceAxis[t]] - 1 : 0;
  const corner = indexToWorld(source, cornerIndex);
  if (Math.hypot(...sub(corner, target.originLps)) > tol.positionMm) return null;
  return { sourceAxis, flipped };
}

/** Grid of the voxels [min, max] (inclusive) of `grid`. */
export function subGrid(grid: ImageGrid, minIjk: Vec3, maxIjk: Vec3): ImageGrid {
  return {
    dims: [maxIjk[0] - minIjk[0] + 1, maxIjk[1] - minIjk[1] + 1, maxIjk[2] - minIjk[2] + 1],
    spacingMm: [...grid.spacingMm],
    originLps: indexToWorld(grid, minIjk),
    direction: [...grid.direction],
  };
}

/** A grid from axis vectors (need not be unit length: their norms become the spacing). */
export function gridFromAxes(dims: Vec3, originLps: Vec3, axisSteps: [Vec3, Vec3, Vec3]): ImageGrid {
  const spacing = axisSteps.map((v) => Math.hypot(...v)) as Vec3;
  const unit = axisSteps.map((v, i) => scale(v, 1 / spacing[i])) as [Vec3, Vec3, Vec3];
  return { dims, spacingMm: spacing, originLps: withoutNegativeZero(originLps), direction: withoutNegativeZero(fromColumns(unit[0], unit[1], unit[2])) };
}

/** Replaces −0 (from sign flips of zero components) by 0, so that printed and compared geometry is clean. */
export function withoutNegativeZero<T extends number[]>(values: T): T {
  return values.map((v) => (v === 0 ? 0 : v)) as T;
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
