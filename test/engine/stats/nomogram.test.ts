import { describe, expect, it } from 'vitest';
import { buildNomogram } from '../../../electron/engine/stats/nomogram.js';
import { fitLrm, rmsRankStatistics } from '../../../electron/engine/stats/rms-lrm.js';
import { designMatrix } from '../../../electron/engine/stats/design.js';
import { fitLogistic } from '../../../electron/engine/stats/logistic-regression.js';
import { pretty } from '../../../electron/engine/stats/pretty.js';
import { expectClose, readCsv, readExpected, reportDeviations } from './helpers.js';

reportDeviations('nomogram');
const asah = readCsv('asah.csv');
const ref = readExpected('nomogram_asah.json');
const names = ['age', 'gender', 'wfns', 's100b', 'ndka'];
const n = asah.age.length;
function checkNomogram(label: string, coef: number[], tol: number): void {
  const nomo = buildNomogram({ intercept: coef[0], coefficients: Object.fromEntries(names.map((v, j) => [v, coef[j + 1]])) }, asah);
  expectClose(`${label} scale_points_per_unit_xbeta`, nomo.pointsPerUnitXbeta, ref.scale_points_per_unit_xbeta, tol, 'rel');
  expect(nomo.maxScale).toBe(ref.maxscale);
  for (const a of nomo.axes) {
    const e = ref.variables[a.name];
    expectClose(`${label} ${a.name} axis_values`, a.values, e.axis_values, 1e-12);
    expect(a.discrete).toBe(a.name === 'gender' || a.name === 'wfns');
    expectClose(`${label} ${a.name} xbeta`, a.xbeta, e.xbeta, tol);
    expectClose(`${label} ${a.name} points`, a.points, e.points, tol);
    expectClose(`${label} ${a.name} xbeta range`, a.xbetaRange, ref.xbeta_range_per_variable[a.name], tol);
  }
  expect(nomo.totalPointsAxis).toEqual(ref.total_points_axis);
  expect(nomo.lpAxis.lp).toEqual(ref.lp_axis.lp);
  expectClose(`${label} lp_axis points`, nomo.lpAxis.points, ref.lp_axis.points, tol);
  expect(nomo.riskAxis.risk).toEqual(ref.risk_axis.risk);
  expectClose(`${label} risk_axis points`, nomo.riskAxis.points, ref.risk_axis.points, tol);
  const patients = asah.age.map((_, i) => nomo.pointsFor(Object.fromEntries(names.map((v) => [v, asah[v][i]]))));
  expectClose(
    `${label} patient_total_points`,
    patients.map((p) => p.total),
    ref.patient_total_points,
    tol,
  );
  expectClose(
    `${label} patient_lp`,
    patients.map((p) => p.lp),
    ref.patient_lp,
    tol,
  );
  expectClose(
    `${label} patient_risk`,
    patients.map((p) => p.risk),
    ref.patient_risk,
    tol,
  );
}

describe('nomogram scales as rms::nomogram (nomogram_asah.json)', () => {
  it('from the lrm coefficients in the reference', () => {
    checkNomogram('nomogram (reference lrm coefficients)', Object.values<number>(ref.lrm_coefficients), 1e-9);
  });
  it("from Hilum's rms-style fit, which reproduces lrm's coefficients and statistics", () => {
    const lrm = fitLrm(designMatrix(asah, names, n), asah.outcome);
    expectClose('lrm coefficients', lrm.coefficients, Object.values<number>(ref.lrm_coefficients), 1e-10, 'rel');
    expectClose('lrm Model L.R.', lrm.nullDeviance - lrm.deviance, ref.lrm_stats['Model L.R.'], 1e-9);
    const ranks = rmsRankStatistics(
      Float64Array.from(lrm.linearPredictor, (v) => 1 / (1 + Math.exp(-v))),
      asah.outcome,
    );
    expectClose(
      'lrm C, Dxy, Gamma, Tau-a',
      [ranks.c, ranks.dxy, ranks.gamma, ranks.tauA],
      [ref.lrm_stats.C, ref.lrm_stats.Dxy, ref.lrm_stats.Gamma, ref.lrm_stats['Tau-a']],
      1e-12,
    );
    checkNomogram('nomogram (Hilum lrm fit)', Array.from(lrm.coefficients), 1e-6);
  });
  it('from the fully converged glm fit (coefficients 1e-7 from lrm’s): points within 1e-4 on the 0-140 scale', () => {
    const fit = fitLogistic({ y: asah.outcome, x: asah }, names);
    checkNomogram(
      'nomogram (glm fit)',
      fit.coefficients.map((c) => c.estimate),
      1e-4,
    );
  });
});

describe("R's pretty()", () => {
  it('matches R on ranges of the reference and on edge cases', () => {
    const cases: [number[], number, number[]][] = [
      [[18, 81], 10, [15, 20, 25, 30, 35, 40, 45, 50, 55, 60, 65, 70, 75, 80, 85]],
      [[3.01, 419.19], 10, [0, 50, 100, 150, 200, 250, 300, 350, 400, 450]],
      [[0.03, 2.07], 10, [0, 0.2, 0.4, 0.6, 0.8, 1, 1.2, 1.4, 1.6, 1.8, 2, 2.2]],
      [[0, 1], 5, [0, 0.2, 0.4, 0.6, 0.8, 1]],
      [[0, 139.6], 10, [0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120, 130, 140]],
      [[-3.9, 21.1], 10, [-4, -2, 0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22]],
      [[0.0012, 0.0047], 5, [0.001, 0.002, 0.003, 0.004, 0.005]],
    ];
    for (const [range, nint, want] of cases) expectClose(`pretty(${range.join(', ')})`, pretty(range, nint), want, 1e-12);
  });
});
