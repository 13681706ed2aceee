import { describe, expect, it } from 'vitest';
import { harmonisationPriorSvg, histogramDensitySteps, inverseGammaLog10Density } from '../../../electron/engine/report/harmonisation-plot.js';
import { estimateNewBatch, fitCombat } from '../../../electron/engine/stats/combat/index.js';

/** Trapezoidal integral of y over x. */
const integral = (x: readonly number[], y: readonly number[]) => x.slice(1).reduce((s, xi, k) => s + ((y[k] + y[k + 1]) / 2) * (xi - x[k]), 0);

describe('the ComBat scale-prior plot', () => {
  it('the inverse-gamma density of log10 δ integrates to 1, and peaks where b/(a+1) (the mode of δ) says', () => {
    for (const [a, b] of [
      [3, 2],
      [2.0009, 2758],
      [12, 0.5],
    ]) {
      const u = Array.from({ length: 20001 }, (_, k) => -8 + (16 * k) / 20000);
      const f = u.map((v) => inverseGammaLog10Density(v, a, b));
      expect(integral(u, f)).toBeCloseTo(1, 6);
      // d/du of ln f(10^u)·10^u = 0  ⇔  δ = b/a (the mode of log δ).
      expect(u[f.indexOf(Math.max(...f))]).toBeCloseTo(Math.log10(b / a), 2);
    }
  });

  it('the histogram steps integrate to the share of values inside the range', () => {
    const h = histogramDensitySteps([0.1, 0.2, 0.25, 0.9, 5], 0, 1, 4);
    expect(h.x).toHaveLength(8);
    expect(integral(h.x, h.y)).toBeCloseTo(4 / 5, 12);
    expect(h.y[0]).toBeCloseTo(2 / 5 / 0.25, 12); // [0, 0.25): 0.1 and 0.2
    expect(h.y[2]).toBeCloseTo(1 / 5 / 0.25, 12); // [0.25, 0.5): 0.25
  });

  it('is drawn for an estimated batch with a parametric scale prior, not for the reference batch or a non-parametric fit', () => {
    const names = ['f0', 'f1', 'f2', 'f3', 'f4'];
    const col = (shift: number, scale: number) => Float64Array.from({ length: 12 }, (_, i) => shift + scale * Math.sin(1.7 * i + shift));
    const reference = { batch: new Array<string>(12).fill('A'), featureNames: names, features: Object.fromEntries(names.map((f, g) => [f, col(g, 1)])) };
    const newBatch = { features: Object.fromEntries(names.map((f, g) => [f, col(g + 0.5, 1 + g)])) };
    for (const parametric of [true, false]) {
      const params = estimateNewBatch(fitCombat(reference, { referenceBatch: 'A', parametric }).params, 'B', newBatch);
      expect(harmonisationPriorSvg(params, 'A')).toBeNull();
      const svg = harmonisationPriorSvg(params, 'B');
      if (!parametric) expect(svg).toBeNull();
      else {
        expect(svg).toMatch(/^<svg[^>]+>/);
        expect(svg).toContain('ComBat scale prior — batch B (median δ*/δ̂² = ');
        expect(svg).toContain('inverse-gamma prior (moments)');
        expect(svg!.match(/<polyline/g)).toHaveLength(3);
      }
    }
  });
});
