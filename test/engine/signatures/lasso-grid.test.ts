import { describe, expect, it } from 'vitest';
import { defaultProtocol, parseProtocol } from '../../../electron/engine/signatures/protocol.js';
import { fitScoreSignature } from '../../../electron/engine/signatures/score-signature.js';
import { errorOf } from '../../helpers.js';

/** selection.lasso.lambdaGrid / nLambda in the study protocol reach the cross-validated LASSO (glmnet's lambda= / nlambda). */
function matrix(n = 240) {
  let seed = 99;
  const u = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const names = ['f1', 'f2', 'f3', 'f4', 'f5'];
  const columns = Object.fromEntries(names.map((f) => [f, new Float64Array(n)]));
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (const f of names) columns[f][i] = u() * 2 - 1;
    y[i] = u() < 1 / (1 + Math.exp(-(2.5 * columns.f1[i] - 2 * columns.f2[i]))) ? 1 : 0;
  }
  return { data: { names, columns }, y, training: Array.from({ length: n }, () => true) };
}

const selection = (lasso: Record<string, unknown>) => parseProtocol({ selection: { pThreshold: 1, lasso: { nFolds: 5, ...lasso } } }).selection;

describe('LASSO λ grid in the study protocol', () => {
  const { data, y, training } = matrix();

  it('lambdaGrid is fitted as given, in decreasing order', () => {
    const grid = [0.002, 0.2, 0.05, 0.01, 0.1];
    const fit = fitScoreSignature('radiomics', data, y, training, selection({ lambdaGrid: grid }));
    expect(fit.trace.lasso.lambda).toEqual([...grid].sort((a, b) => b - a));
    expect(grid).toContain(fit.trace.lasso.lambdaUsed);
    expect(fit.signature.features).toEqual(expect.arrayContaining(['f1', 'f2']));
  });

  it('nLambda sets the length of the computed path; defaults are unchanged', () => {
    const fit = fitScoreSignature('radiomics', data, y, training, selection({ nLambda: 15 }));
    expect(fit.trace.lasso.lambda.length).toBeLessThanOrEqual(15);
    expect(fit.trace.lasso.lambda.length).toBeGreaterThan(4);
    const d = defaultProtocol().selection.lasso;
    expect(d.lambdaGrid).toBeUndefined();
    expect(d.nLambda).toBeUndefined();
  });

  it('refuses a grid with one value or a negative λ, naming the field', () => {
    expect(errorOf(() => selection({ lambdaGrid: [0.1] })).message).toMatch(/selection\.lasso\.lambdaGrid/);
    expect(errorOf(() => selection({ lambdaGrid: [0.1, -1] })).code).toBe('PROTOCOL_INVALID');
    expect(errorOf(() => selection({ nLambda: 1 })).message).toMatch(/selection\.lasso\.nLambda/);
  });
});
