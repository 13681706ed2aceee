import { describe, expect, it } from 'vitest';
import type { Vec3 } from '../../../electron/engine/imaging/vec.js';
import type { LabelMap, Volume } from '../../../electron/engine/imaging/volume.js';
import { labelComponents } from '../../../electron/engine/segmentation/components.js';
import { MaskEditor } from '../../../electron/engine/segmentation/index.js';

const IDENTITY: LabelMap['direction'] = [1, 0, 0, 0, 1, 0, 0, 0, 1];
const DIMS: Vec3 = [64, 64, 12];
const SPACING: Vec3 = [0.7, 0.7, 1.5];

function emptyMask(): LabelMap {
  return { dims: DIMS, spacingMm: SPACING, originLps: [0, 0, 0], direction: IDENTITY, voxels: new Uint8Array(DIMS[0] * DIMS[1] * DIMS[2]) };
}

/** A CT whose left half (i < 32) is soft tissue (40 HU) and right half is lung (−800 HU). */
function halfCt(): Volume {
  const voxels = new Int16Array(DIMS[0] * DIMS[1] * DIMS[2]);
  for (let o = 0; o < voxels.length; o++) voxels[o] = o % DIMS[0] < 32 ? 40 : -800;
  return { dims: DIMS, spacingMm: SPACING, originLps: [0, 0, 0], direction: IDENTITY, voxels };
}

const offset = ([i, j, k]: Vec3) => i + DIMS[0] * (j + DIMS[1] * k);
const nearest = (p: Vec3): Vec3 => p.map(Math.round) as Vec3;

/** Points every `stepMm` along the polyline (continuous voxel indices), ends included. */
function samples(path: Vec3[], stepMm: number): Vec3[] {
  const out: Vec3[] = [path[0]];
  for (let n = 1; n < path.length; n++) {
    const [a, b] = [path[n - 1], path[n]];
    const lengthMm = Math.hypot(...a.map((v, x) => (b[x] - v) * SPACING[x]));
    const steps = Math.max(1, Math.ceil(lengthMm / stepMm));
    for (let s = 1; s <= steps; s++) out.push(a.map((v, x) => v + ((b[x] - v) * s) / steps) as Vec3);
  }
  return out;
}

/** A 3-point path in one axial slice, its points ~20 and ~14 mm apart (far more than a 2 mm brush). */
const PATH: Vec3[] = [
  [6.3, 10.2, 5],
  [34.6, 12.9, 5],
  [40.1, 32.4, 5],
];

