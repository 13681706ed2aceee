/**
 * Univariate feature filter for a 0/1 outcome: for each feature the Mann-Whitney test (R's
 * wilcox.test rule: exact for small tie-free groups), Welch's and Student's t-tests, group means
 * and medians, comparing the events (y = 1) with the non-events (y = 0). Features pass when the
 * chosen test's p is below the threshold.
 */
import type { ModelData } from './design.js';
import { isHilumError } from '../core/errors.js';
import { mean, median, splitByOutcome } from './descriptive.js';
import { mannWhitney, type MannWhitneyResult } from './mann-whitney.js';
import { studentTTest, welchTTest, type TTestResult } from './t-test.js';
import { assertBinaryOutcome, assertColumns, assertNotConstant } from './validate.js';

export type FilterTest = 'mann-whitney' | 'welch' | 'student';

export interface FeatureFilterRow {
  name: string;
  mannWhitney: MannWhitneyResult;
  welch: TTestResult;
  student: TTestResult;
  mean1: number;
  mean0: number;
  median1: number;
  median0: number;
  p: number;
  passed: boolean;
}

export function univariateFilter(data: ModelData, features: readonly string[], options: { test?: FilterTest; pThreshold?: number } = {}): FeatureFilterRow[] {
  const test = options.test ?? 'mann-whitney';
  const threshold = options.pThreshold ?? 0.05;
  assertBinaryOutcome(data.outcomeName ?? 'outcome', data.y, data);
  assertColumns(data.x, features, data.y.length, data);
  return features.map((name) => {
    assertNotConstant(name, data.x[name]);
    const { cases, controls } = splitByOutcome(data.x[name], data.y);
    // The chosen test must be defined; the others are reported when they are (a feature constant
    // within both groups but different between them has no t-test, and separates them perfectly).
    const mw =
      test === 'mann-whitney' ? mannWhitney(cases, controls, {}, name) : orUndefined(() => mannWhitney(cases, controls, {}, name), undefinedMannWhitney);
    const welch = test === 'welch' ? welchTTest(cases, controls, name) : orUndefined(() => welchTTest(cases, controls, name), undefinedTTest(cases, controls));
    const student =
      test === 'student' ? studentTTest(cases, controls, name) : orUndefined(() => studentTTest(cases, controls, name), undefinedTTest(cases, controls));
    const p = test === 'mann-whitney' ? mw.p : test === 'welch' ? welch.p : student.p;
    return {
      name,
      mannWhitney: mw,
      welch,
      student,
      mean1: welch.mean1,
      mean0: welch.mean2,
      median1: median(cases),
      median0: median(controls),
      p,
      passed: p < threshold,
    };
  });
}

function orUndefined<T>(run: () => T, fallback: T): T {
  try {
    return run();
  } catch (error) {
    if (isHilumError(error) && error.code === 'CONSTANT_FEATURE') return fallback;
    throw error;
  }
}

function undefinedTTest(cases: Float64Array, controls: Float64Array): TTestResult {
  return { t: NaN, df: NaN, p: NaN, mean1: mean(cases), mean2: mean(controls) };
}

const undefinedMannWhitney: MannWhitneyResult = { w: NaN, p: NaN, method: 'normal', ties: true };
