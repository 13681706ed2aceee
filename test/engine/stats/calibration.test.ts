import { describe, expect, it } from 'vitest';
import { hosmerLemeshow } from '../../../electron/engine/stats/hosmer-lemeshow.js';
import { brierScore, calibrationInterceptSlope, valProb } from '../../../electron/engine/stats/calibration.js';
import { lowess } from '../../../electron/engine/stats/lowess.js';
import { decisionCurve, defaultThresholds } from '../../../electron/engine/stats/decision-curve.js';
import { fitLogistic } from '../../../electron/engine/stats/logistic-regression.js';
import { expectClose, readCsv, readExpected, reportDeviations, type Json } from './helpers.js';

reportDeviations('calibration');
function checkCalibration(label: string, y: number[], p: ArrayLike<number>, ref: Json): void {
  expect([ref.n, ref.events]).toEqual([y.length, y.reduce((a, b) => a + b, 0)]);
  expectClose(`${label} brier`, brierScore(y, p), ref.brier, 1e-9);
  const hl = hosmerLemeshow(y, p);
  const h = ref.hosmer_lemeshow;
  expectClose(`${label} hosmer_lemeshow statistic, p`, [hl.statistic, hl.p], [h.statistic, h.p_value], 1e-9);
  expect(hl.df).toBe(h.df);
  expectClose(`${label} hosmer_lemeshow breaks`, hl.breaks, h.breaks, 1e-12, 'rel');
  expect(hl.groupN).toEqual(h.group_n);
  expect(hl.observedEvents).toEqual(h.observed_events);
  expect(hl.observedNonEvents).toEqual(h.observed_nonevents);
  expectClose(
    `${label} hosmer_lemeshow expected counts`,
    [...hl.expectedEvents, ...hl.expectedNonEvents],
    [...h.expected_events, ...h.expected_nonevents],
    1e-9,
  );
  expectClose(
    `${label} hosmer_lemeshow mean_predicted, observed_rate`,
    [...hl.meanPredicted, ...hl.observedRate],
    [...h.mean_predicted, ...h.observed_rate],
    1e-9,
  );
  const lw = lowess(p, y, { iter: 0 });
  expectClose(`${label} lowess_curve x`, lw.x, ref.lowess_curve.x, 1e-12, 'rel');
  expectClose(`${label} lowess_curve y`, lw.y, ref.lowess_curve.y, 1e-8);
  const v = valProb(y, p);
  const r = ref.val_prob;
  const pairs: [string, number, number][] = [
    ['Dxy', v.dxy, r.Dxy],
    ['C (ROC)', v.c, r['C (ROC)']],
    ['R2', v.r2, r.R2],
    ['D', v.d, r.D],
    ['D:Chi-sq', v.dChisq, r['D:Chi-sq']],
    ['U', v.u, r.U],
    ['U:Chi-sq', v.uChisq, r['U:Chi-sq']],
    ['U:p', v.uP, r['U:p']],
    ['Q', v.q, r.Q],
    ['Brier', v.brier, r.Brier],
    ['Intercept', v.intercept, r.Intercept],
    ['Slope', v.slope, r.Slope],
    ['Emax', v.emax, r.Emax],
    ['E90', v.e90, r.E90],
    ['Eavg', v.eavg, r.Eavg],
    ['S:z', v.spiegelhalterZ, r['S:z']],
    ['S:p', v.spiegelhalterP, r['S:p']],
  ];
  for (const [name, a, b] of pairs) expectClose(`${label} val_prob ${name}`, a, b, 1e-9);
  expect(Number.isNaN(r['D:p'])).toBe(true);
  // on the training data the fully converged recalibration line is the identity
  const line = calibrationInterceptSlope(y, p);
  expectClose(`${label} calibration intercept/slope (ML, training data)`, [line.intercept, line.slope, line.interceptInTheLarge], [0, 1, 0], 1e-9);
}
function checkDca(label: string, y: number[], models: Record<string, ArrayLike<number>>, ref: Json): void {
  expect(defaultThresholds()).toEqual(ref.thresholds);
  for (const [name, p] of Object.entries(models)) {
    const ge = decisionCurve(y, p);
    const gt = decisionCurve(y, p, { positiveWhen: 'greater' });
    const e = ref.models[name];
    expectClose(`${label} ${name} prevalence`, ge.prevalence, ref.prevalence, 1e-15);
    expectClose(`${label} ${name} nb_formula_ge`, ge.netBenefit, e.nb_formula_ge, 1e-9);
    expectClose(`${label} ${name} nb_dcurves`, ge.netBenefit, e.nb_dcurves, 1e-9);
    expectClose(`${label} ${name} nb_formula_gt`, gt.netBenefit, e.nb_formula_gt, 1e-9);
    expectClose(`${label} ${name} nb_rmda`, gt.netBenefit, e.nb_rmda, 1e-9);
    expectClose(`${label} ${name} snb_rmda`, gt.standardizedNetBenefit, e.snb_rmda, 1e-9);
    expectClose(`${label} treat_all`, ge.treatAll, ref.treat_all, 1e-9);
    expectClose(`${label} treat_all_dcurves`, ge.treatAll, ref.treat_all_dcurves, 1e-9);
    expect(ge.treatNone).toEqual(ref.treat_none);
  }
}

