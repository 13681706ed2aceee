import { describe, expect, it } from 'vitest';
import { nomogramPoints } from '../../../electron/engine/pipeline/bedside.js';
import type { ModelBundle } from '../../../electron/engine/signatures/bundle.js';
import { encodeClinical, fitClinicalEncoding } from '../../../electron/engine/signatures/clinical-encoding.js';
import { logisticContributions } from '../../../electron/engine/signatures/contributions.js';
import { fitSignatureSet } from '../../../electron/engine/signatures/fit-set.js';
import { defaultClinicalVariables, parseProtocol, type ClinicalVariable } from '../../../electron/engine/signatures/protocol.js';
import { buildNomogram, logTicks } from '../../../electron/engine/stats/nomogram.js';
import { demoBundle } from '../report/sample-record.js';
import { syntheticStudy, syntheticStudyProtocol } from './synthetic-study.js';

const cea = (extra: Partial<ClinicalVariable> = {}): ClinicalVariable => ({
  column: 'cea_ng_ml',
  kind: 'numeric',
  label: 'CEA',
  unit: 'ng/mL',
  range: [0.05, 1000],
  transform: 'log',
  ...extra,
});

const variablesWith = (ceaVariable: ClinicalVariable) => syntheticStudyProtocol().clinical.variables.map((v) => (v.column === 'cea_ng_ml' ? ceaVariable : v));
/** The synthetic study's clinical model keeps CEA only with wide entry and keep thresholds. */
const clinicalWith = (ceaVariable: ClinicalVariable) => ({ clinical: { variables: variablesWith(ceaVariable), pEnter: 0.5, pKeep: 0.5 } });

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return undefined;
}

