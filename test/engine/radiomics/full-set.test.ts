import { afterAll, describe, expect, it } from 'vitest';
import { extractRadiomics } from '../../../electron/engine/radiomics/extractor.js';
import { FEATURE_CLASSES } from '../../../electron/engine/radiomics/feature-names.js';
import { createRadiomicsPool } from '../../../electron/engine/radiomics/pool.js';
import { parseParameters } from '../../../electron/engine/radiomics/settings.js';
import { renderPatient, samplePatient } from '../../../electron/engine/phantom/index.js';
import { syntheticNodule } from './synthetic-nodule.js';

/**
 * PyRadiomics' customary full set — original + wavelet (8 sub-bands) + LoG σ 1, 2, 3 mm, every
 * non-deprecated feature of every class — on a 30 mm textured nodule in lung-like parenchyma:
 * every expected name, every value finite, and the same numbers from the worker threads as from
 * the calling thread.
 */
const FULL_SET = `
imageType:
  Original: {}
  Wavelet: {}
  LoG:
    sigma: [1.0, 2.0, 3.0]
featureClass:
  shape:
  firstorder:
  glcm:
  glrlm:
  glszm:
  gldm:
  ngtdm:
setting:
  binWidth: 25
  label: 1
`;

const pool = createRadiomicsPool(2);
afterAll(() => pool.close());

describe('full PyRadiomics set on a synthetic 30 mm lung nodule', () => {
  const nodule = syntheticNodule(30);
  const params = parseParameters(FULL_SET, 'full-set.yaml');

  it('returns every expected feature name with a finite value, identically with and without worker threads', async () => {
    const inline = await extractRadiomics({ caseId: 'nodule-30mm', image: nodule.image, mask: nodule.mask }, { params });
    const images = ['original', 'wavelet-LLH', 'wavelet-LHL', 'wavelet-LHH', 'wavelet-HLL', 'wavelet-HLH', 'wavelet-HHL', 'wavelet-HHH', 'wavelet-LLL'];
    images.push('log-sigma-1-0-mm-3D', 'log-sigma-2-0-mm-3D', 'log-sigma-3-0-mm-3D');
    const active = (cls: keyof typeof FEATURE_CLASSES) => FEATURE_CLASSES[cls].filter((f) => !f.deprecated).map((f) => f.name);
    const expected = [
      ...active('shape').map((f) => `original_shape_${f}`),
      ...images.flatMap((image) =>
        (['firstorder', 'glcm', 'glrlm', 'glszm', 'gldm', 'ngtdm'] as const).flatMap((cls) => active(cls).map((f) => `${image}_${cls}_${f}`)),
      ),
    ];
    expect(Object.keys(inline.features).sort()).toEqual(expected.sort());
    expect(expected).toHaveLength(1130);
    const notFinite = Object.entries(inline.features).filter(([, v]) => !Number.isFinite(v));
    expect(notFinite).toEqual([]);
    // A 30 mm nodule: mesh volume near (π/6)·30³ mm³ (lobulation adds a little).
    expect(inline.features.original_shape_MeshVolume).toBeGreaterThan(14000);
    expect(inline.features.original_shape_MeshVolume).toBeLessThan(20000);
    expect(inline.features.original_shape_Maximum3DDiameter).toBeGreaterThan(30);
    console.log(`full set on the 30 mm nodule: ${Object.keys(inline.features).length} features, all finite`);

    const threaded = await extractRadiomics({ caseId: 'nodule-30mm', image: nodule.image, mask: nodule.mask }, { params, pool });
    expect(threaded.features).toEqual(inline.features);
    expect(Object.keys(threaded.features)).toEqual(Object.keys(inline.features));
  });

  it('gives the same 1130 finite features on a spiculated phantom lung nodule in its CT (generator and ground-truth mask)', async () => {
    const patient = samplePatient('radiomics-full-set', 'R0001', 'A', { kind: 'part-solid', diameterMm: 24 });
    const rendered = renderPatient(patient);
    const grid = { dims: rendered.grid.dims, spacingMm: rendered.grid.spacingMm, originLps: rendered.grid.originLps, direction: rendered.grid.direction };
    const result = await extractRadiomics(
      { caseId: 'phantom-R0001', image: { ...grid, voxels: rendered.hu }, mask: { ...grid, voxels: rendered.mask } },
      { params, pool },
    );
    const values = Object.values(result.features);
    expect(values).toHaveLength(1130);
    expect(values.filter((v) => !Number.isFinite(v))).toEqual([]);
    // Part-solid: its mean lies between ground glass and soft tissue.
    expect(result.features.original_firstorder_Mean).toBeGreaterThan(-650);
    expect(result.features.original_firstorder_Mean).toBeLessThan(0);
  });
});
