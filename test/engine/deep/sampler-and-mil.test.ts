import { describe, expect, it } from 'vitest';
import { HilumError } from '../../../electron/engine/core/errors.js';
import { DEFAULT_BAG_CONFIG, bagChannels, parseBagConfig } from '../../../electron/engine/deep/bag-config.js';
import { occlusionBaseline } from '../../../electron/engine/deep/occlusion.js';
import { fitMil, transformMil } from '../../../electron/engine/deep/mil.js';
import { sampleBag } from '../../../electron/engine/deep/sampler.js';
import type { Vec3 } from '../../../electron/engine/imaging/vec.js';
import type { LabelMap, Volume } from '../../../electron/engine/imaging/volume.js';

/** A CT of −850 HU lung with an ellipsoidal +40 HU tumour (semi-axes in mm) centred at the origin. */
function phantom(semiAxesMm: Vec3, spacingMm: Vec3 = [0.7, 0.7, 1.25], dims: Vec3 = [80, 80, 40]) {
  const n = dims[0] * dims[1] * dims[2];
  const originLps = dims.map((d, a) => (-(d - 1) * spacingMm[a]) / 2) as Vec3;
  const grid = { dims, spacingMm, originLps, direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] as LabelMap['direction'] };
  const ct: Volume = { ...grid, voxels: new Int16Array(n).fill(-850) };
  const mask: LabelMap = { ...grid, voxels: new Uint8Array(n) };
  for (let k = 0, o = 0; k < dims[2]; k++)
    for (let j = 0; j < dims[1]; j++)
      for (let i = 0; i < dims[0]; i++, o++) {
        const p = [originLps[0] + i * spacingMm[0], originLps[1] + j * spacingMm[1], originLps[2] + k * spacingMm[2]];
        if (p.reduce((s, x, a) => s + (x / semiAxesMm[a]) ** 2, 0) <= 1) {
          ct.voxels[o] = 40;
          mask.voxels[o] = 1;
        }
      }
  return { ct, mask };
}

/** Sets every CT voxel whose centre (LPS mm) satisfies `inside` to `hu`. */
function paint(ct: Volume, hu: number, inside: (p: number[]) => boolean): void {
  const [nx, ny, nz] = ct.dims;
  for (let k = 0; k < nz; k++)
    for (let j = 0; j < ny; j++)
      for (let i = 0; i < nx; i++) {
        const p = [0, 1, 2].map((a) => ct.originLps[a] + [i, j, k][a] * ct.spacingMm[a]);
        if (inside(p)) ct.voxels[i + nx * (j + ny * k)] = hu;
      }
}

/** The named error a call throws, as 'CODE: message', or 'no error'. */
function code(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof HilumError) return `${error.code}: ${error.message}`;
    throw error;
  }
  return 'no error';
}

