import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ScalarImage } from '../../../electron/engine/imaging/volume.js';
import { extractRadiomics } from '../../../electron/engine/radiomics/extractor.js';
import { regionOfDomain } from '../../../electron/engine/radiomics/filters/domain.js';
import { gradientResponse } from '../../../electron/engine/radiomics/filters/gradient.js';
import { intensityResponse } from '../../../electron/engine/radiomics/filters/intensity.js';
import { lbp2dResponse } from '../../../electron/engine/radiomics/filters/lbp2d.js';
import { icosphereVertices, lbp3dResponses, sphericalHarmonic } from '../../../electron/engine/radiomics/filters/lbp3d.js';
import { parseParameters } from '../../../electron/engine/radiomics/settings.js';
import { radiomicsFixture, relativeDeviation, testCaseImage } from './reference.js';

const grid = (dims: [number, number, number], spacingMm: [number, number, number] = [1, 1, 1]) => ({
  dims,
  spacingMm,
  originLps: [0, 0, 0] as [number, number, number],
  direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] as ScalarImage['direction'],
});
const wholeBox = (dims: [number, number, number]) => ({
  minIjk: [0, 0, 0] as [number, number, number],
  maxIjk: [dims[0] - 1, dims[1] - 1, dims[2] - 1] as [number, number, number],
});

describe('wavelets other than coif1, levels and start levels (PyWavelets references)', () => {
  const reference = JSON.parse(readFileSync(radiomicsFixture('wavelet', 'breast1_wavelets.json'), 'utf8')) as {
    cases: { wavelet: string; level: number; start_level: number; bands: Record<string, { mean: number; meanSquare: number }> }[];
  };
  it.each(reference.cases.map((c) => [c.wavelet, c.level, c.start_level, c] as const))(
    '%s, level %i, start level %i',
    async (wavelet, level, startLevel, c) => {
      const params = parseParameters(
        `imageType:\n  Wavelet:\n    wavelet: ${wavelet}\n    level: ${level}\n    start_level: ${startLevel}\nfeatureClass:\n  firstorder: [Mean, RootMeanSquared]\n`,
        'wavelet.yaml',
      );
      const result = await extractRadiomics(
        { caseId: 'breast1', image: testCaseImage('breast1', 'image'), mask: testCaseImage('breast1', 'label') },
        { params },
      );
      expect(Object.keys(result.features).length).toBe(2 * Object.keys(c.bands).length);
      for (const [band, stats] of Object.entries(c.bands)) {
        expect(relativeDeviation(result.features[`${band}_firstorder_Mean`], stats.mean), band).toBeLessThan(1e-12);
        expect(relativeDeviation(result.features[`${band}_firstorder_RootMeanSquared`] ** 2, stats.meanSquare), band).toBeLessThan(1e-12);
      }
    },
  );
});

describe('point-wise filters', () => {
  // Values −4, 0, 1, 9 (and 16 elsewhere in the domain, which sets the scale M = 16).
  const voxels = Float64Array.from([-4, 0, 1, 9, 16, 16, 16, 16]);
  const domain = regionOfDomain(voxels, [4, 2, 1], [1, 1, 1], { minIjk: [0, 0, 0], maxIjk: [3, 0, 0] }, [0, 0, 0], [false, false, false]);
  it('square, square root, logarithm and exponential scale back to the image range', () => {
    expect(Array.from(intensityResponse(domain, 'square').values)).toEqual([1, 0, 1 / 16, 81 / 16]);
    expect(Array.from(intensityResponse(domain, 'squareroot').values)).toEqual([-8, 0, 4, 12]);
    const log = Array.from(intensityResponse(domain, 'logarithm').values);
    const scale = 16 / Math.log(17);
    [-Math.log(5) * scale, 0, Math.log(2) * scale, Math.log(10) * scale].forEach((v, i) => expect(log[i]).toBeCloseTo(v, 12));
    const exp = Array.from(intensityResponse(domain, 'exponential').values);
    [16 ** (-4 / 16), 1, 16 ** (1 / 16), 16 ** (9 / 16)].forEach((v, i) => expect(exp[i]).toBeCloseTo(v, 12));
  });
});

describe('gradient magnitude', () => {
  it('is the slope in mm inside a ramp and half of it at the replicated border', () => {
    const dims: [number, number, number] = [5, 4, 3];
    const v = new Float64Array(60);
    for (let z = 0; z < 3; z++) for (let y = 0; y < 4; y++) for (let x = 0; x < 5; x++) v[x + 5 * (y + 4 * z)] = 2 * x + 3 * y;
    const domain = regionOfDomain(v, dims, [0.5, 1, 2], wholeBox(dims), [1, 1, 1], [false, false, false]);
    const g = gradientResponse(domain, true).values;
    expect(g[1 + 5 * (1 + 4 * 1)]).toBeCloseTo(5, 12); // √(4² + 3²) inside
    expect(g[0 + 5 * (1 + 4 * 1)]).toBeCloseTo(Math.hypot(2, 3), 12); // x border: one-sided difference halved
    expect(gradientResponse(domain, false).values[1 + 5 * (1 + 4 * 1)]).toBeCloseTo(Math.hypot(2, 3), 12);
  });
});

