import { describe, expect, it } from 'vitest';
import { readNrrd } from '../../../electron/engine/imaging/nrrd.js';
import { extractRadiomics } from '../../../electron/engine/radiomics/extractor.js';
import { type ParameterSet, readParameterFile } from '../../../electron/engine/radiomics/settings.js';
import { ibsiCtPhantom, ibsiPasses, radiomicsFixture, readCsv, relativeDeviation } from './reference.js';

/**
 * IBSI 1 (Zwanenburg et al. 2020). The digital phantom is run with PyRadiomics' own IBSI parameter
 * files in the four aggregations PyRadiomics reports (3D and 2D slice-wise, per-angle average and
 * merged matrices); each value must equal PyRadiomics 3.1's and pass the IBSI tolerance, except
 * the three by-design deviations documented in docs/radiomics.md. The CT phantom runs the five
 * configurations A–E as PyRadiomics' parameter files describe them; PyRadiomics' approximations
 * of B–E differ from IBSI by design (see docs/radiomics.md), so the pass counts are pinned.
 */
const withSetting = (p: ParameterSet, setting: Record<string, boolean>): ParameterSet => ({ ...p, setting: { ...p.setting, ...setting } });

describe('IBSI digital phantom', () => {
  it('reproduces PyRadiomics 3.1 on all 267 comparable values and passes IBSI on 264', async () => {
    const image = readNrrd(radiomicsFixture('ibsi', 'digital-phantom', 'Phantom.nrrd')).image;
    const mask = readNrrd(radiomicsFixture('ibsi', 'digital-phantom', 'Phantom-label.nrrd')).image;
    const avg = readParameterFile(radiomicsFixture('ibsi', 'pyradiomics-config', 'Phantom_avg.yml'));
    const comb = readParameterFile(radiomicsFixture('ibsi', 'pyradiomics-config', 'Phantom_comb.yml'));
    const variants: Record<string, ParameterSet> = {
      '3D_Combined_': withSetting(comb, { force2D: false }),
      '2D_Combined_': withSetting(comb, { force2D: true }),
      '3D_': withSetting(avg, { force2D: false }),
      '2D_': withSetting(avg, { force2D: true }),
    };
    const features: Record<string, Record<string, number>> = {};
    for (const [prefix, params] of Object.entries(variants))
      features[prefix] = (await extractRadiomics({ caseId: 'IBSI digital phantom', image, mask }, { params })).features;

    const rows = readCsv(radiomicsFixture('pyradiomics-3.1', 'ibsi_digital_phantom_pyradiomics_vs_ibsi.csv')).slice(1);
    const failures: string[] = [];
    let worst = 0;
    for (const [tag, name, reference, tolerance, pyradiomics] of rows) {
      const prefix = Object.keys(variants).find((p) => name.startsWith(p)) as string;
      const value = features[prefix][name.slice(prefix.length)];
      const deviation = relativeDeviation(value, Number(pyradiomics));
      worst = Math.max(worst, deviation);
      expect(deviation, `${name}: ${value} vs PyRadiomics ${pyradiomics}`).toBeLessThanOrEqual(1e-9);
      if (!ibsiPasses(value, Number(reference), Number(tolerance))) failures.push(tag);
    }
    console.log(
      `IBSI digital phantom: ${rows.length} values, all equal to PyRadiomics 3.1 (largest relative deviation ${worst.toExponential(1)}); IBSI passes ${rows.length - failures.length}, differs by design on ${failures.join(', ')}`,
    );
    expect(rows).toHaveLength(267);
    expect(failures.sort()).toEqual(['morph_pca_least_axis', 'morph_pca_min_axis', 'stat_kurt']);
  });
});

describe('IBSI CT phantom, configurations A–E as PyRadiomics describes them', () => {
  const mapping = new Map(
    readCsv(radiomicsFixture('ibsi', 'mapping', 'mapping.csv'))
      .slice(1)
      .filter((r) => !r[2].startsWith('diagnostics_'))
      .map((r) => [r[0], { feature: r[2], merged: r[4].includes('no_weighting') }]),
  );
  const phantom = ibsiCtPhantom();
  // IBSI passes per configuration (features only); see docs/radiomics.md for why B–E differ.
  const expected: Record<string, [passed: number, total: number]> = { A: [148, 149], B: [60, 149], C: [18, 149], D: [25, 149], E: [11, 149] };

  it.each(Object.keys(expected))('configuration %s', async (config) => {
    const values: Record<string, Record<string, number>> = {};
    for (const variant of ['avg', 'comb']) {
      const params = readParameterFile(radiomicsFixture('ibsi', 'pyradiomics-config', `config_${config}_${variant}.yml`));
      values[variant] = (await extractRadiomics({ caseId: `IBSI CT phantom ${config}`, ...phantom }, { params })).features;
    }
    const rows = readCsv(radiomicsFixture('ibsi', 'reference-values', `ibsi_1_reference_values_config_${config}.csv`)).slice(1);
    let passed = 0;
    let total = 0;
    const failed: string[] = [];
    for (const row of rows) {
      const [tag, reference, tolerance] = [row[9], row[4], row[5]];
      const map = mapping.get(tag);
      if (!map || reference === '') continue;
      const value = values[map.merged ? 'comb' : 'avg'][map.feature];
      if (value === undefined) continue;
      total++;
      if (ibsiPasses(value, Number(reference), Number(tolerance))) passed++;
      else failed.push(tag);
    }
    console.log(`IBSI CT phantom configuration ${config}: ${passed}/${total} within IBSI tolerance${config === 'A' ? ` (differs: ${failed.join(', ')})` : ''}`);
    expect([passed, total]).toEqual(expected[config]);
    if (config === 'A') expect(failed).toEqual(['stat_kurt']);
  });
});
