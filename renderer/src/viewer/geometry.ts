/**
 * LPS ↔ voxel index arithmetic and the camera layout of the three MPR planes, in radiological
 * convention (axial seen from the feet, coronal from the front, sagittal from the patient's left;
 * the patient's left on the screen's right).
 */
// The `.js` suffix lets the unit tests (NodeNext) compile this file as the bundler does.
import type { Plane, Vec3, VolumeGeometry } from './types.js';

export const dot = (a: Vec3, b: Vec3): number => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
export const add = (a: Vec3, b: Vec3): Vec3 => [a[0] + b[0], a[1] + b[1], a[2] + b[2]];
export const sub = (a: Vec3, b: Vec3): Vec3 => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
export const scale = (a: Vec3, s: number): Vec3 => [a[0] * s, a[1] * s, a[2] * s];
export const cross = (a: Vec3, b: Vec3): Vec3 => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
export const normalize = (a: Vec3): Vec3 => scale(a, 1 / (Math.hypot(...a) || 1));

/** Direction of increasing index along `axis` (a column of the row-major direction matrix). */
export function axisDirection(g: VolumeGeometry, axis: number): Vec3 {
  const d = g.direction;
  return [d[axis], d[3 + axis], d[6 + axis]];
}

/** The engine's row-major direction as vtk.js wants it: the i, j, k axis directions one after another. */
export function vtkDirection(g: VolumeGeometry): number[] {
  return [0, 1, 2].flatMap((a) => axisDirection(g, a));
}

export function indexToLps(g: VolumeGeometry, ijk: Vec3): Vec3 {
  let p: Vec3 = [...g.originLps];
  for (let a = 0; a < 3; a++) p = add(p, scale(axisDirection(g, a), ijk[a] * g.spacingMm[a]));
  return p;
}

/** Continuous voxel index of an LPS point (the direction is orthonormal for the grids the viewer shows). */
export function lpsToIndex(g: VolumeGeometry, lps: Vec3): Vec3 {
  const d = sub(lps, g.originLps);
  return [0, 1, 2].map((a) => dot(d, axisDirection(g, a)) / g.spacingMm[a]) as Vec3;
}

/** Straight-line distance between two LPS points (mm). */
export function distanceMm(a: Vec3, b: Vec3): number {
  return Math.hypot(...sub(a, b));
}

/** Physical length (mm) between two continuous voxel indices, through the grid's spacing and direction. */
export function indexDistanceMm(g: VolumeGeometry, aIjk: Vec3, bIjk: Vec3): number {
  return distanceMm(indexToLps(g, aIjk), indexToLps(g, bIjk));
}

export function volumeCentre(g: VolumeGeometry): Vec3 {
  return indexToLps(g, g.dims.map((n) => (n - 1) / 2) as Vec3);
}

/** Value at the voxel nearest to `lps`, or null outside the grid. */
export function sampleAt<T extends ArrayLike<number>>(g: VolumeGeometry, data: T, lps: Vec3): number | null {
  const [i, j, k] = lpsToIndex(g, lps).map(Math.round);
  const [nx, ny, nz] = g.dims;
  if (i < 0 || j < 0 || k < 0 || i >= nx || j >= ny || k >= nz) return null;
  return data[i + nx * (j + ny * k)];
}

const ANATOMY: Record<Plane, { viewDir: Vec3; up: Vec3 }> = {
  axial: { viewDir: [0, 0, 1], up: [0, -1, 0] },
  coronal: { viewDir: [0, 1, 0], up: [0, 0, 1] },
  sagittal: { viewDir: [-1, 0, 0], up: [0, 0, 1] },
};

export interface PlaneLayout {
  /** Index axis the plane slices (0 = i, 1 = j, 2 = k). */
  axis: number;
  /** Camera direction of projection (unit, along the slicing axis). */
  viewDir: Vec3;
  viewUp: Vec3;
  /** Screen right in LPS. */
  right: Vec3;
}

