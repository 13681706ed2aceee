import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isHilumError } from '../../../electron/engine/core/errors.js';
import { enabledFeatures } from '../../../electron/engine/radiomics/feature-names.js';
import { pyFloat, pyRepr, PyInt, PyTuple } from '../../../electron/engine/radiomics/python-repr.js';
import { extractionSettingsRepr, parseParameters, readParameterFile, resolveSettings } from '../../../electron/engine/radiomics/settings.js';
import { radiomicsFixture } from './reference.js';

function rejection(text: string): string {
  try {
    parseParameters(text, 'params.yaml');
  } catch (error) {
    expect(isHilumError(error)).toBe(true);
    expect((error as { code: string }).code).toBe('RADIOMICS_PARAMS_INVALID');
    return (error as Error).message;
  }
  throw new Error(`accepted: ${text}`);
}

describe('PyRadiomics parameter files', () => {
  it('accepts every example parameter file PyRadiomics ships (as its test_exampleSettings does)', () => {
    const dir = radiomicsFixture('pyradiomics', 'examples', 'exampleSettings');
    const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'));
    expect(files.length).toBe(8);
    for (const f of files) expect(() => readParameterFile(`${dir}/${f}`), f).not.toThrow();
  });

  it('accepts the IBSI parameter files of the PyRadiomics IBSI benchmark', () => {
    const dir = radiomicsFixture('ibsi', 'pyradiomics-config');
    for (const f of readdirSync(dir)) expect(() => readParameterFile(`${dir}/${f}`), f).not.toThrow();
  });

  it('keeps the file order of image types and feature classes, and the requested feature lists', () => {
    const p = readParameterFile(radiomicsFixture('pyradiomics', 'examples', 'exampleSettings', 'exampleCT.yaml'));
    expect(p.imageType.map((t) => t.name)).toEqual(['Original', 'LoG', 'Wavelet']);
    expect(p.imageType[1].setting.sigma).toEqual([1, 2, 3, 4, 5]);
    const glcm = p.featureClass.find((c) => c.name === 'glcm');
    expect(glcm?.features).toHaveLength(22);
    expect(glcm?.features).not.toContain('SumAverage');
    expect(resolveSettings({ ...p.setting }).padDistance).toBe(10);
  });

  it('rejects unknown settings, naming them and suggesting the right spelling', () => {
    expect(rejection('setting:\n  binwidth: 25\n')).toMatch(/params\.yaml: setting: 'binwidth' is not a PyRadiomics setting \(did you mean 'binWidth'\?\)/);
    expect(rejection('setting:\n  kernelRadius: 2\n')).toMatch(/'kernelRadius' is not a PyRadiomics setting/);
    expect(rejection('settings:\n  binWidth: 25\n')).toMatch(/unknown section 'settings' \(did you mean 'setting'\?\)/);
  });

  it('checks types and ranges as the schema does', () => {
    expect(rejection('setting:\n  binWidth: 0\n')).toMatch(/setting\.binWidth must be > 0, got 0/);
    expect(rejection('setting:\n  binCount: 32.5\n')).toMatch(/setting\.binCount must be a whole number, got 32.5/);
    expect(rejection('setting:\n  minimumROIDimensions: 4\n')).toMatch(/must be ≤ 3/);
    expect(rejection('setting:\n  normalize: yes please\n')).toMatch(/setting\.normalize must be true or false/);
    expect(rejection('setting:\n  resegmentMode: percent\n')).toMatch(/must be one of absolute, relative, sigma/);
    expect(rejection('setting:\n  interpolator: sitkCubic\n')).toMatch(/must be one of sitkNearestNeighbor/);
    expect(rejection('setting:\n  weightingNorm: l2\n')).toMatch(/weightingNorm must be one of euclidean/);
    expect(rejection('setting:\n  distances: [1, 0]\n')).toMatch(/distances\[1\] is out of range/);
    expect(rejection('imageType:\n  Wavelet:\n    wavelet: morl\n')).toMatch(/imageType\.Wavelet\.wavelet must be a discrete wavelet/);
  });

  it('rejects unknown image types, feature classes and feature names', () => {
    expect(rejection('imageType:\n  Laplacian: {}\n')).toMatch(/imageType 'Laplacian' is not recognized; available: Original, Wavelet, LoG/);
    expect(rejection('featureClass:\n  glcmm:\n')).toMatch(/feature class 'glcmm' is not recognized \(did you mean 'glcm'\?\)/);
    expect(rejection('featureClass:\n  glcm: [Contrst]\n')).toMatch(/feature class 'glcm' has no feature 'Contrst' \(did you mean 'Contrast'\?\)/);
    expect(rejection('setting: [1, 2]\n')).toMatch(/setting must be a mapping/);
    expect(rejection('setting:\n  binWidth: [1\n')).toMatch(/is not valid YAML/);
  });

  it('enables non-deprecated features for a bare class, and named (even deprecated) ones in the order given', () => {
    expect(enabledFeatures('firstorder', null)).toHaveLength(18);
    expect(enabledFeatures('shape', [])).toHaveLength(14);
    expect(enabledFeatures('shape', ['Sphericity', 'Compactness1'])).toEqual(['Sphericity', 'Compactness1']);
    // Deprecated GLCM features that PyRadiomics never computes give no value.
    expect(enabledFeatures('glcm', ['SumVariance', 'Contrast'])).toEqual(['Contrast']);
  });

  it('prints settings as PyRadiomics does (Python literals, ints and floats told apart)', () => {
    const p = parseParameters('setting:\n  binWidth: 25\n  resampledPixelSpacing: [1, 1.5, 2.0]\n  label: 2\n', 'x');
    expect(pyRepr(extractionSettingsRepr(p) as never)).toBe(
      "{'minimumROIDimensions': 2, 'minimumROISize': None, 'normalize': False, 'normalizeScale': 1, 'removeOutliers': None, " +
        "'resampledPixelSpacing': [1, 1.5, 2.0], 'interpolator': 'sitkBSpline', 'preCrop': False, 'padDistance': 5, 'distances': [1], " +
        "'force2D': False, 'force2Ddimension': 0, 'resegmentRange': None, 'label': 2, 'additionalInfo': True, 'binWidth': 25}",
    );
    expect([pyFloat(2), pyFloat(0.1), pyFloat(1e-5), pyFloat(123456789012345680), pyFloat(-0.00012)]).toEqual([
      '2.0',
      '0.1',
      '1e-05',
      '1.2345678901234568e+17',
      '-0.00012',
    ]);
    expect(pyRepr(new PyTuple([new PyInt(45), 1.5]))).toBe('(45, 1.5)');
  });
});
