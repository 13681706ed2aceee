import { describe, expect, it } from 'vitest';
import type { Vec3 } from '../../../electron/engine/imaging/vec.js';
import type { LabelMap, Volume } from '../../../electron/engine/imaging/volume.js';
import { closeMm, closeMmCoarse, dilateMm, erodeMm, squaredDistanceToFeatures } from '../../../electron/engine/segmentation/distance-transform.js';
import { fillHoles3d, labelComponents } from '../../../electron/engine/segmentation/components.js';
import { MaskEditor, SOLID_THRESHOLD_HU, dice, longestAxialDiameter, measureNodule } from '../../../electron/engine/segmentation/index.js';
import { solidComponent } from '../../../electron/engine/segmentation/solid-component.js';
import { HilumError } from '../../../electron/engine/core/errors.js';

const IDENTITY: LabelMap['direction'] = [1, 0, 0, 0, 1, 0, 0, 0, 1];

function emptyMask(dims: Vec3, spacingMm: Vec3): LabelMap {
  return { dims, spacingMm, originLps: [0, 0, 0], direction: IDENTITY, voxels: new Uint8Array(dims[0] * dims[1] * dims[2]) };
}

/** Number of voxel centres within r of the centre voxel, counted directly. */
function ballCount(spacing: Vec3, r: number): number {
  let n = 0;
  const reach = spacing.map((s) => Math.ceil(r / s));
  for (let k = -reach[2]; k <= reach[2]; k++)
    for (let j = -reach[1]; j <= reach[1]; j++)
      for (let i = -reach[0]; i <= reach[0]; i++) if ((i * spacing[0]) ** 2 + (j * spacing[1]) ** 2 + (k * spacing[2]) ** 2 <= r * r) n++;
  return n;
}

describe('mask editor', () => {
  const spacing: Vec3 = [0.7, 0.7, 1.5];

  it('paints a sphere and an axial disc of the right size, and erases', () => {
    const editor = new MaskEditor(emptyMask([40, 40, 20], spacing));
    expect(editor.brush([20, 20, 10], { value: 1, radiusMm: 4, shape: 'sphere' })).toBe(ballCount(spacing, 4));
    const disc = editor.brush([10, 10, 3], { value: 1, radiusMm: 3, shape: 'disc' });
    expect(disc).toBe(ballCount([0.7, 0.7, 1e9], 3));
    const slices = new Set<number>();
    editor.mask.voxels.forEach((v, o) => {
      if (v && Math.abs((o % 40) - 10) < 6 && Math.abs((Math.floor(o / 40) % 40) - 10) < 6) slices.add(Math.floor(o / 1600));
    });
    expect([...slices]).toEqual([3]);
    // Erasing a smaller ball inside the sphere removes exactly that ball.
    expect(editor.brush([20, 20, 10], { value: 0, radiusMm: 2, shape: 'sphere' })).toBe(ballCount(spacing, 2));
    // Painting where everything is already painted changes nothing and records nothing.
    const depth = editor.canUndo;
    expect(editor.brush([10, 10, 3], { value: 1, radiusMm: 1, shape: 'disc' })).toBe(0);
    expect(editor.canUndo).toBe(depth);
  });

  it('threshold-limited painting only takes voxels within the HU range', () => {
    const mask = emptyMask([20, 20, 5], [1, 1, 1]);
    const ct: Volume = { ...mask, voxels: new Int16Array(mask.voxels.length).fill(-850) };
    for (let o = 0; o < ct.voxels.length; o++) if (o % 20 >= 10) ct.voxels[o] = 40; // right half soft tissue
    const editor = new MaskEditor(mask, ct);
    const changed = editor.brush([10, 10, 2], { value: 1, radiusMm: 3, shape: 'disc', huRange: [-100, 200] });
    let left = 0;
    mask.voxels.forEach((v, o) => {
      if (v && o % 20 < 10) left++;
    });
    expect(left).toBe(0);
    expect(changed).toBeGreaterThan(10);
    expect(() => new MaskEditor(emptyMask([4, 4, 4], [1, 1, 1])).brush([1, 1, 1], { value: 1, radiusMm: 1, shape: 'disc', huRange: [0, 1] })).toThrow(
      /needs the CT/,
    );
    expect(() => new MaskEditor(emptyMask([4, 4, 4], [1, 1, 1]), ct)).toThrow(HilumError);
  });

  it('removes islands, keeping the largest piece or the one clicked', () => {
    const editor = new MaskEditor(emptyMask([30, 30, 10], [1, 1, 1]));
    editor.brush([8, 8, 5], { value: 1, radiusMm: 4, shape: 'sphere' });
    editor.brush([22, 22, 5], { value: 1, radiusMm: 2, shape: 'sphere' });
    const small = ballCount([1, 1, 1], 2);
    const large = ballCount([1, 1, 1], 4);
    expect(editor.removeIslands()).toBe(small);
    editor.undo();
    expect(editor.removeIslands([22, 22, 5])).toBe(large);
    expect(editor.mask.voxels.reduce((a, v) => a + v, 0)).toBe(small);
    expect(() => editor.removeIslands([0, 0, 0])).toThrow(/not in the mask/);
  });

  it('undo and redo restore every voxel exactly; a new edit clears the redo history', () => {
    const editor = new MaskEditor(emptyMask([24, 24, 12], spacing));
    const snapshots = [Uint8Array.from(editor.mask.voxels)];
    editor.brush([12, 12, 6], { value: 1, radiusMm: 5, shape: 'sphere' });
    snapshots.push(Uint8Array.from(editor.mask.voxels));
    editor.brush([14, 12, 6], { value: 0, radiusMm: 2, shape: 'disc' });
    snapshots.push(Uint8Array.from(editor.mask.voxels));
    const replacement = new Uint8Array(editor.mask.voxels.length);
    replacement[5] = 1;
    editor.replaceWith(replacement, 'new automatic segmentation');
    snapshots.push(Uint8Array.from(editor.mask.voxels));
    for (let s = snapshots.length - 2; s >= 0; s--) {
      expect(editor.undo()).not.toBeNull();
      expect(Buffer.from(editor.mask.voxels).equals(Buffer.from(snapshots[s]))).toBe(true);
    }
    expect(editor.undo()).toBeNull();
    expect(editor.redo()?.label).toBe('paint sphere');
    expect(Buffer.from(editor.mask.voxels).equals(Buffer.from(snapshots[1]))).toBe(true);
    editor.brush([3, 3, 3], { value: 1, radiusMm: 1, shape: 'disc' });
    expect(editor.canRedo).toBe(false);
    expect(() => editor.brush([3, 3, 3], { value: 1, radiusMm: 0, shape: 'disc' })).toThrow(/radius must be positive/);
  });
});

