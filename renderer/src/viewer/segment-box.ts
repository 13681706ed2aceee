/**
 * The box of a box-segmentation, from the rectangle dragged on one 2D view: the rectangle's two
 * corners lie on the view's slice, so they span two axes; along the third (the view's normal) the
 * box reaches half the rectangle's larger side each way — a mass is about as deep as it is wide, and
 * a box too deep only costs time. The click is the box's centre.
 */
import type { Vec3 } from './types.js';

export interface SegmentBox {
  aLps: Vec3;
  bLps: Vec3;
  seedLps: Vec3;
}

/** The smallest rectangle side (mm) taken for a box; a shorter drag is a click. */
export const MIN_BOX_MM = 5;

export function boxFromRectangle(aLps: Vec3, bLps: Vec3): SegmentBox | null {
  const extent = aLps.map((v, i) => Math.abs(v - bLps[i]));
  // The view's normal: the axis along which the two corners (on one slice) do not differ.
  let normal = 0;
  for (let i = 1; i < 3; i++) if (extent[i] < extent[normal]) normal = i;
  const sides = extent.filter((_, i) => i !== normal);
  if (Math.min(sides[0], sides[1]) < MIN_BOX_MM) return null;
  const half = Math.max(sides[0], sides[1]) / 2;
  const centre = aLps.map((v, i) => (v + bLps[i]) / 2) as Vec3;
  const a = [...aLps] as Vec3;
  const b = [...bLps] as Vec3;
  a[normal] = centre[normal] - half;
  b[normal] = centre[normal] + half;
  return { aLps: a, bLps: b, seedLps: centre };
}
