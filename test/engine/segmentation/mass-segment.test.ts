import { describe, expect, it } from 'vitest';
import type { HilumError } from '../../../electron/engine/core/errors.js';
import type { Vec3 } from '../../../electron/engine/imaging/vec.js';
import type { Volume } from '../../../electron/engine/imaging/volume.js';
import { dice } from '../../../electron/engine/segmentation/measurements.js';
import { segmentMass } from '../../../electron/engine/segmentation/mass-segment.js';
import { segmentNodule } from '../../../electron/engine/segmentation/click-segment.js';
import { indexToWorld } from '../../../electron/engine/imaging/grid.js';

const DIMS: Vec3 = [120, 120, 40];
const SPACING: Vec3 = [1, 1, 2.5];
const [NX, NY, NZ] = DIMS;
/** Axis of the thorax (voxel i, j) and the radii (mm) of its layers. */
const AXIS = [60, 60];
const BODY_MM = 58;
const RIB_OUTER_MM = 52;
const RIB_INNER_MM = 48;
/** The mass: a 70 mm ball against the ribs on the +i side. */
const MASS_RADIUS_MM = 35;
const MASS_CENTRE: Vec3 = [60 + RIB_INNER_MM - MASS_RADIUS_MM, 60, 20];

const offset = ([i, j, k]: Vec3) => i + NX * (j + NY * k);

/**
 * A thorax-like phantom: air outside, a soft-tissue (40 HU) body with a rib ring (700 HU, ribs 15° wide
 * with 15° intercostal gaps of soft tissue), lung (−850 HU) inside, and a 70 mm mass (40 HU)
 * pressed against the ribs; Gaussian-like noise of about 20 HU. Returns the CT and the ball's mask.
 */
function thorax(): { ct: Volume; ball: Uint8Array; wall: Uint8Array } {
  const voxels = new Int16Array(NX * NY * NZ);
  const ball = new Uint8Array(voxels.length);
  const wall = new Uint8Array(voxels.length);
  let state = 12345;
  const uniform = () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
  for (let k = 0, o = 0; k < NZ; k++)
    for (let j = 0; j < NY; j++)
      for (let i = 0; i < NX; i++, o++) {
        const x = (i - AXIS[0]) * SPACING[0];
        const y = (j - AXIS[1]) * SPACING[1];
        const r = Math.hypot(x, y);
        const angle = (Math.atan2(y, x) * 180) / Math.PI + 180;
        const inBall = Math.hypot((i - MASS_CENTRE[0]) * SPACING[0], (j - MASS_CENTRE[1]) * SPACING[1], (k - MASS_CENTRE[2]) * SPACING[2]) <= MASS_RADIUS_MM;
        let hu = -1000;
        if (r <= BODY_MM) hu = 40;
        if (r < RIB_OUTER_MM && r >= RIB_INNER_MM && Math.floor(angle / 15) % 2 === 0) hu = 700;
        if (r < RIB_INNER_MM) hu = inBall ? 40 : -850;
        if (r >= RIB_INNER_MM && r <= BODY_MM) wall[o] = 1;
        ball[o] = inBall && r < RIB_INNER_MM ? 1 : 0;
        const noise = (uniform() + uniform() + uniform() - 1.5) * 40;
        voxels[o] = Math.round(hu + noise);
      }
  const ct: Volume = { dims: DIMS, spacingMm: SPACING, originLps: [0, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1], voxels };
  return { ct, ball, wall };
}

/** Inclusive voxel box of the ball grown by `pad` voxels, clipped to the grid. */
function ballBox(pad: number): { lo: Vec3; hi: Vec3 } {
  const half = SPACING.map((s) => Math.ceil(MASS_RADIUS_MM / s));
  return {
    lo: MASS_CENTRE.map((c, a) => Math.max(0, c - half[a] - pad)) as Vec3,
    hi: MASS_CENTRE.map((c, a) => Math.min(DIMS[a] - 1, c + half[a] + pad)) as Vec3,
  };
}

const overlap = (a: Uint8Array, b: Uint8Array) => a.reduce((n, v, o) => n + (v && b[o] ? 1 : 0), 0);

describe('segmentMass', () => {
  const { ct, ball, wall } = thorax();

  it('segments a 70 mm mass pressed against the ribs from one click and a box, leaving the wall out', () => {
    const { mask, findings } = segmentMass(ct, MASS_CENTRE, ballBox(3));
    expect(dice(mask, ball)).toBeGreaterThanOrEqual(0.85);
    expect(overlap(mask, wall)).toBeLessThan(0.005 * ball.reduce((n, v) => n + v, 0));
    expect(findings.some((f) => f.code === 'MASS_SEGMENTED')).toBe(true);
  });

  it('works from a click off the centre without a box', () => {
    const seed: Vec3 = [MASS_CENTRE[0] - 15, MASS_CENTRE[1] + 10, MASS_CENTRE[2] + 3];
    const { mask } = segmentMass(ct, seed, null);
    expect(dice(mask, ball)).toBeGreaterThanOrEqual(0.85);
    expect(overlap(mask, wall)).toBeLessThan(0.005 * ball.reduce((n, v) => n + v, 0));
  });

  it('refuses a click in the lung, in the air or on a rib', () => {
    const clicks: Vec3[] = [
      [20, 60, 20], // lung on the far side
      [2, 2, 20], // air outside the body
    ];
    for (const c of clicks) expect(() => segmentMass(ct, c, null)).toThrowError(expect.objectContaining({ code: 'NO_NODULE_AT_SEED' }) as HilumError);
    let rib: Vec3 | null = null;
    for (let i = 60 + RIB_INNER_MM; i < 60 + RIB_OUTER_MM && !rib; i++)
      for (let j = 50; j < 70 && !rib; j++) if (ct.voxels[offset([i, j, 20])] > 600 && ct.voxels[offset([i, j, 21])] > 600) rib = [i, j, 20];
    if (rib) expect(() => segmentMass(ct, rib, null)).toThrowError(expect.objectContaining({ code: 'NO_NODULE_AT_SEED' }) as HilumError);
  });

  it('refuses a click outside the box it is given', () => {
    expect(() => segmentMass(ct, [5, 5, 5], ballBox(0))).toThrowError(expect.objectContaining({ code: 'SEED_OUTSIDE_BOX' }) as HilumError);
  });

  it('click-to-segment with a box around a mass larger than the nodule search segments it as a mass; without the box it is refused by name', () => {
    const box = ballBox(3);
    const result = segmentNodule(ct, { seed: { voxel: MASS_CENTRE }, boundingBox: { minLps: indexToWorld(ct, box.lo), maxLps: indexToWorld(ct, box.hi) } });
    expect(dice(result.mask.voxels, ball)).toBeGreaterThanOrEqual(0.85);
    expect(result.findings[0].code).toBe('SEGMENTED_AS_MASS');
    expect(result.measurements.longestAxialDiameterMm).toBeGreaterThan(60);
    let code = '';
    try {
      segmentNodule(ct, { seed: { voxel: MASS_CENTRE } });
    } catch (error) {
      code = (error as HilumError).code;
    }
    expect(code).toBe('NO_NODULE_AT_SEED');
  });
});