/** The slicing axis closest to the anatomical plane normal, and the camera that looks straight at it. */
export function planeLayout(g: VolumeGeometry, plane: Plane): PlaneLayout {
  const want = ANATOMY[plane];
  let axis = 0;
  let best = -1;
  for (let a = 0; a < 3; a++) {
    const c = Math.abs(dot(axisDirection(g, a), want.viewDir));
    if (c > best) [best, axis] = [c, a];
  }
  const ax = axisDirection(g, axis);
  const viewDir = dot(ax, want.viewDir) >= 0 ? ax : scale(ax, -1);
  const viewUp = normalize(sub(want.up, scale(viewDir, dot(want.up, viewDir))));
  return { axis, viewDir, viewUp, right: cross(viewDir, viewUp) };
}

/** Inclusive voxel-index box [lo, hi] of the voxels (x fastest) for which `include(offset)` holds, or null when none does. */
export function indexBox(dims: Vec3, include: (offset: number) => boolean): [Vec3, Vec3] | null {
  const [nx, ny, nz] = dims;
  const lo: Vec3 = [nx, ny, nz];
  const hi: Vec3 = [-1, -1, -1];
  for (let k = 0, o = 0; k < nz; k++)
    for (let j = 0; j < ny; j++)
      for (let i = 0; i < nx; i++, o++)
        if (include(o)) {
          if (i < lo[0]) lo[0] = i;
          if (i > hi[0]) hi[0] = i;
          if (j < lo[1]) lo[1] = j;
          if (j > hi[1]) hi[1] = j;
          if (k < lo[2]) lo[2] = k;
          if (k > hi[2]) hi[2] = k;
        }
  return hi[0] < 0 ? null : [lo, hi];
}

/** A parallel-projection view: the focal point, the screen's right and up in LPS, the half-height in mm, the size in CSS px. */
export interface ViewFrame {
  focalLps: Vec3;
  right: Vec3;
  viewUp: Vec3;
  /** Half of the view's height in mm (vtk.js's parallel scale). */
  parallelScale: number;
  width: number;
  height: number;
}

/** CSS pixel (from the view's top left) → LPS point on the view's focal plane. */
export function screenToFocalPlane(f: ViewFrame, x: number, y: number): Vec3 {
  const nx = (2 * x) / f.width - 1;
  const ny = 1 - (2 * y) / f.height;
  return add(f.focalLps, add(scale(f.right, nx * f.parallelScale * (f.width / f.height)), scale(f.viewUp, ny * f.parallelScale)));
}

/** LPS point → CSS pixel in the view (its component along the view direction is ignored). */
export function lpsToScreenPoint(f: ViewFrame, p: Vec3): { x: number; y: number } {
  const d = sub(p, f.focalLps);
  const nx = dot(d, f.right) / (f.parallelScale * (f.width / f.height));
  const ny = dot(d, f.viewUp) / f.parallelScale;
  return { x: ((nx + 1) / 2) * f.width, y: ((1 - ny) / 2) * f.height };
}

/** Millimetres per CSS pixel of a view (the same along both screen axes). */
export function mmPerPixel(f: ViewFrame): number {
  return (2 * f.parallelScale) / f.height;
}

/**
 * The focal point after zooming a view to `newParallelScale` about the CSS pixel (x, y), so the
 * point under it stays under it. A point at normalised screen offset (nx, ny) from the centre lies
 * at F + (right·nx·aspect + up·ny)·s; holding it fixed while s changes to s' moves the focal point
 * by (right·nx·aspect + up·ny)·(s − s').
 */
export function zoomAboutPoint(f: ViewFrame, x: number, y: number, newParallelScale: number): Vec3 {
  const nx = (2 * x) / f.width - 1;
  const ny = 1 - (2 * y) / f.height;
  const offset = add(scale(f.right, nx * (f.width / f.height)), scale(f.viewUp, ny));
  return add(f.focalLps, scale(offset, f.parallelScale - newParallelScale));
}

/** `p` with its component along `normal` (unit) removed: the in-plane part of a pan or an offset. */
export function inPlane(p: Vec3, normal: Vec3): Vec3 {
  return sub(p, scale(normal, dot(p, normal)));
}