describe('2.5D bag sampler', () => {
  it('cuts the largest slice and its ±1, ±2, ±4 mm neighbours, centred on the tumour, windowed into normalised channels', () => {
    const { ct, mask } = phantom([8, 6, 10]);
    const bag = sampleBag(ct, mask, DEFAULT_BAG_CONFIG);
    expect(bag.shape).toEqual([7, 3, 64, 64]);
    expect(bag.data).toHaveLength(7 * 3 * 64 * 64);
    expect(bag.slices.map((s) => s.offset)).toEqual([-4, -2, -1, 0, 1, 2, 4]);
    expect(bag.slices.every((s) => !s.clamped)).toBe(true);
    // The largest cross-section of the ellipsoid is its equator: π·8·6 mm².
    expect(bag.largestAreaMm2).toBeGreaterThan(0.9 * Math.PI * 48);
    expect(bag.largestAreaMm2).toBeLessThan(1.1 * Math.PI * 48);
    const centre = bag.slices[3].centreLps;
    centre.forEach((v) => expect(Math.abs(v)).toBeLessThan(0.75));
    // Crop: the widest extent (20 mm along z, 16 mm in-plane) plus 10 mm on each side.
    expect(bag.cropSideMm).toBeGreaterThan(39);
    expect(bag.cropSideMm).toBeLessThan(42);
    // Centre pixel of the middle slice is tumour (+40 HU), the corner is lung (−850 HU), per window.
    const size = 64;
    const at = (slice: number, channel: number, row: number, col: number) => bag.data[((slice * 3 + channel) * size + row) * size + col];
    DEFAULT_BAG_CONFIG.windows.forEach(([lo, hi], c) => {
      const expected = (hu: number) => (Math.min(1, Math.max(0, (hu - lo) / (hi - lo))) - 0.5) / 0.25;
      expect(at(3, c, 32, 32)).toBeCloseTo(expected(40), 4);
      expect(at(3, c, 0, 0)).toBeCloseTo(expected(-850), 4);
    });
  });

  it('clamps offsets beyond a thin tumour to its edge and says so', () => {
    const { ct, mask } = phantom([8, 8, 2.5]);
    const bag = sampleBag(ct, mask, DEFAULT_BAG_CONFIG);
    const used = bag.slices.map((s) => s.usedOffset);
    expect(Math.max(...used) - Math.min(...used)).toBeLessThan(bag.tumourSlices);
    expect(bag.slices.filter((s) => s.clamped).map((s) => Math.abs(s.offset))).toEqual([4, 4]);
    expect(bag.findings.map((f) => f.code)).toContain('BAG_OFFSETS_CLAMPED');
  });

  it('with offsetsBeyondTumour, slices above and below a thin tumour lie there: lung only, centred over the tumour', () => {
    const { ct, mask } = phantom([8, 8, 2.5], [0.7, 0.7, 1.25], [80, 80, 40]);
    // A satellite 5 mm above the tumour's top (z = +7.5 mm): only a slice beyond the tumour sees it.
    paint(ct, 60, (p) => p[0] ** 2 + p[1] ** 2 + (p[2] - 7.5) ** 2 <= 2.2 ** 2);
    const config = parseBagConfig({ ...DEFAULT_BAG_CONFIG, offsets: [-8, 0, 8], offsetsBeyondTumour: true });
    const bag = sampleBag(ct, mask, config);
    expect(bag.slices.map((s) => s.usedOffset)).toEqual([-8, 0, 8]);
    expect(bag.slices.map((s) => s.clamped)).toEqual([false, false, false]);
    expect(bag.findings.map((f) => f.code)).not.toContain('BAG_OFFSETS_CLAMPED');
    // Slice centres: over the tumour in-plane, 8 mm below and above the largest slice.
    const [below, middle, above] = bag.slices.map((s) => s.centreLps);
    expect(above[2] - middle[2]).toBeCloseTo(8, 6);
    expect(below[2] - middle[2]).toBeCloseTo(-8, 6);
    expect(Math.hypot(above[0] - middle[0], above[1] - middle[1])).toBeLessThan(0.5);
    const size = 64;
    const mediastinal = (slice: number, row: number, col: number) => bag.data[((slice * 3 + 1) * size + row) * size + col];
    const soft = (hu: number) => (Math.min(1, Math.max(0, (hu + 160) / 400)) - 0.5) / 0.25;
    expect(mediastinal(1, 32, 32)).toBeCloseTo(soft(40), 3); // the tumour
    expect(mediastinal(0, 32, 32)).toBeCloseTo(soft(-850), 3); // lung below it
    expect(mediastinal(2, 32, 32)).toBeGreaterThan(soft(0)); // the satellite above it
    // Clamped as before without the option: the top slice is the tumour's edge and misses the satellite.
    const clamped = sampleBag(ct, mask, { ...config, offsetsBeyondTumour: false });
    expect(Math.abs(clamped.slices[2].usedOffset)).toBeLessThan(8);
  });

  it('coronal and sagittal planes through the centroid; the largest piece of a mask with several, or the one asked for', () => {
    const { ct, mask } = phantom([6, 6, 6]);
    // A second, smaller piece far from the first.
    for (let k = 2; k < 5; k++) for (let j = 2; j < 5; j++) for (let i = 2; i < 5; i++) mask.voxels[i + 80 * (j + 80 * k)] = 1;
    const config = parseBagConfig({ ...DEFAULT_BAG_CONFIG, planes: ['coronal', 'sagittal'] });
    const bag = sampleBag(ct, mask, config);
    expect(bag.shape[0]).toBe(9);
    expect(bag.slices.slice(7).map((s) => s.plane)).toEqual(['coronal', 'sagittal']);
    expect(bag.components).toBe(2);
    expect(bag.findings.map((f) => f.code)).toContain('MASK_SEVERAL_COMPONENTS');
    // A sphere looks the same from every side: the coronal crop centre is tumour.
    const size = 64;
    expect(bag.data[((7 * 3 + 1) * size + 32) * size + 32]).toBeCloseTo((Math.min(1, (40 + 160) / 400) - 0.5) / 0.25, 3);
    const small = sampleBag(ct, mask, DEFAULT_BAG_CONFIG, { component: 1 });
    expect(small.componentUsed).toBe(1);
    expect(small.largestAreaMm2).toBeLessThan(bag.largestAreaMm2 / 10);
  });

  it('sliceChannels stacks neighbouring planes as channels: a satellite (ball) shows in one plane, a vessel (tube) in all', () => {
    const { ct, mask } = phantom([6, 6, 6], [0.7, 0.7, 1], [80, 80, 40]);
    // Beside the tumour: a ball of radius 1.5 mm 4 mm below the largest slice, and a tube of radius 1.5 mm along z.
    paint(ct, 60, (p) => (p[0] - 12) ** 2 + p[1] ** 2 + (p[2] + 4) ** 2 <= 1.5 ** 2 || (p[0] + 12) ** 2 + p[1] ** 2 <= 1.5 ** 2);
    const config = parseBagConfig({ ...DEFAULT_BAG_CONFIG, offsets: [-4, 0, 4], offsetsBeyondTumour: true, sliceChannels: [-4, 0, 4] });
    const bag = sampleBag(ct, mask, config);
    expect(bag.shape).toEqual([3, 9, 64, 64]);
    expect(bagChannels(config)).toBe(9);
    // Plane q of slice v is the plain bag's slice at offset (v's + q's) where that exists: the same pixels.
    const plain = sampleBag(ct, mask, { ...config, sliceChannels: undefined });
    const size = 64 * 64;
    const planeOf = (b: typeof bag, channels: number, slice: number, channel: number) =>
      Array.from(b.data.subarray((slice * channels + channel) * size, (slice * channels + channel + 1) * size));
    for (let w = 0; w < 3; w++) {
      expect(planeOf(bag, 9, 1, w)).toEqual(planeOf(plain, 3, 0, w)); // slice 0, plane −4 = slice −4
      expect(planeOf(bag, 9, 1, 3 + w)).toEqual(planeOf(plain, 3, 1, w)); // slice 0, plane 0
      expect(planeOf(bag, 9, 1, 6 + w)).toEqual(planeOf(plain, 3, 2, w)); // slice 0, plane +4 = slice +4
    }
    // Lung window (channel 0 of each plane) at the ball and at the tube, through slice 0's three planes.
    const crop = bag.cropSideMm;
    const pixel = (x: number) => Math.round((x + crop / 2) / (crop / 64) - 0.5);
    const lung = (q: number, x: number) => bag.data[((1 * 9 + q * 3) * 64 + pixel(0)) * 64 + pixel(x)];
    const air = (Math.min(1, Math.max(0, (-850 + 1350) / 1500)) - 0.5) / 0.25;
    expect(lung(0, 12)).toBeGreaterThan(air + 0.5); // the ball, 4 mm below
    expect(lung(1, 12)).toBeCloseTo(air, 3);
    expect(lung(2, 12)).toBeCloseTo(air, 3);
    for (let q = 0; q < 3; q++) expect(lung(q, -12)).toBeGreaterThan(air + 0.5); // the tube, in every plane
    // The occlusion baseline covers every channel.
    expect(occlusionBaseline(config)).toHaveLength(9);
    expect(code(() => parseBagConfig({ ...DEFAULT_BAG_CONFIG, sliceChannels: [-2, 2] }))).toMatch(/sliceChannels must include 0/);
    expect(code(() => parseBagConfig({ ...DEFAULT_BAG_CONFIG, sliceChannels: [0, 2, 2] }))).toMatch(/sliceChannels must be distinct/);
  });

  it('refuses an empty mask, a mask on another grid and an invalid configuration with named errors', () => {
    const { ct, mask } = phantom([5, 5, 5]);
    expect(code(() => sampleBag(ct, { ...mask, voxels: new Uint8Array(mask.voxels.length) }, DEFAULT_BAG_CONFIG))).toMatch(/^EMPTY_MASK/);
    expect(code(() => sampleBag(ct, { ...mask, spacingMm: [0.8, 0.7, 1.25] }, DEFAULT_BAG_CONFIG))).toMatch(/^MASK_GEOMETRY_MISMATCH/);
    expect(code(() => parseBagConfig({ ...DEFAULT_BAG_CONFIG, offsets: [1, 2] }))).toMatch(/INVALID_BAG_CONFIG: .*offsets must include 0/);
    expect(code(() => parseBagConfig({ ...DEFAULT_BAG_CONFIG, windows: [[100, -100]], channelMean: [0], channelStd: [1] }))).toMatch(/high > low/);
    expect(code(() => parseBagConfig({ ...DEFAULT_BAG_CONFIG, colour: true }))).toMatch(/INVALID_BAG_CONFIG/);
  });
});