describe('local binary patterns', () => {
  it('LBP 2D codes a flat image and a peak as scikit-image does', () => {
    const dims: [number, number, number] = [5, 5, 1];
    const flat = regionOfDomain(new Float64Array(25).fill(7), dims, [1, 1, 1], { minIjk: [2, 2, 0], maxIjk: [2, 2, 0] }, [2, 2, 0], [false, false, false]);
    expect(lbp2dResponse(flat, 1, 8, 'uniform', 0).values[0]).toBe(8);
    expect(lbp2dResponse(flat, 1, 8, 'default', 0).values[0]).toBe(255);
    const peak = new Float64Array(25).fill(7);
    peak[12] = 9;
    const p = regionOfDomain(peak, dims, [1, 1, 1], { minIjk: [2, 2, 0], maxIjk: [2, 2, 0] }, [2, 2, 0], [false, false, false]);
    expect(lbp2dResponse(p, 1, 8, 'uniform', 0).values[0]).toBe(0);
    expect(lbp2dResponse(p, 1, 8, 'var', 0).values[0]).toBeGreaterThan(0);
  });

  it('LBP 3D on a flat image: level 1 is 42^1.5/(4π)', () => {
    expect(icosphereVertices(1, 1).length / 3).toBe(42);
    // scipy.special.sph_harm(1, 2, 0.7, 2.1) = 0.2575 + 0.2169i
    const [re, im] = sphericalHarmonic(1, 2, 0.7, 2.1);
    expect(re).toBeCloseTo(0.2574973051629944, 12);
    expect(im).toBeCloseTo(0.21688698813934584, 12);
    const dims: [number, number, number] = [7, 7, 7];
    // An integer image: samples are rounded (as scipy does for integer input), so the flat image samples exactly 5.
    const domain = regionOfDomain(new Int16Array(343).fill(5), dims, [1, 1, 1], { minIjk: [3, 3, 3], maxIjk: [3, 3, 3] }, [3, 3, 3], [false, false, false]);
    const r = lbp3dResponses(domain, Uint8Array.of(1), 2, 1, 1);
    expect(r.levels[0].values[0]).toBeCloseTo(42 ** 1.5 / (4 * Math.PI), 9);
    expect(Number.isNaN(r.kurtosis.values[0])).toBe(true);
  });

  it('LBP 3D on breast1 matches PyRadiomics recipe run with SciPy', async () => {
    const reference = JSON.parse(readFileSync(radiomicsFixture('lbp', 'breast1_lbp3d.json'), 'utf8')) as { images: Record<string, { mean: number }> };
    const params = parseParameters('imageType:\n  LBP3D: {}\nfeatureClass:\n  firstorder: [Mean]\n', 'lbp3d.yaml');
    const result = await extractRadiomics({ caseId: 'breast1', image: testCaseImage('breast1', 'image'), mask: testCaseImage('breast1', 'label') }, { params });
    for (const [image, stats] of Object.entries(reference.images))
      expect(relativeDeviation(result.features[`${image}_firstorder_Mean`], stats.mean), image).toBeLessThan(1e-12);
  });
});

describe('2D shape (marching squares) on single-slice ROIs', () => {
  async function shape2D(rows: number, cols: number, spacingMm: [number, number, number]) {
    const dims: [number, number, number] = [cols + 4, rows + 4, 3];
    const mask = new Uint8Array(dims[0] * dims[1] * dims[2]);
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) mask[2 + c + dims[0] * (2 + r + dims[1] * 1)] = 1;
    const image = new Int16Array(mask.length).fill(100);
    const params = parseParameters('setting:\n  force2D: true\nfeatureClass:\n  shape2D:\n', 'shape2d.yaml');
    const result = await extractRadiomics(
      { caseId: 'square', image: { ...grid(dims, spacingMm), voxels: image }, mask: { ...grid(dims, spacingMm), voxels: mask } },
      { params },
    );
    return Object.fromEntries(Object.entries(result.features).map(([k, v]) => [k.replace('original_shape2D_', ''), v]));
  }

  it('a 3 × 4 rectangle: chamfered contour, half-voxel vertices', async () => {
    const f = await shape2D(3, 4, [1, 1, 1]);
    expect(f.PixelSurface).toBe(12);
    expect(f.MeshSurface).toBeCloseTo(11.5, 12);
    expect(f.Perimeter).toBeCloseTo(10 + 4 * Math.SQRT1_2, 12);
    expect(f.MaximumDiameter).toBeCloseTo(Math.sqrt(20), 12);
    expect(f.MajorAxisLength).toBeCloseTo(4 * Math.sqrt(1.25), 12);
    expect(f.MinorAxisLength).toBeCloseTo(4 * Math.sqrt(2 / 3), 12);
    expect(f.Elongation).toBeCloseTo(Math.sqrt(2 / 3 / 1.25), 12);
    expect(f.Sphericity).toBeCloseTo((2 * Math.sqrt(Math.PI * 11.5)) / (10 + 4 * Math.SQRT1_2), 12);
    expect(f.PerimeterSurfaceRatio).toBeCloseTo((10 + 4 * Math.SQRT1_2) / 11.5, 12);
  });

  it('uses the in-plane spacing (rows along y, columns along x)', async () => {
    const f = await shape2D(3, 4, [0.5, 2, 1]);
    expect(f.PixelSurface).toBe(12);
    expect(f.MeshSurface).toBeCloseTo(11.5, 12);
    // Straight edges: 2 × (3 columns × 0.5 mm) + 2 × (2 rows × 2 mm); corners: 4 × √(0.25² + 1²).
    expect(f.Perimeter).toBeCloseTo(3 + 8 + 4 * Math.hypot(0.25, 1), 12);
  });
});
