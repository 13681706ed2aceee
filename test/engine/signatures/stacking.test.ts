import { describe, expect, it } from 'vitest';
import { HilumError } from '../../../electron/engine/core/errors.js';
import { applySignatureSet, fitSignatureSet } from '../../../electron/engine/signatures/fit-set.js';
import { outOfFoldScores } from '../../../electron/engine/signatures/out-of-fold.js';
import type { StudyProtocol } from '../../../electron/engine/signatures/protocol.js';
import { fitScoreCalibration, fitScoreSignature, scoreOf } from '../../../electron/engine/signatures/score-signature.js';
import { INTERCEPT } from '../../../electron/engine/stats/design.js';
import { fitLogistic } from '../../../electron/engine/stats/logistic-regression.js';
import { seededRandom } from '../../../electron/engine/stats/random.js';
import { errorOf } from '../../helpers.js';
import { syntheticStudy, syntheticStudyProtocol } from './synthetic-study.js';

function protocol(overrides: Record<string, unknown> = {}): StudyProtocol {
  return syntheticStudyProtocol({ ...overrides });
}

describe('out-of-fold scores', () => {
  const training = Array.from({ length: 40 }, (_, i) => i < 30);
  const y = Array.from({ length: 40 }, (_, i) => (i % 3 === 0 ? 1 : 0));
  // A "signature" whose score of every patient is the number of training rows it was fitted on.
  const countRows = (mask: boolean[]) => new Float64Array(mask.length).fill(mask.filter(Boolean).length);

  it('scores each training row with the fit that left its fold out, and only training rows', () => {
    const oof = outOfFoldScores('test', training, y, { folds: 5, seed: 2 }, (mask) => {
      const score = countRows(mask);
      // the rows the fit sees never include the rows it will score
      return score.map((s, i) => (mask[i] ? Number.NaN : s));
    });
    for (let i = 0; i < 40; i++) {
      if (!training[i]) {
        expect(oof.fold[i]).toBe(0);
        expect(oof.score[i]).toBeNaN();
        continue;
      }
      const k = oof.fold[i];
      expect(k).toBeGreaterThanOrEqual(1);
      expect(oof.score[i]).toBe(30 - training.filter((t, j) => t && oof.fold[j] === k).length);
    }
    // stratified: every fold holds events of the training split
    for (let k = 1; k <= 5; k++) expect(training.some((t, i) => t && oof.fold[i] === k && y[i] === 1)).toBe(true);
  });

  it('names a training split too small for the folds, and a fold whose fit fails', () => {
    expect(errorOf(() => outOfFoldScores('test', training, y, { folds: 11, seed: 1 }, countRows)).code).toBe('STACKING_TOO_FEW_EVENTS');
    const e = errorOf(() =>
      outOfFoldScores('radiomics', training, y, { folds: 3, seed: 1 }, () => {
        throw new HilumError({ code: 'SIGNATURE_NO_FEATURES', message: 'nothing passed' });
      }),
    );
    expect(e.code).toBe('STACKING_FOLD_FAILED');
    expect(e.message).toMatch(/radiomics: the out-of-fold fit without fold 1 of 3 failed: nothing passed/);
  });
});