describe('measurements', () => {
  it('longest axial diameter is measured edge to edge: a 10×6-voxel rectangle of 0.5 mm pixels is hypot(5, 3) mm', () => {
    const mask = emptyMask([20, 20, 3], [0.5, 0.5, 2]);
    for (let j = 4; j < 10; j++) for (let i = 3; i < 13; i++) mask.voxels[i + 20 * (j + 20 * 1)] = 1;
    const { diameterMm, slice } = longestAxialDiameter(mask.voxels, mask);
    expect(diameterMm).toBeCloseTo(Math.hypot(5, 3), 12);
    expect(slice).toBe(1);
  });

  it('a 10 mm-radius ball with a 5 mm-radius solid core: volume, diameters, CTR, mean HU', () => {
    const s = 0.5;
    const dims: Vec3 = [48, 48, 48];
    const mask = emptyMask(dims, [s, s, s]);
    const ct: Volume = { ...mask, voxels: new Int16Array(mask.voxels.length).fill(-850) };
    let sum = 0;
    let count = 0;
    for (let k = 0; k < 48; k++)
      for (let j = 0; j < 48; j++)
        for (let i = 0; i < 48; i++) {
          const r = Math.hypot(i - 23.5, j - 23.5, k - 23.5) * s;
          const o = i + 48 * (j + 48 * k);
          if (r <= 10) {
            mask.voxels[o] = 1;
            ct.voxels[o] = r <= 5 ? 30 : -600;
            sum += ct.voxels[o];
            count++;
          }
        }
    const m = measureNodule(mask.voxels, ct, mask);
    expect(m.voxelCount).toBe(count);
    expect(m.volumeMl).toBeCloseTo((count * s ** 3) / 1000, 12);
    expect(Math.abs(m.volumeMl - (4 / 3) * Math.PI * 1e-3 * 1000) / 4.18879).toBeLessThan(0.01);
    // Edge to edge: the ball's diameter plus at most the pixel's diagonal.
    expect(m.longestAxialDiameterMm).toBeGreaterThanOrEqual(19.5);
    expect(m.longestAxialDiameterMm).toBeLessThanOrEqual(20 + Math.SQRT2 * s);
    expect(m.solidDiameterMm).toBeGreaterThanOrEqual(9.5);
    expect(m.solidDiameterMm).toBeLessThanOrEqual(10 + Math.SQRT2 * s);
    expect(m.ctr).toBeCloseTo(m.solidDiameterMm / m.longestAxialDiameterMm, 12);
    expect(m.meanHu).toBeCloseTo(sum / count, 9);
  });

  it('the solid component leaves out a spicule and a vessel crossing the ground glass; a pure ground-glass nodule with a vessel has CTR 0', () => {
    const s = 0.5;
    const dims: Vec3 = [64, 64, 48];
    const centre = [31.5, 31.5, 23.5];
    const build = (withCore: boolean) => {
      const mask = emptyMask(dims, [s, s, s]);
      const ct: Volume = { ...mask, voxels: new Int16Array(mask.voxels.length).fill(-850) };
      for (let k = 0; k < dims[2]; k++)
        for (let j = 0; j < dims[1]; j++)
          for (let i = 0; i < dims[0]; i++) {
            const [x, y, z] = [(i - centre[0]) * s, (j - centre[1]) * s, (k - centre[2]) * s];
            const o = i + dims[0] * (j + dims[1] * k);
            const r = Math.hypot(x, y, z);
            // An enhanced vessel (radius 1.5 mm) along x through the whole field, 5 mm above the centre.
            const vessel = Math.hypot(y - 5, z) <= 1.5;
            // A thin solid spicule (radius 0.4 mm) from the core to the edge of the ground glass along −y.
            const spicule = withCore && x * x + z * z <= 0.16 && y < 0 && y > -9.5;
            if (r <= 9.5) {
              mask.voxels[o] = 1;
              ct.voxels[o] = withCore && r <= 4 ? 40 : -550;
            }
            if (vessel) ct.voxels[o] = 200;
            if (spicule) ct.voxels[o] = 40;
          }
      return { mask, ct };
    };
    const partSolid = build(true);
    const m = measureNodule(partSolid.mask.voxels, partSolid.ct, partSolid.mask);
    expect(m.longestAxialDiameterMm).toBeGreaterThanOrEqual(19);
    // The core's diameter (8 mm edge to edge), not the vessel's chord (≈ 17.5 mm) nor core plus spicule (≈ 13.5 mm).
    expect(m.solidDiameterMm).toBeGreaterThanOrEqual(7.5);
    expect(m.solidDiameterMm).toBeLessThanOrEqual(8 + Math.SQRT2 * s);
    const solid = solidComponent(partSolid.mask.voxels, partSolid.ct.voxels, dims, [s, s, s], SOLID_THRESHOLD_HU);
    // The core, with at most a stub of the vessel where the two meet.
    let core = 0;
    let vessel = 0;
    solid.forEach((v, o) => {
      if (v && partSolid.ct.voxels[o] === 40) core++;
      if (v && partSolid.ct.voxels[o] === 200) vessel++;
    });
    expect(core).toBeGreaterThan((0.9 * ((4 / 3) * Math.PI * 4 ** 3)) / s ** 3);
    expect(vessel).toBeLessThan(0.1 * core);
    const pure = build(false);
    const g = measureNodule(pure.mask.voxels, pure.ct, pure.mask);
    expect(g.solidDiameterMm).toBe(0);
    expect(g.ctr).toBe(0);
    // Without the vessel test, the vessel's chord inside the mask would be read as a solid part.
    const chord = new Uint8Array(pure.mask.voxels.length);
    pure.mask.voxels.forEach((v, o) => (chord[o] = v && pure.ct.voxels[o] >= SOLID_THRESHOLD_HU ? 1 : 0));
    expect(longestAxialDiameter(chord, pure.mask).diameterMm).toBeGreaterThan(15);
  });

  it('Dice: 1 for identical masks, 2|A∩B|/(|A|+|B|) otherwise', () => {
    const a = Uint8Array.from([1, 1, 1, 0, 0, 0]);
    const b = Uint8Array.from([0, 1, 1, 1, 1, 0]);
    expect(dice(a, a)).toBe(1);
    expect(dice(a, b)).toBeCloseTo((2 * 2) / 7, 15);
  });
});

