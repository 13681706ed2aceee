import { describe, expect, it } from 'vitest';
import { analyseSliceStack, clusterSteps, type SliceRef } from '../../../electron/engine/imaging/dicom/slice-geometry.js';
import type { Vec3 } from '../../../electron/engine/imaging/vec.js';

const stack = (zs: number[], options: { step?: (k: number) => Vec3; uids?: string[] } = {}) =>
  analyseSliceStack({
    slices: zs.map((z, k): SliceRef => ({
      fileIndex: k,
      frameIndex: 0,
      sopInstanceUid: options.uids?.[k] ?? `uid${k}`,
      positionLps: options.step ? options.step(k) : [0, 0, z],
    })),
    rowDirection: [1, 0, 0],
    columnDirection: [0, 1, 0],
    pixelSpacingMm: [0.5, 0.5],
    rows: 4,
    columns: 4,
    nominalSliceSpacingMm: 2,
    gantryTiltTagDeg: null,
  });
const codes = (s: ReturnType<typeof stack>) => s.findings.map((f) => f.code);

describe('slice stack analysis', () => {
  it('an even stack in shuffled order: sorted, exact grid, no findings', () => {
    const s = stack([4, 0, 2, 6, 8]);
    expect(s.normalPositionsMm).toEqual([0, 2, 4, 6, 8]);
    expect(s.slices.map((x) => x.fileIndex)).toEqual([1, 2, 0, 3, 4]);
    expect(s.grid?.spacingMm).toEqual([0.5, 0.5, 2]);
    expect(s.findings).toEqual([]);
  });

  it('rounded header positions give jitter within tolerance, not an error', () => {
    const s = stack([0, 1.25, 2.5, 3.749, 5.001]);
    expect(codes(s)).toEqual(['SLICE_SPACING_JITTER']);
    expect(s.grid?.spacingMm[2]).toBeCloseTo(1.25025, 5);
  });

  it('two missing slices: one gap, about 2 missing', () => {
    const s = stack([0, 1, 2, 3, 6, 7, 8]);
    const gap = s.findings.find((f) => f.code === 'SLICE_GAP');
    expect(gap?.data?.missingSlices).toBe(2);
    expect(s.grid).toBeNull();
  });

  it('two protocols (no dominant spacing) are uneven, not gaps', () => {
    const s = stack([0, 4, 8, 12, 19, 26, 33]);
    expect(codes(s)).toEqual(['UNEVEN_SLICE_SPACING']);
  });

  it('a stray step below the dominant spacing is uneven spacing', () => {
    expect(codes(stack([0, 2, 4, 6, 6.5, 8.5, 10.5]))).toEqual(['UNEVEN_SLICE_SPACING']);
  });

  it('duplicates: the same instance twice is dropped with a warning; different images at one position are an error', () => {
    const copy = stack([0, 2, 2, 4], { uids: ['a', 'b', 'b', 'c'] });
    expect(codes(copy)).toEqual(['DUPLICATE_INSTANCE']);
    expect(copy.slices).toHaveLength(3);
    expect(codes(stack([0, 2, 2, 4]))).toContain('DUPLICATE_SLICE_POSITION');
  });

  it('positions off a straight line are refused', () => {
    const s = stack([0, 1, 2, 3], { step: (k) => [k === 2 ? 3 : 0, 0, k] });
    expect(codes(s)).toContain('NONLINEAR_SLICE_POSITIONS');
  });

  it('a tilted stack keeps its exact sheared slice axis', () => {
    const t = Math.tan((15 * Math.PI) / 180);
    const s = stack([0, 0, 0, 0], { step: (k) => [0, 2 * k * t, 2 * k] });
    expect(s.tiltDeg).toBeCloseTo(15, 9);
    expect(codes(s)).toEqual(['GANTRY_TILT']);
    const g = s.grid!;
    expect([g.direction[2] * g.spacingMm[2], g.direction[5] * g.spacingMm[2], g.direction[8] * g.spacingMm[2]].map((v) => +v.toFixed(9))).toEqual([
      0,
      +(2 * t).toFixed(9),
      2,
    ]);
  });

  it('clusters equal steps, largest group first', () => {
    const clusters = clusterSteps([4, 4.001, 7, 7, 7, 1.08]);
    expect(clusters.map((c) => c.count)).toEqual([3, 2, 1]);
    expect(clusters.map((c) => c.valueMm)).toEqual([7, expect.closeTo(4.0005, 9), 1.08]);
  });
});