describe('clinical variables on a log scale (protocol transform: log)', () => {
  it('the default protocol takes the tumour markers as ln x; the protocol refuses a log scale on a non-numeric variable or a range reaching 0', () => {
    const defaults = Object.fromEntries(defaultClinicalVariables().map((v) => [v.column, v]));
    expect(defaults.cea_ng_ml.transform).toBe('log');
    expect(defaults.cyfra_ng_ml.transform).toBe('log');
    expect(defaults.diameter_mm.transform).toBeUndefined();
    expect(codeOf(() => parseProtocol({ clinical: { variables: [{ column: 'smoker', kind: 'binary', transform: 'log' }] } }))).toBe('PROTOCOL_INVALID');
    expect(() => parseProtocol({ clinical: { variables: [cea({ range: [0, 1000] })] } })).toThrow(/log scale needs a plausible range above 0/);
    expect(parseProtocol({ clinical: { variables: [cea()] } }).clinical.variables[0].transform).toBe('log');
  });

  it('encodes ln x, keeps ranges and imputation in the unit, and refuses a value at or below 0 naming every patient', () => {
    const rows = [
      { id: 'P1', values: { cea_ng_ml: '2.5' } },
      { id: 'P2', values: { cea_ng_ml: '' } },
      { id: 'P3', values: { cea_ng_ml: '10' } },
    ];
    const { encoding } = fitClinicalEncoding([cea()], rows, [true, true, true], 'impute');
    expect(encoding.imputation.cea_ng_ml).toBe(6.25);
    expect(encodeClinical(encoding, { cea_ng_ml: '2.5' }).cea_ng_ml).toBe(Math.log(2.5));
    expect(encodeClinical(encoding, { cea_ng_ml: '' }).cea_ng_ml).toBe(Math.log(6.25));
    expect(codeOf(() => encodeClinical(encoding, { cea_ng_ml: '0.01' }))).toBe('CLINICAL_VALUE_OUT_OF_RANGE');
    // Without a declared range a 0 passes the range check but not the log scale.
    const open = cea({ range: undefined });
    expect(() => encodeClinical({ ...encoding, variables: [open] }, { cea_ng_ml: 0 }, 'bedside patient')).toThrow(
      /bedside patient: CEA = 0 ng\/mL must be above 0/,
    );
    const bad = [
      { id: 'P1', values: { cea_ng_ml: '0' } },
      { id: 'P2', values: { cea_ng_ml: '3' } },
      { id: 'P3', values: { cea_ng_ml: '-1' } },
    ];
    expect(() => fitClinicalEncoding([open], bad, [true, true, true], 'reject')).toThrow(/2 patient\(s\) are not: P1 \(0\); P3 \(-1\)/);
  });

  it('fits exactly the model of a manifest holding ln CEA as a plain number', () => {
    const s = syntheticStudy();
    const logged = fitSignatureSet(s, syntheticStudyProtocol(clinicalWith(cea({ range: [0.01, 1000] }))));
    const plain = fitSignatureSet(
      { ...s, clinicalValues: s.clinicalValues.map((v) => ({ ...v, cea_ng_ml: String(Math.log(Number(v.cea_ng_ml))) })) },
      syntheticStudyProtocol(clinicalWith(cea({ range: undefined, transform: undefined }))),
    );
    expect(logged.set.clinical.terms).toContain('cea_ng_ml');
    expect(logged.set.clinical.terms).toEqual(plain.set.clinical.terms);
    logged.set.clinical.coefficients.forEach((b, j) => expect(b).toBeCloseTo(plain.set.clinical.coefficients[j], 10));
    logged.set.combined.coefficients.forEach((b, j) => expect(b).toBeCloseTo(plain.set.combined.coefficients[j], 10));
    // …and it is not the linear model: the markers' scale matters.
    const linear = fitSignatureSet(s, syntheticStudyProtocol(clinicalWith(cea({ range: [0, 1000], transform: undefined }))));
    const largestGap = Math.max(...Array.from(linear.scores.score.clinical, (v, i) => Math.abs(v - logged.scores.score.clinical[i])));
    expect(largestGap).toBeGreaterThan(0.05);
  });

  it('draws the log axis in ng/mL with 1-2-5 ticks; bedside points, the recorded value and the contributions agree with the model', () => {
    expect(logTicks(0.3, 18)).toEqual([0.2, 0.5, 1, 2, 5, 10, 20]);
    expect(logTicks(2, 2)).toEqual([2]);
    expect(logTicks(1, 9.99)).toEqual([1, 2, 5, 10]);
    expect(codeOf(() => logTicks(0, 5))).toBe('INVALID_INPUT');

    const s = syntheticStudy();
    const fit = fitSignatureSet(s, syntheticStudyProtocol(clinicalWith(cea({ range: [0.01, 1000] }))));
    const c = fit.set.combined;
    expect(c.terms).toContain('cea_ng_ml');
    const training = s.split.flatMap((x, i) => (x === 'training' ? [i] : []));
    const modelColumns: Record<string, Float64Array> = { ...fit.clinicalColumns, dlrad_score: fit.scores.score.dlrad };
    const data = Object.fromEntries(c.terms.map((t) => [t, Float64Array.from(training, (i) => modelColumns[t][i])]));
    const model = { intercept: c.intercept, coefficients: Object.fromEntries(c.terms.map((t, j) => [t, c.coefficients[j]])) };
    const nomo = buildNomogram(model, data, { axisScale: { cea_ng_ml: 'log' } });
    const axis = nomo.axes.find((a) => a.name === 'cea_ng_ml')!;
    const ceaValues = training.map((i) => Number(s.clinicalValues[i].cea_ng_ml));
    expect(axis.scale).toBe('log');
    expect(axis.values[0]).toBeLessThanOrEqual(Math.min(...ceaValues));
    expect(axis.values[axis.values.length - 1]).toBeGreaterThanOrEqual(Math.max(...ceaValues));
    axis.values.forEach((v, k) => expect(axis.xbeta[k]).toBeCloseTo(model.coefficients.cea_ng_ml * Math.log(v), 12));

    const bundle = {
      ...demoBundle(),
      signatures: fit.set,
      nomogram: {
        ...nomo,
        axes: nomo.axes.map((a) => ({ name: a.name, label: a.name, values: a.values, points: a.points, ...(a.scale ? { scale: a.scale } : {}) })),
      },
    } as unknown as ModelBundle;
    const patient = training[3];
    const values = Object.fromEntries(c.terms.map((t) => [t, modelColumns[t][patient]]));
    const record = nomogramPoints(bundle, values);
    expect(record.totalPoints).toBeCloseTo(nomo.pointsFor(values).total, 9);
    expect(record.axes.find((a) => a.name === 'cea_ng_ml')!.value).toBeCloseTo(Number(s.clinicalValues[patient].cea_ng_ml), 9);

    const contributions = logisticContributions(bundle, 'combined', values);
    const x = contributions.inputs.find((i) => i.term === 'cea_ng_ml')!;
    const meanLn = ceaValues.reduce((sum, v) => sum + Math.log(v), 0) / ceaValues.length;
    expect(x.scale).toBe('log');
    expect(x.value).toBeCloseTo(Number(s.clinicalValues[patient].cea_ng_ml), 9);
    expect(x.reference).toBeCloseTo(Math.exp(meanLn), 9);
    expect(x.logOdds).toBeCloseTo(model.coefficients.cea_ng_ml * (Math.log(x.value) - meanLn), 9);
    expect(contributions.linearPredictor).toBeCloseTo(fit.scores.score.combined[patient], 9);
  });
});
