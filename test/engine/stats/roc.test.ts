import { describe, expect, it } from 'vitest';
import { metricsAt, rocCurve, youdenBest, type RocCurve } from '../../../electron/engine/stats/roc.js';
import { delongAuc, delongPairedTest } from '../../../electron/engine/stats/delong.js';
import { bootstrapAucCi } from '../../../electron/engine/stats/roc-bootstrap.js';
import { fitLogistic } from '../../../electron/engine/stats/logistic-regression.js';
import { expectClose, readCsv, readExpected, reportDeviations, type Json } from './helpers.js';

reportDeviations('roc');
function checkRocReference(label: string, y: number[], predictors: Record<string, ArrayLike<number>>, ref: Json): Record<string, RocCurve> {
  const rocs: Record<string, RocCurve> = {};
  for (const [name, x] of Object.entries(predictors)) {
    const e = ref.predictors[name];
    const roc = (rocs[name] = rocCurve(y, x));
    expect(roc.direction).toBe(e.direction);
    expect([roc.nControls, roc.nCases]).toEqual([e.n_controls, e.n_cases]);
    const d = delongAuc(roc);
    expectClose(`${label} ${name} auc`, roc.auc, e.auc, 1e-9);
    expectClose(`${label} ${name} auc_var_delong`, d.variance, e.auc_var_delong, 1e-9);
    expectClose(`${label} ${name} auc_se_delong`, d.se, e.auc_se_delong, 1e-9);
    expectClose(`${label} ${name} ci95_delong`, d.ci, [e.ci95_delong.lower, e.ci95_delong.upper], 1e-9);
    expectClose(`${label} ${name} coords_all threshold`, roc.thresholds, e.coords_all.threshold, 1e-9);
    expectClose(`${label} ${name} coords_all sensitivity`, roc.sensitivities, e.coords_all.sensitivity, 1e-9);
    expectClose(`${label} ${name} coords_all specificity`, roc.specificities, e.coords_all.specificity, 1e-9);
    const best = youdenBest(roc);
    expect(best.length).toBe(e.youden_best.length);
    best.forEach((b, i) => {
      const r = e.youden_best[i];
      expectClose(
        `${label} ${name} youden_best`,
        [b.threshold, b.sensitivity, b.specificity, b.accuracy, b.youden],
        [r.threshold, r.sensitivity, r.specificity, r.accuracy, r.youden],
        1e-9,
      );
      expect([b.tp, b.tn, b.fp, b.fn]).toEqual([r.tp, r.tn, r.fp, r.fn]);
      expect(b.ppv).toBeCloseTo(r.tp / (r.tp + r.fp), 14);
      expect(b.npv).toBeCloseTo(r.tn / (r.tn + r.fn), 14);
    });
  }
  for (const t of ref.tests) {
    const r = delongPairedTest(rocs[t.roc1], rocs[t.roc2]);
    expect(r.findings).toEqual([]);
    expectClose(
      `${label} ${t.roc1} vs ${t.roc2} DeLong test`,
      [r.auc1, r.auc2, r.covariance, r.z, r.p, ...r.diffCi],
      [t.auc1, t.auc2, t.cov_delong, t.z, t.p_value, ...t.diff_ci95],
      1e-9,
    );
  }
  return rocs;
}

describe('ROC with pROC conventions (roc_asah.json)', () => {
  const asah = readCsv('asah.csv');
  const ref = readExpected('roc_asah.json');
  const full = fitLogistic({ y: asah.outcome, x: asah }, ['age', 'gender', 'wfns', 's100b', 'ndka']);
  it('AUC, DeLong variance and CI, all coordinates, Youden best and paired DeLong tests', () => {
    const rocs = checkRocReference(
      'roc_asah',
      asah.outcome,
      { wfns: asah.wfns, s100b: asah.s100b, ndka: asah.ndka, age: asah.age, model_full: full.fitted },
      ref,
    );
    // the published values (Robin et al. 2011): s100b AUC 0.7314 (0.6301-0.8326); wfns vs s100b Z = 2.209, p = 0.0272
    expect(rocs.s100b.auc.toFixed(4)).toBe('0.7314');
    const t = delongPairedTest(rocs.wfns, rocs.s100b);
    expect([t.z.toFixed(3), t.p.toFixed(4)]).toEqual(['2.209', '0.0272']);
  });
  it("direction '>' lists thresholds from +Inf down and mirrors '<' on the negated predictor", () => {
    const neg = asah.s100b.map((v) => -v);
    const a = rocCurve(asah.outcome, asah.s100b);
    const b = rocCurve(asah.outcome, neg);
    expect(b.direction).toBe('>');
    expect(b.thresholds[0]).toBe(Infinity);
    expect(b.auc).toBeCloseTo(a.auc, 15);
    expect(b.sensitivities).toEqual(a.sensitivities);
    expect(b.thresholds.map((t) => -t)).toEqual(a.thresholds);
    expect(delongAuc(b).variance).toBeCloseTo(delongAuc(a).variance, 16);
  });
  it('metrics at a fixed (training) threshold', () => {
    const roc = rocCurve(asah.outcome, asah.wfns);
    const m = metricsAt(roc, 3.5);
    expect([m.tp, m.fn, m.tn, m.fp]).toEqual([26, 15, 60, 12]);
    expect(m.ppv).toBeCloseTo(26 / 38, 15);
    expect(m.npv).toBeCloseTo(60 / 75, 15);
  });
});

describe('ROC of the WDBC signature (signature_wdbc.json roc)', () => {
  it('radscore, refitted glm and worst_radius', () => {
    const wdbc = readCsv('wdbc.csv');
    const sig = readExpected('signature_wdbc.json');
    const refit = fitLogistic({ y: wdbc.y, x: wdbc }, sig.selected_features);
    checkRocReference('signature_wdbc', wdbc.y, { radscore_lasso: sig.radscore_lasso, glm_refit: refit.fitted, worst_radius: wdbc.worst_radius }, sig.roc);
  });
});

describe('stratified bootstrap CI of the AUC (seeded; R’s random stream is not reproduced)', () => {
  const asah = readCsv('asah.csv');
  const roc = rocCurve(asah.outcome, asah.s100b);
  const boot = bootstrapAucCi(roc, { replicates: 2000, seed: 7 });
  it('is reproducible from its seed and changes with it', () => {
    expect(bootstrapAucCi(roc, { replicates: 2000, seed: 7 }).ci).toEqual(boot.ci);
    expect(bootstrapAucCi(roc, { replicates: 2000, seed: 8 }).ci).not.toEqual(boot.ci);
  });
  it('brackets the AUC and agrees with the DeLong interval to within bootstrap error', () => {
    const d = delongAuc(roc);
    expect(boot.ci[0]).toBeLessThan(roc.auc);
    expect(boot.ci[1]).toBeGreaterThan(roc.auc);
    expect(Math.abs(boot.ci[0] - d.ci[0])).toBeLessThan(0.02);
    expect(Math.abs(boot.ci[1] - d.ci[1])).toBeLessThan(0.02);
    // the bootstrap SD estimates the DeLong SE
    const m = boot.aucs.reduce((a, b) => a + b, 0) / boot.aucs.length;
    const sd = Math.sqrt(boot.aucs.reduce((s, v) => s + (v - m) ** 2, 0) / (boot.aucs.length - 1));
    expect(Math.abs(sd / d.se - 1)).toBeLessThan(0.1);
  });
});
