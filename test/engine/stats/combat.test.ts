import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  applyCombat,
  estimateNewBatch,
  fitCombat,
  PRIOR_MISFIT_FACTOR,
  refuseOutcomeCovariate,
  scalePriorMisfit,
  scalePriorMisfits,
  typicalScaleShrinkage,
  type CombatOptions,
} from '../../../electron/engine/stats/combat/index.js';
import { expectClose, readExpected, reportDeviations, STATS_FIXTURES } from './helpers.js';

reportDeviations('combat');

/** bladderbatch's 57 samples × 50 probe sets, with batch and the cancer-status dummies (see reference-scripts/combat_sva.R). */
function readBladder() {
  const lines = readFileSync(path.join(STATS_FIXTURES, 'data', 'bladder_combat.csv'), 'utf8')
    .trim()
    .split(/\r?\n/);
  const header = lines[0].split(',');
  const rows = lines.slice(1).map((l) => l.split(','));
  const col = (name: string) => Float64Array.from(rows, (r) => Number(r[header.indexOf(name)]));
  const ref = readExpected('combat_bladder.json');
  const featureNames: string[] = ref.features;
  return {
    ref,
    batch: rows.map((r) => r[header.indexOf('batch')]),
    rowIds: rows.map((r) => r[0]),
    featureNames,
    features: Object.fromEntries(featureNames.map((f) => [f, col(f)])),
    covariateNames: ref.covariates as string[],
    covariates: Object.fromEntries((ref.covariates as string[]).map((c) => [c, col(c)])),
  };
}

const bladder = readBladder();
const CASES: [string, CombatOptions, boolean][] = [
  ['parametric', {}, false],
  ['nonparametric', { parametric: false }, false],
  ['parametric_reference', { referenceBatch: '2' }, false],
  ['nonparametric_reference', { parametric: false, referenceBatch: '2' }, false],
  ['parametric_covariate', {}, true],
  ['nonparametric_covariate', { parametric: false }, true],
  ['parametric_reference_covariate', { referenceBatch: '2' }, true],
  ['mean_only_parametric', { meanOnly: true }, false],
  ['mean_only_nonparametric', { meanOnly: true, parametric: false }, false],
];

function data(withCovariates: boolean, keep?: (i: number) => boolean) {
  const rows = bladder.batch.flatMap((_, i) => (!keep || keep(i) ? [i] : []));
  const pick = (cols: Record<string, Float64Array>) => Object.fromEntries(Object.entries(cols).map(([k, v]) => [k, Float64Array.from(rows, (i) => v[i])]));
  return {
    batch: rows.map((i) => bladder.batch[i]),
    rowIds: rows.map((i) => bladder.rowIds[i]),
    featureNames: bladder.featureNames,
    features: pick(bladder.features),
    covariateNames: withCovariates ? bladder.covariateNames : [],
    covariates: withCovariates ? pick(bladder.covariates) : {},
  };
}

describe('ComBat against sva::ComBat 3.46.0 (bladderbatch, 57 samples × 50 probe sets, 5 batches)', () => {
  for (const [label, options, withCovariates] of CASES)
    it(`${label}: the harmonised data to 1e-8 relative`, () => {
      const fit = fitCombat(data(withCovariates), options);
      const expected: Record<string, number[]> = bladder.ref.cases[label];
      for (const f of bladder.featureNames) expectClose(`combat ${label} ${f}`, fit.adjusted[f], expected[f], 1e-8, 'rel');
      // The frozen parameters, serialised and applied again, give the same data.
      const params = JSON.parse(JSON.stringify(fit.params));
      const again = applyCombat(params, data(withCovariates));
      for (const f of bladder.featureNames) expect(Array.from(again[f])).toEqual(Array.from(fit.adjusted[f]));
    });

  it('a new batch estimated against a frozen reference-batch fit equals sva with that batch in the fit (parametric and not)', () => {
    // With a reference batch and no covariates the standardisation depends on the reference batch
    // only and each other batch is shrunk on its own, so leaving batch 5 out of the fit and estimating
    // it afterwards must reproduce sva's values for it.
    for (const [label, parametric] of [
      ['parametric_reference', true],
      ['nonparametric_reference', false],
    ] as const) {
      const fit = fitCombat(
        data(false, (i) => bladder.batch[i] !== '5'),
        { referenceBatch: '2', parametric },
      );
      const fifth = data(false, (i) => bladder.batch[i] === '5');
      const params = estimateNewBatch(fit.params, '5', fifth);
      expect(params.batches['5'].source).toBe('new-batch');
      const adjusted = applyCombat(params, fifth);
      const rows = bladder.batch.flatMap((b, i) => (b === '5' ? [i] : []));
      for (const f of bladder.featureNames)
        expectClose(
          `combat new batch ${label} ${f}`,
          adjusted[f],
          rows.map((i) => bladder.ref.cases[label][f][i]),
          1e-8,
          'rel',
        );
    }
  });
});

