import { describe, expect, it } from 'vitest';
import {
  distanceMm,
  indexDistanceMm,
  indexToLps,
  lpsToIndex,
  lpsToScreenPoint,
  mmPerPixel,
  planeLayout,
  screenToFocalPlane,
  type ViewFrame,
} from '../../renderer/src/viewer/geometry.js';
import type { Vec3, VolumeGeometry } from '../../renderer/src/viewer/types.js';

/** An anisotropic grid rotated 30° about the feet–head axis, so that index steps and mm differ in every way. */
const c = Math.cos(Math.PI / 6);
const s = Math.sin(Math.PI / 6);
const grid: VolumeGeometry = {
  dims: [64, 48, 20],
  spacingMm: [0.7, 0.9, 2.5],
  originLps: [-120, 35, 410],
  direction: [c, -s, 0, s, c, 0, 0, 0, 1],
};

describe('viewer geometry for the ruler', () => {
  it('lengths between voxel indices go through the spacing and the direction', () => {
    expect(indexDistanceMm(grid, [10, 10, 5], [20, 10, 5])).toBeCloseTo(7, 12);
    expect(indexDistanceMm(grid, [10, 10, 5], [10, 14, 5])).toBeCloseTo(3.6, 12);
    expect(indexDistanceMm(grid, [10, 10, 5], [10, 10, 7])).toBeCloseTo(5, 12);
    // 3-4-5 in mm: 3 mm along i is 30/7 voxels, 4 mm along j is 40/9 voxels.
    expect(indexDistanceMm(grid, [0, 0, 0], [30 / 7, 40 / 9, 0])).toBeCloseTo(5, 12);
    expect(distanceMm([1, 2, 3], [4, 6, 3])).toBe(5);
    const p: Vec3 = [12.5, 7.25, 3];
    lpsToIndex(grid, indexToLps(grid, p)).forEach((v, a) => expect(v).toBeCloseTo(p[a], 10));
  });

  it('a ruler drawn across N screen pixels measures N × mm-per-pixel, on an oblique grid, and screen ↔ LPS round-trips', () => {
    const layout = planeLayout(grid, 'axial');
    const frame: ViewFrame = {
      focalLps: indexToLps(grid, [32, 24, 10]),
      right: layout.right,
      viewUp: layout.viewUp,
      parallelScale: 30,
      width: 400,
      height: 300,
    };
    expect(mmPerPixel(frame)).toBeCloseTo(0.2, 12);
    const a = screenToFocalPlane(frame, 100, 120);
    const b = screenToFocalPlane(frame, 160, 200);
    expect(distanceMm(a, b)).toBeCloseTo(Math.hypot(60, 80) * 0.2, 10);
    const back = lpsToScreenPoint(frame, b);
    expect(back.x).toBeCloseTo(160, 10);
    expect(back.y).toBeCloseTo(200, 10);
    // Both ends lie in the axial plane (same k), so the length is an in-plane length.
    expect(lpsToIndex(grid, a)[2]).toBeCloseTo(lpsToIndex(grid, b)[2], 10);
  });
});
