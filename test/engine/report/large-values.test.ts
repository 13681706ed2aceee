import { describe, expect, it } from 'vitest';
import { lineChartSvg, nomogramSvg } from '../../../electron/engine/report/svg-chart.js';
import { valProb } from '../../../electron/engine/stats/calibration.js';
import { fitLogistic } from '../../../electron/engine/stats/logistic-regression.js';
import { buildNomogram } from '../../../electron/engine/stats/nomogram.js';
import { rocCurve } from '../../../electron/engine/stats/roc.js';

/**
 * Issue 16: no step of the study → nomogram → report path may spread a per-patient array into call
 * arguments. 100,000 patients with a continuous and a binary predictor: logistic fit, nomogram,
 * its SVG, the ROC curve (one point per distinct score) and its SVG, and calibration.
 */
const N = 100_000;

function cohort(): { y: Float64Array; age: Float64Array; smoker: Float64Array } {
  let seed = 2024;
  const uniform = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const y = new Float64Array(N);
  const age = new Float64Array(N);
  const smoker = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    age[i] = 40 + 40 * uniform();
    smoker[i] = uniform() < 0.4 ? 1 : 0;
    const lp = -6 + 0.07 * age[i] + 0.8 * smoker[i];
    y[i] = uniform() < 1 / (1 + Math.exp(-lp)) ? 1 : 0;
  }
  return { y, age, smoker };
}

describe('study, nomogram and report path on 100,000 patients', () => {
  it('fits, draws the nomogram and the ROC curve, and calibrates, all finite', () => {
    const { y, age, smoker } = cohort();
    const fit = fitLogistic({ y, x: { age, smoker } }, ['age', 'smoker']);
    expect(fit.estimates.age).toBeCloseTo(0.07, 1);
    const nomo = buildNomogram(
      { intercept: fit.estimates['(Intercept)'], coefficients: { age: fit.estimates.age, smoker: fit.estimates.smoker } },
      { age, smoker },
    );
    expect(nomo.axes.every((a) => a.points.every(Number.isFinite))).toBe(true);
    const svg = nomogramSvg({
      title: 'large cohort',
      axes: nomo.axes.map((a) => ({ label: a.name, values: a.values, points: a.points })),
      totalPointsAxis: nomo.totalPointsAxis,
      risk: nomo.riskAxis,
    });
    expect(svg).toContain('</svg>');
    expect(svg).not.toContain('NaN');

    const roc = rocCurve(y, fit.linearPredictor);
    expect(roc.thresholds.length).toBeGreaterThan(N / 2);
    expect(roc.auc).toBeGreaterThan(0.6);
    const chart = lineChartSvg({
      title: 'ROC',
      xLabel: '1 − specificity',
      yLabel: 'sensitivity',
      xRange: [0, 1],
      yRange: [0, 1],
      series: [{ name: 'model', x: roc.specificities.map((s) => 1 - s), y: roc.sensitivities }],
    });
    expect(chart).not.toContain('NaN');

    const cal = valProb(y, fit.fitted);
    expect(Number.isFinite(cal.brier)).toBe(true);
  }, 60_000);
});