describe('honest stacking in the signature set', () => {
  const s = syntheticStudy();
  const p = protocol();
  const fit = fitSignatureSet(s, p);
  const trainRows = s.split.flatMap((x, i) => (x === 'training' ? [i] : []));

  it('gives each training patient the radiomics score of a fit that excluded its fold (not the in-sample score)', () => {
    const oof = fit.outOfFold!;
    expect(oof.folds).toBe(5);
    const k = oof.fold[trainRows[0]];
    const mask = s.split.map((x, i) => x === 'training' && oof.fold[i] !== k);
    const refit = fitScoreSignature('radiomics', { names: s.radiomicsNames, columns: s.radiomics }, s.y, mask, p.selection, { separation: 'firth' });
    const expected = scoreOf(refit.signature, s.radiomics, s.ids.length);
    const inFold = trainRows.filter((i) => oof.fold[i] === k);
    for (const i of inFold) expect(oof.score.radiomics[i]).toBeCloseTo(expected[i], 12);
    expect(trainRows.some((i) => Math.abs(oof.score.radiomics[i] - fit.scores.score.radiomics[i]) > 1e-6)).toBe(true);
    expect(s.split.every((x, i) => x === 'training' || Number.isNaN(oof.score.dlrad[i]))).toBe(true);
  });

  it('fits the combined model on the out-of-fold DLRad score and the calibrations on out-of-fold scores', () => {
    const oof = fit.outOfFold!;
    const terms = fit.set.combined.terms;
    const x = Object.fromEntries(
      terms.map((t) => [t, Float64Array.from(trainRows, (i) => (t === 'dlrad_score' ? oof.score.dlrad[i] : fit.clinicalColumns[t][i]))]),
    );
    const expected = fitLogistic({ y: Float64Array.from(trainRows, (i) => s.y[i]), x, outcomeName: 'label' }, terms, { onSeparation: 'firth' });
    expect(fit.set.combined.intercept).toBeCloseTo(expected.estimates[INTERCEPT], 10);
    terms.forEach((t, j) => expect(fit.set.combined.coefficients[j]).toBeCloseTo(expected.estimates[t], 10));
    const calib = fitLogistic(
      { y: Float64Array.from(trainRows, (i) => s.y[i]), x: { score: Float64Array.from(trainRows, (i) => oof.score.dlrad[i]) }, outcomeName: 'label' },
      ['score'],
    );
    expect(fit.set.dlrad.calibration.slope).toBeCloseTo(calib.estimates.score, 10);
    expect(fit.findings.some((f) => f.code === 'STACKING_OUT_OF_FOLD')).toBe(true);
  });

  it('applies the full-training DLRad signature inside the combined model, in the cohort and for one patient', () => {
    for (const i of [trainRows[0], 200]) {
      const one = applySignatureSet(fit.set, {
        clinical: s.clinicalValues[i],
        radiomics: Object.fromEntries(s.radiomicsNames.map((f) => [f, s.radiomics[f][i]])),
        deep: s.deep[i],
      });
      expect(one.score.dlrad).toBe(fit.scores.score.dlrad[i]);
      expect(one.score.combined).toBe(fit.scores.score.combined[i]);
      const c = fit.set.combined;
      const byHand = c.terms.reduce(
        (acc, t, j) => acc + c.coefficients[j] * (t === 'dlrad_score' ? fit.scores.score.dlrad[i] : fit.clinicalColumns[t][i]),
        c.intercept,
      );
      expect(one.score.combined).toBeCloseTo(byHand, 12);
    }
  });

  it('fits on in-sample scores when the protocol turns stacking off', () => {
    const inSample = fitSignatureSet(s, protocol({ stacking: { outOfFold: false } }));
    expect(inSample.outOfFold).toBeUndefined();
    const terms = inSample.set.combined.terms;
    const x = Object.fromEntries(
      terms.map((t) => [t, Float64Array.from(trainRows, (i) => (t === 'dlrad_score' ? inSample.scores.score.dlrad[i] : inSample.clinicalColumns[t][i]))]),
    );
    const expected = fitLogistic({ y: Float64Array.from(trainRows, (i) => s.y[i]), x, outcomeName: 'label' }, terms, { onSeparation: 'firth' });
    expect(inSample.set.combined.coefficients[0]).toBeCloseTo(expected.estimates.dlrad_score, 10);
    expect(inSample.set.combined.coefficients[0]).not.toBeCloseTo(fit.set.combined.coefficients[0], 6);
    // The full-training signatures are the same either way.
    expect(inSample.set.dlrad.coefficients).toEqual(fit.set.dlrad.coefficients);
  });

  it('falls back to in-sample scores with a warning when the training split is too small for the folds', () => {
    const small = syntheticStudy(100);
    const events = small.split.reduce((sum, x, i) => sum + (x === 'training' ? small.y[i] : 0), 0);
    expect(events).toBeLessThan(20);
    const f = fitSignatureSet(small, protocol({ stacking: { folds: 20 }, clinical: { ...protocol().clinical, pEnter: 0.5, pKeep: 0.5 } }));
    expect(f.outOfFold).toBeUndefined();
    const w = f.findings.find((x) => x.code === 'STACKING_IN_SAMPLE')!;
    expect(w.severity).toBe('warning');
    expect(w.message).toMatch(/fewer than the 20 out-of-fold folds/);
  });

  it('refuses stacking settings out of range with a named protocol error', () => {
    expect(errorOf(() => protocol({ stacking: { folds: 1 } })).code).toBe('PROTOCOL_INVALID');
    expect(errorOf(() => protocol({ stacking: { bogus: true } })).code).toBe('PROTOCOL_INVALID');
  });
});

