import { afterAll, expect } from 'vitest';

export { readCsv, readExpected, STATS_FIXTURES, type Json } from './fixtures.js';

/** Largest |a-b| over two equally long arrays (equal values, infinities included, count as 0). */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i] === b[i]) continue;
    m = Math.max(m, Math.abs(a[i] - b[i]));
  }
  return m;
}

/** Largest |a-b|/|b| (absolute where b is 0). */
export function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i] === b[i]) continue;
    m = Math.max(m, Math.abs(a[i] - b[i]) / (b[i] === 0 ? 1 : Math.abs(b[i])));
  }
  return m;
}

interface Deviation {
  label: string;
  deviation: number;
  tol: number;
  kind: string;
}
const deviations: Deviation[] = [];

/**
 * Asserts that `actual` matches `expected` within `tol` (absolute or relative) and records the
 * largest deviation; with STATS_DEVIATIONS=1 each file prints its table at the end.
 */
export function expectClose(
  label: string,
  actual: ArrayLike<number> | number,
  expected: ArrayLike<number> | number,
  tol: number,
  kind: 'abs' | 'rel' = 'abs',
): number {
  const a = typeof actual === 'number' ? [actual] : actual;
  const b = typeof expected === 'number' ? [expected] : expected;
  const d = kind === 'abs' ? maxAbsDiff(a, b) : maxRelDiff(a, b);
  deviations.push({ label, deviation: d, tol, kind });
  expect(d, `${label}: max ${kind} deviation ${d} exceeds ${tol}`).toBeLessThanOrEqual(tol);
  return d;
}

export function reportDeviations(title: string): void {
  afterAll(() => {
    if (!process.env.STATS_DEVIATIONS) return;
    const lines = deviations.map((d) => `| ${title} | ${d.label} | ${d.deviation.toExponential(1)} | ${d.tol} ${d.kind} |`);
    console.log(lines.join('\n'));
  });
}
