import { describe, expect, it } from 'vitest';
import { HilumError } from '../../../electron/engine/core/errors.js';
import { indexToWorld } from '../../../electron/engine/imaging/grid.js';
import { loadVolume } from '../../../electron/engine/imaging/load.js';
import type { Vec3 } from '../../../electron/engine/imaging/vec.js';
import type { Volume } from '../../../electron/engine/imaging/volume.js';
import { dice, segmentNodule } from '../../../electron/engine/segmentation/index.js';
import { loadLidcCase, readLidcIndex } from '../../../electron/engine/pipeline/lidc-set.js';
import { DEMO, errorOf, fixture } from '../../helpers.js';
import { NODULE_KINDS, testNodule } from './nodule-set.js';

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

describe('click-to-segment on phantom nodules', () => {
  it('100 nodules of every kind, 5–30 mm, seeded at a random voxel inside: median Dice ≥ 0.93, none below 0.5', () => {
    const byKind = new Map<string, number[]>(NODULE_KINDS.map((k) => [k.name, []]));
    const failures: string[] = [];
    for (let i = 0; i < 100; i++) {
      const nodule = testNodule('acceptance', i, 100);
      let score = 0;
      try {
        score = dice(segmentNodule(nodule.ct, { seed: { voxel: nodule.seed } }).mask.voxels, nodule.truth);
      } catch (error) {
        failures.push(`#${i} ${nodule.kind} ${nodule.diameterMm} mm: ${(error as Error).message}`);
      }
      byKind.get(nodule.kind)!.push(score);
    }
    const rows = [...byKind].map(([kind, scores]) => {
      const s = [...scores].sort((a, b) => a - b);
      return `${kind.padEnd(14)} n=${s.length} min ${s[0].toFixed(3)} q1 ${percentile(s, 0.25).toFixed(3)} median ${percentile(s, 0.5).toFixed(3)} max ${s[s.length - 1].toFixed(3)}`;
    });
    const all = [...byKind.values()].flat().sort((a, b) => a - b);
    process.stdout.write(
      `Dice per kind (100 phantom nodules):\n${rows.join('\n')}\nall: median ${percentile(all, 0.5).toFixed(3)}, min ${all[0].toFixed(3)}\n`,
    );
    expect(failures).toEqual([]);
    expect(all).toHaveLength(100);
    expect(percentile(all, 0.5)).toBeGreaterThanOrEqual(0.93);
    expect(all[0]).toBeGreaterThanOrEqual(0.5);
  }, 600_000);

  it('is deterministic, and a world-coordinate seed gives the same mask as its voxel', () => {
    const nodule = testNodule('determinism', 1, 5);
    const a = segmentNodule(nodule.ct, { seed: { voxel: nodule.seed } });
    const b = segmentNodule(nodule.ct, { seed: { voxel: nodule.seed } });
    const c = segmentNodule(nodule.ct, { seed: { worldLps: indexToWorld(nodule.ct, nodule.seed) } });
    expect(Buffer.from(a.mask.voxels).equals(Buffer.from(b.mask.voxels))).toBe(true);
    expect(Buffer.from(a.mask.voxels).equals(Buffer.from(c.mask.voxels))).toBe(true);
    expect(a.measurements.voxelCount).toBeGreaterThan(0);
    // The mask carries the CT's geometry.
    expect(a.mask.dims).toEqual(nodule.ct.dims);
    expect(a.mask.originLps).toEqual(nodule.ct.originLps);
  });

  it('measures what it segmented: diameter close to the true one, CTR 1 for a solid nodule and < 1 for a part-solid one', () => {
    const solid = testNodule('measure', 5, 10);
    const partSolid = testNodule('measure', 1, 10);
    expect([solid.kind, solid.diameterMm, partSolid.kind, partSolid.diameterMm]).toEqual(['solid', 18.9, 'part-solid', 30]);
    const s = segmentNodule(solid.ct, { seed: { voxel: solid.seed } }).measurements;
    const p = segmentNodule(partSolid.ct, { seed: { voxel: partSolid.seed } }).measurements;
    expect(s.longestAxialDiameterMm).toBeGreaterThan(0.8 * solid.diameterMm);
    expect(s.longestAxialDiameterMm).toBeLessThan(1.4 * solid.diameterMm + 2);
    expect(s.ctr).toBeGreaterThan(0.95);
    expect(p.ctr).toBeGreaterThan(0);
    expect(p.ctr).toBeLessThan(0.9);
    expect(p.solidDiameterMm).toBeLessThan(p.longestAxialDiameterMm);
  });

  it('a bounding box and exclude points restrict the mask', () => {
    const big = testNodule('options', 1, 2);
    expect(big.diameterMm).toBe(30);
    const full = segmentNodule(big.ct, { seed: { voxel: big.seed } });
    const centre = full.centreVoxel;
    // A box holding only the half of the nodule with i ≤ centre.
    const min = indexToWorld(big.ct, [0, 0, 0]);
    const max = indexToWorld(big.ct, [centre[0], big.ct.dims[1] - 1, big.ct.dims[2] - 1]);
    const seedInBox: Vec3 = [Math.min(big.seed[0], centre[0]), big.seed[1], big.seed[2]];
    const boxed = segmentNodule(big.ct, { seed: { voxel: seedInBox }, boundingBox: { minLps: min, maxLps: max } });
    const [nx, ny] = big.ct.dims;
    let outside = 0;
    boxed.mask.voxels.forEach((v, o) => {
      if (v && o % nx > centre[0]) outside++;
    });
    expect(outside).toBe(0);
    expect(boxed.measurements.voxelCount).toBeGreaterThan(0.25 * full.measurements.voxelCount);
    expect(boxed.measurements.voxelCount).toBeLessThan(0.75 * full.measurements.voxelCount);
    // An exclude point just inside the nodule's edge: the 2 mm ball around it stays outside the mask.
    const at = (v: Vec3) => v[0] + nx * (v[1] + ny * v[2]);
    let reach = 0;
    while (full.mask.voxels[at([centre[0] + reach + 1, centre[1], centre[2]])]) reach++;
    const edge: Vec3 = [centre[0] + reach - 2, centre[1], centre[2]];
    const excluded = segmentNodule(big.ct, { seed: { voxel: big.seed }, exclude: [indexToWorld(big.ct, edge)] });
    expect(reach).toBeGreaterThan(5);
    expect(full.mask.voxels[at(edge)]).toBe(1);
    expect(excluded.mask.voxels[at(edge)]).toBe(0);
    expect(excluded.measurements.voxelCount).toBeGreaterThan(0.8 * full.measurements.voxelCount);
  });
});

