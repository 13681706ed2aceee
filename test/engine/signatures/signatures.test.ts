import { describe, expect, it } from 'vitest';
import { SCORE_NAMES, applySignatureSet, fitSignatureSet, selectionFor } from '../../../electron/engine/signatures/fit-set.js';
import { parseProtocol, defaultProtocol, type StudyProtocol } from '../../../electron/engine/signatures/protocol.js';
import { splitCohort } from '../../../electron/engine/signatures/split.js';
import { evaluateStudy } from '../../../electron/engine/signatures/study-metrics.js';
import { errorOf } from '../../helpers.js';
import { syntheticStudy, syntheticStudyProtocol } from './synthetic-study.js';

function protocol(overrides: Record<string, unknown> = {}): StudyProtocol {
  return syntheticStudyProtocol({ deep: { pcaComponents: 3 }, ...overrides });
}

describe('study split', () => {
  it('splits the training centre stratified by outcome, seeded, and sends other centres to external test', () => {
    const s = syntheticStudy();
    const patients = s.ids.map((id, i) => ({ id, centre: s.centres[i], label: s.y[i] }));
    const a = splitCohort(patients, { trainingCentres: ['A'], validationFraction: 0.3, seed: 7, stratified: true });
    expect(splitCohort(patients, { trainingCentres: ['A'], validationFraction: 0.3, seed: 7, stratified: true })).toEqual(a);
    expect(splitCohort(patients, { trainingCentres: ['A'], validationFraction: 0.3, seed: 8, stratified: true })).not.toEqual(a);
    for (const label of [0, 1]) {
      const inA = patients.filter((p, i) => p.centre === 'A' && p.label === label && a[i] !== 'external');
      const validation = inA.filter((p) => a[patients.indexOf(p)] === 'validation').length;
      expect(validation).toBe(Math.round(0.3 * inA.length));
    }
    expect(patients.every((p, i) => (p.centre === 'B') === (a[i] === 'external'))).toBe(true);
    expect(errorOf(() => splitCohort(patients, { trainingCentres: ['C'], validationFraction: 0.3, seed: 1, stratified: true })).code).toBe(
      'STUDY_NO_TRAINING_CENTRE',
    );
  });
});

