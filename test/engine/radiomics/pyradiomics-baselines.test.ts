import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { extractRadiomics } from '../../../electron/engine/radiomics/extractor.js';
import { FEATURE_CLASSES, type FeatureClassName, enabledFeatures } from '../../../electron/engine/radiomics/feature-names.js';
import { validateParameters } from '../../../electron/engine/radiomics/settings.js';
import { baselineConfigurations, pyradiomics31Values, radiomicsFixture, readCsv, relativeDeviation, testCaseImage } from './reference.js';

/**
 * PyRadiomics' own feature baselines (data/baseline/baseline_<class>.csv): every column is a test
 * case × configuration, with the settings recorded in its diagnostics. Hilum runs each column with
 * those settings and compares every feature with PyRadiomics 3.1's value for it (and with the older
 * stored baseline at PyRadiomics' own 3 % tolerance). Columns whose image or mask file is not in the
 * fixtures (the lung CTs, the single-slice shape2D masks) cannot run and are listed as such.
 */
const TOLERANCE_31 = 1e-9;
const UPSTREAM_TOLERANCE = 0.03;

interface ClassStats {
  matched: number;
  total: number;
  worst: number;
  worstFeature: string;
}

const configurations = baselineConfigurations();
const reference31 = pyradiomics31Values();
const storedBaselines = new Map(
  ['firstorder', 'glcm', 'gldm', 'glrlm', 'glszm', 'ngtdm', 'shape', 'shape2D'].map((cls) => {
    const rows = readCsv(radiomicsFixture('pyradiomics', 'data', 'baseline', `baseline_${cls}.csv`));
    return [cls, rows] as const;
  }),
);

function storedBaseline(cls: string, column: string): Map<string, number> {
  const rows = storedBaselines.get(cls) as string[][];
  const c = rows[0].indexOf(column);
  return new Map(rows.filter((r) => r[0].startsWith('original_')).map((r) => [r[0], Number(r[c])]));
}

function imageAvailable(testCase: string): boolean {
  return ['image', 'label'].every((k) => existsSync(radiomicsFixture('pyradiomics', 'data', `${testCase}_${k}.nrrd`)));
}

describe('PyRadiomics baselines (brain1, brain2, breast1 × every configuration)', () => {
  it('every runnable column matches PyRadiomics 3.1 within 1e-9 relative, and the stored baselines within 3 %', async () => {
    const perClass = new Map<string, ClassStats>();
    const notRunnable: string[] = [];
    let columns = 0;
    for (const config of configurations) {
      if (!imageAvailable(config.testCase)) {
        notRunnable.push(`${config.name} (${config.testCase}: image or mask not in the fixtures)`);
        continue;
      }
      const expected31 = reference31.get(config.name);
      expect(expected31, `PyRadiomics 3.1 values for ${config.name}`).toBeDefined();
      columns++;
      const featureClass = Object.fromEntries(config.classes.map((c) => [c, null]));
      const params = validateParameters({ setting: config.settings, imageType: { Original: {} }, featureClass }, config.name);
      const image = testCaseImage(config.testCase, 'image');
      const mask = testCaseImage(config.testCase, 'label');
      const result = await extractRadiomics({ caseId: config.name, image, mask }, { params });

      // The voxels were decoded exactly as SimpleITK decodes them (PyRadiomics' hashes).
      const baselineRows = storedBaselines.get(config.classes[0]) as string[][];
      const col = baselineRows[0].indexOf(config.name);
      const row = (name: string) => (baselineRows.find((r) => r[0] === name) as string[])[col];
      expect(result.diagnostics['diagnostics_Image-original_Hash']).toBe(row('diagnostics_Image-original_Hash'));
      expect(result.diagnostics['diagnostics_Mask-original_Hash']).toBe(row('diagnostics_Mask-original_Hash'));

      for (const cls of config.classes) {
        const stored = storedBaseline(cls, config.name);
        // The baseline rows are exactly the class's non-deprecated features.
        expect([...stored.keys()].map((k) => k.split('_').slice(2).join('_')).sort()).toEqual([...enabledFeatures(cls as FeatureClassName, null)].sort());
        const stats = perClass.get(cls) ?? { matched: 0, total: 0, worst: 0, worstFeature: '' };
        for (const [name, baseline] of stored) {
          const value = result.features[name];
          const ref = (expected31 as Map<string, number>).get(name) as number;
          stats.total++;
          const deviation = relativeDeviation(value, ref);
          if (deviation <= TOLERANCE_31) stats.matched++;
          if (deviation > stats.worst) {
            stats.worst = deviation;
            stats.worstFeature = `${config.name} ${name}`;
          }
          expect(deviation, `${config.name} ${name}: ${value} vs PyRadiomics 3.1 ${ref}`).toBeLessThanOrEqual(TOLERANCE_31);
          expect(relativeDeviation(value, baseline), `${config.name} ${name} vs stored baseline ${baseline}`).toBeLessThan(UPSTREAM_TOLERANCE);
        }
        perClass.set(cls, stats);
      }
    }
    const lines = [...perClass].map(
      ([cls, s]) =>
        `  ${cls.padEnd(10)} ${String(s.matched).padStart(4)}/${String(s.total).padEnd(4)} largest relative deviation ${s.worst.toExponential(2)} (${s.worstFeature})`,
    );
    console.log(
      [
        `PyRadiomics 3.1 baselines: ${columns} columns run`,
        ...lines,
        `  not runnable: ${notRunnable.length} columns (${notRunnable.map((n) => n.split(' ')[0]).join(', ')})`,
      ].join('\n'),
    );
    expect(columns).toBe(24);
    expect([...perClass.values()].reduce((n, s) => n + s.total, 0)).toBe(1995);
    expect([...perClass.values()].every((s) => s.matched === s.total)).toBe(true);
    // The feature classes of the tables are the classes Hilum implements.
    expect([...perClass.keys()].sort()).toEqual(
      Object.keys(FEATURE_CLASSES)
        .filter((c) => c !== 'shape2D')
        .sort(),
    );
  });
});
