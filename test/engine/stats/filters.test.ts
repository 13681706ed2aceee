import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { univariateFilter } from '../../../electron/engine/stats/feature-filter.js';
import { correlationMatrix } from '../../../electron/engine/stats/correlation.js';
import { findCorrelation } from '../../../electron/engine/stats/find-correlation.js';
import { chiSquaredTest, fisherExactTest } from '../../../electron/engine/stats/contingency.js';
import { pwilcox } from '../../../electron/engine/stats/wilcoxon-distribution.js';
import { expectClose, readCsv, readExpected, reportDeviations, STATS_FIXTURES, type Json } from './helpers.js';

reportDeviations('filters');
const wdbc = readCsv('wdbc.csv');

for (const file of ['filter_wdbc.json', 'filter_wdbc_small.json']) {
  describe(`univariate filter and correlation pruning (${file})`, () => {
    const ref = readExpected(file);
    const ids = new Set<number>(ref.ids ?? wdbc.id);
    const rows = wdbc.id.map((id, i) => (ids.has(id) ? i : -1)).filter((i) => i >= 0);
    const y = rows.map((i) => wdbc.y[i]);
    const x: Record<string, number[]> = Object.fromEntries(ref.features.map((f: string) => [f, rows.map((i) => wdbc[f][i])]));
    const features: string[] = ref.features;

    it('Mann-Whitney W and p with R’s exact/normal rule, Welch and Student t-tests, group means and medians', () => {
      const res = univariateFilter({ y, x }, features);
      const col = (k: string) => features.map((f) => ref.per_feature[f][k]);
      expect(res.map((r) => (r.mannWhitney.method === 'exact' ? 'Wilcoxon rank sum exact test' : 'Wilcoxon rank sum test with continuity correction'))).toEqual(
        col('mw_method'),
      );
      expectClose(
        `${file} mw_W`,
        res.map((r) => r.mannWhitney.w),
        col('mw_W'),
        0,
      );
      expectClose(
        `${file} mw_p`,
        res.map((r) => r.mannWhitney.p),
        col('mw_p'),
        1e-9,
      );
      expectClose(
        `${file} mw_p (relative)`,
        res.map((r) => r.mannWhitney.p),
        col('mw_p'),
        1e-9,
        'rel',
      );
      expectClose(
        `${file} welch_t`,
        res.map((r) => r.welch.t),
        col('welch_t'),
        1e-9,
        'rel',
      );
      expectClose(
        `${file} welch_df`,
        res.map((r) => r.welch.df),
        col('welch_df'),
        1e-9,
        'rel',
      );
      expectClose(
        `${file} welch_p`,
        res.map((r) => r.welch.p),
        col('welch_p'),
        1e-9,
      );
      expectClose(
        `${file} student_t`,
        res.map((r) => r.student.t),
        col('student_t'),
        1e-9,
        'rel',
      );
      expect(res.map((r) => r.student.df)).toEqual(col('student_df'));
      expectClose(
        `${file} student_p`,
        res.map((r) => r.student.p),
        col('student_p'),
        1e-9,
      );
      expectClose(
        `${file} means`,
        res.flatMap((r) => [r.mean1, r.mean0]),
        features.flatMap((f) => [ref.per_feature[f].mean_1, ref.per_feature[f].mean_0]),
        1e-12,
        'rel',
      );
      expectClose(
        `${file} medians`,
        res.flatMap((r) => [r.median1, r.median0]),
        features.flatMap((f) => [ref.per_feature[f].median_1, ref.per_feature[f].median_0]),
        1e-12,
        'rel',
      );
    });

    it('Mann-Whitney normal approximation with continuity correction (mw_p_normal_cc)', async () => {
      const { mannWhitney } = await import('../../../electron/engine/stats/mann-whitney.js');
      const p = features.map((f) => {
        const a = x[f].filter((_, i) => y[i] === 1);
        const b = x[f].filter((_, i) => y[i] === 0);
        return mannWhitney(a, b, { exact: false, correct: true }).p;
      });
      expectClose(
        `${file} mw_p_normal_cc`,
        p,
        features.map((f) => ref.per_feature[f].mw_p_normal_cc),
        1e-9,
      );
    });

    it('Spearman matrix, pairs above the cutoff and caret::findCorrelation (exact and fast)', () => {
      const rho = correlationMatrix(x, features, 'spearman');
      expectClose(`${file} spearman_matrix`, rho.flat(), ref.spearman_matrix.flat(), 1e-9);
      const pairs: { a: string; b: string; rho: number }[] = [];
      for (let j = 0; j < features.length; j++)
        for (let i = 0; i < j; i++) if (Math.abs(rho[i][j]) > ref.cutoff) pairs.push({ a: features[i], b: features[j], rho: rho[i][j] });
      expect(pairs.map((p) => [p.a, p.b])).toEqual(ref.pairs_abs_rho_gt_cutoff.map((p: { a: string; b: string }) => [p.a, p.b]));
      expect(findCorrelation(rho, features, { cutoff: 0.9, exact: true })).toEqual(ref.findCorrelation_exact_true);
      expect(findCorrelation(rho, features, { cutoff: 0.9, exact: false })).toEqual(ref.findCorrelation_exact_false);
    });
  });
}

