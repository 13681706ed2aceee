import { describe, expect, it } from 'vitest';
import { fitRecalibration } from '../../../electron/engine/stats/recalibration.js';
import { expectClose, readCsv, readExpected, reportDeviations } from './helpers.js';

reportDeviations('recalibration');
const data = readCsv('recalibration_asah.csv');
const ref = readExpected('recalibration_asah.json');

describe('logistic recalibration against R glm (aSAH, lp = -3 + 0.6 wfns + 1.2 s100b)', () => {
  it('intercept only: glm(y ~ offset(lp)) to 1e-6 relative (estimate, SE, p, deviance)', () => {
    const r = fitRecalibration(data.outcome, data.lp, 'intercept');
    const e = ref.intercept.coefficients['(Intercept)'];
    expectClose('recalibration intercept a', r.intercept, e.estimate, 1e-6, 'rel');
    expectClose('recalibration intercept se', r.interceptSe, e.se, 1e-6, 'rel');
    expectClose('recalibration intercept p', r.interceptP, e.p, 1e-6, 'rel');
    expectClose('recalibration intercept deviance', r.deviance, ref.intercept.deviance, 1e-6, 'rel');
    expect(r.slope).toBe(1);
  });

  it('intercept and slope: glm(y ~ lp) to 1e-6 relative', () => {
    const r = fitRecalibration(data.outcome, data.lp, 'intercept-slope');
    const c = ref.intercept_slope.coefficients;
    expectClose('recalibration slope a', r.intercept, c['(Intercept)'].estimate, 1e-6, 'rel');
    expectClose('recalibration slope b', r.slope, c.lp.estimate, 1e-6, 'rel');
    expectClose('recalibration slope se', [r.interceptSe, r.slopeSe!], [c['(Intercept)'].se, c.lp.se], 1e-6, 'rel');
    expectClose('recalibration slope p', [r.interceptP, r.slopeP!], [c['(Intercept)'].p, c.lp.p], 1e-6, 'rel');
    expectClose('recalibration slope deviance', r.deviance, ref.intercept_slope.deviance, 1e-6, 'rel');
  });

  it('refuses an unknown method and a missing linear predictor', () => {
    expect(() => fitRecalibration([0, 1], [0, 0], 'slope' as never)).toThrow(/method/);
    expect(() => fitRecalibration([0, 1, 0], [0, NaN, 1], 'intercept')).toThrow(/not a finite number/);
  });
});
