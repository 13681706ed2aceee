import { describe, expect, it } from 'vitest';
import type { Vec3 } from '../../../electron/engine/imaging/vec.js';
import { refineBoundaryByLocalContrast } from '../../../electron/engine/segmentation/boundary-refine.js';

const DIMS: Vec3 = [31, 31, 3];
const SPACING: Vec3 = [0.7, 0.7, 2.5];
const at = (i: number, j: number, k: number) => i + DIMS[0] * (j + DIMS[1] * k);

/** A disc of `insideHu` (radius 6 voxels, every slice) in `outsideHu`, with a one-voxel ramp of `rampHu` around it. */
function disc(insideHu: number, outsideHu: number, rampHu: number): Float32Array {
  const values = new Float32Array(DIMS[0] * DIMS[1] * DIMS[2]);
  for (let k = 0; k < DIMS[2]; k++)
    for (let j = 0; j < DIMS[1]; j++)
      for (let i = 0; i < DIMS[0]; i++) {
        const r = Math.hypot(i - 15, j - 15);
        values[at(i, j, k)] = r <= 6 ? insideHu : r <= 7 ? rampHu : outsideHu;
      }
  return values;
}

function maskWithin(radius: number): Uint8Array {
  const mask = new Uint8Array(DIMS[0] * DIMS[1] * DIMS[2]);
  for (let k = 0; k < DIMS[2]; k++)
    for (let j = 0; j < DIMS[1]; j++) for (let i = 0; i < DIMS[0]; i++) mask[at(i, j, k)] = Math.hypot(i - 15, j - 15) <= radius ? 1 : 0;
  return mask;
}

const count = (mask: Uint8Array) => mask.reduce((a, b) => a + b, 0);
const everywhere = () => new Uint8Array(DIMS[0] * DIMS[1] * DIMS[2]).fill(1);
const OPTIONS = { windowMm: 3, fraction: 0.3, ceilingHu: 200 };

describe('local-contrast boundary refinement', () => {
  it('takes in the partial-volume ring above 30 % of the local contrast and leaves out one below it', () => {
    // Nodule 0 HU in −850 HU lung: the level is −850 + 0.3 · 850 ≈ −595 HU (near the edge the means are close to those).
    const bright = disc(0, -850, -500);
    const grown = refineBoundaryByLocalContrast(maskWithin(6), bright, DIMS, SPACING, everywhere(), OPTIONS);
    expect(count(grown)).toBe(count(maskWithin(7)));
    const faint = disc(0, -850, -700);
    const kept = refineBoundaryByLocalContrast(maskWithin(6), faint, DIMS, SPACING, everywhere(), OPTIONS);
    expect(count(kept)).toBe(count(maskWithin(6)));
  });

  it('drops edge voxels that are lung although the global threshold took them, and changes nothing off the edge band', () => {
    const values = disc(0, -850, -850);
    const tooWide = maskWithin(8);
    const refined = refineBoundaryByLocalContrast(tooWide, values, DIMS, SPACING, everywhere(), OPTIONS);
    for (let k = 0; k < DIMS[2]; k++)
      for (let j = 0; j < DIMS[1]; j++)
        for (let i = 0; i < DIMS[0]; i++) {
          const r = Math.hypot(i - 15, j - 15);
          const o = at(i, j, k);
          if (r <= 6)
            expect(refined[o]).toBe(1); // the nodule
          else if (r > 7.5) expect(refined[o]).toBe(0); // lung on the band (and outside)
          if (r <= 6.5) expect(refined[o]).toBe(tooWide[o]); // off the band: never decided again
        }
    expect(count(refined)).toBeLessThan(count(tooWide));
    expect(count(refined)).toBeGreaterThanOrEqual(count(maskWithin(6)));
  });

  it('a vessel brighter than the ceiling counts in neither mean, and voxels outside the allowed region never change', () => {
    const values = disc(0, -850, -500);
    // A bright vessel beside the disc would lift the outside mean (and the level) if it counted.
    for (let k = 0; k < DIMS[2]; k++) for (let i = 23; i <= 25; i++) for (let j = 10; j <= 20; j++) values[at(i, j, k)] = 400;
    const grown = refineBoundaryByLocalContrast(maskWithin(6), values, DIMS, SPACING, everywhere(), OPTIONS);
    const vesselCounted = refineBoundaryByLocalContrast(maskWithin(6), values, DIMS, SPACING, everywhere(), { ...OPTIONS, ceilingHu: 1000 });
    expect(count(grown)).toBeGreaterThan(count(vesselCounted));
    expect(count(grown)).toBeGreaterThan(count(maskWithin(6)));
    const allowed = everywhere();
    for (let k = 0; k < DIMS[2]; k++) for (let j = 0; j < DIMS[1]; j++) for (let i = 16; i < DIMS[0]; i++) allowed[at(i, j, k)] = 0;
    const half = refineBoundaryByLocalContrast(maskWithin(6), values, DIMS, SPACING, allowed, OPTIONS);
    for (let k = 0; k < DIMS[2]; k++)
      for (let j = 0; j < DIMS[1]; j++) for (let i = 16; i < DIMS[0]; i++) expect(half[at(i, j, k)]).toBe(maskWithin(6)[at(i, j, k)]);
    expect(count(half)).toBeGreaterThan(count(maskWithin(6)));
  });
});