describe('click-to-segment: seeds that are not on a nodule', () => {
  const nodule = testNodule('bad-seeds', 0, 1);
  const ct = nodule.ct;
  const [nx, ny] = ct.dims;

  it('a seed in air outside the body gives "no nodule found at (x, y, z) mm", not a mask', () => {
    const air: Volume = { ...ct, voxels: Int16Array.from(ct.voxels) };
    for (let o = 0; o < nx * ny * 4; o++) air.voxels[o] = -1000;
    const error = errorOf(() => segmentNodule(air, { seed: { voxel: [2, 2, 1] } }));
    expect(error.code).toBe('NO_NODULE_AT_SEED');
    expect(error.message).toMatch(/^no nodule found at \(-?\d+\.\d, -?\d+\.\d, -?\d+\.\d\) mm: the point is air/);
  });

  it('a seed in aerated lung far from the nodule gives NO_NODULE_AT_SEED', () => {
    // The lung voxel farthest from the nodule that is still aerated lung.
    let best = -1;
    let bestD = 0;
    ct.voxels.forEach((hu, o) => {
      if (hu > -950 && hu < -800) {
        const k = Math.floor(o / (nx * ny));
        const j = Math.floor((o - k * nx * ny) / nx);
        const i = o - k * nx * ny - j * nx;
        const d = Math.hypot(i - nodule.seed[0], j - nodule.seed[1], k - nodule.seed[2]);
        // Aerated neighbourhood: the voxels 3 apart on each side are lung too.
        const quiet = [1, -1, nx, -nx].every((step) => (ct.voxels[o + 3 * step] ?? 0) < -700);
        if (quiet && d > bestD && d < 40) {
          bestD = d;
          best = o;
        }
      }
    });
    expect(best).toBeGreaterThan(0);
    const k = Math.floor(best / (nx * ny));
    const j = Math.floor((best - k * nx * ny) / nx);
    const seed: Vec3 = [best - k * nx * ny - j * nx, j, k];
    try {
      const result = segmentNodule(ct, { seed: { voxel: seed } });
      // A click in lung may land next to a small vessel; it must never give a lung-sized mask.
      expect(result.measurements.volumeMl).toBeLessThan(0.5);
    } catch (error) {
      expect((error as HilumError).code).toBe('NO_NODULE_AT_SEED');
    }
  });

  it('a seed outside the image gives SEED_OUTSIDE_IMAGE with its world position', () => {
    const error = errorOf(() => segmentNodule(ct, { seed: { voxel: [nx + 5, 3, 3] } }));
    expect(error.code).toBe('SEED_OUTSIDE_IMAGE');
    expect(error.message).toMatch(/outside the image/);
  });

  it('dense tissue inside the lung is a calcified nodule: segmented with its calcium, not refused as bone', () => {
    const calcified: Volume = { ...ct, voxels: Int16Array.from(ct.voxels) };
    const [i, j, k] = nodule.seed;
    const block: number[] = [];
    for (let dk = -2; dk <= 2; dk++)
      for (let dj = -4; dj <= 4; dj++)
        for (let di = -4; di <= 4; di++) {
          const o = i + di + nx * (j + dj + ny * (k + dk));
          calcified.voxels[o] = 900;
          block.push(o);
        }
    const result = segmentNodule(calcified, { seed: { voxel: nodule.seed } });
    // The calcium is kept (a box's far corners may fall outside the tumour's radius).
    expect(block.filter((o) => result.mask.voxels[o]).length).toBeGreaterThanOrEqual(0.95 * block.length);
    expect(result.measurements.volumeMl).toBeLessThan(5);
  });
});