describe('multi-instance aggregation', () => {
  const training = [
    { probabilities: [0.1, 0.2, 0.15, 0.05] },
    { probabilities: [0.8, 0.9, 0.7, 0.95] },
    { probabilities: [0.4, 0.5, 0.45, 0.6] },
    { probabilities: [0.3, 0.35, 0.2, 0.25] },
  ];

  it('PLH is the share of slices per probability bin; BoW words are training quantiles with smoothed IDF and L2 norm', () => {
    const state = fitMil(training, { plhBins: 4, words: 4 });
    // 16 training slices sorted: the 4th, 8th and 12th (0-based) are the word edges.
    const sorted = training.flatMap((p) => p.probabilities).sort((a, b) => a - b);
    expect(state.wordEdges).toEqual([sorted[4], sorted[8], sorted[12]]);
    // Every word is used by some patients: df per word, idf = ln(5 / (1 + df)) + 1.
    const wordOf = (p: number) => state.wordEdges.filter((e) => p >= e).length;
    const df = [0, 1, 2, 3].map((w) => training.filter((t) => t.probabilities.some((p) => wordOf(p) === w)).length);
    state.idf.forEach((v, w) => expect(v).toBeCloseTo(Math.log(5 / (1 + df[w])) + 1, 12));

    const f = transformMil(state, { probabilities: [0.1, 0.3, 0.3, 1.0] });
    expect([0, 1, 2, 3].map((b) => f[`mil_plh_bin0${b}`])).toEqual([0.25, 0.5, 0, 0.25]);
    const tf = [0, 1, 2, 3].map((w) => [0.1, 0.3, 0.3, 1.0].filter((p) => wordOf(p) === w).length / 4);
    const raw = tf.map((t, w) => t * state.idf[w]);
    const norm = Math.hypot(...raw);
    [0, 1, 2, 3].forEach((w) => expect(f[`mil_bow_word0${w}`]).toBeCloseTo(raw[w] / norm, 12));
  });

  it('mean probability (mean-pooling MIL) when asked: order-preserving under a shift that moves slices across histogram bins; absent in older states', () => {
    const state = JSON.parse(JSON.stringify(fitMil(training, { plhBins: 4, words: 4, meanProbability: true }))) as ReturnType<typeof fitMil>;
    expect(state.meanProbability).toBe(true);
    const a = [0.1, 0.3, 0.3, 1.0];
    const b = [0.2, 0.2, 0.35, 0.5];
    expect(transformMil(state, { probabilities: a }).mil_mean_probability).toBeCloseTo(0.425, 12);
    expect(transformMil(state, { probabilities: b }).mil_mean_probability).toBeCloseTo(0.3125, 12);
    // Another scanner raises every slice by 0.1: the means keep the patients' order …
    const shift = (ps: number[]) => ps.map((p) => Math.min(1, p + 0.1));
    const meanOf = (ps: number[]) => transformMil(state, { probabilities: ps }).mil_mean_probability;
    expect(meanOf(shift(a)) > meanOf(shift(b))).toBe(true);
    // … while a histogram bin can reverse it (bin 1, [0.25, 0.5): a 0.5 → 0.5, b 0.25 → 0.75).
    const bin1 = (ps: number[]) => transformMil(state, { probabilities: ps }).mil_plh_bin01;
    expect(bin1(a) > bin1(b)).toBe(true);
    expect(bin1(shift(a)) < bin1(shift(b))).toBe(true);
    // A state fitted without it (every bundle before it) gives no such feature.
    expect(transformMil(fitMil(training, { plhBins: 4, words: 4 }), { probabilities: a })).not.toHaveProperty('mil_mean_probability');
  });

  it('pools slice features by mean and max under stable names; the state survives JSON; bad input is refused', () => {
    const withFeatures = training.map((p, i) => ({ ...p, features: p.probabilities.map((x) => Float32Array.from([x, i, -x])) }));
    const state = JSON.parse(JSON.stringify(fitMil(withFeatures))) as ReturnType<typeof fitMil>;
    expect(state.featureLength).toBe(3);
    const f = transformMil(state, { probabilities: [0.2, 0.6], features: [Float32Array.from([1, 2, 3]), Float32Array.from([3, 0, 5])] });
    expect(f.deep_mean_000).toBe(2);
    expect(f.deep_max_001).toBe(2);
    expect(f.deep_mean_002).toBe(4);
    expect(Object.keys(f).filter((k) => k.startsWith('mil_plh_'))).toHaveLength(10);
    expect(Object.keys(f).filter((k) => k.startsWith('mil_bow_'))).toHaveLength(8);
    expect(() => transformMil(state, { probabilities: [1.2] })).toThrow(/not in \[0, 1\]/);
    expect(() => transformMil(state, { probabilities: [] })).toThrow(/no slice probabilities/);
    expect(() => transformMil(state, { probabilities: [0.5], features: [Float32Array.from([1, 2])] })).toThrow(/fitted with 3/);
  });

  it('PCA of the pooled deep features: the frozen basis finds the direction of largest spread and projects new patients on it', () => {
    // Patients on a full grid: spread along (1, 1, 0)/√2 (±3) and a little along (0, 0, 1) (±0.3),
    // uncorrelated by construction; each has one slice.
    const patients = Array.from({ length: 21 }, (_, i) => {
      const t = (i % 7) - 3;
      const u = (Math.floor(i / 7) - 1) * 0.3;
      return { probabilities: [0.5], features: [Float32Array.from([10 + t / Math.SQRT2, 20 + t / Math.SQRT2, 5 + u])] };
    });
    const state = fitMil(patients, { pcaComponents: 2 });
    const pca = state.pca!;
    expect(pca.components[0][0]).toBeCloseTo(Math.SQRT1_2, 4);
    expect(pca.components[0][1]).toBeCloseTo(Math.SQRT1_2, 4);
    expect(pca.components[0][2]).toBeCloseTo(0, 4);
    expect(Math.abs(pca.components[1][2])).toBeCloseTo(1, 4);
    expect(pca.explainedVarianceRatio[0]).toBeGreaterThan(0.9);
    const mean = pca.mean;
    const f = transformMil(JSON.parse(JSON.stringify(state)), { probabilities: [0.5], features: [Float32Array.from([mean[0] + 2, mean[1] + 2, mean[2]])] });
    expect(f.deep_pca_00).toBeCloseTo(2 * Math.SQRT2, 4);
    expect(f.deep_pca_01).toBeCloseTo(0, 4);
    expect(() => fitMil(patients, { pcaComponents: 5 })).toThrow(/PCA components must be 1…3/);
  });
});
