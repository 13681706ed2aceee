/**
 * Univariate feature filter for a 0/1 outcome: for each feature the Mann-Whitney test (R's
 * wilcox.test rule: exact for small tie-free groups), Welch's and Student's t-tests, group means
 * and medians, comparing the events (y = 1) with the non-events (y = 0). Features pass when the
 * chosen test's p is below the threshold.
 */
import type { ModelData } from './design.js';
import { median, splitByOutcome } from './descriptive.js';
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
    const mw = mannWhitney(cases, controls, {}, name);
    const welch = welchTTest(cases, controls, name);
    const student = studentTTest(cases, controls, name);
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
