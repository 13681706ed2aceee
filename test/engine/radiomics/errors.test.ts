import { describe, expect, it } from 'vitest';
import { HilumError } from '../../../electron/engine/core/errors.js';
import type { ScalarImage } from '../../../electron/engine/imaging/volume.js';
import { extractRadiomics } from '../../../electron/engine/radiomics/extractor.js';
import { parseParameters } from '../../../electron/engine/radiomics/settings.js';
import { testCaseImage } from './reference.js';

/** Invalid input gives a HilumError with a stable code and a message that names the case. */
const image = testCaseImage('breast1', 'image');
const label = testCaseImage('breast1', 'label');
const firstOrderOnly = parseParameters('featureClass:\n  firstorder: [Mean]\n', 'test');

function maskWith(voxels: (v: Int16Array) => void, grid: Partial<ScalarImage> = {}): ScalarImage {
  const copy = Int16Array.from(label.voxels as Int16Array);
  voxels(copy);
  return { ...label, ...grid, voxels: copy };
}

async function failure(mask: ScalarImage, yaml = 'featureClass:\n  firstorder: [Mean]\n'): Promise<HilumError> {
  try {
    await extractRadiomics({ caseId: 'case-042', image, mask }, { params: parseParameters(yaml, 'test') });
  } catch (error) {
    expect(error).toBeInstanceOf(HilumError);
    expect((error as Error).message).toMatch(/^case-042: /);
    return error as HilumError;
  }
  throw new Error('extraction did not fail');
}

describe('radiomics input errors', () => {
  it('an empty mask', async () => {
    const e = await failure(maskWith((v) => v.fill(0)));
    expect(e.code).toBe('RADIOMICS_MASK_EMPTY');
    expect(e.message).toBe('case-042: the mask is empty (no voxel is labelled)');
  });

  it('a label that is not in the mask lists the labels that are', async () => {
    const e = await failure(label, 'setting:\n  label: 3\n');
    expect(e.code).toBe('RADIOMICS_LABEL_NOT_FOUND');
    expect(e.message).toBe('case-042: label 3 is not in the mask; it holds label 1');
  });

  it('a single-voxel ROI', async () => {
    const mask = maskWith((v) => {
      v.fill(0);
      v[1000] = 1;
    });
    expect((await failure(mask)).code).toBe('RADIOMICS_ROI_SINGLE_VOXEL');
  });

  it('an ROI with fewer dimensions than minimumROIDimensions', async () => {
    const [nx, ny] = label.dims;
    // Keep only the ROI's middle slice (z = 9): a 2D ROI.
    const mask = maskWith((v) => {
      for (let i = 0; i < v.length; i++) if (Math.floor(i / (nx * ny)) !== 9) v[i] = 0;
    });
    const e = await failure(mask, 'setting:\n  minimumROIDimensions: 3\nfeatureClass:\n  firstorder: [Mean]\n');
    expect(e.code).toBe('RADIOMICS_ROI_TOO_FEW_DIMENSIONS');
    expect(e.message).toMatch(/spans 2 dimensions \(bounding box 9×12×1 voxels\) but minimumROIDimensions is 3/);
    // The default (2) accepts a single-slice ROI.
    await expect(extractRadiomics({ caseId: 'case-042', image, mask }, { params: firstOrderOnly })).resolves.toBeDefined();
  });

  it('an ROI smaller than minimumROISize', async () => {
    const e = await failure(label, 'setting:\n  minimumROISize: 500\nfeatureClass:\n  firstorder: [Mean]\n');
    expect(e.code).toBe('RADIOMICS_ROI_TOO_SMALL');
    expect(e.message).toMatch(/holds 143 voxels; minimumROISize requires more than 500/);
  });

  it('a mask that lies outside the image', async () => {
    const shifted = maskWith(() => undefined, { originLps: [label.originLps[0] + 200, label.originLps[1], label.originLps[2]] });
    const e = await failure(shifted, 'setting:\n  correctMask: true\nfeatureClass:\n  firstorder: [Mean]\n');
    expect(e.code).toBe('RADIOMICS_MASK_OUTSIDE_IMAGE');
    expect(e.message).toMatch(/the ROI \(label 1\) reaches outside the image/);
  });

  it('mismatched geometry: refused, or corrected onto the image grid with correctMask', async () => {
    const shifted = maskWith(() => undefined, { originLps: [label.originLps[0] + 0.1, label.originLps[1], label.originLps[2]] });
    const e = await failure(shifted);
    expect(e.code).toBe('RADIOMICS_GEOMETRY_MISMATCH');
    expect(e.message).toMatch(/^case-042: the mask does not lie on the image grid \(origin \(-116\.54304, .*\) vs \(-116\.44304, .*\) mm\)$/);
    expect(e.hint).toMatch(/correctMask: true/);

    const corrected = await extractRadiomics(
      { caseId: 'case-042', image, mask: shifted },
      { params: parseParameters('setting:\n  correctMask: true\nfeatureClass:\n  firstorder: [Mean]\n', 'test') },
    );
    expect(corrected.diagnostics['diagnostics_Mask-corrected_VoxelNum']).toBe('143');
  });

  it('a mask of another size', async () => {
    const [nx, ny, nz] = label.dims;
    const smaller: ScalarImage = { ...label, dims: [nx, ny, nz - 1], voxels: (label.voxels as Int16Array).slice(0, nx * ny * (nz - 1)) };
    const e = await failure(smaller);
    expect(e.code).toBe('RADIOMICS_GEOMETRY_MISMATCH');
    expect(e.message).toMatch(/size 45×120×21 vs 45×120×20/);
  });

  it('re-segmentation that leaves fewer than two voxels', async () => {
    const e = await failure(label, 'setting:\n  resegmentRange: [5000]\nfeatureClass:\n  firstorder: [Mean]\n');
    expect(e.code).toBe('RADIOMICS_RESEGMENTATION_EMPTY');
    expect(e.message).toMatch(/re-segmentation to ≥ 5000 left 0 voxels of label 1/);
  });
});