describe('ComBat with one training centre as the reference', () => {
  it('fit on batch 2 alone, batch 5 estimated against it: sva with ref.batch = "2" for batch 5', () => {
    const fit = fitCombat(
      data(false, (i) => bladder.batch[i] === '2'),
      { referenceBatch: '2' },
    );
    const fifth = data(false, (i) => bladder.batch[i] === '5');
    const adjusted = applyCombat(estimateNewBatch(fit.params, '5', fifth), fifth);
    const rows = bladder.batch.flatMap((b, i) => (b === '5' ? [i] : []));
    for (const f of bladder.featureNames)
      expectClose(
        `combat one-centre reference ${f}`,
        adjusted[f],
        rows.map((i) => bladder.ref.cases.parametric_reference[f][i]),
        1e-8,
        'rel',
      );
  });
});

describe('ComBat refusals', () => {
  const fit = fitCombat(data(false), {});
  const one = data(false, (i) => i === 0);
  const code = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      return (e as { code?: string }).code;
    }
    return 'no error';
  };

  it('refuses a single patient from an unseen centre, and a sample of an unknown batch', () => {
    expect(code(() => estimateNewBatch(fit.params, 'Z', one))).toBe('HARMONISE_BATCH_TOO_SMALL');
    expect(code(() => applyCombat(fit.params, { ...one, batch: ['Z'] }))).toBe('HARMONISE_UNKNOWN_BATCH');
    expect(code(() => estimateNewBatch(fit.params, '1', data(false)))).toBe('HARMONISE_BATCH_EXISTS');
  });

  it('refuses the outcome as a covariate, a confounded covariate, one batch and missing values', () => {
    expect(code(() => refuseOutcomeCovariate(['age', 'label'], 'label'))).toBe('HARMONISE_OUTCOME_COVARIATE');
    const d = data(false);
    const batch5 = Float64Array.from(d.batch, (b) => (b === '5' ? 1 : 0));
    expect(code(() => fitCombat({ ...d, covariateNames: ['b5'], covariates: { b5: batch5 } }))).toBe('HARMONISE_CONFOUNDED');
    expect(code(() => fitCombat({ ...d, batch: d.batch.map(() => 'A') }))).toBe('HARMONISE_ONE_BATCH');
    const f0 = d.featureNames[0];
    const holed = Float64Array.from(d.features[f0]);
    holed[3] = NaN;
    expect(code(() => fitCombat({ ...d, features: { ...d.features, [f0]: holed } }))).toBe('HARMONISE_VALUE_MISSING');
  });

  it('a feature constant within a batch passes through unchanged; a batch of one sample makes the fit location-only', () => {
    const d = data(false);
    const c = Float64Array.from(d.features[d.featureNames[0]]);
    d.batch.forEach((b, i) => b === '3' && (c[i] = 7));
    const f = fitCombat({ ...d, featureNames: [...d.featureNames, 'const3'], features: { ...d.features, const3: c } });
    expect(f.params.unchanged).toEqual(['const3']);
    expect(Array.from(f.adjusted.const3)).toEqual(Array.from(c));
    const single = data(false, (i) => bladder.batch[i] !== '3' || i === bladder.batch.indexOf('3'));
    const m = fitCombat(single);
    expect(m.params.meanOnly).toBe(true);
    expect(m.findings.map((x) => x.code)).toContain('HARMONISE_MEAN_ONLY');
  });
});