describe('calibration (calibration_asah.json) and decision curves (dca_asah.json)', () => {
  const asah = readCsv('asah.csv');
  const data = { y: asah.outcome, x: asah };
  const full = fitLogistic(data, ['age', 'gender', 'wfns', 's100b', 'ndka']);
  it('Hosmer-Lemeshow, Brier, rms::val.prob and the lowess curve', () => {
    const ref = readExpected('calibration_asah.json');
    checkCalibration('calibration_asah', asah.outcome, full.fitted, ref);
    const hl = hosmerLemeshow(asah.outcome, full.fitted);
    expectClose('performance_hosmer', [hl.statistic, hl.p], [ref.performance_hosmer.chisq, ref.performance_hosmer.p_value], 1e-9);
    expect(hl.df).toBe(ref.performance_hosmer.df);
  });
  it('net benefit (>= and >), standardised net benefit, treat-all and treat-none', () => {
    const ref = readExpected('dca_asah.json');
    const s100b = fitLogistic(data, ['s100b']);
    expectClose(
      'dca_asah model_predictions',
      [...full.fitted, ...s100b.fitted],
      [...ref.model_predictions.model_full, ...ref.model_predictions.model_s100b],
      1e-9,
    );
    checkDca('dca_asah', asah.outcome, { model_full: full.fitted, model_s100b: s100b.fitted }, ref);
  });
});

describe('calibration and decision curves of the WDBC signature (signature_wdbc.json)', () => {
  const wdbc = readCsv('wdbc.csv');
  const sig = readExpected('signature_wdbc.json');
  const refit = fitLogistic({ y: wdbc.y, x: wdbc }, sig.selected_features);
  it('calibration block', () => {
    checkCalibration('signature_wdbc', wdbc.y, refit.fitted, sig.calibration);
  });
  it('dca block', () => {
    const lassoProb = sig.radscore_lasso.map((r: number) => 1 / (1 + Math.exp(-r)));
    checkDca('signature_wdbc', wdbc.y, { glm_refit: refit.fitted, lasso_prob: lassoProb }, sig.dca);
  });
});

describe('lowess with robustness iterations', () => {
  it('downweights an outlier (iter = 3) where the plain fit (iter = 0) is pulled towards it', () => {
    const x = Array.from({ length: 40 }, (_, i) => i);
    const y = x.map((v) => 0.5 * v);
    y[20] = 100;
    const robust = lowess(x, y, { iter: 3 });
    const plain = lowess(x, y, { iter: 0 });
    expect(Math.abs(robust.y[20] - 10)).toBeLessThan(1e-6);
    expect(plain.y[20] - 10).toBeGreaterThan(1);
    // a straight line is reproduced exactly by the local linear fits
    const line = lowess(
      x,
      x.map((v) => 2 * v + 1),
    );
    expectClose(
      'lowess of a line',
      line.y,
      x.map((v) => 2 * v + 1),
      1e-9,
    );
  });
});