describe('the five signatures', () => {
  const s = syntheticStudy();
  const fit = fitSignatureSet(s, protocol());

  it('finds the informative variables and features, and discriminates on held-out patients', () => {
    const factors = fit.set.clinicalModelling.independentFactors;
    expect(factors.length).toBeGreaterThan(0);
    expect(factors.every((f) => f === 'cea_ng_ml' || f === 'diameter_mm')).toBe(true);
    expect(fit.set.clinical.terms).toEqual(factors);
    expect(fit.set.radiomics.features.filter((f) => /F0[0-4]$/.test(f)).length).toBeGreaterThan(0);
    expect(fit.set.mil.features.every((f) => f.startsWith('mil_'))).toBe(true);
    // λ rule per signature: the MIL signature takes lambda.1se by default, the others lambda.min.
    expect([fit.set.radiomics.lambdaRule, fit.set.mil.lambdaRule, fit.set.dlrad.lambdaRule]).toEqual(['lambda.min', 'lambda.1se', 'lambda.min']);
    expect(fit.set.combined.terms[0]).toBe('dlrad_score');
    const m = evaluateStudy(s.y, s.split, fit.scores.probability, s.latent);
    const auc = (sig: string, split: string) => m.rows.find((r) => r.signature === sig && r.split === split)!.auc;
    expect(auc('combined', 'validation')).toBeGreaterThan(0.7);
    expect(auc('combined', 'external')).toBeGreaterThan(0.7);
    expect(m.rows).toHaveLength(15);
    for (const r of m.rows) for (const v of [r.auc, r.aucCi[0], r.aucCi[1], r.accuracy, r.sensitivity, r.specificity]) expect(Number.isFinite(v)).toBe(true);
    expect(m.delong).toHaveLength(12);
    expect(m.oracle.map((o) => o.split)).toEqual(['training', 'validation', 'external']);
  });

  it('applies to one patient exactly as it scored the cohort', () => {
    for (const i of [0, 100, 239]) {
      const one = applySignatureSet(fit.set, {
        clinical: s.clinicalValues[i],
        radiomics: Object.fromEntries(s.radiomicsNames.map((f) => [f, s.radiomics[f][i]])),
        deep: s.deep[i],
      });
      for (const name of ['clinical', 'radiomics', 'mil', 'dlrad', 'combined'] as const) {
        expect(one.score[name]).toBe(fit.scores.score[name][i]);
        expect(one.probability[name]).toBe(fit.scores.probability[name][i]);
      }
    }
  });

  it('leaves out a constant feature and says so (no NaN)', () => {
    const t = syntheticStudy();
    t.radiomics.original_firstorder_Constant = new Float64Array(t.ids.length).fill(4);
    t.radiomicsNames.push('original_firstorder_Constant');
    const f = fitSignatureSet(t, protocol());
    expect(f.traces.radiomics.droppedConstant).toEqual(['original_firstorder_Constant']);
    expect(f.findings.some((x) => x.code === 'FEATURES_CONSTANT' && x.message.startsWith('radiomics'))).toBe(true);
    expect(f.scores.probability.combined.every(Number.isFinite)).toBe(true);
  });

  it('refuses a split with one outcome class', () => {
    const t = syntheticStudy();
    t.split.forEach((part, i) => {
      if (part === 'validation') t.y[i] = 0;
    });
    const e = errorOf(() => fitSignatureSet(t, protocol()));
    expect(e.code).toBe('ONE_CLASS_ONLY');
    expect(e.message).toMatch(/validation/);
  });

  it('refuses fewer events than predictors', () => {
    const t = syntheticStudy(60);
    let kept = 0;
    t.split.forEach((part, i) => {
      if (part === 'training' && t.y[i] === 1 && kept++ >= 2) t.y[i] = 0;
    });
    const p = protocol({ clinical: { ...protocol().clinical, pEnter: 1, pKeep: 1 } });
    const e = errorOf(() => fitSignatureSet(t, p));
    expect(e.code).toBe('TOO_FEW_EVENTS');
    expect(e.message).toMatch(/2 events cannot support a model with 4 predictors/);
  });

  it('reports perfect separation and fits with Firth’s penalty (or stops when the protocol says so)', () => {
    const t = syntheticStudy();
    t.clinicalValues.forEach((v, i) => (v.diameter_mm = t.y[i] ? '30' : '12'));
    const f = fitSignatureSet(t, protocol());
    expect(f.set.clinical.method).toBe('firth');
    expect(f.findings.some((x) => x.code === 'PERFECT_SEPARATION')).toBe(true);
    expect(f.scores.probability.clinical.every((p) => p > 0 && p < 1)).toBe(true);
    expect(errorOf(() => fitSignatureSet(t, protocol({ separation: 'error' }))).code).toBe('PERFECT_SEPARATION');
  });

  it('rejects missing clinical values naming patient and field, or imputes the training median when the protocol says so', () => {
    const t = syntheticStudy();
    t.clinicalValues[5].cea_ng_ml = '';
    t.clinicalValues[9].sex = 'NA';
    const e = errorOf(() => fitSignatureSet(t, protocol()));
    expect(e.code).toBe('CLINICAL_VALUE_MISSING');
    expect(e.message).toMatch(/A0006: cea_ng_ml/);
    expect(e.message).toMatch(/A0010: sex/);
    const p = protocol();
    p.clinical.missing = 'impute';
    const f = fitSignatureSet(t, p);
    const imputed = f.findings.find((x) => x.code === 'CLINICAL_VALUES_IMPUTED')!;
    expect(imputed.message).toMatch(/2 missing clinical value/);
    const training = t.ids.flatMap((_, i) => (t.split[i] === 'training' && i !== 5 ? [Number(t.clinicalValues[i].cea_ng_ml)] : [])).sort((a, b) => a - b);
    const mid = training.length / 2;
    const median = training.length % 2 ? training[Math.floor(mid)] : (training[mid - 1] + training[mid]) / 2;
    expect(f.set.clinicalEncoding.imputation.cea_ng_ml).toBe(median);
    expect(f.clinicalColumns.cea_ng_ml[5]).toBe(median);
  });

  it('refuses an out-of-range or non-numeric clinical value with the field named', () => {
    const t = syntheticStudy();
    t.clinicalValues[3].age_years = '400';
    const e = errorOf(() => fitSignatureSet(t, protocol()));
    expect(e.code).toBe('CLINICAL_VALUE_OUT_OF_RANGE');
    expect(e.data).toMatchObject({ field: 'age_years', value: 400 });
    t.clinicalValues[3].age_years = '6O';
    expect(errorOf(() => fitSignatureSet(t, protocol())).code).toBe('CLINICAL_VALUE_INVALID');
  });
});