describe("ComBat's parametric scale prior: the misfit check (HARMONISE_PRIOR_MISFIT)", () => {
  /** Two centres' standard-normal features; centre B shifted by 0.5 and scaled by 1.5; `outlierScale` multiplies one feature's B values. */
  function centres(outlierScale: number | null) {
    let state = 12345;
    const uniform = () => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0) + 0.5) / 2 ** 32;
    const normal = () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
    const n = 40;
    const names = Array.from({ length: 30 }, (_, g) => `f${String(g).padStart(2, '0')}`);
    if (outlierScale !== null) names.push('wavelet_like');
    const batch = [...new Array<string>(n).fill('A'), ...new Array<string>(n).fill('B')];
    const features = Object.fromEntries(
      names.map((f) => [f, Float64Array.from(batch, (b) => (b === 'A' ? normal() : (0.5 + 1.5 * normal()) * (f === 'wavelet_like' ? outlierScale! : 1)))]),
    );
    return { batch, names, features, rowIds: batch.map((b, i) => `${b}${i}`) };
  }
  const rowsOf = (d: ReturnType<typeof centres>, b: string) => d.batch.flatMap((x, i) => (x === b ? [i] : []));
  const pick = (cols: Record<string, Float64Array>, rows: number[]) =>
    Object.fromEntries(Object.entries(cols).map(([k, v]) => [k, Float64Array.from(rows, (i) => v[i])]));
  /** Fit on A as the reference, B estimated from its own rows; the harmonised B values of f00…f29 and their SD relative to A's. */
  function newCentre(outlierScale: number | null, parametric: boolean) {
    const d = centres(outlierScale);
    const a = rowsOf(d, 'A');
    const b = rowsOf(d, 'B');
    const fit = fitCombat(
      { batch: a.map(() => 'A'), rowIds: a.map((i) => d.rowIds[i]), featureNames: d.names, features: pick(d.features, a) },
      { referenceBatch: 'A', parametric },
    );
    const params = estimateNewBatch(fit.params, 'B', { rowIds: b.map((i) => d.rowIds[i]), features: pick(d.features, b) });
    const out = applyCombat(params, { batch: b.map(() => 'B'), rowIds: b.map((i) => d.rowIds[i]), features: pick(d.features, b) });
    const sd = (x: ArrayLike<number>) => {
      const m = Array.from(x).reduce((s, v) => s + v, 0) / x.length;
      return Math.sqrt(Array.from(x).reduce((s, v) => s + (v - m) ** 2, 0) / (x.length - 1));
    };
    const sdRatios = d.names.filter((f) => f !== 'wavelet_like').map((f) => sd(out[f]) / sd(pick(d.features, a)[f]));
    return { params, misfit: scalePriorMisfit(params, 'B'), medianSdRatio: sdRatios.sort((x, y) => x - y)[sdRatios.length >> 1] };
  }

  it('sva-matched fits of real data (bladderbatch) raise no misfit', () => {
    for (const [label, options, withCovariates] of CASES) {
      const fit = fitCombat(data(withCovariates), options);
      expect(
        fit.findings.filter((f) => f.code === 'HARMONISE_PRIOR_MISFIT'),
        label,
      ).toEqual([]);
    }
  });

  it('one feature with a 10⁶-fold variance at the new centre: the prior sets every feature’s scale, and the warning names that feature', () => {
    const bad = newCentre(1000, true);
    expect(bad.misfit?.code).toBe('HARMONISE_PRIOR_MISFIT');
    expect(bad.misfit?.severity).toBe('warning');
    const data = bad.misfit!.data as { medianScaleRatio: number; drivers: { feature: string }[] };
    expect(data.drivers[0].feature).toBe('wavelet_like');
    const batch = bad.params.batches.B;
    const ratios = batch.deltaHat.map((d, g) => batch.deltaStar[g] / d).sort((x, y) => x - y);
    expect(ratios).toHaveLength(31);
    expect(data.medianScaleRatio).toBe(ratios[15]);
    expect(typicalScaleShrinkage(batch.deltaHat, batch.deltaStar)).toBe(data.medianScaleRatio);
    expect(data.medianScaleRatio).toBeGreaterThan(PRIOR_MISFIT_FACTOR);
    expect(bad.misfit!.message).toMatch(/batch B.*wavelet_like/);
    // What the warning is about: the new centre's ordinary features come out far narrower than the reference's.
    expect(bad.medianSdRatio).toBeLessThan(0.5);
  });

  it('without that feature, or with the non-parametric prior, the new centre keeps the reference’s scale and no warning is raised', () => {
    const clean = newCentre(null, true);
    expect(clean.misfit).toBeNull();
    expect(Math.abs(clean.medianSdRatio - 1)).toBeLessThan(0.2);
    const nonParametric = newCentre(1000, false);
    expect(nonParametric.misfit).toBeNull();
    expect(Math.abs(nonParametric.medianSdRatio - 1)).toBeLessThan(0.2);
  });

  it('a fit with both centres in training warns for the adjusted batch, not the reference', () => {
    const d = centres(1000);
    const fit = fitCombat({ batch: d.batch, rowIds: d.rowIds, featureNames: d.names, features: d.features }, { referenceBatch: 'A' });
    const misfits = fit.findings.filter((f) => f.code === 'HARMONISE_PRIOR_MISFIT');
    expect(misfits.map((f) => f.data?.batch)).toEqual(['B']);
    expect(scalePriorMisfits(fit.params)).toEqual(misfits);
  });
});
