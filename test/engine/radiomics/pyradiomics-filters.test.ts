import { describe, expect, it } from 'vitest';
import { extractRadiomics } from '../../../electron/engine/radiomics/extractor.js';
import { readParameterFile } from '../../../electron/engine/radiomics/settings.js';
import { radiomicsFixture, readNameValueCsv, relativeDeviation, testCaseImage } from './reference.js';

/**
 * Derived images against PyRadiomics 3.1 (pyradiomics-3.1/*_owl*.csv): original + wavelet (coif1,
 * 8 sub-bands) + LoG (σ 1, 2, 3 mm), 1,130 features per case, and the same with 1 mm B-spline
 * resampling. Every feature must agree to 1e-9 relative, every diagnostic (except the library
 * versions, which name Hilum instead) must be the same text.
 */
const CASES: [testCase: string, file: string, params: string][] = [
  ['brain1', 'brain1_owl.csv', 'owl.yaml'],
  ['brain2', 'brain2_owl.csv', 'owl.yaml'],
  ['breast1', 'breast1_owl.csv', 'owl.yaml'],
  ['brain1', 'brain1_owl_1mm.csv', 'owl_1mm.yaml'],
];

describe('wavelet and LoG images against PyRadiomics 3.1 (owl parameter files)', () => {
  it.each(CASES)('%s (%s) matches every feature and diagnostic', async (testCase, file, paramFile) => {
    const reference = readNameValueCsv(radiomicsFixture('pyradiomics-3.1', file));
    const params = readParameterFile(radiomicsFixture('pyradiomics-3.1', paramFile));
    const result = await extractRadiomics({ caseId: testCase, image: testCaseImage(testCase, 'image'), mask: testCaseImage(testCase, 'label') }, { params });

    const worstByImage = new Map<string, number>();
    let features = 0;
    for (const [name, text] of reference) {
      if (name.startsWith('diagnostics_Versions_')) continue;
      if (name.startsWith('diagnostics_')) {
        expect(result.diagnostics[name], name).toBe(text);
        continue;
      }
      features++;
      const value = result.features[name];
      const deviation = relativeDeviation(value, Number(text));
      const image = name.split('_')[0];
      worstByImage.set(image, Math.max(worstByImage.get(image) ?? 0, deviation));
      expect(deviation, `${name}: ${value} vs ${text}`).toBeLessThanOrEqual(1e-9);
    }
    expect(features).toBe(1130);
    expect(Object.keys(result.features).length).toBe(1130);
    console.log(
      `${file}: ${features} features match; largest relative deviation per image: ` +
        [...worstByImage].map(([image, d]) => `${image} ${d.toExponential(1)}`).join(', '),
    );
  });
});
