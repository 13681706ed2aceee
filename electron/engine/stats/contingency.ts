/**
 * Tests for categorical features against the outcome.
 * - chiSquaredTest: Pearson's χ² on an r×c table as R's chisq.test: E = row·col/n, with Yates'
 *   continuity correction for 2×2 tables by default, Σ(|O-E| - min(½, |O-E|))²/E, df = (r-1)(c-1);
 *   a finding when an expected count is below 5 (R's "approximation may be incorrect").
 * - fisherExactTest: R's fisher.test for a 2×2 table [[a, b], [c, d]]: two-sided p = Σ of the
 *   hypergeometric probabilities not above that of the observed table (relative tolerance 1e-7),
 *   the conditional maximum-likelihood odds ratio (root of E_ψ[X] = a under the non-central
 *   hypergeometric distribution) and its exact CI (roots of the tail probabilities at α/2).
 *   R finds these roots with uniroot's default tolerance (~1e-4); here they are found to 1e-12.
 */
import gammaln from '@stdlib/math-base-special-gammaln';
import type { Finding } from '../core/errors.js';
import { HilumError } from '../core/errors.js';
import { maxOf } from './descriptive.js';
import { pchisqUpper } from './distributions.js';

export interface ChiSquaredResult {
  statistic: number;
  df: number;
  p: number;
  expected: number[][];
  yates: boolean;
  findings: Finding[];
}

function checkTable(table: readonly (readonly number[])[]): void {
  const k = table[0]?.length ?? 0;
  if (table.length < 2 || k < 2 || table.some((r) => r.length !== k))
    throw new HilumError({ code: 'BAD_TABLE', message: 'a contingency table needs at least 2 rows and 2 columns of equal length' });
  for (const row of table)
    for (const v of row)
      if (!Number.isInteger(v) || v < 0) throw new HilumError({ code: 'BAD_TABLE', message: `contingency counts must be non-negative integers (found ${v})` });
}

export function chiSquaredTest(table: readonly (readonly number[])[], options: { correct?: boolean } = {}): ChiSquaredResult {
  checkTable(table);
  const r = table.length;
  const c = table[0].length;
  const rows = table.map((row) => row.reduce((a, b) => a + b, 0));
  const cols = Array.from({ length: c }, (_, j) => table.reduce((s, row) => s + row[j], 0));
  const n = rows.reduce((a, b) => a + b, 0);
  if (rows.some((v) => v === 0) || cols.some((v) => v === 0))
    throw new HilumError({ code: 'BAD_TABLE', message: 'a row or column of the contingency table is empty; the χ² test is undefined' });
  const expected = rows.map((ri) => cols.map((cj) => (ri * cj) / n));
  const yates = (options.correct ?? true) && r === 2 && c === 2;
  let statistic = 0;
  for (let i = 0; i < r; i++)
    for (let j = 0; j < c; j++) {
      const d = Math.abs(table[i][j] - expected[i][j]);
      const corr = yates ? Math.min(0.5, d) : 0;
      statistic += (d - corr) ** 2 / expected[i][j];
    }
  const df = (r - 1) * (c - 1);
  const findings: Finding[] = [];
  if (expected.some((row) => row.some((e) => e < 5)))
    findings.push({
      code: 'SMALL_EXPECTED_COUNTS',
      severity: 'warning',
      message: 'an expected count is below 5; the χ² approximation may be inaccurate (use Fisher’s exact test)',
    });
  return { statistic, df, p: pchisqUpper(statistic, df), expected, yates, findings };
}

export interface FisherResult {
  p: number;
  oddsRatio: number;
  ci: [number, number];
}

/** Fisher's exact test for a 2×2 table. */
export function fisherExactTest(table: readonly (readonly number[])[], level = 0.95): FisherResult {
  checkTable(table);
  if (table.length !== 2 || table[0].length !== 2) throw new HilumError({ code: 'BAD_TABLE', message: 'Fisher’s exact test here takes a 2×2 table' });
  const x = table[0][0];
  const m = table[0][0] + table[1][0];
  const n = table[0][1] + table[1][1];
  const k = table[0][0] + table[0][1];
  const lo = Math.max(0, k - n);
  const hi = Math.min(k, m);
  const support: number[] = [];
  for (let s = lo; s <= hi; s++) support.push(s);
  const lchoose = (a: number, b: number) => gammaln(a + 1) - gammaln(b + 1) - gammaln(a - b + 1);
  const logd = support.map((s) => lchoose(m, s) + lchoose(n, k - s) - lchoose(m + n, k));
  const maxLog = maxOf(logd);
  const dnhyper = (ncp: number): number[] => {
    const lw = logd.map((v, i) => v + support[i] * Math.log(ncp));
    const mx = maxOf(lw);
    const e = lw.map((v) => Math.exp(v - mx));
    const s = e.reduce((a, b) => a + b, 0);
    return e.map((v) => v / s);
  };
  const mnhyper = (ncp: number): number => {
    if (ncp === 0) return lo;
    if (ncp === Infinity) return hi;
    return dnhyper(ncp).reduce((s, d, i) => s + support[i] * d, 0);
  };
  const pnhyper = (q: number, ncp: number, upper: boolean): number => {
    if (ncp === 0) return upper ? Number(q <= lo) : Number(q >= lo);
    if (ncp === Infinity) return upper ? Number(q <= hi) : Number(q >= hi);
    return dnhyper(ncp).reduce((s, d, i) => s + ((upper ? support[i] >= q : support[i] <= q) ? d : 0), 0);
  };
  const d1 = logd.map((v) => Math.exp(v - maxLog));
  const total = d1.reduce((a, b) => a + b, 0);
  const dObs = d1[x - lo];
  const p = Math.min(1, d1.reduce((s, d) => s + (d <= dObs * (1 + 1e-7) ? d : 0), 0) / total);
  // roots in ψ on (0, 1] directly, or on 1/ψ for ψ > 1, as R does
  const root = (f: (t: number) => number, a: number, b: number): number => {
    let fa = f(a);
    for (let i = 0; i < 300; i++) {
      const mid = 0.5 * (a + b);
      const fm = f(mid);
      if (fm === 0 || b - a < 1e-15) return mid;
      if (Math.sign(fm) === Math.sign(fa)) {
        a = mid;
        fa = fm;
      } else b = mid;
    }
    return 0.5 * (a + b);
  };
  const eps = 2.220446049250313e-16;
  let oddsRatio: number;
  if (x === lo) oddsRatio = 0;
  else if (x === hi) oddsRatio = Infinity;
  else {
    const mu = mnhyper(1);
    if (mu > x) oddsRatio = root((t) => mnhyper(t) - x, 0, 1);
    else if (mu < x) oddsRatio = 1 / root((t) => mnhyper(1 / t) - x, eps, 1);
    else oddsRatio = 1;
  }
  const alpha = (1 - level) / 2;
  const ncpU = (): number => {
    if (x === hi) return Infinity;
    const pv = pnhyper(x, 1, false);
    if (pv < alpha) return root((t) => pnhyper(x, t, false) - alpha, 0, 1);
    if (pv > alpha) return 1 / root((t) => pnhyper(x, 1 / t, false) - alpha, eps, 1);
    return 1;
  };
  const ncpL = (): number => {
    if (x === lo) return 0;
    const pv = pnhyper(x, 1, true);
    if (pv > alpha) return root((t) => pnhyper(x, t, true) - alpha, 0, 1);
    if (pv < alpha) return 1 / root((t) => pnhyper(x, 1 / t, true) - alpha, eps, 1);
    return 1;
  };
  return { p, oddsRatio, ci: [ncpL(), ncpU()] };
}
