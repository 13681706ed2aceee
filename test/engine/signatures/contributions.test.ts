import { describe, expect, it } from 'vitest';
import { arrayMin } from '../../../electron/engine/core/array-extent.js';
import { nomogramPoints } from '../../../electron/engine/pipeline/bedside.js';
import type { ModelBundle } from '../../../electron/engine/signatures/bundle.js';
import { logisticContributions } from '../../../electron/engine/signatures/contributions.js';
import { fitSignatureSet } from '../../../electron/engine/signatures/fit-set.js';
import { parseProtocol } from '../../../electron/engine/signatures/protocol.js';
import { demoBundle } from '../report/sample-record.js';
import { syntheticStudy } from './synthetic-study.js';

const linearPredictor = (bundle: ModelBundle, name: 'clinical' | 'combined', values: Record<string, number>) => {
  const s = bundle.signatures[name];
  return s.intercept + s.terms.reduce((sum, t, j) => sum + s.coefficients[j] * values[t], 0);
};

describe('each input’s contribution to a logistic signature', () => {
  it('splits the linear predictor exactly, largest first, with units; without training means, equals the nomogram points / scale', () => {
    // The shipped bundle records training means; without them the reference is the nomogram's zero.
    const shipped = demoBundle();
    expect(
      logisticContributions(shipped, 'combined', { dlrad_score: 0, cea_ng_ml: 2, diameter_mm: 20, ctr: 1, spiculation: 0, vascular_convergence: 0 }).reference,
    ).toBe('training-mean');
    const withoutMeans = (name: 'clinical' | 'combined') => ({ ...shipped.signatures[name], termMeans: undefined });
    const bundle = { ...shipped, signatures: { ...shipped.signatures, clinical: withoutMeans('clinical'), combined: withoutMeans('combined') } } as ModelBundle;
    const values = { dlrad_score: -0.4, cea_ng_ml: 7.5, diameter_mm: 21, ctr: 0.6, spiculation: 1, vascular_convergence: 0 };
    for (const name of ['clinical', 'combined'] as const) {
      const c = logisticContributions(bundle, name, values);
      expect(c.reference).toBe('nomogram-zero');
      expect(c.linearPredictor).toBeCloseTo(linearPredictor(bundle, name, values), 10);
      expect(c.baselineLogOdds + c.inputs.reduce((s, x) => s + x.logOdds, 0)).toBeCloseTo(c.linearPredictor, 12);
      const sizes = c.inputs.map((x) => Math.abs(x.logOdds));
      expect(sizes).toEqual([...sizes].sort((a, b) => b - a));
      expect(c.inputs.map((x) => x.term).sort()).toEqual([...bundle.signatures[name].terms].sort());
    }
    const combined = logisticContributions(bundle, 'combined', values);
    const units = Object.fromEntries(combined.inputs.map((x) => [x.term, x.unit]));
    expect(units).toEqual({ dlrad_score: 'score', cea_ng_ml: 'ng/mL', diameter_mm: 'mm', ctr: 'ratio', spiculation: '0/1', vascular_convergence: '0/1' });
    // Relative to the value at zero points, a contribution is that axis's points divided by the points per unit of xβ.
    const points = nomogramPoints(bundle, values);
    for (const x of combined.inputs) {
      const axis = points.axes.find((a) => a.name === x.term)!;
      const zero = arrayMin(bundle.nomogram.axes.find((a) => a.name === x.term)!.points);
      expect(x.logOdds).toBeCloseTo((axis.points - zero) / bundle.nomogram.pointsPerUnitXbeta, 9);
    }
  });

  it('records the training means in newly fitted signatures: averaged over training patients the contributions vanish', () => {
    const s = syntheticStudy();
    const fit = fitSignatureSet(
      s,
      parseProtocol({
        clinical: {
          variables: [
            { column: 'age_years', kind: 'numeric', unit: 'years', range: [18, 100] },
            { column: 'cea_ng_ml', kind: 'numeric', unit: 'ng/mL', range: [0, 1000] },
            { column: 'diameter_mm', kind: 'numeric', unit: 'mm', range: [1, 100] },
          ],
        },
        selection: { lasso: { nFolds: 5 } },
      }),
    );
    const bundle = { ...demoBundle(), signatures: fit.set } as ModelBundle;
    const training = s.split.flatMap((x, i) => (x === 'training' ? [i] : []));
    for (const name of ['clinical', 'combined'] as const) {
      const sig = fit.set[name];
      expect(sig.termMeans).toHaveLength(sig.terms.length);
      const rows = training.map((i) =>
        logisticContributions(bundle, name, {
          ...Object.fromEntries(Object.entries(fit.clinicalColumns).map(([k, col]) => [k, col[i]])),
          dlrad_score: fit.scores.score.dlrad[i],
        }),
      );
      expect(rows[0].reference).toBe('training-mean');
      rows.forEach((r, k) => expect(r.linearPredictor).toBeCloseTo(fit.scores.score[name][training[k]], 9));
      for (const term of sig.terms) {
        const mean = rows.reduce((sum, r) => sum + r.inputs.find((x) => x.term === term)!.logOdds, 0) / rows.length;
        expect(Math.abs(mean)).toBeLessThan(1e-9);
      }
    }
  });
});