describe('morphology', () => {
  it('the distance transform equals brute force on an anisotropic grid', () => {
    const dims: Vec3 = [13, 11, 7];
    const spacing: Vec3 = [0.7, 1.1, 2.5];
    const features = new Uint8Array(dims[0] * dims[1] * dims[2]);
    let state = 12345;
    for (let o = 0; o < features.length; o++) {
      state = (state * 1103515245 + 12345) % 2 ** 31;
      features[o] = state / 2 ** 31 < 0.03 ? 1 : 0;
    }
    const points: Vec3[] = [];
    features.forEach((f, o) => {
      if (f) points.push([o % 13, Math.floor(o / 13) % 11, Math.floor(o / 143)]);
    });
    expect(points.length).toBeGreaterThan(5);
    const d = squaredDistanceToFeatures(features, dims, spacing);
    for (let o = 0; o < features.length; o++) {
      const v: Vec3 = [o % 13, Math.floor(o / 13) % 11, Math.floor(o / 143)];
      let best = Infinity;
      for (const p of points) best = Math.min(best, ((v[0] - p[0]) * spacing[0]) ** 2 + ((v[1] - p[1]) * spacing[1]) ** 2 + ((v[2] - p[2]) * spacing[2]) ** 2);
      expect(d[o]).toBeCloseTo(best, 9);
    }
  });

  it('a large closing on the coarsened grid keeps the mask and matches the exact closing up to its surface', () => {
    // Lung with a 14 mm-deep, 10 mm-wide bite (a tumour against the chest wall) on a 0.7 × 0.7 × 1 mm grid.
    const dims: Vec3 = [80, 80, 40];
    const spacing: Vec3 = [0.7, 0.7, 1];
    const lung = new Uint8Array(80 * 80 * 40);
    for (let k = 0; k < 40; k++)
      for (let j = 0; j < 80; j++)
        for (let i = 0; i < 80; i++) {
          const [x, y, z] = [i * 0.7, j * 0.7, k];
          const bite = Math.hypot(x - 28, z - 20) < 5 && y > 56 - 14;
          if (y < 42 + 14 && !bite) lung[i + 80 * (j + 80 * k)] = 1;
        }
    const exact = closeMm(lung, dims, spacing, 12);
    const coarse = closeMmCoarse(lung, dims, spacing, 12);
    lung.forEach((v, o) => {
      if (v) expect(coarse[o]).toBe(1);
    });
    // The bite is bridged by both.
    const inBite = 40 + 80 * (70 + 80 * 20);
    expect(lung[inBite]).toBe(0);
    expect(exact[inBite]).toBe(1);
    expect(coarse[inBite]).toBe(1);
    // Voxels where they differ lie within a coarse voxel (1.4 mm) of the exact closing's surface.
    const grown = dilateMm(exact, dims, spacing, 0.71);
    const surface2 = squaredDistanceToFeatures(
      exact.map((v, o) => (v !== grown[o] ? 1 : 0)),
      dims,
      spacing,
    );
    let differing = 0;
    exact.forEach((v, o) => {
      if (v !== coarse[o]) {
        differing++;
        expect(surface2[o]).toBeLessThanOrEqual(1.5 ** 2);
      }
    });
    expect(differing).toBeLessThan(0.01 * lung.length);
  });

  it('dilation and erosion by a ball in mm; closing bridges a gap narrower than the ball; holes fill', () => {
    const dims: Vec3 = [21, 21, 21];
    const one = new Uint8Array(21 ** 3);
    one[10 + 21 * (10 + 21 * 10)] = 1;
    const grown = dilateMm(one, dims, [1, 1, 1], 3);
    expect(grown.reduce((a, v) => a + v, 0)).toBe(ballCount([1, 1, 1], 3));
    expect(erodeMm(grown, dims, [1, 1, 1], 3).reduce((a, v) => a + v, 0)).toBe(1);
    // Two slabs 2 voxels apart are bridged by a 2 mm closing but not by a 0.5 mm one.
    const slabs = new Uint8Array(21 ** 3);
    for (let o = 0; o < slabs.length; o++) {
      const i = o % 21;
      if ((i >= 3 && i <= 8) || (i >= 11 && i <= 17)) slabs[o] = 1;
    }
    const gap = 9 + 21 * (10 + 21 * 10);
    expect(closeMm(slabs, dims, [1, 1, 1], 2)[gap]).toBe(1);
    expect(closeMm(slabs, dims, [1, 1, 1], 0.5)[gap]).toBe(0);
    // A hollow cube is filled; a cube open to the edge is not.
    const hollow = new Uint8Array(21 ** 3);
    for (let k = 5; k <= 15; k++)
      for (let j = 5; j <= 15; j++) for (let i = 5; i <= 15; i++) if ([i, j, k].some((v) => v === 5 || v === 15)) hollow[i + 21 * (j + 21 * k)] = 1;
    expect(fillHoles3d(hollow, dims)[10 + 21 * (10 + 21 * 10)]).toBe(1);
    const { sizes } = labelComponents(hollow, dims, 26);
    expect(sizes.filter((s) => s > 0)).toHaveLength(1);
  });
});