describe('exact Wilcoxon distribution', () => {
  it('matches small cases counted by hand and sums to one', () => {
    // m = n = 2: U ∈ {0,1,2,2,3,4} → P(U ≤ 1) = 2/6, P(U ≤ 2) = 4/6
    expect(pwilcox(1, 2, 2)).toBeCloseTo(2 / 6, 15);
    expect(pwilcox(2, 2, 2)).toBeCloseTo(4 / 6, 15);
    expect(pwilcox(12, 3, 4)).toBe(1);
    // symmetry of the null distribution
    expect(pwilcox(5, 4, 6)).toBeCloseTo(1 - pwilcox(24 - 5 - 1, 4, 6), 14);
  });
});

describe('chi-squared and Fisher exact tests (reference: SciPy 1.10.1, computed/contingency_scipy.json)', () => {
  const ref = JSON.parse(readFileSync(path.join(STATS_FIXTURES, 'computed', 'contingency_scipy.json'), 'utf8'), (_k, v) => (v === 'Inf' ? Infinity : v));
  for (const [name, t] of Object.entries<Json>(ref.tables)) {
    it(name, () => {
      if (t.chisq_yates) {
        const yates = chiSquaredTest(t.table);
        expect(yates.yates).toBe(true);
        expectClose(`${name} chisq Yates`, [yates.statistic, yates.p], [t.chisq_yates.statistic, t.chisq_yates.p], 1e-12);
        const plain = chiSquaredTest(t.table, { correct: false });
        expectClose(`${name} chisq plain`, [plain.statistic, plain.p], [t.chisq_plain.statistic, t.chisq_plain.p], 1e-12);
        const f = fisherExactTest(t.table);
        expectClose(`${name} fisher p`, f.p, t.fisher_p, 1e-12);
        expectClose(`${name} conditional OR and CI`, [f.oddsRatio, ...f.ci], [t.conditional_or, ...t.conditional_or_ci95], 1e-9, 'rel');
      } else {
        const c = chiSquaredTest(t.table);
        expect(c.df).toBe(t.chisq_plain.df);
        expectClose(`${name} chisq r×c`, [c.statistic, c.p], [t.chisq_plain.statistic, t.chisq_plain.p], 1e-12);
      }
    });
  }
  it('warns about small expected counts', () => {
    expect(
      chiSquaredTest([
        [3, 0],
        [1, 6],
      ]).findings.map((f) => f.code),
    ).toEqual(['SMALL_EXPECTED_COUNTS']);
  });
});
