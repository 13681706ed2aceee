import { describe, expect, it } from 'vitest';
import type { ScalarImage } from '../../../electron/engine/imaging/volume.js';
import { extractRadiomics } from '../../../electron/engine/radiomics/extractor.js';
import { parseParameters } from '../../../electron/engine/radiomics/settings.js';

/**
 * Issue 16: `Math.min(...inside)` over the ≈ 360,000 voxels of a resampled tumour overflowed the
 * stack. Here every feature class of the original, wavelet and LoG images runs after 1 mm B-spline resampling on an ROI of more than a
 * million voxels (a 126 mm textured ball on a 1.5 mm grid), and every value must be finite.
 */
const PARAMS = `
imageType:
  Original: {}
  Wavelet: {}
  LoG:
    sigma: [1.0, 3.0]
featureClass:
  shape:
  firstorder:
  glcm:
  glrlm:
  glszm:
  gldm:
  ngtdm:
setting:
  binWidth: 50
  resampledPixelSpacing: [1, 1, 1]
  interpolator: sitkBSpline
  label: 1
`;

/** A ball of radius `radiusMm` with smooth texture and a little noise in a −800 HU field, on an isotropic grid. */
function bigBall(radiusMm: number, spacing: number): { image: ScalarImage<Int16Array>; mask: ScalarImage<Uint8Array> } {
  const n = Math.ceil((2 * radiusMm + 12) / spacing);
  const dims: [number, number, number] = [n, n, n];
  const image = new Int16Array(n * n * n);
  const mask = new Uint8Array(n * n * n);
  const c = ((n - 1) * spacing) / 2;
  let seed = 12345;
  const noise = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32 - 0.5) * 40;
  let o = 0;
  for (let z = 0; z < n; z++)
    for (let y = 0; y < n; y++)
      for (let x = 0; x < n; x++, o++) {
        const [px, py, pz] = [x * spacing - c, y * spacing - c, z * spacing - c];
        const inside = px * px + py * py + pz * pz < radiusMm * radiusMm;
        const texture = 60 * Math.sin(px / 7) * Math.cos(py / 11) + 40 * Math.sin(pz / 5 + px / 13);
        image[o] = Math.round((inside ? 20 + texture : -800) + noise());
        mask[o] = inside ? 1 : 0;
      }
  const grid = { dims, spacingMm: [spacing, spacing, spacing] as [number, number, number], originLps: [0, 0, 0] as [number, number, number] };
  const direction = [1, 0, 0, 0, 1, 0, 0, 0, 1] as ScalarImage['direction'];
  return { image: { ...grid, direction, voxels: image }, mask: { ...grid, dims: [n, n, n], direction, voxels: mask } };
}

describe('radiomics on an ROI of more than a million voxels', () => {
  it('extracts every feature class after resampling, all finite', async () => {
    const { image, mask } = bigBall(63, 1.5);
    const params = parseParameters(PARAMS, 'large-roi.yaml');
    const started = performance.now();
    const result = await extractRadiomics({ caseId: 'big-ball', image, mask }, { params });
    const seconds = (performance.now() - started) / 1000;
    const voxels = Number(result.diagnostics['diagnostics_Mask-interpolated_VoxelNum']);
    expect(voxels).toBeGreaterThan(1_000_000);
    const values = Object.entries(result.features);
    expect(values.length).toBeGreaterThan(100);
    expect(values.filter(([, v]) => !Number.isFinite(v))).toEqual([]);
    expect(Number(result.diagnostics['diagnostics_Mask-interpolated_Minimum'])).toBeLessThan(
      Number(result.diagnostics['diagnostics_Mask-interpolated_Maximum']),
    );
    console.log(`large ROI: ${voxels} voxels, ${values.length} features in ${seconds.toFixed(1)} s`);
  }, 120_000);
});
