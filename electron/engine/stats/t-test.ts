/**
 * Two-sample t-tests as R's t.test(x, y): Welch's test (default; Welch–Satterthwaite df
 * ν = (s₁²/n₁ + s₂²/n₂)² / [(s₁²/n₁)²/(n₁-1) + (s₂²/n₂)²/(n₂-1)]) and Student's pooled-variance
 * test (var.equal = TRUE, ν = n₁+n₂-2). t = (x̄₁ - x̄₂)/SE, two-sided p = 2·P(T_ν ≤ -|t|).
 */
import { HilumError } from '../core/errors.js';
import { mean, variance } from './descriptive.js';
import { ptTwoSided } from './distributions.js';

export interface TTestResult {
  t: number;
  df: number;
  p: number;
  mean1: number;
  mean2: number;
}

function checkGroups(name: string, x: ArrayLike<number>, y: ArrayLike<number>): void {
  if (x.length < 2 || y.length < 2)
    throw new HilumError({
      code: 'GROUP_TOO_SMALL',
      message: `t-test on '${name}' needs at least 2 values per group (found ${x.length} and ${y.length})`,
      data: { name, n1: x.length, n2: y.length },
    });
}

function essentiallyConstant(name: string, se: number, m1: number, m2: number): void {
  // R's t.test stops with "data are essentially constant" below this bound
  if (se < 10 * 2.220446049250313e-16 * Math.max(Math.abs(m1), Math.abs(m2)) || se === 0)
    throw new HilumError({
      code: 'CONSTANT_FEATURE',
      message: `feature '${name}' is constant within both groups; a t-test is undefined`,
      data: { name },
    });
}

/** Welch's unequal-variance t-test of group 1 (x) against group 2 (y). */
export function welchTTest(x: ArrayLike<number>, y: ArrayLike<number>, name = 'feature'): TTestResult {
  checkGroups(name, x, y);
  const m1 = mean(x);
  const m2 = mean(y);
  const a = variance(x) / x.length;
  const b = variance(y) / y.length;
  const se = Math.sqrt(a + b);
  essentiallyConstant(name, se, m1, m2);
  const df = (a + b) ** 2 / (a ** 2 / (x.length - 1) + b ** 2 / (y.length - 1));
  const t = (m1 - m2) / se;
  return { t, df, p: ptTwoSided(t, df), mean1: m1, mean2: m2 };
}

/** Student's equal-variance t-test of group 1 (x) against group 2 (y). */
export function studentTTest(x: ArrayLike<number>, y: ArrayLike<number>, name = 'feature'): TTestResult {
  checkGroups(name, x, y);
  const n1 = x.length;
  const n2 = y.length;
  const m1 = mean(x);
  const m2 = mean(y);
  const df = n1 + n2 - 2;
  const pooled = ((n1 - 1) * variance(x) + (n2 - 1) * variance(y)) / df;
  const se = Math.sqrt(pooled * (1 / n1 + 1 / n2));
  essentiallyConstant(name, se, m1, m2);
  const t = (m1 - m2) / se;
  return { t, df, p: ptTwoSided(t, df), mean1: m1, mean2: m2 };
}
