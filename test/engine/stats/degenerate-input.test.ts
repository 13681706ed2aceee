import { describe, expect, it } from 'vitest';
import { fitLogistic } from '../../../electron/engine/stats/logistic-regression.js';
import { fitLassoPath } from '../../../electron/engine/stats/lasso/path.js';
import { crossValidateLasso } from '../../../electron/engine/stats/lasso/cross-validation.js';
import { rocCurve } from '../../../electron/engine/stats/roc.js';
import { univariateFilter } from '../../../electron/engine/stats/feature-filter.js';
import { correlationMatrix } from '../../../electron/engine/stats/correlation.js';
import { welchTTest } from '../../../electron/engine/stats/t-test.js';
import { brierScore, valProb } from '../../../electron/engine/stats/calibration.js';
import { hosmerLemeshow } from '../../../electron/engine/stats/hosmer-lemeshow.js';
import { decisionCurve } from '../../../electron/engine/stats/decision-curve.js';
import { iccTable } from '../../../electron/engine/stats/icc.js';
import { readCsv } from './helpers.js';

const asah = readCsv('asah.csv');
const base = { y: asah.outcome, x: asah, rowIds: asah.id };

describe('degenerate input gives named HilumErrors, not NaN tables', () => {
  it('a constant feature', () => {
    const x = { ...asah, flat: asah.age.map(() => 3) };
    const data = { ...base, x };
    expect(() => fitLogistic(data, ['age', 'flat'])).toThrowError(
      expect.objectContaining({ code: 'CONSTANT_FEATURE', message: expect.stringContaining("'flat' is constant") }),
    );
    expect(() => fitLassoPath(data, ['age', 'flat'])).toThrowError(expect.objectContaining({ code: 'CONSTANT_FEATURE' }));
    expect(() => univariateFilter(data, ['flat'])).toThrowError(expect.objectContaining({ code: 'CONSTANT_FEATURE' }));
    expect(() => correlationMatrix(x, ['age', 'flat'], 'spearman')).toThrowError(expect.objectContaining({ code: 'CONSTANT_FEATURE' }));
    expect(() => welchTTest([2, 2, 2], [2, 2], 'flat')).toThrowError(expect.objectContaining({ code: 'CONSTANT_FEATURE' }));
  });

  it('a feature constant within each outcome group but different between them: the rank test separates, the t-tests are marked undefined', () => {
    const separating = asah.outcome.map((v) => (v ? 3 : 1));
    const [row] = univariateFilter({ ...base, x: { ...asah, separating } }, ['separating']);
    expect(row.mannWhitney.p).toBeLessThan(1e-6);
    expect(row.passed).toBe(true);
    expect(row.welch.p).toBeNaN();
    expect(row.student.p).toBeNaN();
    expect(() => univariateFilter({ ...base, x: { ...asah, separating } }, ['separating'], { test: 'welch' })).toThrowError(
      expect.objectContaining({ code: 'CONSTANT_FEATURE' }),
    );
  });

  it('a cohort with one class only', () => {
    const y = asah.outcome.map(() => 0);
    const data = { ...base, y };
    const oneClass = expect.objectContaining({ code: 'ONE_CLASS_ONLY', message: expect.stringContaining('only non-events') });
    expect(() => fitLogistic(data, ['age'])).toThrowError(oneClass);
    expect(() => fitLassoPath(data, ['age', 'wfns'])).toThrowError(oneClass);
    expect(() => rocCurve(y, asah.s100b)).toThrowError(oneClass);
    expect(() => brierScore(y, asah.s100b)).toThrowError(oneClass);
    expect(() => decisionCurve(y, asah.s100b)).toThrowError(oneClass);
  });

  it('an outcome that is not 0/1', () => {
    const y = asah.outcome.map((v, i) => (i === 4 ? 2 : v));
    expect(() => fitLogistic({ ...base, y }, ['age'])).toThrowError(
      expect.objectContaining({ code: 'OUTCOME_NOT_BINARY', message: expect.stringContaining('row 5 (id 5) holds 2') }),
    );
  });

  it('fewer events than predictors', () => {
    // 3 events, 5 predictors
    const firstEvents = asah.outcome
      .map((v, i) => (v === 1 ? i : -1))
      .filter((i) => i >= 0)
      .slice(0, 3);
    const keep = asah.outcome.map((v, i) => (v === 0 || firstEvents.includes(i) ? i : -1)).filter((i) => i >= 0);
    const pick = (col: number[]) => keep.map((i) => col[i]);
    const y = pick(asah.outcome);
    expect(y.filter((v) => v === 1).length).toBe(3);
    const x = Object.fromEntries(['age', 'gender', 'wfns', 's100b', 'ndka'].map((k) => [k, pick(asah[k])]));
    expect(() => fitLogistic({ y, x }, ['age', 'gender', 'wfns', 's100b', 'ndka'])).toThrowError(
      expect.objectContaining({ code: 'TOO_FEW_EVENTS', message: '3 events cannot support a model with 5 predictors and an intercept' }),
    );
    // enough to fit, too few to trust: a warning finding
    const fit = fitLogistic(base, ['age', 'gender', 'wfns', 's100b', 'ndka']);
    expect(fit.findings.map((f) => f.code)).toEqual(['LOW_EVENTS_PER_VARIABLE']);
  });

  it('missing values are rejected with the row named', () => {
    const age = asah.age.slice();
    age[16] = NaN;
    const expected = expect.objectContaining({ code: 'MISSING_VALUE', message: "'age' is missing or not a finite number in row 17 (id 17) (found NaN)" });
    expect(() => fitLogistic({ ...base, x: { ...asah, age } }, ['age', 'wfns'])).toThrowError(expected);
    expect(() => fitLassoPath({ ...base, x: { ...asah, age } }, ['age', 'wfns'])).toThrowError(expected);
    expect(() => univariateFilter({ ...base, x: { ...asah, age } }, ['age'])).toThrowError(expected);
    expect(() => rocCurve(asah.outcome, age, { predictorName: 'age', rowIds: asah.id })).toThrowError(expected);
    const p = asah.age.map(() => 0.3);
    p[2] = NaN;
    expect(() => valProb(asah.outcome, p)).toThrowError(expect.objectContaining({ code: 'MISSING_VALUE', message: expect.stringContaining('row 3') }));
    const y = asah.outcome.slice();
    y[0] = NaN;
    expect(() => fitLogistic({ ...base, y }, ['age'])).toThrowError(
      expect.objectContaining({ code: 'MISSING_VALUE', message: expect.stringContaining("'outcome' is missing or not a finite number in row 1 (id 1)") }),
    );
  });

  it('perfect separation is reported; by default the model is refitted with Firth’s penalty', () => {
    // complete separation: every poor outcome has s100b above every good outcome's
    const s = asah.outcome.map((v, i) => (v === 1 ? 1 + (i % 7) / 10 : (i % 9) / 10));
    const data = { ...base, x: { ...asah, s } };
    expect(() => fitLogistic(data, ['s', 'age'], { onSeparation: 'error' })).toThrowError(
      expect.objectContaining({ code: 'PERFECT_SEPARATION', message: expect.stringMatching(/^the outcome is completely separated by s\b/) }),
    );
    const firth = fitLogistic(data, ['s', 'age']);
    expect(firth.method).toBe('firth');
    expect(firth.separation?.kind).toBe('complete');
    expect(firth.findings.map((f) => f.code)).toContain('PERFECT_SEPARATION');
    expect(firth.coefficients.every((c) => Number.isFinite(c.estimate) && Number.isFinite(c.se))).toBe(true);
    // quasi-complete: a binary marker present only in poor outcomes (a zero cell)
    const marker = asah.outcome.map((v, i) => (v === 1 && i % 3 === 0 ? 1 : 0));
    const quasi = fitLogistic({ ...base, x: { ...asah, marker } }, ['marker', 'age']);
    expect(quasi.separation).toMatchObject({ kind: 'quasi-complete', variables: ['marker'] });
    expect(quasi.method).toBe('firth');
    // and a well-behaved model is left alone
    expect(fitLogistic(base, ['age', 'wfns', 's100b']).separation).toBeNull();
  });

  it('collinear predictors', () => {
    const twice = asah.age.map((v) => 2 * v + 1);
    expect(() => fitLogistic({ ...base, x: { ...asah, twice } }, ['age', 'twice'])).toThrowError(
      expect.objectContaining({ code: 'COLLINEAR_PREDICTORS', message: expect.stringContaining("'twice'") }),
    );
  });

  it('a feature constant within one cross-validation training part is left out of that fold, as glmnet does', () => {
    const foldid = asah.age.map((_, i) => (i % 5) + 1);
    const rare = asah.age.map((_, i) => (i === 0 || i === 5 ? 1 : 0)); // both in fold 1
    const cv = crossValidateLasso({ ...base, x: { ...asah, rare } }, ['age', 'wfns', 's100b', 'rare'], { foldid });
    expect(cv.cvm.every(Number.isFinite)).toBe(true);
  });

  it('other refusals: unknown column, length mismatch, bad folds, too few risk groups, ragged ratings', () => {
    expect(() => fitLogistic(base, ['nope'])).toThrowError(expect.objectContaining({ code: 'UNKNOWN_COLUMN' }));
    expect(() => fitLogistic({ ...base, x: { short: [1, 2, 3] } }, ['short'])).toThrowError(expect.objectContaining({ code: 'LENGTH_MISMATCH' }));
    const foldid = asah.age.map((_, i) => (i % 3) + 1 + (i % 3 === 2 ? 1 : 0)); // folds 1, 2, 4: fold 3 empty
    expect(() => crossValidateLasso(base, ['age', 'wfns'], { foldid })).toThrowError(
      expect.objectContaining({ code: 'BAD_FOLDS', message: 'fold 3 of 4 is empty' }),
    );
    expect(() =>
      hosmerLemeshow(
        asah.outcome,
        asah.gender.map((g) => 0.2 + 0.3 * g),
      ),
    ).toThrowError(expect.objectContaining({ code: 'TOO_FEW_RISK_GROUPS' }));
    expect(() => iccTable([[1, 2], [3]])).toThrowError(expect.objectContaining({ code: 'LENGTH_MISMATCH' }));
  });
});
