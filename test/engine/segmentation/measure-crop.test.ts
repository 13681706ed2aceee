import { describe, expect, it } from 'vitest';
import type { Vec3 } from '../../../electron/engine/imaging/vec.js';
import type { Volume } from '../../../electron/engine/imaging/volume.js';
import { measureNodule } from '../../../electron/engine/segmentation/index.js';
import { cropAroundMask } from '../../../electron/engine/segmentation/measurements.js';

const SPACING: Vec3 = [0.7, 0.7, 1.25];

/**
 * A part-solid nodule with a vessel running off it, drawn with its centre at voxel `at` of a grid of
 * `dims` (lung −850 HU around it); the mask holds the nodule and the vessel's first millimetres.
 */
function scene(dims: Vec3, at: Vec3) {
  const n = dims[0] * dims[1] * dims[2];
  const hu = new Int16Array(n).fill(-850);
  const mask = new Uint8Array(n);
  for (let k = 0; k < dims[2]; k++)
    for (let j = 0; j < dims[1]; j++)
      for (let i = 0; i < dims[0]; i++) {
        const d = [(i - at[0]) * SPACING[0], (j - at[1]) * SPACING[1], (k - at[2]) * SPACING[2]];
        const r = Math.hypot(d[0], d[1], d[2]);
        const vessel = d[0] > 0 && d[0] < 14 && Math.hypot(d[1], d[2]) < 1.2;
        const o = i + dims[0] * (j + dims[1] * k);
        if (r < 4) hu[o] = 40;
        else if (r < 8) hu[o] = -520;
        else if (vessel) hu[o] = 30;
        if (r < 8 || (vessel && d[0] < 11)) mask[o] = 1;
      }
  const ct: Volume = { dims, spacingMm: SPACING, originLps: [0, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1], voxels: hu };
  return { ct, mask };
}

describe('measuring a mask on its bounding box', () => {
  it('gives the same measurements wherever the nodule lies in the grid (the slice shifted with it)', () => {
    const small = scene([48, 40, 20], [18, 20, 10]);
    const large = scene([120, 100, 50], [70, 33, 27]);
    // The mask touching the grid's first corner: the crop is clipped there.
    const edge = scene([48, 40, 20], [11, 11, 6]);
    const a = measureNodule(small.mask, small.ct, small.ct);
    const b = measureNodule(large.mask, large.ct, large.ct);
    const c = measureNodule(edge.mask, edge.ct, edge.ct);
    expect(a.voxelCount).toBeGreaterThan(500);
    expect(a.longestAxialDiameterMm).toBeGreaterThan(14);
    expect(a.solidDiameterMm).toBeGreaterThan(6);
    expect(a.solidDiameterMm).toBeLessThan(a.longestAxialDiameterMm);
    for (const m of [b, c]) {
      expect(m.voxelCount).toBe(a.voxelCount);
      expect(m.longestAxialDiameterMm).toBeCloseTo(a.longestAxialDiameterMm, 6);
      expect(m.solidDiameterMm).toBeCloseTo(a.solidDiameterMm, 6);
      expect(m.ctr).toBeCloseTo(a.ctr, 6);
      expect(m.meanHu).toBeCloseTo(a.meanHu, 6);
    }
    expect(b.longestAxialSlice - 27).toBe(a.longestAxialSlice - 10);
    expect(c.longestAxialSlice - 6).toBe(a.longestAxialSlice - 10);
  });

  it('measures an empty mask as nothing, and crops to the box and its margin', () => {
    const { ct } = scene([20, 20, 10], [10, 10, 5]);
    const empty = new Uint8Array(ct.voxels.length);
    expect(measureNodule(empty, ct, ct)).toMatchObject({ voxelCount: 0, longestAxialDiameterMm: 0, longestAxialSlice: -1, solidDiameterMm: 0, ctr: 0 });
    expect(cropAroundMask(empty, ct.voxels, ct.dims, 2)).toBeNull();
    empty[3 + 20 * (4 + 20 * 1)] = 1;
    const crop = cropAroundMask(empty, ct.voxels, ct.dims, 2)!;
    expect(crop.lo).toEqual([1, 2, 0]);
    expect(crop.dims).toEqual([5, 5, 4]);
    expect(crop.mask[2 + 5 * (2 + 5 * 1)]).toBe(1);
    expect(crop.hu![0]).toBe(ct.voxels[1 + 20 * (2 + 20 * 0)]);
  });
});
