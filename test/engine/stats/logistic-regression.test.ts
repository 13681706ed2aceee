import { describe, expect, it } from 'vitest';
import { fitLogistic, predictProbability } from '../../../electron/engine/stats/logistic-regression.js';
import { screenThenFit, univariableScreening } from '../../../electron/engine/stats/screening.js';
import { fitFirth } from '../../../electron/engine/stats/firth.js';
import { designMatrix } from '../../../electron/engine/stats/design.js';
import { checkGlmReference } from './glm-reference.js';
import { expectClose, readCsv, readExpected, reportDeviations, type Json } from './helpers.js';

reportDeviations('glm');
const asah = readCsv('asah.csv');
const wdbc = readCsv('wdbc.csv');

describe('logistic regression reproduces R glm (glm_asah.json)', () => {
  it('univariable and multivariable fits, Wald and profile CIs, LRT, default control and backward AIC step', () => {
    checkGlmReference('glm_asah', { y: asah.outcome, x: asah }, readExpected('glm_asah.json'));
  });
});

describe('logistic regression reproduces R glm on the WDBC signature (signature_wdbc.json)', () => {
  const sig = readExpected('signature_wdbc.json');
  it('glm_refit: the eight LASSO-selected features', () => {
    checkGlmReference('signature_wdbc glm_refit', { y: wdbc.y, x: wdbc }, sig.glm_refit);
  });
  it('glm_radscore: the outcome on the LASSO radscore', () => {
    checkGlmReference('signature_wdbc glm_radscore', { y: wdbc.y, x: { radscore: sig.radscore_lasso } }, sig.glm_radscore);
  });
});

describe('screening and prediction', () => {
  const data = { y: asah.outcome, x: asah };
  it('univariable screening keeps the predictors with Wald p < 0.05, as the R univariable table says', () => {
    const ref = readExpected('glm_asah.json').univariable;
    const rows = univariableScreening(data, ['age', 'gender', 'wfns', 's100b', 'ndka']);
    const expected = Object.entries<Json>(ref)
      .filter(([name, u]) => u.coefficients[name].p_wald < 0.05)
      .map(([name]) => name);
    expect(rows.filter((r) => r.selected).map((r) => r.name)).toEqual(expected);
    expect(expected).toEqual(['age', 'wfns', 's100b']);
  });
  it('screen then fit: the multivariable model of the screened predictors and its independent factors', () => {
    const res = screenThenFit(data, ['age', 'gender', 'wfns', 's100b', 'ndka']);
    expect(res.entered).toEqual(['age', 'wfns', 's100b']);
    const alone = fitLogistic(data, ['age', 'wfns', 's100b']);
    expect(res.multivariable!.estimates).toEqual(alone.estimates);
    expect(res.independentFactors).toEqual(
      alone.coefficients
        .slice(1)
        .filter((c) => c.p < 0.05)
        .map((c) => c.name),
    );
    const aic = screenThenFit(data, ['age', 'gender', 'wfns', 's100b', 'ndka'], { selection: 'backward-aic' });
    expect(aic.independentFactors.length).toBeGreaterThan(0);
  });
  it('predictProbability on the training rows gives back the fitted values', () => {
    const fit = fitLogistic(data, ['age', 'wfns']);
    expectClose('predict = fitted', predictProbability(fit, asah, asah.age.length), fit.fitted, 1e-14);
  });
});

describe("Firth's penalised likelihood (the separation safeguard)", () => {
  it("solves the modified score equations X'(y - π + h(½ - π)) = 0", () => {
    const x = designMatrix(asah, ['age', 'wfns', 's100b'], asah.age.length);
    const fit = fitFirth(x, asah.outcome);
    expect(fit.converged).toBe(true);
    // independent check of the estimating equations with plain loops
    const n = x.rows;
    const p = x.columns;
    const pi = Array.from(fit.fitted);
    const info = Array.from({ length: p }, (_, j) =>
      Array.from({ length: p }, (_, k) => {
        let s = 0;
        for (let i = 0; i < n; i++) s += pi[i] * (1 - pi[i]) * x.get(i, j) * x.get(i, k);
        return s;
      }),
    );
    const inv = invert(info);
    const score = new Array<number>(p).fill(0);
    for (let i = 0; i < n; i++) {
      let h = 0;
      for (let j = 0; j < p; j++) for (let k = 0; k < p; k++) h += x.get(i, j) * inv[j][k] * x.get(i, k);
      h *= pi[i] * (1 - pi[i]);
      for (let j = 0; j < p; j++) score[j] += x.get(i, j) * (asah.outcome[i] - pi[i] + h * (0.5 - pi[i]));
    }
    expect(Math.max(...score.map(Math.abs))).toBeLessThan(1e-8);
    // Firth's bias correction is O(1/n): with 41 events it moves each estimate by well under one SE
    const ml = fitLogistic({ y: asah.outcome, x: asah }, ['age', 'wfns', 's100b']);
    ml.coefficients.forEach((c, j) => expect(Math.abs(fit.coefficients[j] - c.estimate)).toBeLessThan(0.5 * c.se));
  });
});

function invert(a: number[][]): number[][] {
  const n = a.length;
  const m = a.map((row, i) => [...row, ...Array.from({ length: n }, (_, j) => (i === j ? 1 : 0))]);
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r][c]) > Math.abs(m[piv][c])) piv = r;
    [m[c], m[piv]] = [m[piv], m[c]];
    const d = m[c][c];
    for (let k = 0; k < 2 * n; k++) m[c][k] /= d;
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r][c];
      for (let k = 0; k < 2 * n; k++) m[r][k] -= f * m[c][k];
    }
  }
  return m.map((row) => row.slice(n));
}