describe('a signature whose LASSO keeps no feature', () => {
  it('is calibrated to the training prevalence (slope 0) with a SIGNATURE_CONSTANT warning, not a collinearity error', () => {
    const y = [1, 0, 0, 1, 0, 0, 0, 1];
    const { calibration, findings } = fitScoreCalibration('mil', new Float64Array(8).fill(-1.2), y, 'firth');
    expect(calibration.slope).toBe(0);
    expect(1 / (1 + Math.exp(-calibration.intercept))).toBeCloseTo(3 / 8, 12);
    expect(findings.map((f) => f.code)).toEqual(['SIGNATURE_CONSTANT']);
    expect(findings[0].message).toMatch(/^mil: .*37\.5 %/);
    // A score with any spread is fitted as before.
    expect(fitScoreCalibration('mil', [0, 1, 2, 3, 0, 1, 2, 3], y, 'firth').calibration.slope).not.toBe(0);
  });
});

describe('a signature with no feature passing the univariate test', () => {
  // The deep outputs are noise (a fixed seed where no MIL candidate passes Mann–Whitney at p < 0.05).
  const s = syntheticStudy();
  const rng = seededRandom(11);
  const noisy = {
    ...s,
    deep: s.deep.map((d) => ({ probabilities: d.probabilities.map(() => 0.3 + 0.4 * rng.next()), meanFeatures: d.meanFeatures.map(() => rng.next()) })),
  };
  const p = protocol();

  it('keeps no feature, gives every patient the training prevalence, and the study goes on', () => {
    const fit = fitSignatureSet(noisy, p);
    const mil = fit.set.mil;
    expect(mil.features).toEqual([]);
    expect(mil.lambdaRule).toBe('none');
    expect(mil.calibration.slope).toBe(0);
    const trainY = noisy.split.flatMap((x, i) => (x === 'training' ? [noisy.y[i]] : []));
    const prevalence = trainY.reduce((a, v) => a + v, 0) / trainY.length;
    expect(fit.scores.probability.mil.every((v) => Math.abs(v - prevalence) < 1e-12)).toBe(true);
    const codes = fit.findings.map((f) => f.code);
    expect(codes).toContain('SIGNATURE_NO_FEATURES');
    expect(codes.filter((c) => c === 'SIGNATURE_CONSTANT')).toHaveLength(1);
    expect(fit.findings.find((f) => f.code === 'SIGNATURE_NO_FEATURES')!.message).toMatch(/^mil: no feature differs/);
    expect(fit.traces.mil.test.kept).toBe(0);
    // DLRad is fitted from the radiomics candidates, and the combined model has its image term.
    expect(fit.set.dlrad.features.length).toBeGreaterThan(0);
    expect(fit.set.dlrad.features.every((f) => s.radiomicsNames.includes(f))).toBe(true);
    expect(fit.set.combined.terms).toContain('dlrad_score');
    // The bedside path scores a patient with the empty signature as the study did.
    const i = 3;
    const one = applySignatureSet(fit.set, {
      clinical: noisy.clinicalValues[i],
      radiomics: Object.fromEntries(s.radiomicsNames.map((f) => [f, s.radiomics[f][i]])),
      deep: noisy.deep[i],
    });
    expect(one.probability.mil).toBeCloseTo(prevalence, 12);
    expect(one.score.combined).toBe(fit.scores.score.combined[i]);
  });

  it('still stops with SIGNATURE_NO_FEATURES when every candidate is constant', () => {
    const flat = { ...s, deep: s.deep.map(() => ({ probabilities: [0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5], meanFeatures: [1, 1, 1, 1, 1, 1] })) };
    expect(errorOf(() => fitSignatureSet(flat, p)).code).toBe('SIGNATURE_NO_FEATURES');
  });
});