describe('brush paths: a drag painted as one continuous stroke', () => {
  for (const shape of ['disc', 'sphere'] as const)
    it(`a 3-point path with a ${shape} brush covers every point of the polyline (0.25 mm steps), in one connected piece`, () => {
      const editor = new MaskEditor(emptyMask());
      const before = Uint8Array.from(editor.mask.voxels);
      const changed = editor.brushPath(PATH, { value: 1, radiusMm: 2, shape, stroke: 'drag' });
      expect(changed).toBeGreaterThan(0);
      const points = samples(PATH, 0.25);
      expect(points.length).toBeGreaterThan(120);
      const missing = points.filter((p) => editor.mask.voxels[offset(nearest(p))] !== 1);
      expect(missing).toEqual([]);
      // No gaps: the painted voxels form one 6-connected piece.
      const { sizes } = labelComponents(editor.mask.voxels, DIMS, 6);
      expect(sizes.filter((n, l) => l > 0 && n > 0)).toHaveLength(1);
      // Only voxels near the path: none further than the radius (+ rounding) from it.
      const far = editor.mask.voxels.findIndex((v, o) => {
        if (!v) return false;
        const p: Vec3 = [o % DIMS[0], Math.floor(o / DIMS[0]) % DIMS[1], Math.floor(o / (DIMS[0] * DIMS[1]))];
        return Math.min(...points.map((q) => Math.hypot(...p.map((x, a) => (x - q[a]) * SPACING[a])))) > 2 + 0.26;
      });
      expect(far).toBe(-1);
      if (shape === 'disc') expect(editor.mask.voxels.some((v, o) => v && Math.floor(o / (DIMS[0] * DIMS[1])) !== 5)).toBe(false);
      else expect(editor.mask.voxels.some((v, o) => v && Math.floor(o / (DIMS[0] * DIMS[1])) === 6)).toBe(true);
      // The changed box is exactly the painted voxels' bounds.
      const box = editor.lastChangedBox!;
      const painted = editor.mask.voxels.reduce<number[]>((acc, v, o) => (v !== before[o] ? [...acc, o] : acc), []);
      const ijk = painted.map((o): Vec3 => [o % DIMS[0], Math.floor(o / DIMS[0]) % DIMS[1], Math.floor(o / (DIMS[0] * DIMS[1]))]);
      expect(box.min).toEqual([0, 1, 2].map((a) => Math.min(...ijk.map((p) => p[a]))));
      expect(box.max).toEqual([0, 1, 2].map((a) => Math.max(...ijk.map((p) => p[a]))));
      // One undo restores the mask byte for byte; redo gives the painted mask back.
      const after = Uint8Array.from(editor.mask.voxels);
      editor.undo();
      expect(Buffer.from(editor.mask.voxels).equals(Buffer.from(before))).toBe(true);
      expect(editor.canUndo).toBe(false);
      editor.redo();
      expect(Buffer.from(editor.mask.voxels).equals(Buffer.from(after))).toBe(true);
    });

  it('a disc path that crosses slices paints each slice it passes through, without gaps', () => {
    const editor = new MaskEditor(emptyMask());
    const path: Vec3[] = [
      [20, 20, 1],
      [40, 20, 9],
    ];
    editor.brushPath(path, { value: 1, radiusMm: 1.5, shape: 'disc' });
    for (const p of samples(path, 0.25)) expect(editor.mask.voxels[offset(nearest(p))], `at ${p.join(', ')}`).toBe(1);
    const slices = new Set<number>();
    editor.mask.voxels.forEach((v, o) => v && slices.add(Math.floor(o / (DIMS[0] * DIMS[1]))));
    expect([...slices].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('a one-point path paints exactly what one dab paints', () => {
    for (const shape of ['disc', 'sphere'] as const) {
      const a = new MaskEditor(emptyMask());
      const b = new MaskEditor(emptyMask());
      a.brush([30, 30, 6], { value: 1, radiusMm: 3, shape });
      b.brushPath([[30, 30, 6]], { value: 1, radiusMm: 3, shape });
      expect(Buffer.from(a.mask.voxels).equals(Buffer.from(b.mask.voxels))).toBe(true);
    }
  });

  it('the HU range still limits a path: only voxels in range change, and the in-range part is continuous', () => {
    const ct = halfCt();
    const editor = new MaskEditor(emptyMask(), ct);
    const before = Uint8Array.from(editor.mask.voxels);
    editor.brushPath(PATH, { value: 1, radiusMm: 2, shape: 'disc', huRange: [-100, 100], stroke: 's' });
    expect(editor.mask.voxels.every((v, o) => !v || (ct.voxels[o] >= -100 && ct.voxels[o] <= 100))).toBe(true);
    const inRange = samples(PATH, 0.25).filter((p) => nearest(p)[0] < 32);
    expect(inRange.length).toBeGreaterThan(50);
    expect(inRange.filter((p) => editor.mask.voxels[offset(nearest(p))] !== 1)).toEqual([]);
    expect(samples(PATH, 0.25).some((p) => nearest(p)[0] >= 32 && editor.mask.voxels[offset(nearest(p))] === 1)).toBe(false);
    editor.undo();
    expect(Buffer.from(editor.mask.voxels).equals(Buffer.from(before))).toBe(true);
  });

  it('paths sent in batches with one stroke ID (each batch starting at the last point) are one undo step; erase paths sweep too', () => {
    const editor = new MaskEditor(emptyMask());
    editor.brush([50, 50, 5], { value: 1, radiusMm: 3, shape: 'disc' });
    const start = Uint8Array.from(editor.mask.voxels);
    editor.brushPath(PATH.slice(0, 2), { value: 1, radiusMm: 2, shape: 'disc', stroke: 'batched' });
    editor.brushPath(PATH.slice(1), { value: 1, radiusMm: 2, shape: 'disc', stroke: 'batched' });
    const whole = new MaskEditor(emptyMask());
    whole.mask.voxels.set(start);
    whole.brushPath(PATH, { value: 1, radiusMm: 2, shape: 'disc' });
    expect(Buffer.from(editor.mask.voxels).equals(Buffer.from(whole.mask.voxels))).toBe(true);
    const painted = Uint8Array.from(editor.mask.voxels);
    // An erase path along the first segment with a smaller brush clears the line's centre.
    editor.brushPath(PATH.slice(0, 2), { value: 0, radiusMm: 1, shape: 'disc', stroke: 'rubber' });
    for (const p of samples(PATH.slice(0, 2), 0.25)) expect(editor.mask.voxels[offset(nearest(p))]).toBe(0);
    expect(editor.lastChangedBox).not.toBeNull();
    editor.undo();
    expect(Buffer.from(editor.mask.voxels).equals(Buffer.from(painted))).toBe(true);
    editor.undo();
    expect(Buffer.from(editor.mask.voxels).equals(Buffer.from(start))).toBe(true);
    // A path that changes nothing reports no box.
    editor.brushPath(PATH, { value: 0, radiusMm: 1, shape: 'disc' });
    expect(editor.lastChangedBox).toBeNull();
  });
});