describe('click-to-segment on real CT', () => {
  it('a click on the solid part of a ground-glass nodule (LIDC-IDRI-0048_R_3) gives the whole nodule, ground-glass halo included', async () => {
    const dir = fixture('lidc_nodules');
    const row = readLidcIndex(dir).find((r) => r.file === 'LIDC-IDRI-0048_R_3.nii.gz');
    if (!row) throw new Error('fixture LIDC-IDRI-0048_R_3 missing');
    const nodule = await loadLidcCase(dir, row);
    const onSolidPart = segmentNodule(nodule.ct, { seed: { voxel: [21, 15, 3] } });
    // Only the solid part (Dice 0.33) before the halo rule.
    expect(dice(onSolidPart.mask.voxels, nodule.truth)).toBeGreaterThan(0.6);
    expect(onSolidPart.measurements.ctr).toBeLessThan(0.9);
  });

  it('a faint pure ground-glass nodule (LIDC-IDRI-0120_R_3, ≈ −700 HU in ≈ −820 HU lung) is segmented from a click on its rim; plain lung beside it is still refused', async () => {
    const dir = fixture('lidc_nodules');
    const row = readLidcIndex(dir).find((r) => r.file === 'LIDC-IDRI-0120_R_3.nii.gz');
    if (!row) throw new Error('fixture LIDC-IDRI-0120_R_3 missing');
    const nodule = await loadLidcCase(dir, row);
    // The rim click (−734 HU after smoothing, lung on one side) was refused as aerated lung before the faint floor.
    const rim = segmentNodule(nodule.ct, { seed: { voxel: [15, 23, 5] } });
    expect(dice(rim.mask.voxels, nodule.truth)).toBeGreaterThan(0.6);
    expect(rim.thresholds.lowHu).toBeLessThan(-700);
    const centre = segmentNodule(nodule.ct, { seed: { voxel: [22, 21, 5] } });
    expect(dice(centre.mask.voxels, nodule.truth)).toBeGreaterThan(0.55);
    // Aerated lung in the crop's corner, away from the nodule.
    expect(errorOf(() => segmentNodule(nodule.ct, { seed: { voxel: [2, 2, 5] } })).code).toBe('NO_NODULE_AT_SEED');
  });

  it('the lungmask chest slice: small vessels in the lung give small masks; air, mediastinum and bone give a clear refusal', async () => {
    const { volume } = await loadVolume(fixture('chest_slice', 'lungmask_0.dcm'));
    for (const seed of [
      [160, 209, 0],
      [160, 391, 0],
    ] as Vec3[]) {
      const result = segmentNodule(volume, { seed: { voxel: seed } });
      expect(result.measurements.volumeMl).toBeGreaterThan(0);
      expect(result.measurements.longestAxialDiameterMm).toBeLessThan(10);
    }
    const refusals = [
      [5, 5, 0],
      [256, 256, 0],
      [150, 250, 0],
      [380, 250, 0],
    ].map((seed) => errorOf(() => segmentNodule(volume, { seed: { voxel: seed as Vec3 } })).message);
    expect(refusals[0]).toMatch(/air \(-2048 HU\)/);
    expect(refusals[1]).toMatch(/outside the lungs \(148 HU/);
    expect(refusals[2]).toMatch(/no tumour tissue/);
    expect(refusals[3]).toMatch(/bone or dense contrast \(411 HU\)/);
  });

  it('the JPEG 2000 chest slice and the 20-slice Siemens series run without crashing', async () => {
    for (const [file, seeds] of [
      [
        fixture('ct_transfer_syntaxes', 'CT1_J2KR'),
        [
          [5, 5, 0],
          [256, 256, 0],
          [150, 250, 0],
        ],
      ],
      [
        `${DEMO}/ct_series_siemens_j2k_20`,
        [
          [5, 5, 5],
          [256, 256, 10],
          [150, 200, 10],
        ],
      ],
    ] as [string, Vec3[]][]) {
      const { volume } = await loadVolume(file);
      for (const seed of seeds) expect(errorOf(() => segmentNodule(volume, { seed: { voxel: seed } })).code).toBe('NO_NODULE_AT_SEED');
    }
  });
});