describe('protocol', () => {
  it('has the paper’s defaults and names an invalid field by its path', () => {
    const d = defaultProtocol();
    expect(d.split).toEqual({ trainingCentres: ['A'], validationFraction: 0.3, seed: 1, stratified: true });
    expect(d.selection.lasso).toMatchObject({ nFolds: 10, measure: 'deviance', lambda: 'lambda.min', lambdaBySignature: { mil: 'lambda.1se' } });
    const rules = (lasso: Record<string, unknown>) => SCORE_NAMES.map((n) => selectionFor(parseProtocol({ selection: { lasso } }).selection, n).lasso.lambda);
    expect(rules({})).toEqual(['lambda.min', 'lambda.1se', 'lambda.min']);
    expect(rules({ lambda: 'lambda.1se', lambdaBySignature: {} })).toEqual(['lambda.1se', 'lambda.1se', 'lambda.1se']);
    expect(rules({ lambdaBySignature: { dlrad: 'lambda.1se' } })).toEqual(['lambda.min', 'lambda.min', 'lambda.1se']);
    expect(errorOf(() => parseProtocol({ selection: { lasso: { lambdaBySignature: { clinical: 'lambda.1se' } } } })).message).toMatch(/lambdaBySignature/);
    const e = errorOf(() => parseProtocol({ selection: { pThreshold: 2 } }, 'p.yaml'));
    expect(e.code).toBe('PROTOCOL_INVALID');
    expect(e.message).toMatch(/p\.yaml: selection\.pThreshold/);
    expect(errorOf(() => parseProtocol({ riskCategories: { cutoffs: [0.3, 0.1], names: ['a', 'b', 'c'] } })).message).toMatch(/increase/);
    expect(errorOf(() => parseProtocol({ unknownField: 1 })).code).toBe('PROTOCOL_INVALID');
    // The in-study backbone's bag geometry: validated when the protocol is read, not when training starts.
    const bag = (b: unknown) => parseProtocol({ deep: { training: { enabled: true, bag: b } } });
    expect(bag({ offsets: [-8, 0, 8], offsetsBeyondTumour: true }).deep.training?.bag).toEqual({ offsets: [-8, 0, 8], offsetsBeyondTumour: true });
    expect(errorOf(() => bag({ offsets: [1, 2] })).message).toMatch(/deep\.training\.bag\.offsets: offsets must be distinct and include 0/);
    expect(errorOf(() => bag({ windows: [[0, 1]] })).code).toBe('PROTOCOL_INVALID');
  });
});

describe('ICC filter', () => {
  it('keeps the radiomics features reproducible between repeat segmentations (ICC(A,1) ≥ threshold) and says how many patients it used', () => {
    const t = syntheticStudy(240, 5);
    const rows = t.split.flatMap((s, i) => (s === 'training' ? [i] : [])).slice(0, 30);
    let k = 0;
    const jitter = () => Math.sin(++k * 12.9898) * 0.5;
    // Features 0–9 re-measure almost identically; 10–19 are dominated by segmentation noise.
    for (const i of rows)
      t.repeat.set(
        i,
        t.radiomicsNames.map((f, j) => t.radiomics[f][i] + (j < 10 ? 0.05 : 200) * jitter()),
      );
    const f = fitSignatureSet(t, protocol());
    const trace = f.traces.radiomics;
    expect(trace.icc).toMatchObject({ applied: true, patients: 30, threshold: 0.75, kept: 10 });
    expect(f.set.radiomics.features.every((x) => Number(x.slice(-2)) < 10)).toBe(true);
    // MIL features are not radiomics: the filter leaves them alone.
    expect(f.traces.mil.icc).toMatchObject({ applied: false, reason: 'no radiomics features among the candidates' });
  });
});
